//! ## What it does
//! Flags containers of long-running workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet)
//! without a liveness probe, and, when a Service of the chart selects their pods, without a
//! readiness probe.
//!
//! ## Why is this bad?
//! Without a readiness probe, a Service sends traffic to a pod before it can serve and during a
//! rollout Kubernetes cannot tell a broken new version from a working one; without a liveness
//! probe a hung process is never restarted. Pods no Service selects (queue workers) receive no
//! traffic, so readiness does not apply to them.
//!
//! ## Example
//! ```yaml
//! readinessProbe: {httpGet: {path: /health, port: http}}
//! livenessProbe: {httpGet: {path: /health, port: http}}
//! ```

use super::workload::{
    container_name, containers, get, long_running, pod_labels, pod_spec, selects, string_map,
};
use super::{Context, Finding, Rule, RuleInfo};
use crate::lint::diagnostic::Severity;

pub struct Probes;

static INFO: RuleInfo = RuleInfo {
    id: "probes",
    summary: "long-running containers should have liveness and readiness probes",
    severity: Severity::Warning,
};

impl Rule for Probes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let selectors: Vec<Vec<(String, String)>> = cx
            .manifests
            .iter()
            .filter(|m| m.kind == "Service")
            .map(|m| string_map(get(&m.doc, &["spec", "selector"])))
            .filter(|s| !s.is_empty())
            .collect();
        for (i, m) in cx.manifests.iter().enumerate() {
            if !long_running(m) {
                continue;
            }
            let Some(pod) = pod_spec(m) else { continue };
            let labels = string_map(pod_labels(m));
            let served = selectors.iter().any(|s| selects(s, &labels));
            for c in containers(&pod) {
                let liveness = get(&c, &["livenessProbe"]).is_some_and(|p| p.is_true());
                let readiness =
                    !served || get(&c, &["readinessProbe"]).is_some_and(|p| p.is_true());
                let missing = match (liveness, readiness) {
                    (true, true) => continue,
                    (false, false) => "liveness and readiness probes",
                    (false, true) => "liveness probe",
                    (true, false) => "readiness probe",
                };
                out.push(
                    Finding::new(
                        i,
                        format!("container `{}` has no {missing}", container_name(&c)),
                    )
                    .help("add `livenessProbe` and `readinessProbe` to the container"),
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

    fn service(app: &str) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": app},
               "spec": {"selector": {"app": app}, "ports": [{"port": 80}]}})
    }

    #[test]
    fn flags_missing_probes_on_deployments() {
        let docs = [
            deployment(
                "web",
                json!({"containers": [{"name": "a", "image": "x:1",
                    "readinessProbe": {"tcpSocket": {"port": 80}}}]}),
            ),
            deployment(
                "api",
                json!({"containers": [{"name": "b", "image": "x:1"}]}),
            ),
            service("api"),
        ];
        assert_eq!(
            check(&Probes, &docs),
            vec![
                "container `a` has no liveness probe",
                "container `b` has no liveness and readiness probes",
            ]
        );
    }

    #[test]
    fn readiness_is_not_asked_of_pods_no_service_selects() {
        let worker = deployment(
            "worker",
            json!({"containers": [{"name": "w", "image": "x:1",
                "livenessProbe": {"exec": {"command": ["true"]}}}]}),
        );
        assert!(check(&Probes, &[worker, service("web")]).is_empty());
    }

    #[test]
    fn ignores_jobs_and_probed_containers() {
        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
            "spec": {"template": {"spec": {"containers": [{"name": "m", "image": "x:1"}]}}}});
        let probed = deployment(
            "web",
            json!({"containers": [{"name": "a", "image": "x:1",
                "readinessProbe": {"tcpSocket": {"port": 80}},
                "livenessProbe": {"tcpSocket": {"port": 80}}}]}),
        );
        assert!(check(&Probes, &[job, probed]).is_empty());
    }
}
