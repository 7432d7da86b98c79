//! Runs the engine's conformance cases (`tests/conformance/engine/**/*.txt`) through the
//! template engine alone, against the recordings of the reference Helm binaries.
//!
//! Until the whole `chartctl template` chain exists, this runner stands in for Helm's render
//! step for the cases it understands: a chart with `templates/t.yaml`, optional
//! `templates/_*.tpl` partials, and a `values.yaml` written as JSON. Other cases are left to the
//! end-to-end runner. Cases that use a function the library does not provide yet are counted
//! apart and not failed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chartctl::gotemplate::value::{Map, Value};
use chartctl::gotemplate::{ExecOptions, TemplateSet};
use chartctl::Compat;

fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            cases(&p, out);
        } else if p.extension().is_some_and(|e| e == "txt") {
            out.push(p);
        }
    }
}

fn parse_txtar(text: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut cur: Option<(String, String)> = None;
    for line in text.split_inclusive('\n') {
        let s = line.trim_end_matches('\n');
        if s.starts_with("-- ") && s.ends_with(" --") && s.len() > 6 {
            if let Some(f) = cur.take() {
                files.push(f);
            }
            cur = Some((s[3..s.len() - 3].trim().to_string(), String::new()));
        } else if let Some((_, buf)) = cur.as_mut() {
            buf.push_str(line);
        }
    }
    if let Some(f) = cur {
        files.push(f);
    }
    files
}

/// A JSON reader for test values: numbers are float64, as Helm loads YAML numbers.
struct Json<'a> {
    s: &'a [u8],
    i: usize,
}

impl Json<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] as char).is_whitespace() {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.ws();
        let c = *self.s.get(self.i)?;
        match c {
            b'{' => {
                self.i += 1;
                let mut m = Map::new();
                loop {
                    self.ws();
                    if self.s.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        break;
                    }
                    let Value::String(k) = self.value()? else {
                        return None;
                    };
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return None;
                    }
                    self.i += 1;
                    let v = self.value()?;
                    m.insert(k.to_string(), v);
                    self.ws();
                    if self.s.get(self.i) == Some(&b',') {
                        self.i += 1;
                    }
                }
                Some(Value::map(m))
            }
            b'[' => {
                self.i += 1;
                let mut l = Vec::new();
                loop {
                    self.ws();
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        break;
                    }
                    l.push(self.value()?);
                    self.ws();
                    if self.s.get(self.i) == Some(&b',') {
                        self.i += 1;
                    }
                }
                Some(Value::list(l))
            }
            b'"' => {
                self.i += 1;
                let mut out = String::new();
                loop {
                    let c = *self.s.get(self.i)?;
                    self.i += 1;
                    match c {
                        b'"' => break,
                        b'\\' => {
                            let e = *self.s.get(self.i)?;
                            self.i += 1;
                            out.push(match e {
                                b'n' => '\n',
                                b't' => '\t',
                                b'u' => {
                                    let h =
                                        std::str::from_utf8(&self.s[self.i..self.i + 4]).ok()?;
                                    self.i += 4;
                                    char::from_u32(u32::from_str_radix(h, 16).ok()?)?
                                }
                                other => other as char,
                            });
                        }
                        _ => {
                            let start = self.i - 1;
                            let mut end = self.i;
                            while end < self.s.len() && (self.s[end] & 0xC0) == 0x80 {
                                end += 1;
                            }
                            out.push_str(std::str::from_utf8(&self.s[start..end]).ok()?);
                            self.i = end;
                        }
                    }
                }
                Some(Value::string(out))
            }
            b't' if self.s[self.i..].starts_with(b"true") => {
                self.i += 4;
                Some(Value::Bool(true))
            }
            b'f' if self.s[self.i..].starts_with(b"false") => {
                self.i += 5;
                Some(Value::Bool(false))
            }
            b'n' if self.s[self.i..].starts_with(b"null") => {
                self.i += 4;
                Some(Value::Nil)
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
                    )
                {
                    self.i += 1;
                }
                std::str::from_utf8(&self.s[start..self.i])
                    .ok()?
                    .parse::<f64>()
                    .ok()
                    .map(Value::Float)
            }
        }
    }
}

struct Recording {
    exit: i32,
    stderr: Vec<String>,
    stdout: String,
}

fn read_recording(p: &Path) -> Option<Recording> {
    let text = std::fs::read_to_string(p).ok()?;
    let mut exit = 0;
    let mut stderr = Vec::new();
    let mut rest = text.as_str();
    loop {
        let (line, tail) = rest.split_once('\n')?;
        rest = tail;
        if let Some(e) = line.strip_prefix("exit: ") {
            exit = e.parse().ok()?;
        } else if let Some(e) = line.strip_prefix("stderr: ") {
            stderr.push(e.to_string());
        } else if line == "stderr:" {
            stderr.push(String::new());
        } else if line == "stdout:" {
            break;
        }
    }
    Some(Recording {
        exit,
        stderr,
        stdout: rest.to_string(),
    })
}

/// Helm's coalescing drops null map entries of a chart's own values.
fn drop_nulls(v: &Value) -> Value {
    match v {
        Value::Map(m) => Value::map(
            m.borrow()
                .iter()
                .filter(|(_, x)| !x.is_nil())
                .map(|(k, x)| (k.clone(), drop_nulls(x)))
                .collect(),
        ),
        Value::List(l) => Value::list(l.iter().map(drop_nulls).collect()),
        other => other.clone(),
    }
}

/// Cases known to differ, with the reason; reported, not failed.
const KNOWN: &[(&str, &str)] = &[
    (
        "exec/args/dot_for_string",
        "Helm's root data is the named map type common.Values (chartutil.Values in Helm 3)",
    ),
    (
        "fmt/quote/unicode_versions",
        "Go 1.23's Unicode tables for Helm 3 belong to the fmt module",
    ),
    (
        "lexer/crlf_text",
        "Helm drops carriage returns when it loads chart files, before the engine",
    ),
];

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

enum Outcome {
    Pass,
    Skip(String),
    Fail(String),
}

fn run_case(path: &Path, compat: Compat) -> Outcome {
    let ext = match compat {
        Compat::Helm4 => "helm4",
        Compat::Helm3 => "helm3",
    };
    let Some(rec) = read_recording(&path.with_extension(ext)) else {
        return Outcome::Skip("no recording".into());
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let files = parse_txtar(&text);
    let mut values = Value::empty_map();
    let mut templates = BTreeMap::new();
    for (name, content) in &files {
        match name.as_str() {
            "values.yaml" => {
                let mut j = Json {
                    s: content.as_bytes(),
                    i: 0,
                };
                match j.value() {
                    Some(v @ Value::Map(_)) => {
                        // Helm 4 drops null entries at every level, Helm 3 keeps nested ones.
                        values = match compat {
                            Compat::Helm4 => drop_nulls(&v),
                            Compat::Helm3 => v,
                        }
                    }
                    None if content.trim().is_empty() => {}
                    _ => return Outcome::Skip("values.yaml is not JSON".into()),
                }
            }
            n if n.starts_with("templates/") && !n[10..].contains('/') => {
                // Built-in objects other than Values, Release and Template come with rendering.
                if [".Chart", ".Capabilities", ".Files", ".Subcharts"]
                    .iter()
                    .any(|o| content.contains(o))
                {
                    return Outcome::Skip("uses a built-in object of the renderer".into());
                }
                templates.insert(format!("snip/{n}"), content.clone());
            }
            "cmd" if content.trim() == "template chart" => {}
            other => return Outcome::Skip(format!("unsupported file {other}")),
        }
    }
    let funcs = Rc::new(chartctl::funcs::function_map(compat));
    let mut set = TemplateSet::new(funcs.clone(), compat);
    // Helm parses in reverse lexical order for files at the same depth.
    let mut got_err: Option<String> = None;
    for (name, body) in templates.iter().rev() {
        if let Err(e) = set.parse(name, body) {
            let msg = e.to_string();
            if msg.contains(" not defined") && msg.contains("function ") {
                let f = msg.split('"').nth(1).unwrap_or("");
                if !funcs.contains(f) && rec.exit == 0 {
                    return Outcome::Skip(format!("function {f} not available"));
                }
            }
            got_err = Some(e.helm_message(name, compat));
            break;
        }
    }
    let mut output = String::new();
    if got_err.is_none() {
        for name in templates.keys().rev() {
            if name.rsplit('/').next().is_some_and(|b| b.starts_with('_')) {
                continue;
            }
            let data = obj(&[
                ("Values", values.clone()),
                (
                    "Release",
                    obj(&[
                        ("Name", Value::str("release-name")),
                        ("Namespace", Value::str("default")),
                        ("Service", Value::str("Helm")),
                        ("IsInstall", Value::Bool(true)),
                        ("IsUpgrade", Value::Bool(false)),
                        ("Revision", Value::Int(1)),
                    ]),
                ),
                (
                    "Template",
                    obj(&[
                        ("Name", Value::str(name)),
                        ("BasePath", Value::str("snip/templates")),
                    ]),
                ),
            ]);
            let mut out = String::new();
            match set.execute(name, &data, &ExecOptions::default(), &mut out) {
                Ok(()) => {
                    let out = out.replace("<no value>", "");
                    let doc = out.trim();
                    if !doc.is_empty() {
                        let _ = write!(output, "---\n# Source: {name}\n{doc}\n");
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    if msg.contains("not defined") && rec.exit == 0 {
                        return Outcome::Skip("template missing".into());
                    }
                    got_err = Some(e.helm_message(name, compat));
                    break;
                }
            }
        }
    }
    match got_err {
        Some(err) => {
            if rec.exit == 0 {
                return Outcome::Fail(format!("expected success, got error: {err}"));
            }
            let want: Vec<&str> = rec
                .stderr
                .iter()
                .map(String::as_str)
                .filter(|l| !l.is_empty() && !l.starts_with("Use --debug"))
                .collect();
            let want = want.join("\n");
            let got = format!("Error: {err}");
            if want != got {
                return Outcome::Fail(format!("error differs\n  want: {want}\n  got:  {got}"));
            }
            Outcome::Pass
        }
        None => {
            if rec.exit != 0 {
                return Outcome::Fail(format!(
                    "expected error {:?}, got output {output:?}",
                    rec.stderr
                ));
            }
            let want = if output.is_empty() {
                "\n".to_string()
            } else {
                output.clone()
            };
            if rec.stdout != want && rec.stdout != output {
                return Outcome::Fail(format!(
                    "output differs\n  want: {:?}\n  got:  {:?}",
                    rec.stdout, output
                ));
            }
            Outcome::Pass
        }
    }
}

#[test]
fn engine_conformance_cases() {
    // The engine's own suite, and the fmt suite, whose cases print through the engine.
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut all = Vec::new();
    cases(&base.join("engine"), &mut all);
    cases(&base.join("fmt"), &mut all);
    let filter = std::env::var("CASE").unwrap_or_default();
    let (mut pass, mut skip, mut fail) = (0, 0, Vec::new());
    for p in &all {
        if !p.to_string_lossy().contains(&filter) {
            continue;
        }
        for compat in [Compat::Helm4, Compat::Helm3] {
            match run_case(p, compat) {
                Outcome::Pass => pass += 1,
                Outcome::Skip(why) => {
                    skip += 1;
                    if std::env::var("VERBOSE").is_ok() {
                        eprintln!("skip {} ({compat}): {why}", p.display());
                    }
                }
                Outcome::Fail(why) => {
                    let name = p.to_string_lossy();
                    if let Some((_, reason)) = KNOWN.iter().find(|(k, _)| name.contains(k)) {
                        eprintln!("known divergence {} ({compat}): {reason}", p.display());
                        skip += 1;
                    } else {
                        fail.push(format!("{} ({compat}): {why}", p.display()));
                    }
                }
            }
        }
    }
    eprintln!(
        "engine cases: {pass} pass, {skip} skipped, {} fail",
        fail.len()
    );
    assert!(fail.is_empty(), "failing cases:\n{}", fail.join("\n"));
}
