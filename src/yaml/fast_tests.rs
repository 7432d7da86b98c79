//! The fast path against the full loader: on every input, the fast path either declines or
//! gives exactly the full loader's value. Inputs are hand-picked edge cases, and documents from
//! a small generator (random nesting of the shapes real files use and of the ones they should
//! not), each also mutated a few times.

use super::super::load::bench_support::{head_fast, load_fast, load_full, same};
use crate::test_rng::Xorshift;

/// Checks one input; `true` when the fast path took it. The skim of the document's head must
/// also agree with the full loader's document whenever it answers.
fn check(text: &str) -> bool {
    check_head(text);
    let Some(fast) = load_fast(text) else {
        return false;
    };
    match load_full(text) {
        Ok(full) => assert!(
            same(&fast, &full),
            "fast path differs on {text:?}\nfast: {fast:?}\nfull: {full:?}"
        ),
        Err(e) => panic!(
            "fast path accepts what the full loader refuses: {text:?}\nfast: {fast:?}\nfull: {e}"
        ),
    }
    true
}

/// Checks the skim of one input's head; `true` when it answered.
fn check_head(text: &str) -> bool {
    let Some(head) = head_fast(text) else {
        return false;
    };
    match load_full(text) {
        Ok(full) => {
            assert!(
                super::super::load::check_json_value(&full).is_ok(),
                "the skim accepts what does not convert to JSON: {text:?}"
            );
            assert_eq!(
                head,
                super::super::load::head_of(&full),
                "the skim's head differs on {text:?}"
            );
        }
        Err(e) => panic!("the skim accepts what the full loader refuses: {text:?}\nfull: {e}"),
    }
    true
}

#[test]
fn heads_are_skimmed_as_loaded() {
    let taken = [
        "apiVersion: v1\nkind: Pod\n",
        "kind: A\nkind: B\napiVersion: x/v1\n",
        "kind: A\nkind: 3\n",
        "apiVersion: [v1]\nkind: {a: b}\n",
        "{apiVersion: v1, kind: Pod}\n",
        "{kind: A, kind: B}\n",
        "- apiVersion: v1\n  kind: Pod\n",
        "spec:\n  kind: Inner\nmetadata: {name: x}\n",
        "'kind': \"Quoted\"\n",
        "",
        "# nothing\n",
        "plain\n",
        "a: 1.5\nb: -3\nc: 18446744073709551615\n",
        "1: a\ntrue: b\n1.5: c\n",
    ];
    for text in taken {
        assert!(check_head(text), "the skim should answer on {text:?}");
    }
    // What might not convert to JSON goes to the full loader (an infinite value replaced by a
    // repeated key too: declining is always safe).
    let declined = [
        "a: .inf\na: 1\n",
        "a: .inf\n",
        "a:\n  - .nan\n",
        "~: 1\n",
        "18446744073709551615: x\n",
        "a: [1, .inf]\n",
        ".inf\n",
        "a: &x 1\n",
    ];
    for text in declined {
        assert!(!check_head(text), "the skim should decline {text:?}");
    }
}

const TAKEN: &[&str] = &[
    // Non-ASCII characters past the first block of 32 bytes, one across two blocks.
    "description: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx caf\u{e9} \u{2019}q\u{2019} \u{65e5}\u{672c} \u{1f600}\n",
    "description: xxxxxxxxxxxxxxxxxx\u{e9}\n",
    "",
    "a: 1\n",
    "a: 1",
    "# only a comment\n",
    "---\n",
    "---\na: 1\n",
    "--- # c\na: 1\n---\nb: 2\n",
    "a: 1\n---\n[\n",
    "\u{feff}a: 1\n",
    "a: yes\nb: on\nc: ~\nd: 0x1F\ne: 017\nf: 1e3\ng: .5\nh: 1_000\ni: -.inf\nj: .nan\nk: 2024-01-01\n",
    "a b: c d  \n'k': 'it''s'\n\"q\": \"a\\tb\\u00e9\\x41\\/\\\\\"\n",
    "a:b: c\nhttp://x:80/y: z\nk: a#b\nl: a # comment\nm: -1\nn: -x\n",
    "a:\n  b:\n    c: 1\n  d: [1, 2, {e: f}]\n  g: {}\n  h: []\n",
    "a:\n- 1\n- 2\nb:\n  - x: 1\n    y: 2\n  - - p\n    - q\n  -\n  - # c\n    z\n",
    "- a\n- b: c\n  d: e\n- - f\n  - g\n",
    "a: |\n  line 1\n\n  line 3\n    more\nb: >-\n  folded\n  text\n\n  para\n",
    "a: |+\n  keep\n\n\nb: |-\n  strip\n\n",
    "a: >\n  x\n   y\n  z\n\n",
    "a: 1\r\nb:\r\n  - c\r\n  - |\r\n    d\r\n",
    "k:\n  v\n",
    "~: 1\ntrue: 2\n1.5: 3\n",
    "a: 1\na: 2\n",
    "\"<<\": 1\n",
    "a: é ü\n",
    "a: b\n  c\n\n  d\nk: x\n  y # c\nl:\n- z\n  w\n",
    "a: 'b  \n  c''\n\n   \n  d '\nb: \"x\\t \n y\"\n",
];

const DECLINED: &[&str] = &[
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "%YAML 1.1\n---\na: 1\n",
    "<<: {a: 1}\n",
    "a: 'b\nc'\n",
    "? a\n: b\n",
    "a:\tb\n",
    "a: 1\n...\n",
    "a: |2\n   x\n",
    "a: [1,\n  2]\n",
    "[a]: b\n",
    "a: b: c\n",
    "a: 1\n b: 2\n",
    "a:\n  b: 1\n c: 2\n",
    "a: \"x\"y\n",
    "a: |\n  x",
    "a: 1\u{85}b: 2\n",
    // Characters the reader leaves to the full loader, past the first block of 32 bytes.
    "description: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \u{85}\n",
    "description: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \u{2028}\n",
    "description: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \u{feff}\n",
    "description: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \u{9f}\n",
    "description: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \u{fffe}\n",
    "description: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \u{7}\n",
];

#[test]
fn hand_picked_cases() {
    for text in TAKEN {
        assert!(check(text), "the fast path should take {text:?}");
    }
    for text in DECLINED {
        assert!(!check(text), "the fast path should decline {text:?}");
    }
}

/// A small deterministic generator (xorshift), and how often (percent) it picks the odd
/// shapes over the common ones in the current document.
struct Gen(Xorshift, usize);

impl Gen {
    fn odd(&mut self) -> bool {
        let p = self.1;
        self.chance(p)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One to three continuation lines of a scalar started at `indent`: sometimes blank lines
    /// first (one of `blanks`), each at a column that is now and then too far left, holding
    /// one of `words`.
    fn continuation_lines(
        &mut self,
        out: &mut String,
        indent: usize,
        blanks: &[&str],
        words: &[&str],
    ) {
        for _ in 0..1 + self.below(3) {
            if self.chance(30) {
                out.push_str(self.pick(blanks));
            }
            out.push('\n');
            let col = if self.odd() {
                self.below(indent + 4)
            } else {
                indent + 1 + self.below(3)
            };
            out.push_str(&" ".repeat(col));
            out.push_str(self.pick(words));
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn scalar(&mut self) -> String {
        const PLAIN: &[&str] = &[
            "x",
            "hello world",
            "yes",
            "no",
            "on",
            "Off",
            "y",
            "~",
            "null",
            "NULL",
            "true",
            "False",
            "1",
            "-1",
            "+1",
            "0",
            "007",
            "0x1F",
            "0o17",
            "0b101",
            "1e3",
            "1E-3",
            ".5",
            "-.5",
            "1.",
            "1_000",
            "1:20",
            ".inf",
            "-.Inf",
            ".nan",
            "2024-01-01",
            "2024-01-01T10:00:00Z",
            "<<",
            "a b  c",
            "a:b",
            "a#b",
            "a,b",
            "a]",
            "a}",
            "x[0]",
            "http://h:80/p?q=1",
            "-x",
            "--",
            "---",
            "...",
            "é",
            "日本",
            "a'b",
            "a\"b",
            "%x",
            "@x",
            "`x`",
            "!x",
            "&x",
            "*x",
            "?x",
            ":x",
            "|x",
            ">x",
            "-",
            "a -",
            "a :b",
            "9223372036854775808",
            "18446744073709551616",
            "-9223372036854775809",
            "0.1e+5",
        ];
        const QUOTED: &[&str] = &[
            "''",
            "\"\"",
            "'it''s'",
            "'a # b'",
            "'a: b'",
            "\"a\\tb\"",
            "\"\\u00e9\"",
            "\"\\x41\\x7f\"",
            "\"\\/\\\\\\\"\"",
            "\"\\N\\_\\L\\P\"",
            "\"\\e\\0\\a\\b\\v\\f\\r\"",
            "\"\\ud800\"",
            "\"\\U0001F600\"",
            "\"\\q\"",
            "\"a\\ b\"",
            "'x'y",
            "\"x\"y",
            "\"a # b\"",
            "'  '",
            "\"1\"",
            "'yes'",
            "\"\\",
            "'unclosed",
            "\"tab\\\tx\"",
        ];
        // The first entries of each list are the shapes real files use.
        match (self.odd(), self.chance(75)) {
            (false, true) => self.pick(&PLAIN[..42]).to_string(),
            (false, false) => self.pick(&QUOTED[..12]).to_string(),
            (true, true) => self.pick(PLAIN).to_string(),
            (true, false) => self.pick(QUOTED).to_string(),
        }
    }

    fn key(&mut self) -> String {
        const KEYS: &[&str] = &[
            "a",
            "b",
            "key",
            "my key",
            "a:b",
            "1",
            "1.5",
            "true",
            "no",
            "~",
            "null",
            "'q'",
            "\"d\"",
            "\"a b\"",
            "'<<'",
            "-k",
            "k ",
            "k#x",
            "é",
            "\"\"",
            "''",
            ".inf",
            "app.kubernetes.io/name",
            "<<",
            "? k",
            "[a]",
            "{a: 1}",
            "&a k",
            "!!str k",
            "a #c",
        ];
        if !self.odd() {
            self.pick(&KEYS[..23]).to_string()
        } else {
            self.pick(KEYS).to_string()
        }
    }

    fn comment(&mut self) -> &'static str {
        if self.odd() {
            self.pick(&["#c", " #", " # a: b", "\t# c"])
        } else {
            self.pick(&["", "", "", " # c", "  #c"])
        }
    }

    fn blank_lines(&mut self, out: &mut String) {
        while self.chance(15) {
            match self.below(4) {
                0 => out.push('\n'),
                1 => {
                    out.push_str(&" ".repeat(self.below(8)));
                    out.push('\n');
                }
                _ => {
                    out.push_str(&" ".repeat(self.below(8)));
                    out.push_str("# comment\n");
                }
            }
        }
    }

    fn flow(&mut self, depth: usize) -> String {
        const ATOMS: &[&str] = &[
            "a", "1", "yes", "~", "'q'", "\"d\"", "a b", "-1", "-x", "a:b", "a#b", "\"\"", "",
            "[]", "{}", "x ",
        ];
        let odd = self.odd();
        let atoms = if odd { ATOMS } else { &ATOMS[..9] };
        let map = self.chance(40);
        let n = self.below(4);
        let mut parts = Vec::new();
        for _ in 0..n {
            let item = if depth < 3 && self.chance(20) {
                self.flow(depth + 1)
            } else {
                self.pick(atoms).to_string()
            };
            if map {
                let sep = if odd {
                    self.pick(&[": ", ":", " : ", ":  "])
                } else {
                    ": "
                };
                parts.push(format!("{}{sep}{item}", self.pick(atoms)));
            } else {
                parts.push(item);
            }
        }
        let sep = if odd {
            self.pick(&[", ", ",", " , ", ",  "])
        } else {
            ", "
        };
        let mut body = parts.join(sep);
        if odd && self.chance(20) {
            body.push(',');
        }
        let pad = self.pick(&["", "", " "]);
        if map {
            format!("{{{pad}{body}{pad}}}")
        } else {
            format!("[{pad}{body}{pad}]")
        }
    }

    fn block_scalar(&mut self, indent: usize, out: &mut String) {
        let header = if !self.odd() {
            self.pick(&["|", ">", "|-", ">-", "|+", ">+", "| # c", ">  "])
        } else {
            self.pick(&["|2", "|#c", "|-1", "|+-"])
        };
        out.push_str(header);
        out.push('\n');
        let inner = indent + 1 + self.below(3);
        let lines = if self.odd() {
            self.below(5)
        } else {
            1 + self.below(5)
        };
        for _ in 0..lines {
            match self.below(7) {
                0 => out.push('\n'),
                1 => {
                    out.push_str(&" ".repeat(self.below(inner + 3)));
                    out.push('\n');
                }
                2 => {
                    out.push_str(&" ".repeat(inner + 1 + self.below(3)));
                    out.push_str("more indented\n");
                }
                3 => {
                    out.push_str(&" ".repeat(inner));
                    out.push_str("# not a comment\n");
                }
                _ => {
                    out.push_str(&" ".repeat(inner));
                    out.push_str(self.pick(&["text", "a: b", "- x", "x  ", "'q'"]));
                    out.push('\n');
                }
            }
        }
    }

    /// A node as the value of a key or entry at column `indent`, starting right after it.
    fn value(&mut self, indent: usize, depth: usize, out: &mut String, in_seq: bool) {
        let choice = if depth > 4 {
            self.below(4)
        } else {
            self.below(12)
        };
        match choice {
            11 => {
                // A quoted scalar over several lines.
                let q = if self.chance(50) { '\'' } else { '"' };
                out.push(' ');
                out.push(q);
                out.push_str(self.pick(&["x", "a  b ", " lead", "it''s", "e\\u00e9", "", "\\"]));
                self.continuation_lines(
                    out,
                    indent,
                    &["\n", "\n   \n", "  \n\n"],
                    &[
                        "more",
                        "more text  ",
                        "- x",
                        "# y",
                        "a: b",
                        "--- x",
                        "''",
                        "\\ ",
                        "\\t",
                        "y\\",
                        "",
                    ],
                );
                out.push(q);
                out.push_str(self.pick(&["", "", " # c", ": x", " x", "#c"]));
                out.push('\n');
            }
            10 => {
                // A plain scalar over several lines.
                out.push(' ');
                out.push_str(self.pick(&["x", "hello world", "1", "a b", "-x", "'q' x"]));
                self.continuation_lines(
                    out,
                    indent,
                    &["\n", "\n  \n", "  \n\n"],
                    &[
                        "more",
                        "more text",
                        "- x",
                        "[a]",
                        "x  ",
                        "'q",
                        "&a",
                        "*b",
                        "!t",
                        "%p",
                        "a,b",
                        "y",
                        "1",
                        "a: b",
                        "a:",
                        "x # c",
                        "#c",
                        "--- x",
                        "\"x",
                    ],
                );
                out.push_str(self.comment());
                out.push('\n');
            }
            0 | 1 => {
                out.push(' ');
                out.push_str(&self.scalar());
                if self.chance(10) {
                    out.push_str("  ");
                }
                out.push_str(self.comment());
                out.push('\n');
            }
            2 => {
                out.push(' ');
                let f = self.flow(0);
                out.push_str(&f);
                out.push_str(self.comment());
                out.push('\n');
            }
            3 => {
                out.push(' ');
                self.block_scalar(indent, out);
            }
            4 | 5 => {
                // A mapping below.
                out.push_str(self.comment());
                out.push('\n');
                self.blank_lines(out);
                let inner = indent + self.pick_indent();
                self.map(inner, depth + 1, out);
            }
            6 | 7 => {
                // A sequence below, possibly at the key's own column.
                out.push_str(self.comment());
                out.push('\n');
                self.blank_lines(out);
                let inner = if in_seq {
                    indent + self.pick_indent()
                } else {
                    indent + self.below(3)
                };
                self.seq(inner, depth + 1, out);
            }
            8 => {
                // Nothing: null.
                out.push_str(self.comment());
                out.push('\n');
            }
            _ => {
                // A scalar on the next line.
                out.push('\n');
                out.push_str(&" ".repeat(indent + self.pick_indent()));
                out.push_str(&self.scalar());
                out.push('\n');
            }
        }
    }

    fn pick_indent(&mut self) -> usize {
        [0, 1, 2, 2, 2, 3, 4][self.below(7)]
    }

    fn map(&mut self, indent: usize, depth: usize, out: &mut String) {
        let n = 1 + self.below(4);
        for i in 0..n {
            if i > 0 || !out.ends_with("- ") {
                let skew = if self.odd() { self.below(3) } else { 0 };
                out.push_str(&" ".repeat(indent + skew));
            }
            out.push_str(&self.key());
            out.push_str(self.pick(&[":", ":", ":", " :", ":  "]));
            self.value(indent, depth, out, false);
            self.blank_lines(out);
        }
    }

    fn seq(&mut self, indent: usize, depth: usize, out: &mut String) {
        let n = 1 + self.below(4);
        for i in 0..n {
            if i > 0 || !out.ends_with("- ") {
                out.push_str(&" ".repeat(indent));
            }
            out.push('-');
            match if depth > 4 { 0 } else { self.below(6) } {
                0 | 1 => self.value(indent, depth, out, true),
                2 | 3 => {
                    // A compact mapping: `- k: v` and its keys below.
                    out.push_str(&" ".repeat(1 + self.below(2)));
                    let col = out.len() - out.rfind('\n').map_or(0, |p| p + 1);
                    self.map_inline(col, depth + 1, out);
                }
                4 => {
                    out.push(' ');
                    self.seq(indent + 2, depth + 1, out);
                }
                _ => {
                    out.push_str(self.comment());
                    out.push('\n');
                }
            }
            self.blank_lines(out);
        }
    }

    /// A mapping whose first key continues the current line.
    fn map_inline(&mut self, col: usize, depth: usize, out: &mut String) {
        out.push_str(&self.key());
        out.push(':');
        self.value(col, depth, out, false);
        for _ in 0..self.below(3) {
            out.push_str(&" ".repeat(col));
            out.push_str(&self.key());
            out.push(':');
            self.value(col, depth, out, false);
        }
    }

    fn document(&mut self) -> String {
        self.1 = [0, 1, 3, 10][self.below(4)];
        let mut out = String::new();
        if self.chance(3) {
            out.push('\u{feff}');
        }
        if self.chance(20) {
            out.push_str(self.pick(&["---\n", "--- # c\n", "---  \n", "# c\n---\n"]));
        }
        if self.odd() {
            out.push_str(self.pick(&["--- x\n", "%YAML 1.1\n---\n", "--- |\n x\n"]));
        }
        self.blank_lines(&mut out);
        match self.below(10) {
            0..=5 => self.map(0, 0, &mut out),
            6 | 7 => self.seq(0, 0, &mut out),
            8 => {
                out.push_str(&self.scalar());
                out.push('\n');
            }
            _ => {
                out.push_str(&self.flow(0));
                out.push('\n');
            }
        }
        if self.chance(10) {
            out.push_str(self.pick(&["---\n", "---\nb: [\n", "...\n", "--- |\n x\n", "---\n\t"]));
            self.map(0, 0, &mut out);
        }
        if self.chance(5) {
            out = out.replace('\n', "\r\n");
        }
        if self.chance(5) {
            out.pop();
        }
        out
    }

    /// A few random edits of `text`.
    fn mutate(&mut self, text: &str) -> String {
        const BITS: &[&str] = &[
            " ", "  ", "\n", "-", "- ", ":", ": ", "#", " #", "'", "\"", "\t", "|", ">", "[", "]",
            "{", "}", ",", "&", "*", "!", "?", "\r", "\r\n", "x", "\\", "---\n", "\u{85}", "é",
            "\u{feff}", "%", "0",
        ];
        let mut chars: Vec<char> = text.chars().collect();
        for _ in 0..1 + self.below(3) {
            let at = self.below(chars.len() + 1);
            match self.below(4) {
                0 => {
                    let end = (at + 1 + self.below(4)).min(chars.len());
                    chars.drain(at..end);
                }
                _ => {
                    let bit = self.pick(BITS);
                    for (k, c) in bit.chars().enumerate() {
                        chars.insert(at + k, c);
                    }
                }
            }
        }
        chars.into_iter().collect()
    }
}

/// `split_documents` as it was written first, line by line: the one that finds separators
/// with `memmem` must split the same.
fn split_by_lines(text: &str) -> Option<Vec<&str>> {
    let mut docs = Vec::new();
    let (mut start, mut pos) = (0, 0);
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return None;
            }
            docs.push(&text[start..pos]);
            start = pos + line.len();
        }
        pos += line.len();
    }
    docs.push(&text[start..]);
    Some(docs)
}

fn check_split(text: &str) {
    assert_eq!(
        super::super::load::split_documents(text).ok(),
        split_by_lines(text),
        "{text:?}"
    );
}

#[test]
fn generated_documents_agree() {
    let mut g = Gen(Xorshift(0x9e37_79b9_7f4a_7c15), 0);
    let (mut total, mut taken, mut skimmed) = (0, 0, 0);
    for _ in 0..20000 {
        let doc = g.document();
        total += 1;
        taken += usize::from(check(&doc));
        skimmed += usize::from(check_head(&doc));
        check_split(&doc);
        for _ in 0..3 {
            let m = g.mutate(&doc);
            check_split(&m);
            total += 1;
            taken += usize::from(check(&m));
        }
    }
    // The generator aims at the edges; still, a good share must take the fast path, or the
    // comparison proves little.
    println!("{taken} of {total} inputs took the fast path; {skimmed} of 20000 documents skimmed");
    assert!(
        taken * 5 > total,
        "only {taken} of {total} inputs took the fast path"
    );
    assert!(
        skimmed * 5 > 20000,
        "only {skimmed} of 20000 documents skimmed"
    );
}

/// Every YAML file under the directories in `CHARTCTL_YAML_CORPUS` (separated by `:`), each
/// document as Helm 4 splits them. `cargo test --lib yaml::fast -- --ignored --nocapture`.
#[test]
#[ignore = "needs CHARTCTL_YAML_CORPUS"]
fn corpus_files_agree() {
    let dirs = std::env::var("CHARTCTL_YAML_CORPUS").expect("CHARTCTL_YAML_CORPUS is set");
    let mut files = Vec::new();
    for dir in dirs.split(':') {
        collect_yaml(std::path::Path::new(dir), &mut files);
    }
    files.sort();
    let mut counts = std::collections::BTreeMap::<&str, [usize; 4]>::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let kind = if name == "values.yaml" {
            "values.yaml"
        } else if name == "Chart.yaml" {
            "Chart.yaml"
        } else if path.components().any(|c| c.as_os_str() == "crds") {
            "crds/*.yaml"
        } else if path.components().any(|c| c.as_os_str() == "templates") {
            "templates/*.yaml"
        } else {
            "other *.yaml"
        };
        let entry = counts.entry(kind).or_default();
        entry[0] += 1;
        let whole = check(&text);
        entry[1] += usize::from(whole);
        let Ok(docs) = super::super::load::split_documents(&text) else {
            continue;
        };
        for doc in docs {
            entry[2] += 1;
            entry[3] += usize::from(check(doc));
        }
    }
    for (kind, [files, fast, docs, fast_docs]) in &counts {
        println!("{kind}: {fast}/{files} files, {fast_docs}/{docs} documents on the fast path");
    }
}

fn collect_yaml(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_yaml(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}
