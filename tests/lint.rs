//! chartctl's own lint findings (beyond Helm's), driven by fixture files: every
//! `tests/lint/<name>.txt` is a chart in txtar form (as in the conformance suite) with two
//! special sections:
//!
//!   -- expect --   one line per expectation: `<rule-id>` must be reported, `!<rule-id>` must
//!                  not be; `<rule-id> <text>` must be reported with a message containing
//!                  `<text>`; `exit <n>` is the expected exit status (default: any)
//!   -- cmd --      extra arguments after `lint chart --format json` (optional)
//!
//! A new fixture is a new file; no Rust edit.

use std::fs;
use std::path::Path;
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value as Json;

const DEFAULT_CHART: &str =
    "apiVersion: v2\nname: fixture\nversion: 0.1.0\nicon: https://example.com/i.png\n";

fn main() {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    paths.sort();
    let trials = paths
        .into_iter()
        .map(|p| {
            let name = p
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            Trial::test(name, move || run(&p))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn parse_txtar(text: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if bare.starts_with("-- ") && bare.ends_with(" --") && bare.len() > 6 {
            files.extend(current.take());
            current = Some((bare[3..bare.len() - 3].trim().to_string(), String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    files.extend(current);
    files
}

fn run(path: &Path) -> Result<(), Failed> {
    let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
    let files = parse_txtar(&text);
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let chart = work.path().join("chart");
    fs::create_dir_all(&chart).map_err(|e| e.to_string())?;
    let mut expect = String::new();
    let mut cmd = String::new();
    for (name, body) in &files {
        match name.as_str() {
            "expect" => expect.clone_from(body),
            "cmd" => cmd.clone_from(body),
            _ => {
                let target = match name.strip_prefix("../") {
                    Some(rest) => work.path().join(rest),
                    None => chart.join(name),
                };
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                fs::write(&target, body).map_err(|e| e.to_string())?;
            }
        }
    }
    if !chart.join("Chart.yaml").exists() {
        fs::write(chart.join("Chart.yaml"), DEFAULT_CHART).map_err(|e| e.to_string())?;
    }
    let mut argv = vec![
        "lint".to_string(),
        "chart".into(),
        "--format".into(),
        "json".into(),
    ];
    argv.extend(shlex::split(&cmd).ok_or("cannot split cmd")?);
    let out = Command::new(env!("CARGO_BIN_EXE_chartctl"))
        .args(&argv)
        .current_dir(work.path())
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Json = serde_json::from_str(&stdout).map_err(|e| {
        format!(
            "not JSON ({e}):\n{stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let diags: Vec<(String, String)> = report["charts"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| {
            let chart = c["chart"].as_str().unwrap_or_default().to_string();
            let diags = c["diagnostics"].as_array().cloned().unwrap_or_default();
            diags.into_iter().map(move |d| (chart.clone(), d))
        })
        .map(|(chart, d)| {
            let rule = d["rule"].as_str().unwrap_or_default().to_string();
            let line = d["line"]
                .as_u64()
                .map(|l| format!(":{l}"))
                .unwrap_or_default();
            let key = d["valuesKey"]
                .as_str()
                .map(|k| format!(" from values key `{k}`"))
                .unwrap_or_default();
            let msg = format!(
                "[{chart}] {}{line} {} {}{key}",
                d["file"].as_str().unwrap_or_default(),
                d["resource"].as_str().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default()
            );
            (rule, msg)
        })
        .collect();
    let shown = || {
        diags
            .iter()
            .map(|(r, m)| format!("  {r}: {m}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for line in expect.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(code) = line.strip_prefix("exit ") {
            let want: i32 = code.trim().parse().map_err(|_| "bad exit line")?;
            if out.status.code() != Some(want) {
                return Err(
                    format!("exit {:?}, expected {want}\n{}", out.status.code(), shown()).into(),
                );
            }
        } else if let Some(rule) = line.strip_prefix('!') {
            if diags.iter().any(|(r, _)| r == rule) {
                return Err(format!("`{rule}` reported but should not be:\n{}", shown()).into());
            }
        } else {
            let (rule, needle) = line.split_once(' ').unwrap_or((line, ""));
            if !diags.iter().any(|(r, m)| r == rule && m.contains(needle)) {
                return Err(
                    format!("expected `{rule}` with {needle:?}; found:\n{}", shown()).into(),
                );
            }
        }
    }
    Ok(())
}
