//! `chartctl template`: the flags of `helm template` and the command that renders a chart.
//!
//! The steps and their order follow Helm's `template` command (an install in client-only
//! dry-run mode), so that of several problems the same one is reported first: kube version,
//! release name and chart arguments, chart location, values flags, chart loading, missing
//! dependencies, release name check, dependency processing and coalescing, schema validation,
//! labels, then the render itself (kubeVersion constraint, templates, manifest heads).
//!
//! Output is assembled in memory and printed once: an error leaves standard output empty.

use std::io::{self, Read, Write};
use std::path::Path;
use std::rc::Rc;

use clap::Args;

use super::{GlobalArgs, Outcome, ValuesArgs};
use crate::chart::metadata::go_quote;
use crate::chart::{self, values::ValuesOptions, Chart, Warning};
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::Value;
use crate::gotemplate::{ExecOptions, TemplateSet};
use crate::render::capabilities::{Capabilities, KubeVersion};
use crate::render::engine::{self, RenderContext};
use crate::render::manifest;
use crate::render::objects::ReleaseInfo;
use crate::render::output::{self, CrdFile, OutputOptions};
use crate::render::release::{self, NameFlags};
use crate::{funcs, Compat};

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Release name, then chart path; with one argument it is the chart; with none, the current folder
    #[arg(value_name = "NAME|CHART", num_args = 0..)]
    pub args: Vec<String>,

    #[command(flatten)]
    pub values: ValuesArgs,

    #[command(flatten)]
    pub global: GlobalArgs,

    /// Only show manifests rendered from the given templates (can specify multiple)
    #[arg(short = 's', long = "show-only", value_name = "TEMPLATE")]
    pub show_only: Vec<String>,

    /// Write the executed templates to files in this directory instead of standard output
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<String>,

    /// With --output-dir, use the release name as a folder level
    #[arg(long = "release-name")]
    pub release_name: bool,

    /// Include CRDs in the templated output
    #[arg(long = "include-crds")]
    pub include_crds: bool,

    /// Has no effect on template output (accepted for compatibility)
    #[arg(long = "skip-crds")]
    pub skip_crds: bool,

    /// Prevent hooks from running (they are left out of the output)
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,

    /// Skip tests from templated output
    #[arg(long = "skip-tests")]
    pub skip_tests: bool,

    /// Kubernetes API versions used for Capabilities.APIVersions (can specify multiple)
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "VERSION",
        value_delimiter = ','
    )]
    pub api_versions: Vec<String>,

    /// Kubernetes version used for Capabilities.KubeVersion
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,

    /// Set .Release.IsUpgrade instead of .Release.IsInstall
    #[arg(long = "is-upgrade")]
    pub is_upgrade: bool,

    /// Specify the template used to name the release
    #[arg(long = "name-template", value_name = "TEMPLATE")]
    pub name_template: Option<String>,

    /// Generate the name (and omit the NAME parameter)
    #[arg(short = 'g', long = "generate-name")]
    pub generate_name: bool,

    /// Skip validation of the values against values.schema.json
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,

    /// Labels that would be added to the release metadata (checked, not printed)
    #[arg(
        short = 'l',
        long = "labels",
        value_name = "KEY=VALUE",
        value_delimiter = ','
    )]
    pub labels: Vec<String>,

    /// Allow getHostByName to resolve names (chartctl never uses the network; it returns "")
    #[arg(long = "enable-dns")]
    pub enable_dns: bool,
}

/// Helm appends this to errors that happen once rendering has started (unless `--debug`).
const DEBUG_HINT: &str = "\n\nUse --debug flag to render out invalid YAML";

/// A failed `template`: Helm's message, and whether it happened while rendering (which earns
/// the `--debug` hint).
#[derive(Debug)]
struct Failure {
    message: String,
    rendering: bool,
    /// What `--debug` prints on standard output for a rendering failure: the rendered files
    /// when their documents could not be read, else nothing (Helm then prints a lone newline).
    rendered: String,
}

impl Failure {
    fn before(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            rendering: false,
            rendered: String::new(),
        }
    }

    fn rendering(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            rendering: true,
            rendered: String::new(),
        }
    }
}

impl From<chart::Error> for Failure {
    fn from(e: chart::Error) -> Failure {
        Failure::before(e.message)
    }
}

pub fn run(args: &TemplateArgs) -> anyhow::Result<Outcome> {
    let compat = args.global.compat;
    let mut warnings = Vec::new();
    let result = template(args, &mut warnings);
    let mut stderr = io::stderr().lock();
    for w in &warnings {
        let line = w.line(compat);
        if !line.is_empty() {
            writeln!(stderr, "{line}")?;
        }
    }
    drop(stderr);
    match result {
        Ok((out, late_error)) => {
            output::write_files(&out.files)?;
            let mut stdout = io::stdout().lock();
            stdout.write_all(out.stdout.as_bytes())?;
            stdout.flush()?;
            crate::teardown::discard(out);
            match late_error {
                Some(e) => Err(anyhow::anyhow!(e)),
                None => Ok(Outcome::Ok),
            }
        }
        Err(f) if f.rendering && args.global.debug => {
            // Helm prints what it rendered (trimmed) to help debugging, then fails.
            let mut stdout = io::stdout().lock();
            writeln!(stdout, "{}", f.rendered.trim())?;
            stdout.flush()?;
            Err(anyhow::anyhow!("{}", f.message))
        }
        Err(f) => {
            let hint = if f.rendering { DEBUG_HINT } else { "" };
            Err(anyhow::anyhow!("{}{hint}", f.message))
        }
    }
}

/// Everything but the printing. The second value is an error Helm reports after it has
/// already written its `--output-dir` files (`--show-only` finds nothing then).
fn template(
    args: &TemplateArgs,
    warnings: &mut Vec<Warning>,
) -> Result<(output::Output, Option<String>), Failure> {
    let compat = args.global.compat;
    let kube_version = match args.kube_version.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(
            KubeVersion::parse(v, compat)
                .map_err(|e| Failure::before(format!("invalid kube version '{v}': {e}")))?,
        ),
        None => None,
    };

    let flags = NameFlags {
        name_template: args.name_template.as_deref(),
        generate_name: args.generate_name,
    };
    let (name, chart_arg) =
        release::name_and_chart(&args.args, &flags, &mut |t| render_name(t, compat))
            .map_err(Failure::before)?;
    locate_chart(&chart_arg).map_err(Failure::before)?;

    let user = chart::values::merge_user_values(
        &values_options(&args.values),
        &mut read_user_file,
        compat,
    )?;
    let loaded = chart::load(Path::new(&chart_arg), compat, warnings)?;
    crate::hugepages::allow_if_large(loaded.size());
    check_installable(&loaded)?;
    if loaded.metadata.deprecated {
        warnings.push(Warning {
            helm3: "WARNING: This chart is deprecated".into(),
            helm4: "level=WARN msg=\"this chart is deprecated\"".into(),
        });
    }
    chart::dependencies::check_dependencies(&loaded, compat)?;
    if let Err(e) = release::check_release_name(&name, compat) {
        if compat == Compat::Helm4 {
            let cause = e.strip_prefix("release name check failed: ").unwrap_or(&e);
            warnings.push(Warning {
                helm3: String::new(),
                helm4: format!(
                    "level=ERROR msg=\"release name check failed\" error={}",
                    chart::slog_quote(cause)
                ),
            });
        }
        return Err(Failure::before(e));
    }
    let prepared = chart::dependencies::prepare(loaded, &user, compat, warnings)?;
    // Before the render, as in Helm: values the schema refuses may be what a template cannot
    // get through (a huge `until`), and Helm never renders with them.
    if !args.skip_schema_validation {
        chart::schema::validate(&prepared.chart, &prepared.values, compat)?;
    }
    release::check_labels(&args.labels).map_err(Failure::before)?;

    let caps = Rc::new(Capabilities::new(compat, kube_version, &args.api_versions));
    let constraint = &prepared.chart.metadata.kube_version;
    if !constraint.is_empty()
        && !chart::dependencies::is_compatible_range(constraint, &caps.kube_version.normalized)
    {
        return Err(Failure::rendering(format!(
            "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {}",
            caps.kube_version.version
        )));
    }

    let ctx = RenderContext {
        release: ReleaseInfo {
            name: name.clone(),
            namespace: release::namespace(
                args.global.namespace.as_deref(),
                std::env::var("HELM_NAMESPACE").ok().as_deref(),
                release::kubeconfig_namespace(
                    std::env::var("KUBECONFIG").ok().as_deref(),
                    std::env::var_os("HOME")
                        .map(std::path::PathBuf::from)
                        .as_deref(),
                    compat,
                ),
            ),
            is_upgrade: args.is_upgrade,
            revision: 1,
        },
        capabilities: caps,
        compat,
        to_yaml: crate::render::to_yaml,
    };
    let funcs = Rc::new(funcs::function_map(compat));
    let mut rendered = engine::render(&prepared.chart, &prepared.values, funcs, &ctx)
        .map_err(Failure::rendering)?;
    // NOTES.txt is rendered (its errors count) but never part of the manifests.
    rendered.retain(|name, _| !name.ends_with("NOTES.txt"));

    let sorted = manifest::sort_manifests(&rendered, compat, &|doc| {
        crate::render::parse_head(doc, compat)
    })
    .map_err(|message| {
        // Helm dumps every non-empty rendered file (in its map's random order; sorted here).
        let mut dump = String::new();
        for (name, content) in &rendered {
            if !content.trim().is_empty() {
                dump.push_str(&format!("---\n# Source: {name}\n{content}\n"));
            }
        }
        Failure {
            rendered: dump,
            ..Failure::rendering(message)
        }
    })?;
    for events in &sorted.skipped_hooks {
        warnings.push(Warning {
            helm3: format!(
                "manifest_sorter.go:190: info: skipping unknown hook: {}",
                go_quote(events)
            ),
            helm4: format!(
                "level=INFO msg=\"skipping unknown hooks\" hookTypes={}",
                chart::slog_quote(events)
            ),
        });
    }

    // CRD files are printed only with --include-crds; operator charts carry megabytes of them.
    let mut crds = Vec::new();
    if args.include_crds {
        collect_crds(&prepared.chart, &mut crds);
    }
    let opts = OutputOptions {
        compat,
        include_crds: args.include_crds,
        no_hooks: args.no_hooks,
        skip_tests: args.skip_tests,
        show_only: args.show_only.clone(),
        output_dir: args.output_dir.clone(),
        release_dir: args.release_name.then(|| name.clone()),
    };
    let to_dir = opts.output_dir.as_deref().is_some_and(|d| !d.is_empty());
    if to_dir && !opts.show_only.is_empty() {
        // Helm writes the files, then finds no document on standard output to show.
        let plain = OutputOptions {
            show_only: Vec::new(),
            ..opts.clone()
        };
        let mut out = output::assemble(&crds, &sorted, &plain, &output::read_existing)
            .map_err(Failure::before)?;
        let late = output::assemble(&crds, &sorted, &opts, &output::read_existing).err();
        if late.is_some() {
            // The error comes before Helm prints the (empty) manifest line.
            out.stdout.pop();
        }
        return Ok((out, late));
    }
    let out =
        output::assemble(&crds, &sorted, &opts, &output::read_existing).map_err(Failure::before)?;
    crate::teardown::discard((prepared, rendered, sorted, crds));
    Ok((out, None))
}

/// The CRD files of the chart and then of each subchart, depth first (Helm's `CRDObjects`).
fn collect_crds(chart: &Chart, out: &mut Vec<CrdFile>) {
    let full = chart.full_path();
    for f in &chart.files {
        let lower = f.name.to_ascii_lowercase();
        let manifest_ext = [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| lower.ends_with(ext));
        if f.name.starts_with("crds/") && manifest_ext {
            out.push(CrdFile {
                filename: format!("{full}/{}", f.name),
                data: crate::chart::text_of(&f.data).into_owned(),
            });
        }
    }
    for dep in &chart.dependencies {
        collect_crds(dep, out);
    }
}

/// Helm's `LocateChart` for what chartctl supports: local folders and archives. Helm's
/// messages for the forms it would fetch from a repository.
fn locate_chart(name: &str) -> Result<(), String> {
    if Path::new(name).exists() {
        return Ok(());
    }
    if name.starts_with('.') || Path::new(name).is_absolute() {
        return Err(format!("path {name:?} not found"));
    }
    if name.contains("://") {
        return Err(format!(
            "chartctl renders local charts only; fetch {name} first (for example with `helm pull`)"
        ));
    }
    match name.split_once('/') {
        Some((repo, _)) => Err(format!("repo {repo} not found")),
        None => Err(format!(
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: {name}"
        )),
    }
}

/// `checkIfInstallable`: only application charts render.
fn check_installable(chart: &Chart) -> Result<(), Failure> {
    match chart.metadata.chart_type.as_str() {
        "" | "application" => Ok(()),
        other => Err(Failure::before(format!(
            "{other} charts are not installable"
        ))),
    }
}

fn values_options(v: &ValuesArgs) -> ValuesOptions {
    ValuesOptions {
        files: v.values.clone(),
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

/// Renders `--name-template` as Helm does: Sprig's functions only, no data, Go's error text.
fn render_name(text: &str, compat: Compat) -> Result<String, String> {
    let mut set = TemplateSet::new(Rc::new(name_template_funcs(compat)), compat);
    set.parse("name-template", text)
        .map_err(|e| e.to_string())?;
    let mut out = String::new();
    set.execute(
        "name-template",
        &Value::Nil,
        &ExecOptions::default(),
        &mut out,
    )
    .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Sprig's function map without Helm's additions (`toYaml`, `include`, `tpl`, `required`,
/// ...), for `--name-template`.
fn name_template_funcs(compat: Compat) -> FuncMap {
    let mut map = funcs::function_map(compat);
    for name in HELM_ONLY_FUNCS {
        map.remove(name);
    }
    // Sprig's own `fail` returns the message as a plain error (Helm's marks it).
    map.insert(crate::func!("fail", [String], sprig_fail));
    map
}

fn sprig_fail(_rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    Err(FuncError::call(args[0].as_str().unwrap_or_default()))
}

/// Functions Helm adds to Sprig's (`funcMap` in Helm's engine): not in a name template.
const HELM_ONLY_FUNCS: &[&str] = &[
    "toToml",
    "fromToml",
    "toYaml",
    "mustToYaml",
    "toYamlPretty",
    "fromYaml",
    "fromYamlArray",
    "fromJson",
    "fromJsonArray",
    "include",
    "tpl",
    "required",
    "lookup",
];
