//! The whole of `chartctl template` after the command line: a chart built from the input is
//! loaded, its dependencies processed, its values coalesced and schema-checked, its
//! templates rendered, the documents split, sorted and printed. Any step may fail, none may
//! panic or hang.
//!
//! Input layout: a txtar archive, as the conformance cases are (`-- path --` lines, each
//! followed by the file's content); `Chart.yaml` defaults to a minimal v2 chart. A file
//! `cmd` is read for `--set` flags (one `--set k=v` each) and its `helm3` word, if any,
//! selects Helm 3.

#![no_main]

use std::collections::BTreeMap;
use std::rc::Rc;

use chartctl::chart::archive::ArchiveFile;
use chartctl::chart::dependencies::{check_dependencies, prepare};
use chartctl::chart::load::load_files;
use chartctl::chart::values::{merge_user_values, ValuesOptions};
use chartctl::chart::{schema, Chart};
use chartctl::funcs::function_map;
use chartctl::gotemplate::func::FuncMap;
use chartctl::gotemplate::ExecOptions;
use chartctl::render::capabilities::Capabilities;
use chartctl::render::engine::{render_with, RenderContext};
use chartctl::render::manifest::sort_manifests;
use chartctl::render::objects::ReleaseInfo;
use chartctl::render::output::{assemble, CrdFile, OutputOptions};
use chartctl::Compat;
use libfuzzer_sys::fuzz_target;

/// See `template.rs`: slow by design, or network.
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

/// The files of a txtar archive; text before the first file is a comment.
fn parse_txtar(text: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if let Some(name) = bare.strip_prefix("-- ").and_then(|l| l.strip_suffix(" --")) {
            files.push((name.trim().to_string(), String::new()));
        } else if let Some((_, content)) = files.last_mut() {
            content.push_str(line);
        }
    }
    files
}

fn collect_crds(chart: &Chart, out: &mut Vec<CrdFile>) {
    for f in chart.crd_files() {
        out.push(CrdFile {
            filename: format!("{}/{}", chart.full_path(), f.name),
            data: String::from_utf8_lossy(&f.data).into_owned(),
        });
    }
    for dep in &chart.dependencies {
        collect_crds(dep, out);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut compat = Compat::Helm4;
    let mut user_opts = ValuesOptions::default();
    let mut files = Vec::new();
    for (name, content) in parse_txtar(text) {
        if name == "cmd" {
            let words: Vec<&str> = content.split_whitespace().collect();
            compat = if words.contains(&"helm3") {
                Compat::Helm3
            } else {
                Compat::Helm4
            };
            for pair in words.windows(2) {
                if pair[0] == "--set" {
                    user_opts.set.push(pair[1].to_string());
                }
            }
        } else if !name.starts_with("../") && name != "stdin" {
            files.push(ArchiveFile {
                name,
                data: content.into_bytes(),
            });
        }
    }
    if !files.iter().any(|f| f.name == "Chart.yaml") {
        files.push(ArchiveFile {
            name: "Chart.yaml".into(),
            data: b"apiVersion: v2\nname: snip\nversion: 0.1.0\n".to_vec(),
        });
    }
    let mut warnings = Vec::new();
    let mut no_files = |p: &str| -> Result<Vec<u8>, String> {
        Err(format!("open {p}: no such file or directory"))
    };
    let Ok(user) = merge_user_values(&user_opts, &mut no_files, compat) else {
        return;
    };
    let Ok(chart) = load_files(files, compat, &mut warnings, 0) else {
        return;
    };
    if check_dependencies(&chart, compat).is_err() {
        return;
    }
    let Ok(prepared) = prepare(chart, &user, compat, &mut warnings) else {
        return;
    };
    if schema::validate(&prepared.chart, &prepared.values, compat).is_err() {
        return;
    }
    let ctx = RenderContext {
        release: ReleaseInfo {
            name: "release-name".into(),
            namespace: "default".into(),
            is_upgrade: false,
            revision: 1,
        },
        capabilities: Rc::new(Capabilities::new(compat, None, &[])),
        compat,
        to_yaml: chartctl::render::to_yaml,
    };
    let opts = ExecOptions {
        step_limit: Some(STEP_LIMIT),
        ..ExecOptions::default()
    };
    let funcs = FUNCS.with(|f| f[usize::from(compat == Compat::Helm3)].clone());
    let Ok(mut rendered) = render_with(
        &prepared.chart,
        &prepared.values,
        funcs,
        &ctx,
        &opts,
        &mut Vec::new(),
    ) else {
        return;
    };
    rendered.retain(|name, _| !name.ends_with("NOTES.txt"));
    let rendered: BTreeMap<String, String> = rendered;
    let Ok(sorted) = sort_manifests(&rendered, compat, &|doc| {
        chartctl::render::parse_head(doc, compat)
    }) else {
        return;
    };
    let mut crds = Vec::new();
    collect_crds(&prepared.chart, &mut crds);
    let out_opts = OutputOptions {
        compat,
        include_crds: true,
        ..OutputOptions::default()
    };
    let _ = assemble(&crds, &sorted, &out_opts, &|_| Ok(None));
});
