//! Go's predefined template functions (`and`, `or`, `not`, `len`, `index`, `slice`, `eq`, `ne`,
//! `lt`, `le`, `gt`, `ge`, `call`, `print`, `printf`, `println`, `html`, `js`, `urlquery`) with
//! Go's argument rules and error texts, and the resolution of a function name to what a call
//! runs. A function of the same name in the [`FuncMap`] replaces a builtin, as in Go.

use std::rc::Rc;

use super::func::{FuncDef, FuncMap};
use super::gofmt::sprintf;
use super::value::{ListType, MapType, Value};
use crate::Compat;

/// What a function name in a template resolves to, fixed at parse time.
#[derive(Clone, Copy, Debug)]
pub enum Callee {
    Builtin(Builtin),
    Func(FuncDef),
}

impl Callee {
    pub fn resolve(name: &str, funcs: &FuncMap) -> Option<Callee> {
        if let Some(def) = funcs.get(name) {
            return Some(Callee::Func(*def));
        }
        Builtin::from_name(name).map(Callee::Builtin)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Callee::Builtin(b) => b.name(),
            Callee::Func(f) => f.name,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Call,
    Print,
    Printf,
    Println,
    Html,
    Js,
    Urlquery,
}

const BUILTINS: &[(&str, Builtin)] = &[
    ("and", Builtin::And),
    ("or", Builtin::Or),
    ("not", Builtin::Not),
    ("len", Builtin::Len),
    ("index", Builtin::Index),
    ("slice", Builtin::Slice),
    ("eq", Builtin::Eq),
    ("ne", Builtin::Ne),
    ("lt", Builtin::Lt),
    ("le", Builtin::Le),
    ("gt", Builtin::Gt),
    ("ge", Builtin::Ge),
    ("call", Builtin::Call),
    ("print", Builtin::Print),
    ("printf", Builtin::Printf),
    ("println", Builtin::Println),
    ("html", Builtin::Html),
    ("js", Builtin::Js),
    ("urlquery", Builtin::Urlquery),
];

/// The shape of a builtin's Go signature, for the engine's arity and argument checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `reflect.Value` parameters (anything but a literal `nil`): fixed count, variadic?
    Reflect(usize, bool),
    /// `...interface{}`.
    Any,
    /// `string, ...interface{}` (printf).
    FormatAny,
}

impl Builtin {
    pub fn from_name(name: &str) -> Option<Builtin> {
        BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
    }

    pub fn name(self) -> &'static str {
        BUILTINS
            .iter()
            .find(|(_, b)| *b == self)
            .map_or("?", |(n, _)| n)
    }

    pub fn shape(self) -> Shape {
        match self {
            Builtin::And | Builtin::Or | Builtin::Index | Builtin::Slice | Builtin::Eq => {
                Shape::Reflect(1, true)
            }
            Builtin::Call => Shape::Reflect(1, true),
            Builtin::Not | Builtin::Len => Shape::Reflect(1, false),
            Builtin::Ne | Builtin::Lt | Builtin::Le | Builtin::Gt | Builtin::Ge => {
                Shape::Reflect(2, false)
            }
            Builtin::Print | Builtin::Println | Builtin::Html | Builtin::Js | Builtin::Urlquery => {
                Shape::Any
            }
            Builtin::Printf => Shape::FormatAny,
        }
    }
}

/// A value as Go's reflection sees it: `iface` marks a value held in an `interface{}` slot (a
/// map entry, a list element), which matters for nil (an `interface{}` nil is a value, the
/// result of a pipeline that produced nil is "no value") and for type names in errors.
#[derive(Clone, Debug, Default)]
pub struct Val {
    pub v: Value,
    pub iface: bool,
}

impl Val {
    pub fn new(v: Value) -> Val {
        Val { v, iface: false }
    }

    pub fn iface(v: Value) -> Val {
        Val { v, iface: true }
    }

    /// The static Go type that error messages name.
    pub fn type_name(&self) -> String {
        if self.iface {
            "interface {}".into()
        } else {
            self.v.type_name()
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    String,
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Nil => Kind::Invalid,
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Uint(_) => Kind::Uint,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Other,
    }
}

fn int_of(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => 0,
    }
}

fn uint_of(v: &Value) -> u64 {
    match v {
        Value::Uint(u) => *u,
        _ => 0,
    }
}

fn incompatible(compat: Compat, a: &Value, b: &Value) -> String {
    match compat {
        Compat::Helm3 => "incompatible types for comparison".into(),
        Compat::Helm4 => format!(
            "incompatible types for comparison: {} and {}",
            a.type_name(),
            b.type_name()
        ),
    }
}

const BAD_TYPE: &str = "invalid type for comparison";

/// Go's `eq`.
pub fn eq(compat: Compat, args: &[Val]) -> Result<Value, String> {
    let a = &args[0].v;
    if args.len() < 2 {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(a);
    for arg in &args[1..] {
        let b = &arg.v;
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            match (k1, k2) {
                (Kind::Int, Kind::Uint) => int_of(a) >= 0 && int_of(a) as u64 == uint_of(b),
                (Kind::Uint, Kind::Int) => int_of(b) >= 0 && uint_of(a) == int_of(b) as u64,
                _ => {
                    if !a.is_nil() && !b.is_nil() {
                        return Err(incompatible(compat, a, b));
                    }
                    false
                }
            }
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(x), Value::String(y)) => x == y,
                (Value::Uint(x), Value::Uint(y)) => x == y,
                _ if k1 == Kind::Int => int_of(a) == int_of(b),
                (Value::Nil, Value::Nil) => true,
                _ => match (a, b) {
                    (Value::Object(x), Value::Object(y)) => Rc::ptr_eq(x, y),
                    _ => {
                        return Err(format!(
                            "non-comparable type {}: {}",
                            fmt_s(b),
                            b.type_name()
                        ))
                    }
                },
            }
        };
        if truth {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

/// Go's `lt`.
fn less(compat: Compat, a: &Value, b: &Value) -> Result<bool, String> {
    let k1 = basic_kind(a);
    if matches!(k1, Kind::Invalid | Kind::Other) {
        return Err(BAD_TYPE.into());
    }
    let k2 = basic_kind(b);
    if matches!(k2, Kind::Invalid | Kind::Other) {
        return Err(BAD_TYPE.into());
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(int_of(a) < 0 || (int_of(a) as u64) < uint_of(b)),
            (Kind::Uint, Kind::Int) => Ok(int_of(b) >= 0 && uint_of(a) < int_of(b) as u64),
            _ => Err(incompatible(compat, a, b)),
        };
    }
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::String(x), Value::String(y)) => Ok(x < y),
        (Value::Uint(x), Value::Uint(y)) => Ok(x < y),
        _ if k1 == Kind::Int => Ok(int_of(a) < int_of(b)),
        _ => Err(BAD_TYPE.into()),
    }
}

pub fn compare(b: Builtin, compat: Compat, args: &[Val]) -> Result<Value, String> {
    let (x, y) = (&args[0], &args[1]);
    let r = match b {
        Builtin::Ne => !eq(compat, args)?.is_true(),
        Builtin::Lt => less(compat, &x.v, &y.v)?,
        Builtin::Le => less(compat, &x.v, &y.v)? || eq(compat, args)?.is_true(),
        Builtin::Gt => !(less(compat, &x.v, &y.v)? || eq(compat, args)?.is_true()),
        Builtin::Ge => !less(compat, &x.v, &y.v)?,
        _ => false,
    };
    Ok(Value::Bool(r))
}

/// Go's `len`.
pub fn len(arg: &Val) -> Result<Value, String> {
    let n = match &arg.v {
        Value::Nil if arg.iface => return Err("len of nil pointer".into()),
        Value::Nil => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
        Value::String(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.borrow().len(),
        Value::Object(o) => match o.range_entries() {
            Some(e) => e.len(),
            None => return Err(format!("len of type {}", o.type_name())),
        },
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(Value::Int(n as i64))
}

fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let x: i64 = match index {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint(u) => *u as i64,
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ))
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

/// Go's `index`.
pub fn index(args: &[Val]) -> Result<Val, String> {
    let mut item = args[0].clone();
    if item.v.is_nil() {
        return Err("index of untyped nil".into());
    }
    for (n, idx) in args[1..].iter().enumerate() {
        if n > 0 && item.v.is_nil() {
            return Err("index of nil pointer".into());
        }
        item = match &item.v {
            Value::List(l) => {
                let i = index_arg(&idx.v, l.len())?;
                match l.get(i) {
                    // Only an `[]interface{}` holds interfaces (a `nil` item is a nil interface).
                    Some(v) if l.ty() == ListType::Any => Val::iface(v.clone()),
                    Some(v) => Val::new(v.clone()),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::String(s) => {
                let i = index_arg(&idx.v, s.len())?;
                match s.as_bytes().get(i) {
                    Some(b) => Val::new(Value::Uint(u64::from(*b))),
                    None => return Err("reflect: string index out of range".into()),
                }
            }
            Value::Bytes(b) => {
                let i = index_arg(&idx.v, b.len())?;
                match b.get(i) {
                    Some(b) => Val::new(Value::Uint(u64::from(*b))),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::Map(m) => match &idx.v {
                Value::String(k) => {
                    let found = m.borrow().get(&**k).cloned();
                    match (found, m.ty()) {
                        (Some(v), MapType::Strings) => Val::new(v),
                        // A missing key gives the zero value of the element type.
                        (None, MapType::Strings) => Val::new(Value::str("")),
                        (v, _) => Val::iface(v.unwrap_or_default()),
                    }
                }
                Value::Nil => return Err("value is nil; should be of type string".into()),
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ))
                }
            },
            other => {
                return Err(format!("can't index item of type {}", other.type_name()));
            }
        };
    }
    Ok(item)
}

/// Go's builtin `slice` (Sprig's `slice` replaces it in Helm).
pub fn slice(args: &[Val]) -> Result<Value, String> {
    let item = &args[0].v;
    if item.is_nil() {
        return Err("slice of untyped nil".into());
    }
    let idx = &args[1..];
    if idx.len() > 3 {
        return Err(format!("too many slice indexes: {}", idx.len()));
    }
    let len = match item {
        Value::String(s) => {
            if idx.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut ix = [0usize, len, len];
    for (i, v) in idx.iter().enumerate() {
        ix[i] = index_arg(&v.v, len)?;
    }
    if idx.len() < 2 {
        ix[1] = len;
    }
    if ix[0] > ix[1] {
        return Err(format!("invalid slice index: {} > {}", ix[0], ix[1]));
    }
    if idx.len() == 3 && ix[1] > ix[2] {
        return Err(format!("invalid slice index: {} > {}", ix[1], ix[2]));
    }
    Ok(match item {
        Value::String(s) => match s.get(ix[0]..ix[1]) {
            Some(sub) => Value::str(sub),
            None => Value::string(String::from_utf8_lossy(&s.as_bytes()[ix[0]..ix[1]]).into()),
        },
        Value::List(l) => Value::typed_list(l[ix[0]..ix[1]].to_vec(), l.ty()),
        Value::Bytes(b) => Value::Bytes(Rc::from(&b[ix[0]..ix[1]])),
        _ => Value::Nil,
    })
}

fn fmt_s(v: &Value) -> String {
    sprintf("%s", std::slice::from_ref(v))
}
