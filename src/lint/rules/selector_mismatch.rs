//! ## What it does
//! Flags workloads whose `spec.selector.matchLabels` are not all among the labels of their own
//! pod template.
//!
//! ## Why is this bad?
//! The API server refuses such a Deployment, StatefulSet, DaemonSet or ReplicaSet
//! (`selector does not match template labels`): the install fails at apply time, after CI
//! said the chart was fine.
//!
//! ## Example
//! ```yaml
//! selector: {matchLabels: {app: web}}
//! template: {metadata: {labels: {app: web, tier: front}}}   # fine: app=web is there
//! ```

use super::workload::{get, pod_labels, selects, string_map};
use super::{Context, Finding, Rule, RuleInfo};
use crate::lint::diagnostic::Severity;

pub struct SelectorMismatch;

static INFO: RuleInfo = RuleInfo {
    id: "selector-mismatch",
    summary: "a workload's selector must match its own pod template's labels",
    severity: Severity::Error,
};

impl Rule for SelectorMismatch {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (i, m) in cx.manifests.iter().enumerate() {
            if !matches!(
                m.kind.as_str(),
                "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
            ) {
                continue;
            }
            let selector = string_map(get(&m.doc, &["spec", "selector", "matchLabels"]));
            let labels = string_map(pod_labels(m));
            if selector.is_empty() || selects(&selector, &labels) {
                continue;
            }
            let missing: Vec<String> = selector
                .iter()
                .filter(|p| !labels.contains(p))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            out.push(
                Finding::new(
                    i,
                    format!(
                        "selector label {} is not on the pod template",
                        missing.join(", ")
                    ),
                )
                .help(
                    "the pod template's labels must include every `spec.selector.matchLabels` pair",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::check;
    use super::*;
    use serde_json::json;

    fn deploy(selector: serde_json::Value, labels: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
               "spec": {"selector": {"matchLabels": selector},
                        "template": {"metadata": {"labels": labels},
                                     "spec": {"containers": []}}}})
    }

    #[test]
    fn flags_a_selector_the_template_lacks() {
        let docs = [deploy(json!({"app": "web"}), json!({"app": "api"}))];
        assert_eq!(
            check(&SelectorMismatch, &docs),
            vec!["selector label app=web is not on the pod template"]
        );
    }

    #[test]
    fn accepts_a_subset() {
        let docs = [deploy(
            json!({"app": "web"}),
            json!({"app": "web", "tier": "f"}),
        )];
        assert!(check(&SelectorMismatch, &docs).is_empty());
    }
}
