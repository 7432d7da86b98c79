//! One model for every finding, rendered as Helm's text, JSON, SARIF or GitHub annotations.
//!
//! A [`Diagnostic`] says which rule fired, how bad it is, where (the chart, the file, and when
//! known the line and the values key that produced the offending field), and what to do about
//! it. Helm's own checks produce diagnostics with the rule id `helm` and Helm's exact message,
//! so the text format can print them byte for byte as `helm lint` does.

use std::fmt::Write as _;

use serde_json::{json, Value as Json};

/// How serious a finding is. The order is Helm's: INFO < WARNING < ERROR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// Helm's label, as in `[WARNING]`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        }
    }

    fn sarif_level(self) -> &'static str {
        match self {
            Severity::Info => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    fn github_command(self) -> &'static str {
        match self {
            Severity::Info => "notice",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// The rule's stable id (`helm` for Helm's own checks).
    pub rule: &'static str,
    pub severity: Severity,
    /// The file the finding is about, relative to the chart (`templates/deployment.yaml`,
    /// `values.yaml`, `Chart.yaml`).
    pub file: String,
    /// The 1-based line in `file`, when known.
    pub line: Option<usize>,
    /// The values key whose value ended up in the offending field, when it can be traced.
    pub values_key: Option<String>,
    /// The resource the finding is about (`Deployment/web`), for manifest rules.
    pub resource: Option<String>,
    pub message: String,
    /// A hint on how to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        file: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            file: file.into(),
            line: None,
            values_key: None,
            resource: None,
            message: message.into(),
            help: None,
        }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_resource(mut self, resource: impl Into<String>) -> Diagnostic {
        self.resource = Some(resource.into());
        self
    }

    /// The location as `file:line`, or `file`.
    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        }
    }

    /// The message with the resource and values key folded in, for formats with one text field.
    pub fn full_message(&self) -> String {
        let mut text = String::new();
        if let Some(resource) = &self.resource {
            let _ = write!(text, "{resource}: ");
        }
        text.push_str(&self.message);
        if let Some(key) = &self.values_key {
            let _ = write!(text, " (from values key `{key}`)");
        }
        text
    }
}

/// The findings of one chart.
#[derive(Clone, Debug, Default)]
pub struct ChartReport {
    /// The chart path as the user gave it.
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl ChartReport {
    /// Whether the chart fails: any error, or any warning under `--strict`.
    pub fn failed(&self, strict: bool) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error || (strict && d.severity == Severity::Warning))
    }
}

/// Output formats of `chartctl lint --format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Helm's layout (`==> Linting`, `[ERROR] file: message`), chartctl's findings after Helm's
    #[default]
    Text,
    /// One JSON document with every chart's findings
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::message`)
    Github,
}

/// Renders reports as JSON.
pub fn to_json(reports: &[ChartReport], strict: bool) -> String {
    let charts: Vec<Json> = reports
        .iter()
        .map(|r| {
            json!({
                "chart": r.path,
                "failed": r.failed(strict),
                "diagnostics": r.diagnostics.iter().map(|d| json!({
                    "rule": d.rule,
                    "severity": d.severity.label().to_ascii_lowercase(),
                    "file": d.file,
                    "line": d.line,
                    "resource": d.resource,
                    "valuesKey": d.values_key,
                    "message": d.message,
                    "help": d.help,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let failed = reports.iter().filter(|r| r.failed(strict)).count();
    let doc = json!({
        "charts": charts,
        "summary": {"linted": reports.len(), "failed": failed},
    });
    // Serialising a `serde_json::Value` cannot fail.
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// Renders reports as a SARIF 2.1.0 log with one run.
pub fn to_sarif(reports: &[ChartReport], rules: &[(&'static str, &'static str)]) -> String {
    let results: Vec<Json> = reports
        .iter()
        .flat_map(|r| {
            r.diagnostics.iter().map(move |d| {
                let uri = if r.path.is_empty() || r.path == "." {
                    d.file.clone()
                } else {
                    format!("{}/{}", r.path.trim_end_matches('/'), d.file)
                };
                let mut region = json!({});
                if let Some(line) = d.line {
                    region = json!({"startLine": line});
                }
                json!({
                    "ruleId": d.rule,
                    "level": d.severity.sarif_level(),
                    "message": {"text": d.full_message()},
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri},
                            "region": region,
                        }
                    }],
                })
            })
        })
        .collect();
    let rule_docs: Vec<Json> = rules
        .iter()
        .map(|(id, summary)| json!({"id": id, "shortDescription": {"text": summary}}))
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "chartctl",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_docs,
            }},
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// Renders reports as GitHub Actions workflow commands, one line per finding.
pub fn to_github(reports: &[ChartReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for d in &r.diagnostics {
            let file = if r.path.is_empty() || r.path == "." {
                d.file.clone()
            } else {
                format!("{}/{}", r.path.trim_end_matches('/'), d.file)
            };
            let mut props = format!("file={}", escape_property(&file));
            if let Some(line) = d.line {
                let _ = write!(props, ",line={line}");
            }
            let _ = write!(props, ",title={}", escape_property(d.rule));
            let _ = writeln!(
                out,
                "::{} {props}::{}",
                d.severity.github_command(),
                escape_data(&d.full_message())
            );
        }
    }
    out
}

/// GitHub's escaping of a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> ChartReport {
        let mut d = Diagnostic::new(
            "image-tag",
            Severity::Warning,
            "templates/deploy.yaml",
            "image `nginx:latest` uses the `latest` tag",
        )
        .with_resource("Deployment/web");
        d.line = Some(12);
        d.values_key = Some("image.tag".into());
        ChartReport {
            path: "charts/web".into(),
            diagnostics: vec![d],
        }
    }

    #[test]
    fn github_annotations_escape_and_locate() {
        assert_eq!(
            to_github(&[report()]),
            "::warning file=charts/web/templates/deploy.yaml,line=12,title=image-tag::\
             Deployment/web: image `nginx:latest` uses the `latest` tag (from values key `image.tag`)\n"
        );
    }

    #[test]
    fn strict_turns_warnings_into_failures() {
        assert!(!report().failed(false));
        assert!(report().failed(true));
    }

    #[test]
    fn sarif_is_valid_json_with_one_result() {
        let sarif: Json = serde_json::from_str(&to_sarif(&[report()], &[])).unwrap();
        assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "image-tag");
        assert_eq!(
            sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
                ["startLine"],
            12
        );
    }
}
