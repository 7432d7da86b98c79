//! Sprig's dictionary functions: `dict`, `get`, `set`, `unset`, `hasKey`, `pluck`, `keys`,
//! `pick`, `omit`, `values`, `dig`, `deepCopy`, and `merge`/`mergeOverwrite` with the
//! semantics of the `mergo` library Sprig uses.
//!
//! Go maps are references: `set`, `unset` and the merges change the map they are given, in
//! place, and every holder of it sees the change; so do they here (the map is shared behind
//! `Rc<RefCell<..>>`).

use std::rc::Rc;

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::{Map, MapRef, MapType, Value};

use super::conversion::{is_empty, strval};

pub fn register(map: &mut FuncMap) {
    map.insert(func!("dict", [], ...Any, dict));
    map.insert(func!("get", [Map, String], get));
    map.insert(func!("set", [Map, String, Any], set));
    map.insert(func!("unset", [Map, String], unset));
    map.insert(func!("hasKey", [Map, String], has_key));
    map.insert(func!("pluck", [String], ...Map, pluck));
    map.insert(func!("keys", [], ...Map, keys));
    map.insert(func!("pick", [Map], ...String, pick));
    map.insert(func!("omit", [Map], ...String, omit));
    map.insert(func!("merge", [Map], ...Map, merge));
    map.insert(func!("mustMerge", [Map], ...Map, merge));
    map.insert(func!("mergeOverwrite", [Map], ...Map, merge_overwrite));
    map.insert(func!("mustMergeOverwrite", [Map], ...Map, merge_overwrite));
    map.insert(func!("values", [Map], values));
    map.insert(func!("deepCopy", [Any], deep_copy));
    map.insert(func!("mustDeepCopy", [Any], deep_copy));
    map.insert(func!("dig", [], ...Any, dig));
}

type FuncResult = Result<Value, FuncError>;

/// How deep `merge` and `deepCopy` follow nested values: Go has no limit and overflows its
/// stack on a map that contains itself; we stop with an error instead.
const MAX_DEPTH: usize = 1000;

fn key(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn dict(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut map = Map::new();
    for pair in args.chunks(2) {
        let value = pair.get(1).cloned().unwrap_or_else(|| Value::str(""));
        map.insert(strval(&pair[0]), value);
    }
    Ok(Value::map(map))
}

/// The entry, or `""` when it is missing (also from a `nil` map).
fn get(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let found = args[0]
        .as_map()
        .and_then(|m| m.borrow().get(key(&args[1])).cloned());
    Ok(found.unwrap_or_else(|| Value::str("")))
}

fn set(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let Some(m) = args[0].as_map() else {
        return Err(FuncError::call("assignment to entry in nil map"));
    };
    m.borrow_mut()
        .insert(key(&args[1]).to_string(), args[2].clone());
    Ok(args[0].clone())
}

/// Removes the entry; deleting from a `nil` map does nothing in Go, and the `nil` map returned
/// prints as `map[]`.
fn unset(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let Some(m) = args[0].as_map() else {
        return Ok(Value::empty_map());
    };
    m.borrow_mut().remove(key(&args[1]));
    Ok(args[0].clone())
}

fn has_key(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let found = args[0]
        .as_map()
        .is_some_and(|m| m.borrow().contains_key(key(&args[1])));
    Ok(Value::Bool(found))
}

fn pluck(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let k = key(&args[0]);
    let found = args[1..]
        .iter()
        .filter_map(|d| d.as_map().and_then(|m| m.borrow().get(k).cloned()))
        .collect();
    Ok(Value::list(found))
}

/// The keys of each map in turn. Go lists a map's keys in random order; we list them sorted.
fn keys(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut out = Vec::new();
    for d in args {
        if let Some(m) = d.as_map() {
            out.extend(m.borrow().keys().map(|k| Value::str(k)));
        }
    }
    Ok(Value::strings(out))
}

fn pick(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut out = Map::new();
    if let Some(m) = args[0].as_map() {
        let m = m.borrow();
        for k in &args[1..] {
            if let Some(v) = m.get(key(k)) {
                out.insert(key(k).to_string(), v.clone());
            }
        }
    }
    Ok(Value::map(out))
}

fn omit(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut out = Map::new();
    if let Some(m) = args[0].as_map() {
        for (k, v) in m.borrow().iter() {
            if !args[1..].iter().any(|o| key(o) == k) {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(Value::map(out))
}

/// The values, in key order (Go's order is random).
fn values(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let out = args[0]
        .as_map()
        .map(|m| m.borrow().values().cloned().collect())
        .unwrap_or_default();
    Ok(Value::list(out))
}

fn deep_copy(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    if args[0].is_nil() {
        return Err(FuncError::call(
            "reflect: call of reflect.Value.Type on zero Value",
        ));
    }
    copy_value(&args[0], 0)
}

/// A copy sharing nothing mutable with `v`, refusing values nested deeper than [`MAX_DEPTH`]
/// (a map that contains itself).
fn copy_value(v: &Value, depth: usize) -> FuncResult {
    if depth > MAX_DEPTH {
        return Err(FuncError::call("deepCopy: value nested too deeply"));
    }
    match v {
        Value::List(items) => {
            let copied: Result<Vec<Value>, FuncError> =
                items.iter().map(|i| copy_value(i, depth + 1)).collect();
            // The copy keeps the Go type (`[]int`, Helm's named `Values`, ...).
            Ok(Value::typed_list(copied?, items.ty()))
        }
        Value::Map(m) if m.is_nil() => Ok(v.clone()),
        Value::Map(m) => {
            let mut out = Map::new();
            for (k, item) in m.borrow().iter() {
                out.insert(k.clone(), copy_value(item, depth + 1)?);
            }
            Ok(Value::typed_map(out, m.ty()))
        }
        other => Ok(other.clone()),
    }
}

/// Go's report of a failed type assertion `v.(T)` on an `interface{}`.
fn assertion_error(v: &Value, want: &str) -> FuncError {
    let have = if v.is_nil() {
        "nil".to_string()
    } else {
        v.type_name()
    };
    FuncError::call(format!(
        "interface conversion: interface {{}} is {have}, not {want}"
    ))
}

/// `dig k1 k2 ... default map`: follows the keys through nested maps; the default when a key is
/// missing. A step that is not a map is Go's failed type assertion.
fn dig(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    const MAP: &str = "map[string]interface {}";
    if args.len() < 3 {
        return Err(FuncError::call("dig needs at least three arguments"));
    }
    let (keys, tail) = args.split_at(args.len() - 2);
    let default = &tail[0];
    // A type assertion: Helm's named `Values` and a `map[string]string` fail it.
    let start = match &tail[1] {
        Value::Map(m) if m.ty() == MapType::Any => m,
        other => return Err(assertion_error(other, MAP)),
    };
    let mut names = Vec::with_capacity(keys.len());
    for k in keys {
        match k {
            Value::String(s) => names.push(s.clone()),
            other => return Err(assertion_error(other, "string")),
        }
    }
    let mut current: MapRef = Rc::clone(start);
    for (n, name) in names.iter().enumerate() {
        let step = current.borrow().get(&**name).cloned();
        let Some(step) = step else {
            return Ok(default.clone());
        };
        if n + 1 == names.len() {
            return Ok(step);
        }
        match step {
            Value::Map(next) if next.ty() == MapType::Any => current = next.into_ref(),
            other => return Err(assertion_error(&other, MAP)),
        }
    }
    Ok(default.clone())
}

fn merge(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    merge_all(args, false)
}

fn merge_overwrite(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    merge_all(args, true)
}

/// Merges each source into the first map (created when it is `nil`) and returns it.
fn merge_all(args: &[Value], overwrite: bool) -> FuncResult {
    let dst = match &args[0] {
        Value::Map(m) => Rc::clone(m),
        _ => Rc::default(),
    };
    for src in &args[1..] {
        if let Value::Map(src) = src {
            if !Rc::ptr_eq(&dst, src) {
                merge_map(&dst, src, overwrite, 0)?;
            }
        }
    }
    Ok(Value::from_map_ref(dst))
}

fn is_map(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Map(_)))
}

/// mergo's deep merge of one `map[string]interface{}` into another, key by key:
///
/// - a `nil` source value is skipped, or with `overwrite` stored;
/// - a map source value is first merged into a map destination value in place (recursively);
///   the destination keeps its value when that is a non-empty map;
/// - a list source value replaces a missing or empty destination value, or with `overwrite`
///   any destination value, even when the list is empty;
/// - any other source value replaces the destination value when `overwrite` is set or the
///   destination value is missing or empty (in Sprig's sense of `empty`).
fn merge_map(dst: &MapRef, src: &MapRef, overwrite: bool, depth: usize) -> Result<(), FuncError> {
    if depth > MAX_DEPTH {
        return Err(FuncError::call("merge: maps nested too deeply"));
    }
    // A snapshot: the source may share nested maps with the destination.
    let entries: Vec<(String, Value)> = src
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, sv) in entries {
        let dv = dst.borrow().get(&k).cloned();
        if sv.is_nil() {
            if overwrite {
                dst.borrow_mut().insert(k, Value::Nil);
            }
            continue;
        }
        if let (Value::Map(inner_src), Some(Value::Map(inner_dst))) = (&sv, &dv) {
            if !Rc::ptr_eq(inner_src, inner_dst) {
                merge_map(inner_dst, inner_src, overwrite, depth + 1)?;
            }
        }
        if overwrite && matches!(sv, Value::List(_) | Value::Bytes(_)) {
            dst.borrow_mut().insert(k, sv);
            continue;
        }
        let dst_non_empty = dv.as_ref().is_some_and(|d| !is_empty(d));
        if dst_non_empty
            && (matches!(sv, Value::List(_) | Value::Bytes(_))
                || (is_map(Some(&sv)) && is_map(dv.as_ref())))
        {
            continue;
        }
        if overwrite || dv.is_none() || !dst_non_empty {
            dst.borrow_mut().insert(k, sv);
        }
    }
    Ok(())
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

    fn m(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn merge_keeps_destination_and_changes_it_in_place() {
        let dst = m(&[("a", Value::Int(1)), ("e", Value::str(""))]);
        let src = m(&[
            ("a", Value::Int(2)),
            ("b", Value::Int(3)),
            ("e", Value::str("x")),
        ]);
        let r = call("merge", &[dst.clone(), src]).unwrap();
        assert_eq!(
            format!("{dst:?}"),
            r#"{"a": int(1), "b": int(3), "e": "x"}"#
        );
        assert!(Rc::ptr_eq(r.as_map().unwrap(), dst.as_map().unwrap()));
    }

    #[test]
    fn merge_overwrite_stores_nil_and_empty_values() {
        let dst = m(&[("a", Value::Int(1)), ("b", Value::Int(2))]);
        let src = m(&[("a", Value::Nil), ("b", Value::str(""))]);
        call("mergeOverwrite", &[dst.clone(), src]).unwrap();
        assert_eq!(format!("{dst:?}"), r#"{"a": nil, "b": ""}"#);
    }

    #[test]
    fn merge_is_deep() {
        let dst = m(&[("n", m(&[("x", Value::Int(1))]))]);
        let src = m(&[("n", m(&[("x", Value::Int(9)), ("y", Value::Int(2))]))]);
        call("merge", &[dst.clone(), src]).unwrap();
        assert_eq!(format!("{dst:?}"), r#"{"n": {"x": int(1), "y": int(2)}}"#);
    }

    #[test]
    fn dig_reports_go_assertions() {
        let d = m(&[("a", Value::str("x"))]);
        let err = call(
            "dig",
            &[
                Value::str("a"),
                Value::str("b"),
                Value::str("def"),
                d.clone(),
            ],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "interface conversion: interface {} is string, not map[string]interface {}"
        );
        let r = call("dig", &[Value::str("z"), Value::str("def"), d]).unwrap();
        assert_eq!(r.as_str(), Some("def"));
    }

    #[test]
    fn self_containing_maps_fail_instead_of_overflowing() {
        let d = Value::empty_map();
        call("set", &[d.clone(), Value::str("self"), d.clone()]).unwrap();
        assert!(call("deepCopy", std::slice::from_ref(&d)).is_err());
        let e = Value::empty_map();
        call("set", &[e.clone(), Value::str("self"), e.clone()]).unwrap();
        assert!(call("merge", &[e, d]).is_err());
    }

    #[test]
    fn set_on_nil_map_fails() {
        let err = call("set", &[Value::Nil, Value::str("a"), Value::Int(1)]).unwrap_err();
        assert_eq!(err.to_string(), "assignment to entry in nil map");
    }
}
