//! `toToml` (BurntSushi/toml's encoder layout) and `fromToml` (integers int64).
//!
//! The encoder is written here because its byte layout is BurntSushi's: plain keys first,
//! then tables, each table header after a blank line, table contents indented two spaces per
//! nesting level, float64 always with a decimal point or exponent. Helm 3 (toml v1.4) prints
//! floats with 'f' (`1000000.0`), Helm 4 (v1.6) with 'g' (`1e+06`). Parsing uses the `toml`
//! crate.

use super::num::{format_f, format_g};
use crate::gotemplate::value::{Map, Value};
use crate::Compat;

/// BurntSushi/toml `Encode` of a value; `Err` holds the Go error text Helm prints instead.
pub fn to_toml(v: &Value, compat: Compat) -> Result<String, String> {
    let data = plain(v);
    let mut enc = Encoder {
        out: String::new(),
        compat,
    };
    let Value::Map(m) = &data else {
        // A non-map value is written inline, with no line break (observed: `[1, 2]`, `"x"`).
        return enc.inline(&data, 0);
    };
    enc.table(&m.borrow(), &mut Vec::new(), 0)?;
    Ok(enc.out)
}

/// Objects are encoded as the data they stand for.
fn plain(v: &Value) -> Value {
    match v {
        Value::Object(o) => o.to_data(),
        other => other.clone(),
    }
}

struct Encoder {
    out: String,
    compat: Compat,
}

fn is_table(v: &Value) -> bool {
    matches!(plain(v), Value::Map(_))
}

fn is_table_array(v: &Value) -> bool {
    match plain(v) {
        Value::List(items) => !items.is_empty() && items.iter().all(is_table),
        _ => false,
    }
}

fn bare_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn quote_key(k: &str) -> String {
    if bare_key(k) {
        k.to_string()
    } else {
        quote(k)
    }
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Encoder {
    fn float(&self, f: f64) -> String {
        if f.is_nan() {
            return "nan".into();
        }
        if f.is_infinite() {
            return if f > 0.0 { "inf" } else { "-inf" }.into();
        }
        let s = match self.compat {
            Compat::Helm4 => format_g(f),
            Compat::Helm3 => format_f(f),
        };
        if s.contains(['.', 'e']) {
            s
        } else {
            s + ".0"
        }
    }

    fn inline(&self, v: &Value, depth: usize) -> Result<String, String> {
        if depth > 300 {
            return Err("toml: value nests too deeply".into());
        }
        Ok(match plain(v) {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) | Value::Int64(i) => i.to_string(),
            Value::Uint(u) => u.to_string(),
            Value::Float(f) => self.float(f),
            Value::String(s) => quote(&s),
            // BurntSushi encodes a `[]byte` as an array of numbers.
            Value::Bytes(b) => format!(
                "[{}]",
                b.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
            ),
            Value::List(items) => {
                let parts = items
                    .iter()
                    .filter(|i| !i.is_nil())
                    .map(|i| self.inline(i, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("[{}]", parts.join(", "))
            }
            Value::Map(m) => {
                let parts = m
                    .borrow()
                    .iter()
                    .filter(|(_, v)| !v.is_nil())
                    .map(|(k, v)| Ok(format!("{} = {}", quote_key(k), self.inline(v, depth + 1)?)))
                    .collect::<Result<Vec<_>, String>>()?;
                format!("{{{}}}", parts.join(", "))
            }
            Value::Nil | Value::Object(_) => String::new(),
        })
    }

    fn indent(depth: usize) -> String {
        "  ".repeat(depth)
    }

    /// Writes the entries of a table whose header (if any) is already written; `depth` is
    /// the indentation of its keys.
    fn table(&mut self, m: &Map, path: &mut Vec<String>, depth: usize) -> Result<(), String> {
        if depth > 300 {
            return Err("toml: value nests too deeply".into());
        }
        for (k, v) in m {
            if v.is_nil() || is_table(v) || is_table_array(v) {
                continue;
            }
            let line = format!(
                "{}{} = {}\n",
                Self::indent(depth),
                quote_key(k),
                self.inline(v, depth)?
            );
            self.out.push_str(&line);
        }
        let header_indent = if path.is_empty() { 0 } else { depth };
        for (k, v) in m {
            if is_table(v) {
                path.push(quote_key(k));
                self.blank(path.len());
                self.out.push_str(&format!(
                    "{}[{}]\n",
                    Self::indent(header_indent),
                    path.join(".")
                ));
                if let Value::Map(sub) = plain(v) {
                    self.table(&sub.borrow(), path, header_indent + 1)?;
                }
                path.pop();
            } else if is_table_array(v) {
                path.push(quote_key(k));
                if let Value::List(items) = plain(v) {
                    for item in items.iter() {
                        // Every array-of-tables header follows a blank line, nested or not.
                        self.blank(1);
                        self.out.push_str(&format!(
                            "{}[[{}]]\n",
                            Self::indent(header_indent),
                            path.join(".")
                        ));
                        if let Value::Map(sub) = plain(item) {
                            self.table(&sub.borrow(), path, header_indent + 1)?;
                        }
                    }
                }
                path.pop();
            }
        }
        Ok(())
    }

    /// BurntSushi puts a blank line before top-level table headers (`level` 1); nested table
    /// headers follow on.
    fn blank(&mut self, level: usize) {
        if level == 1 && !self.out.is_empty() {
            self.out.push('\n');
        }
    }
}

/// `toml.Unmarshal` into `map[string]interface{}`; `Err` holds an error text in
/// BurntSushi's shape (`toml: line N: ...`; the detail wording is the `toml` crate's).
pub fn from_toml(text: &str, compat: Compat) -> Result<Value, String> {
    match text.parse::<toml::Table>() {
        Ok(t) => Ok(from_table(&t)),
        Err(e) => {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            // toml v1.4 (Helm 3) counts the line from 0 at the end of input.
            let line = if compat == Compat::Helm3 {
                line - 1
            } else {
                line
            };
            let at = e.span().map_or(text.len(), |s| s.start.min(text.len()));
            let msg = match e.message().trim() {
                "" if text.get(at..).unwrap_or("").trim().is_empty() => {
                    "unexpected EOF; expected value".to_string()
                }
                m => m.replace('\n', "; "),
            };
            match last_key(text.get(..at).unwrap_or(text)) {
                Some(k) => Err(format!("toml: line {line} (last key {k:?}): {msg}")),
                None => Err(format!("toml: line {line}: {msg}")),
            }
        }
    }
}

/// The last `key =` before the error, which BurntSushi names in its messages.
fn last_key(before: &str) -> Option<String> {
    before.lines().rev().find_map(|l| {
        let (k, _) = l.split_once('=')?;
        let k = k.trim().trim_matches('"');
        (!k.is_empty() && !k.starts_with('#')).then(|| k.to_string())
    })
}

fn from_table(t: &toml::Table) -> Value {
    Value::map(
        t.iter()
            .map(|(k, v)| (k.clone(), from_toml_value(v)))
            .collect(),
    )
}

fn from_toml_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::str(s),
        toml::Value::Integer(i) => Value::Int64(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        // BurntSushi gives a time.Time, which JSON prints in RFC 3339 as TOML writes it.
        toml::Value::Datetime(d) => Value::string(d.to_string()),
        toml::Value::Array(items) => Value::list(items.iter().map(from_toml_value).collect()),
        toml::Value::Table(t) => from_table(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{load_values, MultiDoc};

    #[test]
    fn burntsushi_layout() {
        // Recorded with Helm 4 (conformance case toml/to_toml).
        let v = load_values(
            "a: 1\nb: \"x\"\nc: [1, 2]\nd: {e: true, f: {g: 1.5}}\nh: [{i: 1}, {i: 2}]\n",
            MultiDoc::First,
        )
        .expect("valid");
        assert_eq!(
            to_toml(&v, Compat::Helm4).expect("encodable"),
            "a = 1.0\nb = \"x\"\nc = [1.0, 2.0]\n\n[d]\n  e = true\n  [d.f]\n    g = 1.5\n\n[[h]]\n  i = 1.0\n\n[[h]]\n  i = 2.0\n"
        );
    }

    #[test]
    fn floats_per_version() {
        let v = load_values("a: 1000000\nd: -0.0\n", MultiDoc::First).expect("valid");
        assert_eq!(
            to_toml(&v, Compat::Helm4).expect("ok"),
            "a = 1e+06\nd = -0.0\n"
        );
        assert_eq!(
            to_toml(&v, Compat::Helm3).expect("ok"),
            "a = 1000000.0\nd = -0.0\n"
        );
    }

    #[test]
    fn integers_are_int64() {
        let v = from_toml("a = 1\nb = 1.0", Compat::Helm4).expect("valid");
        assert_eq!(format!("{v:?}"), r#"{"a": int64(1), "b": float64(1.0)}"#);
    }
}
