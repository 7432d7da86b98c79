//! ## What it does
//! Flags Services whose selector matches the pod template of no workload in the chart, when
//! the chart has workloads.
//!
//! ## Why is this bad?
//! Such a Service has no endpoints: every request to it fails, typically after a label was
//! renamed on one side only.
//!
//! ## Example
//! ```yaml
//! kind: Service
//! spec: {selector: {app: web}}   # fine when a Deployment's pods carry app=web
//! ```

use super::workload::{get, pod_labels, pod_spec, selects, string_map};
use super::{Context, Finding, Rule, RuleInfo};
use crate::lint::diagnostic::Severity;

pub struct ServiceSelector;

static INFO: RuleInfo = RuleInfo {
    id: "service-selector",
    summary: "a Service's selector should match the pods of a workload in the chart",
    severity: Severity::Warning,
};

impl Rule for ServiceSelector {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let pods: Vec<Vec<(String, String)>> = cx
            .manifests
            .iter()
            .filter(|m| pod_spec(m).is_some())
            .map(|m| string_map(pod_labels(m)))
            .collect();
        if pods.is_empty() {
            // The chart runs nothing itself: its Services may front pods deployed elsewhere.
            return;
        }
        for (i, m) in cx.manifests.iter().enumerate() {
            if m.kind != "Service" {
                continue;
            }
            let selector = string_map(get(&m.doc, &["spec", "selector"]));
            if selector.is_empty() || pods.iter().any(|labels| selects(&selector, labels)) {
                continue;
            }
            let text: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push(
                Finding::new(
                    i,
                    format!(
                        "selector {} matches no pod template in the chart",
                        text.join(",")
                    ),
                )
                .help("make the Service's `spec.selector` a subset of a workload's pod labels"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, deployment};
    use super::*;
    use serde_json::json;

    fn service(selector: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
               "spec": {"selector": selector, "ports": [{"port": 80}]}})
    }

    #[test]
    fn flags_a_service_selecting_nothing() {
        let docs = [
            deployment("web", json!({"containers": []})),
            service(json!({"app": "api"})),
        ];
        assert_eq!(
            check(&ServiceSelector, &docs),
            vec!["selector app=api matches no pod template in the chart"]
        );
    }

    #[test]
    fn accepts_a_matching_service() {
        let docs = [
            deployment("web", json!({"containers": []})),
            service(json!({"app": "web"})),
        ];
        assert!(check(&ServiceSelector, &docs).is_empty());
    }
}
