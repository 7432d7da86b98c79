//! Parses and executes a realistic Deployment-style template (about 300 lines: helpers,
//! conditionals, ranges over containers, ports, env and volumes) and reports the time per
//! parse and per execution. Run with `cargo bench --bench engine`; compare with the reference
//! Helm through `scripts/bench-engine`.

use std::hint::black_box;
use std::rc::Rc;
use std::time::{Duration, Instant};

use chartctl::funcs::function_map;
use chartctl::gotemplate::func::{FuncError, Runtime};
use chartctl::gotemplate::value::{Map, Value};
use chartctl::gotemplate::{ExecOptions, TemplateSet};
use chartctl::{func, Compat};

const HELPERS: &str = include_str!("engine/_helpers.tpl");
const DEPLOYMENT: &str = include_str!("engine/deployment.yaml");

/// Stand-ins for the Sprig functions the template uses, for when the function library does not
/// provide them: the benchmark measures the engine, not these.
fn stub_funcs(map: &mut chartctl::gotemplate::func::FuncMap) {
    fn s(v: &Value) -> String {
        match v {
            Value::String(s) => s.to_string(),
            Value::Nil => String::new(),
            other => chartctl::gotemplate::gofmt::fmt_value(other),
        }
    }
    fn quote(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        Ok(Value::string(format!("{:?}", s(&a[0]))))
    }
    fn default(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        Ok(if a[1].is_true() {
            a[1].clone()
        } else {
            a[0].clone()
        })
    }
    fn nindent(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        let n = match a[0] {
            Value::Int(n) => n.max(0) as usize,
            _ => 0,
        };
        let pad = " ".repeat(n);
        let body: Vec<String> = s(&a[1]).lines().map(|l| format!("{pad}{l}")).collect();
        Ok(Value::string(format!("\n{}", body.join("\n"))))
    }
    fn to_yaml(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        let mut out = String::new();
        if let Value::Map(m) = &a[0] {
            for (k, v) in m.borrow().iter() {
                out.push_str(&format!("{k}: {}\n", s(v)));
            }
        }
        Ok(Value::string(out.trim_end().to_string()))
    }
    fn trunc(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        let n = match a[0] {
            Value::Int(n) => n.max(0) as usize,
            _ => 0,
        };
        Ok(Value::string(s(&a[1]).chars().take(n).collect()))
    }
    fn trim_suffix(_: &mut dyn Runtime, a: &[Value]) -> Result<Value, FuncError> {
        let v = s(&a[1]);
        Ok(Value::string(
            v.strip_suffix(&s(&a[0])).unwrap_or(&v).to_string(),
        ))
    }
    for def in [
        func!("quote", [], ...Any, quote),
        func!("default", [Any], ...Any, default),
        func!("nindent", [Int, String], nindent),
        func!("toYaml", [Any], to_yaml),
        func!("trunc", [Int, String], trunc),
        func!("trimSuffix", [String, String], trim_suffix),
    ] {
        if !map.contains(def.name) {
            map.insert(def);
        }
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
        ("probe", Value::Bool(i % 2 == 0)),
    ])
}

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
            m(vec![
                ("Name", s("bench/templates/deployment.yaml")),
                ("BasePath", s("bench/templates")),
            ]),
        ),
    ])
}

fn measure(name: &str, mut f: impl FnMut()) {
    // Warm up, then run for about a second.
    for _ in 0..20 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < Duration::from_secs(1) {
        f();
        n += 1;
    }
    let per = start.elapsed() / n;
    println!("{name}: {per:?} per iteration ({n} iterations)");
}

fn main() {
    let mut funcs = function_map(Compat::Helm4);
    stub_funcs(&mut funcs);
    let funcs = Rc::new(funcs);
    let parse = || {
        let mut set = TemplateSet::new(funcs.clone(), Compat::Helm4);
        set.parse("bench/templates/_helpers.tpl", HELPERS)
            .expect("helpers parse");
        set.parse("bench/templates/deployment.yaml", DEPLOYMENT)
            .expect("deployment parses");
        set
    };
    measure("parse", || {
        black_box(parse());
    });
    let set = parse();
    let data = data();
    let opts = ExecOptions::default();
    let mut out = String::new();
    set.execute("bench/templates/deployment.yaml", &data, &opts, &mut out)
        .expect("deployment executes");
    let lines = out.lines().count();
    println!("output: {} bytes, {lines} lines", out.len());
    measure("execute", || {
        let mut out = String::with_capacity(16 * 1024);
        set.execute("bench/templates/deployment.yaml", &data, &opts, &mut out)
            .expect("deployment executes");
        black_box(out);
    });
}
