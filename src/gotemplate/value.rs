//! The values Go templates compute with, modelled on the Go types Helm hands to `text/template`.
//!
//! Go keeps `int`, `int64`, `uint64` and `float64` apart, and Helm's output depends on it (a
//! values-file `1000000` is a `float64` and prints `1e+06`; `--set n=1000000` is an `int64` and
//! prints `1000000`), so [`Value`] does too. Data is shared, never deep-copied on access: strings
//! and lists sit behind `Rc`, and maps behind `Rc<RefCell<..>>` because Go maps are reference
//! types that Sprig's `set`, `unset` and `merge` change in place, visibly to every holder.
//! Helm objects with methods (`.Files`, `.Capabilities`, a parsed semver) are [`Object`]s.

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// The entries of a Go `map[string]interface{}`. A `BTreeMap` iterates keys in byte order, which
/// is the order Go's `range`, `fmt` and `encoding/json` use for string keys.
pub type Map = BTreeMap<String, Value>;

/// A shared, mutable Go map.
pub type MapRef = Rc<RefCell<Map>>;

/// A Go value as a template sees it.
#[derive(Clone, Default)]
pub enum Value {
    /// Go's untyped `nil`, a nil interface, or a missing map entry.
    #[default]
    Nil,
    Bool(bool),
    /// Go `int`: template integer literals, `len`, `.Release.Revision`, Sprig's `int`, `atoi`.
    Int(i64),
    /// Go `int64`: `--set` integers, TOML integers, Sprig's `int64`, `add`, `mul`, ...
    Int64(i64),
    /// Go `uint64`.
    Uint(u64),
    /// Go `float64`: every number loaded from YAML or JSON.
    Float(f64),
    String(Rc<str>),
    /// Go `[]byte` (`.Files.GetBytes`).
    Bytes(Rc<[u8]>),
    /// Go `[]interface{}`. Slices are never changed in place by templates, so the items are
    /// shared immutably; Sprig's list functions build new lists.
    List(Rc<Vec<Value>>),
    /// Go `map[string]interface{}`.
    Map(MapRef),
    /// A Go struct, pointer or named type with fields and methods.
    Object(Rc<dyn Object>),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::String(Rc::from(s))
    }

    pub fn string(s: String) -> Value {
        Value::String(Rc::from(s))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    pub fn map(map: Map) -> Value {
        Value::Map(Rc::new(RefCell::new(map)))
    }

    pub fn empty_map() -> Value {
        Value::map(Map::new())
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&MapRef> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&Rc<Vec<Value>>> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// Go's `text/template` truth: false, 0, nil, and empty strings, slices and maps are false;
    /// structs are always true.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Uint(u) => *u != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            Value::Object(o) => o.is_true(),
        }
    }

    /// The Go type name, as `printf "%T"` and Sprig's `typeOf` print it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Int64(_) => "int64".into(),
            Value::Uint(_) => "uint64".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::Bytes(_) => "[]uint8".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::Map(_) => "map[string]interface {}".into(),
            Value::Object(o) => o.type_name().into(),
        }
    }

    /// The Go `reflect.Kind` name, as Sprig's `kindOf` prints it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint(_) => "uint64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// A copy that shares nothing mutable with `self` (Sprig's `deepCopy`, and the values each
    /// lint environment starts from).
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::List(l) => Value::list(l.iter().map(Value::deep_copy).collect()),
            Value::Map(m) => Value::map(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_copy()))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::string(s)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "int({i})"),
            Value::Int64(i) => write!(f, "int64({i})"),
            Value::Uint(u) => write!(f, "uint64({u})"),
            Value::Float(x) => write!(f, "float64({x:?})"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "bytes({b:?})"),
            Value::List(l) => f.debug_list().entries(l.iter()).finish(),
            Value::Map(m) => f.debug_map().entries(m.borrow().iter()).finish(),
            Value::Object(o) => write!(f, "{}({})", o.type_name(), o.format()),
        }
    }
}

/// A Go struct, pointer or named type with fields and methods: `.Files`, `.Capabilities`,
/// `.Capabilities.KubeVersion`, `.Capabilities.APIVersions`, a Helm v3 `.Chart`, Sprig's
/// `semver` result, `time.Time`.
pub trait Object {
    /// The Go type name (`printf "%T"`, `typeOf`), e.g. `*chart.Metadata`.
    fn type_name(&self) -> &str;

    /// The Go kind name (`kindOf`), e.g. `struct`, `ptr`, `map`, `slice`.
    fn kind_name(&self) -> &'static str {
        "struct"
    }

    /// A field, or a method that takes no arguments, by its Go name. `None` when there is no
    /// such field or method: the engine then reports Go's "can't evaluate field" error.
    fn field(&self, name: &str) -> Option<Value>;

    /// Whether `name` is a method (then [`Object::call`] is used when arguments are given).
    fn has_method(&self, _name: &str) -> bool {
        false
    }

    /// Calls a method with arguments. `Err` holds the method's Go error text.
    fn call(&self, name: &str, _args: &[Value]) -> Result<Value, String> {
        Err(format!("{name} is not a method"))
    }

    /// What `fmt`'s `%v` prints (a Go `String()` method where the type has one).
    fn format(&self) -> String;

    /// The value `encoding/json` would see (`toJson`, `toYaml`): usually a map or a string.
    fn to_data(&self) -> Value;

    /// Go truth: a struct is always true; a slice or map type is true when non-empty.
    fn is_true(&self) -> bool {
        true
    }

    /// A map-like object's keys, for `range` (sorted), or `None` when it cannot be ranged over.
    fn range_entries(&self) -> Option<Vec<(Value, Value)>> {
        None
    }

    fn as_any(&self) -> &dyn Any;
}
