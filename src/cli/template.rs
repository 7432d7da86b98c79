//! `chartctl template`: the flags of `helm template` and the command that renders a chart.

use clap::Args;

use super::{GlobalArgs, Outcome, ValuesArgs};

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Release name, then chart path; with one argument it is the chart; with none, the current folder
    #[arg(value_name = "NAME|CHART", num_args = 0..)]
    pub args: Vec<String>,

    #[command(flatten)]
    pub values: ValuesArgs,

    #[command(flatten)]
    pub global: GlobalArgs,

    /// Only show manifests rendered from the given templates (can specify multiple)
    #[arg(short = 's', long = "show-only", value_name = "TEMPLATE")]
    pub show_only: Vec<String>,

    /// Write the executed templates to files in this directory instead of standard output
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<String>,

    /// With --output-dir, use the release name as a folder level
    #[arg(long = "release-name")]
    pub release_name: bool,

    /// Include CRDs in the templated output
    #[arg(long = "include-crds")]
    pub include_crds: bool,

    /// Has no effect on template output (accepted for compatibility)
    #[arg(long = "skip-crds")]
    pub skip_crds: bool,

    /// Prevent hooks from running (they are left out of the output)
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,

    /// Skip tests from templated output
    #[arg(long = "skip-tests")]
    pub skip_tests: bool,

    /// Kubernetes API versions used for Capabilities.APIVersions (can specify multiple)
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "VERSION",
        value_delimiter = ','
    )]
    pub api_versions: Vec<String>,

    /// Kubernetes version used for Capabilities.KubeVersion
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,

    /// Set .Release.IsUpgrade instead of .Release.IsInstall
    #[arg(long = "is-upgrade")]
    pub is_upgrade: bool,

    /// Specify the template used to name the release
    #[arg(long = "name-template", value_name = "TEMPLATE")]
    pub name_template: Option<String>,

    /// Generate the name (and omit the NAME parameter)
    #[arg(short = 'g', long = "generate-name")]
    pub generate_name: bool,

    /// Skip validation of the values against values.schema.json
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,

    /// Labels that would be added to the release metadata (checked, not printed)
    #[arg(
        short = 'l',
        long = "labels",
        value_name = "KEY=VALUE",
        value_delimiter = ','
    )]
    pub labels: Vec<String>,

    /// Allow getHostByName to resolve names (chartctl never uses the network; it returns "")
    #[arg(long = "enable-dns")]
    pub enable_dns: bool,
}

pub fn run(_args: &TemplateArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`chartctl template` is not implemented yet")
}
