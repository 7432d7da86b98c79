//! Helm's and Sprig's serialisation functions: `toYaml`, `mustToYaml` (Helm 4), `toYamlPretty`,
//! `fromYaml`, `fromYamlArray`, `toJson`, `mustToJson`, `toPrettyJson`, `mustToPrettyJson`,
//! `toRawJson`, `mustToRawJson`, `fromJson`, `mustFromJson`, `fromJsonArray`, `toToml`,
//! `fromToml`.
//!
//! Helm's own functions swallow errors the Go way: `toYaml`/`toJson` return `""`, the `from*`
//! functions put the error text under an `Error` key (or as the only list item). The `must*`
//! variants return the error, which the engine wraps as `error calling <name>: ...`.

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::Value;
use crate::yaml::{self, json};
use crate::Compat;

pub fn register(map: &mut FuncMap, compat: Compat) {
    map.insert(func!("toYaml", [Any], to_yaml));
    if compat == Compat::Helm4 {
        map.insert(func!("mustToYaml", [Any], must_to_yaml));
    }
    map.insert(func!("toYamlPretty", [Any], to_yaml_pretty));
    map.insert(func!("fromYaml", [String], from_yaml));
    map.insert(func!("fromYamlArray", [String], from_yaml_array));
    map.insert(func!("toJson", [Any], to_json));
    map.insert(func!("mustToJson", [Any], must_to_json));
    map.insert(func!("toPrettyJson", [Any], to_pretty_json));
    map.insert(func!("mustToPrettyJson", [Any], must_to_pretty_json));
    map.insert(func!("toRawJson", [Any], to_raw_json));
    map.insert(func!("mustToRawJson", [Any], must_to_raw_json));
    map.insert(func!("fromJson", [String], from_json));
    map.insert(func!("mustFromJson", [String], must_from_json));
    map.insert(func!("fromJsonArray", [String], from_json_array));
    map.insert(func!("toToml", [Any], to_toml));
    map.insert(func!("fromToml", [String], from_toml));
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or_default()
}

fn str_arg(args: &[Value], i: usize) -> String {
    args.get(i)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn trim_newline(s: String) -> String {
    match s.strip_suffix('\n') {
        Some(t) => t.to_string(),
        None => s,
    }
}

fn to_yaml(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::string(
        yaml::to_yaml(&arg(args, 0))
            .map(trim_newline)
            .unwrap_or_default(),
    ))
}

fn must_to_yaml(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    yaml::to_yaml(&arg(args, 0))
        .map(|s| Value::string(trim_newline(s)))
        .map_err(|e| FuncError::call(e.to_string()))
}

fn to_yaml_pretty(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::string(
        yaml::to_yaml_pretty(&arg(args, 0))
            .map(trim_newline)
            .unwrap_or_default(),
    ))
}

fn from_yaml(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let text = str_arg(args, 0);
    Ok(
        match yaml::load::load_first_map(&text).map_err(yaml::YamlError::sigs) {
            Ok(v) => v,
            Err(e) => error_map(e.to_string()),
        },
    )
}

fn error_map(msg: String) -> Value {
    let mut m = crate::gotemplate::value::Map::new();
    m.insert("Error".into(), Value::string(msg));
    Value::map(m)
}

fn from_yaml_array(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let text = str_arg(args, 0);
    let r = yaml::load_any(&text).and_then(|v| match v {
        Value::Nil => Ok(Value::list(Vec::new())),
        v @ Value::List(_) => Ok(v),
        other => Err(yaml::YamlError::unmarshal(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            yaml::load::json_kind(&other)
        ))),
    });
    Ok(match r {
        Ok(v) => v,
        Err(e) => Value::list(vec![Value::string(e.to_string())]),
    })
}

fn to_json(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::string(
        json::to_json(&arg(args, 0), true).unwrap_or_default(),
    ))
}

fn must_to_json(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    json::to_json(&arg(args, 0), true)
        .map(Value::string)
        .map_err(|e| FuncError::call(e.to_string()))
}

fn to_pretty_json(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::string(
        json::to_pretty_json(&arg(args, 0), true).unwrap_or_default(),
    ))
}

fn must_to_pretty_json(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    json::to_pretty_json(&arg(args, 0), true)
        .map(Value::string)
        .map_err(|e| FuncError::call(e.to_string()))
}

/// Sprig's `toRawJson` panics on an encoding error; the engine reports a panic in a function
/// like an error return.
fn to_raw_json(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    must_to_raw_json(rt, args)
}

fn must_to_raw_json(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    json::to_json(&arg(args, 0), false)
        .map(Value::string)
        .map_err(|e| FuncError::call(e.to_string()))
}

fn from_json(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    Ok(match json::from_json_for(&str_arg(args, 0), rt.compat()) {
        Ok(v) => v,
        Err(e) => error_map(e.0),
    })
}

fn must_from_json(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    json::from_json_any_for(&str_arg(args, 0), rt.compat()).map_err(|e| FuncError::call(e.0))
}

fn from_json_array(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    Ok(
        match json::from_json_array(&str_arg(args, 0), rt.compat()) {
            Ok(v) => v,
            Err(e) => Value::list(vec![Value::string(e.0)]),
        },
    )
}

fn to_toml(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    if args.first().is_none_or(Value::is_nil) {
        // BurntSushi's encoder panics on a nil interface; the panic reaches the template.
        return Err(FuncError::call(
            "reflect: call of reflect.Value.Type on zero Value",
        ));
    }
    Ok(Value::string(
        match yaml::toml::to_toml(&arg(args, 0), rt.compat()) {
            Ok(s) => s,
            Err(e) => e,
        },
    ))
}

fn from_toml(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    Ok(
        match yaml::toml::from_toml(&str_arg(args, 0), rt.compat()) {
            Ok(v) => v,
            Err(e) => error_map(e),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotemplate::func::PlainRuntime;

    fn call(name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let map = crate::funcs::function_map(Compat::Helm4);
        let def = map.get(name).expect("registered");
        (def.imp)(&mut PlainRuntime::default(), args)
    }

    #[test]
    fn errors_are_swallowed_like_helm() {
        // Helm's toJson returns "" on error; mustToJson returns it.
        assert_eq!(
            call("toJson", &[Value::Float(f64::NAN)])
                .expect("no error")
                .as_str(),
            Some("")
        );
        assert_eq!(
            call("mustToJson", &[Value::Float(f64::NAN)]).expect_err("error"),
            FuncError::call("json: unsupported value: NaN")
        );
        let m = call("fromJson", &[Value::str("[1]")]).expect("no error");
        assert_eq!(
            format!("{m:?}"),
            r#"{"Error": "json: cannot unmarshal array into Go value of type map[string]interface {}"}"#
        );
    }

    #[test]
    fn to_yaml_trims_one_newline() {
        // sigs yaml.Marshal gives "|\n  a\n"; Helm drops the final newline only.
        let v = call("toYaml", &[Value::str("a\n")]).expect("ok");
        assert_eq!(v.as_str(), Some("|\n  a"));
    }
}
