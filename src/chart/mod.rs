//! Loading a chart (folder or `.tgz`, `.helmignore`), `Chart.yaml`, dependencies, values,
//! `--set` parsing and `values.schema.json` validation.
//!
//! The flow `chartctl template` follows, in the order of Helm's install action:
//!
//! 1. [`values::merge_user_values`] builds the user values from `-f`, `--set-json`, `--set`,
//!    `--set-string`, `--set-file` and `--set-literal`, in Helm's fixed order ([`strvals`]
//!    holds the `--set` mini-language). The caller supplies the file reader (`-` is standard
//!    input).
//! 2. [`load()`] reads a chart folder or archive into a [`Chart`] tree: metadata, templates,
//!    raw files, default values, schema and the subcharts found under `charts/`.
//! 3. The caller refuses library charts ([`Chart::is_library`]) and reports
//!    `metadata.deprecated`.
//! 4. [`dependencies::prepare`] checks that declared dependencies are present, matches them
//!    to the loaded subcharts, applies aliases, tags and conditions (dropping disabled
//!    subcharts) and import-values, then coalesces the user values with every chart's
//!    defaults. The result is a [`Prepared`] chart: the tree that renders (every node's
//!    [`Chart::full_path`] set) and the root `.Values`.
//! 5. [`schema::validate`] checks every enabled chart's values against its
//!    `values.schema.json` (unless `--skip-schema-validation`).
//!
//! Each chart's `.Values` is its parent's map under its name (or alias): walk
//! [`Chart::dependencies`] with [`Chart::scope_values`]. Template names are
//! `<full_path>/<file name>`.
//!
//! Errors are [`Error`]s whose text is Helm's (for the chosen [`Compat`]) as printed after
//! `Error: `; warnings Helm prints on stderr are collected as [`Warning`]s, to be printed
//! with [`Warning::line`] in order.
//!
//! `conformance_tests` checks all of this against the recordings under
//! `tests/conformance/chart` without the renderer.

pub mod archive;
pub mod dependencies;
pub mod helmignore;
pub mod load;
pub mod metadata;
pub mod schema;
pub mod strvals;
pub mod values;
pub mod yamlio;

#[cfg(test)]
mod conformance_tests;

use std::fmt;
use std::rc::Rc;

use crate::gotemplate::value::{Map, Value};
use crate::Compat;

pub use load::{load, load_archive, load_dir};

/// A chart file's bytes as text, invalid UTF-8 replaced as Go's conversions do
/// (`String::from_utf8_lossy`), with the fast whole-text check first: files are nearly
/// always valid, and the lossy scan is several times slower on them.
pub fn text_of(data: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(data) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(data),
    }
}
pub use metadata::{Dependency, Maintainer, Metadata};

/// One file of a chart: its path relative to the chart root, with `/` separators
/// (`templates/deployment.yaml`, `files/conf.ini`), and its bytes (a leading UTF-8 BOM removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartFile {
    pub name: String,
    pub data: Rc<[u8]>,
}

impl ChartFile {
    pub fn new(name: impl Into<String>, data: impl Into<Rc<[u8]>>) -> ChartFile {
        ChartFile {
            name: name.into(),
            data: data.into(),
        }
    }
}

/// A loaded chart and its subcharts.
#[derive(Clone, Debug)]
pub struct Chart {
    /// `Chart.yaml` (with `requirements.yaml` dependencies for `apiVersion: v1`), validated and
    /// sanitised. After [`dependencies::process`], `metadata.name` is the alias where one is set.
    pub metadata: Metadata,
    /// Every file under `templates/` (nested folders included), sorted by name. Library charts
    /// keep only files whose base name starts with `_`.
    pub templates: Vec<ChartFile>,
    /// The files `.Files` sees: everything except `Chart.yaml`, `values.yaml`,
    /// `values.schema.json`, `Chart.lock`, `requirements.lock` (kept for v1), `templates/**`
    /// and `charts/**` (whose `*.prov` files are kept). Includes `crds/**` and `.helmignore`.
    /// Sorted by name.
    pub files: Vec<ChartFile>,
    /// `values.yaml` as a map (empty when absent).
    pub values: Map,
    /// `values.schema.json`, raw.
    pub schema: Option<Rc<[u8]>>,
    /// Subcharts loaded from `charts/`, in load order (sorted by entry name). After
    /// [`dependencies::process`], only the enabled ones, renamed to their aliases.
    pub dependencies: Vec<Chart>,
    /// The names from the root to this chart's parent (empty for the root); set by
    /// [`dependencies::process`], so [`Chart::full_path`] gives `parent/charts/sub`.
    pub parents: Vec<String>,
    /// The chart's own name when dependency processing renamed it to an alias.
    pub alias_of: Option<String>,
}

impl Chart {
    /// The chart's name (its alias once dependencies are processed).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    pub fn is_root(&self) -> bool {
        self.parents.is_empty()
    }

    pub fn is_library(&self) -> bool {
        self.metadata.chart_type == "library"
    }

    /// The bytes of the chart's templates, files and schema, its subcharts' included.
    pub fn size(&self) -> usize {
        let own: usize = self
            .templates
            .iter()
            .chain(&self.files)
            .map(|f| f.data.len())
            .sum();
        let schema = self.schema.as_ref().map_or(0, |s| s.len());
        own + schema + self.dependencies.iter().map(Chart::size).sum::<usize>()
    }

    /// Helm's `ChartFullPath`: `root/charts/sub/charts/subsub`. Template names are
    /// `<full_path>/<file name>` (`root/charts/sub/templates/x.yaml`).
    pub fn full_path(&self) -> String {
        let mut out = String::new();
        for p in &self.parents {
            out.push_str(p);
            out.push_str("/charts/");
        }
        out.push_str(self.name());
        out
    }

    /// Helm's `ChartPath`: `root.sub.subsub` (used in warnings).
    pub fn dotted_path(&self) -> String {
        let mut out = self.parents.join(".");
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(self.name());
        out
    }

    /// The files under `crds/` with a manifest extension (`.yaml`, `.yml`, `.json`), in
    /// order; not those of subcharts (walk [`Chart::dependencies`] for them).
    pub fn crd_files(&self) -> impl Iterator<Item = &ChartFile> {
        self.files.iter().filter(|f| {
            f.name.starts_with("crds/")
                && [".yaml", ".yml", ".json"]
                    .iter()
                    .any(|ext| f.name.ends_with(ext))
        })
    }

    /// A subchart's `.Values` given its parent's: the map under the subchart's name, or an
    /// empty map when it is missing or not a map.
    pub fn scope_values(&self, parent_values: &Value) -> Value {
        parent_values
            .as_map()
            .and_then(|m| m.borrow().get(self.name()).cloned())
            .filter(|v| v.as_map().is_some())
            .unwrap_or_else(Value::empty_map)
    }
}

/// A chart ready to render: the enabled tree (aliases applied, disabled subcharts removed)
/// and the root chart's coalesced `.Values`.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub chart: Chart,
    pub values: Value,
}

/// A chart, values or schema error. `message` is Helm's text, as printed after `Error: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub message: String,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
        }
    }

    /// Prefixes the message as Go's `fmt.Errorf("<prefix>: %w", err)` does.
    pub fn context(self, prefix: impl fmt::Display) -> Error {
        Error {
            message: format!("{prefix}: {}", self.message),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A warning Helm prints on stderr while loading, processing dependencies or coalescing:
/// the whole line each Helm version prints (Helm 3's `log` puts `file.go:line: ` first; Helm 4
/// logs through `slog`'s text handler, `level=INFO msg="..."` or `level=WARN msg=... key=value`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub helm3: String,
    pub helm4: String,
}

impl Warning {
    /// A Go `log.Printf` warning: `site` is Helm 3's `file.go:line`; Helm 4 routes `log` into
    /// `slog` at level INFO.
    pub fn printf(site: &str, text: &str) -> Warning {
        Warning {
            helm3: format!("{site}: {text}"),
            helm4: format!("level=INFO msg={}", slog_quote(text)),
        }
    }

    /// Helm 3's `log.Printf` line with Helm 4's `slog.Warn(msg, attrs...)` counterpart.
    pub fn split(site: &str, helm3_text: &str, msg: &str, attrs: &[(&str, &str)]) -> Warning {
        let mut helm4 = format!("level=WARN msg={}", slog_quote(msg));
        for (k, v) in attrs {
            helm4.push(' ');
            helm4.push_str(k);
            helm4.push('=');
            helm4.push_str(&slog_quote(v));
        }
        Warning {
            helm3: format!("{site}: {helm3_text}"),
            helm4,
        }
    }

    /// The stderr line for `compat`.
    pub fn line(&self, compat: Compat) -> &str {
        match compat {
            Compat::Helm3 => &self.helm3,
            Compat::Helm4 => &self.helm4,
        }
    }
}

/// `slog`'s text handler quotes a value that is empty or contains spaces, `=`, `"` or
/// non-printable characters, with Go's `strconv.Quote`.
pub(crate) fn slog_quote(s: &str) -> String {
    let needs = s.is_empty()
        || s.chars()
            .any(|c| c == ' ' || c == '=' || c == '"' || c.is_control() || c.is_whitespace());
    if needs {
        metadata::go_quote(s)
    } else {
        s.to_string()
    }
}
