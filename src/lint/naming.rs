//! Kubernetes' object-name rules as `helm lint` applies them (`metadata.name` by kind), with
//! the apimachinery validation texts.

const DNS1123_SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_LABEL: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/// The k8s part of Helm's naming warning for `name` of a `kind` (matched case-insensitively),
/// or `None` when the name is valid: `metadata.name: Invalid value: "<name>": <msg>`, several
/// messages as a bracketed list.
pub fn validate_name(kind: &str, name: &str) -> Option<String> {
    let msgs = match kind.to_ascii_lowercase().as_str() {
        "service" => dns1035_label(name),
        "namespace" => dns1123_label(name),
        "certificatesigningrequest" => Vec::new(),
        "role" | "clusterrole" | "rolebinding" | "clusterrolebinding" => path_segment(name),
        _ => dns1123_subdomain(name),
    };
    let quoted = crate::chart::metadata::go_quote(name);
    let errs: Vec<String> = msgs
        .iter()
        .map(|m| format!("metadata.name: Invalid value: {quoted}: {m}"))
        .collect();
    match errs.len() {
        0 => None,
        1 => errs.into_iter().next(),
        _ => Some(format!("[{}]", errs.join(", "))),
    }
}

fn is_label(s: &str, first_alpha: bool) -> bool {
    let b = s.as_bytes();
    let ok = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-';
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => {
            b.iter().all(|&c| ok(c))
                && f != b'-'
                && l != b'-'
                && (!first_alpha || f.is_ascii_lowercase())
        }
        _ => false,
    }
}

fn dns1123_subdomain(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if name.len() > 253 {
        out.push("must be no more than 253 characters".to_string());
    }
    if !name.split('.').all(|p| is_label(p, false)) {
        out.push(DNS1123_SUBDOMAIN.to_string());
    }
    out
}

fn dns1123_label(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if name.len() > 63 {
        out.push("must be no more than 63 characters".to_string());
    }
    if !is_label(name, false) {
        // Kubernetes names the problem when the name would be a valid subdomain.
        if name.len() <= 63 && name.split('.').all(|p| is_label(p, false)) {
            out.push("must not contain dots".to_string());
        } else {
            out.push(DNS1123_LABEL.to_string());
        }
    }
    out
}

fn dns1035_label(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if name.len() > 63 {
        out.push("must be no more than 63 characters".to_string());
    }
    if !is_label(name, true) {
        out.push(DNS1035_LABEL.to_string());
    }
    out
}

fn path_segment(name: &str) -> Vec<String> {
    if name == "." || name == ".." {
        return vec![format!("may not be '{name}'")];
    }
    let mut out = Vec::new();
    for bad in ["/", "%"] {
        if name.contains(bad) {
            out.push(format!("may not contain '{bad}'"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_pick_their_rule() {
        assert!(validate_name("Deployment", "web.v1").is_none());
        assert!(validate_name("Service", "web.v1").is_some());
        assert!(validate_name("Namespace", "a.b").is_some());
        assert!(validate_name("ClusterRole", "system:read").is_none());
        assert!(validate_name("ClusterRole", "a/b").is_some());
        assert!(validate_name("Pod", "").is_some());
    }

    #[test]
    fn several_problems_are_listed() {
        let long = "A".repeat(64);
        let msg = validate_name("Service", &long).unwrap();
        assert!(msg.starts_with("[metadata.name"), "{msg}");
    }
}
