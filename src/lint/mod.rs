//! `helm lint`'s checks, and the manifest rules Helm never had.
//!
//! [`helm`] runs Helm's rules with Helm's texts; [`run`] adds chartctl's own findings (the
//! Kubernetes schema validation of every rendered document, and the [`rules`]) on the same
//! render, and [`report`] lays the results out as `helm lint` does.

pub mod config;
pub mod custom;
pub mod diagnostic;
pub mod helm;
pub mod k8s;
pub mod naming;
pub mod report;
pub mod rules;
pub mod run;
