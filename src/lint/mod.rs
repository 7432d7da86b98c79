//! `helm lint`'s checks, and the manifest rules Helm never had.

pub mod k8s;
