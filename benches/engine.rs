//! Parses and executes a realistic Deployment-style template (about 300 lines: helpers,
//! conditionals, ranges over containers, ports, env and volumes) and reports the time per
//! parse, per execution and per parse plus execution, for three set-ups:
//!
//! - `chartctl`: our engine with the full function library, as `chartctl template` runs it
//!   (compare with the reference Helm through `scripts/bench-engine`);
//! - `chartctl-stub` and `gotmpl`: our engine and the `gotmpl` crate (another Rust port of Go's
//!   `text/template`) on the same template and data, both given the same minimal stand-ins for
//!   the Sprig and Helm functions `gotmpl` lacks (`include`, `quote`, `default`, `nindent`,
//!   `toYaml`, `trunc`, `trimSuffix`), so the two engines do the same work. Their outputs are
//!   checked to be equal before anything is timed.
//!
//! Run with `cargo bench --bench engine`; `cargo bench --bench engine -- parse` runs only the
//! measurements whose name contains `parse` (`'chartctl parse$'` only that one). Each figure is the median of 15 batches (the
//! machine may be shared), with the fastest batch beside it. `BENCH_SECS` sets the time spent
//! on each measurement (2 seconds by default); `BENCH_ITERS=N` runs each measurement exactly N
//! times without timing it, for profilers.

use std::hint::black_box;
use std::rc::Rc;
use std::sync::{Arc, OnceLock, Weak};

use chartctl::funcs::function_map;
use chartctl::gotemplate::func::{FuncError, FuncMap, Runtime};
use chartctl::gotemplate::value::{Map, Value};
use chartctl::gotemplate::{ExecOptions, TemplateSet};
use chartctl::{func, Compat};
use support::Bench;

mod support;

const HELPERS: &str = include_str!("engine/_helpers.tpl");
const DEPLOYMENT: &str = include_str!("engine/deployment.yaml");
const NAME: &str = "bench/templates/deployment.yaml";

/// The stand-ins' algorithms, shared by both engines' wrappers so that both do the same work.
mod stand_in {
    /// Sprig's `quote` of one printable string: Go's `strconv.Quote`, which for the benchmark's
    /// data only escapes `"` and `\`.
    pub fn quote(s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        out
    }

    /// Sprig's `nindent`: a newline, then every line indented.
    pub fn nindent(n: i64, s: &str) -> String {
        let pad = " ".repeat(n.max(0) as usize);
        let mut out = String::with_capacity(s.len() + pad.len() * 8 + 1);
        out.push('\n');
        out.push_str(&pad);
        out.push_str(&s.replace('\n', &format!("\n{pad}")));
        out
    }

    /// Sprig's `trunc` for a non-negative length.
    pub fn trunc(n: i64, s: &str) -> String {
        s.chars().take(n.max(0) as usize).collect()
    }

    pub fn trim_suffix(suffix: &str, s: &str) -> String {
        s.strip_suffix(suffix).unwrap_or(s).to_string()
    }

    /// `toYaml` of a flat map whose entries are already printed: `key: value` lines.
    pub fn to_yaml<'a>(entries: impl Iterator<Item = (&'a str, String)>) -> String {
        let mut out = String::new();
        for (k, v) in entries {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(k);
            out.push_str(": ");
            out.push_str(&v);
        }
        out
    }
}

/// Our engine with the stand-ins instead of the function library (Helm's `include` is kept:
/// it is an engine feature here, reached through the [`Runtime`]).
fn stub_funcs() -> FuncMap {
    fn s(v: &Value) -> String {
        match v {
            Value::String(s) => s.to_string(),
            other => chartctl::gotemplate::gofmt::fmt_value(other),
        }
    }
    fn int(v: &Value) -> i64 {
        match v {
            Value::Int(n) => *n,
            _ => 0,
        }
    }
    fn quote(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        Ok(Value::string(stand_in::quote(&s(&a[0]))))
    }
    fn default(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        Ok(match a.get(1) {
            Some(given) if given.is_true() => given.clone(),
            _ => a[0].clone(),
        })
    }
    fn nindent(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        Ok(Value::string(stand_in::nindent(int(&a[0]), &s(&a[1]))))
    }
    fn to_yaml(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        Ok(Value::string(match &a[0] {
            Value::Map(m) => stand_in::to_yaml(m.borrow().iter().map(|(k, v)| (k.as_str(), s(v)))),
            _ => String::new(),
        }))
    }
    fn trunc(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        Ok(Value::string(stand_in::trunc(int(&a[0]), &s(&a[1]))))
    }
    fn trim_suffix(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        Ok(Value::string(stand_in::trim_suffix(&s(&a[0]), &s(&a[1]))))
    }
    let mut map = FuncMap::new();
    for def in [
        func!("quote", [], ...Any, quote),
        func!("default", [Any], ...Any, default),
        func!("nindent", [Int, String], nindent),
        func!("toYaml", [Any], to_yaml),
        func!("trunc", [Int, String], trunc),
        func!("trimSuffix", [String, String], trim_suffix),
    ] {
        map.insert(def);
    }
    let full = function_map(Compat::Helm4);
    map.insert(*full.get("include").expect("the library defines include"));
    map
}

/// `gotmpl` with the same stand-ins. `include` needs the parsed template itself: the closure
/// reaches it through `slot`, filled once parsing is done (a weak reference, so that the
/// template and its function map do not keep each other alive).
fn gotmpl_funcs(slot: Arc<OnceLock<Weak<gotmpl::Template>>>) -> gotmpl::FuncMap {
    use gotmpl::{TemplateError, Value as G};
    fn s(v: &G) -> String {
        match v {
            G::Nil => String::new(),
            other => other.to_string(),
        }
    }
    fn int(v: &G) -> i64 {
        v.as_int().unwrap_or(0)
    }
    fn arg(a: &[G], i: usize) -> Result<&G, TemplateError> {
        a.get(i)
            .ok_or_else(|| TemplateError::Exec("missing argument".into()))
    }
    let mut map = gotmpl::FuncMap::new();
    map.insert(
        "quote".into(),
        Arc::new(|a: &[G]| Ok(G::String(stand_in::quote(&s(arg(a, 0)?)).into()))),
    );
    map.insert(
        "default".into(),
        Arc::new(|a: &[G]| {
            Ok(match a.get(1) {
                Some(given) if given.is_truthy() => given.clone(),
                _ => arg(a, 0)?.clone(),
            })
        }),
    );
    map.insert(
        "nindent".into(),
        Arc::new(|a: &[G]| {
            Ok(G::String(
                stand_in::nindent(int(arg(a, 0)?), &s(arg(a, 1)?)).into(),
            ))
        }),
    );
    map.insert(
        "toYaml".into(),
        Arc::new(|a: &[G]| {
            Ok(G::String(
                match arg(a, 0)? {
                    G::Map(m) => stand_in::to_yaml(m.iter().map(|(k, v)| (&**k, s(v)))),
                    _ => String::new(),
                }
                .into(),
            ))
        }),
    );
    map.insert(
        "trunc".into(),
        Arc::new(|a: &[G]| {
            Ok(G::String(
                stand_in::trunc(int(arg(a, 0)?), &s(arg(a, 1)?)).into(),
            ))
        }),
    );
    map.insert(
        "trimSuffix".into(),
        Arc::new(|a: &[G]| {
            Ok(G::String(
                stand_in::trim_suffix(&s(arg(a, 0)?), &s(arg(a, 1)?)).into(),
            ))
        }),
    );
    map.insert(
        "include".into(),
        Arc::new(move |a: &[G]| {
            let t = slot
                .get()
                .and_then(Weak::upgrade)
                .ok_or_else(|| TemplateError::Exec("include before parse".into()))?;
            let name = s(arg(a, 0)?);
            Ok(G::String(
                t.execute_template_to_string(&name, arg(a, 1)?)?.into(),
            ))
        }),
    );
    map
}

fn gotmpl_parse() -> Arc<gotmpl::Template> {
    let slot = Arc::new(OnceLock::new());
    let t = gotmpl::Template::new(NAME)
        .funcs(gotmpl_funcs(slot.clone()))
        .parse(HELPERS)
        .expect("gotmpl parses the helpers")
        .parse(DEPLOYMENT)
        .expect("gotmpl parses the deployment");
    let t = Arc::new(t);
    // The slot is new, so it is empty.
    let _ = slot.set(Arc::downgrade(&t));
    t
}

/// The same data as `gotmpl` values (its floats print as Go's `%v` does for these numbers).
fn to_gotmpl(v: &Value) -> gotmpl::Value {
    use gotmpl::Value as G;
    match v {
        Value::Nil => G::Nil,
        Value::Bool(b) => G::Bool(*b),
        Value::Int(n) | Value::Int64(n) => G::Int(*n),
        Value::Uint(n) => G::Uint(*n),
        Value::Float(f) => G::Float(*f),
        Value::String(s) => G::String(Arc::from(&**s)),
        Value::List(l) => G::List(l.iter().map(to_gotmpl).collect()),
        Value::Map(m) => G::Map(Arc::new(
            m.borrow()
                .iter()
                .map(|(k, v)| (Arc::from(k.as_str()), to_gotmpl(v)))
                .collect(),
        )),
        Value::Bytes(_) | Value::Object(_) => G::Nil,
    }
}

fn s(v: &str) -> Value {
    Value::str(v)
}

fn m(pairs: Vec<(&str, Value)>) -> Value {
    Value::map(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Map>(),
    )
}

fn container(i: usize) -> Value {
    m(vec![
        ("name", s(&format!("c{i}"))),
        (
            "image",
            m(vec![("repository", s("nginx")), ("tag", s("1.27"))]),
        ),
        (
            "ports",
            Value::list(
                (0..3)
                    .map(|p| {
                        m(vec![
                            ("name", s(&format!("p{p}"))),
                            ("port", Value::Float(8080.0 + p as f64)),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            "env",
            Value::list(
                (0..8)
                    .map(|e| {
                        m(vec![
                            ("name", s(&format!("ENV_{e}"))),
                            ("value", s(&format!("value-{e}"))),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            "resources",
            m(vec![(
                "limits",
                m(vec![("cpu", s("500m")), ("memory", s("256Mi"))]),
            )]),
        ),
        ("probe", Value::Bool(i.is_multiple_of(2))),
    ])
}

/// The values `scripts/bench-engine` gives Helm (numbers from a values file are `float64`).
fn data() -> Value {
    let values = m(vec![
        ("replicaCount", Value::Float(3.0)),
        ("nameOverride", s("")),
        (
            "image",
            m(vec![
                ("repository", s("app")),
                ("tag", s("")),
                ("pullPolicy", s("IfNotPresent")),
            ]),
        ),
        (
            "podAnnotations",
            m(vec![("a", s("1")), ("b", s("2")), ("c", s("3"))]),
        ),
        ("podLabels", m(vec![("tier", s("web"))])),
        (
            "serviceAccount",
            m(vec![("create", Value::Bool(true)), ("name", s(""))]),
        ),
        ("containers", Value::list((0..4).map(container).collect())),
        (
            "volumes",
            Value::list(
                (0..6)
                    .map(|v| {
                        m(vec![
                            ("name", s(&format!("v{v}"))),
                            ("configMap", s(&format!("cm{v}"))),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("nodeSelector", m(vec![("disk", s("ssd"))])),
        ("tolerations", Value::list(vec![])),
        ("autoscaling", m(vec![("enabled", Value::Bool(false))])),
        (
            "securityContext",
            m(vec![("runAsUser", Value::Float(1000.0))]),
        ),
    ]);
    m(vec![
        ("Values", values),
        (
            "Release",
            m(vec![
                ("Name", s("release-name")),
                ("Namespace", s("default")),
                ("Service", s("Helm")),
                ("Revision", Value::Int(1)),
            ]),
        ),
        (
            "Chart",
            m(vec![
                ("Name", s("bench")),
                ("Version", s("1.2.3")),
                ("AppVersion", s("2.0.0")),
            ]),
        ),
        (
            "Template",
            m(vec![("Name", s(NAME)), ("BasePath", s("bench/templates"))]),
        ),
    ])
}

/// Times `f` and prints the median and the fastest batch's time per call.
fn measure(bench: &Bench, name: &str, f: impl FnMut()) {
    if let Some(t) = bench.time(name, f) {
        println!(
            "{name:<28} {:>9.1} µs median {:>9.1} µs best  ({} x {} calls)",
            t.median(),
            t.best(),
            t.batches,
            t.batch
        );
    }
}

fn ours_parse(funcs: &Rc<FuncMap>) -> TemplateSet {
    let mut set = TemplateSet::new(funcs.clone(), Compat::Helm4);
    set.parse("bench/templates/_helpers.tpl", HELPERS)
        .expect("helpers parse");
    set.parse(NAME, DEPLOYMENT).expect("deployment parses");
    set
}

fn ours_execute(set: &TemplateSet, data: &Value) -> String {
    let mut out = String::with_capacity(32 * 1024);
    set.execute(NAME, data, &ExecOptions::default(), &mut out)
        .expect("deployment executes");
    out
}

fn gotmpl_execute(t: &gotmpl::Template, data: &gotmpl::Value) -> String {
    let mut out = String::with_capacity(32 * 1024);
    t.execute_fmt(&mut out, data)
        .expect("gotmpl executes the deployment");
    out
}

fn main() {
    let bench = Bench::from_env();
    let data = data();
    let gdata = to_gotmpl(&data);
    let full = Rc::new(function_map(Compat::Helm4));
    let stub = Rc::new(stub_funcs());

    let out = ours_execute(&ours_parse(&full), &data);
    println!("output: {} bytes, {} lines", out.len(), out.lines().count());
    let ours_stub = ours_execute(&ours_parse(&stub), &data);
    let theirs = gotmpl_execute(&gotmpl_parse(), &gdata);
    if ours_stub != theirs {
        let line = ours_stub
            .lines()
            .zip(theirs.lines())
            .position(|(a, b)| a != b)
            .map_or(0, |i| i + 1);
        eprintln!("chartctl-stub and gotmpl outputs differ (first at line {line})");
        std::process::exit(1);
    }

    for (label, funcs) in [("chartctl", &full), ("chartctl-stub", &stub)] {
        measure(&bench, &format!("{label} parse"), || {
            black_box(ours_parse(funcs));
        });
        let set = ours_parse(funcs);
        measure(&bench, &format!("{label} execute"), || {
            black_box(ours_execute(&set, &data));
        });
        measure(&bench, &format!("{label} parse+execute"), || {
            black_box(ours_execute(&ours_parse(funcs), &data));
        });
    }
    measure(&bench, "gotmpl parse", || {
        black_box(gotmpl_parse());
    });
    let t = gotmpl_parse();
    measure(&bench, "gotmpl execute", || {
        black_box(gotmpl_execute(&t, &gdata));
    });
    measure(&bench, "gotmpl parse+execute", || {
        black_box(gotmpl_execute(&gotmpl_parse(), &gdata));
    });
}
