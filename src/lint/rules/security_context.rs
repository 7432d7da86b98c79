//! ## What it does
//! Flags containers that run privileged, that run as root (`runAsUser: 0`), or that may run as
//! root because neither the pod nor the container sets `runAsNonRoot: true` or a non-zero
//! `runAsUser`.
//!
//! ## Why is this bad?
//! A privileged container is root on the node. A container running as root turns any escape
//! from the application into root inside the container, one step from the node.
//!
//! ## Example
//! ```yaml
//! securityContext:
//!   runAsNonRoot: true
//!   allowPrivilegeEscalation: false
//!   capabilities: {drop: [ALL]}
//! ```

use super::workload::{container_name, containers, get, init_containers, pod_spec};
use super::{Context, Finding, Rule, RuleInfo};
use crate::gotemplate::value::Value;
use crate::lint::diagnostic::Severity;

pub struct SecurityContext;

static INFO: RuleInfo = RuleInfo {
    id: "security-context",
    summary: "containers must not run privileged or as root",
    severity: Severity::Warning,
};

fn number(v: Option<Value>) -> Option<f64> {
    match v? {
        Value::Int(i) | Value::Int64(i) => Some(i as f64),
        Value::Uint(u) => Some(u as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

impl Rule for SecurityContext {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (i, m) in cx.manifests.iter().enumerate() {
            let Some(pod) = pod_spec(m) else { continue };
            let pod_non_root = matches!(
                get(&pod, &["securityContext", "runAsNonRoot"]),
                Some(Value::Bool(true))
            );
            let pod_user = number(get(&pod, &["securityContext", "runAsUser"]));
            for c in containers(&pod).iter().chain(init_containers(&pod).iter()) {
                let name = container_name(c);
                if matches!(
                    get(c, &["securityContext", "privileged"]),
                    Some(Value::Bool(true))
                ) {
                    out.push(
                        Finding::new(i, format!("container `{name}` runs privileged"))
                            .severity(Severity::Error)
                            .help("remove `securityContext.privileged: true`; grant only the capabilities the container needs"),
                    );
                    continue;
                }
                let user = number(get(c, &["securityContext", "runAsUser"])).or(pod_user);
                let non_root = match get(c, &["securityContext", "runAsNonRoot"]) {
                    Some(Value::Bool(b)) => b,
                    _ => pod_non_root,
                };
                if user == Some(0.0) {
                    out.push(
                        Finding::new(
                            i,
                            format!("container `{name}` runs as root (`runAsUser: 0`)"),
                        )
                        .help("run as a non-zero user and set `runAsNonRoot: true`"),
                    );
                } else if !non_root && user.is_none() {
                    out.push(
                        Finding::new(
                            i,
                            format!("container `{name}` may run as root: no `runAsNonRoot: true` or `runAsUser`"),
                        )
                        .help("set `securityContext.runAsNonRoot: true` on the pod or the container"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, deployment};
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_privileged_root_and_unset() {
        let docs = [deployment(
            "web",
            json!({"containers": [
                {"name": "p", "image": "x:1", "securityContext": {"privileged": true}},
                {"name": "r", "image": "x:1", "securityContext": {"runAsUser": 0}},
                {"name": "u", "image": "x:1"},
            ]}),
        )];
        assert_eq!(
            check(&SecurityContext, &docs),
            vec![
                "container `p` runs privileged",
                "container `r` runs as root (`runAsUser: 0`)",
                "container `u` may run as root: no `runAsNonRoot: true` or `runAsUser`",
            ]
        );
    }

    #[test]
    fn pod_level_non_root_covers_containers() {
        let docs = [deployment(
            "web",
            json!({"securityContext": {"runAsNonRoot": true, "runAsUser": 1000},
                   "containers": [{"name": "a", "image": "x:1"}]}),
        )];
        assert!(check(&SecurityContext, &docs).is_empty());
    }
}
