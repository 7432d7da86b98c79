//! Go's `text/template`, as Helm uses it: lexer, parser, execution, Go's `fmt`, and the values
//! and function contract the rest of chartctl builds on.

pub mod ast;
pub mod builtins;
pub mod error;
pub mod escape;
pub mod exec;
pub mod func;
pub mod fxhash;
pub mod gofmt;
pub mod lexer;
pub mod parser;
pub mod value;

#[cfg(test)]
mod tests;

pub use error::{Error, ErrorKind, Location};
pub use exec::{ExecOptions, TemplateSet};
