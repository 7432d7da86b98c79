//! The two glob dialects Helm uses: Go's `path/filepath.Match` for `--show-only`, and
//! gobwas/glob (with `/` as separator) for `.Files.Glob`.

use regex::Regex;

/// Go's `filepath.Match` with `/` as separator, on Unix. A malformed pattern does not match
/// (Helm ignores the `ErrBadPattern` it gets).
pub fn filepath_match(pattern: &str, name: &str) -> bool {
    match_pattern(pattern.as_bytes(), name.as_bytes()).unwrap_or(false)
}

/// `Err(())` stands for Go's `ErrBadPattern`.
type Bad = ();

fn match_pattern(mut pattern: &[u8], mut name: &[u8]) -> Result<bool, Bad> {
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing star matches the rest of the name unless it crosses a `/`.
            return Ok(!name.contains(&b'/'));
        }
        let (t, ok, bad) = match_chunk(chunk, name);
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if bad {
            return Err(());
        }
        if star {
            // The star may swallow bytes up to the next `/`.
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                let (t, ok, bad) = match_chunk(chunk, &name[i + 1..]);
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'pattern;
                }
                if bad {
                    return Err(());
                }
                i += 1;
            }
        }
        // Go still reports a malformed rest of the pattern.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            if match_chunk(chunk, b"").2 {
                return Err(());
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off leading stars and the chunk up to the next star outside a class.
fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while pattern.first() == Some(&b'*') {
        pattern = &pattern[1..];
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Decodes one UTF-8 character at the start of `s`: (char, length); an invalid byte is
/// U+FFFD of length 1, as Go decodes it.
fn decode(s: &[u8]) -> (char, usize) {
    let len = match s.first() {
        None => return ('\u{FFFD}', 0),
        Some(b) if *b < 0x80 => 1,
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(_) => 2,
    };
    match s.get(..len).and_then(|b| std::str::from_utf8(b).ok()) {
        Some(text) => (text.chars().next().unwrap_or('\u{FFFD}'), len),
        None => ('\u{FFFD}', 1),
    }
}

/// Matches one chunk at the start of `s`: (rest of `s`, matched, pattern malformed).
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> (&'a [u8], bool, bool) {
    // After a failure Go keeps scanning the chunk only to check it is well-formed.
    let mut failed = false;
    while let Some(&c) = chunk.first() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match c {
            b'[' => {
                let mut r = '\0';
                if !failed {
                    let (ch, n) = decode(s);
                    r = ch;
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.first() == Some(&b']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let Some((lo, rest)) = get_esc(chunk) else {
                        return (b"", false, true);
                    };
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        let Some((h, rest)) = get_esc(&chunk[1..]) else {
                            return (b"", false, true);
                        };
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s[0] == b'/' {
                        failed = true;
                    }
                    let (_, n) = decode(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                if c == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return (b"", false, true);
                    }
                }
                if !failed {
                    if chunk[0] != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        (b"", false, false)
    } else {
        (s, true, false)
    }
}

/// One possibly escaped character of a class; `None` for a malformed class.
fn get_esc(mut chunk: &[u8]) -> Option<(char, &[u8])> {
    match chunk.first() {
        None | Some(b'-') | Some(b']') => return None,
        Some(b'\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return None;
            }
        }
        _ => {}
    }
    let (r, n) = decode(chunk);
    if r == '\u{FFFD}' && n == 1 {
        return None;
    }
    let rest = &chunk[n..];
    if rest.is_empty() {
        return None;
    }
    Some((r, rest))
}

/// A compiled gobwas/glob pattern with `/` as separator: `*` stays within a path segment,
/// `**` crosses segments, `?` is one character other than `/`, `[abc]`, `[!a-z]` are classes,
/// `{a,b}` are alternatives, `\` escapes. A pattern gobwas cannot compile matches everything,
/// as Helm falls back to `**`.
///
/// The pattern runs as a small automaton over the name's characters (every live state at
/// once, so no pattern backtracks); only a bracket class is a regex, one character long.
#[derive(Debug)]
pub struct FilesGlob {
    /// `None` for a malformed pattern.
    program: Option<Vec<Step>>,
}

/// One instruction of a compiled glob.
#[derive(Debug)]
enum Step {
    /// Takes this character.
    Char(char),
    /// Takes one character other than `/` (`?`, and each character of `*`).
    NotSlash,
    /// Takes any one character (each character of `**`).
    Any,
    /// Takes one character of a bracket class.
    Class(Regex),
    /// Goes on at every one of these instructions without taking a character.
    Fork(Vec<usize>),
    /// Goes on at this instruction without taking a character.
    Jump(usize),
    /// The whole name matched (when no character is left).
    Match,
}

impl FilesGlob {
    pub fn new(pattern: &str) -> FilesGlob {
        let mut program = Vec::new();
        let mut chars = pattern.chars().peekable();
        let ok = compile_seq(&mut chars, &mut program, false) == Some(End::Pattern);
        program.push(Step::Match);
        FilesGlob {
            program: ok.then_some(program),
        }
    }

    pub fn is_match(&self, name: &str) -> bool {
        let Some(program) = &self.program else {
            return true;
        };
        let mut live = States::new(program.len());
        let mut next = States::new(program.len());
        live.add(program, 0);
        for c in name.chars() {
            next.clear();
            for &pc in &live.list {
                let takes = match &program[pc] {
                    Step::Char(want) => *want == c,
                    Step::NotSlash => c != '/',
                    Step::Any => true,
                    Step::Class(re) => re.is_match(c.encode_utf8(&mut [0; 4])),
                    Step::Fork(_) | Step::Jump(_) | Step::Match => false,
                };
                if takes {
                    next.add(program, pc + 1);
                }
            }
            if next.list.is_empty() {
                return false;
            }
            std::mem::swap(&mut live, &mut next);
        }
        live.list
            .iter()
            .any(|&pc| matches!(program[pc], Step::Match))
    }
}

/// Where a sequence of a glob ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    Pattern,
    /// A `,` inside braces: another alternative follows.
    Comma,
    /// The `}` closing the braces.
    Brace,
}

/// Compiles steps until the pattern, or (inside braces) the alternative, ends; `None` when the
/// pattern is malformed (a trailing `\`, an unclosed `[` or `{`, an empty or bad class).
fn compile_seq(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    program: &mut Vec<Step>,
    in_braces: bool,
) -> Option<End> {
    while let Some(c) = chars.next() {
        match c {
            '*' => {
                let body = if chars.peek() == Some(&'*') {
                    chars.next();
                    Step::Any
                } else {
                    Step::NotSlash
                };
                // loop: fork to the body or past the loop; body; back to the fork.
                let fork = program.len();
                program.push(Step::Fork(vec![fork + 1, fork + 3]));
                program.push(body);
                program.push(Step::Jump(fork));
            }
            '?' => program.push(Step::NotSlash),
            '\\' => program.push(Step::Char(chars.next()?)),
            '{' => compile_alternatives(chars, program)?,
            '}' if in_braces => return Some(End::Brace),
            ',' if in_braces => return Some(End::Comma),
            '[' => program.push(Step::Class(compile_class(chars)?)),
            c => program.push(Step::Char(c)),
        }
    }
    (!in_braces).then_some(End::Pattern)
}

/// Compiles `{a,b,...}` after its `{`: a fork to each alternative, each jumping past the last.
fn compile_alternatives(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    program: &mut Vec<Step>,
) -> Option<()> {
    let fork = program.len();
    program.push(Step::Fork(Vec::new()));
    let mut starts = Vec::new();
    let mut jumps = Vec::new();
    loop {
        starts.push(program.len());
        let end = compile_seq(chars, program, true)?;
        jumps.push(program.len());
        program.push(Step::Jump(0));
        if end == End::Brace {
            break;
        }
    }
    let after = program.len();
    for j in jumps {
        program[j] = Step::Jump(after);
    }
    program[fork] = Step::Fork(starts);
    Some(())
}

/// Compiles a bracket class after its `[` into a one-character regex class: `!` negates, `-`
/// after an item makes a range, `\` escapes; an empty class is malformed.
fn compile_class(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<Regex> {
    let mut class = String::from("^[");
    if chars.peek() == Some(&'!') {
        chars.next();
        class.push('^');
    }
    let mut items = 0;
    loop {
        match chars.next()? {
            ']' if items > 0 => break,
            ']' => return None,
            '\\' => class.push_str(&regex::escape(&chars.next()?.to_string())),
            '-' if items > 0 => class.push('-'),
            c => class.push_str(&regex::escape(&c.to_string())),
        }
        items += 1;
    }
    class.push_str("]$");
    Regex::new(&class).ok()
}

/// The live instructions of a glob run, each once, in the order reached.
struct States {
    list: Vec<usize>,
    /// Every instruction reached since the last `clear`, those that take no character too.
    reached: Vec<usize>,
    seen: Vec<bool>,
    /// The instructions `add` has still to follow (kept to reuse its allocation).
    stack: Vec<usize>,
}

impl States {
    fn new(len: usize) -> States {
        States {
            list: Vec::with_capacity(len),
            reached: Vec::with_capacity(len),
            seen: vec![false; len],
            stack: Vec::new(),
        }
    }

    fn clear(&mut self) {
        for &pc in &self.reached {
            self.seen[pc] = false;
        }
        self.reached.clear();
        self.list.clear();
    }

    /// Adds `pc` and every instruction it reaches without taking a character.
    fn add(&mut self, program: &[Step], pc: usize) {
        self.stack.push(pc);
        while let Some(pc) = self.stack.pop() {
            if std::mem::replace(&mut self.seen[pc], true) {
                continue;
            }
            self.reached.push(pc);
            match &program[pc] {
                Step::Jump(to) => self.stack.push(*to),
                // Pushed in reverse so the first alternative is reached first.
                Step::Fork(to) => self.stack.extend(to.iter().rev()),
                _ => self.list.push(pc),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filepath_match_follows_go() {
        assert!(filepath_match("templates/*.yaml", "templates/a.yaml"));
        assert!(!filepath_match("templates/*", "templates/sub/a.yaml"));
        assert!(filepath_match("templates/*/a.yaml", "templates/sub/a.yaml"));
        assert!(filepath_match("t?mplates/a.yaml", "templates/a.yaml"));
        assert!(!filepath_match("templates?a.yaml", "templates/a.yaml"));
        assert!(filepath_match("templates/[a-c].yaml", "templates/b.yaml"));
        assert!(!filepath_match("templates/[^a-c].yaml", "templates/b.yaml"));
        assert!(filepath_match("templates/\\*.yaml", "templates/*.yaml"));
        assert!(!filepath_match("templates/[", "templates/["));
        assert!(!filepath_match("*x", "ax/b"));
        assert!(filepath_match("*", "abc"));
        assert!(!filepath_match("templates", "templates/a.yaml"));
    }

    #[test]
    fn files_glob_follows_gobwas() {
        let g = FilesGlob::new("*.txt");
        assert!(g.is_match("a.txt"));
        assert!(!g.is_match("conf/a.txt"));
        assert!(FilesGlob::new("**.txt").is_match("conf/a.txt"));
        assert!(FilesGlob::new("conf/{a,b}.txt").is_match("conf/b.txt"));
        assert!(!FilesGlob::new("conf/{a,b}.txt").is_match("conf/c.txt"));
        assert!(FilesGlob::new("conf/[!a].txt").is_match("conf/c.txt"));
        assert!(!FilesGlob::new("conf/[!a].txt").is_match("conf/a.txt"));
        assert!(FilesGlob::new("?.txt").is_match("a.txt"));
        // A malformed pattern matches everything.
        assert!(FilesGlob::new("[").is_match("anything/at/all"));
    }

    /// The translation of a gobwas pattern into one anchored regex that `FilesGlob` used
    /// before it ran patterns itself: the oracle of the generated test below.
    fn glob_to_regex(pattern: &str) -> Option<Regex> {
        let mut out = String::from("(?s)^");
        let mut chars = pattern.chars().peekable();
        let mut depth = 0usize;
        while let Some(c) = chars.next() {
            match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    out.push_str(".*");
                }
                '*' => out.push_str("[^/]*"),
                '?' => out.push_str("[^/]"),
                '\\' => out.push_str(&regex::escape(&chars.next()?.to_string())),
                '{' => {
                    depth += 1;
                    out.push_str("(?:");
                }
                '}' if depth > 0 => {
                    depth -= 1;
                    out.push(')');
                }
                ',' if depth > 0 => out.push('|'),
                '[' => {
                    out.push('[');
                    if chars.peek() == Some(&'!') {
                        chars.next();
                        out.push('^');
                    }
                    let mut items = 0;
                    loop {
                        match chars.next()? {
                            ']' if items > 0 => break,
                            ']' => return None,
                            '\\' => out.push_str(&regex::escape(&chars.next()?.to_string())),
                            '-' if items > 0 => out.push('-'),
                            c => out.push_str(&regex::escape(&c.to_string())),
                        }
                        items += 1;
                    }
                    out.push(']');
                }
                c => out.push_str(&regex::escape(&c.to_string())),
            }
        }
        if depth > 0 {
            return None;
        }
        out.push('$');
        Regex::new(&out).ok()
    }

    #[test]
    fn files_glob_agrees_with_its_regex_translation_on_generated_patterns() {
        let mut rng = crate::test_rng::Xorshift(0x2545_f491_4f6c_dd1d);
        const PATTERN: &[&str] = &[
            "a", "b", "/", ".", "*", "**", "?", "{", "}", ",", "[", "]", "!", "-", "\\", "é", "\n",
        ];
        const NAME: &[&str] = &["a", "b", "/", ".", "-", "é", "*", "{", ",", "]", "\n"];
        let mut compared = 0;
        for _ in 0..5_000 {
            let pattern: String = (0..rng.below(9))
                .map(|_| PATTERN[rng.below(PATTERN.len())])
                .collect();
            let oracle = glob_to_regex(&pattern);
            let glob = FilesGlob::new(&pattern);
            for _ in 0..8 {
                let name: String = (0..rng.below(7))
                    .map(|_| NAME[rng.below(NAME.len())])
                    .collect();
                let want = oracle.as_ref().is_none_or(|re| re.is_match(&name));
                assert_eq!(glob.is_match(&name), want, "{pattern:?} on {name:?}");
                compared += 1;
            }
        }
        assert_eq!(compared, 40_000);
    }
}
