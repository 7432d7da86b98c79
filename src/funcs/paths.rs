//! Sprig's paths functions.

use crate::gotemplate::func::FuncMap;

pub fn register(_map: &mut FuncMap) {}
