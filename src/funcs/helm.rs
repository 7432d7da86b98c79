//! Helm's helm functions.

use crate::gotemplate::func::FuncMap;
use crate::Compat;

pub fn register(_map: &mut FuncMap, _compat: Compat) {}
