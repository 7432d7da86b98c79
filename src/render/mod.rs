//! Rendering a loaded chart as `helm template` does: built-in objects, executing every
//! template, splitting and sorting manifests, and assembling the output.

pub mod capabilities;
pub mod glob;
pub mod manifest;
pub mod objects;
pub mod output;
pub mod release;
