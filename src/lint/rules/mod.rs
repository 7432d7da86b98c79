//! chartctl's own manifest rules, beyond Helm's lint: one file per rule, each with a stable id
//! and a doc (What it does / Why is this bad? / Example).
//!
//! Rules see every rendered document of a chart ([`Manifest`]) at once, so they can check
//! relations between resources (a Service selecting no pod, an HPA naming a missing workload).
//! A rule is turned off for a whole run by `--disable <id>` or the chart's `.chartctl.yaml`
//! (`lint: {disable: [<id>]}`), and for one resource by the annotation
//! `chartctl.io/lint-disable: "<id>,<id>"`.

mod deprecated_api;
mod deprecations;
mod duplicate_names;
mod hpa_target;
mod image_tag;
mod ingress_backend;
mod probes;
mod resources;
mod security_context;
mod selector_mismatch;
mod service_selector;
mod workload;

use crate::gotemplate::value::Value;

use super::diagnostic::{Diagnostic, Severity};

pub use workload::{get, get_str};

/// The annotation that turns rules off for one resource.
pub const DISABLE_ANNOTATION: &str = "chartctl.io/lint-disable";

/// One rendered document, with where it came from.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The template that produced it, relative to the chart (`templates/deployment.yaml`).
    pub file: String,
    /// The line of `file` the document starts at, when known.
    pub line: Option<usize>,
    /// The parsed document.
    pub doc: Value,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `metadata.namespace`, empty when unset.
    pub namespace: String,
}

impl Manifest {
    pub fn new(file: impl Into<String>, line: Option<usize>, doc: Value) -> Manifest {
        let field = |path: &[&str]| get_str(&doc, path).unwrap_or_default();
        Manifest {
            file: file.into(),
            line,
            api_version: field(&["apiVersion"]),
            kind: field(&["kind"]),
            name: field(&["metadata", "name"]),
            namespace: field(&["metadata", "namespace"]),
            doc,
        }
    }

    /// `Kind/name`, as findings name a resource.
    pub fn resource(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    /// Rule ids switched off by the resource's own annotation.
    fn disabled_rules(&self) -> Vec<String> {
        get_str(&self.doc, &["metadata", "annotations", DISABLE_ANNOTATION])
            .map(|s| s.split(',').map(|r| r.trim().to_string()).collect())
            .unwrap_or_default()
    }
}

/// What the rules look at.
pub struct Context<'a> {
    pub manifests: &'a [Manifest],
    /// The target Kubernetes minor version (`35` for 1.35).
    pub kube_minor: u32,
    /// The chart's coalesced values, to trace an offending value back to its key.
    pub values: &'a Value,
}

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleInfo {
    pub id: &'static str,
    pub summary: &'static str,
    pub severity: Severity,
}

pub trait Rule {
    fn info(&self) -> &'static RuleInfo;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// A rule's finding about one manifest, before it becomes a [`Diagnostic`].
pub struct Finding {
    /// Index into `Context::manifests`.
    pub manifest: usize,
    pub message: String,
    pub help: Option<String>,
    /// A value to trace back to its values key (an image reference, a tag).
    pub trace: Option<String>,
    /// Overrides the rule's default severity.
    pub severity: Option<Severity>,
}

impl Finding {
    pub fn new(manifest: usize, message: impl Into<String>) -> Finding {
        Finding {
            manifest,
            message: message.into(),
            help: None,
            trace: None,
            severity: None,
        }
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn trace(mut self, value: impl Into<String>) -> Finding {
        self.trace = Some(value.into());
        self
    }

    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = Some(severity);
        self
    }
}

/// Every rule, in the order their findings are reported.
pub fn all() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(deprecated_api::DeprecatedApi),
        Box::new(duplicate_names::DuplicateNames),
        Box::new(selector_mismatch::SelectorMismatch),
        Box::new(service_selector::ServiceSelector),
        Box::new(hpa_target::HpaTarget),
        Box::new(ingress_backend::IngressBackend),
        Box::new(image_tag::ImageTag),
        Box::new(resources::Resources),
        Box::new(probes::Probes),
        Box::new(security_context::SecurityContext),
    ]
}

/// The ids and summaries of every rule (for `--format sarif` and the docs).
pub fn catalogue() -> Vec<(&'static str, &'static str)> {
    all()
        .iter()
        .map(|r| (r.info().id, r.info().summary))
        .collect()
}

/// Runs every rule not in `disabled` and turns the findings into diagnostics.
pub fn run(cx: &Context<'_>, disabled: &[String]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in all() {
        let info = rule.info();
        if disabled.iter().any(|d| d == info.id) {
            continue;
        }
        let mut findings = Vec::new();
        rule.check(cx, &mut findings);
        for f in findings {
            let Some(m) = cx.manifests.get(f.manifest) else {
                continue;
            };
            if m.disabled_rules().iter().any(|d| d == info.id) {
                continue;
            }
            out.push(Diagnostic {
                rule: info.id,
                severity: f.severity.unwrap_or(info.severity),
                file: m.file.clone(),
                line: m.line,
                values_key: f
                    .trace
                    .as_deref()
                    .and_then(|t| trace_values_key(cx.values, t)),
                resource: Some(m.resource()),
                message: f.message,
                help: f.help,
            });
        }
    }
    out
}

/// Helm's deprecated-API warning text for `apiVersion`/`kind` when the API is deprecated at
/// Kubernetes `1.<kube_minor>`: `<apiVersion> <Kind> is deprecated in v1.x+[, unavailable in
/// v1.y+][; use <replacement>]`.
pub fn helm_deprecation(api_version: &str, kind: &str, kube_minor: u32) -> Option<String> {
    let &(api, k, deprecated, removed, replacement) = deprecations::DEPRECATIONS
        .iter()
        .find(|(a, k, ..)| *a == api_version && *k == kind)?;
    if kube_minor < deprecated {
        return None;
    }
    let mut msg = format!("{api} {k} is deprecated in v1.{deprecated}+");
    if removed > 0 {
        msg.push_str(&format!(", unavailable in v1.{removed}+"));
    }
    if !replacement.is_empty() {
        msg.push_str(&format!("; use {replacement}"));
    }
    Some(msg)
}

/// The values key holding exactly `needle`, when exactly one does: a value that appears under
/// several keys cannot be attributed.
pub fn trace_values_key(values: &Value, needle: &str) -> Option<String> {
    fn walk(v: &Value, needle: &str, path: &mut String, found: &mut Vec<String>, depth: usize) {
        if depth > 64 || found.len() > 1 {
            return;
        }
        match v {
            Value::String(s) if &**s == needle => found.push(path.clone()),
            Value::Map(m) => {
                for (k, item) in m.borrow().iter() {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    walk(item, needle, path, found, depth + 1);
                    path.truncate(len);
                }
            }
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, needle, path, found, depth + 1);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(values, needle, &mut String::new(), &mut found, 0);
    if found.len() == 1 {
        found.pop()
    } else {
        None
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Builds manifests from JSON for rule tests.
    use super::Manifest;
    use crate::gotemplate::value::{Map, Value};
    use serde_json::Value as Json;

    pub fn value(j: &Json) -> Value {
        match j {
            Json::Null => Value::Nil,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
            Json::String(s) => Value::str(s),
            Json::Array(a) => Value::list(a.iter().map(value).collect()),
            Json::Object(o) => Value::map(
                o.iter()
                    .map(|(k, v)| (k.clone(), value(v)))
                    .collect::<Map>(),
            ),
        }
    }

    pub fn manifests(docs: &[Json]) -> Vec<Manifest> {
        docs.iter()
            .enumerate()
            .map(|(i, d)| Manifest::new(format!("templates/{i}.yaml"), Some(1), value(d)))
            .collect()
    }

    /// The messages one rule reports on `docs`.
    pub fn check(rule: &dyn super::Rule, docs: &[Json]) -> Vec<String> {
        let manifests = manifests(docs);
        let values = Value::empty_map();
        let cx = super::Context {
            manifests: &manifests,
            kube_minor: 35,
            values: &values,
        };
        let mut out = Vec::new();
        rule.check(&cx, &mut out);
        out.into_iter().map(|f| f.message).collect()
    }

    /// A Deployment whose pod template is `pod`.
    pub fn deployment(name: &str, pod: Json) -> Json {
        serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name},
            "spec": {
                "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}}, "spec": pod}
            }
        })
    }
}
