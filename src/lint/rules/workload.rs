//! Reading workloads out of manifests: pod templates, containers, labels.

use crate::gotemplate::value::Value;

use super::Manifest;

/// The value at `path` below `v`, through maps only.
pub fn get(v: &Value, path: &[&str]) -> Option<Value> {
    let mut cur = v.clone();
    for key in path {
        let next = match &cur {
            Value::Map(m) => m.borrow().get(*key).cloned(),
            _ => None,
        }?;
        cur = next;
    }
    Some(cur)
}

/// The string at `path` below `v`.
pub fn get_str(v: &Value, path: &[&str]) -> Option<String> {
    match get(v, path)? {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

/// The pod spec of a workload, with the workload's kind: Pod, Deployment, StatefulSet,
/// DaemonSet, ReplicaSet, ReplicationController, Job, CronJob.
pub fn pod_spec(m: &Manifest) -> Option<Value> {
    match m.kind.as_str() {
        "Pod" => get(&m.doc, &["spec"]),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => get(&m.doc, &["spec", "template", "spec"]),
        "CronJob" => get(&m.doc, &["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    }
}

/// The labels of a workload's pod template (a Pod's own labels).
pub fn pod_labels(m: &Manifest) -> Option<Value> {
    match m.kind.as_str() {
        "Pod" => get(&m.doc, &["metadata", "labels"]),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => get(&m.doc, &["spec", "template", "metadata", "labels"]),
        "CronJob" => get(
            &m.doc,
            &[
                "spec",
                "jobTemplate",
                "spec",
                "template",
                "metadata",
                "labels",
            ],
        ),
        _ => None,
    }
}

/// Whether the workload runs for as long as it is deployed (probes make sense), rather than to
/// completion.
pub fn long_running(m: &Manifest) -> bool {
    matches!(
        m.kind.as_str(),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController"
    )
}

/// The `containers` of a pod spec (not init or ephemeral containers).
pub fn containers(pod: &Value) -> Vec<Value> {
    match get(pod, &["containers"]) {
        Some(Value::List(items)) => items.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The `initContainers` of a pod spec.
pub fn init_containers(pod: &Value) -> Vec<Value> {
    match get(pod, &["initContainers"]) {
        Some(Value::List(items)) => items.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

/// A container's name, for messages.
pub fn container_name(c: &Value) -> String {
    match get(c, &["name"]) {
        Some(Value::String(s)) => s.to_string(),
        _ => "<unnamed>".into(),
    }
}

/// A string-to-string map (labels, selectors) as pairs; non-string values are printed as Go
/// would not accept them anyway, so they are skipped.
pub fn string_map(v: Option<Value>) -> Vec<(String, String)> {
    match v {
        Some(Value::Map(m)) => m
            .borrow()
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether every pair of `selector` is among `labels`.
pub fn selects(selector: &[(String, String)], labels: &[(String, String)]) -> bool {
    selector.iter().all(|pair| labels.contains(pair))
}
