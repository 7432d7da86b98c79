//! Go's `text/template`, as Helm uses it: lexer, parser, execution, Go's `fmt`, and the values
//! and function contract the rest of chartctl builds on.

pub mod escape;
pub mod func;
pub mod gofmt;
pub mod value;
