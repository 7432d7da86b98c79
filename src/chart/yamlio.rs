//! The chart module's door to YAML: every `Chart.yaml`, `requirements.yaml`, `values.yaml`
//! and `-f` file goes through [`load_values`] and [`load_document`], which hand the text to
//! the Go-compatible loader of [`crate::yaml`].

use crate::gotemplate::value::{Map, Value};
use crate::yaml::MultiDoc;
use crate::Compat;

/// A values document as a map: Helm 3 reads the first YAML document, Helm 4 merges them all.
/// A document that is not a mapping is an error. The error is Helm's text after the file
/// prefix (`cannot load values.yaml: `, `failed to parse x.yaml: `).
pub fn load_values(data: &[u8], compat: Compat) -> Result<Map, String> {
    let text = String::from_utf8_lossy(data);
    let mode = match compat {
        Compat::Helm3 => MultiDoc::First,
        Compat::Helm4 => MultiDoc::Merge,
    };
    match crate::yaml::load_values(&text, mode) {
        Err(e) => Err(e.to_string()),
        Ok(Value::Map(m)) if compat == Compat::Helm3 => Ok(m.borrow().clone()),
        Ok(_) if compat == Compat::Helm3 => Ok(Map::new()),
        // Helm 4 merges the documents with `MergeMaps`, which keeps a null (`a: ~` in a later
        // document replaces the earlier value with null; coalescing then deletes the chart
        // default). The documents were all checked by the call above.
        Ok(_) => {
            let docs = crate::yaml::load_documents(&text).map_err(|e| e.to_string())?;
            let mut out = Map::new();
            for doc in docs {
                if let Value::Map(m) = doc {
                    out = super::values::merge_maps(&out, &m.borrow());
                }
            }
            Ok(out)
        }
    }
}

/// The first YAML document of `data` as a value (`Nil` when empty), as Go's `yaml.Unmarshal`
/// sees it.
pub fn load_document(data: &[u8]) -> Result<Value, String> {
    let text = String::from_utf8_lossy(data);
    crate::yaml::load_any(&text).map_err(|e| e.to_string())
}
