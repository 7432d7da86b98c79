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

use serde_json::Value as Json;

use crate::gotemplate::value::Value;
use crate::yaml::load::{go_get, go_to_json_value, Go};

use super::rules::get_str;

/// The CRD files a chart ships (its `crds/` folders and its subcharts'), in chart order.
#[derive(Debug)]
pub enum ChartCrds {
    /// Every document, already parsed (Helm 4's CRD check reads them all anyway).
    Parsed(Vec<Go>),
    /// The files' text, parsed only when a custom resource asks for a kind a file names.
    Texts(Vec<String>),
}

impl Default for ChartCrds {
    fn default() -> ChartCrds {
        ChartCrds::Texts(Vec::new())
    }
}

/// `(apiVersion, kind)` → (index of the file, schema), and per file whether it was parsed.
type FileCrds = (HashMap<(String, String), (usize, Json)>, Vec<bool>);

/// A schema ready to validate with, or why it cannot be used.
type Compiled = Rc<Result<CompiledSchema, String>>;

/// The custom schemas available to a lint run.
///
/// CRD files (in `--schema-location` folders and the chart's `crds/` folders) are read only
/// when a document of a kind the Kubernetes bundle does not know asks for a schema, and a file
/// is parsed only if its text names that kind: most charts render no custom resource, and some
/// ship megabytes of CRDs for kinds they never render. Each schema is compiled once per run.
#[derive(Default)]
pub struct CustomSchemas {
    dirs: Vec<PathBuf>,
    /// The chart's own CRDs; they win over `--schema-location` files on the same kind.
    chart: ChartCrds,
    /// `(apiVersion, kind)` → schema, from the chart's parsed CRDs converted so far.
    chart_found: RefCell<HashMap<(String, String), Json>>,
    /// The same for the chart's CRD files given as text.
    chart_files: RefCell<FileCrds>,
    /// CRD files in `--schema-location` folders, in the order they are registered (a later
    /// one wins on the same kind).
    crd_files: Vec<PathBuf>,
    /// The CRD files' text, once read.
    file_texts: OnceCell<Vec<String>>,
    /// `(apiVersion, kind)` → (file index, schema) from the CRD files parsed so far, and which
    /// files those are.
    file_crds: RefCell<FileCrds>,
    /// `(apiVersion, kind)` → schema, from CRDs registered as documents (rendered ones).
    crds: HashMap<(String, String), Json>,
    /// Compiled schemas by `(apiVersion, kind)`; `None` when no source has one.
    compiled: RefCell<HashMap<(String, String), Option<Compiled>>>,
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

    /// The schema for `apiVersion`/`kind` from the `--schema-location` CRD files; of several,
    /// the last file's.
    fn file_crd(&self, api_version: &str, kind: &str) -> Option<Json> {
        let texts = self.file_texts.get_or_init(|| {
            self.crd_files
                .iter()
                .map(|p| fs::read_to_string(p).unwrap_or_default())
                .collect()
        });
        lazy_crd(texts, &self.file_crds, api_version, kind)
    }

    /// The schema for `apiVersion`/`kind` from the chart's own CRDs; of several, the last.
    fn chart_crd(&self, api_version: &str, kind: &str) -> Option<Json> {
        let key = (api_version.to_string(), kind.to_string());
        match &self.chart {
            ChartCrds::Texts(texts) => lazy_crd(texts, &self.chart_files, api_version, kind),
            ChartCrds::Parsed(docs) => {
                if let Some(s) = self.chart_found.borrow().get(&key) {
                    return Some(s.clone());
                }
                // Only the CRDs of this kind are converted; the last one wins.
                let mut one = CustomSchemas::default();
                for doc in docs {
                    let names_kind = matches!(
                        go_get(doc, &["spec", "names", "kind"]),
                        Some(Go::Str(k)) if k == kind
                    );
                    if names_kind {
                        if let Ok(value) = go_to_json_value(doc) {
                            one.add_crd(&value);
                        }
                    }
                }
                let found = one.crds.get(&key).cloned()?;
                self.chart_found.borrow_mut().insert(key, found.clone());
                Some(found)
            }
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
        if get_str(doc, &["kind"]).as_deref() != Some("CustomResourceDefinition") {
            return;
        }
        let (Some(group), Some(kind)) = (
            get_str(doc, &["spec", "group"]),
            get_str(doc, &["spec", "names", "kind"]),
        ) else {
            return;
        };
        let json = to_json(doc, 0);
        let versions = json
            .pointer("/spec/versions")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        for v in versions {
            let (Some(name), Some(schema)) = (
                v.get("name").and_then(Json::as_str),
                v.pointer("/schema/openAPIV3Schema"),
            ) else {
                continue;
            };
            self.crds
                .insert((format!("{group}/{name}"), kind.clone()), schema.clone());
        }
    }

    /// The schema for `apiVersion`/`kind`, if any source has one: CRDs rendered by the
    /// templates, then the chart's own CRD files, then the `--schema-location` folders.
    pub fn schema(&self, api_version: &str, kind: &str) -> Option<Json> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(s) = self.crds.get(&key) {
            return Some(s.clone());
        }
        if let Some(s) = self.chart_crd(api_version, kind) {
            return Some(s);
        }
        if let Some(s) = self.file_crd(api_version, kind) {
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
        for dir in &self.dirs {
            for n in &names {
                if let Some(schema) = read_json(&dir.join(n)) {
                    return Some(schema);
                }
            }
        }
        None
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
}

/// The schema for `apiVersion`/`kind` from CRD files given as text, parsing only the files
/// that name the kind, each at most once; of several, the last file's.
fn lazy_crd(
    texts: &[String],
    table: &RefCell<FileCrds>,
    api_version: &str,
    kind: &str,
) -> Option<Json> {
    let mut cache = table.borrow_mut();
    let (found, parsed) = &mut *cache;
    parsed.resize(texts.len(), false);
    for (i, text) in texts.iter().enumerate() {
        // A CRD for the kind spells it out in `spec.names.kind`.
        if parsed[i] || !text.contains(kind) {
            continue;
        }
        parsed[i] = true;
        let mut one = CustomSchemas::default();
        one.add_crd_text(text);
        for (key, schema) in one.crds {
            match found.get(&key) {
                Some((j, _)) if *j > i => {}
                _ => {
                    found.insert(key, (i, schema));
                }
            }
        }
    }
    found
        .get(&(api_version.to_string(), kind.to_string()))
        .map(|(_, schema)| schema.clone())
}

fn read_json(path: &Path) -> Option<Json> {
    let text = fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// A JSON Schema compiled for validation, with the schema itself for the server-side
/// defaults applied before validating.
pub struct CompiledSchema {
    schema: Json,
    validator: jsonschema::Validator,
}

impl CompiledSchema {
    pub fn new(schema: Json) -> Result<CompiledSchema, String> {
        let validator = jsonschema::validator_for(&schema).map_err(|e| e.to_string())?;
        Ok(CompiledSchema { schema, validator })
    }

    /// Validates `doc`; each violation as `path: message`, sorted.
    pub fn validate(&self, doc: &Value) -> Vec<String> {
        let mut instance = to_json(doc, 0);
        apply_server_defaults(&self.schema, &mut instance, 0);
        let mut out: Vec<String> = self
            .validator
            .iter_errors(&instance)
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
}

/// Validates `doc` against `schema`; each violation as `path: message`.
pub fn validate(schema: &Json, doc: &Value) -> Result<Vec<String>, String> {
    Ok(CompiledSchema::new(schema.clone())?.validate(doc))
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
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
                // Exact: an integral float below 2^53 converts without loss.
                #[allow(clippy::cast_possible_truncation)]
                Json::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number)
            }
        }
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
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
