//! Engine tests that need Rust-built values or options the conformance cases cannot express:
//! lint mode, strict mode, objects with methods, and inputs that must neither panic nor hang.

use std::any::Any;
use std::rc::Rc;

use super::value::{Map, Object, Value};
use super::{ErrorKind, ExecOptions, TemplateSet};
use crate::funcs::function_map;
use crate::Compat;

fn set_with(templates: &[(&str, &str)]) -> TemplateSet {
    let mut set = TemplateSet::new(Rc::new(function_map(Compat::Helm4)), Compat::Helm4);
    for (name, text) in templates {
        set.parse(name, text).expect("test templates parse");
    }
    set
}

fn run_opts(text: &str, data: &Value, opts: &ExecOptions) -> Result<String, String> {
    let mut set = TemplateSet::new(Rc::new(function_map(Compat::Helm4)), Compat::Helm4);
    set.parse("t", text).map_err(|e| e.to_string())?;
    let mut out = String::new();
    set.execute("t", data, opts, &mut out)
        .map(|()| out)
        .map_err(|e| e.to_string())
}

fn run(text: &str, data: &Value) -> Result<String, String> {
    run_opts(text, data, &ExecOptions::default())
}

fn values(pairs: &[(&str, Value)]) -> Value {
    Value::map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<Map>(),
    )
}

#[test]
fn required_and_fail_log_in_lint_mode() {
    let set = set_with(&[("t", "[{{ required \"need x\" .x }}][{{ fail \"stop\" }}]")]);
    let mut out = String::new();
    let lint = ExecOptions {
        lint_mode: true,
        ..ExecOptions::default()
    };
    set.execute("t", &Value::empty_map(), &lint, &mut out)
        .expect("lint mode does not fail");
    assert_eq!(out, "[][]");
    assert_eq!(set.take_logs().len(), 2);
}

#[test]
fn required_message_is_found_by_helm_formatting() {
    let set = set_with(&[("c/templates/t.yaml", "a: {{ required \"need x\" .x }}")]);
    let mut out = String::new();
    let err = set
        .execute(
            "c/templates/t.yaml",
            &Value::empty_map(),
            &ExecOptions::default(),
            &mut out,
        )
        .expect_err("required fails");
    assert_eq!(
        err.helm_message("c/templates/t.yaml", Compat::Helm4),
        "execution error at (c/templates/t.yaml:1:6): need x"
    );
}

#[test]
fn strict_mode_reports_missing_keys() {
    let strict = ExecOptions {
        strict: true,
        ..ExecOptions::default()
    };
    let err = run_opts("{{ .a }}", &Value::empty_map(), &strict).expect_err("missing key");
    assert!(err.ends_with("map has no entry for key \"a\""), "{err}");
}

#[test]
fn step_limit_ends_long_loops_and_is_off_by_default() {
    let text = "{{ range until 1000 }}{{ range until 1000 }}.{{ end }}{{ end }}";
    let limited = ExecOptions {
        step_limit: Some(10_000),
        ..ExecOptions::default()
    };
    let err = run_opts(text, &Value::empty_map(), &limited).expect_err("over the limit");
    assert!(err.contains("exceeded the step limit (10000)"), "{err}");
    // Functions count too, inside `include` as well.
    let set = set_with(&[
        (
            "h",
            "{{ define \"h\" }}{{ range until 100 }}{{ add 1 2 }}{{ end }}{{ end }}",
        ),
        ("t", "{{ range until 100 }}{{ include \"h\" . }}{{ end }}"),
    ]);
    let mut out = String::new();
    let err = set
        .execute("t", &Value::empty_map(), &limited, &mut out)
        .expect_err("over the limit");
    assert!(err.to_string().contains("step limit"), "{err}");
    let out = run(text, &Value::empty_map()).expect("no limit by default");
    assert_eq!(out.len(), 1_000_000);
}

struct Caps;

impl Object for Caps {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn field(&self, name: &str) -> Option<Value> {
        (name == "Len").then(|| Value::Int(2))
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        match (name, args) {
            ("Has", [Value::String(s)]) => Ok(Value::Bool(&**s == "apps/v1")),
            ("Has", _) => Err(format!(
                "wrong number of args for Has: want 1 got {}",
                args.len()
            )),
            _ => Err("no such method".into()),
        }
    }
    fn format(&self) -> String {
        "[apps/v1 v1]".into()
    }
    fn to_data(&self) -> Value {
        Value::Nil
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[test]
fn object_fields_and_methods() {
    let data = values(&[("C", Value::Object(Rc::new(Caps)))]);
    assert_eq!(
        run(
            "{{ .C.Has \"apps/v1\" }} {{ .C.Has \"x\" }} {{ .C.Len }} {{ .C }}",
            &data
        )
        .as_deref(),
        Ok("true false 2 [apps/v1 v1]")
    );
    assert_eq!(
        run("{{ \"apps/v1\" | .C.Has }}", &data).as_deref(),
        Ok("true")
    );
    // An object held in a map entry has the static type interface {}, which Go names.
    let err = run("{{ .C.Nope }}", &data).expect_err("unknown field");
    assert!(
        err.ends_with("can't evaluate field Nope in type interface {}"),
        "{err}"
    );
    let err = run("{{ $c := .C }}{{ $c.Nope }}", &data).expect_err("unknown field");
    assert!(
        err.ends_with("can't evaluate field Nope in type chartutil.VersionSet"),
        "{err}"
    );
    let err = run("{{ .C.Len 1 }}", &data).expect_err("field with args");
    assert!(
        err.ends_with("Len has arguments but cannot be invoked as function"),
        "{err}"
    );
    let err = run("{{ .C.Has }}", &data).expect_err("arity");
    assert!(
        err.ends_with("wrong number of args for Has: want 1 got 0"),
        "{err}"
    );
}

#[test]
fn values_are_shared_not_copied() {
    // `set`-style mutation through one holder is visible through another: maps are shared.
    let inner = Value::map(Map::new());
    let data = values(&[("a", inner.clone()), ("b", inner.clone())]);
    if let Value::Map(m) = &inner {
        m.borrow_mut().insert("k".into(), Value::str("v"));
    }
    assert_eq!(run("{{ .a.k }}{{ .b.k }}", &data).as_deref(), Ok("vv"));
}

#[test]
fn range_over_map_sees_a_snapshot() {
    let data = values(&[("m", values(&[("a", Value::Int(1)), ("b", Value::Int(2))]))]);
    assert_eq!(
        run("{{ range $k, $v := .m }}{{ $k }}{{ $v }}{{ end }}", &data).as_deref(),
        Ok("a1b2")
    );
}

#[test]
fn int_kinds_compare_across_signedness() {
    let data = values(&[
        ("u", Value::Uint(3)),
        ("i", Value::Int64(3)),
        ("n", Value::Int64(-1)),
    ]);
    assert_eq!(
        run(
            "{{ eq .u 3 }} {{ eq .i 3 }} {{ lt .n .u }} {{ lt .u .n }}",
            &data
        )
        .as_deref(),
        Ok("true true true false")
    );
}

#[test]
fn deep_parenthesis_nesting_is_an_error_not_a_crash() {
    let depth = 200_000;
    let text = format!("{{{{ {}1{} }}}}", "(".repeat(depth), ")".repeat(depth));
    let mut set = TemplateSet::new(Rc::new(function_map(Compat::Helm4)), Compat::Helm4);
    let err = set.parse("t", &text).expect_err("too deep");
    assert_eq!(err.kind(), ErrorKind::Parse);
}

#[test]
fn nesting_within_the_limit_runs() {
    let depth = 900;
    let text = format!("{{{{ {}1{} }}}}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(run(&text, &Value::Nil).as_deref(), Ok("1"));
    let ifs = format!(
        "{}x{}",
        "{{ if true }}".repeat(depth),
        "{{ end }}".repeat(depth)
    );
    assert_eq!(run(&ifs, &Value::Nil).as_deref(), Ok("x"));
}

#[test]
fn endless_template_recursion_stops() {
    let err = run(
        "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}",
        &Value::Nil,
    )
    .expect_err("recursion is bounded");
    assert!(
        err.contains("exceeded maximum template depth (100000)"),
        "{}",
        &err[..200.min(err.len())]
    );
}

#[test]
fn endless_tpl_recursion_stops() {
    // A value that feeds itself to `tpl` again: Helm would exhaust Go's stack.
    let data = values(&[("t", Value::str("{{ tpl .t . }}"))]);
    let err = run("{{ tpl .t . }}", &data).expect_err("recursion is bounded");
    assert!(
        err.contains("exceeded maximum template depth"),
        "{}",
        &err[..200.min(err.len())]
    );
}

#[test]
fn include_recursion_error_is_helm_text() {
    let set = set_with(&[
        ("c/templates/t.yaml", "{{ include \"r\" . }}"),
        (
            "c/templates/_h.tpl",
            "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}",
        ),
    ]);
    let mut out = String::new();
    let err = set
        .execute(
            "c/templates/t.yaml",
            &Value::empty_map(),
            &ExecOptions::default(),
            &mut out,
        )
        .expect_err("recursion limit");
    let text = err.to_string();
    assert!(text.ends_with(
        "rendering template has a nested reference name: r: unable to execute template"
    ));
    assert_eq!(text.matches("error calling include").count(), 1002);
}

#[test]
fn tpl_text_is_parsed_once() {
    let data = values(&[("t", Value::str("{{ .x }}")), ("x", Value::str("y"))]);
    let out = run("{{ tpl .t . }}{{ tpl .t . }}", &data);
    assert_eq!(out.as_deref(), Ok("yy"));
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap deterministic sweep over mangled templates; the fuzz target goes further.
    let seeds = [
        "{{ if .a }}{{ range $i, $v := .l }}{{ $v.x }}{{ else }}{{ end }}{{ end }}",
        "{{- define \"x\" -}}{{ if . }}{{ template \"x\" .y }}{{ end }}{{ end }}{{ include \"x\" . }}",
        "{{ tpl \"{{ .\" . }} {{ (1).a }} {{ 'a' }} {{ 0x1p4 }} {{ `raw` }}",
        "{{ block \"b\" . }}{{ break }}{{ end }}{{/* c */}}{{ $x = 1 }}",
    ];
    let data = values(&[("l", Value::list(vec![Value::Nil, Value::Int(1)]))]);
    for seed in seeds {
        let bytes = seed.as_bytes();
        for cut in 0..bytes.len() {
            for drop_len in [1, 2, 5] {
                let mut v = bytes[..cut].to_vec();
                v.extend_from_slice(&bytes[(cut + drop_len).min(bytes.len())..]);
                let text = String::from_utf8_lossy(&v);
                let _ = run(&text, &data);
            }
        }
    }
}
