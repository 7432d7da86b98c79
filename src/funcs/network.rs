//! Sprig's network function `getHostByName`.
//!
//! Helm replaces it with a function returning "" unless `--enable-dns` is given, and chartctl
//! never uses the network, so it always returns "".

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::Value;

pub fn register(map: &mut FuncMap) {
    map.insert(func!("getHostByName", [String], get_host_by_name));
}

fn get_host_by_name(_: &mut dyn Runtime, _: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::str(""))
}
