//! `chartctl template` behaviour that the recorded Helm cases cannot show: the current folder
//! as the default chart, nothing on standard output after an error, and the files
//! `--output-dir` leaves behind.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn chartctl(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chartctl"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("HELM_NAMESPACE")
        .output()
        .expect("chartctl runs")
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (name, content) in files {
        let path = root.join(name);
        fs::create_dir_all(path.parent().expect("files sit in a folder")).expect("mkdir");
        fs::write(path, content).expect("write");
    }
}

const CHART: (&str, &str) = ("Chart.yaml", "apiVersion: v2\nname: snip\nversion: 0.1.0\n");

#[test]
fn without_a_chart_argument_the_current_folder_is_the_chart() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let chart = tmp.path().join("chart");
    write(
        &chart,
        &[
            CHART,
            ("templates/a.yaml", "kind: A\nname: {{ .Release.Name }}\n"),
        ],
    );
    let here = chartctl(&chart, &["template"]);
    let named = chartctl(tmp.path(), &["template", "chart"]);
    assert!(here.status.success(), "{here:?}");
    assert_eq!(here.stdout, named.stdout);
    assert_eq!(
        String::from_utf8_lossy(&here.stdout),
        "---\n# Source: snip/templates/a.yaml\nkind: A\nname: release-name\n"
    );
}

#[test]
fn an_error_leaves_standard_output_empty() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[
            CHART,
            ("templates/a.yaml", "kind: A\n"),
            ("templates/b.yaml", "kind: B\nx: {{ fail \"broken\" }}\n"),
        ],
    );
    let out = chartctl(tmp.path(), &["template", "."]);
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with(
        "Error: execution error at (snip/templates/b.yaml:2:6): broken\n\nUse --debug flag"
    ));
}

#[test]
fn debug_drops_the_hint_and_prints_what_was_rendered() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), &[CHART, ("templates/a.yaml", "x: [\n")]);
    let out = chartctl(tmp.path(), &["template", ".", "--debug"]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "---\n# Source: snip/templates/a.yaml\nx: [\n"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("--debug"));
}

#[test]
fn output_dir_writes_whole_files_and_appends_hooks_across_runs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let chart = tmp.path().join("chart");
    write(
        &chart,
        &[
            CHART,
            ("templates/a.yaml", "kind: Service\n"),
            (
                "templates/h.yaml",
                "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install\n",
            ),
        ],
    );
    for _ in 0..2 {
        let out = chartctl(tmp.path(), &["template", "chart", "--output-dir", "out"]);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "wrote out/snip/templates/a.yaml\nwrote out/snip/templates/h.yaml\n\n"
        );
    }
    let dir = tmp.path().join("out/snip/templates");
    // Helm 4 keeps the newline that ended the document, so a blank line follows it.
    assert_eq!(
        fs::read_to_string(dir.join("a.yaml")).expect("manifest written"),
        "---\n# Source: snip/templates/a.yaml\nkind: Service\n\n"
    );
    // As in Helm, hooks append to what an earlier run wrote.
    let hook = "---\n# Source: snip/templates/h.yaml\nkind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install\n\n";
    assert_eq!(
        fs::read_to_string(dir.join("h.yaml")).expect("hook written"),
        hook.repeat(2)
    );
    let names: Vec<String> = fs::read_dir(&dir)
        .expect("output folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary files are left: {names:?}");
}
