//! Helm's `SimpleHead` parse of a rendered manifest document.

use std::collections::BTreeMap;

use super::error::YamlError;

/// The fields Helm reads from each rendered document to sort and classify it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocHead {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub annotations: BTreeMap<String, String>,
}

/// Parses a rendered document's head as Helm does.
pub fn parse_head(_doc: &str) -> Result<DocHead, YamlError> {
    Err(YamlError::plain("parse_head is not implemented yet"))
}
