//! `toToml` (BurntSushi/toml's encoder layout) and `fromToml` (integers int64).

use crate::gotemplate::value::Value;

/// BurntSushi/toml `Encode` of a value; `Err` holds the Go error text Helm prints instead.
pub fn to_toml(_v: &Value) -> Result<String, String> {
    Err("toToml is not implemented yet".into())
}

/// `toml.Unmarshal` into `map[string]interface{}`; `Err` holds the Go error text.
pub fn from_toml(_text: &str) -> Result<Value, String> {
    Err("fromToml is not implemented yet".into())
}
