//! Checks this module against the recorded conformance cases of `tests/conformance/chart`
//! without the renderer: for each case it loads the chart, builds the user values, processes
//! dependencies, coalesces and validates the schema, then compares
//!
//! * the `Error: ` line when Helm failed,
//! * the warnings Helm printed on stderr,
//! * for every chart whose `templates/t.yaml` is `# {{ toJson .Values }}`, the JSON of that
//!   chart's `.Values` with the line Helm rendered.
//!
//! Cases whose output needs the renderer (other templates) are checked for errors and
//! warnings only. Known divergences are listed in [`KNOWN`] with the reason.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::gotemplate::value::Value;
use crate::Compat;

use super::values::{merge_user_values, ValuesOptions};
use super::{dependencies, load, schema, Chart, Warning};

/// Cases (path below `tests/conformance/chart`, without `.txt`) and versions this module does
/// not match yet, with the reason.
const KNOWN: &[(&str, &str, &str)] = &[];

const TOJSON_TEMPLATE: &[u8] = b"# {{ toJson .Values }}\n";

fn parse_txtar(text: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut name: Option<String> = None;
    let mut buf = String::new();
    for line in text.split_inclusive('\n') {
        let stripped = line.strip_suffix('\n').unwrap_or(line);
        if stripped.starts_with("-- ") && stripped.ends_with(" --") && stripped.len() > 6 {
            if let Some(n) = name.take() {
                files.push((n, std::mem::take(&mut buf)));
            }
            buf.clear();
            name = Some(stripped[3..stripped.len() - 3].trim().to_string());
        } else {
            buf.push_str(line);
        }
    }
    if let Some(n) = name {
        files.push((n, buf));
    }
    files
}

/// Shell-splits a command line (single and double quotes, backslashes).
fn shell_split(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                has = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    cur.push(c);
                }
            }
            '"' => {
                has = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(&n) = chars.peek() {
                                if matches!(n, '"' | '\\' | '$' | '`') {
                                    cur.push(n);
                                    chars.next();
                                    continue;
                                }
                            }
                            cur.push('\\');
                        }
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                has = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            c => {
                has = true;
                cur.push(c);
            }
        }
    }
    if has {
        out.push(cur);
    }
    out
}

struct Recording {
    exit: i32,
    stderr: Vec<String>,
    stdout: String,
}

fn parse_recording(text: &str) -> Recording {
    let mut exit = 0;
    let mut stderr = Vec::new();
    let mut rest = text;
    while let Some((line, after)) = rest.split_once('\n') {
        if let Some(e) = line.strip_prefix("exit: ") {
            exit = e.trim().parse().unwrap_or(1);
        } else if let Some(e) = line.strip_prefix("stderr: ") {
            stderr.push(e.to_string());
        } else if line == "stderr:" {
            stderr.push(String::new());
        } else if line == "stdout:" {
            rest = after;
            break;
        }
        rest = after;
    }
    Recording {
        exit,
        stderr,
        stdout: rest.to_string(),
    }
}

/// Go's `encoding/json` output of a value (sorted keys, HTML-safe escapes, Go floats).
fn go_json(v: &Value, out: &mut String) {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Uint(u) => out.push_str(&u.to_string()),
        Value::Float(f) => out.push_str(&go_json_float(*f)),
        Value::String(s) => go_json_str(s, out),
        Value::Bytes(b) => go_json_str(&String::from_utf8_lossy(b), out),
        Value::List(l) => {
            out.push('[');
            for (i, item) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(item, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, item)) in m.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json_str(k, out);
                out.push(':');
                go_json(item, out);
            }
            out.push('}');
        }
        Value::Object(o) => go_json(&o.to_data(), out),
    }
}

fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", e.abs())
            .replace("e-0", "e-")
            .replace("e+0", "e+");
    }
    if f == f.trunc() && abs < 1e21 {
        return format!("{}", f as i128);
    }
    format!("{f}")
}

fn go_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The `# <json>` line Helm rendered for each `# Source:` path.
fn rendered_lines(stdout: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut source: Option<String> = None;
    for line in stdout.lines() {
        if let Some(s) = line.strip_prefix("# Source: ") {
            source = Some(s.to_string());
        } else if let Some(src) = source.take() {
            if let Some(json) = line.strip_prefix("# ") {
                out.insert(src, json.to_string());
            }
        }
    }
    out
}

fn walk_charts<'c>(chart: &'c Chart, values: &Value, out: &mut Vec<(&'c Chart, Value)>) {
    out.push((chart, values.clone()));
    for d in &chart.dependencies {
        let v = d.scope_values(values);
        walk_charts(d, &v, out);
    }
}

struct Outcome {
    error: Option<String>,
    warnings: Vec<Warning>,
    /// Template full name → JSON of `.Values`.
    json: BTreeMap<String, String>,
}

fn run(work: &Path, args: &[String], stdin: &[u8], compat: Compat) -> Outcome {
    let mut warnings = Vec::new();
    let mut opts = ValuesOptions::default();
    let mut skip_schema = false;
    let mut positional = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let a = &args[i];
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let takes = |f: &str| {
            matches!(
                f,
                "-f" | "--values"
                    | "--set"
                    | "--set-string"
                    | "--set-file"
                    | "--set-json"
                    | "--set-literal"
            )
        };
        if takes(&flag) {
            let v = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    args.get(i).cloned().unwrap_or_default()
                }
            };
            match flag.as_str() {
                "-f" | "--values" => opts.files.extend(v.split(',').map(String::from)),
                "--set" => opts.set.push(v),
                "--set-string" => opts.set_string.push(v),
                "--set-file" => opts.set_file.push(v),
                "--set-json" => opts.set_json.push(v),
                _ => opts.set_literal.push(v),
            }
        } else if flag == "--skip-schema-validation" {
            skip_schema = true;
        } else {
            positional.push(a.clone());
        }
        i += 1;
    }
    let mut outcome = Outcome {
        error: None,
        warnings: Vec::new(),
        json: BTreeMap::new(),
    };
    let chart_arg = positional.last().cloned().unwrap_or_else(|| ".".into());
    let result = (|| {
        let mut read = |p: &str| -> Result<Vec<u8>, String> {
            if p.trim() == "-" {
                return Ok(stdin.to_vec());
            }
            fs::read(work.join(p)).map_err(|_| format!("open {p}: no such file or directory"))
        };
        let user = merge_user_values(&opts, &mut read, compat)?;
        let path = work.join(&chart_arg);
        let chart = if path.exists() {
            load::load(&path, compat, &mut warnings)?
        } else {
            return Err(super::Error::new(format!(
                "path {} not found",
                super::metadata::go_quote(&chart_arg)
            )));
        };
        if chart.is_library() {
            return Err(super::Error::new("library charts are not installable"));
        }
        // The renderer prints this one; mirror it so the warnings compare.
        if chart.metadata.deprecated {
            // Helm 3 prints it with fmt, without a `file.go:line` prefix.
            warnings.push(Warning {
                helm3: "WARNING: This chart is deprecated".into(),
                helm4: "level=WARN msg=\"this chart is deprecated\"".into(),
            });
        }
        let prepared = dependencies::prepare(chart, &user, compat, &mut warnings)?;
        if !skip_schema {
            schema::validate(&prepared.chart, &prepared.values, compat)?;
        }
        Ok(prepared)
    })();
    match result {
        Err(e) => outcome.error = Some(e.message),
        Ok(prepared) => {
            let mut charts = Vec::new();
            walk_charts(&prepared.chart, &prepared.values, &mut charts);
            for (c, v) in charts {
                if c.templates
                    .iter()
                    .any(|t| t.name == "templates/t.yaml" && &*t.data == TOJSON_TEMPLATE)
                {
                    let mut s = String::new();
                    go_json(&v, &mut s);
                    outcome
                        .json
                        .insert(format!("{}/templates/t.yaml", c.full_path()), s);
                }
            }
        }
    }
    outcome.warnings = warnings;
    outcome
}

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            case_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "txt") {
            out.push(p);
        }
    }
}

fn check_case(case: &Path, root: &Path, scratch: &Path, compat: Compat) -> Result<(), String> {
    let text = fs::read_to_string(case).map_err(|e| e.to_string())?;
    let suffix = match compat {
        Compat::Helm4 => "helm4",
        Compat::Helm3 => "helm3",
    };
    let rec_text = fs::read_to_string(case.with_extension(suffix)).map_err(|e| e.to_string())?;
    let rec = parse_recording(&rec_text);
    let rel = case
        .strip_prefix(root)
        .unwrap_or(case)
        .display()
        .to_string();
    let work = scratch.join(rel.replace('/', "_")).join(suffix);
    let _ = fs::remove_dir_all(&work);
    let chart_dir = work.join("chart");
    fs::create_dir_all(&chart_dir).map_err(|e| e.to_string())?;
    let mut cmd = "template chart".to_string();
    let mut stdin = Vec::new();
    let mut has_chart_yaml = false;
    for (name, content) in parse_txtar(&text) {
        match name.as_str() {
            "cmd" => cmd = content.trim().to_string(),
            "stdin" => stdin = content.into_bytes(),
            _ => {
                if name == "Chart.yaml" {
                    has_chart_yaml = true;
                }
                let target = chart_dir.join(&name);
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                fs::write(&target, content).map_err(|e| e.to_string())?;
            }
        }
    }
    if !has_chart_yaml {
        fs::write(
            chart_dir.join("Chart.yaml"),
            "apiVersion: v2\nname: snip\nversion: 0.1.0\n",
        )
        .map_err(|e| e.to_string())?;
    }
    let args = shell_split(&cmd);
    let got = run(&work, &args, &stdin, compat);
    let mut problems = Vec::new();
    // Helm names the case's temporary folder; compare without it.
    let helm_tmp = |s: &str| match (s.find("/tmp/chartctl-case-"), s.find("/w/")) {
        (Some(a), Some(b)) if b > a => format!("{}<work>/{}", &s[..a], &s[b + 3..]),
        _ => s.to_string(),
    };
    let ours = format!("{}/", work.display());
    let got_error = got.error.as_ref().map(|e| e.replace(&ours, "<work>/"));
    // The error is printed last: its text runs from the `Error: ` line to the end.
    let error_at = rec.stderr.iter().position(|l| l.starts_with("Error: "));
    let panic_at = rec.stderr.iter().position(|l| l.starts_with("panic: "));
    let want_error = match (error_at, panic_at) {
        (Some(i), _) => {
            let text = rec.stderr[i..].join("\n");
            Some(helm_tmp(&text["Error: ".len()..]))
        }
        // A Go panic: compare its first line; the stack trace is Go's.
        (None, Some(i)) => Some(rec.stderr[i].clone()),
        (None, None) => None,
    };
    let error_at = error_at.or(panic_at);
    match (&want_error, &got_error) {
        (Some(w), Some(g)) if w != g => problems.push(format!("error\n  want: {w}\n  got:  {g}")),
        // Errors from rendering are not this module's; only flag errors it should raise.
        (Some(w), None)
            if rec.exit != 0 && (!got.json.is_empty() || !rec.stdout.contains("# Source")) =>
        {
            problems.push(format!("error\n  want: {w}\n  got:  success"))
        }
        (None, Some(g)) => problems.push(format!("error\n  want: success\n  got:  {g}")),
        _ => {}
    }
    let want_warn: Vec<&str> = rec.stderr[..error_at.unwrap_or(rec.stderr.len())]
        .iter()
        .filter(|l| !l.is_empty())
        .map(String::as_str)
        .collect();
    let got_warn: Vec<&str> = got
        .warnings
        .iter()
        .map(|w| w.line(compat))
        .filter(|l| !l.is_empty())
        .collect();
    if want_error.is_none() || got.error.is_some() {
        // Helm logs warnings in Go's map order, and the recorder sorts them: compare as sets.
        let mut w = want_warn.clone();
        let mut g = got_warn.clone();
        w.sort();
        g.sort();
        if w != g {
            problems.push(format!("warnings\n  want: {w:?}\n  got:  {g:?}"));
        }
    }
    if rec.exit == 0 {
        let lines = rendered_lines(&rec.stdout);
        for (src, json) in &got.json {
            match lines.get(src) {
                Some(w) if w == json => {}
                Some(w) => problems.push(format!("values of {src}\n  want: {w}\n  got:  {json}")),
                None => problems.push(format!("{src} was not rendered by Helm")),
            }
        }
        for src in lines.keys() {
            if src.ends_with("/templates/t.yaml")
                && !got.json.contains_key(src)
                && rec.stdout.contains(&format!("# Source: {src}\n# {{"))
            {
                problems.push(format!("{src} rendered by Helm but not by us"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn recorded_chart_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/chart");
    let mut cases = Vec::new();
    case_files(&root, &mut cases);
    let scratch = std::env::temp_dir().join(format!("chartctl-chart-cases-{}", std::process::id()));
    let mut failures = Vec::new();
    let mut passed = 0;
    for case in &cases {
        for compat in [Compat::Helm4, Compat::Helm3] {
            let rel = case
                .strip_prefix(&root)
                .unwrap_or(case)
                .with_extension("")
                .display()
                .to_string();
            let known = KNOWN
                .iter()
                .any(|(c, v, _)| *c == rel && *v == compat.to_string());
            match check_case(case, &root, &scratch, compat) {
                Ok(()) => passed += 1,
                Err(e) if !known => failures.push(format!("{rel} ({compat}): {e}")),
                Err(_) => {}
            }
        }
    }
    let _ = fs::remove_dir_all(&scratch);
    eprintln!(
        "{passed} of {} recordings match; {} known divergences",
        cases.len() * 2,
        KNOWN.len()
    );
    assert!(
        failures.is_empty(),
        "{} recordings differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
