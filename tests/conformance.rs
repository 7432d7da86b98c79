//! The conformance suite: every case under `tests/conformance/` run through `chartctl` and
//! compared with what the reference Helm printed for it.
//!
//! A case is a txtar file (`<name>.txt`, format in `scripts/record`); its recordings sit beside it
//! as `<name>.helm4` (Helm v4.3.1) and `<name>.helm3` (Helm v3.17.3, compared with
//! `chartctl ... --compat helm3`). Each recording is one named test, `<case>::helm4`. A test
//! compares stdout byte for byte, success against failure (Helm exits 1 on every error; chartctl
//! exits 2 on errors and 1 on lint findings), and the `Error: ...` lines of stderr.
//!
//! Cases chartctl is known not to pass yet are listed in `tests/conformance/known-failures.list`
//! with a reason: `cargo test` reports them as ignored, and `cargo test --test conformance --
//! --ignored` (a step of `.ci/run`) runs exactly them and fails for any that now passes, so the
//! list can only shrink honestly.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use libtest_mimic::{Arguments, Failed, Trial};

const DEFAULT_CHART: &str = "apiVersion: v2\nname: snip\nversion: 0.1.0\n";
const VERSIONS: [&str; 2] = ["helm4", "helm3"];

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases_dir = root.join("tests/conformance");
    let known = known_failures(&cases_dir.join("known-failures.list"));
    let mut trials = Vec::new();
    let mut cases = Vec::new();
    collect_cases(&cases_dir, &mut cases);
    cases.sort();
    for case in cases {
        let rel = case
            .strip_prefix(&cases_dir)
            .unwrap_or(&case)
            .with_extension("")
            .to_string_lossy()
            .replace('\\', "/");
        if VERSIONS.iter().all(|v| !case.with_extension(v).exists()) {
            // A case nobody recorded would otherwise vanish from the totals.
            let name = format!("{rel}::unrecorded");
            trials.push(Trial::test(name, move || {
                Err(Failed::from(
                    "no recording: run scripts/record on this case",
                ))
            }));
            continue;
        }
        for version in VERSIONS {
            let recording = case.with_extension(version);
            if !recording.exists() {
                continue;
            }
            let name = format!("{rel}::{version}");
            let expected_failure = known
                .get(&name)
                .or_else(|| known.get(&rel))
                .or_else(|| {
                    known
                        .iter()
                        .find(|(k, _)| {
                            k.strip_suffix("/*")
                                .is_some_and(|dir| rel.starts_with(&format!("{dir}/")))
                        })
                        .map(|(_, reason)| reason)
                })
                .cloned();
            let case = case.clone();
            let root = root.to_path_buf();
            let ignored = expected_failure.is_some();
            let trial = Trial::test(name, move || {
                let result = run_case(&root, &case, &recording, version);
                match (expected_failure, result) {
                    (None, r) => r,
                    (Some(_), Err(_)) => Ok(()),
                    (Some(reason), Ok(())) => Err(Failed::from(format!(
                        "listed in known-failures.list ({reason}) but now passes: remove it from the list"
                    ))),
                }
            })
            .with_ignored_flag(ignored);
            trials.push(trial);
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn collect_cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_cases(&path, out);
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
}

/// `known-failures.list`: one `<case>[::<version>]  <reason>` a line; `#` starts a comment.
fn known_failures(path: &Path) -> BTreeMap<String, String> {
    let Ok(text) = fs::read_to_string(path) else {
        return BTreeMap::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((name, reason)) => (name.to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// The files of a txtar archive, in order, after its leading comment.
fn parse_txtar(text: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if bare.len() > 6 && bare.starts_with("-- ") && bare.ends_with(" --") {
            if let Some(done) = current.take() {
                files.push(done);
            }
            current = Some((bare[3..bare.len() - 3].trim().to_string(), String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    files.extend(current);
    files
}

struct Recording {
    exit: i32,
    stderr: Vec<String>,
    stdout: Vec<u8>,
}

fn parse_recording(bytes: &[u8]) -> Result<Recording, String> {
    let mut exit = None;
    let mut stderr = Vec::new();
    let mut rest = bytes;
    loop {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("recording has no `stdout:` line")?;
        let line = String::from_utf8_lossy(&rest[..end]).into_owned();
        rest = &rest[end + 1..];
        if line == "stdout:" {
            break;
        } else if let Some(code) = line.strip_prefix("exit: ") {
            exit = Some(
                code.parse()
                    .map_err(|_| format!("bad exit line {line:?}"))?,
            );
        } else if let Some(err) = line.strip_prefix("stderr: ") {
            stderr.push(err.to_string());
        } else if line == "stderr:" {
            stderr.push(String::new());
        } else {
            return Err(format!("unexpected recording line {line:?}"));
        }
    }
    Ok(Recording {
        exit: exit.ok_or("recording has no `exit:` line")?,
        stderr,
        stdout: rest.to_vec(),
    })
}

fn run_case(root: &Path, case: &Path, recording: &Path, version: &str) -> Result<(), Failed> {
    let expected = parse_recording(&fs::read(recording).map_err(|e| e.to_string())?)?;
    let text = fs::read_to_string(case).map_err(|e| e.to_string())?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let work = tmp.path().join("w");
    let home = tmp.path().join("home");
    let chart = work.join("chart");
    fs::create_dir_all(&chart).map_err(|e| e.to_string())?;
    fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    let mut cmd = "template chart".to_string();
    let mut stdin = None;
    let mut has_chart_yaml = false;
    for (name, body) in parse_txtar(&text) {
        match name.as_str() {
            "cmd" => cmd = body.trim().to_string(),
            "stdin" => stdin = Some(body),
            _ => {
                has_chart_yaml |= name == "Chart.yaml" || name.starts_with("Chart.yaml/");
                let target = chart.join(&name);
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                fs::write(&target, body).map_err(|e| e.to_string())?;
            }
        }
    }
    if !has_chart_yaml {
        fs::write(chart.join("Chart.yaml"), DEFAULT_CHART).map_err(|e| e.to_string())?;
    }
    let mut argv: Vec<String> =
        shlex::split(&cmd).ok_or_else(|| format!("cannot split the case command {cmd:?}"))?;
    // `$REPO/<path>` names a file of this repository through a `repo` link in the case folder,
    // as `scripts/record` does, so both print the same relative path.
    if argv.iter().any(|a| a.contains("$REPO")) {
        link_repo(root, &work.join("repo"))
            .map_err(|e| format!("cannot link the repository: {e}"))?;
        for a in &mut argv {
            *a = a.replace("$REPO", "repo");
        }
    }
    // `chartctl lint` adds its own findings after Helm's; `--helm-only` leaves Helm's alone.
    if argv.first().is_some_and(|a| a == "lint") {
        argv.push("--helm-only".into());
    }
    if version == "helm3" {
        argv.push("--compat".into());
        argv.push("helm3".into());
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_chartctl"))
        .args(&argv)
        .current_dir(&work)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("KUBECONFIG", home.join("no-kubeconfig"))
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run chartctl: {e}"))?;
    if let Some(mut pipe) = child.stdin.take() {
        use std::io::Write;
        // A command that does not read its input closes the pipe early: that is fine.
        let _ = pipe.write_all(stdin.unwrap_or_default().as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let status = out.status.code().unwrap_or(-1);

    let mut report = String::new();
    if (expected.exit == 0) != (status == 0) {
        let _ = writeln!(
            report,
            "exit status: Helm {} but chartctl {status}",
            expected.exit
        );
    }
    if out.stdout != expected.stdout {
        let _ = writeln!(report, "stdout differs (- Helm, + chartctl):");
        report.push_str(&diff(
            &String::from_utf8_lossy(&expected.stdout),
            &String::from_utf8_lossy(&out.stdout),
        ));
    }
    let want_err = error_lines(expected.stderr.iter().map(String::as_str));
    let got_stderr = String::from_utf8_lossy(&out.stderr);
    let got_err = error_lines(got_stderr.lines());
    if want_err != got_err {
        let _ = writeln!(report, "stderr `Error:` lines differ (- Helm, + chartctl):");
        report.push_str(&diff(&want_err, &got_err));
        if got_err.is_empty() && !got_stderr.is_empty() {
            let _ = writeln!(report, "chartctl's whole stderr:\n{got_stderr}");
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(Failed::from(format!("{}\n{report}", case.display())))
    }
}

#[cfg(unix)]
fn link_repo(root: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(root, link)
}

#[cfg(not(unix))]
fn link_repo(root: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_dir(root, link)
}

/// The lines from the first `Error:` line to the end: Helm's error, without the log lines that
/// precede it.
fn error_lines<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut on = false;
    for line in lines {
        on |= line.starts_with("Error:");
        if on {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .to_string()
}
