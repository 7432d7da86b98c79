//! The release `helm template` pretends to install: its name (from the arguments,
//! `--name-template` or the fixed `release-name`), the name check, the namespace, and the
//! `--labels` check. Helm's error texts per version live here.

use std::sync::OnceLock;

use regex::Regex;

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

fn name_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // A constant pattern: compiling it cannot fail.
    RE.get_or_init(|| Regex::new(NAME_PATTERN).expect("valid regex"))
}

/// Helm's release name check, with each version's error text.
pub fn check_release_name(name: &str, compat: Compat) -> Result<(), String> {
    let problem = if name.is_empty() {
        "no name provided".to_string()
    } else if name.len() > 53 || !name_re().is_match(name) {
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

/// `.Release.Namespace`: `-n`, else `HELM_NAMESPACE`, else `default`. Helm would next consult
/// the kubeconfig's current context; chartctl never reads a kubeconfig.
pub fn namespace(flag: Option<&str>, env: Option<&str>) -> String {
    flag.filter(|n| !n.is_empty())
        .or(env.filter(|n| !n.is_empty()))
        .unwrap_or("default")
        .to_string()
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
    fn reserved_labels_are_rejected() {
        assert!(check_labels(&args(&["team=a"])).is_ok());
        assert!(check_labels(&args(&["owner=me"]))
            .unwrap_err()
            .ends_with("[name owner status version createdAt modifiedAt]"));
    }
}
