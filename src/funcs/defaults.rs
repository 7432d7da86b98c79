//! Sprig's defaults and logic functions: `default`, `empty`, `coalesce`, `all`, `any`,
//! `ternary`. What counts as empty is Sprig's `empty` (nil, false, 0, and empty strings, lists
//! and maps; never a struct), shared with `compact` and `merge`.

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::Value;

use super::conversion::is_empty;

pub fn register(map: &mut FuncMap) {
    map.insert(func!("default", [Any], ...Any, default));
    map.insert(func!("empty", [Any], empty));
    map.insert(func!("coalesce", [], ...Any, coalesce));
    map.insert(func!("all", [], ...Any, all));
    map.insert(func!("any", [], ...Any, any));
    map.insert(func!("ternary", [Any, Any, Bool], ternary));
}

type FuncResult = Result<Value, FuncError>;

/// `default d given`: `given` unless it is empty or missing, then `d`. Only the first of
/// several given values is looked at.
fn default(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    match args.get(1) {
        Some(given) if !is_empty(given) => Ok(given.clone()),
        _ => Ok(args[0].clone()),
    }
}

fn empty(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(is_empty(&args[0])))
}

fn coalesce(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(args
        .iter()
        .find(|v| !is_empty(v))
        .cloned()
        .unwrap_or_default())
}

fn all(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(args.iter().all(|v| !is_empty(v))))
}

fn any(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(args.iter().any(|v| !is_empty(v))))
}

fn ternary(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let pick = if matches!(args[2], Value::Bool(true)) {
        &args[0]
    } else {
        &args[1]
    };
    Ok(pick.clone())
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
    fn default_treats_zero_values_as_unset() {
        let d = Value::str("d");
        for given in [
            Value::Int(0),
            Value::Bool(false),
            Value::str(""),
            Value::Nil,
        ] {
            let r = call("default", &[d.clone(), given]).unwrap();
            assert_eq!(r.as_str(), Some("d"));
        }
        let r = call("default", std::slice::from_ref(&d)).unwrap();
        assert_eq!(r.as_str(), Some("d"));
        let r = call("default", &[d, Value::str("0")]).unwrap();
        assert_eq!(r.as_str(), Some("0"));
    }

    #[test]
    fn coalesce_and_logic() {
        let r = call("coalesce", &[Value::Nil, Value::Int(0), Value::str("x")]).unwrap();
        assert_eq!(r.as_str(), Some("x"));
        assert!(call("coalesce", &[]).unwrap().is_nil());
        assert!(call("all", &[]).unwrap().is_true());
        assert!(!call("any", &[]).unwrap().is_true());
        assert!(!call("all", &[Value::Int(1), Value::Nil]).unwrap().is_true());
    }
}
