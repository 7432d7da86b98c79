//! From rendered files to ordered documents: splitting each file into YAML documents, reading
//! each document's head (kind, name, annotations), separating hooks from plain manifests, and
//! sorting both by kind in Helm's install order.
//!
//! The split differs between the Helm versions: v3.17.3 splits on `(?:^|\s*\n)---\s*` and trims
//! every piece; v4.3.1 splits on `(?m)^---[ \t]*` and trims only the start of a piece, so a
//! document keeps the blank lines that preceded the next `---`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use crate::Compat;

/// The annotation that makes a document a hook.
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";

/// The hook events Helm knows, after trimming and lower-casing. `test-success` is Helm 2's name
/// for `test`.
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// Helm's install order (`releaseutil.InstallOrder`). Helm 4 appends the two webhook
/// configuration kinds.
const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// How many entries of [`INSTALL_ORDER`] each Helm version knows.
fn install_order(compat: Compat) -> &'static [&'static str] {
    match compat {
        Compat::Helm4 => INSTALL_ORDER,
        Compat::Helm3 => &INSTALL_ORDER[..INSTALL_ORDER.len() - 2],
    }
}

/// What Helm reads of each document (`SimpleHead`): the rest of the document is never parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocHead {
    pub kind: String,
    pub name: String,
    /// `metadata.annotations`, scalar values as strings; empty when absent.
    pub annotations: BTreeMap<String, String>,
}

/// A document that is not a hook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The template path it was rendered from (`chart/templates/x.yaml`).
    pub path: String,
    pub content: String,
    pub kind: String,
}

/// A hook document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hook {
    pub path: String,
    pub content: String,
    pub kind: String,
    /// Whether one of its events is `test` (or `test-success`): `--skip-tests` drops it.
    pub is_test: bool,
}

/// The documents of a render, each list in output order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sorted {
    pub manifests: Vec<Manifest>,
    pub hooks: Vec<Hook>,
    /// The hook annotation values of documents dropped for an unknown event, in order (Helm
    /// logs each).
    pub skipped_hooks: Vec<String>,
}

fn sep_helm3() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Go's `\s` is ASCII `[\t\n\f\r ]` (no vertical tab), unlike the regex crate's.
    // The pattern is a constant: compiling it cannot fail.
    RE.get_or_init(|| Regex::new(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*").expect("valid regex"))
}

/// The separators of Helm 4's split, `(?m)^---[ \t]*`, as byte ranges: `---` at the start of
/// a line (after `\n` only) with the spaces and tabs after it. Found by hand: the split runs
/// at every render, and compiling the pattern would cost more than the splitting.
fn separators_helm4(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut line = 0;
    loop {
        if b[line..].starts_with(b"---") {
            let mut end = line + 3;
            while end < b.len() && (b[end] == b' ' || b[end] == b'\t') {
                end += 1;
            }
            out.push((line, end));
        }
        // A separator holds no newline, so the next line starts after its end.
        match memchr::memchr(b'\n', &b[line..]) {
            Some(i) => line += i + 1,
            None => return out,
        }
    }
}

/// Go's `regexp.Split(s, -1)` over the matches `(start, end)` of a pattern in `s`: a match at
/// the very start yields an empty first piece, and the text after the last match is always
/// kept (even when empty).
fn go_split(matches: impl IntoIterator<Item = (usize, usize)>, s: &str) -> Vec<&str> {
    if s.is_empty() {
        return vec![""];
    }
    let mut pieces = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (start, stop) in matches {
        end = start;
        if stop != 0 {
            pieces.push(&s[beg..end]);
        }
        beg = stop;
    }
    if end != s.len() {
        pieces.push(&s[beg..]);
    }
    pieces
}

/// Helm's `SplitManifests`: a rendered file's documents, in file order.
pub fn split_manifests(text: &str, compat: Compat) -> Vec<String> {
    match compat {
        Compat::Helm3 => {
            let text = text.trim();
            let matches = sep_helm3().find_iter(text).map(|m| (m.start(), m.end()));
            go_split(matches, text)
                .into_iter()
                .filter(|d| !d.is_empty())
                .map(|d| d.trim().to_string())
                .collect()
        }
        Compat::Helm4 => {
            let text = text.trim_start();
            go_split(separators_helm4(text), text)
                .into_iter()
                .filter(|d| !d.trim().is_empty())
                .map(|d| d.trim_start().to_string())
                .collect()
        }
    }
}

/// Helm's `SortManifests`: splits every rendered file (in byte order of their paths; partials
/// and whitespace-only files skipped), reads each document's head with `parse_head`, separates
/// hooks, drops hooks with an unknown event, and sorts both lists by kind.
///
/// `parse_head` returns the YAML error text; the error returned here is Helm's
/// `YAML parse error on <path>: <error>`.
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
    compat: Compat,
    parse_head: &dyn Fn(&str) -> Result<DocHead, String>,
) -> Result<Sorted, String> {
    let mut sorted = Sorted::default();
    for (path, content) in files {
        if base_name(path).starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in split_manifests(content, compat) {
            let head = parse_head(&doc).map_err(|e| format!("YAML parse error on {path}: {e}"))?;
            let Some(events) = head.annotations.get(HOOK_ANNOTATION) else {
                sorted.manifests.push(Manifest {
                    path: path.clone(),
                    content: doc,
                    kind: head.kind,
                });
                continue;
            };
            let Some(is_test) = hook_is_test(events) else {
                // Helm logs `skipping unknown hook` and leaves the document out entirely.
                sorted.skipped_hooks.push(events.clone());
                continue;
            };
            sorted.hooks.push(Hook {
                path: path.clone(),
                content: doc,
                kind: head.kind,
                is_test,
            });
        }
    }
    let order = install_order(compat);
    sorted
        .manifests
        .sort_by(|a, b| kind_key(order, &a.kind).cmp(&kind_key(order, &b.kind)));
    sorted
        .hooks
        .sort_by(|a, b| kind_key(order, &a.kind).cmp(&kind_key(order, &b.kind)));
    Ok(sorted)
}

/// Whether a hook annotation's events include a test; `None` when any event is unknown
/// (an empty annotation value is one unknown event).
fn hook_is_test(events: &str) -> Option<bool> {
    let mut is_test = false;
    for event in events.split(',') {
        let event = event.trim().to_lowercase();
        if !HOOK_EVENTS.contains(&event.as_str()) {
            return None;
        }
        is_test |= event == "test" || event == "test-success";
    }
    Some(is_test)
}

/// The sort key of Helm's `lessByKind`: listed kinds by position, then unlisted kinds by
/// their name (byte order); the sort is stable, so equal kinds keep their input order.
fn kind_key<'a>(order: &[&str], kind: &'a str) -> (usize, &'a str) {
    match order.iter().position(|k| *k == kind) {
        Some(i) => (i, ""),
        None => (order.len(), kind),
    }
}

/// `path.Base` for the slash-separated template names.
fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split3(s: &str) -> Vec<String> {
        split_manifests(s, Compat::Helm3)
    }

    fn split4(s: &str) -> Vec<String> {
        split_manifests(s, Compat::Helm4)
    }

    #[test]
    fn helm3_split_trims_every_document() {
        assert_eq!(split3("a: 1\n\n---\nb: 2\n\n"), ["a: 1", "b: 2"]);
        // `---` glued to text still splits; the rest of the line starts the next document.
        assert_eq!(split3("a: 1\n---kind: C"), ["a: 1", "kind: C"]);
        assert_eq!(split3("a: 1\n--- # c\nb: 2"), ["a: 1", "# c\nb: 2"]);
        // An indented `---` does not split.
        assert_eq!(split3("a: |\n  ---\n  x"), ["a: |\n  ---\n  x"]);
        // The newline consumed by the first match hides the second separator.
        assert_eq!(split3("a\n---\n---\nb"), ["a", "---\nb"]);
        assert_eq!(split3("---\na"), ["a"]);
        assert_eq!(split3("   \n  "), Vec::<String>::new());
    }

    #[test]
    fn helm4_split_keeps_trailing_blank_lines() {
        assert_eq!(split4("a: 1\n\n---\nb: 2\n\n"), ["a: 1\n\n", "b: 2\n\n"]);
        assert_eq!(split4("a: 1\n---kind: C"), ["a: 1\n", "kind: C"]);
        assert_eq!(split4("a\n---\n---\nb"), ["a\n", "b"]);
        // Only spaces and tabs after `---` are consumed; the newline is trimmed as leading space.
        assert_eq!(split4("---  \n  a: 1"), ["a: 1"]);
        assert_eq!(split4("a: |\n  ---\n  x"), ["a: |\n  ---\n  x"]);
        // `(?m)^` also matches after a lone `\r`-free line start only.
        assert_eq!(split4("a\r\n---\r\nb"), ["a\r\n", "b"]);
    }

    #[test]
    fn helm4_separators_are_those_of_helms_pattern_on_generated_texts() {
        let re = Regex::new(r"(?m)^---[ \t]*").unwrap();
        let mut rng = crate::test_rng::Xorshift(0x3c6e_f372_fe94_f82b);
        const PIECES: &[&str] = &["-", "---", "\n", "\r", " ", "\t", "a", "é", "\n---"];
        for _ in 0..20_000 {
            let text: String = (0..rng.below(12))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            let want: Vec<(usize, usize)> =
                re.find_iter(&text).map(|m| (m.start(), m.end())).collect();
            assert_eq!(separators_helm4(&text), want, "{text:?}");
        }
    }

    fn head(doc: &str) -> Result<DocHead, String> {
        // A tiny stand-in for the YAML head parser: `kind:` and one `hook:` line.
        if doc.starts_with("bad") {
            return Err("boom".into());
        }
        let mut h = DocHead::default();
        for line in doc.lines() {
            if let Some(k) = line.strip_prefix("kind: ") {
                h.kind = k.trim().into();
            }
            if let Some(v) = line.strip_prefix("hook: ") {
                h.annotations.insert(HOOK_ANNOTATION.into(), v.into());
            }
        }
        Ok(h)
    }

    #[test]
    fn sorts_by_kind_with_unknown_kinds_last_by_name() {
        let files: BTreeMap<String, String> = [
            (
                "c/templates/a.yaml",
                "kind: Deployment\n---\nkind: Zeta\n---\nkind: Alpha",
            ),
            (
                "c/templates/b.yaml",
                "kind: Service\n---\nkind: Namespace\n---\n# only a comment",
            ),
            ("c/templates/_h.tpl", "kind: Pod"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let sorted = sort_manifests(&files, Compat::Helm3, &head).unwrap();
        let kinds: Vec<_> = sorted.manifests.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["Namespace", "Service", "Deployment", "", "Alpha", "Zeta"]
        );
    }

    #[test]
    fn webhooks_sort_before_unknown_kinds_only_in_helm4() {
        let files: BTreeMap<String, String> = [(
            "c/templates/a.yaml".to_string(),
            "kind: ValidatingWebhookConfiguration\n---\nkind: Certificate".to_string(),
        )]
        .into();
        let k4: Vec<_> = sort_manifests(&files, Compat::Helm4, &head)
            .unwrap()
            .manifests
            .into_iter()
            .map(|m| m.kind)
            .collect();
        let k3: Vec<_> = sort_manifests(&files, Compat::Helm3, &head)
            .unwrap()
            .manifests
            .into_iter()
            .map(|m| m.kind)
            .collect();
        assert_eq!(k4, ["ValidatingWebhookConfiguration", "Certificate"]);
        assert_eq!(k3, ["Certificate", "ValidatingWebhookConfiguration"]);
    }

    #[test]
    fn hooks_are_separated_and_unknown_hooks_dropped() {
        let files: BTreeMap<String, String> = [(
            "c/templates/h.yaml".to_string(),
            "kind: Job\nhook: post-install\n---\nkind: Pod\nhook:  Test \n---\nkind: Pod\nhook: pre-install,bogus\n---\nkind: Secret\nhook: \n---\nkind: ConfigMap"
                .to_string(),
        )]
        .into();
        let sorted = sort_manifests(&files, Compat::Helm4, &head).unwrap();
        assert_eq!(sorted.manifests.len(), 1);
        assert_eq!(sorted.skipped_hooks, ["pre-install,bogus", ""]);
        let hooks: Vec<_> = sorted
            .hooks
            .iter()
            .map(|h| (h.kind.as_str(), h.is_test))
            .collect();
        assert_eq!(hooks, [("Pod", true), ("Job", false)]);
    }

    #[test]
    fn head_errors_name_the_file() {
        let files: BTreeMap<String, String> =
            [("c/templates/x.yaml".to_string(), "bad".to_string())].into();
        assert_eq!(
            sort_manifests(&files, Compat::Helm4, &head),
            Err("YAML parse error on c/templates/x.yaml: boom".to_string())
        );
    }
}
