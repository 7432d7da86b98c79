//! The text layout of `chartctl lint`, which is `helm lint`'s: per chart `==> Linting <path>`,
//! Helm's `[SEVERITY] path: message` lines, then chartctl's findings in the same style with a
//! location (`[ERROR] templates/deploy.yaml:12: Deployment/web: message (rule-id)`), then an
//! empty line; the summary `N chart(s) linted, M chart(s) failed` follows.
//!
//! With `--helm-only` chartctl adds nothing, so the output is byte for byte Helm's.

use std::fmt::Write as _;

use super::diagnostic::{ChartReport, Diagnostic, Severity};
use super::run::ChartResult;

/// Helm's rule id in machine formats.
pub const HELM_RULE: &str = "helm";

/// The text report of `results`: what goes to stdout, and the summary (for stdout on success,
/// for `Error: ` on stderr on failure). `None` summary: nothing to say (`--quiet`, all clean).
pub fn text(
    results: &[ChartResult],
    strict: bool,
    quiet: bool,
    heading: Option<&str>,
) -> (String, Option<String>, bool) {
    let mut out = String::new();
    let mut failed = 0;
    let mut noisy = 0;
    for r in results {
        let loud = r.has_warnings_or_errors();
        if loud {
            noisy += 1;
        }
        if r.failed(strict) {
            failed += 1;
        }
        if quiet && !loud {
            continue;
        }
        match heading {
            Some(h) => {
                let _ = writeln!(out, "==> Linting {} ({h})", r.path);
            }
            None => {
                let _ = writeln!(out, "==> Linting {}", r.path);
            }
        }
        if let Some(e) = &r.unlintable {
            let _ = writeln!(out, "Error {e}");
        }
        for m in &r.helm {
            if !quiet || m.severity > Severity::Info {
                let _ = writeln!(out, "[{}] {}: {}", m.severity.label(), m.path, m.text);
            }
        }
        for d in &r.own {
            if !quiet || d.severity > Severity::Info {
                let _ = writeln!(
                    out,
                    "[{}] {}: {} ({})",
                    d.severity.label(),
                    d.location(),
                    d.full_message(),
                    d.rule
                );
                if let Some(help) = &d.help {
                    let _ = writeln!(out, "  hint: {help}");
                }
            }
        }
        out.push('\n');
    }
    let summary = format!(
        "{} chart(s) linted, {failed} chart(s) failed",
        results.len()
    );
    let failed_any = failed > 0;
    let summary = if failed_any || !quiet || noisy > 0 {
        Some(summary)
    } else {
        None
    };
    (out, summary, failed_any)
}

/// The results as the machine formats' model: Helm's messages become diagnostics of rule
/// [`HELM_RULE`].
pub fn to_reports(results: &[ChartResult], label: Option<&str>) -> Vec<ChartReport> {
    results
        .iter()
        .map(|r| {
            let mut diagnostics = Vec::new();
            if let Some(e) = &r.unlintable {
                diagnostics.push(Diagnostic::new(HELM_RULE, Severity::Error, "", e.clone()));
            }
            for m in &r.helm {
                diagnostics.push(Diagnostic::new(
                    HELM_RULE,
                    m.severity,
                    m.path.clone(),
                    m.text.clone(),
                ));
            }
            diagnostics.extend(r.own.iter().cloned());
            ChartReport {
                path: match label {
                    Some(l) => format!("{} ({l})", r.path),
                    None => r.path.clone(),
                },
                diagnostics,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::helm::Message;

    fn result() -> ChartResult {
        let mut own = Diagnostic::new(
            "probes",
            Severity::Warning,
            "templates/web.yaml",
            "no probes",
        )
        .with_resource("Deployment/web")
        .with_help("add probes");
        own.line = Some(4);
        ChartResult {
            path: "chart".into(),
            helm: vec![Message {
                severity: Severity::Info,
                path: "Chart.yaml".into(),
                text: "icon is recommended".into(),
            }],
            own: vec![own],
            ..ChartResult::default()
        }
    }

    #[test]
    fn helm_block_then_own_findings() {
        let (out, summary, failed) = text(&[result()], false, false, None);
        assert_eq!(
            out,
            "==> Linting chart\n\
             [INFO] Chart.yaml: icon is recommended\n\
             [WARNING] templates/web.yaml:4: Deployment/web: no probes (probes)\n  hint: add probes\n\n"
        );
        assert_eq!(
            summary.as_deref(),
            Some("1 chart(s) linted, 0 chart(s) failed")
        );
        assert!(!failed);
    }

    #[test]
    fn strict_fails_on_own_warnings_and_quiet_hides_info() {
        let (out, _, failed) = text(&[result()], true, true, Some("dev"));
        assert!(failed);
        assert!(
            out.starts_with("==> Linting chart (dev)\n[WARNING]"),
            "{out}"
        );
        assert!(!out.contains("[INFO]"));
    }

    #[test]
    fn quiet_and_clean_prints_nothing() {
        let clean = ChartResult {
            path: "chart".into(),
            ..ChartResult::default()
        };
        let (out, summary, failed) = text(&[clean], false, true, None);
        assert!(out.is_empty() && summary.is_none() && !failed);
    }
}
