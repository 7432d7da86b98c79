//! `chartctl lint`: the flags of `helm lint` plus chartctl's own, and the command that lints.

use std::io::{self, Read, Write};

use clap::Args;

use super::{GlobalArgs, Outcome, ValuesArgs};
use crate::chart::values::ValuesOptions;
use crate::lint::diagnostic::{self, Format};
use crate::lint::helm::Options;
use crate::lint::report;
use crate::lint::run::{self, ChartResult, OwnOptions};

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Charts to lint (folders or .tgz archives); with none, the current folder
    #[arg(value_name = "CHART")]
    pub charts: Vec<String>,

    #[command(flatten)]
    pub values: ValuesArgs,

    #[command(flatten)]
    pub global: GlobalArgs,

    /// Fail on lint warnings
    #[arg(long)]
    pub strict: bool,

    /// Lint dependent charts
    #[arg(long = "with-subcharts")]
    pub with_subcharts: bool,

    /// Print only warnings and errors
    #[arg(long)]
    pub quiet: bool,

    /// Kubernetes version used for capabilities and deprecation checks
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,

    /// Skip validation of the values against values.schema.json
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,

    /// Run Helm's checks only: no schema validation or chartctl rules (output as `helm lint`'s)
    #[arg(long = "helm-only")]
    pub helm_only: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text, value_name = "FORMAT")]
    pub format: Format,

    /// Turn off a chartctl rule by id (repeatable; `schema` turns off schema validation)
    #[arg(long = "disable", value_name = "RULE")]
    pub disable: Vec<String>,

    /// Folder of schemas for custom resources: `<kind>-<group>-<version>.json` files or CRD YAML files (repeatable)
    #[arg(long = "schema-location", value_name = "DIR")]
    pub schema_location: Vec<String>,

    /// Lint once per named values set: NAME=FILE[,FILE...], after any -f files (repeatable)
    #[arg(long = "values-set", value_name = "NAME=FILES")]
    pub values_set: Vec<String>,
}

/// Whether `args` lint one chart once (one path, no subcharts, at most one values set): the
/// process can then leave what it built to its end.
pub fn lints_once(args: &LintArgs) -> bool {
    args.charts.len() <= 1 && !args.with_subcharts && args.values_set.len() <= 1
}

pub fn run(args: &LintArgs) -> anyhow::Result<Outcome> {
    let compat = args.global.compat;
    let kube_version =
        run::kube_version(args.kube_version.as_deref(), compat).map_err(anyhow::Error::msg)?;
    let mut paths: Vec<String> = if args.charts.is_empty() {
        vec![".".to_string()]
    } else {
        args.charts.clone()
    };
    if args.with_subcharts {
        let mut all = Vec::new();
        for p in &paths {
            all.push(p.clone());
            all.extend(run::subchart_paths(p));
        }
        paths = all;
    }
    let own = OwnOptions {
        enabled: !args.helm_only,
        disabled: args.disable.clone(),
        schema_locations: args.schema_location.clone(),
    };
    let schema_checks = own.enabled && !own.disabled.iter().any(|d| d == run::SCHEMA_RULE);
    let namespace = crate::render::release::namespace(
        args.global.namespace.as_deref(),
        std::env::var("HELM_NAMESPACE").ok().as_deref(),
        crate::render::release::kubeconfig_namespace(
            std::env::var("KUBECONFIG").ok().as_deref(),
            std::env::var_os("HOME")
                .map(std::path::PathBuf::from)
                .as_deref(),
            compat,
        ),
    );

    // Each values set is a run of its own; without --values-set, one unnamed run.
    let mut sets: Vec<(Option<String>, ValuesOptions)> = Vec::new();
    if args.values_set.is_empty() {
        sets.push((None, values_options(&args.values, &[])));
    } else {
        for spec in &args.values_set {
            let Some((name, files)) = spec.split_once('=') else {
                anyhow::bail!("--values-set {spec:?}: expected NAME=FILE[,FILE...]");
            };
            let files: Vec<String> = files
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect();
            sets.push((Some(name.to_string()), values_options(&args.values, &files)));
        }
    }

    let mut stdout = String::new();
    let mut stderr_lines = Vec::new();
    let mut summaries = Vec::new();
    let mut any_failed = false;
    let mut reports = Vec::new();
    for (name, opts) in &sets {
        let user = crate::chart::values::merge_user_values(opts, &mut read_user_file, compat)
            .map_err(|e| anyhow::anyhow!(e.message))?;
        let options = Options {
            compat,
            namespace: namespace.clone(),
            kube_version: kube_version.clone(),
            skip_schema_validation: args.skip_schema_validation,
            custom_resources: schema_checks,
            user_values: &user,
        };
        let results: Vec<ChartResult> = paths
            .iter()
            .map(|p| run::lint_path(p, &options, &own))
            .collect();
        for r in &results {
            stderr_lines.extend(r.stderr.iter().cloned());
            if let Some(panic) = &r.panic {
                // Helm 3 crashes here: nothing on stdout, its panic on stderr, exit status 2
                // (an error status without the `Error: ` line `main` would add).
                let mut err = io::stderr().lock();
                writeln!(err, "{panic}")?;
                err.flush()?;
                std::process::exit(super::EXIT_ERROR);
            }
        }
        let (text, summary, failed) =
            report::text(&results, args.strict, args.quiet, name.as_deref());
        any_failed |= failed;
        stdout.push_str(&text);
        if let Some(s) = summary {
            let s = match name {
                Some(n) => format!("{s} (values set {n})"),
                None => s,
            };
            summaries.push((s, failed));
        }
        let label = if args.format == Format::Json {
            name.as_deref()
        } else {
            None
        };
        reports.extend(report::to_reports(&results, label));
    }

    let mut err = io::stderr().lock();
    for line in &stderr_lines {
        writeln!(err, "{line}")?;
    }
    let mut out = io::stdout().lock();
    match args.format {
        Format::Text => {
            out.write_all(stdout.as_bytes())?;
            for (s, failed) in &summaries {
                if *failed {
                    writeln!(err, "Error: {s}")?;
                } else {
                    writeln!(out, "{s}")?;
                }
            }
        }
        Format::Json => out.write_all(diagnostic::to_json(&reports, args.strict).as_bytes())?,
        Format::Sarif => {
            let mut catalogue = crate::lint::rules::catalogue();
            catalogue.push((report::HELM_RULE, "helm lint's own checks"));
            catalogue.push((run::SCHEMA_RULE, "Kubernetes API schema validation"));
            out.write_all(diagnostic::to_sarif(&reports, &catalogue).as_bytes())?;
        }
        Format::Github => out.write_all(diagnostic::to_github(&reports).as_bytes())?,
    }
    out.flush()?;
    Ok(if any_failed {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}

/// The values flags; a values set's files come after the `-f` files.
fn values_options(v: &ValuesArgs, extra_files: &[String]) -> ValuesOptions {
    let mut files = v.values.clone();
    files.extend(extra_files.iter().cloned());
    ValuesOptions {
        files,
        set_json: v.set_json.clone(),
        set: v.set.clone(),
        set_string: v.set_string.clone(),
        set_file: v.set_file.clone(),
        set_literal: v.set_literal.clone(),
    }
}

/// Reads a `-f`/`--set-file` path (`-` is standard input), with Go's error texts.
fn read_user_file(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut buf = Vec::new();
        io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("read -: {e}"))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| {
        let text = match e.kind() {
            io::ErrorKind::NotFound => "no such file or directory".to_string(),
            io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        format!("open {path}: {text}")
    })
}
