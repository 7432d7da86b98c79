//! The fast path of YAML loading against the full loader: on any input the fast path either
//! declines or gives exactly the value the full loader gives (and never accepts what the full
//! loader refuses). Its skim of a manifest's head likewise declines or agrees with the head of
//! the fully loaded document, which must then convert to JSON.
#![no_main]

use chartctl::yaml::load::bench_support::{head_fast, load_fast, load_full, same};
use chartctl::yaml::load::{check_json_value, head_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(head) = head_fast(text) {
        match load_full(text) {
            Ok(full) => {
                assert!(check_json_value(&full).is_ok(), "the skim accepts what does not convert to JSON");
                assert_eq!(head, head_of(&full), "the skim's head differs");
            }
            Err(e) => panic!("the skim accepts what the full loader refuses: {e}"),
        }
    }
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
