//! The JSON-schema subset the Kubernetes API schemas use, checked against a manifest [`Value`].
//!
//! Only what the bundled schemas contain is interpreted: `$ref`, `type` (with `null` for
//! optional fields), `properties`/`additionalProperties`, `required`, `items`, `enum`,
//! `oneOf`/`anyOf`/`allOf`, integer `format`s and `x-kubernetes-preserve-unknown-fields`. The
//! rules lean towards silence: `oneOf` is read as `anyOf` (the int-or-string schemas accept
//! `null` in both branches, which a strict `oneOf` would reject), so a reported violation is
//! one the API server would refuse too.

use std::fmt;

use serde_json::Value as Json;

use super::Validator;
use crate::gotemplate::value::Value;

/// How deep schemas and documents are followed; real manifests stay far below.
const MAX_DEPTH: usize = 128;

/// One way a document breaks its schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// Where, as `spec.template.spec.containers[0].image` (`(root)` for the document).
    pub path: String,
    pub kind: ViolationKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ViolationKind {
    /// A field the schema does not define.
    UnknownField(String),
    /// A required field that is absent.
    MissingField(String),
    /// A value of the wrong JSON type: what the schema allows, and what was found.
    WrongType { expected: String, found: String },
    /// A value outside the schema's `enum`.
    NotAllowed { value: String, allowed: Vec<String> },
    /// An integer outside its `format` (int32) or `minimum`/`maximum`.
    OutOfRange { value: String, limit: String },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        match &self.kind {
            ViolationKind::UnknownField(name) => write!(f, "{at}: unknown field `{name}`"),
            ViolationKind::MissingField(name) => {
                write!(f, "{at}: missing required field `{name}`")
            }
            ViolationKind::WrongType { expected, found } => {
                write!(f, "{at}: expected {expected}, found {found}")
            }
            ViolationKind::NotAllowed { value, allowed } => {
                write!(f, "{at}: {value} is not one of {}", allowed.join(", "))
            }
            ViolationKind::OutOfRange { value, limit } => {
                write!(f, "{at}: {value} is out of range ({limit})")
            }
        }
    }
}

pub(super) fn check(
    v: &Validator<'_>,
    schema: &Json,
    value: &Value,
    path: &mut String,
    out: &mut Vec<Violation>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Value::Object(obj) = value {
        let data = obj.to_data();
        return check(v, schema, &data, path, out, depth + 1);
    }
    if let Some(name) = schema.get("$ref").and_then(Json::as_str) {
        if let Some(def) = v.definition(name) {
            check(v, def, value, path, out, depth + 1);
        }
    }
    if let Some(types) = schema.get("type") {
        if !type_matches(types, value) {
            out.push(Violation {
                path: path.clone(),
                kind: ViolationKind::WrongType {
                    expected: describe_types(types),
                    found: describe_value(value),
                },
            });
            // The rest of the schema is about the expected type: nothing more to learn.
            return;
        }
    }
    if let Some(Json::Array(alternatives)) = schema.get("enum") {
        if let Some(text) = scalar_text(value) {
            let allowed: Vec<String> = alternatives
                .iter()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect();
            if !allowed.is_empty() && !allowed.contains(&text) {
                out.push(Violation {
                    path: path.clone(),
                    kind: ViolationKind::NotAllowed {
                        value: format!("{text:?}"),
                        allowed: allowed.iter().map(|a| format!("{a:?}")).collect(),
                    },
                });
            }
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Json::Array(branches)) = schema.get(key) {
            let fits = branches.iter().any(|b| {
                let mut scratch = Vec::new();
                check(v, b, value, &mut path.clone(), &mut scratch, depth + 1);
                scratch.is_empty()
            });
            if !fits {
                // Report the first branch's view: for int-or-string and quantities, a type
                // mismatch is all there is to say.
                let expected = branches
                    .iter()
                    .filter_map(|b| b.get("type").map(describe_types))
                    .collect::<Vec<_>>()
                    .join(" or ");
                out.push(Violation {
                    path: path.clone(),
                    kind: ViolationKind::WrongType {
                        expected,
                        found: describe_value(value),
                    },
                });
            }
        }
    }
    if let Some(Json::Array(all)) = schema.get("allOf") {
        for sub in all {
            check(v, sub, value, path, out, depth + 1);
        }
    }
    check_range(schema, value, path, out);
    match value {
        Value::Map(map) => check_object(v, schema, &map.borrow(), path, out, depth),
        Value::List(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    check(v, item_schema, item, path, out, depth + 1);
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
}

fn check_object(
    v: &Validator<'_>,
    schema: &Json,
    map: &crate::gotemplate::value::Map,
    path: &mut String,
    out: &mut Vec<Violation>,
    depth: usize,
) {
    let properties = schema.get("properties").and_then(Json::as_object);
    let preserve = schema
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Json::as_bool)
        .unwrap_or(false);
    let additional = schema.get("additionalProperties");
    if let Some(Json::Array(required)) = schema.get("required") {
        for name in required.iter().filter_map(Json::as_str) {
            if !map.contains_key(name) {
                out.push(Violation {
                    path: path.clone(),
                    kind: ViolationKind::MissingField(name.to_string()),
                });
            }
        }
    }
    if properties.is_none() && additional.is_none() {
        return;
    }
    for (key, item) in map {
        let sub = properties.and_then(|p| p.get(key));
        let len = path.len();
        push_key(path, key);
        match (sub, additional) {
            (Some(sub), _) => check(v, sub, item, path, out, depth + 1),
            (None, Some(Json::Bool(false))) if !preserve => {
                path.truncate(len);
                out.push(Violation {
                    path: path.clone(),
                    kind: ViolationKind::UnknownField(key.clone()),
                });
            }
            (None, Some(extra @ Json::Object(_))) => check(v, extra, item, path, out, depth + 1),
            _ => {}
        }
        path.truncate(len);
    }
}

fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push_str(&format!("[{key:?}]"));
    }
}

fn check_range(schema: &Json, value: &Value, path: &str, out: &mut Vec<Violation>) {
    let Some(n) = integral(value) else {
        return;
    };
    let (lo, hi) = match schema.get("format").and_then(Json::as_str) {
        Some("int32") => (i128::from(i32::MIN), i128::from(i32::MAX)),
        _ => (i128::MIN, i128::MAX),
    };
    let lo = schema
        .get("minimum")
        .and_then(Json::as_i64)
        .map_or(lo, |m| lo.max(i128::from(m)));
    let hi = schema
        .get("maximum")
        .and_then(Json::as_i64)
        .map_or(hi, |m| hi.min(i128::from(m)));
    if n < lo || n > hi {
        let limit = if n < lo {
            format!("minimum {lo}")
        } else {
            format!("maximum {hi}")
        };
        out.push(Violation {
            path: path.to_string(),
            kind: ViolationKind::OutOfRange {
                value: n.to_string(),
                limit,
            },
        });
    }
}

/// The value as an integer, when it is one (YAML numbers are float64; integral ones count).
fn integral(value: &Value) -> Option<i128> {
    match value {
        Value::Int(i) | Value::Int64(i) => Some(i128::from(*i)),
        Value::Uint(u) => Some(i128::from(*u)),
        // Truncation cannot happen: only integral floats within i64's range get here.
        #[allow(clippy::cast_possible_truncation)]
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i128),
        _ => None,
    }
}

fn type_matches(types: &Json, value: &Value) -> bool {
    let one = |t: &str| match t {
        "null" => value.is_nil(),
        "boolean" => matches!(value, Value::Bool(_)),
        "string" => matches!(value, Value::String(_) | Value::Bytes(_)),
        "integer" => integral(value).is_some(),
        "number" => matches!(
            value,
            Value::Int(_) | Value::Int64(_) | Value::Uint(_) | Value::Float(_)
        ),
        "object" => matches!(value, Value::Map(_)),
        "array" => matches!(value, Value::List(_)),
        _ => true,
    };
    match types {
        Json::String(t) => one(t),
        Json::Array(ts) => ts.iter().filter_map(Json::as_str).any(one),
        _ => true,
    }
}

fn describe_types(types: &Json) -> String {
    let names: Vec<&str> = match types {
        Json::String(t) => vec![t.as_str()],
        Json::Array(ts) => ts
            .iter()
            .filter_map(Json::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => vec![],
    };
    names.join(" or ")
}

fn describe_value(value: &Value) -> String {
    match value {
        Value::Nil => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Int(i) | Value::Int64(i) => format!("integer {i}"),
        Value::Uint(u) => format!("integer {u}"),
        Value::Float(f) => format!("number {f}"),
        Value::String(s) => format!("string {s:?}"),
        Value::Bytes(_) => "bytes".into(),
        Value::List(_) => "array".into(),
        Value::Map(_) => "object".into(),
        Value::Object(o) => o.type_name().to_string(),
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{bundle, Validation};
    use super::*;
    use crate::gotemplate::value::Map;

    fn json_to_value(j: &Json) -> Value {
        match j {
            Json::Null => Value::Nil,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
            Json::String(s) => Value::str(s),
            Json::Array(a) => Value::list(a.iter().map(json_to_value).collect()),
            Json::Object(o) => Value::map(
                o.iter()
                    .map(|(k, v)| (k.clone(), json_to_value(v)))
                    .collect::<Map>(),
            ),
        }
    }

    fn violations(doc: Json) -> Vec<String> {
        match bundle()
            .validator(31)
            .unwrap()
            .validate(&json_to_value(&doc))
        {
            Validation::Checked(v) => v.iter().map(ToString::to_string).collect(),
            other => panic!("not checked: {other:?}"),
        }
    }

    fn deployment(container: Json) -> Json {
        serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "annotations": {"helm.sh/hook": "pre-install"}},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [container]}
                }
            }
        })
    }

    #[test]
    fn a_valid_deployment_passes() {
        let doc = deployment(serde_json::json!({
            "name": "web", "image": "nginx:1.27",
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "resources": {"limits": {"cpu": "500m", "memory": 128}}
        }));
        assert_eq!(violations(doc), Vec::<String>::new());
    }

    #[test]
    fn planted_errors_are_found_with_their_path() {
        let doc = deployment(serde_json::json!({
            "name": "web", "image": "nginx",
            "imagePullPolicyy": "Always",
            "ports": [{"containerPort": "http"}, {"protocol": "TCP"}]
        }));
        assert_eq!(
            violations(doc),
            vec![
                "spec.template.spec.containers[0]: unknown field `imagePullPolicyy`",
                "spec.template.spec.containers[0].ports[0].containerPort: expected integer, found string \"http\"",
                "spec.template.spec.containers[0].ports[1]: missing required field `containerPort`",
            ]
        );
    }

    #[test]
    fn custom_resources_are_unknown_kinds() {
        let doc = serde_json::json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate"});
        assert_eq!(
            bundle()
                .validator(31)
                .unwrap()
                .validate(&json_to_value(&doc)),
            Validation::UnknownKind {
                api_version: "cert-manager.io/v1".into(),
                kind: "Certificate".into()
            }
        );
    }

    #[test]
    fn int32_ranges_are_enforced() {
        let doc = serde_json::json!({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
            "spec": {"ports": [{"port": 4_294_967_296_i64}]}
        });
        assert_eq!(
            violations(doc),
            vec!["spec.ports[0].port: 4294967296 is out of range (maximum 2147483647)"]
        );
    }
}
