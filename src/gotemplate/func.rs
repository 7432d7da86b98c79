//! The function registry contract between the engine and the function library.
//!
//! Go's `text/template` checks each call against the Go signature of the function before calling
//! it: the argument count (`wrong number of args for upper: want 1 got 2`), and each argument's
//! type (a number constant becomes the parameter's type, `1` passed to a `float64` parameter is
//! `1.0`; a `float64` value passed to a `string` parameter is an error). A [`FuncDef`] therefore
//! carries the Go signature as [`Param`]s, and the engine converts and checks arguments before
//! the implementation sees them: an implementation may rely on each argument matching its
//! declared [`Param`].

use std::fmt;

use super::fxhash::FxHashMap;
use super::value::Value;
pub use crate::compat::Compat;

/// A Go parameter type, as far as the engine's argument checks need to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// `interface{}`: anything, `nil` included.
    Any,
    /// `string`.
    String,
    /// `int` (the argument arrives as [`Value::Int`]).
    Int,
    /// `int64` (arrives as [`Value::Int64`]).
    Int64,
    /// `float64` (arrives as [`Value::Float`]).
    Float64,
    /// `bool`.
    Bool,
    /// `[]interface{}` (arrives as [`Value::List`]; a `nil` is passed as `Nil`). A typed
    /// slice such as `[]string` is refused, as Go refuses it.
    List,
    /// `map[string]interface{}` (arrives as [`Value::Map`]; a `nil` is passed as `Nil`).
    /// Helm's named `Values` type is assignable to it and arrives as the plain map type; a
    /// `map[string]string` is refused.
    Map,
    /// `[]string` (arrives as a [`Value::List`] of type `[]string`).
    Strings,
    /// `uint32` (Sprig's `derivePassword` counter; arrives as [`Value::Uint`]). Only a
    /// non-negative integer constant converts to it (its low 32 bits, as Go's `SetUint`).
    Uint32,
    /// Go's `time.Time` struct (arrives as the [`Object`](super::value::Object) of that type).
    Time,
    /// Sprig's `certificate` struct (arrives as the object of type `sprig.certificate`).
    Certificate,
}

impl Param {
    /// The Go spelling, for error messages (`expected string`).
    pub fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::String => "string",
            Param::Int => "int",
            Param::Int64 => "int64",
            Param::Float64 => "float64",
            Param::Bool => "bool",
            Param::List => "[]interface {}",
            Param::Map => "map[string]interface {}",
            Param::Strings => "[]string",
            Param::Uint32 => "uint32",
            Param::Time => "time.Time",
            Param::Certificate => "sprig.certificate",
        }
    }
}

/// An error a function returns. The engine wraps it as Go does:
/// `error calling <name>: <message>`.
#[derive(Clone, Debug, PartialEq)]
pub enum FuncError {
    /// The function returned a Go `error` (or panicked with a message): wrapped by the engine.
    Call(String),
    /// An error that must reach the user unwrapped, e.g. Helm's `required` and `fail`, which
    /// Helm reports as `execution error at (<file>:<line>:<col>): <message>`.
    Exec(String),
}

impl FuncError {
    pub fn call(msg: impl Into<String>) -> FuncError {
        FuncError::Call(msg.into())
    }
}

impl fmt::Display for FuncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FuncError::Call(m) | FuncError::Exec(m) => f.write_str(m),
        }
    }
}

/// What a function may ask of the running engine: Helm's `include` and `tpl` execute templates,
/// `required` and `fail` behave differently under `helm lint`, and a few functions differ
/// between Helm versions.
pub trait Runtime {
    /// The Helm version being reproduced.
    fn compat(&self) -> Compat;

    /// True while linting (`required` and `fail` then log instead of failing).
    fn lint_mode(&self) -> bool {
        false
    }

    /// Executes the named template with `data` as dot (Helm's `include`).
    fn include(&mut self, name: &str, data: &Value) -> Result<String, FuncError>;

    /// [`Runtime::include`] as a template string value (the engine makes it without an
    /// intermediate `String`).
    fn include_value(&mut self, name: &str, data: &Value) -> Result<Value, FuncError> {
        self.include(name, data).map(Value::string)
    }

    /// Parses `text` as a template in the current template set and executes it (Helm's `tpl`).
    fn tpl(&mut self, text: &str, data: &Value) -> Result<String, FuncError>;

    /// Reports a message Helm logs rather than fails with (lint mode `required`/`fail`).
    fn log(&mut self, _msg: &str) {}
}

/// A runtime with no templates, for calling functions outside a render (tests, `--name-template`).
#[derive(Debug, Default)]
pub struct PlainRuntime {
    pub compat: Compat,
}

impl Runtime for PlainRuntime {
    fn compat(&self) -> Compat {
        self.compat
    }

    fn include(&mut self, name: &str, _data: &Value) -> Result<String, FuncError> {
        Err(FuncError::call(format!("no template {name:?} associated")))
    }

    fn tpl(&mut self, _text: &str, _data: &Value) -> Result<String, FuncError> {
        Err(FuncError::call("tpl is not available here"))
    }
}

/// A function's implementation. `args` match the declared signature (see the module doc).
pub type FuncImpl = fn(&mut dyn Runtime, &[Value]) -> Result<Value, FuncError>;

/// A function in the template function map.
#[derive(Clone, Copy)]
pub struct FuncDef {
    pub name: &'static str,
    /// The fixed parameters.
    pub params: &'static [Param],
    /// The element type of a final variadic parameter (`...interface{}`), if any.
    pub variadic: Option<Param>,
    pub imp: FuncImpl,
}

impl fmt::Debug for FuncDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FuncDef")
            .field("name", &self.name)
            .field("params", &self.params)
            .field("variadic", &self.variadic)
            .finish()
    }
}

/// The function map a template set parses and executes with. A later [`FuncMap::insert`] of
/// the same name replaces the earlier one, as Helm's functions replace Sprig's.
#[derive(Clone, Debug, Default)]
pub struct FuncMap {
    funcs: FxHashMap<&'static str, FuncDef>,
}

impl FuncMap {
    pub fn new() -> FuncMap {
        FuncMap::default()
    }

    pub fn insert(&mut self, def: FuncDef) {
        self.funcs.insert(def.name, def);
    }

    pub fn remove(&mut self, name: &str) {
        self.funcs.remove(name);
    }

    pub fn get(&self, name: &str) -> Option<&FuncDef> {
        self.funcs.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.funcs.keys().copied()
    }
}

/// Declares a [`FuncDef`] tersely:
/// `func!("upper", [String], upper)`, `func!("list", [], ...Any, list)`.
#[macro_export]
macro_rules! func {
    // The variadic form comes first: once an `expr` fragment starts parsing `...Any` the
    // macro cannot fall back to another arm.
    ($name:literal, [$($p:ident),*], ...$v:ident, $imp:expr) => {
        $crate::gotemplate::func::FuncDef {
            name: $name,
            params: &[$($crate::gotemplate::func::Param::$p),*],
            variadic: Some($crate::gotemplate::func::Param::$v),
            imp: $imp,
        }
    };
    ($name:literal, [$($p:ident),*], $imp:expr) => {
        $crate::gotemplate::func::FuncDef {
            name: $name,
            params: &[$($crate::gotemplate::func::Param::$p),*],
            variadic: None,
            imp: $imp,
        }
    };
}
