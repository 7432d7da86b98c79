//! The values Go templates compute with, modelled on the Go types Helm hands to `text/template`.
//!
//! Go keeps `int`, `int64`, `uint64` and `float64` apart, and Helm's output depends on it (a
//! values-file `1000000` is a `float64` and prints `1e+06`; `--set n=1000000` is an `int64` and
//! prints `1000000`), so [`Value`] does too. Data is shared, never deep-copied on access: strings
//! and lists sit behind `Rc`, and maps behind `Rc<RefCell<..>>` because Go maps are reference
//! types that Sprig's `set`, `unset` and `merge` change in place, visibly to every holder.
//! Helm objects with methods (`.Files`, `.Capabilities`, a parsed semver) are [`Object`]s.
//!
//! Go's type identity shows in Helm's output (`typeOf`, `printf "%T"`, argument-type errors,
//! Sprig's type assertions), so a list carries its Go slice type ([`ListType`]: Sprig's
//! `splitList` gives a `[]string`, `until` a `[]int`) and a map its Go map type ([`MapType`]:
//! `split` gives a `map[string]string`, `.Values` is Helm's named `Values` type). The type
//! rides beside the shared data, not inside it: in Go, `.Values` and the plain map a parent
//! chart sees as `.Values.sub` are one map seen through two types.

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::rc::Rc;

use crate::compat::Compat;

/// The entries of a Go `map[string]interface{}`. A `BTreeMap` iterates keys in byte order, which
/// is the order Go's `range`, `fmt` and `encoding/json` use for string keys.
pub type Map = BTreeMap<String, Value>;

/// A shared, mutable Go map.
pub type MapRef = Rc<RefCell<Map>>;

/// The Go type of a slice value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListType {
    /// `[]interface {}`: lists from YAML and JSON, Sprig's `list`, `append`, `uniq`, ...
    #[default]
    Any,
    /// `[]string` (Sprig's `splitList`, `toStrings`, `keys`, `sortAlpha`, `regexFindAll`).
    Strings,
    /// `[]int` (Sprig's `until`, `untilStep`).
    Ints,
    /// `[][]interface {}` (Sprig's `chunk`).
    Lists,
}

impl ListType {
    pub fn go_name(self) -> &'static str {
        match self {
            ListType::Any => "[]interface {}",
            ListType::Strings => "[]string",
            ListType::Ints => "[]int",
            ListType::Lists => "[][]interface {}",
        }
    }
}

/// The Go type of a map value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MapType {
    /// `map[string]interface {}`.
    #[default]
    Any,
    /// `map[string]string` (Sprig's `split`, `splitn`; Helm 4's `.Chart.Annotations`).
    Strings,
    /// Helm's named `map[string]interface {}` type of `.Values`, `.Template` and the root
    /// context: `common.Values` in Helm 4, `chartutil.Values` in Helm 3.
    Values(Compat),
}

impl MapType {
    pub fn go_name(self) -> &'static str {
        match self {
            MapType::Any => "map[string]interface {}",
            MapType::Strings => "map[string]string",
            MapType::Values(Compat::Helm4) => "common.Values",
            MapType::Values(Compat::Helm3) => "chartutil.Values",
        }
    }
}

/// A Go slice: the shared items and the slice type. Dereferences to the items.
#[derive(Clone, Default)]
pub struct ListVal {
    items: Rc<Vec<Value>>,
    ty: ListType,
}

impl ListVal {
    pub fn new(items: Rc<Vec<Value>>, ty: ListType) -> ListVal {
        ListVal { items, ty }
    }

    pub fn ty(&self) -> ListType {
        self.ty
    }

    /// The shared items.
    pub fn items(&self) -> &Rc<Vec<Value>> {
        &self.items
    }
}

impl Deref for ListVal {
    type Target = Rc<Vec<Value>>;

    fn deref(&self) -> &Rc<Vec<Value>> {
        &self.items
    }
}

impl From<Rc<Vec<Value>>> for ListVal {
    fn from(items: Rc<Vec<Value>>) -> ListVal {
        ListVal::new(items, ListType::Any)
    }
}

/// A Go map: the shared entries and the map type. Dereferences to the shared entries.
#[derive(Clone, Default)]
pub struct MapVal {
    map: MapRef,
    ty: MapType,
    /// A nil map of a typed field (Helm 4's `.Chart.Annotations` when `Chart.yaml` has
    /// none): it reads as empty, and `encoding/json` writes it as `null`.
    nil: bool,
}

impl MapVal {
    pub fn new(map: MapRef, ty: MapType) -> MapVal {
        MapVal {
            map,
            ty,
            nil: false,
        }
    }

    /// A nil map of type `ty`.
    pub fn nil(ty: MapType) -> MapVal {
        MapVal {
            map: MapRef::default(),
            ty,
            nil: true,
        }
    }

    pub fn ty(&self) -> MapType {
        self.ty
    }

    pub fn is_nil(&self) -> bool {
        self.nil
    }

    /// The shared entries.
    pub fn map_ref(&self) -> &MapRef {
        &self.map
    }

    pub fn into_ref(self) -> MapRef {
        self.map
    }

    /// The same map seen as another Go type (a conversion shares the entries).
    pub fn with_type(&self, ty: MapType) -> MapVal {
        MapVal {
            map: self.map.clone(),
            ty,
            nil: self.nil,
        }
    }
}

impl Deref for MapVal {
    type Target = MapRef;

    fn deref(&self) -> &MapRef {
        &self.map
    }
}

impl From<MapRef> for MapVal {
    fn from(map: MapRef) -> MapVal {
        MapVal::new(map, MapType::Any)
    }
}

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
    /// A Go slice (`[]interface{}`, or a typed slice such as `[]string`). Slices are never
    /// changed in place by templates, so the items are shared immutably; Sprig's list
    /// functions build new lists.
    List(ListVal),
    /// A Go map (`map[string]interface{}`, `map[string]string` or Helm's named `Values`).
    Map(MapVal),
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
        Value::List(ListVal::new(Rc::new(items), ListType::Any))
    }

    /// A Go `[]string`.
    pub fn strings(items: Vec<Value>) -> Value {
        Value::List(ListVal::new(Rc::new(items), ListType::Strings))
    }

    /// A list of Go type `ty`.
    pub fn typed_list(items: Vec<Value>, ty: ListType) -> Value {
        Value::List(ListVal::new(Rc::new(items), ty))
    }

    pub fn map(map: Map) -> Value {
        Value::Map(MapVal::new(Rc::new(RefCell::new(map)), MapType::Any))
    }

    /// A map of Go type `ty`.
    pub fn typed_map(map: Map, ty: MapType) -> Value {
        Value::Map(MapVal::new(Rc::new(RefCell::new(map)), ty))
    }

    /// A shared map seen as a `map[string]interface{}`.
    pub fn from_map_ref(map: MapRef) -> Value {
        Value::Map(MapVal::new(map, MapType::Any))
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
            Value::Map(m) => Some(m.map_ref()),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&Rc<Vec<Value>>> {
        match self {
            Value::List(l) => Some(l.items()),
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
            Value::List(l) => l.ty().go_name().into(),
            Value::Map(m) => m.ty().go_name().into(),
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
            Value::List(l) => Value::typed_list(l.iter().map(Value::deep_copy).collect(), l.ty()),
            Value::Map(m) if m.is_nil() => Value::Map(m.clone()),
            Value::Map(m) => Value::typed_map(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_copy()))
                    .collect(),
                m.ty(),
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

/// One field of a Go struct, in declaration order: what `fmt` prints (`%v`, `%+v`, `%#v`) and
/// what `encoding/json` writes (`toJson`, `toYaml`).
#[derive(Clone, Debug)]
pub struct Field {
    /// The Go field name; a lower-case first letter is an unexported field, which `fmt`
    /// prints and `encoding/json` leaves out.
    pub name: &'static str,
    pub value: Value,
    /// The name in the `json` tag, if the field has one; `"-"` leaves the field out.
    pub json: Option<&'static str>,
    /// The tag's `omitempty`: false, 0, "", nil and empty lists and maps are left out.
    pub omitempty: bool,
    /// An embedded struct: `encoding/json` writes its fields in place of it.
    pub embedded: bool,
}

impl Field {
    /// An exported field with no tag.
    pub fn plain(name: &'static str, value: Value) -> Field {
        Field {
            name,
            value,
            json: None,
            omitempty: false,
            embedded: false,
        }
    }

    /// A field with a `json:"<name>"` or `json:"<name>,omitempty"` tag.
    pub fn tagged(name: &'static str, value: Value, json: &'static str, omitempty: bool) -> Field {
        Field {
            name,
            value,
            json: Some(json),
            omitempty,
            embedded: false,
        }
    }

    fn exported(&self) -> bool {
        self.name.starts_with(|c: char| c.is_ascii_uppercase())
    }
}

/// The (key, value) pairs `encoding/json` writes for a struct with these fields, in order:
/// unexported and `json:"-"` fields left out, `omitempty` applied, embedded structs' fields
/// promoted into place.
pub fn json_fields(fields: Vec<Field>) -> Vec<(&'static str, Value)> {
    let mut out = Vec::with_capacity(fields.len());
    for f in fields {
        if f.embedded && f.json.is_none() {
            if let Value::Object(o) = &f.value {
                if let Some(inner) = o.fields() {
                    out.extend(json_fields(inner));
                    continue;
                }
            }
        }
        if !f.exported() || f.json == Some("-") {
            continue;
        }
        if f.omitempty && json_empty(&f.value) {
            continue;
        }
        out.push((f.json.unwrap_or(f.name), f.value));
    }
    out
}

/// `encoding/json`'s `isEmptyValue`.
fn json_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Uint(u) => *u == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.borrow().is_empty(),
        Value::Object(_) => false,
    }
}

/// A Go struct's fields as the map `encoding/json` would write (for [`Object::to_data`]).
pub fn json_map(fields: Vec<Field>) -> Value {
    Value::map(
        json_fields(fields)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A plain Go struct (or pointer to one) with no methods, known by its fields: Helm 3's
/// `chart.Metadata`, `*chart.Maintainer`, `*chart.Dependency`.
pub struct GoStruct {
    pub type_name: &'static str,
    /// Whether the value is a pointer to the struct (`%v` prints `&{...}`, or an address
    /// when nested).
    pub pointer: bool,
    pub fields: Vec<Field>,
}

impl Object for GoStruct {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn kind_name(&self) -> &'static str {
        if self.pointer {
            "ptr"
        } else {
            "struct"
        }
    }

    fn field(&self, name: &str) -> Option<Value> {
        let f = self.fields.iter().find(|f| f.name == name)?;
        f.exported().then(|| f.value.clone())
    }

    fn format(&self) -> String {
        crate::gotemplate::gofmt::fmt_struct(self)
    }

    fn fields(&self) -> Option<Vec<Field>> {
        Some(self.fields.clone())
    }

    fn to_data(&self) -> Value {
        json_map(self.fields.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
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

    /// What `fmt`'s `%v` prints (a Go `String()` method where the type has one). Not used
    /// for structs that give their [`Object::fields`] and have no `String()` on the value.
    fn format(&self) -> String;

    /// [`Object::format`] appended to `out`; an object whose text is large and kept (a
    /// chart's files) writes it without an intermediate copy.
    fn write_format(&self, out: &mut String) {
        out.push_str(&self.format());
    }

    /// The fields of a Go struct (or of the struct a pointer points at), in declaration
    /// order; `None` for other types. `fmt` prints a struct field by field, and
    /// `encoding/json` writes them in this order.
    fn fields(&self) -> Option<Vec<Field>> {
        None
    }

    /// A `String()` method declared on the pointer type of a struct: Go's template printer
    /// uses it for an addressable struct value (a field reached through a pointer, such as
    /// `.Capabilities.KubeVersion`), while `fmt` on a copy of the value does not.
    fn pointer_string(&self) -> Option<String> {
        None
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    // The Go type rides in the padding beside each `Rc`: values stay three words, which the
    // engine's hot path (every field access and argument clones one) depends on.
    #[test]
    fn value_stays_three_words() {
        assert_eq!(
            std::mem::size_of::<Value>(),
            3 * std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn json_fields_apply_tags_omitempty_and_embedding() {
        let inner = Value::Object(Rc::new(GoStruct {
            type_name: "T",
            pointer: false,
            fields: vec![Field::tagged("A", Value::str(""), "a", true)],
        }));
        let fields = vec![
            Field::plain("hidden", Value::str("x")),
            Field::tagged("Kept", Value::str(""), "kept", false),
            Field::tagged("Skipped", Value::str("x"), "-", false),
            Field {
                embedded: true,
                ..Field::plain("T", inner)
            },
            Field::tagged("B", Value::Bool(true), "b", true),
        ];
        let keys: Vec<&str> = json_fields(fields).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["kept", "b"]);
    }
}
