//! Linting one chart path end to end: locating it (folders and `.tgz` archives), Helm's checks
//! ([`super::helm`]), then chartctl's own on the same render: the Kubernetes schema validation
//! of every rendered document and the [`super::rules`].

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::gotemplate::value::Value;
use crate::render::capabilities::KubeVersion;
use crate::Compat;

use super::custom::CustomSchemas;
use super::diagnostic::{Diagnostic, Severity};
use super::helm::{self, Message, Options, Rendered};
use super::k8s::{self, Validation, ViolationKind};
use super::rules::{self, Context, Manifest};

/// The rule id of schema findings.
pub const SCHEMA_RULE: &str = "schema";

/// What chartctl checks beyond Helm.
#[derive(Clone, Debug, Default)]
pub struct OwnOptions {
    /// Run chartctl's checks at all (`--helm-only` turns them off).
    pub enabled: bool,
    /// Rule ids turned off (`--disable` and `.chartctl.yaml`).
    pub disabled: Vec<String>,
    /// `--schema-location` folders with schemas for custom resources.
    pub schema_locations: Vec<String>,
}

/// The lint of one path.
#[derive(Debug, Default)]
pub struct ChartResult {
    /// The path as given (`==> Linting <path>`).
    pub path: String,
    /// Helm's messages.
    pub helm: Vec<Message>,
    /// Set when the chart could not be linted at all (`Error <text>` in Helm's layout).
    pub unlintable: Option<String>,
    /// chartctl's findings.
    pub own: Vec<Diagnostic>,
    /// Helm 3 crashes on this chart: the panic text (stdout stays empty, exit status 2).
    pub panic: Option<String>,
    /// Lines the engine logged (`required`/`fail` in lint mode), for stderr.
    pub stderr: Vec<String>,
}

impl ChartResult {
    /// Helm's `HasWarningsOrErrors`, counting chartctl's findings too.
    pub fn has_warnings_or_errors(&self) -> bool {
        self.unlintable.is_some()
            || self.helm.iter().any(|m| m.severity > Severity::Info)
            || self.own.iter().any(|d| d.severity > Severity::Info)
    }

    /// Whether the chart fails: an error, or with `strict` a warning.
    pub fn failed(&self, strict: bool) -> bool {
        let bad = |s: Severity| s == Severity::Error || (strict && s == Severity::Warning);
        self.unlintable.is_some()
            || self.helm.iter().any(|m| bad(m.severity))
            || self.own.iter().any(|d| bad(d.severity))
    }
}

/// Lints `path` (a chart folder or a `.tgz`/`.tar.gz`).
pub fn lint_path(path: &str, opts: &Options<'_>, own: &OwnOptions) -> ChartResult {
    let mut result = ChartResult {
        path: path.to_string(),
        ..ChartResult::default()
    };
    let mut _extracted = None;
    let dir: PathBuf = if path.ends_with(".tgz") || path.ends_with(".tar.gz") {
        match extract(path) {
            Ok(tmp) => {
                let dir = tmp.chart_dir.clone();
                _extracted = Some(tmp);
                dir
            }
            Err(e) => {
                result.unlintable = Some(e);
                return result;
            }
        }
    } else {
        PathBuf::from(path)
    };
    let chart_yaml = dir.join("Chart.yaml");
    if let Err(e) = fs::metadata(&chart_yaml) {
        let what = go_io_text(&e);
        result.unlintable = Some(format!(
            "unable to check Chart.yaml file in chart: stat {}: {what}",
            go_join(path, "Chart.yaml")
        ));
        return result;
    }
    let mut lint = helm::lint_chart(&dir, opts);
    result.helm = std::mem::take(&mut lint.messages);
    result.panic = lint.panic.take();
    if let Some(rendered) = &lint.rendered {
        result.stderr = rendered
            .warnings
            .iter()
            .map(|w| w.line(opts.compat).to_string())
            .filter(|l| !l.is_empty())
            .collect();
        if own.enabled {
            let mut disabled = own.disabled.clone();
            disabled.extend(super::config::disabled_rules(&dir));
            let mut custom =
                CustomSchemas::new(&own.schema_locations, std::mem::take(&mut lint.crds));
            result.own = own_checks(rendered, opts, &disabled, &mut custom);
            // CRD schemas, parsed and compiled: megabytes for operator charts.
            crate::teardown::discard(custom);
        }
    }
    crate::teardown::discard(lint);
    result
}

/// Go's text for the common OS errors (`syscall.Errno` strings).
fn go_io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotADirectory => "not a directory".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => e.to_string(),
    }
}

/// `filepath.Join(path, name)` for the message of a missing `Chart.yaml`.
fn go_join(path: &str, name: &str) -> String {
    crate::render::output::go_clean(&format!("{path}/{name}"))
}

/// The rendered documents of every template (root chart and subcharts), as manifests that
/// point at their template file and the line each document starts at.
pub fn manifests(rendered: &Rendered) -> Vec<Manifest> {
    let prefix = format!("{}/", rendered.chart_name);
    let mut out = Vec::new();
    for (name, text) in &rendered.files {
        if name.ends_with("NOTES.txt") || text.trim().is_empty() {
            continue;
        }
        let file = name.strip_prefix(&prefix).unwrap_or(name);
        // Helm's checks parsed the root chart's files already.
        let docs = match rendered.documents.get(name) {
            Some(docs) => docs.clone(),
            None => match helm::parse_documents(text) {
                Ok(docs) => docs,
                Err(_) => continue,
            },
        };
        let source_lines = rendered
            .sources
            .get(name)
            .and_then(|src| source_document_lines(src, docs.len()));
        for (i, (line, doc)) in docs.into_iter().enumerate() {
            let line = source_lines
                .as_ref()
                .and_then(|lines| lines.get(i).copied())
                .unwrap_or(line);
            match doc {
                Ok(Value::Nil) | Err(_) => {}
                Ok(doc) => out.push(Manifest::new(file, Some(line), doc)),
            }
        }
    }
    out
}

/// Where each document starts in the template source, when the source splits into as many
/// documents (at `---` lines) as its output did: the line of the document's `apiVersion:` or
/// `kind:` key, else its first line that is neither blank nor a comment. `None` when the counts
/// differ (documents made by loops or conditions); findings then use the output line.
fn source_document_lines(source: &str, count: usize) -> Option<Vec<usize>> {
    let parts = crate::yaml::load::split_documents(source).ok()?;
    if parts.len() != count {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    let mut start = 1;
    for part in parts {
        // The first key line wins over the first content line; CRD documents are thousands
        // of lines with `apiVersion:` near the top, so the walk stops there.
        let mut content = None;
        let mut key = None;
        for (i, l) in part.lines().enumerate() {
            let t = l.trim_start();
            if t.starts_with("apiVersion:") || t.starts_with("kind:") {
                key = Some(i);
                break;
            }
            if content.is_none() && !t.is_empty() && !t.starts_with('#') {
                content = Some(i);
            }
        }
        out.push(start + key.or(content).unwrap_or(0));
        start += helm::count_newlines(part) + 1;
    }
    Some(out)
}

fn own_checks(
    rendered: &Rendered,
    opts: &Options<'_>,
    disabled: &[String],
    custom: &mut CustomSchemas,
) -> Vec<Diagnostic> {
    let kube_minor = kube_minor(opts.kube_version.as_ref(), opts.compat);
    let manifests = manifests(rendered);
    let mut out = Vec::new();
    if !disabled.iter().any(|d| d == SCHEMA_RULE) {
        schema_checks(&manifests, &rendered.values, kube_minor, custom, &mut out);
    }
    let cx = Context {
        manifests: &manifests,
        kube_minor,
        values: &rendered.values,
    };
    out.extend(rules::run(&cx, disabled));
    // Findings in file and line order, whatever rule found them.
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    out
}

/// The minor version lint checks against: `--kube-version`'s, else the Helm version's default.
pub(super) fn kube_minor(kube: Option<&KubeVersion>, compat: Compat) -> u32 {
    let kube = kube
        .cloned()
        .unwrap_or_else(|| KubeVersion::default_for(compat));
    kube.minor.trim_end_matches('+').parse::<u32>().unwrap_or(0)
}

/// The bundled Kubernetes minor version nearest to `minor`.
fn nearest_minor(minor: u32) -> Option<u32> {
    k8s::bundle()
        .minors()
        .into_iter()
        .min_by_key(|m| (i64::from(*m) - i64::from(minor)).abs())
}

/// Validates every manifest against the bundled schemas of Kubernetes `1.<minor>` (the
/// nearest bundled version when that one is not bundled), and the custom resources against
/// the schemas of the CRDs among them or in `custom`.
fn schema_checks(
    manifests: &[Manifest],
    values: &Value,
    minor: u32,
    custom: &mut CustomSchemas,
    out: &mut Vec<Diagnostic>,
) {
    let Some(nearest) = nearest_minor(minor) else {
        return;
    };
    let Some(validator) = k8s::bundle().validator(nearest) else {
        return;
    };
    let disabled = |m: &Manifest| {
        rules::get_str(
            &m.doc,
            &["metadata", "annotations", rules::DISABLE_ANNOTATION],
        )
        .is_some_and(|s| s.split(',').any(|r| r.trim() == SCHEMA_RULE))
    };
    let unknown: Vec<(String, String)> = manifests
        .iter()
        .filter(|m| !disabled(m))
        .filter_map(|m| {
            let api_version = rules::get_str(&m.doc, &["apiVersion"])?;
            let kind = rules::get_str(&m.doc, &["kind"])?;
            (!validator.knows(&api_version, &kind)).then_some((api_version, kind))
        })
        .collect();
    // Only the kinds validated below are looked up.
    let wanted: HashSet<&(String, String)> = unknown.iter().collect();
    for m in manifests {
        custom.add_crd_for(&m.doc, |key| wanted.contains(key));
    }
    let custom = &*custom;
    custom.prefetch(&unknown);
    for m in manifests {
        if disabled(m) {
            continue;
        }
        let diag = |severity, message: String| Diagnostic {
            rule: SCHEMA_RULE,
            severity,
            file: m.file.clone(),
            line: m.line,
            values_key: None,
            resource: Some(m.resource()),
            message,
            help: None,
        };
        match validator.validate(&m.doc) {
            Validation::Checked(violations) => {
                for v in violations {
                    let mut d = diag(Severity::Error, v.to_string());
                    // A wrong value usually comes from the values: name the key it came from.
                    if matches!(
                        v.kind,
                        ViolationKind::WrongType { .. } | ViolationKind::NotAllowed { .. }
                    ) {
                        if let Some(Value::String(s)) = value_at(&m.doc, &v.path) {
                            d.values_key = rules::trace_values_key(values, &s);
                        }
                    }
                    out.push(d);
                }
            }
            Validation::UnknownKind { api_version, kind } => {
                match custom.compiled(&api_version, &kind) {
                    Some(compiled) => match &*compiled {
                        Ok(schema) => match schema.validate(&m.doc) {
                            Ok(errors) => {
                                for e in errors {
                                    out.push(diag(Severity::Error, e));
                                }
                            }
                            Err(e) => out.push(diag(
                                Severity::Warning,
                                format!("the schema for `{api_version}` `{kind}` is not usable: {e}"),
                            )),
                        },
                        Err(e) => out.push(diag(
                            Severity::Warning,
                            format!("the schema for `{api_version}` `{kind}` is not usable: {e}"),
                        )),
                    },
                    None => out.push(diag(
                        Severity::Info,
                        format!(
                            "no schema for `{api_version}` `{kind}` in Kubernetes 1.{nearest}; not validated"
                        ),
                    )),
                }
            }
            Validation::MissingKind => out.push(diag(
                Severity::Error,
                "(root): a manifest needs string `apiVersion` and `kind` fields".to_string(),
            )),
        }
    }
}

/// The value at a violation path such as `spec.template.spec.containers[0].image`.
fn value_at(doc: &Value, path: &str) -> Option<Value> {
    let mut cur = doc.clone();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            cur = rules::get(&cur, &[key])?;
        }
        for idx in indexes.split('[').filter(|s| !s.is_empty()) {
            let i: usize = idx.trim_end_matches(']').parse().ok()?;
            cur = match &cur {
                Value::List(items) => items.get(i)?.clone(),
                _ => return None,
            };
        }
    }
    Some(cur)
}

/// A `.tgz` chart extracted into a folder of its own, removed when dropped.
struct Extracted {
    root: PathBuf,
    chart_dir: PathBuf,
}

impl Drop for Extracted {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn extract(path: &str) -> Result<Extracted, String> {
    let data = fs::read(path)
        .map_err(|e| format!("unable to open tarball: open {path}: {}", go_io_text(&e)))?;
    let files = crate::chart::archive::unpack(&data)
        .map_err(|e| format!("unable to extract tarball: {}", e.message))?;
    let root = unique_temp_dir().map_err(|e| format!("unable to extract tarball: {e}"))?;
    let chart_dir = root.join("chart");
    let guard = Extracted { root, chart_dir };
    for f in files {
        let rel = crate::chart::archive::clean_path(&f.name);
        if rel.starts_with("..") || Path::new(&rel).is_absolute() {
            continue;
        }
        let target = guard.chart_dir.join(&rel);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("unable to extract tarball: {e}"))?;
        }
        fs::write(&target, &f.data).map_err(|e| format!("unable to extract tarball: {e}"))?;
    }
    fs::create_dir_all(&guard.chart_dir).map_err(|e| format!("unable to extract tarball: {e}"))?;
    Ok(guard)
}

fn unique_temp_dir() -> std::io::Result<PathBuf> {
    let base = std::env::temp_dir();
    for n in 0..1000u32 {
        let dir = base.join(format!("chartctl-lint-{}-{n}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary folder name"))
}

/// The subcharts `--with-subcharts` adds for `path`: every folder holding a `Chart.yaml` and
/// every `.tgz`/`.tar.gz` under `<path>/charts`, in lexical walk order.
pub fn subchart_paths(path: &str) -> Vec<String> {
    let charts = Path::new(path).join("charts");
    let mut out = Vec::new();
    walk(&charts, &mut out, 0);
    out.into_iter()
        .map(|p| crate::render::output::go_clean(&p.display().to_string()))
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 64 {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_dir() {
            if p.join("Chart.yaml").is_file() {
                out.push(p.clone());
            }
            walk(&p, out, depth + 1);
        } else if name.ends_with(".tgz") || name.ends_with(".tar.gz") {
            out.push(p);
        }
    }
}

/// The Kubernetes version option for `compat`, parsed as Helm parses `--kube-version`.
pub fn kube_version(flag: Option<&str>, compat: Compat) -> Result<Option<KubeVersion>, String> {
    match flag.filter(|v| !v.is_empty()) {
        Some(v) => KubeVersion::parse(v, compat)
            .map(Some)
            .map_err(|e| format!("invalid kube version '{v}': {e}")),
        None => Ok(None),
    }
}
