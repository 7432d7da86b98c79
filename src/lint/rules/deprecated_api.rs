//! ## What it does
//! Flags resources whose `apiVersion` is deprecated, or already removed, in the target
//! Kubernetes version (`--kube-version`, default the Helm version's default).
//!
//! ## Why is this bad?
//! A removed API is refused by the cluster: the install fails. A deprecated one works until the
//! next upgrade of the cluster removes it.
//!
//! ## Example
//! ```yaml
//! apiVersion: policy/v1beta1   # removed in 1.25: use policy/v1
//! kind: PodDisruptionBudget
//! ```

use super::deprecations::{DEPRECATIONS, EXTENSION_DEPRECATIONS};
use super::{Context, Finding, Rule, RuleInfo};
use crate::lint::diagnostic::Severity;

pub struct DeprecatedApi;

static INFO: RuleInfo = RuleInfo {
    id: "deprecated-api",
    summary: "resources must not use API versions deprecated or removed in the target Kubernetes",
    severity: Severity::Warning,
};

impl Rule for DeprecatedApi {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (i, m) in cx.manifests.iter().enumerate() {
            let Some(&(api, kind, deprecated, removed, replacement)) = DEPRECATIONS
                .iter()
                .chain(EXTENSION_DEPRECATIONS)
                .find(|(a, k, ..)| *a == m.api_version && *k == m.kind)
            else {
                continue;
            };
            let use_instead = if replacement.is_empty() {
                String::new()
            } else {
                format!("; use {replacement}")
            };
            if cx.kube_minor >= removed {
                out.push(
                    Finding::new(
                        i,
                        format!(
                            "{api} {kind} was removed in v1.{removed} (target v1.{}){use_instead}",
                            cx.kube_minor
                        ),
                    )
                    .severity(Severity::Error),
                );
            } else if cx.kube_minor >= deprecated {
                out.push(Finding::new(
                    i,
                    format!("{api} {kind} is deprecated in v1.{deprecated}+, unavailable in v1.{removed}+{use_instead}"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::check;
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_removed_apis() {
        let docs = [
            json!({"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget",
                           "metadata": {"name": "p"}}),
        ];
        assert_eq!(
            check(&DeprecatedApi, &docs),
            vec!["policy/v1beta1 PodDisruptionBudget was removed in v1.25 (target v1.35); use policy/v1 PodDisruptionBudget"]
        );
    }

    #[test]
    fn accepts_current_apis() {
        let docs = [
            json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                           "metadata": {"name": "p"}}),
        ];
        assert!(check(&DeprecatedApi, &docs).is_empty());
    }
}
