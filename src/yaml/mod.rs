//! Go-compatible YAML and JSON: loading with YAML 1.1 resolution as Helm's `sigs.k8s.io/yaml`
//! does, and emitting `toYaml` (goyaml.v2), `toYamlPretty` (goyaml.v3) and `toJson`
//! (`encoding/json`) byte for byte.
//!
//! - [`load`]: saphyr-parser events → goyaml.v2's Go values ([`load::Go`]) → the JSON hop
//!   (keys strings, numbers float64). [`resolve`] holds the YAML 1.1 scalar rules both
//!   directions share; [`error`] words failures as goyaml.v2 and `sigs.k8s.io/yaml` do.
//!   A fast path (`fast`) reads the block-style subset real files are made of straight into
//!   goyaml.v2's values and leaves everything else to the saphyr-based loader.
//! - [`emit`]: libyaml's emitter decisions for `toYaml` and `toYamlPretty`.
//! - [`json`]: `encoding/json` output and decoding, error texts per Go version.
//! - [`head`]: the `SimpleHead` parse of rendered documents.
//! - [`toml`]: `toToml` in BurntSushi's layout, `fromToml`.
//!
//! Where saphyr-parser (YAML 1.2) and libyaml (YAML 1.1) disagree, the loader bridges the
//! common cases: NEL is a line break, a tab after `:` and tabs indenting flow collections are
//! whitespace, quoted scalars may continue at any column, and libyaml's own tab-indentation
//! errors are reported. Known differences left (each has a recorded case under
//! `tests/conformance/yaml/`): U+2028/U+2029 are not line breaks, `%x:` reads as a directive,
//! flow collections nest at most about 250 deep, and a few rarer syntax errors keep saphyr's
//! wording or line. Collections nest at most 300 levels here. `fromToml` errors follow
//! BurntSushi's shape but not always its wording; a TOML date is a string, not a `time.Time`.
//! `fromJson` of an overflowing number loses the partial map Go keeps beside the error.

pub mod emit;
pub mod error;
mod fast;
pub mod head;
pub mod json;
pub mod load;
pub mod num;
pub mod resolve;
pub mod toml;

use crate::gotemplate::value::Value;

pub use emit::{to_yaml, to_yaml_pretty};
pub use error::YamlError;
pub use head::{parse_head, parse_head_for, DocHead};
pub use json::{from_json, from_json_any, from_json_array, to_json, to_pretty_json, JsonError};

/// How a values file with several YAML documents is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MultiDoc {
    /// Helm 3: only the first document counts (`sigs.k8s.io/yaml.Unmarshal`).
    First,
    /// Helm 4: documents are split as Kubernetes' `YAMLReader` does and each later one is
    /// merged over the earlier ones (maps merged deeply, a null deletes the key).
    Merge,
}

/// Loads a values file (or any YAML Helm reads into a `map[string]interface{}`): YAML 1.1
/// resolution, then the JSON hop (numbers float64, keys strings). The result is always a
/// [`Value::Map`]; a root that is not a mapping is Go's `cannot unmarshal` error. Errors
/// are the text Helm prints after `cannot load values.yaml: ` (Helm 4 adds
/// `cannot unmarshal yaml document: ` itself before goyaml errors; see [`MultiDoc`]).
pub fn load_values(text: &str, multi_doc: MultiDoc) -> Result<Value, YamlError> {
    match multi_doc {
        MultiDoc::First => load::load_first_map(text).map_err(YamlError::sigs),
        MultiDoc::Merge => {
            let mut acc = Value::empty_map();
            for v in load_value_documents(text)? {
                merge_over(&acc, &v);
                if acc.as_map().is_none() {
                    acc = v;
                }
            }
            Ok(acc)
        }
    }
}

/// The documents of a values file as Helm 4 reads them, before merging: split as
/// Kubernetes' `YAMLReader` splits them, each a map (an empty document an empty map), with
/// the errors of [`load_values`] in [`MultiDoc::Merge`] mode.
pub fn load_value_documents(text: &str) -> Result<Vec<Value>, YamlError> {
    load::split_documents(text)?
        .into_iter()
        .map(|doc| {
            load::load_first_map(doc).map_err(|e| {
                // Helm's text counts lines within the document; the position we keep for
                // diagnostics counts them within the file.
                let offset = line_offset(text, doc);
                let mut e = e.sigs().with_context("cannot unmarshal yaml document");
                e.line = e.line.map(|l| l + offset);
                e
            })
        })
        .collect()
}

/// How many lines of `text` come before `part`, a slice of it.
fn line_offset(text: &str, part: &str) -> usize {
    let start = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    text.get(..start).map_or(0, |t| t.matches('\n').count())
}

/// Merges `src` into `dst` deeply, in place: maps merge, a null deletes, anything else
/// replaces.
fn merge_over(dst: &Value, src: &Value) {
    let (Some(d), Some(s)) = (dst.as_map(), src.as_map()) else {
        return;
    };
    for (k, v) in s.borrow().iter() {
        let existing = d.borrow().get(k).cloned();
        match (existing, v) {
            (_, Value::Nil) => {
                d.borrow_mut().remove(k);
            }
            (Some(e @ Value::Map(_)), Value::Map(_)) => merge_over(&e, v),
            _ => {
                d.borrow_mut().insert(k.clone(), v.clone());
            }
        }
    }
}

/// Every document of a YAML stream, each loaded as `sigs.k8s.io/yaml` loads one (JSON-typed;
/// any root kind). Documents are split as Kubernetes' `YAMLReader` splits them.
pub fn load_documents(text: &str) -> Result<Vec<Value>, YamlError> {
    load::split_documents(text)?
        .into_iter()
        .map(|d| load::load_first(d).map_err(YamlError::sigs))
        .collect()
}

/// `sigs.k8s.io/yaml.Unmarshal` into `interface{}`: the first document, JSON-typed, any kind.
pub fn load_any(text: &str) -> Result<Value, YamlError> {
    load::load_first(text).map_err(YamlError::sigs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dbg(v: &Result<Value, YamlError>) -> String {
        match v {
            Ok(v) => format!("{v:?}"),
            Err(e) => format!("ERR {e}"),
        }
    }

    #[test]
    fn helm3_takes_first_document() {
        // Observed: `---\n---\na: 1` renders `{}` with Helm 3.
        assert_eq!(dbg(&load_values("---\n---\na: 1\n", MultiDoc::First)), "{}");
        assert_eq!(
            dbg(&load_values("a: 1\n---\n- 1\n", MultiDoc::First)),
            r#"{"a": float64(1.0)}"#
        );
    }

    #[test]
    fn helm4_merges_documents() {
        // Observed: `{"a":{"true":2,"x":1},"b":2,"c":1}` with Helm 4.
        assert_eq!(
            dbg(&load_values(
                "a: {x: 1}\nc: 1\n---\na: {y: 2}\nb: 2\n",
                MultiDoc::Merge
            )),
            r#"{"a": {"true": float64(2.0), "x": float64(1.0)}, "b": float64(2.0), "c": float64(1.0)}"#
        );
        assert_eq!(
            dbg(&load_values("a: 1\n---\na: ~\n", MultiDoc::Merge)),
            "{}"
        );
        assert_eq!(
            dbg(&load_values("a: 1\n---\n- 1\n", MultiDoc::Merge)),
            "ERR cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
        assert_eq!(
            dbg(&load_values("a: 1\n---x: 1\n", MultiDoc::Merge)),
            "ERR error reading yaml document: invalid Yaml document separator: x: 1"
        );
    }

    #[test]
    fn error_positions_count_lines_in_the_file() {
        let e = load_values("a: 1\n---\nb: 2\n---\nc: [1\n", MultiDoc::Merge)
            .expect_err("unclosed flow sequence");
        // Helm says `line 1` (within the third document); the end of input is file line 6.
        assert!(e
            .to_string()
            .ends_with("yaml: line 1: did not find expected ',' or ']'"));
        assert_eq!(e.line, Some(6));
    }

    #[test]
    fn goyaml_error_texts() {
        let cases = [
            (
                "a: 1\n\tb: 2\n",
                "yaml: line 2: found a tab character that violates indentation",
            ),
            (
                "a: [1, 2\n",
                "yaml: line 1: did not find expected ',' or ']'",
            ),
            ("a: \"abc\n", "yaml: line 2: found unexpected end of stream"),
            (
                "a: 1\n b: 2\n",
                "yaml: line 2: mapping values are not allowed in this context",
            ),
            (
                "a:\n  b: 1\n c: 2\n",
                "yaml: line 2: did not find expected key",
            ),
            ("a: *x\n", "yaml: unknown anchor 'x' referenced"),
            (
                "a:\n\tb: 2\n",
                "yaml: line 2: found character that cannot start any token",
            ),
            (
                "a: b: c\n",
                "yaml: mapping values are not allowed in this context",
            ),
        ];
        for (input, want) in cases {
            let got = dbg(&load_values(input, MultiDoc::First));
            assert_eq!(
                got,
                format!("ERR error converting YAML to JSON: {want}"),
                "input {input:?}"
            );
        }
    }
}
