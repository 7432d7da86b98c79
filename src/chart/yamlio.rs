//! The chart module's door to YAML: every `Chart.yaml`, `requirements.yaml`, `values.yaml`
//! and `-f` file goes through [`load_values`] and [`load_document`], which hand the text to
//! the Go-compatible loader of [`crate::yaml`].

use std::cell::RefCell;
use std::rc::Rc;

use crate::gotemplate::value::{Map, Value};
use crate::yaml::MultiDoc;
use crate::Compat;

/// A values document as a map: Helm 3 reads the first YAML document, Helm 4 merges them all.
/// A document that is not a mapping is an error. The error is Helm's text after the file
/// prefix (`cannot load values.yaml: `, `failed to parse x.yaml: `).
pub fn load_values(data: &[u8], compat: Compat) -> Result<Map, String> {
    let text = super::text_of(data);
    match compat {
        Compat::Helm3 => match crate::yaml::load_values(&text, MultiDoc::First) {
            Err(e) => Err(e.to_string()),
            Ok(Value::Map(m)) => Ok(m.borrow().clone()),
            Ok(_) => Ok(Map::new()),
        },
        // Helm 4 merges the documents with `MergeMaps`, which keeps a null (`a: ~` in a later
        // document replaces the earlier value with null; coalescing then deletes the chart
        // default).
        Compat::Helm4 => {
            let docs = crate::yaml::load_value_documents(&text).map_err(|e| e.to_string())?;
            let mut docs = docs.into_iter();
            let mut out = match docs.next() {
                Some(Value::Map(m)) => Rc::try_unwrap(m.into_ref())
                    .map_or_else(|m| m.borrow().clone(), RefCell::into_inner),
                _ => Map::new(),
            };
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
    let text = super::text_of(data);
    crate::yaml::load_any(&text).map_err(|e| e.to_string())
}
