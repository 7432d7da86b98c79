//! Which Helm chartctl reproduces: v4.3.1 by default, v3.17.3 under `--compat helm3`.

use std::fmt;
use std::str::FromStr;

/// Which Helm's behaviour to reproduce where v4.3.1 and v3.17.3 differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compat {
    /// Helm v4.3.1 (Go 1.27).
    #[default]
    Helm4,
    /// Helm v3.17.3 (Go 1.23).
    Helm3,
}

impl Compat {
    /// The Helm version reproduced, as `helm version` prints it.
    pub fn helm_version(self) -> &'static str {
        match self {
            Compat::Helm4 => "v4.3.1",
            Compat::Helm3 => "v3.17.3",
        }
    }
}

impl FromStr for Compat {
    type Err = String;

    fn from_str(s: &str) -> Result<Compat, String> {
        match s {
            "helm4" | "v4" | "4" => Ok(Compat::Helm4),
            "helm3" | "v3" | "3" => Ok(Compat::Helm3),
            _ => Err(format!(
                "unknown compatibility mode `{s}` (expected `helm4` or `helm3`)"
            )),
        }
    }
}

impl fmt::Display for Compat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compat::Helm4 => "helm4",
            Compat::Helm3 => "helm3",
        })
    }
}
