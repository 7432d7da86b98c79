//! A chart's `.chartctl.yaml`: `lint: {disable: [<rule id>, ...]}` turns rules off for that
//! chart. Read with the project's YAML loader; a broken file disables nothing.

use std::path::Path;

use crate::gotemplate::value::Value;

/// The rule ids the chart folder's `.chartctl.yaml` disables.
pub fn disabled_rules(chart_dir: &Path) -> Vec<String> {
    let Ok(data) = std::fs::read(chart_dir.join(".chartctl.yaml")) else {
        return Vec::new();
    };
    parse(&data)
}

fn parse(data: &[u8]) -> Vec<String> {
    let Ok(doc) = crate::chart::yamlio::load_document(data) else {
        return Vec::new();
    };
    match super::rules::get(&doc, &["lint", "disable"]) {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_disable_list() {
        assert_eq!(
            parse(b"lint:\n  disable: [image-tag, probes]\n"),
            vec!["image-tag".to_string(), "probes".to_string()]
        );
        assert!(parse(b"lint: [").is_empty());
        assert!(parse(b"other: 1\n").is_empty());
    }
}
