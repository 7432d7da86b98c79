//! Rendering a loaded chart as `helm template` does: built-in objects, executing every
//! template, splitting and sorting manifests, and assembling the output.

pub mod capabilities;
pub mod engine;
pub mod glob;
pub mod manifest;
pub mod objects;
pub mod output;
pub mod release;

use crate::gotemplate::value::Value;
use crate::Compat;
use manifest::DocHead;

/// `toYaml` for `.Files.AsConfig` and `.Files.AsSecrets`.
pub fn to_yaml(v: &Value) -> Result<String, String> {
    let _ = v;
    Err("toYaml is not available yet".into())
}

/// Reads the head of a rendered document (kind and annotations), with Helm's error text.
///
/// Until the YAML module's `parse_head` is wired in, the document is read as a values map,
/// whose errors do not match Helm's wording.
pub fn parse_head(doc: &str, compat: Compat) -> Result<DocHead, String> {
    let map = crate::chart::values::load_values(doc.as_bytes(), compat)?;
    let mut head = DocHead::default();
    if let Some(Value::String(k)) = map.get("kind") {
        head.kind = k.to_string();
    }
    if let Some(Value::Map(meta)) = map.get("metadata") {
        if let Some(Value::Map(ann)) = meta.borrow().get("annotations") {
            for (k, v) in ann.borrow().iter() {
                let text = match v {
                    Value::String(s) => s.to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Nil => String::new(),
                    other => format!("{other:?}"),
                };
                head.annotations.insert(k.clone(), text);
            }
        }
    }
    Ok(head)
}
