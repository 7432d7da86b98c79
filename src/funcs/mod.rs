//! The Sprig and Helm function library, one file per area, assembled into the function map
//! Helm gives templates.
