//! The `--set` family and values coalescing: parsing arbitrary arguments into the user
//! values, merging them with `-f` files and coalescing them with a chart's `values.yaml`
//! may fail but never panic or hang.
//!
//! Input layout: the first byte picks the Helm version; the rest, up to the first NUL, is
//! one flag per line, its first character naming the flag (`s` `--set`, `t`
//! `--set-string`, `j` `--set-json`, `l` `--set-literal`, `f` `--set-file`, `v` a `-f`
//! file); after the NUL comes the chart's `values.yaml`, and after a second NUL the text
//! every `--set-file` and `-f` file reads.

#![no_main]

use chartctl::chart::archive::ArchiveFile;
use chartctl::chart::dependencies::prepare;
use chartctl::chart::load::load_files;
use chartctl::chart::values::{merge_user_values, ValuesOptions};
use chartctl::Compat;
use libfuzzer_sys::fuzz_target;

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
    let args = parts.next().unwrap_or("");
    let chart_values = parts.next().unwrap_or("");
    let file_text = parts.next().unwrap_or("a: 1");

    let mut opts = ValuesOptions::default();
    for line in args.lines() {
        let mut chars = line.chars();
        let (Some(kind), arg) = (chars.next(), chars.as_str().to_string()) else {
            continue;
        };
        match kind {
            's' => opts.set.push(arg),
            't' => opts.set_string.push(arg),
            'j' => opts.set_json.push(arg),
            'l' => opts.set_literal.push(arg),
            'f' => opts.set_file.push(arg),
            'v' => opts.files.push(arg),
            _ => {}
        }
    }
    let mut read = |path: &str| -> Result<Vec<u8>, String> {
        if path.is_empty() {
            Err(format!("open {path}: no such file or directory"))
        } else {
            Ok(file_text.as_bytes().to_vec())
        }
    };
    let Ok(user) = merge_user_values(&opts, &mut read, compat) else {
        return;
    };
    let files = vec![
        ArchiveFile {
            name: "Chart.yaml".into(),
            data: b"apiVersion: v2\nname: fuzz\nversion: 0.1.0\n".to_vec(),
        },
        ArchiveFile {
            name: "values.yaml".into(),
            data: chart_values.as_bytes().to_vec(),
        },
    ];
    let mut warnings = Vec::new();
    let Ok(chart) = load_files(files, compat, &mut warnings, 0) else {
        return;
    };
    // Helm's ProcessDependencies and CoalesceValues.
    let _ = prepare(chart, &user, compat, &mut warnings);
});
