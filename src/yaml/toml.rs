//! `toToml` and `fromToml`.
