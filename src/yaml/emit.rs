//! `toYaml` (goyaml.v2 after a JSON hop) and `toYamlPretty` (goyaml.v3) emitters.

use super::error::YamlError;
use crate::gotemplate::value::Value;

/// `sigs.k8s.io/yaml.Marshal`: the bytes Helm's `toYaml` trims one trailing newline from.
pub fn to_yaml(_v: &Value) -> Result<String, YamlError> {
    Err(YamlError::plain("toYaml is not implemented yet"))
}

/// goyaml.v3 with indent 2 (Helm's `toYamlPretty`), trailing newline included.
pub fn to_yaml_pretty(_v: &Value) -> Result<String, YamlError> {
    Err(YamlError::plain("toYamlPretty is not implemented yet"))
}
