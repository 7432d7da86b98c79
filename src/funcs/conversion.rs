//! Sprig's type conversion and reflection functions (`toString`, `int`, `int64`, `float64`,
//! `atoi`, `toDecimal`, `typeOf`, `kindOf`, `deepEqual`, ...), and the conversions the other
//! Sprig areas share: Sprig's `strval` (Go's `%v` for anything that is not a string), the
//! `spf13/cast` number conversions every numeric function goes through, Sprig's `empty`, and
//! Go's `reflect.DeepEqual`.

use std::rc::Rc;

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::gofmt;
use crate::gotemplate::value::Value;

pub fn register(map: &mut FuncMap) {
    map.insert(func!("toString", [Any], to_string));
    map.insert(func!("toStrings", [Any], to_strings));
    map.insert(func!("int", [Any], int));
    map.insert(func!("int64", [Any], int64));
    map.insert(func!("float64", [Any], float64));
    map.insert(func!("atoi", [String], atoi));
    map.insert(func!("toDecimal", [Any], to_decimal));
    map.insert(func!("typeOf", [Any], type_of));
    map.insert(func!("typeIs", [String, Any], type_is));
    map.insert(func!("typeIsLike", [String, Any], type_is_like));
    map.insert(func!("kindOf", [Any], kind_of));
    map.insert(func!("kindIs", [String, Any], kind_is));
    map.insert(func!("deepEqual", [Any, Any], deep_equal_fn));
}

type FuncResult = Result<Value, FuncError>;

fn to_string(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(strval(&args[0])))
}

fn to_strings(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(strings_value(strslice(&args[0])))
}

fn int(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Int(to_int64(&args[0])))
}

fn int64(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Int64(to_int64(&args[0])))
}

fn float64(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Float(to_float64(&args[0])))
}

/// `strconv.Atoi` with its error dropped: decimal only, an optional sign, no underscores; 0
/// for a syntax error, and the nearest limit for a number out of range (what `Atoi` returns
/// beside its range error).
fn atoi(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let s = args[0].as_str().unwrap_or_default();
    if let Some(i) = parse_go_int(s, 10) {
        return Ok(Value::Int(i));
    }
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let clamped = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if s.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        }
    } else {
        0
    };
    Ok(Value::Int(clamped))
}

/// Reads `fmt.Sprint(v)` as an octal number (a Unix file mode): 0 when it is not one.
fn to_decimal(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Int64(
        parse_go_int(&strval(&args[0]), 8).unwrap_or(0),
    ))
}

fn type_of(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(args[0].type_name()))
}

fn type_is(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let target = args[0].as_str().unwrap_or_default();
    Ok(Value::Bool(target == args[1].type_name()))
}

fn type_is_like(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let target = args[0].as_str().unwrap_or_default();
    let t = args[1].type_name();
    Ok(Value::Bool(
        t == target || t.strip_prefix('*') == Some(target),
    ))
}

fn kind_of(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::str(args[0].kind_name()))
}

fn kind_is(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let target = args[0].as_str().unwrap_or_default();
    Ok(Value::Bool(target == args[1].kind_name()))
}

fn deep_equal_fn(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(deep_equal(&args[0], &args[1])))
}

/// Sprig's `strval`: a string as it is, bytes as text, anything else as Go's `%v` prints it.
pub(crate) fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => crate::chart::text_of(b).into_owned(),
        other => gofmt::fmt_value(other),
    }
}

/// A Go `[]string` as a template value.
/// A Go `[]string`.
pub(crate) fn strings_value(items: Vec<String>) -> Value {
    Value::strings(items.into_iter().map(Value::string).collect())
}

/// Sprig's `strslice` (`toStrings`, `join`, `sortAlpha`): the items of a list as strings with
/// `nil` items dropped; `nil` itself is no items; anything else is one item.
pub(crate) fn strslice(v: &Value) -> Vec<String> {
    match slice_items(v) {
        Some(items) => items.iter().filter(|i| !i.is_nil()).map(strval).collect(),
        None if v.is_nil() => Vec::new(),
        None => vec![strval(v)],
    }
}

/// The items of anything Go's reflection sees as a slice: a list, a `[]byte` (numbers), or a
/// Go slice type such as `.Capabilities.APIVersions`. `None` for anything else.
pub(crate) fn slice_items(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(items) => Some(items.to_vec()),
        Value::Bytes(b) => Some(b.iter().map(|n| Value::Int(i64::from(*n))).collect()),
        Value::Object(o) if matches!(o.kind_name(), "slice" | "array") => Some(
            o.range_entries()
                .unwrap_or_default()
                .into_iter()
                .map(|(_, item)| item)
                .collect(),
        ),
        _ => None,
    }
}

/// Go's conversion of a `float64` to an integer type on amd64: truncation toward zero, and the
/// "integer indefinite" value `math.MinInt64` for NaN and for values out of range.
pub(crate) fn go_float_to_i64(f: f64) -> i64 {
    // 2^63 as an f64 is exact; anything at or above it, or below -2^63, is out of range.
    if f.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// `cast.ToInt64` (also `cast.ToInt`, as Go's `int` is 64 bits): numbers converted as Go
/// converts them, booleans 1 and 0, strings read by `strconv.ParseInt(s, 0, 0)` after a
/// trailing `.0…` is cut off, and 0 for anything else or any error.
pub(crate) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        // Go's uint64 → int64 conversion keeps the bits.
        Value::Uint(u) => *u as i64,
        Value::Float(f) => go_float_to_i64(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_go_int(trim_zero_decimal(s), 0).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64`: numbers converted, booleans 1 and 0, strings read by
/// `strconv.ParseFloat`, and 0 for anything else or any error.
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Uint(u) => *u as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// cast's `trimZeroDecimal`: `"12.000"` → `"12"`, other strings unchanged.
fn trim_zero_decimal(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut found_zero = false;
    for i in (0..bytes.len()).rev() {
        match bytes[i] {
            b'.' if found_zero => return &s[..i],
            b'.' => {}
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `strconv.ParseInt(s, base, 64)`. Base 0 reads Go's prefixes (`0x`, `0o`, `0b`, a leading
/// `0` for octal) and allows `_` between digits; other bases take digits only.
pub(crate) fn parse_go_int(s: &str, base: u32) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits, base0) = if base == 0 {
        let lower = body.to_ascii_lowercase();
        if lower.starts_with("0x") {
            (16, &body[2..], true)
        } else if lower.starts_with("0o") {
            (8, &body[2..], true)
        } else if lower.starts_with("0b") {
            (2, &body[2..], true)
        } else if let Some(rest) = body.strip_prefix('0') {
            (8, rest, true)
        } else {
            (10, body, true)
        }
    } else {
        (base, body, false)
    };
    if base0 && body.contains('_') && !underscores_ok(body) {
        return None;
    }
    let digits: String = digits.chars().filter(|c| !(base0 && *c == '_')).collect();
    if digits.is_empty() {
        // A lone "0" is octal with no further digits: zero.
        return if base0 && body == "0" { Some(0) } else { None };
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(&digits, radix).ok()?;
    let value = if neg {
        -(i128::try_from(magnitude).ok()?)
    } else {
        i128::try_from(magnitude).ok()?
    };
    i64::try_from(value).ok()
}

/// Go's `underscoreOK`: underscores only between digits, or between a base prefix and a digit.
fn underscores_ok(body: &str) -> bool {
    let b = body.as_bytes();
    // `saw` is the class of the previous character: '^' start, '0' digit or prefix, '_', '!'.
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'x' | b'o' | b'b') {
        hex = b[1] | 0x20 == b'x';
        i = 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseFloat(s, 64)`: decimal or hexadecimal (`0x1p4`, the `p` exponent required)
/// numbers with `_` between digits, and `inf`, `infinity` and `nan` in any case. `None` on a
/// syntax error and, as Go reports a range error there, on a number too large for a float64.
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if lower == "nan" && body.len() == s.len() {
        return Some(f64::NAN);
    }
    if body.contains('_') && !underscores_ok(body) {
        return None;
    }
    let digits: String = body.chars().filter(|c| *c != '_').collect();
    let magnitude = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => parse_hex_float(hex)?,
        None => {
            let valid = digits.bytes().enumerate().all(|(i, c)| {
                c.is_ascii_digit()
                    || matches!(c, b'.' | b'e' | b'E')
                    || (matches!(c, b'+' | b'-')
                        && i > 0
                        && matches!(digits.as_bytes()[i - 1], b'e' | b'E'))
            });
            if !valid {
                return None;
            }
            digits.parse::<f64>().ok()?
        }
    };
    if magnitude.is_infinite() {
        return None;
    }
    Some(if neg { -magnitude } else { magnitude })
}

/// The value of a hexadecimal float's digits after `0x`: `h.hhhp±d`.
fn parse_hex_float(hex: &str) -> Option<f64> {
    let (mantissa, exp) = hex.split_once(['p', 'P'])?;
    let exp: i64 = match exp.strip_prefix('+') {
        Some(e) if !e.starts_with('-') => e.parse().ok()?,
        _ => exp.parse().ok()?,
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value: u128 = 0;
    let mut shift = exp;
    for (k, c) in int_part.chars().chain(frac_part.chars()).enumerate() {
        let d = c.to_digit(16)?;
        if value >> 120 == 0 {
            value = value * 16 + u128::from(d);
            if k >= int_part.len() {
                shift -= 4;
            }
        } else if k < int_part.len() {
            // Digits beyond 120 bits only scale the value.
            shift += 4;
        }
    }
    let shift = i32::try_from(shift.clamp(-2000, 2000)).ok()?;
    // u128 → f64 rounds to nearest; scaling by a power of two is exact unless the result is
    // subnormal or overflows, which `powi` then rounds as a float does.
    Some(value as f64 * 2f64.powi(shift))
}

/// Sprig's `empty`: nil, false, zero numbers and empty strings, lists and maps. Structs are
/// never empty.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Object(o) => match o.kind_name() {
            "map" | "slice" | "array" | "string" => !o.is_true(),
            _ => false,
        },
        other => !other.is_true(),
    }
}

/// Go's `reflect.DeepEqual` on template values: the Go types must match, and lists and maps
/// are compared item by item.
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    deep_equal_at(a, b, 0)
}

/// How deep [`deep_equal`] compares: Go detects cycles; values nested deeper than this (which
/// only a map containing itself reaches) are taken as different.
const MAX_EQUAL_DEPTH: usize = 1000;

fn deep_equal_at(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > MAX_EQUAL_DEPTH {
        return false;
    }
    let deep_equal = |p: &Value, q: &Value| deep_equal_at(p, q, depth + 1);
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Uint(x), Value::Uint(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        // `reflect.DeepEqual` needs identical types: a `[]string` never equals a
        // `[]interface {}`, nor a nil map an empty one.
        (Value::List(x), Value::List(y)) if x.ty() != y.ty() => false,
        (Value::Map(x), Value::Map(y)) if x.ty() != y.ty() || x.is_nil() != y.is_nil() => false,
        (Value::List(x), Value::List(y)) => {
            Rc::ptr_eq(x, y)
                || (x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q)))
        }
        (Value::Map(x), Value::Map(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Object(x), Value::Object(y)) => {
            Rc::ptr_eq(x, y) || (x.type_name() == y.type_name() && x.format() == y.format())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotemplate::func::PlainRuntime;

    fn call(name: &str, args: &[Value]) -> FuncResult {
        let mut map = FuncMap::new();
        register(&mut map);
        let def = map.get(name).expect("registered");
        (def.imp)(&mut PlainRuntime::default(), args)
    }

    #[test]
    fn cast_reads_go_integer_syntax() {
        // Helm: `int "0x1F"` is 31, `int64 "1_000"` is 1000, `int "1.9"` is 0, `int "12.00"` 12
        assert_eq!(to_int64(&Value::str("0x1F")), 31);
        assert_eq!(to_int64(&Value::str("1_000")), 1000);
        assert_eq!(to_int64(&Value::str("1.9")), 0);
        assert_eq!(to_int64(&Value::str("12.00")), 12);
        assert_eq!(to_int64(&Value::str("017")), 15);
        assert_eq!(to_int64(&Value::str("_1")), 0);
        assert_eq!(to_int64(&Value::Float(-2.7)), -2);
        assert_eq!(to_int64(&Value::Float(f64::NAN)), i64::MIN);
    }

    #[test]
    fn float_strings_out_of_range_are_zero() {
        assert_eq!(to_float64(&Value::str("1e400")), 0.0);
        assert_eq!(to_float64(&Value::str("-Inf")), f64::NEG_INFINITY);
        assert_eq!(to_float64(&Value::str("1.5")), 1.5);
        assert_eq!(to_float64(&Value::str("x")), 0.0);
        // Helm: `float64 "1_0"` is 10 and `float64 "0x1p4"` is 16
        assert_eq!(to_float64(&Value::str("1_0")), 10.0);
        assert_eq!(to_float64(&Value::str("0x1p4")), 16.0);
        assert_eq!(to_float64(&Value::str("0x10")), 0.0);
        assert_eq!(to_float64(&Value::str("+nan")), 0.0);
    }

    #[test]
    fn to_decimal_reads_octal() {
        let r = call("toDecimal", &[Value::str("0777")]).unwrap();
        assert!(deep_equal(&r, &Value::Int64(511)));
        let r = call("toDecimal", &[Value::Float(1.5)]).unwrap();
        assert!(deep_equal(&r, &Value::Int64(0)));
    }

    #[test]
    fn deep_equal_keeps_go_types_apart() {
        assert!(!deep_equal(&Value::Int(1), &Value::Int64(1)));
        assert!(deep_equal(
            &Value::list(vec![Value::Int(1)]),
            &Value::list(vec![Value::Int(1)])
        ));
    }

    #[test]
    fn type_is_like_accepts_pointer() {
        let r = call("typeIsLike", &[Value::str("int"), Value::Int(1)]).unwrap();
        assert!(r.is_true());
        let r = call("kindOf", &[Value::Nil]).unwrap();
        assert_eq!(r.as_str(), Some("invalid"));
    }
}
