//! Rendering a loaded chart as `helm template` does: built-in objects, executing every
//! template, splitting and sorting manifests, and assembling the output.
