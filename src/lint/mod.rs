//! `helm lint`'s checks, and the manifest rules Helm never had.

pub mod diagnostic;
pub mod k8s;
pub mod rules;
