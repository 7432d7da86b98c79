//! Sprig's dicts functions.

use crate::gotemplate::func::FuncMap;

pub fn register(_map: &mut FuncMap) {}
