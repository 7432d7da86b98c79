//! The chart module's door to YAML: every `Chart.yaml`, `requirements.yaml`, `values.yaml`
//! and `-f` file goes through [`load_values`] and [`load_document`].
//!
//! Until the Go-compatible loader of `crate::yaml` is available this is a small interim
//! loader on `saphyr-parser` events with YAML 1.1 scalar resolution and numbers as `float64`;
//! its error texts are not Helm's. Replace the two bodies with `crate::yaml` calls.

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::gotemplate::value::{Map, Value};
use crate::Compat;

/// The deepest nesting accepted, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 512;

/// A values document as a map: Helm 3 reads the first YAML document, Helm 4 merges them all.
/// A document that is not a mapping is an error.
pub fn load_values(data: &[u8], compat: Compat) -> Result<Map, String> {
    let docs = documents(data).map_err(|e| match compat {
        Compat::Helm4 => format!("cannot unmarshal yaml document: {e}"),
        Compat::Helm3 => e,
    })?;
    let mut out = Map::new();
    for (i, doc) in docs.into_iter().enumerate() {
        if compat == Compat::Helm3 && i > 0 {
            break;
        }
        let map = match doc {
            Value::Nil => Map::new(),
            Value::Map(m) => m.borrow().clone(),
            other => {
                let kind = match other {
                    Value::List(_) => "array",
                    Value::String(_) => "string",
                    Value::Bool(_) => "bool",
                    _ => "number",
                };
                let e = format!("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}");
                return Err(match compat {
                    Compat::Helm4 => format!("cannot unmarshal yaml document: {e}"),
                    Compat::Helm3 => e,
                });
            }
        };
        out = super::values::merge_maps(&out, &map);
    }
    Ok(out)
}

/// The first YAML document of `data` as a value (`Nil` when empty), as Go's `yaml.Unmarshal`
/// sees it.
pub fn load_document(data: &[u8]) -> Result<Value, String> {
    Ok(documents(data)?.into_iter().next().unwrap_or(Value::Nil))
}

fn documents(data: &[u8]) -> Result<Vec<Value>, String> {
    let text = String::from_utf8_lossy(data);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut b = Builder {
        parser: Parser::new_from_str(text),
        anchors: std::collections::HashMap::new(),
    };
    let mut docs = Vec::new();
    loop {
        match b.next()? {
            None | Some(Event::StreamEnd) => break,
            Some(Event::DocumentStart(_)) => {
                let ev = b.next()?.unwrap_or(Event::DocumentEnd);
                if matches!(ev, Event::DocumentEnd) {
                    docs.push(Value::Nil);
                    continue;
                }
                let v = b.node(ev, 0)?;
                docs.push(v);
            }
            Some(_) => {}
        }
    }
    Ok(docs)
}

struct Builder<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: std::collections::HashMap<usize, Value>,
}

impl<'a> Builder<'a> {
    fn next(&mut self) -> Result<Option<Event<'a>>, String> {
        match self.parser.next_event() {
            None => Ok(None),
            Some(Ok((ev, _))) => Ok(Some(ev)),
            Some(Err(e)) => Err(format!(
                "error converting YAML to JSON: yaml: line {}: {}",
                e.marker().line(),
                e.info()
            )),
        }
    }

    fn node(&mut self, ev: Event<'a>, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("error converting YAML to JSON: yaml: exceeded max depth".into());
        }
        match ev {
            Event::Alias(id) => Ok(self.anchors.get(&id).cloned().unwrap_or(Value::Nil)),
            Event::Scalar(text, style, anchor, tag) => {
                let v = match (&tag, style) {
                    (Some(t), _) if t.suffix == "str" => Value::str(&text),
                    (_, ScalarStyle::Plain) => resolve_plain(&text)?,
                    _ => Value::str(&text),
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Some(Event::SequenceEnd) | None => break,
                        Some(ev) => items.push(self.node(ev, depth + 1)?),
                    }
                }
                let v = Value::list(items);
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            Event::MappingStart(anchor, _) => {
                let mut m = Map::new();
                let mut merges = Vec::new();
                loop {
                    let k = match self.next()? {
                        Some(Event::MappingEnd) | None => break,
                        Some(ev) => ev,
                    };
                    let is_merge =
                        matches!(&k, Event::Scalar(t, ScalarStyle::Plain, _, _) if t == "<<");
                    let key = self.node(k, depth + 1)?;
                    let vev = self.next()?.unwrap_or(Event::Scalar(
                        "".into(),
                        ScalarStyle::Plain,
                        0,
                        None,
                    ));
                    let val = self.node(vev, depth + 1)?;
                    if is_merge {
                        merges.push(val);
                        continue;
                    }
                    let key = match key {
                        Value::String(s) => s.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Float(f) => super::values::format_go_float_v(f),
                        Value::Nil => {
                            return Err("error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>".into())
                        }
                        other => {
                            return Err(format!(
                                "error converting YAML to JSON: yaml: invalid map key: {other:?}"
                            ))
                        }
                    };
                    m.insert(key, val);
                }
                for merge in merges {
                    let sources = match merge {
                        Value::List(l) => l.as_ref().clone(),
                        other => vec![other],
                    };
                    for src in sources {
                        if let Value::Map(sm) = src {
                            for (k, v) in sm.borrow().iter() {
                                m.entry(k.clone()).or_insert_with(|| v.clone());
                            }
                        }
                    }
                }
                let v = Value::map(m);
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            _ => Ok(Value::Nil),
        }
    }
}

/// YAML 1.1 plain scalar resolution as goyaml.v2 does it (numbers become float64 after the
/// JSON hop).
fn resolve_plain(s: &str) -> Result<Value, String> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Nil),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Ok(Value::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Ok(Value::Bool(false))
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Err("error converting YAML to JSON: json: unsupported value: +Inf".into())
        }
        "-.inf" | "-.Inf" | "-.INF" => {
            return Err("error converting YAML to JSON: json: unsupported value: -Inf".into())
        }
        ".nan" | ".NaN" | ".NAN" => {
            return Err("error converting YAML to JSON: json: unsupported value: NaN".into())
        }
        _ => {}
    }
    let plain = s.replace('_', "");
    let (neg, body) = match plain.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    let int = if let Some(h) = body.strip_prefix("0x") {
        i128::from_str_radix(h, 16).ok()
    } else if let Some(b) = body.strip_prefix("0b") {
        i128::from_str_radix(b, 2).ok()
    } else if let Some(o) = body.strip_prefix("0o") {
        i128::from_str_radix(o, 8).ok()
    } else if body.len() > 1 && body.starts_with('0') && body.bytes().all(|c| c.is_ascii_digit()) {
        i128::from_str_radix(&body[1..], 8).ok()
    } else if !body.is_empty() && body.bytes().all(|c| c.is_ascii_digit()) {
        body.parse::<i128>().ok()
    } else {
        None
    };
    if let Some(i) = int {
        let i = if neg { -i } else { i };
        return Ok(Value::Float(i as f64));
    }
    let looks_float = !body.is_empty()
        && body
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body.bytes().any(|c| c.is_ascii_digit());
    if looks_float {
        if let Ok(f) = plain.parse::<f64>() {
            return Ok(Value::Float(f));
        }
    }
    Ok(Value::str(s))
}
