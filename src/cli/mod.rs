//! The command line: one file per subcommand and the flags they share. `main.rs` parses the
//! arguments and turns the [`Outcome`] of a subcommand into an exit code.

pub mod lint;
pub mod template;

use clap::{Args, Parser, Subcommand};

use crate::Compat;

/// What a subcommand ended with; `main` maps it to the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Ok,
    /// Exit 1: the command ran and found problems (lint errors).
    Findings,
}

/// Exit status for success.
pub const EXIT_OK: i32 = 0;
/// Exit status when a command ran and reported findings.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit status for an error: bad input, a chart that cannot be rendered, a usage error.
pub const EXIT_ERROR: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "chartctl",
    version,
    about = "Render and lint Helm charts: byte-identical to `helm template`, deeper than `helm lint`",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render chart templates locally and print the manifests, as `helm template` does
    Template(template::TemplateArgs),
    /// Examine a chart for possible issues, as `helm lint` does, and validate its manifests
    Lint(lint::LintArgs),
}

/// Flags every subcommand shares.
#[derive(Clone, Debug, Args)]
pub struct GlobalArgs {
    /// Reproduce this Helm version where Helm versions differ: `helm4` (v4.3.1) or `helm3` (v3.17.3)
    #[arg(long, global = true, default_value = "helm4", value_name = "MODE")]
    pub compat: Compat,

    /// Namespace scope for this request
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Enable verbose output
    #[arg(long, global = true)]
    pub debug: bool,
}

/// The values flags, applied in Helm's fixed order whatever their order on the command line:
/// `-f`, `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`.
#[derive(Clone, Debug, Default, Args)]
pub struct ValuesArgs {
    /// Specify values in a YAML file (can specify multiple; `-` reads standard input)
    #[arg(
        short = 'f',
        long = "values",
        value_name = "FILE",
        value_delimiter = ','
    )]
    pub values: Vec<String>,

    /// Set values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Set STRING values on the command line (can specify multiple or separate values with commas)
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,

    /// Set values from respective files specified via the command line (key1=path1,key2=path2)
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    pub set_file: Vec<String>,

    /// Set JSON values on the command line (key1=jsonval1,key2=jsonval2, or a whole JSON object)
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,

    /// Set a literal STRING value on the command line
    #[arg(long = "set-literal", value_name = "KEY=VALUE")]
    pub set_literal: Vec<String>,
}
