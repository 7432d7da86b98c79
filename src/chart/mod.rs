//! Loading a chart (folder or `.tgz`, `.helmignore`), `Chart.yaml`, dependencies, values,
//! `--set` parsing and `values.schema.json` validation.
