//! `helm lint`'s own checks, in Helm's order and with Helm's texts: `Chart.yaml`, `values.yaml`,
//! the templates (load, schema, render in lint mode, then per-file checks of the root chart's
//! YAML templates), dependencies, and (Helm 4) `crds/`.
//!
//! [`lint_chart`] returns the messages and, when the chart rendered, the rendered files and
//! coalesced values, so chartctl's own checks can run on the same render.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::chart::metadata::{self, go_quote};
use crate::chart::{self, Chart, Warning};
use crate::gotemplate::value::{Map, Value};
use crate::render::capabilities::{Capabilities, KubeVersion};
use crate::render::engine::{self, RenderContext};
use crate::render::objects::ReleaseInfo;
use crate::yaml::YamlError;
use crate::{funcs, Compat};

use super::custom::{ChartCrds, ParsedCrds};
use super::diagnostic::Severity;

/// One Helm lint message: `[SEVERITY] path: text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub severity: Severity,
    pub path: String,
    pub text: String,
}

/// What a lint run needs besides the chart.
pub struct Options<'a> {
    pub compat: Compat,
    pub namespace: String,
    pub kube_version: Option<KubeVersion>,
    pub skip_schema_validation: bool,
    /// chartctl's custom-resource validation will follow: the CRD documents the templates may
    /// need are parsed during the render.
    pub custom_resources: bool,
    /// The user's values (`-f`, `--set`...), merged.
    pub user_values: &'a Map,
}

/// The outcome of Helm's checks on one chart.
#[derive(Default)]
pub struct HelmLint {
    pub messages: Vec<Message>,
    /// Helm 3 crashes on a null maintainer entry: the run ends with this panic text.
    pub panic: Option<String>,
    /// The chart's rendered templates (full template name → text) and coalesced values, when
    /// the render succeeded.
    pub rendered: Option<Rendered>,
    /// The CRDs the chart and its subcharts ship, for validating custom resources.
    pub crds: ChartCrds,
}

pub struct Rendered {
    pub files: BTreeMap<String, String>,
    /// The documents of the rendered files Helm's checks parsed, by the same full names.
    pub documents: BTreeMap<String, Vec<Document>>,
    /// The template sources by the same full names, to map documents back to source lines.
    pub sources: BTreeMap<String, String>,
    pub values: Value,
    /// The root chart's name (template names start with it).
    pub chart_name: String,
    /// Stderr lines the engine logged (`required`/`fail` in lint mode).
    pub warnings: Vec<Warning>,
}

struct Linter {
    messages: Vec<Message>,
    /// What the engine logged while rendering (stderr lines).
    logs: Vec<Warning>,
}

impl Linter {
    fn add(&mut self, severity: Severity, path: &str, text: impl Into<String>) {
        self.messages.push(Message {
            severity,
            path: path.to_string(),
            text: text.into(),
        });
    }
}

/// Runs Helm's lint rules on the chart folder `dir`.
pub fn lint_chart(dir: &Path, opts: &Options<'_>) -> HelmLint {
    let mut l = Linter {
        messages: Vec::new(),
        logs: Vec::new(),
    };
    let loadable = chartfile(&mut l, dir, opts.compat);
    if opts.compat == Compat::Helm3 && l.messages.iter().any(|m| m.text == NULL_MAINTAINER) {
        return HelmLint {
            panic: Some(
                "panic: runtime error: invalid memory address or nil pointer dereference".into(),
            ),
            ..HelmLint::default()
        };
    }
    values_file(&mut l, dir, opts);
    if !loadable {
        // Helm 4 lints only the chart API versions it can load; the rest stops here.
        chart::yamlio::forget_handed_over();
        return HelmLint {
            messages: l.messages,
            ..HelmLint::default()
        };
    }
    let mut warnings = Vec::new();
    let loaded = chart::load(dir, opts.compat, &mut warnings);
    if let Ok(chart) = &loaded {
        crate::hugepages::allow_if_large(chart.size());
    }
    // When `.helmignore` hid `values.yaml`, the values rule's parse was not taken.
    chart::yamlio::forget_handed_over();
    let crd_files: Vec<chart::ChartFile> = match &loaded {
        Ok(c) => {
            let mut files = Vec::new();
            collect_crd_files(c, &mut files, 0);
            files
        }
        Err(_) => Vec::new(),
    };
    let texts: Vec<String> = crd_files
        .iter()
        .map(|f| chart::text_of(&f.data).into_owned())
        .collect();
    let crd_dir = dir.join("crds");
    let check_crds = opts.compat == Compat::Helm4 && crd_dir.exists();
    // Helm 4's CRD check parses every CRD document in full, which for operator charts
    // (megabytes of CRDs) costs more than the render: the documents are parsed on a second
    // thread while the templates render, and on both threads once the render is done. The
    // parsed documents then also serve the validation of custom resources. The documents that
    // may define a kind the templates name literally (`kind: RayCluster`) go first and are
    // kept: custom-resource validation will likely want them, and without the check they are
    // the only ones parsed here.
    let named: HashSet<String> = match &loaded {
        Ok(c) if opts.custom_resources => {
            let mut named = HashSet::new();
            template_kinds(c, &mut named, 0);
            named
        }
        _ => HashSet::new(),
    };
    let crd_check = check_crds && crd_dir.is_dir();
    let parts: Vec<Part<'_>> = if crd_check || !named.is_empty() {
        texts
            .iter()
            .enumerate()
            .filter_map(|(i, t)| crate::yaml::load::split_documents(t).ok().map(|p| (i, p)))
            .flat_map(|(i, parts)| {
                parts.into_iter().enumerate().map(move |(j, text)| Part {
                    file: i,
                    doc: j,
                    text,
                    early: false,
                })
            })
            .map(|mut p| {
                // A CRD's own `kind: CustomResourceDefinition` says nothing of the kind it
                // defines (and charts that render CRDs name that kind too).
                p.early = super::custom::kind_values(p.text)
                    .any(|k| k != "CustomResourceDefinition" && named.contains(k));
                p
            })
            .filter(|p| crd_check || p.early)
            .collect()
    } else {
        Vec::new()
    };
    let load_error = loaded.as_ref().err().map(|e| e.message.clone());
    let dependency_messages = dependencies(dir, &loaded);
    let (rendered, parsed, kept) = parse_during(
        &parts,
        || {
            let rendered = templates(&mut l, dir, opts, loaded, warnings);
            l.messages.extend(dependency_messages);
            rendered
        },
        |rendered| rendered.as_ref().map(rendered_kinds).unwrap_or_default(),
    );
    if crd_check {
        crds(&mut l, load_error.as_deref(), &crd_files, &parts, &parsed);
    } else if check_crds {
        l.add(Severity::Error, "crds/", "not a directory");
    }
    // Custom-resource validation takes the schemas of the documents that may define a
    // rendered kind from the parse above (keeping every parsed CRD of an operator chart would
    // cost more memory than Helm's whole run) and parses the few others it needs.
    let chart_crds = ChartCrds::new(texts);
    *chart_crds
        .parsed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = kept;
    let mut rendered = rendered;
    if let Some(r) = rendered.as_mut() {
        r.warnings.splice(0..0, l.logs.drain(..));
    }
    HelmLint {
        messages: l.messages,
        panic: None,
        rendered,
        crds: chart_crds,
    }
}

/// What Helm's CRD check reads of a document: its top-level `apiVersion` and `kind` strings
/// (empty when missing or not strings), or `None` for an empty document.
type CrdHead = Option<(String, String)>;

/// One CRD document for [`parse_during`]: the index of its file, its index in the file, its
/// text, and whether it goes first and is kept whatever the render shows.
struct Part<'a> {
    file: usize,
    doc: usize,
    text: &'a str,
    early: bool,
}

/// The least CRD text [`parse_during`] starts a second thread for: starting one costs about
/// half a millisecond here, more than parsing a few small CRDs after the render (multus-cni,
/// whereabouts, sealed-secrets, grafana-alloy, kube-arangodb: 2-27 KB, 0.5-1 ms faster each
/// without the thread; argo-workflows and kong, 117-161 KB, the same either way).
const HELPER_TEXT: usize = 128 << 10;

/// Runs `during` on this thread while the documents `parts` are parsed on a second one (the
/// `early` ones first, largest first; only when there is enough text, see [`HELPER_TEXT`]),
/// then helps with what is left. Each document is parsed as `sigs.k8s.io/yaml` reads it
/// (goyaml, then the JSON conversion); a document that fails keeps its error. Once `during` is
/// done, `kinds` of its result names the kinds worth keeping: the parsed documents that may
/// define one of them (see `custom::names_kind`), early or not, are kept as the schemas they
/// define, by (file, document) index.
fn parse_during<R>(
    parts: &[Part<'_>],
    during: impl FnOnce() -> R,
    kinds: impl FnOnce(&R) -> Vec<String>,
) -> (R, Vec<Result<CrdHead, YamlError>>, ParsedCrds) {
    let slots: Vec<OnceLock<Result<CrdHead, YamlError>>> =
        parts.iter().map(|_| OnceLock::new()).collect();
    // Early documents first; largest first within each group, so that the last documents
    // taken, when the two threads run side by side, are small ones (CRD files hold a few
    // documents of up to a megabyte each).
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| (!parts[i].early, std::cmp::Reverse(parts[i].text.len())));
    let wanted: OnceLock<Vec<String>> = OnceLock::new();
    let kept: Mutex<ParsedCrds> = Mutex::default();
    // `custom::names_kind` for each wanted kind, in one pass over the text.
    let may_define_wanted = |part: &Part<'_>| {
        wanted.get().is_some_and(|kinds| {
            super::custom::kind_values(part.text).any(|v| kinds.iter().any(|k| k == v))
        })
    };
    let next = AtomicUsize::new(0);
    let work = || {
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let part = &parts[i];
            let parsed = if part.early || may_define_wanted(part) {
                crate::yaml::load::load_go_first(part.text).and_then(|doc| {
                    crate::yaml::load::check_json_value(&doc)?;
                    kept.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert((part.file, part.doc), super::custom::crd_schemas(&doc));
                    Ok(crate::yaml::load::head_of(&doc))
                })
            } else {
                // Nothing to keep: the head alone, skimmed without building the document
                // where the fast path can.
                crate::yaml::load::manifest_head(part.text)
            };
            let _ = slots[i].set(parsed);
        }
    };
    let result = std::thread::scope(|s| {
        let text: usize = parts.iter().map(|p| p.text.len()).sum();
        let helper = (text >= HELPER_TEXT)
            .then(|| {
                crate::cores::spawn_scoped(s, std::thread::Builder::new().stack_size(8 << 20), work)
                    .ok()
            })
            .flatten();
        let result = during();
        let _ = wanted.set(kinds(&result));
        // Without a second thread, this one does all the parsing.
        work();
        if let Some(h) = helper {
            if let Err(panic) = h.join() {
                // A panic while parsing is a bug in chartctl: carry it to this thread.
                std::panic::resume_unwind(panic);
            }
        }
        result
    });
    let parsed = slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|| Err(YamlError::plain("document not parsed")))
        })
        .collect();
    let mut kept = kept.into_inner().unwrap_or_else(PoisonError::into_inner);
    // Early documents the render turned out not to need.
    for part in parts {
        if part.early && !may_define_wanted(part) {
            // Schemas of megabytes for operator charts: freeing them can wait for the exit.
            if let Some(unwanted) = kept.remove(&(part.file, part.doc)) {
                crate::teardown::discard(unwanted);
            }
        }
    }
    (result, parsed, kept)
}

/// Adds the kinds the templates of `chart` and its subcharts name literally (`kind: X`, see
/// `custom::kind_values`) to `out`.
fn template_kinds(chart: &Chart, out: &mut HashSet<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    for t in &chart.templates {
        if let Ok(text) = std::str::from_utf8(&t.data) {
            out.extend(super::custom::kind_values(text).map(str::to_string));
        }
    }
    for d in &chart.dependencies {
        template_kinds(d, out, depth + 1);
    }
}

/// The kinds of the rendered documents whose API group could be a CRD's (it has a dot: not
/// `v1`, `apps/v1`, `batch/v1`), each once.
fn rendered_kinds(rendered: &Rendered) -> Vec<String> {
    let mut kinds: Vec<String> = rendered
        .documents
        .values()
        .flatten()
        .filter_map(|(_, doc)| doc.as_ref().ok())
        .filter(|doc| {
            str_at(doc, &["apiVersion"])
                .split_once('/')
                .is_some_and(|(group, _)| group.contains('.'))
        })
        .map(|doc| str_at(doc, &["kind"]))
        .filter(|k| !k.is_empty())
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

// ---------------------------------------------------------------------------------------------
// Chart.yaml

const NULL_MAINTAINER: &str = "a maintainer entry is empty";

/// Helm's `Chartfile` rules. Returns false when Helm 4 would go no further than the values
/// (a chart `apiVersion` other than empty, `v1` or `v2`).
fn chartfile(l: &mut Linter, dir: &Path, compat: Compat) -> bool {
    const FILE: &str = "Chart.yaml";
    let path = dir.join(FILE);
    if path.is_dir() {
        l.add(Severity::Error, FILE, "should be a file, not a directory");
    }
    let data = match fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            l.add(
                Severity::Error,
                FILE,
                format!("unable to parse YAML\n\t{}", io_text(&path, &e)),
            );
            return true;
        }
    };
    let doc = match chart::yamlio::load_document(&data) {
        Ok(d) => d,
        Err(e) => {
            l.add(
                Severity::Error,
                FILE,
                format!("unable to parse YAML\n\t{e}"),
            );
            return true;
        }
    };
    let mut md = metadata::Metadata::default();
    if let Err(e) = metadata::decode_into(&mut md, &doc, compat) {
        l.add(
            Severity::Error,
            FILE,
            format!("unable to parse YAML\n\t{}", e.message),
        );
        return true;
    }
    if compat == Compat::Helm4 {
        let dups = duplicate_top_keys(&chart::text_of(&data));
        if !dups.is_empty() {
            l.add(
                Severity::Warning,
                FILE,
                format!("failed to strictly parse chart metadata file\n\terror converting YAML to JSON: yaml: unmarshal errors:\n{}", dups.join("\n")),
            );
        } else if let Some(field) = unknown_chart_field(&doc) {
            l.add(
                Severity::Warning,
                FILE,
                format!("failed to strictly parse chart metadata file\n\terror unmarshaling JSON: while decoding JSON: json: unknown field {}", go_quote(&field)),
            );
        }
    }
    let raw = |key: &str| doc.as_map().and_then(|m| m.borrow().get(key).cloned());

    // name
    if md.name.is_empty() {
        l.add(Severity::Error, FILE, "name is required");
    } else if md.name.contains('/') || md.name.contains('\\') || md.name.contains("..") {
        l.add(
            Severity::Error,
            FILE,
            format!("chart name {} is invalid", go_quote(&md.name)),
        );
    }
    // apiVersion
    match md.api_version.as_str() {
        "v1" | "v2" => {}
        "" => l.add(
            Severity::Error,
            FILE,
            "apiVersion is required. The value must be either \"v1\" or \"v2\"",
        ),
        other => l.add(
            Severity::Error,
            FILE,
            format!("apiVersion '{other}' is not valid. The value must be either \"v1\" or \"v2\""),
        ),
    }
    // version type, version
    if let Some(v) = raw("version") {
        if !matches!(v, Value::String(_) | Value::Nil) {
            l.add(
                Severity::Error,
                FILE,
                format!(
                    "version should be of type string but it's of type {}",
                    go_type(&v)
                ),
            );
        }
    }
    if md.version.is_empty() {
        l.add(Severity::Error, FILE, "version is required");
    } else if !metadata::is_valid_semver(&md.version) {
        l.add(
            Severity::Error,
            FILE,
            format!("version '{}' is not a valid SemVer", md.version),
        );
    } else if is_zero_version(&md.version) {
        l.add(
            Severity::Error,
            FILE,
            match compat {
                Compat::Helm4 => format!(
                    "version {} is less than or equal to \"0.0.0-0\"",
                    go_quote(&md.version)
                ),
                Compat::Helm3 => format!("version {} is less than or equal to 0.0.0-0", md.version),
            },
        );
    }
    if let Some(v) = raw("appVersion") {
        if !matches!(v, Value::String(_) | Value::Nil) {
            l.add(
                Severity::Error,
                FILE,
                format!(
                    "appVersion should be of type string but it's of type {}",
                    go_type(&v)
                ),
            );
        }
    }
    // maintainers
    for m in &md.maintainers {
        let msg = match m {
            None => Some(NULL_MAINTAINER.to_string()),
            Some(m) if m.name.is_empty() => Some("each maintainer requires a name".to_string()),
            Some(m) if !m.email.is_empty() && !is_email(&m.email) => Some(format!(
                "invalid email '{}' for maintainer '{}'",
                m.email, m.name
            )),
            Some(m) if !m.url.is_empty() && !is_lenient_url(&m.url) => Some(format!(
                "invalid url '{}' for maintainer '{}'",
                m.url, m.name
            )),
            Some(_) => None,
        };
        if let Some(msg) = msg {
            l.add(Severity::Error, FILE, msg);
            break;
        }
    }
    for s in &md.sources {
        if s.is_empty() || !is_url(s) {
            l.add(Severity::Error, FILE, format!("invalid source URL '{s}'"));
            break;
        }
    }
    if md.icon.is_empty() {
        l.add(Severity::Info, FILE, "icon is recommended");
    } else if !is_url(&md.icon) {
        l.add(
            Severity::Error,
            FILE,
            format!("invalid icon URL '{}'", md.icon),
        );
    }
    if compat == Compat::Helm4 && !is_strict_semver(&md.version) {
        l.add(
            Severity::Warning,
            FILE,
            format!("version '{}' is not a valid SemVerV2", md.version),
        );
    }
    if md.api_version == "v1" {
        if !md.chart_type.is_empty() {
            l.add(
                Severity::Error,
                FILE,
                "chart type is not valid in apiVersion 'v1'. It is valid in apiVersion 'v2'",
            );
        }
        if raw("dependencies").is_some_and(|d| !matches!(d, Value::Nil)) {
            l.add(Severity::Error, FILE, "dependencies are not valid in the Chart file with apiVersion 'v1'. They are valid in apiVersion 'v2'");
        }
    }
    compat == Compat::Helm3 || matches!(md.api_version.as_str(), "" | "v1" | "v2")
}

/// goyaml's `line N: key "k" already set in map` for every repeated top-level key of a
/// block mapping.
fn duplicate_top_keys(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with([' ', '\t', '#', '-']) || line.starts_with("---") {
            continue;
        }
        let Some((key, _)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
        if key.is_empty() {
            continue;
        }
        if !seen.insert(key.to_string()) {
            out.push(format!(
                "  line {}: key {} already set in map",
                i + 1,
                go_quote(key)
            ));
        }
    }
    out
}

/// The fields of Helm's `Metadata` struct, as `Chart.yaml` spells them.
const CHART_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];

/// The first top-level key of `Chart.yaml` Go's strict decoder rejects. Go's JSON decoder
/// matches field names case-insensitively.
fn unknown_chart_field(doc: &Value) -> Option<String> {
    let map = doc.as_map()?;
    let map = map.borrow();
    map.keys()
        .find(|k| !CHART_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(k)))
        .cloned()
}

/// The Go type name `sigs.k8s.io/yaml` gives a raw `Chart.yaml` value.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Uint(_) | Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::List(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
        _ => "<nil>",
    }
}

/// `>0.0.0-0` fails only for versions at or below `0.0.0-0`: `0.0.0-0` itself (and
/// `0.0.0-0` with build metadata).
fn is_zero_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let core = v.split('+').next().unwrap_or(v);
    matches!(core, "0.0.0-0" | "0.0-0" | "0-0")
}

/// Strict SemVer 2: `MAJOR.MINOR.PATCH[-pre][+build]` without a `v` or leading zeros.
fn is_strict_semver(v: &str) -> bool {
    let (rest, build) = match v.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 || !parts.iter().all(|p| numeric(p)) {
        return false;
    }
    let ident_ok =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if let Some(pre) = pre {
        for id in pre.split('.') {
            if !ident_ok(id) {
                return false;
            }
            if id.bytes().all(|b| b.is_ascii_digit()) && !numeric(id) {
                return false;
            }
        }
    }
    if let Some(build) = build {
        if !build.split('.').all(ident_ok) {
            return false;
        }
    }
    true
}

/// A simplified form of govalidator's `IsEmail`: `local@domain.tld`.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// govalidator's `IsRequestURL` in the common cases: Go's `url.ParseRequestURI` accepts it
/// and it has a scheme.
fn is_url(s: &str) -> bool {
    if s.contains(char::is_whitespace) || s.is_empty() {
        return false;
    }
    match s.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// govalidator's `IsURL` in the common cases: a scheme is optional, but the host must look
/// like a host name or address.
fn is_lenient_url(s: &str) -> bool {
    if s.len() <= 3 || s.len() >= 2083 || s.starts_with('.') || s.contains(char::is_whitespace) {
        return false;
    }
    let rest = s.split_once("://").map_or(s, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    !host.is_empty()
        && !host.starts_with('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn io_text(path: &Path, e: &std::io::Error) -> String {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    format!("open {}: {what}", path.display())
}

// ---------------------------------------------------------------------------------------------
// values.yaml

fn values_file(l: &mut Linter, dir: &Path, opts: &Options<'_>) {
    const FILE: &str = "values.yaml";
    let path = dir.join(FILE);
    let data = match fs::read(&path) {
        Ok(d) => d,
        Err(_) if !path.exists() => {
            l.add(Severity::Info, FILE, "file does not exist");
            return;
        }
        Err(e) => {
            l.add(
                Severity::Error,
                FILE,
                format!("unable to parse YAML: {}", io_text(&path, &e)),
            );
            return;
        }
    };
    let values = match chart::yamlio::load_values(&data, opts.compat) {
        Ok(v) => v,
        Err(e) => {
            // Helm's `ReadValuesFile` decodes into its own `Values` type, without the
            // per-document context of the chart loader.
            let e = e
                .strip_prefix("cannot unmarshal yaml document: ")
                .unwrap_or(&e);
            let type_name = match opts.compat {
                Compat::Helm4 => "common.Values",
                Compat::Helm3 => "chartutil.Values",
            };
            let e = e.replace(
                "Go value of type map[string]interface {}",
                &format!("Go value of type {type_name}"),
            );
            l.add(Severity::Error, FILE, format!("unable to parse YAML: {e}"));
            return;
        }
    };
    values_schema(l, dir, opts, &values);
    // The chart loader parses the same file next.
    chart::yamlio::hand_over(&data, opts.compat, values);
}

/// The values rule's schema check of `values.yaml` (parsed as `values`).
fn values_schema(l: &mut Linter, dir: &Path, opts: &Options<'_>, values: &Map) {
    const FILE: &str = "values.yaml";
    let Ok(schema) = fs::read(dir.join("values.schema.json")) else {
        return;
    };
    if schema.is_empty() || (opts.skip_schema_validation && opts.compat == Compat::Helm4) {
        return;
    }
    // Only the top level is checked: the overrides coalesced over values.yaml as tables.
    let merged = chart::values::merge_maps(values, opts.user_values);
    let merged = Value::map(merged);
    if let Err(e) = chart::schema::validate_single(&schema, &merged, opts.compat) {
        l.add(Severity::Error, FILE, e);
    }
}

// ---------------------------------------------------------------------------------------------
// templates

fn templates(
    l: &mut Linter,
    dir: &Path,
    opts: &Options<'_>,
    loaded: Result<Chart, chart::Error>,
    mut warnings: Vec<Warning>,
) -> Option<Rendered> {
    const DIR: &str = "templates/";
    let compat = opts.compat;
    let tdir = dir.join("templates");
    match compat {
        Compat::Helm4 => {
            if !tdir.exists() {
                l.add(Severity::Warning, DIR, "directory does not exist");
                return None;
            }
            if !tdir.is_dir() {
                l.add(Severity::Error, DIR, "not a directory");
                return None;
            }
        }
        Compat::Helm3 => {
            if tdir.exists() && !tdir.is_dir() {
                l.add(Severity::Warning, DIR, "not a directory");
                return None;
            }
        }
    }
    let loaded = match loaded {
        Ok(c) => c,
        Err(e) => {
            l.add(Severity::Error, DIR, e.message);
            return None;
        }
    };
    let root_templates = loaded.templates.clone();
    let chart_name = loaded.name().to_string();
    // Observed on both Helms: in lint, a top-level null in the user's values does not delete
    // the chart's default (a nested one does), so top-level nulls are dropped here.
    let mut user = opts.user_values.clone();
    user.retain(|_, v| !matches!(v, Value::Nil));
    // Dependency and coalescing failures end the template checks silently, as in Helm.
    let prepared = chart::dependencies::prepare(loaded, &user, compat, &mut warnings).ok()?;
    if !opts.skip_schema_validation {
        if let Err(e) = chart::schema::validate(&prepared.chart, &prepared.values, compat) {
            l.add(Severity::Error, DIR, e.message);
            return None;
        }
    }
    let caps = Rc::new(Capabilities::new(compat, opts.kube_version.clone(), &[]));
    let ctx = RenderContext {
        release: ReleaseInfo {
            name: "test-release".into(),
            namespace: opts.namespace.clone(),
            is_upgrade: false,
            revision: 0,
        },
        capabilities: caps,
        compat,
        to_yaml: crate::render::to_yaml,
    };
    let funcs = Rc::new(funcs::function_map(compat));
    let mut logs = Vec::new();
    let result = engine::render_lint(&prepared.chart, &prepared.values, funcs, &ctx, &mut logs);
    l.logs.extend(logs.iter().map(|m| engine_log(m)));
    let rendered = match result {
        Ok(r) => r,
        Err(e) => {
            l.add(Severity::Error, DIR, e);
            return None;
        }
    };
    let kube_minor = super::run::kube_minor(opts.kube_version.as_ref(), compat);
    let mut documents = BTreeMap::new();
    per_template_checks(
        l,
        &root_templates,
        &chart_name,
        &rendered,
        compat,
        kube_minor,
        &mut documents,
    );
    let mut sources = BTreeMap::new();
    collect_sources(&prepared.chart, &mut sources, 0);
    Some(Rendered {
        files: rendered,
        documents,
        sources,
        values: prepared.values,
        chart_name,
        warnings,
    })
}

/// Every template's source text by its full name (`root/charts/sub/templates/x.yaml`).
fn collect_sources(chart: &Chart, out: &mut BTreeMap<String, String>, depth: usize) {
    if depth > 64 {
        return;
    }
    let full = chart.full_path();
    for t in &chart.templates {
        out.insert(
            format!("{full}/{}", t.name),
            chart::text_of(&t.data).into_owned(),
        );
    }
    for d in &chart.dependencies {
        collect_sources(d, out, depth + 1);
    }
}

fn per_template_checks(
    l: &mut Linter,
    templates: &[chart::ChartFile],
    chart_name: &str,
    rendered: &BTreeMap<String, String>,
    compat: Compat,
    kube_minor: u32,
    documents: &mut BTreeMap<String, Vec<Document>>,
) {
    for t in templates {
        let name = t.name.as_str();
        let ext = go_ext(name);
        if !matches!(ext, ".yaml" | ".yml" | ".tpl" | ".txt") {
            l.add(
                Severity::Error,
                name,
                format!(
                    "file extension '{ext}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"
                ),
            );
        }
        if compat == Compat::Helm3 {
            let raw = chart::text_of(&t.data);
            if crd_install_hook(&raw) {
                l.add(Severity::Warning, name, "manifest is a crd-install hook. This hook is no longer supported in v3 and all CRDs should also exist the crds/ directory at the top level of the chart");
            }
            if raw.contains(".Release.Time") {
                l.add(Severity::Error, name, ".Release.Time has been removed in v3, please replace with the `now` function in your templates");
            }
        }
        let is_yaml = match compat {
            Compat::Helm3 => ext == ".yaml",
            Compat::Helm4 => {
                let lower = ext.to_ascii_lowercase();
                lower == ".yaml" || lower == ".yml"
            }
        };
        if !is_yaml {
            continue;
        }
        let full_name = format!("{chart_name}/{name}");
        let Some(content) = rendered.get(&full_name) else {
            continue;
        };
        if content.trim().is_empty() {
            continue;
        }
        if let Some(line) = content.lines().find(|line| !line.trim().is_empty()) {
            if line.starts_with(' ') || line.starts_with('\t') {
                l.add(
                    Severity::Warning,
                    name,
                    format!(
                        "document starts with an illegal indent: {}, which may cause parsing problems",
                        go_quote(line)
                    ),
                );
            }
        }
        let docs = match parse_documents(content) {
            Ok(d) => documents.entry(full_name).or_insert(d),
            Err(e) => {
                l.add(Severity::Error, name, format!("unable to parse YAML: {e}"));
                return;
            }
        };
        for (_, doc) in docs.iter() {
            let doc = match doc {
                Ok(doc) => doc,
                Err(e) => {
                    l.add(Severity::Error, name, format!("unable to parse YAML: {e}"));
                    return;
                }
            };
            if matches!(doc, Value::Nil) {
                continue;
            }
            let kind = str_at(doc, &["kind"]);
            let api = str_at(doc, &["apiVersion"]);
            let obj_name = str_at(doc, &["metadata", "name"]);
            if let Some(msg) = super::naming::validate_name(&kind, &obj_name) {
                l.add(
                    Severity::Warning,
                    name,
                    format!(
                        "object name does not conform to Kubernetes naming requirements: {}: {msg}",
                        go_quote(&obj_name)
                    ),
                );
            }
            // Helm 4's client-go scheme no longer registers the autoscaling betas.
            let registered = !(compat == Compat::Helm4 && api.starts_with("autoscaling/v2beta"));
            let deprecation = super::rules::helm_deprecation(&api, &kind, kube_minor);
            if let Some(msg) = deprecation.filter(|_| registered) {
                l.add(Severity::Warning, name, msg);
            }
            if matches!(
                kind.as_str(),
                "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet"
            ) && !content.contains("matchLabels")
                && !content.contains("matchExpressions")
            {
                l.add(
                    Severity::Error,
                    name,
                    format!(
                        "a {kind} must contain matchLabels or matchExpressions, and {} does not",
                        go_quote(&obj_name)
                    ),
                );
            }
            if kind == "List" && list_has_resource_policy(content) {
                let text = match compat {
                    Compat::Helm4 => {
                        "annotation 'helm.sh/resource-policy' within List objects are ignored"
                    }
                    Compat::Helm3 => {
                        "Annotation 'helm.sh/resource-policy' within List objects are ignored"
                    }
                };
                l.add(Severity::Error, name, text);
            }
        }
    }
}

/// The stderr line each Helm prints for a `required` or `fail` that lint mode let pass.
fn engine_log(msg: &str) -> Warning {
    if let Some(text) = msg.strip_prefix("missing required value: ") {
        Warning::split(
            "engine.go:206",
            &format!("[INFO] Missing required value: {text}"),
            "missing required value",
            &[("message", text)],
        )
    } else if let Some(text) = msg.strip_prefix("fail: ") {
        Warning {
            helm3: format!("engine.go:227: [INFO] Fail: {text}"),
            helm4: format!(
                "level=INFO msg=\"funcMap fail\" message={}",
                slog_value(text)
            ),
        }
    } else {
        Warning::printf("engine.go", msg)
    }
}

/// `slog`'s text handler quoting: quoted when empty or holding spaces, `=`, `"` or controls.
fn slog_value(s: &str) -> String {
    let plain = !s.is_empty()
        && !s
            .chars()
            .any(|c| c == '=' || c == '"' || c.is_whitespace() || c.is_control());
    if plain {
        s.to_string()
    } else {
        go_quote(s)
    }
}

/// Go's `filepath.Ext`: from the last dot of the base name.
fn go_ext(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.rfind('.').map_or("", |i| &base[i..])
}

/// `"?helm\.sh/hook"?:\s+crd-install`
fn crd_install_hook(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find("helm.sh/hook") {
        let after = &rest[i + "helm.sh/hook".len()..];
        let after = after.strip_prefix('"').unwrap_or(after);
        if let Some(after) = after.strip_prefix(':') {
            let trimmed = after.trim_start();
            if trimmed.len() < after.len() && trimmed.starts_with("crd-install") {
                return true;
            }
        }
        rest = &rest[i + 1..];
    }
    false
}

/// A rendered document: the line its content starts at, and its value or parse error.
pub type Document = (usize, Result<Value, String>);

/// The rendered file's documents as Kubernetes' YAML reader splits them, each with the line
/// (1-based) where its content starts in the file, or its parse error (Helm's text).
pub fn parse_documents(content: &str) -> Result<Vec<Document>, String> {
    let parts = crate::yaml::load::split_documents(content).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut line = 1;
    for part in parts {
        let start = line;
        // The document's lines, then the separator line.
        line += count_newlines(part) + 1;
        let doc = crate::yaml::load::load_first(part).map_err(|e| e.sigs().to_string());
        out.push((first_content_line(part, start), doc));
    }
    Ok(out)
}

/// The number of line feeds in `text` (a byte count the compiler vectorises; most lines are
/// short, so searching for each one costs more).
pub fn count_newlines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

fn first_content_line(part: &str, start: usize) -> usize {
    part.lines()
        .position(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .map_or(start, |i| start + i)
}

fn list_has_resource_policy(content: &str) -> bool {
    let Ok(doc) = crate::yaml::load::load_first(content) else {
        return false;
    };
    let Some(Value::List(items)) = super::rules::get(&doc, &["items"]) else {
        return false;
    };
    items.iter().any(|item| {
        super::rules::get(item, &["metadata", "annotations"])
            .as_ref()
            .and_then(Value::as_map)
            .is_some_and(|m| m.borrow().contains_key("helm.sh/resource-policy"))
    })
}

fn str_at(doc: &Value, path: &[&str]) -> String {
    match super::rules::get(doc, path) {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// dependencies

/// Helm's dependency rule on the loaded chart; its messages, for where Helm reports them.
fn dependencies(dir: &Path, loaded: &Result<Chart, chart::Error>) -> Vec<Message> {
    let mut l = Linter {
        messages: Vec::new(),
        logs: Vec::new(),
    };
    let loaded = match loaded {
        Ok(c) => c,
        Err(e) => {
            l.add(
                Severity::Error,
                "",
                format!("unable to load chart\n\t{}", e.message),
            );
            return l.messages;
        }
    };
    let abs = abs_dir(dir);
    let dep_names: Vec<&str> = loaded.metadata.deps().map(|d| d.name.as_str()).collect();
    let undeclared: Vec<&str> = loaded
        .dependencies
        .iter()
        .map(Chart::name)
        .filter(|n| !dep_names.contains(n))
        .collect();
    if !undeclared.is_empty() {
        l.add(
            Severity::Error,
            &abs,
            format!(
                "chart metadata is missing these dependencies: {}",
                undeclared.join(",")
            ),
        );
    }
    let missing: Vec<&str> = loaded
        .metadata
        .deps()
        .filter(|d| !loaded.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.as_str())
        .collect();
    if !missing.is_empty() {
        l.add(
            Severity::Warning,
            &abs,
            format!(
                "chart directory is missing these dependencies: {}",
                missing.join(",")
            ),
        );
    }
    l.messages
}

fn abs_dir(dir: &Path) -> String {
    let p: PathBuf = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    crate::render::output::go_clean(&p.display().to_string())
}

// ---------------------------------------------------------------------------------------------
// crds (Helm 4)

/// Helm 4's `crds/` rule (for a `crds/` that is a folder) on the documents [`parse_during`]
/// parsed (`parts` and `parsed` side by side): a YAML error ends the check; every other
/// document must be an `apiextensions.k8s.io` CustomResourceDefinition.
fn crds(
    l: &mut Linter,
    load_error: Option<&str>,
    files: &[chart::ChartFile],
    parts: &[Part<'_>],
    parsed: &[Result<CrdHead, YamlError>],
) {
    if let Some(e) = load_error {
        l.add(Severity::Error, "crds/", e);
        return;
    }
    for (part, doc) in parts.iter().zip(parsed) {
        let name = &files[part.file].name;
        let doc = match doc {
            Ok(d) => d,
            Err(e) => {
                l.add(
                    Severity::Error,
                    name,
                    format!("unable to parse YAML: {}", e.clone().sigs()),
                );
                return;
            }
        };
        let Some((api_version, kind)) = doc else {
            continue;
        };
        if !api_version.starts_with("apiextensions.k8s.io") {
            l.add(
                Severity::Error,
                name,
                "apiVersion is not in 'apiextensions.k8s.io'",
            );
        }
        if kind != "CustomResourceDefinition" {
            l.add(
                Severity::Error,
                name,
                "object kind is not 'CustomResourceDefinition'",
            );
        }
    }
}

fn collect_crd_files(chart: &Chart, out: &mut Vec<chart::ChartFile>, depth: usize) {
    if depth > 64 {
        return;
    }
    out.extend(chart.crd_files().cloned());
    for d in &chart.dependencies {
        collect_crd_files(d, out, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_semver() {
        assert!(is_strict_semver("1.2.3"));
        assert!(is_strict_semver("1.2.3-rc.1+b.5"));
        assert!(!is_strict_semver("v1.2.3"));
        assert!(!is_strict_semver("1.2"));
        assert!(!is_strict_semver("01.2.3"));
        assert!(!is_strict_semver(""));
    }

    #[test]
    fn crd_hook_regex() {
        assert!(crd_install_hook("\"helm.sh/hook\": crd-install"));
        assert!(crd_install_hook("helm.sh/hook:   crd-install"));
        assert!(!crd_install_hook("helm.sh/hook:crd-install"));
    }

    #[test]
    fn documents_carry_their_start_line() {
        let docs = parse_documents("a: 1\n---\n# c\nb: 2\n").unwrap();
        assert_eq!(docs.iter().map(|d| d.0).collect::<Vec<_>>(), vec![1, 4]);
    }
}
