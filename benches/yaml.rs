//! Times YAML loading (`src/yaml/load.rs`) on three inputs, through the fast path and through
//! the full (`saphyr-parser`) loader separately, and reports MB/s:
//!
//! - `values`: a chart-style `values.yaml` of about 460 lines (`benches/yaml/values.yaml`);
//! - `crd`: a CustomResourceDefinition with a deeply nested schema of about 100 KB, generated at
//!   start-up (descriptions over several lines, enums, required lists), the kind of document
//!   Helm's lint parses megabytes of for operator charts;
//! - `manifests`: a stream of a dozen rendered manifests (`benches/yaml/manifests.yaml`), split
//!   into documents as Helm 4 splits them, each loaded.
//!
//! Both paths are checked to give the same value before anything is timed. Run with
//! `cargo bench --profile quick-release --bench yaml`; `-- crd` runs only the measurements
//! whose name contains `crd` (`'crd fast$'` only that one). Each figure is the median of 15
//! batches, with the fastest beside it. `BENCH_SECS` sets the time spent on each measurement
//! (2 seconds by default); `BENCH_ITERS=N` runs each selected measurement exactly N times
//! without timing it, for `perf stat` or callgrind (instructions per byte are then the
//! difference of two counts over the difference of N times the input's size).

use std::fmt::Write;
use std::hint::black_box;

mod support;

use chartctl::yaml::load::bench_support::{load_fast, load_full, same};
use chartctl::yaml::load::split_documents;
use support::Bench;

// The allocator `chartctl` itself uses: loading is mostly building small strings and vectors.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const VALUES: &str = include_str!("yaml/values.yaml");
const MANIFESTS: &str = include_str!("yaml/manifests.yaml");

/// A CRD whose schema nests objects `depth` levels deep, `width` properties each, the leaves
/// strings, integers, enums and lists; about 100 KB for the sizes `main` uses.
fn crd(depth: usize, width: usize) -> String {
    let mut out = String::from(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  \
         annotations:\n    controller-gen.kubebuilder.io/version: v0.16.1\n  name: \
         widgets.example.com\nspec:\n  group: example.com\n  names:\n    kind: Widget\n    \
         listKind: WidgetList\n    plural: widgets\n    singular: widget\n  scope: Namespaced\n  \
         versions:\n  - name: v1\n    served: true\n    storage: true\n    subresources:\n      \
         status: {}\n    schema:\n      openAPIV3Schema:\n        description: Widget is the \
         Schema for the widgets API.\n        type: object\n        properties:\n",
    );
    fn object(out: &mut String, indent: usize, depth: usize, width: usize, path: &str) {
        let pad = " ".repeat(indent);
        for i in 0..width {
            let name = format!("field{depth}x{i}");
            let _ = writeln!(out, "{pad}{name}:");
            let _ = writeln!(
                out,
                "{pad}  description: |-\n{pad}    {name} of {path} sets how the widget behaves \
                 when the\n{pad}    controller reconciles it; see the user guide.\n\n{pad}    \
                 Deprecated: use {name}Ref instead."
            );
            if depth > 0 && i % 2 == 0 {
                let _ = writeln!(out, "{pad}  type: object\n{pad}  properties:");
                object(out, indent + 4, depth - 1, width, &format!("{path}.{name}"));
                let _ = writeln!(
                    out,
                    "{pad}  required:\n{pad}  - field{}x0\n{pad}  x-kubernetes-map-type: atomic",
                    depth - 1
                );
            } else {
                match i % 4 {
                    1 => {
                        let _ = writeln!(
                            out,
                            "{pad}  enum:\n{pad}  - Always\n{pad}  - Never\n{pad}  - IfNotPresent\n{pad}  type: string"
                        );
                    }
                    3 => {
                        let _ = writeln!(
                            out,
                            "{pad}  format: int32\n{pad}  maximum: 65535\n{pad}  minimum: 0\n{pad}  type: integer"
                        );
                    }
                    _ => {
                        let _ = writeln!(
                            out,
                            "{pad}  items:\n{pad}    type: string\n{pad}  type: array\n{pad}  \
                             x-kubernetes-list-type: set\n{pad}  x-kubernetes-validations:\n{pad}  \
                             - message: 'items must be unique and non-empty'\n{pad}    rule: \
                             self.all(x, x != '')"
                        );
                    }
                }
            }
        }
    }
    object(&mut out, 10, depth, width, "spec");
    out
}

/// Times `f` over `bytes` of input and prints the median and the fastest batch as time per
/// call and MB/s.
fn measure(bench: &Bench, name: &str, bytes: usize, f: impl FnMut()) {
    let Some(t) = bench.time(name, f) else {
        return;
    };
    #[allow(clippy::cast_precision_loss)] // input sizes far below 2^52
    let mbps = |us: f64| bytes as f64 / us;
    println!(
        "{name:<16} {:>9.1} µs median {:>7.1} MB/s   {:>9.1} µs best {:>7.1} MB/s  ({} x {} calls, {bytes} bytes)",
        t.median(),
        mbps(t.median()),
        t.best(),
        mbps(t.best()),
        t.batches,
        t.batch,
    );
}

/// Loads each document of `docs` through the fast path; panics where it declines, as every
/// benchmark input must take it.
fn fast(docs: &[&str]) {
    for doc in docs {
        black_box(load_fast(black_box(doc)).expect("the fast path takes the benchmark input"));
    }
}

fn full(docs: &[&str]) {
    for doc in docs {
        black_box(load_full(black_box(doc)).expect("the benchmark input loads"));
    }
}

fn main() {
    let bench = Bench::from_env();
    let crd = crd(3, 5);
    let inputs: [(&str, Vec<&str>); 3] = [
        ("values", vec![VALUES]),
        ("crd", vec![crd.as_str()]),
        (
            "manifests",
            split_documents(MANIFESTS).expect("the manifest stream splits"),
        ),
    ];
    for (name, docs) in &inputs {
        for doc in docs {
            let f = load_fast(doc).expect("the fast path takes the benchmark input");
            let g = load_full(doc).expect("the benchmark input loads");
            assert!(same(&f, &g), "the two paths differ on {name}");
        }
    }
    for (name, docs) in &inputs {
        let bytes = docs.iter().map(|d| d.len()).sum();
        measure(&bench, &format!("{name} fast"), bytes, || fast(docs));
        measure(&bench, &format!("{name} full"), bytes, || full(docs));
    }
}
