//! `Chart.yaml` (and `requirements.yaml`): the [`Metadata`] model, its decoding from the YAML
//! value tree with Helm's quirks, and its validation with Helm's error texts.
//!
//! Helm decodes `Chart.yaml` with `sigs.k8s.io/yaml` into a Go struct, which gives three
//! behaviours reproduced here: keys match field names case-insensitively (`Name:` works,
//! unknown keys are ignored); a number or boolean where the struct wants a string is turned
//! into a string (`version: 1.0` → `"1"`, formatted as a 32-bit float); and a value of the
//! wrong shape fails with `encoding/json`'s message naming the Go field.

use std::collections::BTreeMap;

use crate::gotemplate::value::{Map, Value};
use crate::Compat;

use super::Error;

/// A maintainer entry of `Chart.yaml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// A `dependencies` entry of `Chart.yaml` (or `requirements.yaml`).
#[derive(Clone, Debug, Default)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    /// Set by dependency processing: whether the subchart renders.
    pub enabled: bool,
    /// `import-values`: strings or `{child, parent}` maps, kept as values.
    pub import_values: Vec<Value>,
    pub alias: String,
}

/// `Chart.yaml`, with Go's field names in snake case.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    /// `None` entries are `null` list items (a validation error for Helm).
    pub maintainers: Vec<Option<Maintainer>>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub kube_version: String,
    /// `None` entries are `null` list items (a validation error for Helm).
    pub dependencies: Vec<Option<Dependency>>,
    /// `type`: empty, `application` or `library`.
    pub chart_type: String,
}

impl Metadata {
    /// The dependencies that are not `null` (only valid metadata reaches callers).
    pub fn deps(&self) -> impl Iterator<Item = &Dependency> {
        self.dependencies.iter().flatten()
    }

    pub fn deps_mut(&mut self) -> impl Iterator<Item = &mut Dependency> {
        self.dependencies.iter_mut().flatten()
    }
}

/// A Go field type, to reproduce `encoding/json`'s messages and sigs.k8s.io/yaml's
/// number-to-string conversion.
#[derive(Clone, Copy)]
enum FieldType {
    Str,
    Bool,
    StrList,
    StrMap,
    AnyList,
}

impl FieldType {
    fn go_name(self) -> &'static str {
        match self {
            FieldType::Str => "string",
            FieldType::Bool => "bool",
            FieldType::StrList => "[]string",
            FieldType::StrMap => "map[string]string",
            FieldType::AnyList => "[]interface {}",
        }
    }
}

/// `encoding/json`'s name for the JSON type of a decoded value, as in
/// `cannot unmarshal <kind> into Go struct field ...`.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Uint(_) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

/// sigs.k8s.io/yaml turns YAML numbers and booleans into strings where the target is a Go
/// string: integers in base 10, floats with `strconv.FormatFloat(f, 'g', -1, 32)`. A YAML
/// float with an integral value (`1.0e6`) is printed as an integer here, where Helm would
/// print `1e+06`.
pub(crate) fn scalar_to_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) | Value::Int64(i) => Some(i.to_string()),
        Value::Uint(u) => Some(u.to_string()),
        // The loader hands every YAML number over as a float64; an integral one was almost
        // always a YAML integer, which sigs.k8s.io/yaml formats in base 10.
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(format!("{}", *f as i64)),
        Value::Float(f) => Some(format_float32_g(*f)),
        _ => None,
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: the shortest decimal that reads back as the
/// same float32, in `%e` form when the exponent is < -4 or >= 6.
fn format_float32_g(f: f64) -> String {
    let x = f as f32;
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` prints the shortest round-trip digits of an f32.
    let sci = format!("{x:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let n = digits.len() as i32;
    // Go decides between %e and %f with precision 6 when the shortest digits are asked for.
    let eprec = 6;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if exp < -4 || exp >= eprec {
        out.push_str(&digits[..1]);
        if n > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = (exp + 1) as usize;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

struct Decoder {
    /// The Go struct named in messages: `Metadata` for Helm 3; Go 1.27 (Helm 4) prints none.
    type_name: &'static str,
    /// The Go package of the chart types: `chart` (Helm 3) or `v2` (Helm 4).
    pkg: &'static str,
}

impl Decoder {
    fn err(&self, field: &str, v: &Value, ty: FieldType) -> Error {
        Error::new(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {}.{} of type {}",
            json_kind(v),
            self.type_name,
            field,
            ty.go_name()
        ))
    }

    fn string(&self, field: &str, v: &Value) -> Result<String, Error> {
        match v {
            Value::Nil => Ok(String::new()),
            _ => scalar_to_string(v).ok_or_else(|| self.err(field, v, FieldType::Str)),
        }
    }

    fn boolean(&self, field: &str, v: &Value) -> Result<bool, Error> {
        match v {
            Value::Nil => Ok(false),
            Value::Bool(b) => Ok(*b),
            _ => Err(self.err(field, v, FieldType::Bool)),
        }
    }

    fn str_list(&self, field: &str, v: &Value) -> Result<Vec<String>, Error> {
        match v {
            Value::Nil => Ok(Vec::new()),
            Value::List(items) => items
                .iter()
                .map(|item| match item {
                    Value::Nil => Ok(String::new()),
                    _ => {
                        scalar_to_string(item).ok_or_else(|| self.err(field, item, FieldType::Str))
                    }
                })
                .collect(),
            _ => Err(self.err(field, v, FieldType::StrList)),
        }
    }

    fn str_map(&self, field: &str, v: &Value) -> Result<BTreeMap<String, String>, Error> {
        match v {
            Value::Nil => Ok(BTreeMap::new()),
            Value::Map(m) => m
                .borrow()
                .iter()
                .map(|(k, item)| match item {
                    Value::Nil => Ok((k.clone(), String::new())),
                    _ => scalar_to_string(item)
                        .map(|s| (k.clone(), s))
                        .ok_or_else(|| self.err(field, item, FieldType::Str)),
                })
                .collect(),
            _ => Err(self.err(field, v, FieldType::StrMap)),
        }
    }

    fn any_list(&self, field: &str, v: &Value) -> Result<Vec<Value>, Error> {
        match v {
            Value::Nil => Ok(Vec::new()),
            Value::List(items) => Ok(items.as_ref().clone()),
            _ => Err(self.err(field, v, FieldType::AnyList)),
        }
    }
}

/// Finds `name` among the keys case-insensitively as `encoding/json` does: an exact match
/// wins, otherwise the last key (in map order) that matches ignoring case. Go decodes the
/// JSON object in document order and each matching key overwrites the field, so the last
/// matching key wins; the YAML→JSON hop sorts keys, so byte order is document order here.
fn field<'m>(map: &'m Map, name: &str) -> Option<&'m Value> {
    map.iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .next_back()
}

fn object_of(v: &Value, dec: &Decoder, field_name: &str) -> Result<Option<Map>, Error> {
    match v {
        Value::Nil => Ok(None),
        Value::Map(m) => Ok(Some(m.borrow().clone())),
        _ => Err(Error::new(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {}.{} of type *{}.{}",
            json_kind(v),
            dec.type_name,
            field_name,
            dec.pkg,
            match field_name {
                "maintainers" => "Maintainer",
                _ => "Dependency",
            }
        ))),
    }
}

/// Decodes the top-level `Chart.yaml` mapping into `md`, overwriting the fields present (Go's
/// `yaml.Unmarshal` into an existing struct, which `requirements.yaml` relies on).
///
/// `doc` is the YAML document as a value; a non-mapping document is an error with Go's text.
pub fn decode_into(md: &mut Metadata, doc: &Value, compat: Compat) -> Result<(), Error> {
    let dec = Decoder {
        type_name: match compat {
            Compat::Helm3 => "Metadata",
            Compat::Helm4 => "",
        },
        pkg: match compat {
            Compat::Helm3 => "chart",
            Compat::Helm4 => "v2",
        },
    };
    let map = match doc {
        Value::Nil => return Ok(()),
        Value::Map(m) => m.borrow().clone(),
        other => {
            return Err(Error::new(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type {}.Metadata",
                json_kind(other),
                dec.pkg
            )))
        }
    };
    macro_rules! set_str {
        ($key:literal, $field:ident) => {
            if let Some(v) = field(&map, $key) {
                md.$field = dec.string($key, v)?;
            }
        };
    }
    set_str!("name", name);
    set_str!("home", home);
    set_str!("version", version);
    set_str!("description", description);
    set_str!("icon", icon);
    set_str!("apiVersion", api_version);
    set_str!("condition", condition);
    set_str!("tags", tags);
    set_str!("appVersion", app_version);
    set_str!("kubeVersion", kube_version);
    set_str!("type", chart_type);
    if let Some(v) = field(&map, "sources") {
        md.sources = dec.str_list("sources", v)?;
    }
    if let Some(v) = field(&map, "keywords") {
        md.keywords = dec.str_list("keywords", v)?;
    }
    if let Some(v) = field(&map, "deprecated") {
        md.deprecated = dec.boolean("deprecated", v)?;
    }
    if let Some(v) = field(&map, "annotations") {
        md.annotations = dec.str_map("annotations", v)?;
    }
    if let Some(v) = field(&map, "maintainers") {
        md.maintainers = match v {
            Value::Nil => Vec::new(),
            Value::List(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    out.push(match object_of(item, &dec, "maintainers")? {
                        None => None,
                        Some(m) => Some(decode_maintainer(&dec, &m)?),
                    });
                }
                out
            }
            other => {
                return Err(Error::new(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {}.maintainers of type []*{}.Maintainer",
                    json_kind(other),
                    dec.type_name,
                    dec.pkg
                )))
            }
        };
    }
    if let Some(v) = field(&map, "dependencies") {
        md.dependencies = match v {
            Value::Nil => Vec::new(),
            Value::List(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    out.push(match object_of(item, &dec, "dependencies")? {
                        None => None,
                        Some(m) => Some(decode_dependency(&dec, &m)?),
                    });
                }
                out
            }
            other => {
                return Err(Error::new(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {}.dependencies of type []*{}.Dependency",
                    json_kind(other),
                    dec.type_name,
                    dec.pkg
                )))
            }
        };
    }
    Ok(())
}

fn decode_maintainer(dec: &Decoder, map: &Map) -> Result<Maintainer, Error> {
    let mut m = Maintainer::default();
    if let Some(v) = field(map, "name") {
        m.name = dec.string("maintainers.name", v)?;
    }
    if let Some(v) = field(map, "email") {
        m.email = dec.string("maintainers.email", v)?;
    }
    if let Some(v) = field(map, "url") {
        m.url = dec.string("maintainers.url", v)?;
    }
    Ok(m)
}

fn decode_dependency(dec: &Decoder, map: &Map) -> Result<Dependency, Error> {
    let mut d = Dependency::default();
    for (key, slot) in [
        ("name", &mut d.name),
        ("version", &mut d.version),
        ("repository", &mut d.repository),
        ("condition", &mut d.condition),
        ("alias", &mut d.alias),
    ] {
        if let Some(v) = field(map, key) {
            *slot = dec.string(&format!("dependencies.{key}"), v)?;
        }
    }
    if let Some(v) = field(map, "tags") {
        d.tags = dec.str_list("dependencies.tags", v)?;
    }
    if let Some(v) = field(map, "enabled") {
        d.enabled = dec.boolean("dependencies.enabled", v)?;
    }
    if let Some(v) = field(map, "import-values") {
        d.import_values = dec.any_list("dependencies.import-values", v)?;
    }
    Ok(d)
}

/// Helm's `sanitizeString`: Unicode white space becomes a space, other non-printable
/// characters are dropped.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if is_go_printable(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

/// An approximation of Go's `unicode.IsPrint` (letters, marks, numbers, punctuation, symbols
/// and the ASCII space): control and format characters, surrogates, private-use and
/// unassigned planes are not printable.
fn is_go_printable(c: char) -> bool {
    if c.is_control() {
        return false;
    }
    let u = c as u32;
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xE0001 | 0xE0020..=0xE007F)
}

fn validation(msg: impl Into<String>) -> Error {
    Error::new(format!("validation: {}", msg.into()))
}

/// Go's `%q` of a string (quotes, backslash escapes, non-printables as `\x`/`\u`).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if !is_go_printable(c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32))
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Helm's `Metadata.Validate`: sanitises the string fields, then checks them in Helm's order.
pub fn validate(md: &mut Metadata, compat: Compat) -> Result<(), Error> {
    md.name = sanitize(&md.name);
    md.description = sanitize(&md.description);
    md.home = sanitize(&md.home);
    md.icon = sanitize(&md.icon);
    md.condition = sanitize(&md.condition);
    md.tags = sanitize(&md.tags);
    md.app_version = sanitize(&md.app_version);
    md.kube_version = sanitize(&md.kube_version);
    for s in md.sources.iter_mut().chain(md.keywords.iter_mut()) {
        *s = sanitize(s);
    }
    if md.api_version.is_empty() {
        return Err(validation("chart.metadata.apiVersion is required"));
    }
    if md.name.is_empty() {
        return Err(validation("chart.metadata.name is required"));
    }
    if compat == Compat::Helm4 && (md.name == "." || md.name == "..") {
        return Err(validation(format!(
            "chart.metadata.name {} is not allowed",
            go_quote(&md.name)
        )));
    }
    if go_base(&md.name) != md.name {
        return Err(validation(format!(
            "chart.metadata.name {} is invalid",
            go_quote(&md.name)
        )));
    }
    if md.version.is_empty() {
        return Err(validation("chart.metadata.version is required"));
    }
    if !is_valid_semver(&md.version) {
        return Err(validation(format!(
            "chart.metadata.version {} is invalid",
            go_quote(&md.version)
        )));
    }
    if !matches!(md.chart_type.as_str(), "" | "application" | "library") {
        return Err(validation(
            "chart.metadata.type must be application or library",
        ));
    }
    for m in &mut md.maintainers {
        match m {
            None => {
                return Err(validation(
                    "maintainers must not contain empty or null nodes",
                ))
            }
            Some(m) => {
                m.name = sanitize(&m.name);
                m.email = sanitize(&m.email);
                m.url = sanitize(&m.url);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for d in &mut md.dependencies {
        let Some(d) = d else {
            return Err(validation(
                "dependencies must not contain empty or null nodes",
            ));
        };
        d.name = sanitize(&d.name);
        d.version = sanitize(&d.version);
        d.repository = sanitize(&d.repository);
        d.condition = sanitize(&d.condition);
        for t in &mut d.tags {
            *t = sanitize(t);
        }
        if !d.alias.is_empty()
            && !d
                .alias
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(validation(format!(
                "dependency {} has disallowed characters in the alias",
                go_quote(&d.name)
            )));
        }
        let key = if d.alias.is_empty() {
            d.name.clone()
        } else {
            d.alias.clone()
        };
        if !seen.insert(key.clone()) {
            return Err(validation(format!(
                "more than one dependency with name or alias {}",
                go_quote(&key)
            )));
        }
    }
    Ok(())
}

/// Go's `filepath.Base` on Unix.
fn go_base(p: &str) -> &str {
    if p.is_empty() {
        return ".";
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Masterminds `semver.NewVersion` acceptance: an optional `v`, one to three dot-separated
/// numeric parts (no leading zeros in the strict parts), an optional `-prerelease` and
/// `+build` of `[0-9A-Za-z-]` identifiers separated by dots.
pub fn is_valid_semver(v: &str) -> bool {
    super::dependencies::parse_version(v).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float32_strings_like_sigs_yaml() {
        // `version: 1.0` in Chart.yaml becomes "1"; `appVersion: 1.10` becomes "1.1".
        assert_eq!(format_float32_g(1.0), "1");
        assert_eq!(format_float32_g(1.1), "1.1");
        assert_eq!(format_float32_g(0.5), "0.5");
        assert_eq!(format_float32_g(1e21), "1e+21");
        assert_eq!(format_float32_g(123456.0), "123456");
        assert_eq!(format_float32_g(1234567.0), "1.234567e+06");
        assert_eq!(format_float32_g(0.00001), "1e-05");
    }

    #[test]
    fn sanitize_turns_space_into_blank() {
        assert_eq!(sanitize("multi\nline\ttab\u{7}"), "multi line tab");
    }

    #[test]
    fn quote_like_go() {
        assert_eq!(go_quote("a\"b\n"), "\"a\\\"b\\n\"");
    }
}
