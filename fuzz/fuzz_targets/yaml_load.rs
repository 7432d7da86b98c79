//! The YAML loader must never panic or hang, and whatever it loads must print and load
//! back to the same data. Run with `cargo +nightly fuzz run yaml_load`.
#![no_main]

use chartctl::yaml::{self, MultiDoc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = yaml::load_documents(text);
    let _ = yaml::parse_head(text);
    let _ = yaml::from_json(text);
    if let Ok(v) = yaml::load_values(text, MultiDoc::First) {
        if let Ok(printed) = yaml::to_yaml(&v) {
            let again = yaml::load_values(&printed, MultiDoc::First)
                .expect("toYaml output loads back");
            assert_eq!(
                yaml::to_json(&v, false).ok(),
                yaml::to_json(&again, false).ok(),
                "round trip changed the data: {printed:?}"
            );
        }
        let _ = yaml::to_yaml_pretty(&v);
    }
});
