//! Parses arbitrary text as a template and executes it against a small fixed data set:
//! neither may panic, hang or exhaust the stack, whatever the input.

#![no_main]

use std::rc::Rc;

use chartctl::funcs::function_map;
use chartctl::gotemplate::value::{Map, Value};
use chartctl::gotemplate::{ExecOptions, TemplateSet};
use chartctl::Compat;
use libfuzzer_sys::fuzz_target;

fn data() -> Value {
    let mut values = Map::new();
    values.insert("s".into(), Value::str("text"));
    values.insert("n".into(), Value::Float(3.0));
    values.insert(
        "l".into(),
        Value::list(vec![Value::Nil, Value::Int(1), Value::str("x")]),
    );
    values.insert("m".into(), Value::map(Map::new()));
    values.insert("t".into(), Value::str("{{ .Values.s }}"));
    let mut root = Map::new();
    root.insert("Values".into(), Value::map(values));
    Value::map(root)
}

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    // The first byte picks the Helm version and the lint mode, the rest is the template.
    let (compat, lint) = match input.first().copied().unwrap_or(0) % 4 {
        0 => (Compat::Helm4, false),
        1 => (Compat::Helm4, true),
        2 => (Compat::Helm3, false),
        _ => (Compat::Helm3, true),
    };
    let mut set = TemplateSet::new(Rc::new(function_map(compat)), compat);
    if set.parse("fuzz", text).is_err() {
        return;
    }
    let opts = ExecOptions {
        lint_mode: lint,
        ..ExecOptions::default()
    };
    let mut out = String::new();
    if let Err(e) = set.execute("fuzz", &data(), &opts, &mut out) {
        // Formatting the error must not fail either.
        let _ = e.helm_message("fuzz", compat);
    }
});
