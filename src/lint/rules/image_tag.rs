//! ## What it does
//! Flags container images with no tag, or with the tag `latest`, and no digest.
//!
//! ## Why is this bad?
//! Such an image changes under the same manifest: two rollouts of one chart version can run
//! different code, and a rollback does not bring the old code back.
//!
//! ## Example
//! ```yaml
//! image: nginx:latest     # flagged
//! image: nginx            # flagged
//! image: nginx:1.27.3     # fine
//! image: nginx@sha256:... # fine
//! ```

use super::workload::{container_name, containers, get_str, init_containers, pod_spec};
use super::{Context, Finding, Rule, RuleInfo};
use crate::lint::diagnostic::Severity;

pub struct ImageTag;

static INFO: RuleInfo = RuleInfo {
    id: "image-tag",
    summary: "container images must be pinned to a tag other than `latest`, or a digest",
    severity: Severity::Warning,
};

impl Rule for ImageTag {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (i, m) in cx.manifests.iter().enumerate() {
            let Some(pod) = pod_spec(m) else { continue };
            for c in containers(&pod).iter().chain(init_containers(&pod).iter()) {
                let Some(image) = get_str(c, &["image"]) else {
                    continue;
                };
                if image.contains('@') {
                    continue;
                }
                // The tag follows the last `:` after the last `/` (a registry port is not a tag).
                let last = image.rsplit('/').next().unwrap_or(&image);
                let tag = last.rsplit_once(':').map(|(_, t)| t);
                let problem = match tag {
                    None => "has no tag",
                    Some("latest") => "uses the `latest` tag",
                    Some(_) => continue,
                };
                let finding = Finding::new(
                    i,
                    format!(
                        "container `{}` image `{image}` {problem}",
                        container_name(c)
                    ),
                )
                .help("pin the image to a version tag or a digest")
                .trace(tag.map_or(image.clone(), str::to_string));
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, deployment};
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_latest_and_untagged() {
        let docs = [deployment(
            "web",
            json!({"containers": [
                {"name": "a", "image": "nginx:latest"},
                {"name": "b", "image": "registry:5000/team/app"},
            ]}),
        )];
        assert_eq!(
            check(&ImageTag, &docs),
            vec![
                "container `a` image `nginx:latest` uses the `latest` tag",
                "container `b` image `registry:5000/team/app` has no tag",
            ]
        );
    }

    #[test]
    fn accepts_pinned_images() {
        let docs = [deployment(
            "web",
            json!({"containers": [
                {"name": "a", "image": "nginx:1.27.3"},
                {"name": "b", "image": "registry:5000/app@sha256:abc"},
            ]}),
        )];
        assert!(check(&ImageTag, &docs).is_empty());
    }
}
