//! The fast path of YAML loading against the full loader: on any input the fast path either
//! declines or gives exactly the value the full loader gives (and never accepts what the full
//! loader refuses).
#![no_main]

use chartctl::yaml::load::bench_support::{load_fast, load_full, same};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(fast) = load_fast(text) else {
        return;
    };
    match load_full(text) {
        Ok(full) => assert!(
            same(&fast, &full),
            "the fast path differs\nfast: {fast:?}\nfull: {full:?}"
        ),
        Err(e) => panic!("the fast path accepts what the full loader refuses: {e}\nfast: {fast:?}"),
    }
});
