//! ## What it does
//! Flags Services whose selector matches the pod template of no workload in the chart, when
//! the chart has workloads.
//!
//! Selector labels that no pod template of the chart carries are left out of the match: they
//! are set at run time (by a controller, as `statefulset.kubernetes.io/pod-name`, or by the
//! application, as Vault's `vault-active` or a leader-election label), or they select pods the
//! chart does not make (cluster components a monitoring chart scrapes). A Service whose
//! selector is made only of such labels is not checked, and neither is any Service of a chart
//! that renders custom resources, since an operator may create pods from them (the
//! `Prometheus` and `Alertmanager` resources of a monitoring stack).
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
        if pods.is_empty() || cx.manifests.iter().any(is_custom_resource) {
            // The chart runs nothing itself, or an operator may make pods from its custom
            // resources: its Services may front pods no template of the chart describes.
            return;
        }
        let keys: std::collections::HashSet<&str> = pods
            .iter()
            .flat_map(|labels| labels.iter().map(|(k, _)| k.as_str()))
            .collect();
        for (i, m) in cx.manifests.iter().enumerate() {
            if m.kind != "Service" {
                continue;
            }
            let selector = string_map(get(&m.doc, &["spec", "selector"]));
            let templated: Vec<(String, String)> = selector
                .iter()
                .filter(|(k, _)| keys.contains(k.as_str()))
                .cloned()
                .collect();
            if templated.is_empty() || pods.iter().any(|labels| selects(&templated, labels)) {
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

/// A resource of an API group that is neither built in (`apps`, `batch`, ...) nor one of
/// Kubernetes' own `*.k8s.io` groups.
fn is_custom_resource(m: &super::Manifest) -> bool {
    match m.api_version.rsplit_once('/') {
        Some((group, _)) => group.contains('.') && !group.ends_with(".k8s.io"),
        None => false,
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
    fn labels_no_pod_template_carries_are_left_out() {
        // `vault-active` is set by the application at run time.
        let docs = [
            deployment("web", json!({"containers": []})),
            service(json!({"app": "web", "vault-active": "true"})),
            service(json!({"k8s-app": "kube-dns"})),
        ];
        assert!(check(&ServiceSelector, &docs).is_empty());
        let docs = [
            deployment("web", json!({"containers": []})),
            service(json!({"app": "api", "vault-active": "true"})),
        ];
        assert_eq!(
            check(&ServiceSelector, &docs),
            vec!["selector app=api,vault-active=true matches no pod template in the chart"]
        );
    }

    #[test]
    fn charts_with_custom_resources_are_not_checked() {
        let docs = [
            deployment("web", json!({"containers": []})),
            json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus",
                   "metadata": {"name": "p"}}),
            service(json!({"app": "web", "prometheus": "p"})),
            service(json!({"app": "prometheus"})),
        ];
        assert!(check(&ServiceSelector, &docs).is_empty());
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
