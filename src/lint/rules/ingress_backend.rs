//! ## What it does
//! Flags Ingress backends (default backend and every path) naming a Service the chart does not
//! render, when the chart renders Services.
//!
//! ## Why is this bad?
//! The ingress controller answers 503 for that path: a typo in a service name ships a broken
//! route.
//!
//! ## Example
//! ```yaml
//! backend: {service: {name: web, port: {name: http}}}   # a Service `web` must exist
//! ```

use super::workload::{get, get_str};
use super::{Context, Finding, Rule, RuleInfo};
use crate::gotemplate::value::Value;
use crate::lint::diagnostic::Severity;

pub struct IngressBackend;

static INFO: RuleInfo = RuleInfo {
    id: "ingress-backend",
    summary: "an Ingress must route to Services the chart renders",
    severity: Severity::Warning,
};

/// The service a backend names: `service.name` (networking.k8s.io/v1) or `serviceName`
/// (the beta APIs).
fn backend_service(backend: &Value) -> Option<String> {
    get_str(backend, &["service", "name"]).or_else(|| get_str(backend, &["serviceName"]))
}

impl Rule for IngressBackend {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let services: Vec<(&str, &str)> = cx
            .manifests
            .iter()
            .filter(|m| m.kind == "Service")
            .map(|m| (m.namespace.as_str(), m.name.as_str()))
            .collect();
        if services.is_empty() {
            return;
        }
        for (i, m) in cx.manifests.iter().enumerate() {
            if m.kind != "Ingress" {
                continue;
            }
            let mut backends = Vec::new();
            if let Some(b) = get(&m.doc, &["spec", "defaultBackend"])
                .or_else(|| get(&m.doc, &["spec", "backend"]))
            {
                backends.push(b);
            }
            if let Some(Value::List(rules)) = get(&m.doc, &["spec", "rules"]) {
                for rule in rules.iter() {
                    if let Some(Value::List(paths)) = get(rule, &["http", "paths"]) {
                        backends.extend(paths.iter().filter_map(|p| get(p, &["backend"])));
                    }
                }
            }
            let mut reported = Vec::new();
            for b in backends {
                let Some(name) = backend_service(&b) else {
                    continue;
                };
                if services.contains(&(m.namespace.as_str(), name.as_str()))
                    || reported.contains(&name)
                {
                    continue;
                }
                out.push(
                    Finding::new(
                        i,
                        format!("backend Service `{name}` is not rendered by the chart"),
                    )
                    .help("name a Service of the chart in the Ingress backend"),
                );
                reported.push(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::check;
    use super::*;
    use serde_json::json;

    fn docs(backend: &str) -> Vec<serde_json::Value> {
        vec![
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {}}),
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
                   "spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix",
                       "backend": {"service": {"name": backend, "port": {"number": 80}}}}]}}]}}),
        ]
    }

    #[test]
    fn flags_an_unknown_service() {
        assert_eq!(
            check(&IngressBackend, &docs("api")),
            vec!["backend Service `api` is not rendered by the chart"]
        );
    }

    #[test]
    fn accepts_a_known_service() {
        assert!(check(&IngressBackend, &docs("web")).is_empty());
    }
}
