//! `.Capabilities`: the Kubernetes version (default or `--kube-version`, parsed as each Helm
//! version parses it), the API versions (each Helm's built-in list plus `--api-versions`) and
//! the Helm build information.

use std::any::Any;
use std::rc::Rc;

use crate::gotemplate::value::{json_map, Field, Object, Value};
use crate::Compat;

/// Helm v4.3.1's default API versions (k8s.io/client-go v0.37), in its order.
const API_VERSIONS_HELM4: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "lifecycle.k8s.io/v1alpha1",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// Helm v3.17.3's default API versions (k8s.io/client-go v0.32), in its order.
const API_VERSIONS_HELM3: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// The default API versions of a Helm version.
pub fn default_api_versions(compat: Compat) -> &'static [&'static str] {
    match compat {
        Compat::Helm4 => API_VERSIONS_HELM4,
        Compat::Helm3 => API_VERSIONS_HELM3,
    }
}

/// `.Capabilities.KubeVersion`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeVersion {
    /// The full version (`.Version`, `.GitVersion`), e.g. `v1.30.2-gke.1`.
    pub version: String,
    /// What `String()` prints and kubeVersion constraints are checked against: Helm 4 drops
    /// pre-release and build parts (`v1.30.2`); Helm 3 prints the full version.
    pub normalized: String,
    pub major: String,
    pub minor: String,
    /// Which Helm's type this is: Helm 4's has an unexported `normalizedVersion` field.
    pub compat: Compat,
}

impl KubeVersion {
    /// The version `helm template` assumes when `--kube-version` is not given.
    pub fn default_for(compat: Compat) -> KubeVersion {
        let (version, minor) = match compat {
            Compat::Helm4 => ("v1.37.0", "37"),
            Compat::Helm3 => ("v1.32.0", "32"),
        };
        KubeVersion {
            version: version.into(),
            normalized: version.into(),
            major: "1".into(),
            minor: minor.into(),
            compat,
        }
    }

    /// Parses `--kube-version` as the Helm version does; the error is Helm's text after
    /// `invalid kube version '<v>': `.
    pub fn parse(input: &str, compat: Compat) -> Result<KubeVersion, String> {
        match compat {
            Compat::Helm4 => parse_generic(input),
            Compat::Helm3 => parse_semver(input),
        }
    }
}

/// Helm 4: Kubernetes' `version.ParseGeneric` (at least two numeric components; anything after
/// them ignored), keeping the input as the full version.
fn parse_generic(input: &str) -> Result<KubeVersion, String> {
    let unparsable = || format!("could not parse {input:?} as version");
    // Go's `\s`: ASCII space, tab, newline, form feed, carriage return.
    let rest = input.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    // The numeric part: digits separated by single dots.
    let mut end = 0;
    let bytes = rest.as_bytes();
    loop {
        let start = end;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        if end == start {
            if start == 0 {
                return Err(unparsable());
            }
            // A trailing dot belongs to the ignored rest.
            end = start - 1;
            break;
        }
        if end < bytes.len() && bytes[end] == b'.' {
            end += 1;
            continue;
        }
        break;
    }
    let numbers = &rest[..end];
    let components: Vec<&str> = numbers.split('.').collect();
    if components.len() < 2 {
        return Err(format!("illegal version string {input:?}"));
    }
    let mut values = Vec::with_capacity(components.len());
    for (i, comp) in components.iter().enumerate() {
        if i == 0 && comp.starts_with('0') && *comp != "0" {
            return Err(format!(
                "illegal zero-prefixed version component {comp:?} in {input:?}"
            ));
        }
        let n: u64 = comp.parse().map_err(|_| {
            format!(
                "illegal non-numeric version component {comp:?} in {input:?}: strconv.ParseUint: parsing {comp:?}: value out of range"
            )
        })?;
        values.push(n);
    }
    let normalized = values
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".");
    let version = if input.starts_with('v') {
        input.to_string()
    } else {
        format!("v{input}")
    };
    Ok(KubeVersion {
        version,
        normalized: format!("v{normalized}"),
        major: values[0].to_string(),
        minor: values[1].to_string(),
        compat: Compat::Helm4,
    })
}

/// Helm 3: Masterminds semver's lenient `NewVersion` (missing minor and patch are 0).
fn parse_semver(input: &str) -> Result<KubeVersion, String> {
    const INVALID: &str = "Invalid Semantic Version";
    let rest = input.strip_prefix('v').unwrap_or(input);
    let (core, metadata) = match rest.split_once('+') {
        Some((c, m)) => (c, Some(m)),
        None => (rest, None),
    };
    let (numbers, pre) = match core.split_once('-') {
        Some((n, p)) => (n, Some(p)),
        None => (core, None),
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    let ident_ok = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    };
    if parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        || pre.is_some_and(|p| !ident_ok(p))
        || metadata.is_some_and(|m| !ident_ok(m))
    {
        return Err(INVALID.into());
    }
    let mut nums = [0u64; 3];
    for (i, p) in parts.iter().enumerate() {
        nums[i] = p.parse().map_err(|_| {
            format!(
                "Error parsing version segment: strconv.ParseUint: parsing {p:?}: value out of range"
            )
        })?;
    }
    if let Some(pre) = pre {
        for seg in pre.split('.') {
            if seg.len() > 1 && seg.starts_with('0') && seg.bytes().all(|b| b.is_ascii_digit()) {
                return Err("Version segment starts with 0".into());
            }
        }
    }
    let mut version = format!("v{}.{}.{}", nums[0], nums[1], nums[2]);
    if let Some(pre) = pre {
        version.push('-');
        version.push_str(pre);
    }
    if let Some(m) = metadata {
        version.push('+');
        version.push_str(m);
    }
    Ok(KubeVersion {
        normalized: version.clone(),
        version,
        major: nums[0].to_string(),
        minor: nums[1].to_string(),
        compat: Compat::Helm3,
    })
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        match self.compat {
            Compat::Helm4 => "common.KubeVersion",
            Compat::Helm3 => "chartutil.KubeVersion",
        }
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::str(&self.version)),
            "Major" => Some(Value::str(&self.major)),
            "Minor" => Some(Value::str(&self.minor)),
            "GitVersion" => Some(Value::str(&self.version)),
            "String" => Some(Value::str(&self.normalized)),
            _ => None,
        }
    }

    fn format(&self) -> String {
        self.normalized.clone()
    }

    fn fields(&self) -> Option<Vec<Field>> {
        let mut fields = vec![Field::plain("Version", Value::str(&self.version))];
        if self.compat == Compat::Helm4 {
            fields.push(Field::plain(
                "normalizedVersion",
                Value::str(&self.normalized),
            ));
        }
        fields.push(Field::plain("Major", Value::str(&self.major)));
        fields.push(Field::plain("Minor", Value::str(&self.minor)));
        Some(fields)
    }

    fn pointer_string(&self) -> Option<String> {
        Some(self.normalized.clone())
    }

    fn to_data(&self) -> Value {
        json_map(self.fields().unwrap_or_default())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities.APIVersions`: a Go `[]string` type with a `Has` method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionSet {
    pub versions: Vec<String>,
    pub compat: Compat,
}

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        match self.compat {
            Compat::Helm4 => "common.VersionSet",
            Compat::Helm3 => "chartutil.VersionSet",
        }
    }

    fn kind_name(&self) -> &'static str {
        "slice"
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        match (name, args) {
            ("Has", [Value::String(s)]) => {
                Ok(Value::Bool(self.versions.iter().any(|v| **v == **s)))
            }
            ("Has", [_]) => Err("wrong type for value; expected string".into()),
            ("Has", _) => Err(format!(
                "wrong number of args for Has: want 1 got {}",
                args.len()
            )),
            _ => Err(format!("{name} is not a method")),
        }
    }

    fn format(&self) -> String {
        format!("[{}]", self.versions.join(" "))
    }

    fn to_data(&self) -> Value {
        Value::list(self.versions.iter().map(|v| Value::str(v)).collect())
    }

    fn is_true(&self) -> bool {
        !self.versions.is_empty()
    }

    fn range_entries(&self) -> Option<Vec<(Value, Value)>> {
        Some(
            self.versions
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::Int(i as i64), Value::str(v)))
                .collect(),
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities.HelmVersion`: Helm's `version.BuildInfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelmVersion {
    pub compat: Compat,
}

impl HelmVersion {
    /// (Go field name, JSON name, value) of each field.
    fn build_info(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        match self.compat {
            Compat::Helm4 => vec![
                ("Version", "version", "v4.3.1"),
                (
                    "GitCommit",
                    "git_commit",
                    "c0d08d0d6d9424d4a14febb5e8a3e51b0dd00dff",
                ),
                ("GitTreeState", "git_tree_state", "clean"),
                ("GoVersion", "go_version", "go1.27.2"),
                ("KubeClientVersion", "kube_client_version", "v1.37"),
            ],
            Compat::Helm3 => vec![
                ("Version", "version", "v3.17.3"),
                (
                    "GitCommit",
                    "git_commit",
                    "e4da49785aa6e6ee2b86efd5dd9e43400318262b",
                ),
                ("GitTreeState", "git_tree_state", "clean"),
                ("GoVersion", "go_version", "go1.23.7"),
            ],
        }
    }
}

impl Object for HelmVersion {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }

    fn field(&self, name: &str) -> Option<Value> {
        self.build_info()
            .into_iter()
            .find(|(go, _, _)| *go == name)
            .map(|(_, _, v)| Value::str(v))
    }

    fn format(&self) -> String {
        let values: Vec<&str> = self.build_info().into_iter().map(|(_, _, v)| v).collect();
        format!("{{{}}}", values.join(" "))
    }

    fn fields(&self) -> Option<Vec<Field>> {
        Some(
            self.build_info()
                .into_iter()
                // Every field but `KubeClientVersion` is `omitempty`.
                .map(|(go, json, v)| {
                    Field::tagged(go, Value::str(v), json, go != "KubeClientVersion")
                })
                .collect(),
        )
    }

    fn to_data(&self) -> Value {
        json_map(self.fields().unwrap_or_default())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities` (a `*Capabilities` in Go).
#[derive(Clone)]
pub struct Capabilities {
    pub kube_version: Rc<KubeVersion>,
    pub api_versions: Rc<VersionSet>,
    pub helm_version: Rc<HelmVersion>,
    pub compat: Compat,
}

impl Capabilities {
    /// The capabilities of `helm template`: the default or given kube version, the default API
    /// versions followed by `--api-versions` (duplicates kept).
    pub fn new(compat: Compat, kube_version: Option<KubeVersion>, extra_apis: &[String]) -> Self {
        let mut versions: Vec<String> = default_api_versions(compat)
            .iter()
            .map(|s| s.to_string())
            .collect();
        versions.extend(extra_apis.iter().cloned());
        Capabilities {
            kube_version: Rc::new(kube_version.unwrap_or_else(|| KubeVersion::default_for(compat))),
            api_versions: Rc::new(VersionSet { versions, compat }),
            helm_version: Rc::new(HelmVersion { compat }),
            compat,
        }
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        match self.compat {
            Compat::Helm4 => "*common.Capabilities",
            Compat::Helm3 => "*chartutil.Capabilities",
        }
    }

    fn kind_name(&self) -> &'static str {
        "ptr"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(self.kube_version.clone())),
            "APIVersions" => Some(Value::Object(self.api_versions.clone())),
            "HelmVersion" => Some(Value::Object(self.helm_version.clone())),
            _ => None,
        }
    }

    fn format(&self) -> String {
        // `%v` of a pointer to a struct prints `&{...}` with each field's `%v`; the
        // KubeVersion field is a struct value whose unexported field shows too.
        let kv = &self.kube_version;
        let normalized = match self.compat {
            Compat::Helm4 => format!(" {}", kv.normalized),
            Compat::Helm3 => String::new(),
        };
        format!(
            "&{{{{{}{} {} {}}} {} {}}}",
            kv.version,
            normalized,
            kv.major,
            kv.minor,
            self.api_versions.format(),
            self.helm_version.format()
        )
    }

    fn fields(&self) -> Option<Vec<Field>> {
        Some(vec![
            Field::plain("KubeVersion", Value::Object(self.kube_version.clone())),
            Field::plain("APIVersions", Value::Object(self.api_versions.clone())),
            Field::plain("HelmVersion", Value::Object(self.helm_version.clone())),
        ])
    }

    fn to_data(&self) -> Value {
        json_map(self.fields().unwrap_or_default())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p4(s: &str) -> Result<(String, String, String, String), String> {
        KubeVersion::parse(s, Compat::Helm4).map(|k| (k.version, k.normalized, k.major, k.minor))
    }

    fn p3(s: &str) -> Result<String, String> {
        KubeVersion::parse(s, Compat::Helm3).map(|k| k.version)
    }

    fn t(a: &str, b: &str, c: &str, d: &str) -> (String, String, String, String) {
        (a.into(), b.into(), c.into(), d.into())
    }

    // Each expectation was read off the reference binaries.
    #[test]
    fn helm4_parses_generic_versions() {
        assert_eq!(p4("1.30"), Ok(t("v1.30", "v1.30", "1", "30")));
        assert_eq!(
            p4("1.30.2-gke.1"),
            Ok(t("v1.30.2-gke.1", "v1.30.2", "1", "30"))
        );
        assert_eq!(p4("1.02"), Ok(t("v1.02", "v1.2", "1", "2")));
        assert_eq!(p4(" 1.2"), Ok(t("v 1.2", "v1.2", "1", "2")));
        assert_eq!(p4("v1.2.x"), Ok(t("v1.2.x", "v1.2", "1", "2")));
        assert_eq!(p4("1.2.3.4"), Ok(t("v1.2.3.4", "v1.2.3.4", "1", "2")));
        assert_eq!(p4("1"), Err("illegal version string \"1\"".into()));
        assert_eq!(p4("abc"), Err("could not parse \"abc\" as version".into()));
        assert_eq!(
            p4("01.2"),
            Err("illegal zero-prefixed version component \"01\" in \"01.2\"".into())
        );
        assert!(p4("99999999999999999999.1")
            .unwrap_err()
            .ends_with("parsing \"99999999999999999999\": value out of range"));
    }

    #[test]
    fn helm3_parses_lenient_semver() {
        assert_eq!(p3("1.30"), Ok("v1.30.0".into()));
        assert_eq!(p3("1"), Ok("v1.0.0".into()));
        assert_eq!(p3("01.2"), Ok("v1.2.0".into()));
        assert_eq!(p3("1.2-rc.1"), Ok("v1.2.0-rc.1".into()));
        assert_eq!(p3("1.31.0+k3s1"), Ok("v1.31.0+k3s1".into()));
        assert_eq!(p3("1.2.3.4"), Err("Invalid Semantic Version".into()));
        assert_eq!(p3(" 1.2"), Err("Invalid Semantic Version".into()));
        assert_eq!(p3("1.2.3-a_b"), Err("Invalid Semantic Version".into()));
        assert_eq!(p3("1.2.3-01"), Err("Version segment starts with 0".into()));
    }

    #[test]
    fn api_versions_keep_extras_in_order() {
        let caps = Capabilities::new(Compat::Helm4, None, &["foo/v1".into(), "v1".into()]);
        assert_eq!(caps.api_versions.versions.len(), 59);
        assert_eq!(caps.api_versions.versions[57], "foo/v1");
        assert_eq!(
            caps.api_versions
                .call("Has", &[Value::str("apps/v1")])
                .ok()
                .map(|v| v.is_true()),
            Some(true)
        );
        assert_eq!(default_api_versions(Compat::Helm3).len(), 56);
    }
}
