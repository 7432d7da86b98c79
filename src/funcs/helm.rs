//! Helm's template functions that need the running engine: `include`, `tpl`, `required`,
//! `fail`, and `lookup` (which never reaches a cluster in `template` or `lint`).

use crate::func;
use crate::gotemplate::error::helm_warn_wrap;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::Value;
use crate::Compat;

pub fn register(map: &mut FuncMap, _compat: Compat) {
    map.insert(func!("include", [String, Any], include));
    map.insert(func!("tpl", [String, Any], tpl));
    map.insert(func!("required", [String, Any], required));
    map.insert(func!("fail", [String], fail));
    map.insert(func!("lookup", [String, String, String, String], lookup));
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn include(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    rt.include_value(text(&args[0]), &args[1])
}

fn tpl(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    rt.tpl(text(&args[0]), &args[1]).map(Value::string)
}

/// Fails with the message when the value is nil or an empty string (0 and false pass).
fn required(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let warn = text(&args[0]);
    let missing = match &args[1] {
        Value::Nil => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    };
    if !missing {
        return Ok(args[1].clone());
    }
    if rt.lint_mode() {
        rt.log(&format!("missing required value: {warn}"));
        return Ok(Value::str(""));
    }
    Err(FuncError::Call(helm_warn_wrap(warn)))
}

fn fail(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let msg = text(&args[0]);
    if rt.lint_mode() {
        rt.log(&format!("fail: {msg}"));
        return Ok(Value::str(""));
    }
    Err(FuncError::Call(helm_warn_wrap(msg)))
}

/// `helm template` and `helm lint` have no cluster: every lookup finds nothing.
fn lookup(_rt: &mut dyn Runtime, _args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::empty_map())
}
