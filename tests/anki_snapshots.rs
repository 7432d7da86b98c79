//! Snapshots of `chartctl template` on the bundled chart, `charts/anki-compendium`, for its
//! default values and each environment file, in both compatibility modes.
//!
//! The snapshots make a change to the chart or the renderer show up as a reviewable diff. They
//! are also held to the reference Helm: each one must equal the stdout Helm printed for the
//! same command, recorded in `tests/conformance/anki/template_<env>.helm4`/`.helm3`.

use std::path::Path;
use std::process::Command;

const ENVS: [&str; 4] = ["default", "dev", "staging", "prod"];

/// The command of the conformance case `template_<env>`: the same flags Helm was recorded with.
fn case_args(env: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/conformance/anki/template_{env}.txt"));
    let text = std::fs::read_to_string(path).expect("the case file exists");
    let cmd = text
        .split_once("-- cmd --\n")
        .map(|(_, rest)| rest.lines().next().unwrap_or_default().to_string())
        .expect("the case has a command");
    shlex::split(&cmd)
        .expect("the command splits")
        .into_iter()
        .map(|a| a.replace("$REPO", "repo"))
        .collect()
}

fn render(env: &str, compat: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Run beside a `repo` link to the repository, as the Helm recordings were made, so the
    // chart's path prints the same.
    let tmp = tempfile::tempdir().expect("a temporary folder");
    std::os::unix::fs::symlink(root, tmp.path().join("repo")).expect("a link to the repository");
    let out = Command::new(env!("CARGO_BIN_EXE_chartctl"))
        .current_dir(tmp.path())
        .args(case_args(env))
        .args(["--compat", compat])
        .output()
        .expect("chartctl runs");
    assert!(
        out.status.success(),
        "chartctl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("manifests are UTF-8")
}

/// Helm's stdout for the same render, from the conformance recording.
fn recorded(env: &str, version: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/conformance/anki/template_{env}.{version}"));
    let bytes = std::fs::read(path).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.split_once("\nstdout:\n")
        .map(|(_, out)| out.to_string())
}

#[test]
fn anki_compendium_renders_like_helm() {
    for env in ENVS {
        for compat in ["helm4", "helm3"] {
            let out = render(env, compat);
            let helm = recorded(env, compat).expect("the Helm recording exists");
            assert!(
                out == helm,
                "{env} ({compat}) differs from Helm's recording"
            );
            insta::assert_snapshot!(format!("anki_{env}_{compat}"), out);
        }
    }
}

/// The chart passes chartctl's whole lint (Helm's checks, the Kubernetes 1.31 schemas and the
/// manifest rules) with `--strict`, for its default values and each environment file.
#[test]
fn anki_compendium_lints_clean_on_kubernetes_1_31() {
    let chart = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts/anki-compendium");
    for file in [
        None,
        Some("values/values-dev.yaml"),
        Some("values/values-staging.yaml"),
        Some("values/values-prod.yaml"),
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartctl"));
        cmd.arg("lint")
            .arg(&chart)
            .args(["--strict", "--kube-version", "1.31.0"]);
        if let Some(f) = file {
            cmd.arg("-f").arg(chart.join(f));
        }
        let out = cmd.output().expect("chartctl runs");
        assert!(
            out.status.success(),
            "lint of {file:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
