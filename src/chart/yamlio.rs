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
    if let Some(values) = take_handed_over(data, compat) {
        return Ok(values);
    }
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

/// A values file parsed already, with its bytes and the Helm version it was parsed for.
type HandedOver = (Vec<u8>, Compat, Map);

thread_local! {
    /// A values file one reader parsed and handed to the next (see [`hand_over`]).
    static HANDED_OVER: RefCell<Option<HandedOver>> = const { RefCell::new(None) };
}

/// Hands the result of [`load_values`] on `data` to the next call with the same bytes and
/// Helm version, which takes it instead of parsing again (`helm lint` reads `values.yaml` for
/// its values rule, then loads the chart). The caller must hold no other reference into
/// `values`: the taker owns it and may change its nested maps in place (coalescing does).
pub fn hand_over(data: &[u8], compat: Compat, values: Map) {
    HANDED_OVER.set(Some((data.to_vec(), compat, values)));
}

/// Drops what [`hand_over`] left and no load took.
pub fn forget_handed_over() {
    HANDED_OVER.set(None);
}

fn take_handed_over(data: &[u8], compat: Compat) -> Option<Map> {
    HANDED_OVER.with_borrow_mut(|slot| {
        let fits = slot
            .as_ref()
            .is_some_and(|(bytes, c, _)| *c == compat && bytes.as_slice() == data);
        if fits {
            slot.take().map(|(_, _, values)| values)
        } else {
            None
        }
    })
}

/// The first YAML document of `data` as a value (`Nil` when empty), as Go's `yaml.Unmarshal`
/// sees it.
pub fn load_document(data: &[u8]) -> Result<Value, String> {
    let text = super::text_of(data);
    crate::yaml::load_any(&text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(values: &Map) -> Rc<RefCell<Map>> {
        match values.get("a") {
            Some(Value::Map(m)) => m.clone().into_ref(),
            other => panic!("not a map: {other:?}"),
        }
    }

    // The parse handed over is taken once, by a load of the same bytes for the same Helm:
    // a second owner would see the first one's changes to its nested maps.
    #[test]
    fn a_handed_over_parse_is_taken_once() {
        let data = b"a:\n  b: 1\n";
        let parsed = load_values(data, Compat::Helm4).unwrap();
        let inner = nested(&parsed);
        hand_over(data, Compat::Helm4, parsed);
        assert!(load_values(b"a:\n  b: 2\n", Compat::Helm4).is_ok());
        assert!(!Rc::ptr_eq(
            &nested(&load_values(data, Compat::Helm3).unwrap()),
            &inner
        ));
        assert!(Rc::ptr_eq(
            &nested(&load_values(data, Compat::Helm4).unwrap()),
            &inner
        ));
        assert!(!Rc::ptr_eq(
            &nested(&load_values(data, Compat::Helm4).unwrap()),
            &inner
        ));
        forget_handed_over();
    }
}
