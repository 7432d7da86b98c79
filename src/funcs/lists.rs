//! Sprig's list functions: `list`, `append`/`push`, `prepend`, `first`, `rest`, `last`,
//! `initial`, `reverse`, `uniq`, `without`, `has`, `slice`, `concat`, `chunk`, and their
//! `must*` forms, which return as an error what the plain forms panic with (text/template
//! reports both the same way: `error calling first: Cannot find first on type string`).
//!
//! Sprig reads its list argument by reflection, so any Go slice works (a `[]byte` is a list of
//! numbers); a `nil` list makes reflection dereference nil, which Go reports as a runtime error.

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::{ListType, Value};

use super::conversion::{deep_equal, go_float_to_i64, is_empty, slice_items, to_int64};

pub fn register(map: &mut FuncMap) {
    map.insert(func!("list", [], ...Any, list));
    map.insert(func!("tuple", [], ...Any, list));
    map.insert(func!("append", [Any, Any], push));
    map.insert(func!("push", [Any, Any], push));
    map.insert(func!("mustAppend", [Any, Any], push));
    map.insert(func!("mustPush", [Any, Any], push));
    map.insert(func!("prepend", [Any, Any], prepend));
    map.insert(func!("mustPrepend", [Any, Any], prepend));
    map.insert(func!("first", [Any], first));
    map.insert(func!("mustFirst", [Any], first));
    map.insert(func!("rest", [Any], rest));
    map.insert(func!("mustRest", [Any], rest));
    map.insert(func!("last", [Any], last));
    map.insert(func!("mustLast", [Any], last));
    map.insert(func!("initial", [Any], initial));
    map.insert(func!("mustInitial", [Any], initial));
    map.insert(func!("reverse", [Any], reverse));
    map.insert(func!("mustReverse", [Any], reverse));
    map.insert(func!("uniq", [Any], uniq));
    map.insert(func!("mustUniq", [Any], uniq));
    map.insert(func!("compact", [Any], compact));
    map.insert(func!("mustCompact", [Any], compact));
    map.insert(func!("without", [Any], ...Any, without));
    map.insert(func!("mustWithout", [Any], ...Any, without));
    map.insert(func!("has", [Any, Any], has));
    map.insert(func!("mustHas", [Any, Any], has));
    map.insert(func!("slice", [Any], ...Any, slice));
    map.insert(func!("mustSlice", [Any], ...Any, slice));
    map.insert(func!("concat", [], ...Any, concat));
    map.insert(func!("chunk", [Int, Any], chunk));
    map.insert(func!("mustChunk", [Int, Any], chunk));
}

type FuncResult = Result<Value, FuncError>;

/// Go's report of `reflect.TypeOf(nil).Kind()`.
pub(crate) fn nil_deref() -> FuncError {
    FuncError::call("runtime error: invalid memory address or nil pointer dereference")
}

/// The items of a Go slice argument, or `Err(kind)` with the reflect kind of a non-slice.
/// `nil` is the runtime error Go's reflection makes of it.
fn items_of(v: &Value) -> Result<Result<Vec<Value>, &'static str>, FuncError> {
    if v.is_nil() {
        return Err(nil_deref());
    }
    Ok(slice_items(v).ok_or_else(|| v.kind_name()))
}

/// [`items_of`], with a non-slice reported by `msg(kind)`.
fn items(v: &Value, msg: impl Fn(&str) -> String) -> Result<Vec<Value>, FuncError> {
    items_of(v)?.map_err(|kind| FuncError::call(msg(kind)))
}

fn list(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::list(args.to_vec()))
}

fn push(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut l = items(&args[0], |k| format!("Cannot push on type {k}"))?;
    l.push(args[1].clone());
    Ok(Value::list(l))
}

fn prepend(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut l = items(&args[0], |k| format!("Cannot prepend on type {k}"))?;
    l.insert(0, args[1].clone());
    Ok(Value::list(l))
}

fn first(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let l = items(&args[0], |k| format!("Cannot find first on type {k}"))?;
    Ok(l.into_iter().next().unwrap_or_default())
}

fn last(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let l = items(&args[0], |k| format!("Cannot find last on type {k}"))?;
    Ok(l.into_iter().last().unwrap_or_default())
}

/// All but the first item. Of an empty list Go returns a nil slice, which prints as `[]`.
fn rest(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let l = items(&args[0], |k| format!("Cannot find rest on type {k}"))?;
    Ok(Value::list(l.into_iter().skip(1).collect()))
}

fn initial(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut l = items(&args[0], |k| format!("Cannot find initial on type {k}"))?;
    l.pop();
    Ok(Value::list(l))
}

fn reverse(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut l = items(&args[0], |k| format!("Cannot find reverse on type {k}"))?;
    l.reverse();
    Ok(Value::list(l))
}

fn uniq(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let l = items(&args[0], |k| format!("Cannot find uniq on type {k}"))?;
    let mut out: Vec<Value> = Vec::new();
    for item in l {
        if !out.iter().any(|o| deep_equal(&item, o)) {
            out.push(item);
        }
    }
    Ok(Value::list(out))
}

fn compact(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let l = items(&args[0], |k| format!("Cannot compact on type {k}"))?;
    Ok(Value::list(
        l.into_iter().filter(|v| !is_empty(v)).collect(),
    ))
}

fn without(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let l = items(&args[0], |k| format!("Cannot find without on type {k}"))?;
    let omit = &args[1..];
    Ok(Value::list(
        l.into_iter()
            .filter(|v| !omit.iter().any(|o| deep_equal(v, o)))
            .collect(),
    ))
}

/// Whether the haystack (second argument) holds the needle; a `nil` haystack holds nothing.
fn has(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    if args[1].is_nil() {
        return Ok(Value::Bool(false));
    }
    let l = items(&args[1], |k| format!("Cannot find has on type {k}"))?;
    Ok(Value::Bool(l.iter().any(|v| deep_equal(&args[0], v))))
}

/// `slice list [start [end]]`: indices read as `cast.ToInt`; out of range is reflect's panic.
/// An empty list gives `nil`.
fn slice(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let l = items(&args[0], |k| {
        format!("list should be type of slice or array but {k}")
    })?;
    if l.is_empty() {
        return Ok(Value::Nil);
    }
    let start = args.get(1).map_or(0, to_int64);
    let end = args.get(2).map_or(l.len() as i64, to_int64);
    if start < 0 || end < start || end > l.len() as i64 {
        return Err(FuncError::call(
            "reflect.Value.Slice: slice index out of bounds",
        ));
    }
    // `reflect.Value.Slice` keeps the slice type.
    let ty = match &args[0] {
        Value::List(list) => list.ty(),
        _ => ListType::Any,
    };
    Ok(Value::typed_list(
        l[start as usize..end as usize].to_vec(),
        ty,
    ))
}

fn concat(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut out = Vec::new();
    for a in args {
        out.extend(items(a, |k| format!("Cannot concat type {k} as list"))?);
    }
    Ok(Value::list(out))
}

/// Splits a list into lists of `size` items, computing the count with Go's float arithmetic
/// as Sprig does, so a size of 0 or less fails as it fails in Go.
fn chunk(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let size = to_int64(&args[0]);
    let l = items(&args[1], |k| format!("Cannot chunk type {k}"))?;
    let len = l.len() as i64;
    let makeslice = || FuncError::call("runtime error: makeslice: len out of range");
    let count = go_float_to_i64(((len - 1) as f64 / size as f64).floor() + 1.0);
    if count < 0 {
        return Err(makeslice());
    }
    let mut out = Vec::new();
    for c in 0..count {
        let mut clen = size;
        if c == count - 1 {
            clen = go_float_to_i64((len as f64 % size as f64).floor());
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return Err(makeslice());
        }
        let mut part = Vec::new();
        for j in 0..clen {
            let ix = c * size + j;
            let item = usize::try_from(ix)
                .ok()
                .and_then(|ix| l.get(ix))
                .ok_or_else(|| FuncError::call("reflect: slice index out of range"))?;
            part.push(item.clone());
        }
        out.push(Value::list(part));
    }
    Ok(Value::typed_list(out, ListType::Lists))
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

    fn ints(v: &[i64]) -> Value {
        Value::list(v.iter().map(|i| Value::Int(*i)).collect())
    }

    #[test]
    fn first_of_string_names_the_kind() {
        let err = call("first", &[Value::str("abc")]).unwrap_err();
        assert_eq!(err.to_string(), "Cannot find first on type string");
        let err = call("first", &[Value::Nil]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "runtime error: invalid memory address or nil pointer dereference"
        );
        assert!(call("first", &[ints(&[])]).unwrap().is_nil());
    }

    #[test]
    fn chunk_splits_and_fails_on_zero() {
        let r = call("chunk", &[Value::Int(2), ints(&[1, 2, 3])]).unwrap();
        assert_eq!(format!("{r:?}"), "[[int(1), int(2)], [int(3)]]");
        let err = call("chunk", &[Value::Int(0), ints(&[1, 2])]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "runtime error: makeslice: len out of range"
        );
        let r = call("chunk", &[Value::Int(2), ints(&[])]).unwrap();
        assert_eq!(format!("{r:?}"), "[]");
    }

    #[test]
    fn slice_bounds() {
        let l = ints(&[1, 2, 3]);
        let r = call("slice", &[l.clone(), Value::Int(1)]).unwrap();
        assert_eq!(format!("{r:?}"), "[int(2), int(3)]");
        let err = call("slice", &[l, Value::Int(5)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "reflect.Value.Slice: slice index out of bounds"
        );
        assert!(call("slice", &[ints(&[]), Value::Int(0), Value::Int(1)])
            .unwrap()
            .is_nil());
    }

    #[test]
    fn uniq_and_without_compare_go_types() {
        let l = Value::list(vec![Value::Int(1), Value::Int64(1), Value::Int(1)]);
        let r = call("uniq", std::slice::from_ref(&l)).unwrap();
        assert_eq!(format!("{r:?}"), "[int(1), int64(1)]");
        let r = call("without", &[l, Value::Int(1)]).unwrap();
        assert_eq!(format!("{r:?}"), "[int64(1)]");
    }

    /// A Go slice type, as `.Capabilities.APIVersions` is.
    struct VersionSet(Vec<&'static str>);

    impl crate::gotemplate::value::Object for VersionSet {
        fn type_name(&self) -> &str {
            "common.VersionSet"
        }
        fn kind_name(&self) -> &'static str {
            "slice"
        }
        fn field(&self, _: &str) -> Option<Value> {
            None
        }
        fn format(&self) -> String {
            format!("{:?}", self.0)
        }
        fn to_data(&self) -> Value {
            Value::Nil
        }
        fn range_entries(&self) -> Option<Vec<(Value, Value)>> {
            Some(
                self.0
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (Value::Int(i as i64), Value::str(v)))
                    .collect(),
            )
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    #[test]
    fn go_slice_types_are_lists() {
        // Helm: `has "apps/v1" .Capabilities.APIVersions` is true
        let set = Value::Object(std::rc::Rc::new(VersionSet(vec!["v1", "apps/v1"])));
        assert!(call("has", &[Value::str("apps/v1"), set.clone()])
            .unwrap()
            .is_true());
        let r = call("last", &[set]).unwrap();
        assert_eq!(r.as_str(), Some("apps/v1"));
    }

    #[test]
    fn has_nil_haystack_is_false() {
        assert!(!call("has", &[Value::Int(1), Value::Nil]).unwrap().is_true());
        let err = call("has", &[Value::Int(1), Value::str("abc")]).unwrap_err();
        assert_eq!(err.to_string(), "Cannot find has on type string");
    }
}
