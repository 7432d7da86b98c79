//! The `--set` mini-language (Helm's `strvals`): `--set`, `--set-string`, `--set-file`,
//! `--set-json` and `--set-literal`, each parsed *into* the values built so far.
//!
//! The grammar is `key=value(,key=value)*` where a key is a path of `.`-separated names and
//! `[N]` list indices, a backslash escapes any next character (not in `--set-literal`),
//! `{a,b}` is a list, and values are typed by [`typed_scalar`]. The error texts, and the odd
//! corners (an unfinished `a[1` is silently ignored by Helm 4 but an error for Helm 3, a
//! `key.=v` is an error, a key whose existing value has the wrong type fails with Go's
//! `interface conversion` panic text), are Helm's, as are the limits (nesting 30, index
//! 65536).

use std::cell::RefCell;
use std::rc::Rc;

use crate::gotemplate::value::{Map, Value};
use crate::Compat;

/// The deepest `a.b.c...` key Helm accepts.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;
/// The largest list index Helm accepts.
pub const MAX_INDEX: i64 = 65536;

/// How the value of a pair is read.
pub enum Mode<'a> {
    /// `--set`: typed scalars and `{a,b}` lists.
    Typed,
    /// `--set-string`: every leaf is a string.
    String,
    /// `--set-file`: the value is a path; the reader returns the file's content (or Go's
    /// error text, e.g. `open x: no such file or directory`).
    File(&'a mut dyn FnMut(&str) -> Result<String, String>),
    /// `--set-json`: the value is one JSON value.
    Json,
}

/// A parse failure. `eof` marks errors that wrap Go's `io.EOF`: Helm's parse loop treats
/// them as the end of input (Helm 4 with `errors.Is`, Helm 3 only for the bare `io.EOF`).
#[derive(Debug, Clone)]
struct Fail {
    msg: String,
    eof: Eof,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Eof {
    No,
    /// `io.EOF` itself.
    Bare,
    /// An error wrapping `io.EOF`.
    Wrapped,
}

impl Fail {
    fn msg(msg: impl Into<String>) -> Fail {
        Fail {
            msg: msg.into(),
            eof: Eof::No,
        }
    }

    fn eof() -> Fail {
        Fail {
            msg: "EOF".into(),
            eof: Eof::Bare,
        }
    }

    fn wrap(self, prefix: &str) -> Fail {
        Fail {
            msg: format!("{prefix}: {}", self.msg),
            eof: if self.eof == Eof::No {
                Eof::No
            } else {
                Eof::Wrapped
            },
        }
    }
}

type Res<T> = Result<T, Fail>;

/// Parses one `--set`/`--set-string`/`--set-file`/`--set-json` argument into `data`.
/// The error text is what Helm prints after `failed parsing --set data: ` (the caller adds
/// the prefix; `--set-json` errors are reported by Helm without the detail).
pub fn parse_into(input: &str, data: &mut Map, mode: Mode, compat: Compat) -> Result<(), String> {
    let mut p = Parser {
        chars: input.chars().collect(),
        pos: 0,
        mode,
        literal: false,
    };
    p.run(data, compat)
}

/// Parses one `--set-literal` argument into `data`: keys without escapes, the value is the
/// whole rest of the argument, always a string.
pub fn parse_literal_into(input: &str, data: &mut Map, compat: Compat) -> Result<(), String> {
    let mut p = Parser {
        chars: input.chars().collect(),
        pos: 0,
        mode: Mode::String,
        literal: true,
    };
    p.run(data, compat)
}

/// Helm's typing of a `--set` scalar: `true`/`false`/`null` in any case, `0`, and base-10
/// int64s that do not start with `0` become bool, nil and int64; everything else a string.
pub fn typed_scalar(s: &str) -> Value {
    if s.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if s == "0" {
        return Value::Int64(0);
    }
    if !s.is_empty() && !s.starts_with('0') {
        if let Some(i) = go_parse_int64(s) {
            return Value::Int64(i);
        }
    }
    Value::str(s)
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits only.
fn go_parse_int64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    s.parse::<i64>().ok()
}

/// Go's `strconv.Atoi`, with its error text.
fn go_atoi(s: &str) -> Res<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let quoted = super::metadata::go_quote(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Fail::msg(format!(
            "strconv.Atoi: parsing {quoted}: invalid syntax"
        )));
    }
    s.strip_prefix('+')
        .unwrap_or(s)
        .parse::<i64>()
        .map_err(|_| {
            Fail::msg(format!(
                "strconv.Atoi: parsing {quoted}: value out of range"
            ))
        })
}

/// Go's name of a value's dynamic type inside an `interface {}`, for panic messages.
fn go_dynamic_type(v: &Value) -> String {
    match v {
        Value::Nil => "nil".into(),
        other => other.type_name(),
    }
}

fn conversion_panic(v: &Value, want: &str) -> Fail {
    Fail::msg(format!(
        "unable to parse key: interface conversion: interface {{}} is {}, not {want}",
        go_dynamic_type(v)
    ))
}

const LIST_T: &str = "[]interface {}";
const MAP_T: &str = "map[string]interface {}";

/// Go's `%q` of a `[]rune`: `['a' 'b']`.
fn go_quote_runes(rs: &[char]) -> String {
    let items: Vec<String> = rs
        .iter()
        .map(|c| {
            let q = super::metadata::go_quote(&c.to_string());
            let inner = &q[1..q.len() - 1];
            let inner = if inner == "\\\"" {
                "\""
            } else if inner == "'" {
                "\\'"
            } else {
                inner
            };
            format!("'{inner}'")
        })
        .collect();
    format!("[{}]", items.join(" "))
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'a>,
    literal: bool,
}

/// A list under construction: Go's `[]interface{}` value semantics (copied on growth).
type List = Vec<Value>;

impl Parser<'_> {
    fn run(&mut self, data: &mut Map, compat: Compat) -> Result<(), String> {
        loop {
            match self.key(data, 0) {
                Ok(()) => continue,
                Err(f) => {
                    let ends = match compat {
                        Compat::Helm4 => f.eof != Eof::No,
                        Compat::Helm3 => f.eof == Eof::Bare,
                    };
                    return if ends { Ok(()) } else { Err(f.msg) };
                }
            }
        }
    }

    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    /// Reads up to (and consuming) one of `stop`; backslash escapes unless literal. Returns
    /// the text and the stop character, or `None` as the stop at end of input.
    fn until(&mut self, stop: &[char]) -> (Vec<char>, Option<char>) {
        let mut v = Vec::new();
        loop {
            match self.next() {
                None => return (v, None),
                Some(c) if stop.contains(&c) => return (v, Some(c)),
                Some('\\') if !self.literal => match self.next() {
                    None => return (v, None),
                    Some(n) => v.push(n),
                },
                Some(c) => v.push(c),
            }
        }
    }

    fn read_value(&mut self, rs: &[char]) -> Res<Value> {
        let s: String = rs.iter().collect();
        match &mut self.mode {
            Mode::Typed => Ok(typed_scalar(&s)),
            Mode::String | Mode::Json => Ok(Value::string(s)),
            Mode::File(reader) => reader(&s).map(Value::string).map_err(Fail::msg),
        }
    }

    fn key(&mut self, data: &mut Map, level: usize) -> Res<()> {
        let stop: &[char] = if self.literal {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.until(stop);
        let k: String = k.into_iter().collect();
        match last {
            None => {
                if k.is_empty() {
                    Err(Fail::eof())
                } else {
                    Err(Fail::msg(format!(
                        "key {} has no value",
                        super::metadata::go_quote(&k)
                    )))
                }
            }
            Some('[') => {
                let i = self
                    .key_index()
                    .map_err(|f| f.wrap("error parsing index"))?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.as_ref().clone(),
                    Some(other) => return Err(conversion_panic(other, LIST_T)),
                };
                let (list, res) = self.list_item(list, i, level);
                set(data, &k, Value::list(list));
                res
            }
            Some('=') if self.literal => {
                let (v, _) = self.until(&[]);
                set(data, &k, Value::string(v.into_iter().collect()));
                Ok(())
            }
            Some('=') => {
                if matches!(self.mode, Mode::Json) {
                    if self.empty_val() {
                        set(data, &k, Value::Nil);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(ValList::List(l)) => {
                        set(data, &k, Value::list(l));
                        Ok(())
                    }
                    Ok(ValList::NotList) => {
                        let (rs, _) = self.until(&[',']);
                        let v = self.read_value(&rs);
                        match v {
                            Ok(v) => {
                                set(data, &k, v);
                                Ok(())
                            }
                            Err(e) => {
                                // Go sets the nil the failed reader returned.
                                set(data, &k, Value::Nil);
                                Err(e)
                            }
                        }
                    }
                    Err(f) if f.eof == Eof::Bare => {
                        set(data, &k, Value::str(""));
                        Err(f)
                    }
                    Err(f) => Err(f),
                }
            }
            Some(',') => {
                set(data, &k, Value::str(""));
                Err(Fail::msg(format!(
                    "key {} has no value (cannot end with ,)",
                    super::metadata::go_quote(&k)
                )))
            }
            Some(_) => {
                // '.'
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(Fail::msg(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let inner = match data.get(&k) {
                    None => Rc::new(RefCell::new(Map::new())),
                    Some(Value::Map(m)) => m.map_ref().clone(),
                    Some(other) => return Err(conversion_panic(other, MAP_T)),
                };
                let res = {
                    let mut guard = inner.borrow_mut();
                    self.key(&mut guard, level)
                };
                let empty = inner.borrow().is_empty();
                if res.is_ok() && empty {
                    return Err(Fail::msg(format!(
                        "key map {} has no value",
                        super::metadata::go_quote(&k)
                    )));
                }
                if !empty {
                    set(data, &k, Value::from_map_ref(inner));
                }
                res
            }
        }
    }

    fn key_index(&mut self) -> Res<i64> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            return Err(Fail::eof());
        }
        go_atoi(&v.into_iter().collect::<String>())
    }

    /// Go's `listItem`: returns the list (possibly changed) with the outcome, as the caller
    /// stores the list even when an error follows.
    fn list_item(&mut self, list: List, i: i64, level: usize) -> (List, Res<()>) {
        if i < 0 {
            return (
                list,
                Err(Fail::msg(format!("negative {i} index not allowed"))),
            );
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                Err(Fail::msg(format!(
                    "unexpected data at end of array index: {}",
                    go_quote_runes(&k)
                ))),
            );
        }
        match last {
            None => (list, Err(Fail::eof())),
            Some('=') if self.literal => {
                let (v, _) = self.until(&[]);
                set_index(list, i, Value::string(v.into_iter().collect()))
            }
            Some('=') => {
                if matches!(self.mode, Mode::Json) {
                    if self.empty_val() {
                        return set_index(list, i, Value::Nil);
                    }
                    let v = match self.json_value() {
                        Ok(v) => v,
                        Err(e) => return (list, Err(e)),
                    };
                    let (list, res) = set_index(list, i, v);
                    if res.is_err() {
                        return (list, res);
                    }
                    self.empty_val();
                    return (list, Ok(()));
                }
                match self.val_list() {
                    Ok(ValList::List(l)) => set_index(list, i, Value::list(l)),
                    Ok(ValList::NotList) => {
                        let (rs, _) = self.until(&[',']);
                        match self.read_value(&rs) {
                            Ok(v) => set_index(list, i, v),
                            Err(e) => (list, Err(e)),
                        }
                    }
                    Err(f) if f.eof == Eof::Bare => set_index(list, i, Value::str("")),
                    Err(f) => (list, Err(f)),
                }
            }
            Some('[') => {
                let next_i = match self.key_index() {
                    Ok(n) => n,
                    Err(f) => return (list, Err(f.wrap("error parsing index"))),
                };
                let current = match list.get(i as usize) {
                    None | Some(Value::Nil) => Vec::new(),
                    Some(Value::List(l)) => l.as_ref().clone(),
                    Some(other) => {
                        let e = conversion_panic(other, LIST_T);
                        return (list, Err(e));
                    }
                };
                let (inner, res) = self.list_item(current, next_i, level);
                if let Err(e) = res {
                    return (list, Err(e));
                }
                set_index(list, i, Value::list(inner))
            }
            Some(_) => {
                // '.'
                let mut list = list;
                let inner = match list.get(i as usize) {
                    None => Rc::new(RefCell::new(Map::new())),
                    Some(Value::Map(m)) => m.map_ref().clone(),
                    Some(_) => {
                        // Indices out of order: Go replaces the item with an empty map.
                        let m = Rc::new(RefCell::new(Map::new()));
                        list[i as usize] = Value::from_map_ref(m.clone());
                        m
                    }
                };
                let res = {
                    let mut guard = inner.borrow_mut();
                    self.key(&mut guard, level)
                };
                if let Err(e) = res {
                    return (list, Err(e));
                }
                set_index(list, i, Value::from_map_ref(inner))
            }
        }
    }

    /// Go's `valList`: a `{a,b}` list, `NotList` (nothing consumed) or the bare EOF.
    fn val_list(&mut self) -> Res<ValList> {
        match self.next() {
            None => return Err(Fail::eof()),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Ok(ValList::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.until(&[',', '}']);
            match last {
                None => return Err(Fail::msg("list must terminate with '}'")),
                Some('}') => {
                    if let Some(c) = self.next() {
                        if c != ',' {
                            self.unread();
                        }
                    }
                    let v = self.read_value(&rs)?;
                    list.push(v);
                    return Ok(ValList::List(list));
                }
                Some(_) => {
                    let v = self.read_value(&rs)?;
                    list.push(v);
                }
            }
        }
    }

    /// Go's `emptyVal`: skips white space; true at end of input or a consumed `,`.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.next() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    /// Decodes one JSON value from the rest of the input, as Go's `json.Decoder` does, and
    /// consumes exactly its text.
    fn json_value(&mut self) -> Res<Value> {
        let rest: String = self.chars[self.pos..].iter().collect();
        let (v, used) = super::values::decode_json_prefix(&rest).map_err(Fail::msg)?;
        self.pos += rest[..used].chars().count();
        Ok(v)
    }
}

enum ValList {
    List(List),
    NotList,
}

fn set(data: &mut Map, key: &str, v: Value) {
    if !key.is_empty() {
        data.insert(key.to_string(), v);
    }
}

fn set_index(mut list: List, i: i64, v: Value) -> (List, Res<()>) {
    if i < 0 {
        return (
            list,
            Err(Fail::msg(format!("negative {i} index not allowed"))),
        );
    }
    if i > MAX_INDEX {
        return (
            list,
            Err(Fail::msg(format!(
                "index of {i} is greater than maximum supported index of {MAX_INDEX}"
            ))),
        );
    }
    let i = i as usize;
    if list.len() <= i {
        list.resize(i + 1, Value::Nil);
    }
    list[i] = v;
    (list, Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str, compat: Compat) -> Result<Map, String> {
        let mut m = Map::new();
        parse_into(s, &mut m, Mode::Typed, compat).map(|()| m)
    }

    fn show(m: &Map) -> String {
        format!("{m:?}")
    }

    #[test]
    fn typing() {
        let m = parse("a=1,b=007,c=true,d=NULL,e=-3,f=1.5,g=0,h=", Compat::Helm4).unwrap();
        assert_eq!(
            show(&m),
            r#"{"a": int64(1), "b": "007", "c": true, "d": nil, "e": int64(-3), "f": "1.5", "g": int64(0), "h": ""}"#
        );
    }

    #[test]
    fn escapes_lists_and_indices() {
        let m = parse(r"a\.b=x\,y,l={1, b},x[2]=c,n.m[0].k=v", Compat::Helm4).unwrap();
        assert_eq!(
            show(&m),
            r#"{"a.b": "x,y", "l": [int64(1), " b"], "n": {"m": [{"k": "v"}]}, "x": [nil, nil, "c"]}"#
        );
    }

    #[test]
    fn errors_have_helm_text() {
        assert_eq!(
            parse("a", Compat::Helm4).unwrap_err(),
            r#"key "a" has no value"#
        );
        assert_eq!(
            parse("a,b=1", Compat::Helm4).unwrap_err(),
            r#"key "a" has no value (cannot end with ,)"#
        );
        assert_eq!(
            parse("a.=1", Compat::Helm4).unwrap_err(),
            r#"key map "a" has no value"#
        );
        assert_eq!(
            parse("a[x]=1", Compat::Helm4).unwrap_err(),
            r#"error parsing index: strconv.Atoi: parsing "x": invalid syntax"#
        );
        assert_eq!(
            parse("a[0]b=1", Compat::Helm4).unwrap_err(),
            "unexpected data at end of array index: ['b']"
        );
        assert_eq!(
            parse("a={1", Compat::Helm4).unwrap_err(),
            "list must terminate with '}'"
        );
        assert_eq!(
            parse("a=1,a.b=2", Compat::Helm4).unwrap_err(),
            "unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}"
        );
    }

    #[test]
    fn unfinished_index_differs_by_version() {
        assert!(parse("a[1", Compat::Helm4).is_ok());
        assert_eq!(
            parse("a[1", Compat::Helm3).unwrap_err(),
            "error parsing index: EOF"
        );
    }

    #[test]
    fn literal_takes_the_rest() {
        let mut m = Map::new();
        parse_literal_into(r"lit=a,b.c=d\,e{}", &mut m, Compat::Helm4).unwrap();
        assert_eq!(show(&m), r#"{"lit": "a,b.c=d\\,e{}"}"#);
    }

    #[test]
    fn json_values() {
        let mut m = Map::new();
        parse_into(
            r#"a={"b":[1,"x"]},c=,d=null"#,
            &mut m,
            Mode::Json,
            Compat::Helm4,
        )
        .unwrap();
        assert_eq!(
            show(&m),
            r#"{"a": {"b": [float64(1.0), "x"]}, "c": nil, "d": nil}"#
        );
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// A small deterministic generator, so the test needs no extra crate.
    fn next(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn random_inputs_never_panic() {
        let alphabet: Vec<char> = "ab0=.,[]{}\\-1é\" :9".chars().collect();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            let len = (next(&mut seed) % 24) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(next(&mut seed) % alphabet.len() as u64) as usize])
                .collect();
            for compat in [Compat::Helm4, Compat::Helm3] {
                let mut m = Map::new();
                let _ = parse_into(&s, &mut m, Mode::Typed, compat);
                let _ = parse_into(&s, &mut m, Mode::Json, compat);
                let _ = parse_literal_into(&s, &mut m, compat);
            }
            let _ = super::super::helmignore::go_match(&s, "ab/c");
            let _ = super::super::dependencies::is_compatible_range(&s, "1.2.3");
            let _ = super::super::values::decode_json_document(&s);
        }
    }
}
