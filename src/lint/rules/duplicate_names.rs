//! ## What it does
//! Flags two resources of the same kind with the same name in the same namespace.
//!
//! ## Why is this bad?
//! The second overwrites the first when applied (or the install fails with "already exists"):
//! one of them silently never takes effect.
//!
//! ## Example
//! Two templates that both render `kind: ConfigMap`, `name: app-config`.

use std::collections::HashMap;

use super::{Context, Finding, Rule, RuleInfo};
use crate::lint::diagnostic::Severity;

pub struct DuplicateNames;

static INFO: RuleInfo = RuleInfo {
    id: "duplicate-resource",
    summary: "no two resources may share kind, namespace and name",
    severity: Severity::Error,
};

/// The API group of an `apiVersion` (`apps` of `apps/v1`, empty for the core group).
fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

impl Rule for DuplicateNames {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut seen: HashMap<(&str, &str, &str, &str), usize> = HashMap::new();
        for (i, m) in cx.manifests.iter().enumerate() {
            if m.name.is_empty() || m.kind.is_empty() {
                continue;
            }
            let key = (
                group(&m.api_version),
                m.kind.as_str(),
                m.namespace.as_str(),
                m.name.as_str(),
            );
            if let Some(&first) = seen.get(&key) {
                out.push(
                    Finding::new(
                        i,
                        format!(
                            "{} `{}` is also defined in {}",
                            m.kind, m.name, cx.manifests[first].file
                        ),
                    )
                    .help("give each resource a unique name (include the release name)"),
                );
            } else {
                seen.insert(key, i);
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
    fn flags_the_second_definition() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        assert_eq!(
            check(&DuplicateNames, &[cm.clone(), cm]),
            vec!["ConfigMap `c` is also defined in templates/0.yaml"]
        );
    }

    #[test]
    fn distinguishes_kinds_and_namespaces() {
        let docs = [
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "c"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "x"}}),
        ];
        assert!(check(&DuplicateNames, &docs).is_empty());
    }
}
