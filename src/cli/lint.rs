//! `chartctl lint`: the flags of `helm lint` plus chartctl's own, and the command that lints.

use clap::Args;

use super::{GlobalArgs, Outcome, ValuesArgs};

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Charts to lint (folders or .tgz archives); with none, the current folder
    #[arg(value_name = "CHART")]
    pub charts: Vec<String>,

    #[command(flatten)]
    pub values: ValuesArgs,

    #[command(flatten)]
    pub global: GlobalArgs,

    /// Fail on lint warnings
    #[arg(long)]
    pub strict: bool,

    /// Lint dependent charts
    #[arg(long = "with-subcharts")]
    pub with_subcharts: bool,

    /// Print only warnings and errors
    #[arg(long)]
    pub quiet: bool,

    /// Kubernetes version used for capabilities and deprecation checks
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,

    /// Skip validation of the values against values.schema.json
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
}

pub fn run(_args: &LintArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`chartctl lint` is not implemented yet")
}
