//! chartctl: a Helm-compatible chart renderer and linter.
//!
//! The library holds everything; the `chartctl` binary only parses arguments and maps results
//! to exit codes. See `ARCHITECTURE.md` for a map of the modules.

pub mod chart;
pub mod cli;
pub mod compat;
pub mod cores;
pub mod funcs;
pub mod gotemplate;
pub mod hugepages;
pub mod lint;
pub mod render;
pub mod teardown;
#[cfg(test)]
mod test_rng;
pub mod yaml;

pub use compat::Compat;
