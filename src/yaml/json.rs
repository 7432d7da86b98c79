//! `encoding/json` output and input.

use std::fmt;

use super::error::YamlError;
use crate::gotemplate::value::Value;

/// A JSON decoding error with Go's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError(pub String);

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

pub fn to_json(_v: &Value, _escape_html: bool) -> Result<String, YamlError> {
    Err(YamlError::plain("toJson is not implemented yet"))
}

pub fn to_pretty_json(_v: &Value, _escape_html: bool) -> Result<String, YamlError> {
    Err(YamlError::plain("toPrettyJson is not implemented yet"))
}

pub fn from_json(_text: &str) -> Result<Value, JsonError> {
    Err(JsonError("fromJson is not implemented yet".into()))
}

pub fn from_json_any(_text: &str) -> Result<Value, JsonError> {
    Err(JsonError("fromJson is not implemented yet".into()))
}
