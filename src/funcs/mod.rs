//! The Sprig and Helm function library, one file per area, assembled into the function map
//! Helm gives templates: Go's builtins, Sprig v3.3.0's `TxtFuncMap` minus `env` and
//! `expandenv`, then Helm's own functions, which replace Sprig's of the same name.

use crate::gotemplate::func::FuncMap;
use crate::Compat;

pub mod conversion;
pub mod crypto;
pub mod dates;
pub mod defaults;
pub mod dicts;
pub mod encoding;
pub mod helm;
pub mod lists;
pub mod math;
pub mod network;
pub mod paths;
pub mod random;
pub mod regex;
pub mod rsa_keygen;
pub mod semver;
pub mod strings;
pub mod urls;
pub mod yaml;

/// The function map of a Helm render (template or lint) for the given Helm version. Go's
/// builtins are added by the engine itself.
pub fn function_map(compat: Compat) -> FuncMap {
    let mut map = FuncMap::new();
    strings::register(&mut map);
    lists::register(&mut map);
    dicts::register(&mut map);
    defaults::register(&mut map);
    conversion::register(&mut map);
    math::register(&mut map);
    regex::register(&mut map);
    paths::register(&mut map);
    urls::register(&mut map);
    encoding::register(&mut map);
    crypto::register(&mut map);
    semver::register(&mut map);
    dates::register(&mut map);
    random::register(&mut map);
    network::register(&mut map);
    // Helm's functions come last: they replace Sprig's of the same name.
    yaml::register(&mut map, compat);
    helm::register(&mut map, compat);
    map
}
