//! Go-compatible YAML and JSON: loading with YAML 1.1 resolution as Helm's `sigs.k8s.io/yaml`
//! does, and emitting `toYaml` (goyaml.v2), `toYamlPretty` (goyaml.v3) and `toJson`
//! (`encoding/json`) byte for byte.
