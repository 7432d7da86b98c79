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

/// Helm's engine-internal `toYAML` behind `.Files.AsConfig` and `.Files.AsSecrets`: one
/// trailing newline trimmed, and an error swallowed into an empty string.
pub fn to_yaml(v: &Value) -> Result<String, String> {
    Ok(match crate::yaml::to_yaml(v) {
        Ok(text) => text.strip_suffix('\n').unwrap_or(&text).to_string(),
        Err(_) => String::new(),
    })
}

/// Reads the head of a rendered document (kind and annotations), with Helm's error text
/// (the part after `YAML parse error on <file>: `).
pub fn parse_head(doc: &str, compat: Compat) -> Result<DocHead, String> {
    let head = crate::yaml::head::parse_head_for(doc, compat).map_err(|e| e.to_string())?;
    Ok(DocHead {
        kind: head.kind.unwrap_or_default(),
        name: head.name.unwrap_or_default(),
        annotations: head.annotations,
    })
}
