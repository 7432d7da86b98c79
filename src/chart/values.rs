//! User values and coalescing: building the values from `-f` files and the `--set` family in
//! Helm's fixed order ([`merge_user_values`]), and coalescing them with every chart's
//! defaults ([`coalesce_values`], Helm's `CoalesceValues`/`MergeValues`), with Helm's
//! warnings and its Helm 3 / Helm 4 differences on nulls.
//!
//! Maps are `Rc<RefCell<..>>` and changed in place where Helm changes Go maps in place, and
//! copied where Helm copies them (`copystructure.Copy`), so aliasing effects match Helm's.

use std::cell::RefCell;
use std::rc::Rc;

use crate::gotemplate::value::{Map, MapRef, Value};
use crate::Compat;

use super::strvals::{self, Mode};
use super::{Chart, Error, Warning};

/// The values flags of `helm template`, each in command-line order within its kind.
#[derive(Clone, Debug, Default)]
pub struct ValuesOptions {
    /// `-f/--values` paths (`-` is standard input).
    pub files: Vec<String>,
    pub set_json: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_file: Vec<String>,
    pub set_literal: Vec<String>,
}

/// Reads a file named on the command line (`-` for standard input). Errors are Go's text,
/// e.g. `open x.yaml: no such file or directory`.
pub type ReadFile<'a> = dyn FnMut(&str) -> Result<Vec<u8>, String> + 'a;

/// Helm's `MergeValues` for the values flags: `-f` files (deep-merged, later wins), then
/// `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`, each parsed into
/// the map built so far. Errors carry Helm's text (`failed parsing --set data: ...`).
pub fn merge_user_values(
    opts: &ValuesOptions,
    read_file: &mut ReadFile,
    compat: Compat,
) -> Result<Map, Error> {
    let mut base = Map::new();
    for path in &opts.files {
        let raw = read_file(path).map_err(Error::new)?;
        let current = load_values(&raw, compat)
            .map_err(|e| Error::new(format!("failed to parse {path}: {e}")))?;
        base = merge_maps(&base, &current);
    }
    for value in &opts.set_json {
        let trimmed = value.trim();
        if compat == Compat::Helm4 && trimmed.starts_with('{') {
            match decode_json_document(trimmed) {
                Ok(Value::Map(m)) => {
                    let m = m.borrow().clone();
                    base = merge_maps(&base, &m);
                }
                _ => {
                    return Err(Error::new(format!(
                        "failed parsing --set-json data JSON: {value}"
                    )))
                }
            }
        } else if strvals::parse_into(value, &mut base, Mode::Json, compat).is_err() {
            return Err(Error::new(format!(
                "failed parsing --set-json data {value}"
            )));
        }
    }
    for value in &opts.set {
        strvals::parse_into(value, &mut base, Mode::Typed, compat)
            .map_err(|e| Error::new(format!("failed parsing --set data: {e}")))?;
    }
    for value in &opts.set_string {
        strvals::parse_into(value, &mut base, Mode::String, compat)
            .map_err(|e| Error::new(format!("failed parsing --set-string data: {e}")))?;
    }
    for value in &opts.set_file {
        let mut reader = |path: &str| -> Result<String, String> {
            read_file(path).map(|b| crate::chart::text_of(&b).into_owned())
        };
        strvals::parse_into(value, &mut base, Mode::File(&mut reader), compat)
            .map_err(|e| Error::new(format!("failed parsing --set-file data: {e}")))?;
    }
    for value in &opts.set_literal {
        strvals::parse_literal_into(value, &mut base, compat)
            .map_err(|e| Error::new(format!("failed parsing --set-literal data: {e}")))?;
    }
    Ok(base)
}

/// Loads a values document (values.yaml or a `-f` file) as a map: Helm 3 reads the first
/// YAML document, Helm 4 merges them all. The error is Helm's text after the file prefix.
pub fn load_values(data: &[u8], compat: Compat) -> Result<Map, String> {
    super::yamlio::load_values(data, compat)
}

/// Helm's `MergeMaps`: `b` over `a`, maps merged recursively, anything else replaced. Nested
/// maps of `a` are copied before being merged into, so `a` is left unchanged.
pub fn merge_maps(a: &Map, b: &Map) -> Map {
    let mut out = a.clone();
    for (k, v) in b {
        if let Value::Map(bm) = v {
            if let Some(Value::Map(am)) = out.get(k) {
                let merged = merge_maps(&am.borrow(), &bm.borrow());
                out.insert(k.clone(), Value::map(merged));
                continue;
            }
        }
        out.insert(k.clone(), v.clone());
    }
    out
}

fn deep_copy_map(m: &Map) -> MapRef {
    Rc::new(RefCell::new(
        m.iter().map(|(k, v)| (k.clone(), v.deep_copy())).collect(),
    ))
}

/// Go's `%v` of a value inside a warning (`warning: destination for a.b is a table. Ignoring
/// non-table value (5)`).
fn go_v(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => crate::chart::values::format_go_float_v(*f),
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => format!("{:?}", b.as_ref()),
        Value::List(l) => format!("[{}]", l.iter().map(go_v).collect::<Vec<_>>().join(" ")),
        Value::Map(m) => format!(
            "map[{}]",
            m.borrow()
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_v(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Object(o) => o.format(),
    }
}

/// Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)` with `%e` from exponent 21).
pub fn format_go_float_v(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let sci = format!("{f:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let n = digits.len() as i32;
    let eprec = if n > 21 { n } else { 21 };
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

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// Coalescing state: the Helm version and the warnings printed so far.
pub struct Coalescer<'w> {
    pub compat: Compat,
    pub warnings: &'w mut Vec<Warning>,
}

impl Coalescer<'_> {
    fn printf(&mut self, line: u32, text: String) {
        self.warnings
            .push(Warning::printf(&format!("coalesce.go:{line}"), &text));
    }

    /// Helm's `CoalesceValues` (`merge == false`) or `MergeValues` (`merge == true`): a deep
    /// copy of `vals` coalesced with the chart's and every subchart's defaults.
    pub fn coalesce(&mut self, chart: &Chart, vals: &Map, merge: bool) -> Result<MapRef, Error> {
        let dest = deep_copy_map(vals);
        self.coalesce_chart(chart, &dest, "", merge)?;
        Ok(dest)
    }

    fn coalesce_chart(
        &mut self,
        chart: &Chart,
        dest: &MapRef,
        prefix: &str,
        merge: bool,
    ) -> Result<(), Error> {
        self.coalesce_own(chart, dest, prefix, merge);
        self.coalesce_deps(chart, dest, prefix, merge)
    }

    fn coalesce_deps(
        &mut self,
        chart: &Chart,
        dest: &MapRef,
        prefix: &str,
        merge: bool,
    ) -> Result<(), Error> {
        for sub in &chart.dependencies {
            let name = sub.name().to_string();
            let existing = dest.borrow().get(&name).cloned();
            let dvmap = match existing {
                None => {
                    let m = Rc::new(RefCell::new(Map::new()));
                    dest.borrow_mut()
                        .insert(name.clone(), Value::from_map_ref(m.clone()));
                    m
                }
                Some(Value::Map(m)) => m.into_ref(),
                Some(Value::Nil) => {
                    return Err(Error::new(format!("type mismatch on {name}: %!t(<nil>)")))
                }
                Some(other) => {
                    return Err(Error::new(format!(
                        "type mismatch on {name}: %!t({}={})",
                        other.type_name(),
                        go_v(&other)
                    )))
                }
            };
            let sub_prefix = concat_prefix(prefix, chart.name());
            self.coalesce_globals(&dvmap, dest, &sub_prefix);
            self.coalesce_chart(sub, &dvmap, &sub_prefix, merge)?;
        }
        Ok(())
    }

    fn coalesce_globals(&mut self, dest: &MapRef, src: &MapRef, prefix: &str) {
        let dg = match dest.borrow().get("global").cloned() {
            None => Rc::new(RefCell::new(Map::new())),
            Some(Value::Map(m)) => m.into_ref(),
            Some(_) => {
                self.printf(
                    138,
                    "warning: skipping globals because destination global is not a table.".into(),
                );
                return;
            }
        };
        let sg = match src.borrow().get("global").cloned() {
            None => Rc::new(RefCell::new(Map::new())),
            Some(Value::Map(m)) => m.into_ref(),
            Some(_) => {
                self.printf(
                    145,
                    "warning: skipping globals because source global is not a table.".into(),
                );
                return;
            }
        };
        let entries: Vec<(String, Value)> = sg
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, val) in entries {
            if let Value::Map(vm) = &val {
                // Go copies the top level of the parent's global table only.
                let vv = Rc::new(RefCell::new(vm.borrow().clone()));
                let destv = dg.borrow().get(&key).cloned();
                match destv {
                    None => {
                        dg.borrow_mut().insert(key, Value::from_map_ref(vv));
                    }
                    Some(Value::Map(destvmap)) => {
                        let sub_prefix = concat_prefix(prefix, &key);
                        self.coalesce_tables(&vv, &destvmap, &sub_prefix, true);
                        dg.borrow_mut().insert(key, Value::from_map_ref(vv));
                    }
                    Some(_) => {
                        self.printf(
                            161,
                            format!(
                                "Conflict: cannot merge map onto non-map for {}. Skipping.",
                                super::metadata::go_quote(&key)
                            ),
                        );
                    }
                }
            } else {
                let is_table = matches!(dg.borrow().get(&key), Some(Value::Map(_)));
                if is_table {
                    self.printf(175, format!("key {key} is table. Skipping"));
                } else {
                    dg.borrow_mut().insert(key, val);
                }
            }
        }
        dest.borrow_mut()
            .insert("global".into(), Value::from_map_ref(dg));
    }

    fn coalesce_own(&mut self, chart: &Chart, v: &MapRef, prefix: &str, merge: bool) {
        let sub_prefix = concat_prefix(prefix, chart.name());
        let vc = deep_copy_map(&chart.values);
        let entries: Vec<(String, Value)> = vc
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, val) in entries {
            let existing = v.borrow().get(&key).cloned();
            match existing {
                Some(value) => {
                    if value.is_nil() && !merge {
                        v.borrow_mut().remove(&key);
                    } else if let Value::Map(dest) = &value {
                        match &val {
                            Value::Map(src) => {
                                let child_merge =
                                    merge || chart.dependencies.iter().any(|d| d.name() == key);
                                if !child_merge && self.compat == Compat::Helm4 {
                                    clean_nil_values(src);
                                }
                                self.coalesce_tables(
                                    dest,
                                    src,
                                    &concat_prefix(&sub_prefix, &key),
                                    child_merge,
                                );
                            }
                            Value::Nil => {}
                            _ => self.printf(
                                237,
                                format!(
                                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                                ),
                            ),
                        }
                    }
                }
                None => {
                    if !merge && self.compat == Compat::Helm4 {
                        if val.is_nil() {
                            continue;
                        }
                        if let Value::Map(sub) = &val {
                            clean_nil_values(sub);
                        }
                    }
                    v.borrow_mut().insert(key, val);
                }
            }
        }
    }

    /// Helm's `coalesceTablesFullKey`: `src` (defaults) into `dst` (values that win).
    pub fn coalesce_tables(&mut self, dst: &MapRef, src: &MapRef, prefix: &str, merge: bool) {
        if Rc::ptr_eq(dst, src) {
            return;
        }
        let helm4 = self.compat == Compat::Helm4;
        let mut src_non_nil = std::collections::BTreeSet::new();
        if helm4 {
            for (k, v) in src.borrow().iter() {
                if !v.is_nil() {
                    src_non_nil.insert(k.clone());
                }
            }
            let nil_keys: Vec<String> = dst
                .borrow()
                .iter()
                .filter(|(_, v)| v.is_nil())
                .map(|(k, _)| k.clone())
                .collect();
            let mut s = src.borrow_mut();
            for k in nil_keys {
                s.insert(k, Value::Nil);
            }
        }
        let entries: Vec<(String, Value)> = src
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, val) in entries {
            let full_key = concat_prefix(prefix, &key);
            let dv = dst.borrow().get(&key).cloned();
            match dv {
                Some(Value::Nil) if !merge && (!helm4 || src_non_nil.contains(&key)) => {
                    dst.borrow_mut().remove(&key);
                }
                None => {
                    dst.borrow_mut().insert(key, val);
                }
                Some(dv) => match (&val, &dv) {
                    (Value::Map(vm), Value::Map(dm)) => {
                        self.coalesce_tables(dm, vm, &full_key, merge);
                    }
                    (Value::Map(_), _) => self.printf(
                        298,
                        format!(
                            "warning: cannot overwrite table with non table for {full_key} ({})",
                            go_v(&val)
                        ),
                    ),
                    (_, Value::Map(_)) if !val.is_nil() => self.printf(
                        301,
                        format!(
                            "warning: destination for {full_key} is a table. Ignoring non-table value ({})",
                            go_v(&val)
                        ),
                    ),
                    _ => {}
                },
            }
        }
    }
}

fn clean_nil_values(m: &MapRef) {
    let mut g = m.borrow_mut();
    g.retain(|_, v| !v.is_nil());
    for v in g.values() {
        if let Value::Map(sub) = v {
            if !Rc::ptr_eq(sub, m) {
                clean_nil_values(sub);
            }
        }
    }
}

/// Helm's `CoalesceValues(chart, vals)`: the values a chart renders with.
pub fn coalesce_values(
    chart: &Chart,
    vals: &Map,
    compat: Compat,
    warnings: &mut Vec<Warning>,
) -> Result<Value, Error> {
    let mut c = Coalescer { compat, warnings };
    c.coalesce(chart, vals, false).map(Value::from_map_ref)
}

// ---------------------------------------------------------------------------------------------
// JSON, as Go's encoding/json decodes it into interface{} (numbers are float64).

struct Json<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
}

/// The deepest JSON nesting accepted (Go's limit is 10000; we stop earlier to bound the stack).
const MAX_JSON_DEPTH: usize = 1000;

impl Json<'_> {
    fn ws(&mut self) {
        while self.pos < self.s.len() && matches!(self.s[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn err_char(&self, ctx: &str) -> String {
        match self.s.get(self.pos) {
            None => "unexpected end of JSON input".into(),
            Some(&c) => format!("invalid character {} {ctx}", go_quote_byte(c)),
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.ws();
        let Some(&c) = self.s.get(self.pos) else {
            return Err("unexpected end of JSON input".into());
        };
        match c {
            b'{' => {
                self.depth += 1;
                if self.depth > MAX_JSON_DEPTH {
                    return Err("exceeded max depth".into());
                }
                self.pos += 1;
                let mut m = Map::new();
                self.ws();
                if self.s.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Value::map(m));
                }
                loop {
                    self.ws();
                    if self.s.get(self.pos) != Some(&b'"') {
                        return Err(self.err_char("looking for beginning of object key string"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.s.get(self.pos) != Some(&b':') {
                        return Err(self.err_char("after object key"));
                    }
                    self.pos += 1;
                    let v = self.value()?;
                    m.insert(k, v);
                    self.ws();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            self.depth -= 1;
                            return Ok(Value::map(m));
                        }
                        _ => return Err(self.err_char("after object key:value pair")),
                    }
                }
            }
            b'[' => {
                self.depth += 1;
                if self.depth > MAX_JSON_DEPTH {
                    return Err("exceeded max depth".into());
                }
                self.pos += 1;
                let mut l = Vec::new();
                self.ws();
                if self.s.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Value::list(l));
                }
                loop {
                    l.push(self.value()?);
                    self.ws();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            self.depth -= 1;
                            return Ok(Value::list(l));
                        }
                        _ => return Err(self.err_char("after array element")),
                    }
                }
            }
            b'"' => self.string().map(Value::string),
            b't' => self.word("true", Value::Bool(true)),
            b'f' => self.word("false", Value::Bool(false)),
            b'n' => self.word("null", Value::Nil),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.err_char("looking for beginning of value")),
        }
    }

    fn word(&mut self, w: &str, v: Value) -> Result<Value, String> {
        for (i, b) in w.bytes().enumerate() {
            match self.s.get(self.pos + i) {
                Some(&c) if c == b => {}
                Some(&c) => {
                    self.pos += i;
                    return Err(format!(
                        "invalid character {} in literal {w} (expecting {})",
                        go_quote_byte(c),
                        go_quote_byte(b)
                    ));
                }
                None => return Err("unexpected end of JSON input".into()),
            }
        }
        self.pos += w.len();
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        if self.s[self.pos] == b'-' {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let st = p.pos;
            while p.pos < p.s.len() && p.s[p.pos].is_ascii_digit() {
                p.pos += 1;
            }
            p.pos - st
        };
        match self.s.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.err_char("in numeric literal")),
        }
        if self.s.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.err_char("after decimal point in numeric literal"));
            }
        }
        if matches!(self.s.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.s.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.err_char("in exponent of numeric literal"));
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("0");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(format!(
                "json: cannot unmarshal number {text} into Go value of type float64"
            )),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.pos) else {
                return Err("unexpected end of JSON input".into());
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(&e) = self.s.get(self.pos) else {
                        return Err("unexpected end of JSON input".into());
                    };
                    self.pos += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let cp = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&cp)
                                && self.s.get(self.pos) == Some(&b'\\')
                                && self.s.get(self.pos + 1) == Some(&b'u')
                            {
                                let save = self.pos;
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    self.pos = save;
                                    None
                                }
                            } else {
                                char::from_u32(cp)
                            };
                            let ch = ch.unwrap_or('\u{FFFD}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.err_char("in string escape code"));
                        }
                    }
                }
                c if c < 0x20 => {
                    return Err(self.err_char("in string literal"));
                }
                c => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(&c) = self.s.get(self.pos) else {
                return Err("unexpected end of JSON input".into());
            };
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.err_char("in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }
}

/// Go's `%q` of a byte in `encoding/json` syntax errors (`'o'`, `'\n'`).
fn go_quote_byte(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            let q = super::metadata::go_quote(&(c as char).to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// Decodes the first JSON value of `s` as Go's `json.Decoder.Decode` does, returning it with
/// the number of bytes it spans (leading white space included).
pub fn decode_json_prefix(s: &str) -> Result<(Value, usize), String> {
    let mut p = Json {
        s: s.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let v = p.value()?;
    Ok((v, p.pos))
}

/// Decodes a whole JSON document (Go's `json.Unmarshal`): one value and white space.
pub fn decode_json_document(s: &str) -> Result<Value, String> {
    let mut p = Json {
        s: s.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.pos < p.s.len() {
        return Err(p.err_char("after top-level value"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, Value)]) -> Map {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn chart(values: Map) -> Chart {
        Chart {
            metadata: super::super::Metadata {
                name: "c".into(),
                ..Default::default()
            },
            templates: vec![],
            files: vec![],
            values,
            schema: None,
            dependencies: vec![],
            parents: vec![],
            alias_of: None,
        }
    }

    #[test]
    fn nested_null_over_null_differs_by_version() {
        // chart `foo: {baz: ~, keep: 1}`, user `foo: {baz: ~}`: Helm 3 drops baz, Helm 4 keeps it.
        let defaults = m(&[(
            "foo",
            Value::map(m(&[("baz", Value::Nil), ("keep", Value::Float(1.0))])),
        )]);
        let user = m(&[("foo", Value::map(m(&[("baz", Value::Nil)])))]);
        let c = chart(defaults);
        for (compat, want) in [
            (Compat::Helm3, r#"{"foo": {"keep": float64(1.0)}}"#),
            (
                Compat::Helm4,
                r#"{"foo": {"baz": nil, "keep": float64(1.0)}}"#,
            ),
        ] {
            let mut w = Vec::new();
            let v = coalesce_values(&c, &user, compat, &mut w).unwrap();
            assert_eq!(format!("{v:?}"), want, "{compat}");
        }
    }

    #[test]
    fn user_map_over_default_scalar_warns() {
        let c = chart(m(&[("a", Value::Float(1.0))]));
        let user = m(&[("a", Value::map(m(&[("b", Value::Int64(5))])))]);
        let mut w = Vec::new();
        coalesce_values(&c, &user, Compat::Helm3, &mut w).unwrap();
        assert_eq!(
            w[0].helm3,
            "coalesce.go:237: warning: skipped value for c.a: Not a table."
        );
        assert_eq!(
            w[0].helm4,
            r#"level=INFO msg="warning: skipped value for c.a: Not a table.""#
        );
    }

    #[test]
    fn json_prefix_stops_after_value() {
        let (v, n) = decode_json_prefix(r#" [1, "a"],b=2"#).unwrap();
        assert_eq!(format!("{v:?}"), r#"[float64(1.0), "a"]"#);
        assert_eq!(n, 9);
        assert!(decode_json_document("{} x").is_err());
    }
}
