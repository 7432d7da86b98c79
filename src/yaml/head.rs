//! Helm's `SimpleHead` parse of a rendered manifest document: `apiVersion`, `kind`,
//! `metadata.name` and `metadata.annotations`, read through `sigs.k8s.io/yaml` into a Go
//! struct.
//!
//! That path has three quirks reproduced here: scalars headed for string fields are turned
//! into strings (`kind: 1.0` is `"1"`, floats via 'g' at 32 bits); JSON field names match
//! case-insensitively (`KIND:` sets `kind`; among several spellings the last in byte order
//! wins); and type mismatches are Go's `cannot unmarshal` errors, worded differently by the
//! Go versions Helm 3 and Helm 4 are built with.

use std::collections::BTreeMap;

use super::error::YamlError;
use super::load::{check_json_entry, json_key, load_go_first, Go};
use super::num::format_g32;
use crate::Compat;

/// The fields Helm reads from each rendered document to sort and classify it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocHead {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub annotations: BTreeMap<String, String>,
}

/// Parses a rendered document's head as Helm 4 does. The error is the text Helm prints after
/// `YAML parse error on <file>: `.
pub fn parse_head(doc: &str) -> Result<DocHead, YamlError> {
    parse_head_for(doc, Compat::Helm4)
}

const META_TYPE: &str =
    "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }";

/// [`parse_head`] with the error wording of the given Helm version.
pub fn parse_head_for(doc: &str, compat: Compat) -> Result<DocHead, YamlError> {
    let go = load_go_first(doc).map_err(YamlError::sigs)?;
    // The whole document goes through the JSON conversion, so its errors (null keys, NaN)
    // surface even outside the head; string-bound scalars are exempt (already strings).
    let mut head = DocHead::default();
    let top = match &go {
        Go::Nil => return Ok(head),
        Go::Map(pairs) => pairs,
        other => {
            return Err(YamlError::unmarshal(format!(
                "json: cannot unmarshal {} into Go value of type {}",
                go_json_kind(other),
                match compat {
                    Compat::Helm4 => "util.SimpleHead",
                    Compat::Helm3 => "releaseutil.SimpleHead",
                }
            )))
        }
    };
    check_rest(top, &["apiversion", "kind", "metadata"])?;
    let field_err = |value: &Go, strukt: &str, path: &str, ty: &str| {
        YamlError::unmarshal(format!(
            "json: cannot unmarshal {} into Go struct field {}.{path} of type {ty}",
            go_json_kind(value),
            match compat {
                Compat::Helm4 => "",
                Compat::Helm3 => strukt,
            }
        ))
    };
    for (key, value) in folded(top) {
        match key.as_str() {
            "apiversion" => {
                head.api_version = string_field(value)
                    .map_err(|v| field_err(v, "SimpleHead", "apiVersion", "string"))?
                    .or(head.api_version.take());
            }
            "kind" => {
                head.kind = string_field(value)
                    .map_err(|v| field_err(v, "SimpleHead", "kind", "string"))?
                    .or(head.kind.take());
            }
            "metadata" => match value {
                Go::Nil => {}
                Go::Map(meta) => {
                    check_rest(meta, &["name", "annotations"])?;
                    for (mk, mv) in folded(meta) {
                        match mk.as_str() {
                            "name" => {
                                head.name = string_field(mv)
                                    .map_err(|v| field_err(v, "", "metadata.name", "string"))?
                                    .or(head.name.take());
                            }
                            "annotations" => match mv {
                                Go::Nil => {}
                                Go::Map(anns) => {
                                    for (ak, av) in anns {
                                        let key = map_key(ak)?;
                                        let path = match compat {
                                            Compat::Helm4 => format!("metadata.annotations.{key}"),
                                            Compat::Helm3 => "metadata.annotations".to_string(),
                                        };
                                        let val = string_field(av)
                                            .map_err(|v| field_err(v, "", &path, "string"))?;
                                        head.annotations.insert(key, val.unwrap_or_default());
                                    }
                                }
                                other => {
                                    return Err(field_err(
                                        other,
                                        "",
                                        "metadata.annotations",
                                        "map[string]string",
                                    ))
                                }
                            },
                            _ => {}
                        }
                    }
                }
                other => return Err(field_err(other, "SimpleHead", "metadata", META_TYPE)),
            },
            _ => {}
        }
    }
    Ok(head)
}

/// The entries whose keys match a struct field case-insensitively, lower-cased, in the byte
/// order of the original keys (the JSON object order, so the last spelling wins).
fn folded(pairs: &[(Go, Go)]) -> Vec<(String, &Go)> {
    let mut out: Vec<(String, String, &Go)> = pairs
        .iter()
        .filter_map(|(k, v)| match k {
            Go::Str(s) => Some((s.clone(), s.to_ascii_lowercase(), v)),
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, l, v)| (l, v)).collect()
}

/// Runs the `sigs.k8s.io/yaml` conversion over entries that are not string-bound head
/// fields, for its errors (null keys, NaN, unsupported key types).
fn check_rest(pairs: &[(Go, Go)], head_fields: &[&str]) -> Result<(), YamlError> {
    for (k, v) in pairs {
        // Head fields are checked by the head parse itself, string-bound as they are.
        if matches!(k, Go::Str(s) if head_fields.iter().any(|f| s.eq_ignore_ascii_case(f))) {
            continue;
        }
        check_json_entry(k, v).map_err(YamlError::sigs)?;
    }
    Ok(())
}

fn map_key(k: &Go) -> Result<String, YamlError> {
    json_key(k, &Go::Nil).map_err(YamlError::sigs)
}

/// A value bound for a Go `string` field: scalars become strings as `sigs.k8s.io/yaml`
/// makes them, null leaves the field alone (`Ok(None)`), collections are type errors.
fn string_field(v: &Go) -> Result<Option<String>, &Go> {
    Ok(Some(match v {
        Go::Nil => return Ok(None),
        Go::Str(s) => s.clone(),
        Go::Bool(b) => b.to_string(),
        Go::Int(i) => i.to_string(),
        Go::Uint(u) => u.to_string(),
        Go::Float(f) => format_g32(*f),
        other @ (Go::Seq(_) | Go::Map(_)) => return Err(other),
    }))
}

fn go_json_kind(v: &Go) -> &'static str {
    match v {
        Go::Nil => "null",
        Go::Bool(_) => "bool",
        Go::Int(_) | Go::Uint(_) | Go::Float(_) => "number",
        Go::Str(_) => "string",
        Go::Seq(_) => "array",
        Go::Map(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(doc: &str, compat: Compat) -> String {
        parse_head_for(doc, compat)
            .expect_err("invalid head")
            .to_string()
    }

    #[test]
    fn reads_the_head() {
        let h = parse_head("apiVersion: v1\nkind: 1.0\nmetadata:\n  name: 1e7\n  annotations:\n    helm.sh/hook: ~\n    b: true\n").expect("valid");
        assert_eq!(h.api_version.as_deref(), Some("v1"));
        assert_eq!(h.kind.as_deref(), Some("1"));
        assert_eq!(h.name.as_deref(), Some("1e+07"));
        assert_eq!(
            h.annotations.get("helm.sh/hook").map(String::as_str),
            Some("")
        );
        assert_eq!(h.annotations.get("b").map(String::as_str), Some("true"));
        let h = parse_head("METADATA:\n  Annotations:\n    helm.sh/hook: bogus\n").expect("valid");
        assert_eq!(
            h.annotations.get("helm.sh/hook").map(String::as_str),
            Some("bogus")
        );
        assert_eq!(
            parse_head("# only a comment").expect("valid"),
            DocHead::default()
        );
    }

    #[test]
    fn go_errors_per_version() {
        // Observed on both binaries.
        assert_eq!(err("kind: [a]", Compat::Helm4), "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field .kind of type string");
        assert_eq!(err("kind: [a]", Compat::Helm3), "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field SimpleHead.kind of type string");
        assert_eq!(err("hello", Compat::Helm4), "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type util.SimpleHead");
        assert_eq!(err("metadata:\n  annotations:\n    a: [x]", Compat::Helm4), "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field .metadata.annotations.a of type string");
        assert_eq!(err("metadata:\n  annotations:\n    a: [x]", Compat::Helm3), "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field .metadata.annotations of type string");
        assert_eq!(err("metadata: x", Compat::Helm3), "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field SimpleHead.metadata of type struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }");
        assert_eq!(
            err("x: .inf", Compat::Helm4),
            "error converting YAML to JSON: json: unsupported value: +Inf"
        );
    }
}
