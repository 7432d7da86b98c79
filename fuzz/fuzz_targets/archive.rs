//! Chart archives: loading arbitrary bytes as a `.tgz` chart (gzip, tar, Helm's path
//! rules, then the chart loader on the files found) may fail but never panic, hang or
//! exhaust memory.

#![no_main]

use chartctl::chart::load_archive;
use chartctl::Compat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for compat in [Compat::Helm4, Compat::Helm3] {
        let mut warnings = Vec::new();
        let _ = load_archive(data, compat, &mut warnings);
    }
});
