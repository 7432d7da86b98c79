//! ## What it does
//! Flags HorizontalPodAutoscalers whose `scaleTargetRef` names a Deployment, StatefulSet or
//! ReplicaSet the chart does not render.
//!
//! ## Why is this bad?
//! The autoscaler scales nothing: usually the workload was renamed or disabled while its HPA
//! stayed on.
//!
//! ## Example
//! ```yaml
//! scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}  # web must exist
//! ```

use super::workload::get_str;
use super::{Context, Finding, Rule, RuleInfo};
use crate::lint::diagnostic::Severity;

pub struct HpaTarget;

static INFO: RuleInfo = RuleInfo {
    id: "hpa-target",
    summary: "an autoscaler must target a workload the chart renders",
    severity: Severity::Warning,
};

impl Rule for HpaTarget {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (i, m) in cx.manifests.iter().enumerate() {
            if m.kind != "HorizontalPodAutoscaler" {
                continue;
            }
            let kind = get_str(&m.doc, &["spec", "scaleTargetRef", "kind"]).unwrap_or_default();
            let name = get_str(&m.doc, &["spec", "scaleTargetRef", "name"]).unwrap_or_default();
            if !matches!(kind.as_str(), "Deployment" | "StatefulSet" | "ReplicaSet") {
                // Other scalable kinds (custom resources) may live outside the chart.
                continue;
            }
            let exists = cx
                .manifests
                .iter()
                .any(|t| t.kind == kind && t.name == name && t.namespace == m.namespace);
            if !exists {
                out.push(
                    Finding::new(i, format!("scaleTargetRef {kind} `{name}` is not rendered by the chart"))
                        .help("point `spec.scaleTargetRef` at a workload of the chart, or disable the autoscaler with it"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, deployment};
    use super::*;
    use serde_json::json;

    fn hpa(target: &str) -> serde_json::Value {
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
               "metadata": {"name": "h"},
               "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
                        "maxReplicas": 3}})
    }

    #[test]
    fn flags_a_missing_target() {
        let docs = [deployment("web", json!({"containers": []})), hpa("api")];
        assert_eq!(
            check(&HpaTarget, &docs),
            vec!["scaleTargetRef Deployment `api` is not rendered by the chart"]
        );
    }

    #[test]
    fn accepts_an_existing_target() {
        let docs = [deployment("web", json!({"containers": []})), hpa("web")];
        assert!(check(&HpaTarget, &docs).is_empty());
    }
}
