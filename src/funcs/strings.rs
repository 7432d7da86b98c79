//! Sprig's strings functions.

use crate::gotemplate::func::FuncMap;

pub fn register(_map: &mut FuncMap) {}
