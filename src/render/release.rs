//! The release `helm template` pretends to install: its name (from the arguments,
//! `--name-template` or the fixed `release-name`), the name check, the namespace, and the
//! `--labels` check. Helm's error texts per version live here.

use crate::gotemplate::value::Value;
use crate::Compat;

/// The name `helm template` uses when none is given (also with `--generate-name`).
pub const DEFAULT_RELEASE_NAME: &str = "release-name";

/// Labels Helm keeps for itself (`driver.GetSystemLabels`), in its order.
const SYSTEM_LABELS: &[&str] = &[
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

const NAME_PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// The release-name flags.
#[derive(Clone, Debug, Default)]
pub struct NameFlags<'a> {
    pub name_template: Option<&'a str>,
    pub generate_name: bool,
}

/// Splits the positional arguments into (release name, chart) as `helm template` does, except
/// that with no argument at all the chart is the current folder.
///
/// `render_name` renders a `--name-template` (plain Sprig functions, no data); its error is
/// returned as is.
pub fn name_and_chart(
    args: &[String],
    flags: &NameFlags<'_>,
    render_name: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(String, String), String> {
    if args.len() > 2 {
        return Err(format!(
            "expected at most two arguments, unexpected arguments: {}",
            args[2..].join(", ")
        ));
    }
    if let [name, chart] = args {
        if flags.generate_name {
            return Err("cannot set --generate-name and also specify a name".into());
        }
        if flags.name_template.is_some_and(|t| !t.is_empty()) {
            return Err("cannot set --name-template and also specify a name".into());
        }
        return Ok((name.clone(), chart.clone()));
    }
    let chart = args.first().cloned().unwrap_or_else(|| ".".to_string());
    match flags.name_template.filter(|t| !t.is_empty()) {
        Some(template) => Ok((render_name(template)?, chart)),
        // `helm template` presets the name, so `--generate-name` never generates one.
        None => Ok((DEFAULT_RELEASE_NAME.to_string(), chart)),
    }
}

/// Whether `name` matches [`NAME_PATTERN`]: labels of lowercase letters, digits and `-`,
/// separated by single dots, each starting and ending with a letter or digit (the check runs
/// at every render; compiling the pattern would cost more than the whole check).
fn matches_name_pattern(name: &str) -> bool {
    name.split('.').all(|label| {
        let b = label.as_bytes();
        let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        b.first().is_some_and(inner)
            && b.last().is_some_and(inner)
            && b.iter().all(|c| inner(c) || *c == b'-')
    })
}

/// Helm's release name check, with each version's error text.
pub fn check_release_name(name: &str, compat: Compat) -> Result<(), String> {
    let problem = if name.is_empty() {
        "no name provided".to_string()
    } else if name.len() > 53 || !matches_name_pattern(name) {
        format!(
            "invalid release name, must match regex {NAME_PATTERN} and the length must not be longer than 53"
        )
    } else {
        return Ok(());
    };
    let err = format!("release name {name:?}: {problem}");
    Err(match compat {
        Compat::Helm4 => format!("release name check failed: {err}"),
        Compat::Helm3 => err,
    })
}

/// Checks `--labels`: each must be `key=value` (the flag's own check), and none may use a
/// label Helm reserves.
pub fn check_labels(labels: &[String]) -> Result<(), String> {
    let mut reserved = false;
    for label in labels {
        let Some((key, _)) = label.split_once('=') else {
            return Err(format!(
                "invalid argument {:?} for \"-l, --labels\" flag: {label} must be formatted as key=value",
                labels.join(",")
            ));
        };
        reserved |= SYSTEM_LABELS.contains(&key);
    }
    if reserved {
        return Err(format!(
            "user supplied labels contains system reserved label name. System labels: [{}]",
            SYSTEM_LABELS.join(" ")
        ));
    }
    Ok(())
}

/// `.Release.Namespace`: `-n`, else `HELM_NAMESPACE`, else the namespace of the kubeconfig's
/// current context, else `default` (Helm's `EnvSettings.Namespace`).
pub fn namespace(flag: Option<&str>, env: Option<&str>, kubeconfig: Option<String>) -> String {
    flag.filter(|n| !n.is_empty())
        .or(env.filter(|n| !n.is_empty()))
        .map(str::to_string)
        .or(kubeconfig.filter(|n| !n.is_empty()))
        .unwrap_or_else(|| "default".to_string())
}

/// The namespace of the current context in the kubeconfig files (`$KUBECONFIG`, a
/// `:`-separated list, else `~/.kube/config`), merged as client-go merges them: the first file
/// naming a current context wins, and so does the first definition of each context. Only the
/// files are read; no cluster is contacted. An unreadable or invalid file counts as absent.
pub fn kubeconfig_namespace(
    kubeconfig_env: Option<&str>,
    home: Option<&std::path::Path>,
    compat: Compat,
) -> Option<String> {
    let paths: Vec<std::path::PathBuf> = match kubeconfig_env.filter(|v| !v.is_empty()) {
        Some(list) => list
            .split(':')
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from)
            .collect(),
        None => vec![home?.join(".kube").join("config")],
    };
    let mut current: Option<String> = None;
    let mut namespaces: std::collections::BTreeMap<String, String> = Default::default();
    for path in paths {
        let Ok(data) = std::fs::read(&path) else {
            continue;
        };
        let Ok(doc) = crate::chart::values::load_values(&data, compat) else {
            continue;
        };
        if current.is_none() {
            if let Some(Value::String(c)) = doc.get("current-context") {
                if !c.is_empty() {
                    current = Some(c.to_string());
                }
            }
        }
        let Some(Value::List(contexts)) = doc.get("contexts") else {
            continue;
        };
        for ctx in contexts.iter() {
            let Some(m) = ctx.as_map() else { continue };
            let m = m.borrow();
            let Some(Value::String(name)) = m.get("name") else {
                continue;
            };
            let ns = m
                .get("context")
                .and_then(Value::as_map)
                .and_then(|c| {
                    c.borrow()
                        .get("namespace")
                        .and_then(|n| n.as_str().map(str::to_string))
                })
                .unwrap_or_default();
            namespaces.entry(name.to_string()).or_insert(ns);
        }
    }
    namespaces.get(&current?).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    fn resolve(a: &[&str], flags: NameFlags<'_>) -> Result<(String, String), String> {
        name_and_chart(&args(a), &flags, &mut |t| Ok(format!("<{t}>")))
    }

    #[test]
    fn names_come_from_arguments_or_the_template() {
        let none = NameFlags::default();
        assert_eq!(
            resolve(&["rel", "c"], none.clone()),
            Ok(("rel".into(), "c".into()))
        );
        assert_eq!(
            resolve(&["c"], none.clone()),
            Ok(("release-name".into(), "c".into()))
        );
        assert_eq!(
            resolve(&[], none.clone()),
            Ok(("release-name".into(), ".".into()))
        );
        let generate = NameFlags {
            generate_name: true,
            ..Default::default()
        };
        assert_eq!(
            resolve(&["c"], generate.clone()),
            Ok(("release-name".into(), "c".into()))
        );
        assert_eq!(
            resolve(&["a", "c"], generate),
            Err("cannot set --generate-name and also specify a name".into())
        );
        let templated = NameFlags {
            name_template: Some("x"),
            ..Default::default()
        };
        assert_eq!(resolve(&["c"], templated), Ok(("<x>".into(), "c".into())));
        assert_eq!(
            resolve(&["a", "b", "c", "d"], NameFlags::default()),
            Err("expected at most two arguments, unexpected arguments: c, d".into())
        );
    }

    #[test]
    fn release_names_are_checked() {
        assert!(check_release_name("a-b.c", Compat::Helm4).is_ok());
        assert!(check_release_name(&"a".repeat(53), Compat::Helm4).is_ok());
        assert!(check_release_name(&"a".repeat(54), Compat::Helm4).is_err());
        assert_eq!(
            check_release_name("", Compat::Helm3),
            Err("release name \"\": no name provided".into())
        );
        let err = check_release_name("Bad", Compat::Helm4).unwrap_err();
        assert!(err.starts_with("release name check failed: release name \"Bad\": invalid"));
    }

    #[test]
    fn the_name_check_agrees_with_helms_pattern_on_generated_names() {
        let re = regex::Regex::new(NAME_PATTERN).unwrap();
        let mut rng = crate::test_rng::Xorshift(0x51_7cc1_b727_220a);
        const PIECES: &[&str] = &["a", "z", "0", "9", "-", ".", "A", "_", "é", "\n", " "];
        for _ in 0..50_000 {
            let name: String = (0..rng.below(8))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            assert_eq!(matches_name_pattern(&name), re.is_match(&name), "{name:?}");
        }
    }

    #[test]
    fn namespace_comes_from_flag_env_kubeconfig_then_default() {
        assert_eq!(namespace(Some("a"), Some("b"), Some("c".into())), "a");
        assert_eq!(namespace(None, Some("b"), Some("c".into())), "b");
        assert_eq!(namespace(Some(""), None, Some("c".into())), "c");
        assert_eq!(namespace(None, None, None), "default");
    }

    #[test]
    fn kubeconfig_current_context_namespace() {
        let dir = std::env::temp_dir().join(format!("chartctl-kubeconfig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = dir.join("one");
        let second = dir.join("two");
        std::fs::write(
            &first,
            "contexts:\n- name: dev\n  context:\n    namespace: team-dev\n",
        )
        .unwrap();
        std::fs::write(
            &second,
            "current-context: dev\ncontexts:\n- name: dev\n  context:\n    namespace: ignored\n",
        )
        .unwrap();
        let list = format!("{}:{}", first.display(), second.display());
        assert_eq!(
            kubeconfig_namespace(Some(&list), None, Compat::Helm4),
            Some("team-dev".to_string())
        );
        let missing = dir.join("missing");
        assert_eq!(
            kubeconfig_namespace(missing.to_str(), None, Compat::Helm4),
            None
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reserved_labels_are_rejected() {
        assert!(check_labels(&args(&["team=a"])).is_ok());
        assert!(check_labels(&args(&["owner=me"]))
            .unwrap_err()
            .ends_with("[name owner status version createdAt modifiedAt]"));
    }
}
