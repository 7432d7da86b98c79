//! Properties of the YAML layer over generated inputs: loading never panics, and what
//! `toYaml` prints loads back to the same data (the round trip Helm charts rely on with
//! `toYaml .Values | fromYaml`).

use chartctl::gotemplate::value::{Map, Value};
use chartctl::yaml::{self, MultiDoc};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }
}

/// Pieces chosen to hit the emitter's decisions: YAML 1.1 look-alikes, indicators, spaces,
/// line breaks, tabs, quotes, non-ASCII, long words for folding.
const PIECES: &[&str] = &[
    "a",
    "yes",
    "No",
    "~",
    "null",
    "0777",
    "0x1F",
    "1e3",
    "1.5",
    "-",
    "- ",
    "#",
    " #",
    ": ",
    ":",
    "?",
    "&x",
    "*x",
    "!t",
    "%",
    "@",
    "`",
    "'",
    "\"",
    "\\",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    "\r",
    "é",
    "日本",
    "😀",
    "\u{a0}",
    "---",
    "...",
    "[",
    "]",
    "{",
    "}",
    ",",
    "|",
    ">",
    "2024-01-01",
    "12:30",
    "true",
    "wordwordwordwordwordwordword",
    "x\u{1}y",
];

fn gen_string(r: &mut Rng) -> String {
    let n = r.below(8);
    (0..n).map(|_| r.pick(PIECES)).collect()
}

fn gen_value(r: &mut Rng, depth: u32) -> Value {
    match r.below(if depth > 3 { 5 } else { 7 }) {
        0 => Value::Bool(r.below(2) == 0),
        1 => {
            #[allow(clippy::cast_precision_loss)]
            let f = (r.next() % 2_000_000) as f64 - 1_000_000.0;
            Value::Float(f / [1.0, 3.0, 1e-9, 1e9][usize::try_from(r.below(4)).unwrap_or(0)])
        }
        2 | 3 => Value::string(gen_string(r)),
        4 => Value::Nil,
        5 => Value::list((0..r.below(4)).map(|_| gen_value(r, depth + 1)).collect()),
        _ => gen_map(r, depth + 1),
    }
}

fn gen_map(r: &mut Rng, depth: u32) -> Value {
    let mut m = Map::new();
    for _ in 0..r.below(5) {
        m.insert(gen_string(r), gen_value(r, depth + 1));
    }
    Value::map(m)
}

#[test]
fn to_yaml_output_loads_back_to_the_same_data() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut checked = 0;
    for _ in 0..3000 {
        let v = gen_map(&mut r, 0);
        // `-0` prints as `0` after the JSON hop, as in Helm; compare through JSON, which
        // normalises nothing else.
        let Ok(printed) = yaml::to_yaml(&v) else {
            continue;
        };
        let again = yaml::load_values(&printed, MultiDoc::First)
            .unwrap_or_else(|e| panic!("toYaml output does not load: {e}\n{printed}"));
        let want = yaml::to_json(&v, false).expect("finite data encodes");
        let got = yaml::to_json(&again, false).expect("loaded data encodes");
        assert_eq!(
            want.replace("-0,", "0,")
                .replace("-0}", "0}")
                .replace("-0]", "0]"),
            got,
            "printed:\n{printed}"
        );
        checked += 1;
    }
    assert!(checked > 2000, "only {checked} inputs were printable");
}

#[test]
fn loading_arbitrary_text_never_panics() {
    let mut r = Rng(42);
    const BITS: &[&str] = &[
        "a",
        ":",
        " ",
        "\n",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a ",
        "*a",
        "<<: ",
        "!!str ",
        "? ",
        "|",
        ">",
        "\"",
        "'",
        "#",
        "\t",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "~",
        "0x",
        "1",
        ".inf",
        "\\",
        "é",
    ];
    for _ in 0..20_000 {
        let n = r.below(30);
        let text: String = (0..n).map(|_| r.pick(BITS)).collect();
        let _ = yaml::load_values(&text, MultiDoc::First);
        let _ = yaml::load_values(&text, MultiDoc::Merge);
        let _ = yaml::parse_head(&text);
        let _ = yaml::from_json(&text);
    }
}
