//! ## What it does
//! Flags containers that declare no resource requests or no resource limits.
//!
//! ## Why is this bad?
//! Without requests the scheduler packs pods blindly and the pod gets the lowest quality of
//! service; without limits one container can starve its neighbours of memory or CPU.
//!
//! ## Example
//! ```yaml
//! resources:            # fine: both present
//!   requests: {cpu: 100m, memory: 128Mi}
//!   limits: {memory: 256Mi}
//! ```

use super::workload::{container_name, containers, get, pod_spec};
use super::{Context, Finding, Rule, RuleInfo};
use crate::gotemplate::value::Value;
use crate::lint::diagnostic::Severity;

pub struct Resources;

static INFO: RuleInfo = RuleInfo {
    id: "resources",
    summary: "containers should declare resource requests and limits",
    severity: Severity::Warning,
};

fn present(v: Option<Value>) -> bool {
    v.is_some_and(|v| v.is_true())
}

impl Rule for Resources {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (i, m) in cx.manifests.iter().enumerate() {
            let Some(pod) = pod_spec(m) else { continue };
            for c in containers(&pod) {
                let requests = present(get(&c, &["resources", "requests"]));
                let limits = present(get(&c, &["resources", "limits"]));
                let missing = match (requests, limits) {
                    (true, true) => continue,
                    (false, false) => "resource requests and limits",
                    (false, true) => "resource requests",
                    (true, false) => "resource limits",
                };
                out.push(
                    Finding::new(
                        i,
                        format!("container `{}` has no {missing}", container_name(&c)),
                    )
                    .help("set `resources.requests` (cpu, memory) and `resources.limits` (memory)"),
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

    #[test]
    fn flags_missing_requests_or_limits() {
        let docs = [deployment(
            "web",
            json!({"containers": [
                {"name": "a", "image": "x:1"},
                {"name": "b", "image": "x:1", "resources": {"limits": {"memory": "1Gi"}}},
                {"name": "c", "image": "x:1", "resources": {}},
            ]}),
        )];
        assert_eq!(
            check(&Resources, &docs),
            vec![
                "container `a` has no resource requests and limits",
                "container `b` has no resource requests",
                "container `c` has no resource requests and limits",
            ]
        );
    }

    #[test]
    fn accepts_both() {
        let docs = [deployment(
            "web",
            json!({"containers": [{"name": "a", "image": "x:1", "resources": {
                "requests": {"cpu": "100m"}, "limits": {"memory": "1Gi"}}}]}),
        )];
        assert!(check(&Resources, &docs).is_empty());
    }
}
