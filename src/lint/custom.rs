//! Schemas for kinds the Kubernetes bundle does not know (custom resources): from
//! `--schema-location DIR` and from the CustomResourceDefinitions the chart itself ships (in
//! `crds/` or rendered from its templates).
//!
//! A schema folder may hold kubeconform-style JSON Schema files, named
//! `<kind>-<group>-<version>.json` (kind lower-cased; the full group or its first label, as
//! `openapi2jsonschema` writes them; `<kind>-<version>.json` for the core group), or YAML/JSON
//! CRD files whose `openAPIV3Schema` is used as a JSON Schema. Validation uses the
//! `jsonschema` crate, offline: a remote `$ref` fails instead of being fetched.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use serde_json::Value as Json;

use crate::gotemplate::value::Value;
use crate::yaml::load::{go_get, Go};

use super::rules::get_str;

/// What CRD documents parsed already define (see [`crd_schemas`]), by (file, document) index.
pub type ParsedCrds = HashMap<(usize, usize), Vec<CrdSchema>>;

/// A schema a CRD defines, by `(group/version, kind)`.
pub type CrdSchema = ((String, String), Json);

/// The CRD files a chart ships (its `crds/` folders and its subcharts'), in chart order.
#[derive(Default)]
pub struct ChartCrds {
    /// Each file's text.
    pub texts: Vec<String>,
    /// What the documents parsed during the render define, by (file, document) index: those
    /// that may define a kind the chart renders (see [`names_kind`]), so that custom-resource
    /// validation does not parse them again.
    pub parsed: Mutex<ParsedCrds>,
}

impl ChartCrds {
    pub fn new(texts: Vec<String>) -> ChartCrds {
        ChartCrds {
            texts,
            parsed: Mutex::default(),
        }
    }
}

/// What is known of CRD files given as text.
#[derive(Default)]
struct FileCrds {
    /// `(apiVersion, kind)` → (index of the file, schema).
    found: HashMap<(String, String), (usize, Json)>,
    /// The `(file, document)` indexes parsed so far.
    parsed: std::collections::HashSet<(usize, usize)>,
    /// Each file's documents as byte ranges, once split (`None` if it does not split).
    parts: HashMap<usize, Option<Vec<std::ops::Range<usize>>>>,
}

/// A schema ready to validate with, or why it cannot be used.
type Compiled = Rc<Result<CompiledSchema, String>>;

/// The custom schemas available to a lint run.
///
/// CRDs (the chart's own, already loaded with it, and the files of `--schema-location`
/// folders, read on first use) are looked at only when a document of a kind the Kubernetes
/// bundle does not know asks for a schema, and only the documents that name that kind are
/// parsed: most charts render no custom resource, and
/// some ship megabytes of CRDs for kinds they never render. Each schema is compiled once per
/// run; [`CustomSchemas::prefetch`] finds and compiles several kinds on two threads.
#[derive(Default)]
pub struct CustomSchemas {
    dirs: Vec<PathBuf>,
    /// The chart's own CRDs; they win over `--schema-location` files on the same kind.
    chart: ChartCrds,
    /// CRD files in `--schema-location` folders, in the order they are registered (a later
    /// one wins on the same kind).
    crd_files: Vec<PathBuf>,
    /// The CRD files' text, once read.
    file_texts: OnceCell<Vec<String>>,
    /// `(apiVersion, kind)` → schema, from CRDs registered as documents (rendered ones).
    crds: HashMap<(String, String), Json>,
    /// What this thread has parsed of the CRD files so far.
    tables: Tables,
    /// Compiled schemas by `(apiVersion, kind)`; `None` when no source has one.
    compiled: RefCell<HashMap<(String, String), Option<Compiled>>>,
}

/// Where schemas come from, in the order they are looked up; shareable between threads.
#[derive(Clone, Copy)]
struct Sources<'a> {
    rendered: &'a HashMap<(String, String), Json>,
    chart: &'a ChartCrds,
    files: &'a [String],
    dirs: &'a [PathBuf],
}

/// The CRD files parsed so far, per thread: the chart's files and the `--schema-location`
/// files.
#[derive(Default)]
struct Tables {
    chart: RefCell<FileCrds>,
    files: RefCell<FileCrds>,
}

impl Sources<'_> {
    /// The schema for `apiVersion`/`kind`, if any source has one: CRDs rendered by the
    /// templates, then the chart's own CRD files, then the `--schema-location` folders.
    fn schema(&self, tables: &Tables, api_version: &str, kind: &str) -> Option<Json> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(s) = self.rendered.get(&key) {
            return Some(s.clone());
        }
        let chart = lazy_crd(
            &self.chart.texts,
            Some(&self.chart.parsed),
            &tables.chart,
            api_version,
            kind,
        );
        if chart.is_some() {
            return chart;
        }
        if let Some(s) = lazy_crd(self.files, None, &tables.files, api_version, kind) {
            return Some(s);
        }
        let lower = kind.to_ascii_lowercase();
        let names = match api_version.split_once('/') {
            Some((group, version)) => {
                let first = group.split('.').next().unwrap_or(group);
                vec![
                    format!("{lower}-{group}-{version}.json"),
                    format!("{lower}-{first}-{version}.json"),
                    format!("{lower}_{version}.json"),
                ]
            }
            None => vec![format!("{lower}-{api_version}.json")],
        };
        for dir in self.dirs {
            for n in &names {
                if let Some(schema) = read_json(&dir.join(n)) {
                    return Some(schema);
                }
            }
        }
        None
    }
}

impl CustomSchemas {
    pub fn new(dirs: &[String], chart: ChartCrds) -> CustomSchemas {
        let mut s = CustomSchemas {
            dirs: dirs.iter().map(PathBuf::from).collect(),
            chart,
            ..CustomSchemas::default()
        };
        for dir in dirs {
            let Ok(entries) = fs::read_dir(dir) else {
                continue;
            };
            let mut paths: Vec<PathBuf> =
                entries.filter_map(Result::ok).map(|e| e.path()).collect();
            paths.sort();
            s.crd_files.extend(
                paths
                    .into_iter()
                    .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml")),
            );
        }
        s
    }

    fn sources(&self) -> Sources<'_> {
        let files = self.file_texts.get_or_init(|| {
            self.crd_files
                .iter()
                .map(|p| fs::read_to_string(p).unwrap_or_default())
                .collect()
        });
        Sources {
            rendered: &self.crds,
            chart: &self.chart,
            files,
            dirs: &self.dirs,
        }
    }

    /// Registers the CRDs in a YAML stream (other documents are ignored).
    pub fn add_crd_text(&mut self, text: &str) {
        let Ok(parts) = crate::yaml::load::split_documents(text) else {
            return;
        };
        for part in parts {
            if let Ok(doc) = crate::yaml::load::load_first(part) {
                self.add_crd(&doc);
            }
        }
    }

    /// Registers one document when it is a CustomResourceDefinition.
    pub fn add_crd(&mut self, doc: &Value) {
        self.add_crd_for(doc, |_| true);
    }

    /// Registers the schemas of one document, when it is a CustomResourceDefinition, for the
    /// `(apiVersion, kind)` pairs `wanted` accepts: converting a schema costs as much as
    /// parsing it, and charts render CRDs for many kinds they never use.
    pub fn add_crd_for(&mut self, doc: &Value, wanted: impl Fn(&(String, String)) -> bool) {
        if get_str(doc, &["kind"]).as_deref() != Some("CustomResourceDefinition") {
            return;
        }
        let (Some(group), Some(kind)) = (
            get_str(doc, &["spec", "group"]),
            get_str(doc, &["spec", "names", "kind"]),
        ) else {
            return;
        };
        let Some(Value::List(versions)) = super::rules::get(doc, &["spec", "versions"]) else {
            return;
        };
        for v in versions.iter() {
            let (Some(name), Some(schema)) = (
                get_str(v, &["name"]),
                super::rules::get(v, &["schema", "openAPIV3Schema"]),
            ) else {
                continue;
            };
            let key = (format!("{group}/{name}"), kind.clone());
            if wanted(&key) {
                self.crds.insert(key, to_json(&schema, 0));
            }
        }
    }

    /// The schema for `apiVersion`/`kind`, if any source has one: CRDs rendered by the
    /// templates, then the chart's own CRD files, then the `--schema-location` folders.
    pub fn schema(&self, api_version: &str, kind: &str) -> Option<Json> {
        self.sources().schema(&self.tables, api_version, kind)
    }

    /// The compiled schema for `apiVersion`/`kind` (see [`CustomSchemas::schema`]), compiled
    /// on first use: operator charts render dozens of resources of one kind.
    pub fn compiled(&self, api_version: &str, kind: &str) -> Option<Compiled> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(found) = self.compiled.borrow().get(&key) {
            return found.clone();
        }
        let found = self
            .schema(api_version, kind)
            .map(|schema| Rc::new(CompiledSchema::new(schema)));
        self.compiled.borrow_mut().insert(key, found.clone());
        found
    }

    /// Finds and compiles the schemas of `keys` (`(apiVersion, kind)`) ahead of
    /// [`CustomSchemas::compiled`], on this thread and a second one: each can mean parsing a
    /// CRD of hundreds of kilobytes and compiling its schema.
    pub fn prefetch(&self, keys: &[(String, String)]) {
        let keys: Vec<&(String, String)> = {
            let compiled = self.compiled.borrow();
            let mut keys: Vec<_> = keys.iter().filter(|k| !compiled.contains_key(*k)).collect();
            keys.sort();
            keys.dedup();
            keys
        };
        if keys.len() < 2 {
            return;
        }
        let sources = self.sources();
        let slots: Vec<OnceLock<Option<Result<CompiledSchema, String>>>> =
            keys.iter().map(|_| OnceLock::new()).collect();
        let next = AtomicUsize::new(0);
        let work = || {
            let tables = Tables::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((api_version, kind)) = keys.get(i) else {
                    break;
                };
                let found = sources
                    .schema(&tables, api_version, kind)
                    .map(CompiledSchema::new);
                let _ = slots[i].set(found);
            }
        };
        std::thread::scope(|s| {
            let helper = crate::cores::spawn_scoped(
                s,
                std::thread::Builder::new().stack_size(8 << 20),
                work,
            );
            work();
            if let Ok(h) = helper {
                if let Err(panic) = h.join() {
                    // A panic while compiling is a bug in chartctl: carry it to this thread.
                    std::panic::resume_unwind(panic);
                }
            }
        });
        let mut compiled = self.compiled.borrow_mut();
        for (key, slot) in keys.into_iter().zip(slots) {
            if let Some(found) = slot.into_inner() {
                compiled.insert(key.clone(), found.map(Rc::new));
            }
        }
    }
}

/// The schema for `apiVersion`/`kind` from CRD files given as text, parsing only the
/// documents that name the kind (see [`names_kind`]), each at most once (or taking them from
/// `done`, documents parsed already); of several, the last file's.
fn lazy_crd(
    texts: &[String],
    done: Option<&Mutex<ParsedCrds>>,
    table: &RefCell<FileCrds>,
    api_version: &str,
    kind: &str,
) -> Option<Json> {
    let mut cache = table.borrow_mut();
    let FileCrds {
        found,
        parsed,
        parts,
    } = &mut *cache;
    for (i, text) in texts.iter().enumerate() {
        if memchr::memmem::find(text.as_bytes(), kind.as_bytes()).is_none() {
            continue;
        }
        let ranges = parts.entry(i).or_insert_with(|| {
            let base = text.as_ptr() as usize;
            crate::yaml::load::split_documents(text).ok().map(|docs| {
                docs.iter()
                    .map(|d| {
                        let start = d.as_ptr() as usize - base;
                        start..start + d.len()
                    })
                    .collect()
            })
        });
        let Some(ranges) = ranges else {
            continue;
        };
        for (j, range) in ranges.iter().enumerate() {
            let part = &text[range.clone()];
            if !names_kind(part, kind) || !parsed.insert((i, j)) {
                continue;
            }
            let ready = done.and_then(|d| {
                d.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&(i, j))
            });
            let schemas = match ready {
                Some(schemas) => schemas,
                None => match crate::yaml::load::load_go_first(part) {
                    Ok(doc) => crd_schemas(&doc),
                    Err(_) => continue,
                },
            };
            for (key, schema) in schemas {
                match found.get(&key) {
                    Some((k, _)) if *k > i => {}
                    _ => {
                        found.insert(key, (i, schema));
                    }
                }
            }
        }
    }
    found
        .get(&(api_version.to_string(), kind.to_string()))
        .map(|(_, schema)| schema.clone())
}

/// Whether a document's text may define `kind`: it holds a `kind` key with `kind` as value,
/// in any quoting (`kind: X`, `kind: "X"`, `"kind": "X"`, `{kind: X}`). Only the documents
/// that pass are parsed: operator CRDs run to hundreds of kilobytes each, and the kind's name
/// alone (say `Prometheus`) appears in the descriptions of most of them.
pub fn names_kind(text: &str, kind: &str) -> bool {
    // Searching for `kind` rather than for the name: CRDs mention their kind's name in their
    // descriptions by the thousand, the key `kind` a few times.
    kind_values(text).any(|v| v == kind)
}

/// A byte of a kind's name, as [`names_kind`] reads one.
fn ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.'
}

/// Every value a `kind` key has in `text`, in any of the quotings [`names_kind`] knows: a name
/// of letters, digits, `_`, `-` and `.` right after the key, its `:` and an optional quote.
pub fn kind_values(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let quote = |i: usize| usize::from(matches!(bytes.get(i), Some(b'"' | b'\'')));
    let blanks = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    memchr::memmem::find_iter(bytes, b"kind").filter_map(move |at| {
        if at > 0 && ident(bytes[at - 1]) {
            return None;
        }
        let mut i = at + 4;
        i += quote(i);
        i = blanks(i);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        i = blanks(i + 1);
        i += quote(i);
        let end = i + bytes[i..].iter().take_while(|&&c| ident(c)).count();
        (end > i).then(|| &text[i..end])
    })
}

/// The schemas a CustomResourceDefinition document defines, by `(group/version, kind)`;
/// nothing for any other document.
pub fn crd_schemas(doc: &Go) -> Vec<CrdSchema> {
    let get_str = |path: &[&str]| match go_get(doc, path) {
        Some(Go::Str(s)) => Some(s.as_str()),
        _ => None,
    };
    if get_str(&["kind"]) != Some("CustomResourceDefinition") {
        return Vec::new();
    }
    let (Some(group), Some(kind)) = (
        get_str(&["spec", "group"]),
        get_str(&["spec", "names", "kind"]),
    ) else {
        return Vec::new();
    };
    let Some(Go::Seq(versions)) = go_get(doc, &["spec", "versions"]) else {
        return Vec::new();
    };
    versions
        .iter()
        .filter_map(|v| {
            let Some(Go::Str(name)) = go_get(v, &["name"]) else {
                return None;
            };
            let schema = go_json(go_get(v, &["schema", "openAPIV3Schema"])?, 0)?;
            Some(((format!("{group}/{name}"), kind.to_string()), schema))
        })
        .collect()
}

/// A decoded YAML value as JSON, as `sigs.k8s.io/yaml` and then the API server read it (see
/// [`to_json`]); `None` where the JSON conversion fails.
fn go_json(v: &Go, depth: usize) -> Option<Json> {
    if depth > 512 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)] // the JSON hop makes every number a float64
    Some(match v {
        Go::Nil => Json::Null,
        Go::Bool(b) => Json::Bool(*b),
        Go::Int(i) => float_json(*i as f64),
        Go::Uint(u) => float_json(*u as f64),
        Go::Float(f) if f.is_finite() => float_json(*f),
        Go::Float(_) => return None,
        Go::Str(s) => Json::String(s.clone()),
        Go::Seq(items) => Json::Array(
            items
                .iter()
                .map(|x| go_json(x, depth + 1))
                .collect::<Option<_>>()?,
        ),
        Go::Map(pairs) => {
            let mut map = serde_json::Map::new();
            for (k, x) in pairs {
                let key = crate::yaml::load::json_key(k, x).ok()?;
                map.insert(key, go_json(x, depth + 1)?);
            }
            Json::Object(map)
        }
    })
}

/// A float64 as JSON: integral values below 2^53 as integers, as the API server reads them.
fn float_json(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        // Exact: an integral float below 2^53 converts without loss.
        #[allow(clippy::cast_possible_truncation)]
        Json::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
    }
}

fn read_json(path: &Path) -> Option<Json> {
    let text = fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// A JSON Schema checked for validation, with the schema itself for the server-side defaults
/// applied before validating.
///
/// CRD schemas run to hundreds of kilobytes (a pod template per field that takes one), and a
/// resource reaches a small part of them: each document is validated against the part it
/// reaches ([`prune`]), compiled for it, instead of compiling the whole schema. The whole schema
/// is still checked against the draft 4 meta-schema once, so a malformed schema is reported as
/// before. Schemas with `$ref`s (whose targets pruning cannot follow) are compiled whole, once.
pub struct CompiledSchema {
    schema: Json,
    /// The whole schema compiled, for schemas that cannot be pruned.
    whole: Option<jsonschema::Validator>,
}

/// The validator options for CRD schemas.
fn options() -> jsonschema::ValidationOptions<'static> {
    // A CRD's `openAPIV3Schema` is OpenAPI 3.0's dialect, draft 4 with extensions
    // (`exclusiveMinimum: true` is a boolean there, an error under later drafts). Formats
    // stay annotations, as before: which ones the API server checks is its own list.
    jsonschema::draft4::options()
        .should_validate_formats(false)
        .with_keyword(GO_PATTERN, go_pattern)
}

impl CompiledSchema {
    pub fn new(mut schema: Json) -> Result<CompiledSchema, String> {
        go_patterns(&mut schema, 0);
        if prunable(&schema, 0) {
            jsonschema::draft4::meta::validate(&schema).map_err(|e| e.to_string())?;
            return Ok(CompiledSchema {
                schema,
                whole: None,
            });
        }
        let validator = options().build(&schema).map_err(|e| e.to_string())?;
        Ok(CompiledSchema {
            schema,
            whole: Some(validator),
        })
    }

    /// Validates `doc`; each violation as `path: message`, sorted. An error when the part of
    /// the schema `doc` reaches does not compile.
    pub fn validate(&self, doc: &Value) -> Result<Vec<String>, String> {
        let mut instance = to_json(doc, 0);
        apply_server_defaults(&self.schema, &mut instance, 0);
        self.validate_json(&instance)
    }

    /// [`CompiledSchema::validate`] of an instance already in JSON, server defaults applied.
    fn validate_json(&self, instance: &Json) -> Result<Vec<String>, String> {
        let pruned;
        let validator = match &self.whole {
            Some(v) => v,
            None => {
                let part = prune(&self.schema, &[instance], 0);
                pruned = options().build(&part).map_err(|e| e.to_string())?;
                &pruned
            }
        };
        Ok(violations(validator, instance))
    }
}

/// Each error of `validator` on `instance` as `path: message`, sorted.
fn violations(validator: &jsonschema::Validator, instance: &Json) -> Vec<String> {
    let mut out: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| {
            let ptr = e.instance_path().as_str().to_string();
            let path = if ptr.is_empty() {
                "(root)".to_string()
            } else {
                ptr.trim_start_matches('/').replace('/', ".")
            };
            format!("{path}: {e}")
        })
        .collect();
    out.sort();
    out
}

/// What a CRD schema's `pattern` is called once [`go_patterns`] has renamed it.
const GO_PATTERN: &str = "x-chartctl-go-pattern";

/// Renames every `pattern` of `schema` (outside `not`, whose error message prints its schema)
/// to [`GO_PATTERN`], which [`options`] checks as Kubernetes does: as a Go (RE2) regular
/// expression. JSON Schema's own `pattern` is an ECMA-262 one, and the draft 4 meta-schema
/// refuses RE2's syntax where the two differ (`^(?i)(abort|warn)?$` in prometheus-operator's
/// PrometheusRule), which made usable schemas look broken.
fn go_patterns(schema: &mut Json, depth: usize) {
    let Json::Object(map) = schema else {
        return;
    };
    if depth > PRUNE_DEPTH {
        return;
    }
    if map.get("pattern").is_some_and(Json::is_string) {
        if let Some(p) = map.remove("pattern") {
            map.insert(GO_PATTERN.to_string(), p);
        }
    }
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            (
                "properties" | "patternProperties" | "definitions" | "dependencies",
                Json::Object(m),
            ) => {
                m.values_mut().for_each(|s| go_patterns(s, depth + 1));
            }
            ("allOf" | "anyOf" | "oneOf" | "items", Json::Array(l)) => {
                l.iter_mut().for_each(|s| go_patterns(s, depth + 1));
            }
            ("additionalProperties" | "additionalItems" | "items", s) => go_patterns(s, depth + 1),
            _ => {}
        }
    }
}

/// The [`GO_PATTERN`] keyword: a string must match the regular expression (anywhere, as Go's
/// `MatchString` and JSON Schema's `pattern` both read it), reported in `pattern`'s words.
struct GoPattern {
    re: regex::Regex,
    pattern: String,
}

impl<'i> jsonschema::Keyword<'i> for GoPattern {
    fn validate(&self, instance: &'i Json) -> Result<(), jsonschema::ValidationError<'i>> {
        if self.is_valid(instance) {
            return Ok(());
        }
        Err(jsonschema::ValidationError::custom(format!(
            "{instance} does not match \"{}\"",
            self.pattern
        )))
    }

    fn is_valid(&self, instance: &'i Json) -> bool {
        instance.as_str().is_none_or(|s| self.re.is_match(s))
    }
}

/// Builds a [`GoPattern`] from a schema's [`GO_PATTERN`] value.
fn go_pattern<'a>(
    _: &'a serde_json::Map<String, Json>,
    value: &'a Json,
    _: jsonschema::paths::Location,
) -> Result<Box<dyn for<'i> jsonschema::Keyword<'i>>, jsonschema::ValidationError<'a>> {
    let pattern = value.as_str().unwrap_or_default();
    let re = regex::Regex::new(pattern).map_err(|e| {
        jsonschema::ValidationError::custom(format!(
            "pattern {pattern:?} is not a valid regular expression: {e}"
        ))
    })?;
    Ok(Box::new(GoPattern {
        re,
        pattern: pattern.to_string(),
    }))
}

/// How deep [`prune`] and [`prunable`] follow a schema; deeper parts are kept whole.
const PRUNE_DEPTH: usize = 256;

/// Whether [`prune`] keeps validation unchanged for `schema`: no `$ref` (its target could be
/// any part of the schema) and no nested `$schema` (a resource of its own dialect), at any
/// place a subschema can be.
fn prunable(schema: &Json, depth: usize) -> bool {
    let Json::Object(map) = schema else {
        return true;
    };
    if depth > PRUNE_DEPTH || map.contains_key("$ref") || (depth > 0 && map.contains_key("$schema"))
    {
        return false;
    }
    map.iter().all(|(key, value)| match key.as_str() {
        "properties" | "patternProperties" | "definitions" | "dependencies" => value
            .as_object()
            .is_none_or(|m| m.values().all(|s| prunable(s, depth + 1))),
        "allOf" | "anyOf" | "oneOf" | "items" if value.is_array() => value
            .as_array()
            .is_some_and(|l| l.iter().all(|s| prunable(s, depth + 1))),
        "additionalProperties" | "additionalItems" | "items" | "not" => prunable(value, depth + 1),
        _ => true,
    })
}

/// The part of a draft 4 `schema` that validating each of `instances` against it can reach:
/// `properties` only for the keys the instances have (with `additionalProperties` and `items`
/// pruned the same way for the values they apply to), `allOf`/`anyOf`/`oneOf` branch by branch,
/// `definitions` (unreachable without `$ref`) and `description`s left out. Every other keyword
/// is kept as it is, `not` whole (its error message prints its schema); so is everything below
/// [`PRUNE_DEPTH`]. Validating an instance against the result gives the same errors, in the same
/// words, as against the whole schema; only callers that checked [`prunable`] may use it.
fn prune(schema: &Json, instances: &[&Json], depth: usize) -> Json {
    let Json::Object(map) = schema else {
        return schema.clone();
    };
    if depth > PRUNE_DEPTH {
        return schema.clone();
    }
    let objects: Vec<&serde_json::Map<String, Json>> =
        instances.iter().filter_map(|i| i.as_object()).collect();
    let arrays: Vec<&Vec<Json>> = instances.iter().filter_map(|i| i.as_array()).collect();
    let mut out = serde_json::Map::new();
    for (key, value) in map {
        let kept = match (key.as_str(), value) {
            ("description" | "definitions", _) => continue,
            ("properties", Json::Object(props)) => {
                let mut reached = serde_json::Map::new();
                for (name, sub) in props {
                    let values: Vec<&Json> = objects.iter().filter_map(|o| o.get(name)).collect();
                    if !values.is_empty() {
                        reached.insert(name.clone(), prune(sub, &values, depth + 1));
                    }
                }
                Json::Object(reached)
            }
            // The values of undeclared keys: a superset of those it applies to when
            // `patternProperties` takes some, which only keeps more.
            ("additionalProperties", Json::Object(_)) => {
                let declared = map.get("properties").and_then(Json::as_object);
                let values: Vec<&Json> = objects
                    .iter()
                    .flat_map(|o| o.iter())
                    .filter(|(k, _)| !declared.is_some_and(|d| d.contains_key(*k)))
                    .map(|(_, v)| v)
                    .collect();
                prune(value, &values, depth + 1)
            }
            ("items", Json::Object(_)) => {
                let values: Vec<&Json> = arrays.iter().flat_map(|a| a.iter()).collect();
                prune(value, &values, depth + 1)
            }
            ("items", Json::Array(subs)) => Json::Array(
                subs.iter()
                    .enumerate()
                    .map(|(i, sub)| {
                        let values: Vec<&Json> = arrays.iter().filter_map(|a| a.get(i)).collect();
                        prune(sub, &values, depth + 1)
                    })
                    .collect(),
            ),
            ("allOf" | "anyOf" | "oneOf", Json::Array(subs)) => Json::Array(
                subs.iter()
                    .map(|sub| prune(sub, instances, depth + 1))
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), kept);
    }
    Json::Object(out)
}

/// Validates `doc` against `schema`; each violation as `path: message`.
pub fn validate(schema: &Json, doc: &Value) -> Result<Vec<String>, String> {
    CompiledSchema::new(schema.clone())?.validate(doc)
}

/// What the API server does to a custom resource before validating it against its structural
/// schema: `null` in a field that is not `nullable: true` is pruned, and a missing field with a
/// `default` gets it. Without this, a chart that leaves `nodeAffinity: null` or relies on a
/// CRD's defaulted required field would be reported for something the cluster accepts.
fn apply_server_defaults(schema: &Json, instance: &mut Json, depth: usize) {
    if depth > 256 {
        return;
    }
    match instance {
        Json::Object(map) => {
            let props = schema.get("properties").and_then(Json::as_object);
            if let Some(props) = props {
                map.retain(|key, value| {
                    !(value.is_null()
                        && props.get(key).is_some_and(|p| {
                            !p.get("nullable").and_then(Json::as_bool).unwrap_or(false)
                        }))
                });
                for (key, sub) in props {
                    if !map.contains_key(key) {
                        if let Some(default) = sub.get("default") {
                            map.insert(key.clone(), default.clone());
                        }
                    }
                }
            }
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            for (key, value) in map.iter_mut() {
                if let Some(sub) = props.and_then(|p| p.get(key)).or(additional) {
                    apply_server_defaults(sub, value, depth + 1);
                }
            }
        }
        Json::Array(items) => {
            if let Some(sub) = schema.get("items") {
                for item in items {
                    apply_server_defaults(sub, item, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// A manifest value as JSON; integral numbers become integers, as the API server reads them.
fn to_json(v: &Value, depth: usize) -> Json {
    if depth > 512 {
        return Json::Null;
    }
    match v {
        Value::Nil => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) | Value::Int64(i) => Json::from(*i),
        Value::Uint(u) => Json::from(*u),
        Value::Float(f) => float_json(*f),
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => Json::String(crate::chart::text_of(b).into_owned()),
        Value::List(l) => Json::Array(l.iter().map(|x| to_json(x, depth + 1)).collect()),
        Value::Map(m) => Json::Object(
            m.borrow()
                .iter()
                .map(|(k, x)| (k.clone(), to_json(x, depth + 1)))
                .collect(),
        ),
        Value::Object(o) => to_json(&o.to_data(), depth + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer}
";

    #[test]
    fn documents_are_parsed_only_when_they_name_the_kind() {
        assert!(names_kind(CRD, "Widget"));
        assert!(names_kind(
            "spec:\n  names:\n    kind: 'Widget' # the kind\n",
            "Widget"
        ));
        assert!(names_kind(
            "{\"spec\": {\"names\": {\"kind\":\"Widget\"}}}",
            "Widget"
        ));
        assert!(names_kind(
            "names: {kind: Widget, plural: widgets}",
            "Widget"
        ));
        // The name in a description, a longer kind, another key: not a definition.
        assert!(!names_kind(
            "description: A Widget runs\nkind: WidgetList\n",
            "Widget"
        ));
        assert!(!names_kind("listKind: Widget\n", "Widget"));
        assert!(!names_kind("kind: CustomResourceDefinition\n", "Widget"));
    }

    #[test]
    fn chart_crds_serve_schemas() {
        let crds = ChartCrds::new(vec![format!("kind: ConfigMap\n---\n{CRD}")]);
        let s = CustomSchemas::new(&[], crds);
        let compiled = s.compiled("example.com/v1", "Widget").unwrap();
        let schema = compiled.as_ref().as_ref().unwrap();
        let bad = crate::yaml::load::load_first("spec: {size: big}\n").unwrap();
        assert_eq!(schema.validate(&bad).unwrap().len(), 1);
        assert!(s.compiled("example.com/v2", "Widget").is_none());
    }

    #[test]
    fn documents_parsed_already_are_not_parsed_again() {
        // The parsed form of the second document says `size` is a string; its text says an
        // integer: the schema found must be the parsed one's.
        let crds = ChartCrds::new(vec![format!("kind: ConfigMap\n---\n{CRD}")]);
        let parsed = CRD.replace("size: {type: integer}", "size: {type: string}");
        let doc = crate::yaml::load::load_go_first(&parsed).unwrap();
        crds.parsed
            .lock()
            .unwrap()
            .insert((0, 1), crd_schemas(&doc));
        let s = CustomSchemas::new(&[], crds);
        let compiled = s.compiled("example.com/v1", "Widget").unwrap();
        let schema = compiled.as_ref().as_ref().unwrap();
        let text = crate::yaml::load::load_first("spec: {size: big}\n").unwrap();
        assert!(schema.validate(&text).unwrap().is_empty());
    }

    #[test]
    fn crd_schema_validates_its_resources() {
        let mut s = CustomSchemas::default();
        s.add_crd_text(CRD);
        let schema = s.schema("example.com/v1", "Widget").unwrap();
        let bad = crate::yaml::load::load_first("spec: {size: big}\n").unwrap();
        let errs = validate(&schema, &bad).unwrap();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].starts_with("spec.size: "), "{errs:?}");
        let good = crate::yaml::load::load_first("spec: {size: 3}\n").unwrap();
        assert!(validate(&schema, &good).unwrap().is_empty());
        assert!(s.schema("example.com/v2", "Widget").is_none());
    }
}

#[cfg(test)]
mod server_defaults_tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Json {
        json!({"type": "object", "properties": {
            "spec": {"type": "object", "required": ["maxReplicas"], "properties": {
                "maxReplicas": {"type": "integer", "default": 5},
                "affinity": {"type": "object"},
                "note": {"type": "string", "nullable": true}
            }}
        }})
    }

    // bitnami/kuberay renders `affinity: null` and leaves out a required field its CRD
    // defaults; the API server accepts both.
    #[test]
    fn pruned_nulls_and_defaults_are_not_violations() {
        let mut doc = json!({"spec": {"affinity": null, "note": null}});
        apply_server_defaults(&schema(), &mut doc, 0);
        assert_eq!(doc, json!({"spec": {"note": null, "maxReplicas": 5}}));
    }

    #[test]
    fn wrong_types_are_still_violations() {
        let doc = crate::gotemplate::value::Value::map(
            [(
                "spec".to_string(),
                crate::gotemplate::value::Value::map(
                    [("maxReplicas".to_string(), "many".into())]
                        .into_iter()
                        .collect(),
                ),
            )]
            .into_iter()
            .collect(),
        );
        let errors = validate(&schema(), &doc).unwrap();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("spec.maxReplicas: "), "{errors:?}");
    }
}

#[cfg(test)]
mod prune_tests {
    use super::*;
    use crate::test_rng::Xorshift;
    use serde_json::json;

    /// A schema with every keyword [`prune`] treats specially, nested, as CRDs write them.
    fn schema() -> Json {
        let container = json!({
            "type": "object",
            "description": "A container.",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 8},
                "image": {"type": "string", "minLength": 1},
                "ports": {"type": "array", "maxItems": 3, "items": {
                    "type": "object",
                    "required": ["port"],
                    "properties": {
                        "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                        "protocol": {"type": "string", "enum": ["TCP", "UDP"], "default": "TCP"}
                    },
                    "additionalProperties": false
                }},
                "resources": {"type": "object", "additionalProperties": {
                    "anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+m?$"}],
                    "x-kubernetes-int-or-string": true
                }},
                "env": {"type": "array", "items": [
                    {"type": "string"},
                    {"type": "object", "properties": {"value": {"type": "boolean"}}}
                ], "additionalItems": {"type": "integer"}}
            },
            "additionalProperties": false
        });
        json!({
            "type": "object",
            "definitions": {"unused": {"type": "string"}},
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "spec": {
                    "type": "object",
                    "required": ["replicas", "template"],
                    "properties": {
                        "replicas": {"type": "integer", "format": "int32", "minimum": 0},
                        "paused": {"type": "boolean", "nullable": true},
                        "template": {"type": "object", "properties": {
                            "containers": {"type": "array", "minItems": 1, "items": container},
                            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                            "mode": {"oneOf": [
                                {"type": "string", "enum": ["a", "b"]},
                                {"type": "object", "required": ["custom"], "properties": {"custom": {"type": "string"}}}
                            ]},
                            "tuning": {"allOf": [
                                {"type": "object", "properties": {"level": {"type": "integer", "maximum": 3}}},
                                {"properties": {"level": {"minimum": 1}, "name": {"type": "string"}}}
                            ]},
                            "extra": {"type": "object", "patternProperties": {"^x-": {"type": "string"}},
                                      "additionalProperties": {"type": "integer"}},
                            "forbidden": {"not": {"type": "object", "description": "Not this.", "required": ["a"],
                                                  "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}}
                        }, "dependencies": {"mode": ["labels"]}}
                    }
                }
            }
        })
    }

    struct Gen(Xorshift);

    impl Gen {
        fn below(&mut self, n: usize) -> usize {
            self.0.below(n)
        }

        /// Any small JSON value, often of the wrong type for where it lands.
        fn junk(&mut self) -> Json {
            match self.below(7) {
                0 => Json::Null,
                1 => json!(self.below(2) == 0),
                2 => json!(self.below(70_000)),
                3 => json!(-1.5),
                4 => json!(["x", 2]),
                5 => json!({"a": "b", "custom": "c"}),
                _ => json!(["TCP", "a", "abc", "100m", "", "x-y"][self.below(6)]),
            }
        }

        /// An instance shaped after `schema` most of the time, with missing and unknown keys,
        /// wrong types and out-of-range values now and then.
        fn instance(&mut self, schema: &Json, depth: usize) -> Json {
            if depth > 8 || self.below(8) == 0 {
                return self.junk();
            }
            let types: Vec<&str> = match schema.get("type") {
                Some(Json::String(t)) => vec![t.as_str()],
                _ => vec![],
            };
            let branches = ["anyOf", "oneOf", "allOf"]
                .iter()
                .filter_map(|k| schema.get(*k).and_then(Json::as_array))
                .next();
            if let Some(branches) = branches {
                let pick = &branches[self.below(branches.len())];
                return self.instance(pick, depth + 1);
            }
            if types.contains(&"object") || schema.get("properties").is_some() {
                let mut out = serde_json::Map::new();
                if let Some(props) = schema.get("properties").and_then(Json::as_object) {
                    for (name, sub) in props {
                        if self.below(4) != 0 {
                            out.insert(name.clone(), self.instance(sub, depth + 1));
                        }
                    }
                }
                for _ in 0..self.below(3) {
                    let key = ["x-a", "other", "cpu", "a"][self.below(4)].to_string();
                    let value = match schema.get("additionalProperties") {
                        Some(sub @ Json::Object(_)) => self.instance(sub, depth + 1),
                        _ => self.junk(),
                    };
                    out.insert(key, value);
                }
                return Json::Object(out);
            }
            if types.contains(&"array") {
                let n = self.below(5);
                return Json::Array(
                    (0..n)
                        .map(|i| match schema.get("items") {
                            Some(Json::Array(subs)) => match subs.get(i) {
                                Some(sub) => self.instance(sub, depth + 1),
                                None => self.junk(),
                            },
                            Some(sub) => self.instance(sub, depth + 1),
                            None => self.junk(),
                        })
                        .collect(),
                );
            }
            if let Some(Json::Array(values)) = schema.get("enum") {
                return values[self.below(values.len())].clone();
            }
            match types.first() {
                Some(&"integer") => json!(self.below(70_000) as i64 - 10),
                Some(&"string") => json!(["abc", "", "abcdefghij", "Abc", "7m"][self.below(5)]),
                Some(&"boolean") => json!(true),
                _ => self.junk(),
            }
        }
    }

    // Pruning (and reading patterns as Go's) is only worth it if it changes nothing: the same
    // errors, in the same words, as the whole schema gives under plain JSON Schema, on
    // instances right and wrong in every way the schema can tell.
    #[test]
    fn pruned_schemas_give_the_whole_schemas_errors() {
        let schema = schema();
        assert!(prunable(&schema, 0));
        let whole = jsonschema::draft4::options()
            .should_validate_formats(false)
            .build(&schema)
            .unwrap();
        let compiled = CompiledSchema::new(schema.clone()).unwrap();
        assert!(compiled.whole.is_none());
        let mut gen = Gen(Xorshift(0x9e37_79b9_7f4a_7c15));
        let mut with_errors = 0;
        for _ in 0..3000 {
            let instance = gen.instance(&schema, 0);
            let expected = violations(&whole, &instance);
            assert_eq!(
                compiled.validate_json(&instance).unwrap(),
                expected,
                "{instance}"
            );
            with_errors += usize::from(!expected.is_empty());
        }
        // Most instances break the schema somewhere, and some do not.
        assert!((1500..2990).contains(&with_errors), "{with_errors}");
    }

    #[test]
    fn patterns_are_read_as_kubernetes_reads_them() {
        // RE2's inline flags: not ECMA-262, so not a JSON Schema `pattern`; fine for the API
        // server (prometheus-operator's PrometheusRule).
        let schema =
            json!({"properties": {"mode": {"type": "string", "pattern": "^(?i)(abort|warn)?$"}}});
        assert!(jsonschema::draft4::meta::validate(&schema).is_err());
        let compiled = CompiledSchema::new(schema).unwrap();
        assert!(compiled
            .validate_json(&json!({"mode": "WARN"}))
            .unwrap()
            .is_empty());
        assert_eq!(
            compiled.validate_json(&json!({"mode": "x"})).unwrap(),
            vec![r#"mode: "x" does not match "^(?i)(abort|warn)?$""#.to_string()]
        );
        // A pattern Go refuses too makes the schema unusable, for the documents it reaches.
        let broken = json!({"properties": {"mode": {"type": "string", "pattern": "(["}}});
        let compiled = CompiledSchema::new(broken).unwrap();
        assert!(compiled.validate_json(&json!({"mode": "x"})).is_err());
    }

    #[test]
    fn pruning_keeps_only_what_an_instance_reaches() {
        let schema = schema();
        let instance = json!({"spec": {"replicas": 1}});
        let part = prune(&schema, &[&instance], 0);
        assert_eq!(
            part,
            json!({"type": "object", "properties": {"spec": {
                "type": "object",
                "required": ["replicas", "template"],
                "properties": {"replicas": {"type": "integer", "format": "int32", "minimum": 0}}
            }}})
        );
    }

    #[test]
    fn schemas_with_references_are_not_pruned() {
        assert!(!prunable(
            &json!({"properties": {"a": {"$ref": "#/definitions/b"}}, "definitions": {"b": {}}}),
            0
        ));
        assert!(!prunable(
            &json!({"anyOf": [{"$schema": "http://json-schema.org/draft-07/schema#"}]}),
            0
        ));
        // A property called `$ref` is a name, not a reference.
        assert!(prunable(
            &json!({"properties": {"$ref": {"type": "string"}}}),
            0
        ));
    }

    #[test]
    fn a_broken_schema_is_reported_whole() {
        // The broken part is one no resource reaches: still reported.
        let broken = json!({"properties": {"unused": {"type": "no-such-type"}}});
        assert!(CompiledSchema::new(broken).is_err());
    }
}
