//! Parses arbitrary text as templates and executes them with Helm's function map and
//! values loaded from the input: neither may panic, hang or exhaust the stack.
//!
//! Input layout (the seeds in `fuzz/seeds/template` follow it): the first byte picks the
//! Helm version, lint mode and strict mode; the rest is split at the first two NUL bytes
//! into the main template, a helpers template (defines for `include`/`template`) and the
//! values YAML. A missing part is empty.

#![no_main]

use std::rc::Rc;

use chartctl::funcs::function_map;
use chartctl::gotemplate::func::FuncMap;
use chartctl::gotemplate::value::{Map, Value};
use chartctl::gotemplate::{ExecOptions, TemplateSet};
use chartctl::yaml::{self, MultiDoc};
use chartctl::Compat;
use libfuzzer_sys::fuzz_target;

/// Functions left out: key generation, bcrypt and scrypt are slow by design (each call
/// costs as much as thousands of steps), and `getHostByName` would query the network.
const LEFT_OUT: &[&str] = &[
    "genPrivateKey",
    "genCA",
    "genSelfSignedCert",
    "genSignedCert",
    "bcrypt",
    "htpasswd",
    "derivePassword",
    "getHostByName",
];

/// Enough for any real chart's template; loops beyond it end with an error instead of
/// being reported as hangs.
const STEP_LIMIT: u64 = 200_000;

thread_local! {
    static FUNCS: [Rc<FuncMap>; 2] = [funcs(Compat::Helm4), funcs(Compat::Helm3)];
}

fn funcs(compat: Compat) -> Rc<FuncMap> {
    let mut map = function_map(compat);
    for name in LEFT_OUT {
        map.remove(name);
    }
    Rc::new(map)
}

fn data(values: Value) -> Value {
    let mut release = Map::new();
    release.insert("Name".into(), Value::str("release-name"));
    release.insert("Namespace".into(), Value::str("default"));
    release.insert("IsInstall".into(), Value::Bool(true));
    release.insert("Revision".into(), Value::Int(1));
    let mut chart = Map::new();
    chart.insert("Name".into(), Value::str("fuzz"));
    chart.insert("Version".into(), Value::str("0.1.0"));
    let mut root = Map::new();
    root.insert("Values".into(), values);
    root.insert("Release".into(), Value::map(release));
    root.insert("Chart".into(), Value::map(chart));
    root.insert("Template".into(), {
        let mut t = Map::new();
        t.insert("Name".into(), Value::str("fuzz/templates/main.yaml"));
        t.insert("BasePath".into(), Value::str("fuzz/templates"));
        Value::map(t)
    });
    Value::map(root)
}

fn default_values() -> Value {
    let mut values = Map::new();
    values.insert("s".into(), Value::str("text"));
    values.insert("n".into(), Value::Float(3.0));
    values.insert("i".into(), Value::Int64(-7));
    values.insert("b".into(), Value::Bool(true));
    values.insert(
        "l".into(),
        Value::list(vec![Value::Nil, Value::Int(1), Value::str("x")]),
    );
    values.insert("m".into(), Value::map(Map::new()));
    values.insert("t".into(), Value::str("{{ .Values.s }}"));
    Value::map(values)
}

fuzz_target!(|input: &[u8]| {
    let Some((&flags, rest)) = input.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let compat = if flags & 1 == 0 {
        Compat::Helm4
    } else {
        Compat::Helm3
    };
    let mut parts = text.splitn(3, '\0');
    let main = parts.next().unwrap_or("");
    let helpers = parts.next().unwrap_or("");
    let values = match parts.next() {
        Some(v) => match yaml::load_values(v, MultiDoc::First) {
            Ok(v @ Value::Map(_)) => v,
            _ => default_values(),
        },
        None => default_values(),
    };
    let funcs = FUNCS.with(|f| f[usize::from(compat == Compat::Helm3)].clone());
    let mut set = TemplateSet::new(funcs, compat);
    if !helpers.is_empty() && set.parse("fuzz/templates/_helpers.tpl", helpers).is_err() {
        return;
    }
    if set.parse("fuzz/templates/main.yaml", main).is_err() {
        return;
    }
    let opts = ExecOptions {
        lint_mode: flags & 2 != 0,
        strict: flags & 4 != 0,
        step_limit: Some(STEP_LIMIT),
    };
    let mut out = String::new();
    if let Err(e) = set.execute("fuzz/templates/main.yaml", &data(values), &opts, &mut out) {
        // Formatting the error must not fail either.
        let _ = e.helm_message("fuzz/templates/main.yaml", compat);
    }
});
