//! The built-in objects every template sees besides `.Values` and `.Capabilities`: `.Files`
//! (a Go map of path to bytes with methods), `.Chart` (a map with Go field names in Helm 4, a
//! struct in Helm 3), `.Release` and `.Template`.

use std::any::Any;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::glob::FilesGlob;
use crate::chart::{Dependency, Maintainer, Metadata};
use crate::gotemplate::gofmt;
use crate::gotemplate::value::{
    json_map, Field, GoStruct, ListType, Map, MapType, MapVal, Object, Value,
};
use crate::Compat;

/// Serialises a value as Helm's `toYaml` does; given by the renderer so this module does not
/// depend on the YAML emitter.
pub type ToYaml = fn(&Value) -> Result<String, String>;

/// `.Files`: the chart's non-template files (Helm's `engine.files`, a `map[string][]byte`).
#[derive(Clone)]
pub struct Files {
    pub files: Rc<BTreeMap<String, Rc<[u8]>>>,
    pub compat: Compat,
    pub to_yaml: ToYaml,
    /// Go's `%v` of the files, made once: a chart that formats its root context (as a `dict`
    /// key, say) formats every file of the chart each time, megabytes of decimal bytes.
    formatted: OnceCell<String>,
}

const FILES_METHODS: &[&str] = &["Get", "GetBytes", "Glob", "Lines", "AsConfig", "AsSecrets"];

impl Files {
    /// What `%v` prints, made on first use: a chart that formats its root context (Sprig's
    /// `dict` with it as a key) does so for every such call.
    fn text(&self) -> &str {
        self.formatted.get_or_init(|| {
            // Four bytes at most per byte of a file, and its name with a space and a colon.
            let size = self
                .files
                .iter()
                .map(|(k, v)| k.len() + 2 + 4 * v.len() + 2)
                .sum::<usize>();
            let mut out = String::with_capacity(size + 5);
            out.push_str("map[");
            for (i, (k, v)) in self.files.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                format_bytes(v, &mut out);
            }
            out.push(']');
            out
        })
    }

    pub fn new(files: Rc<BTreeMap<String, Rc<[u8]>>>, compat: Compat, to_yaml: ToYaml) -> Files {
        Files {
            files,
            compat,
            to_yaml,
            formatted: OnceCell::new(),
        }
    }

    fn get(&self, name: &str) -> Rc<[u8]> {
        self.files
            .get(name)
            .cloned()
            .unwrap_or_else(|| Rc::from(&[][..]))
    }

    fn glob(&self, pattern: &str) -> Files {
        let g = FilesGlob::new(pattern);
        let files = self
            .files
            .iter()
            .filter(|(name, _)| g.is_match(name))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Files::new(Rc::new(files), self.compat, self.to_yaml)
    }

    fn lines(&self, name: &str) -> Result<Value, String> {
        let Some(data) = self.files.get(name) else {
            return Ok(Value::strings(Vec::new()));
        };
        if data.is_empty() {
            // Helm 3 indexes the last byte of an empty file and panics; Helm 4 checks.
            return match self.compat {
                Compat::Helm3 => Err("runtime error: index out of range [-1]".into()),
                Compat::Helm4 => Ok(Value::strings(Vec::new())),
            };
        }
        let text = crate::chart::text_of(data);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Ok(Value::strings(text.split('\n').map(Value::str).collect()))
    }

    /// `AsConfig` and `AsSecrets`: base name to content, as YAML.
    fn as_yaml(&self, encode: impl Fn(&[u8]) -> String) -> Result<Value, String> {
        let mut m = Map::new();
        for (name, data) in self.files.iter() {
            let base = name.rsplit('/').next().unwrap_or(name);
            m.insert(base.to_string(), Value::string(encode(data)));
        }
        (self.to_yaml)(&Value::map(m)).map(Value::string)
    }
}

/// Go's `%v` of a `[]byte`: its decimal bytes in brackets, appended to `out`.
///
/// Charts reach this with every file of the chart (Sprig's `dict` formats a key that is the
/// root context), so each byte is one table lookup: its digits and a space, four bytes
/// written at once and the unused ones cut off.
fn format_bytes(data: &[u8], out: &mut String) {
    /// For each byte: its decimal digits followed by a space, padded to four bytes, and how
    /// many of the four belong to it.
    const DIGITS: [([u8; 4], u8); 256] = {
        let mut table = [([0u8; 4], 0u8); 256];
        let mut b = 0;
        while b < 256 {
            let d = b as u8;
            table[b] = if b >= 100 {
                ([b'0' + d / 100, b'0' + d / 10 % 10, b'0' + d % 10, b' '], 4)
            } else if b >= 10 {
                ([b'0' + d / 10, b'0' + d % 10, b' ', b' '], 3)
            } else {
                ([b'0' + d, b' ', b' ', b' '], 2)
            };
            b += 1;
        }
        table
    };
    // SAFETY: only ASCII digits, spaces and brackets are written, so the text stays UTF-8
    // (checking it afterwards would read all the files printed before this one again).
    let buf = unsafe { out.as_mut_vec() };
    buf.reserve(data.len() * 4 + 2);
    buf.push(b'[');
    for &b in data {
        let (digits, len) = DIGITS[usize::from(b)];
        buf.extend_from_slice(&digits);
        buf.truncate(buf.len() - 4 + usize::from(len));
    }
    if !data.is_empty() {
        // The space after the last byte.
        buf.pop();
    }
    buf.push(b']');
}

/// Standard base64 with padding, as `encoding/base64.StdEncoding` writes it.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }

    fn kind_name(&self) -> &'static str {
        "map"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "AsConfig" => self.as_yaml(|d| crate::chart::text_of(d).into_owned()).ok(),
            "AsSecrets" => self.as_yaml(base64).ok(),
            // Any other name indexes the map: a missing file is an empty `[]byte`.
            _ => Some(Value::Bytes(self.get(name))),
        }
    }

    fn has_method(&self, name: &str) -> bool {
        FILES_METHODS.contains(&name)
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let want = match name {
            "AsConfig" | "AsSecrets" => 0,
            _ => 1,
        };
        if args.len() != want {
            return Err(format!(
                "wrong number of args for {name}: want {want} got {}",
                args.len()
            ));
        }
        let arg = || match &args[0] {
            Value::String(s) => Ok(s.clone()),
            other => Err(format!(
                "wrong type for value; expected string; got {}",
                other.type_name()
            )),
        };
        match name {
            "Get" => Ok(Value::string(
                crate::chart::text_of(&self.get(&arg()?)).into_owned(),
            )),
            "GetBytes" => Ok(Value::Bytes(self.get(&arg()?))),
            "Glob" => Ok(Value::Object(Rc::new(self.glob(&arg()?)))),
            "Lines" => self.lines(&arg()?),
            "AsConfig" => self.as_yaml(|d| crate::chart::text_of(d).into_owned()),
            "AsSecrets" => self.as_yaml(base64),
            _ => Err(format!("{name} is not a method")),
        }
    }

    fn format(&self) -> String {
        self.text().to_string()
    }

    fn write_format(&self, out: &mut String) {
        let text = self.text();
        // Room for what follows too: the rest of a root context printed after the files would
        // otherwise grow the buffer by copying these megabytes (the pages reserved and not
        // written are never touched).
        out.reserve(2 * text.len());
        out.push_str(text);
    }

    fn to_data(&self) -> Value {
        Value::map(
            self.files
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
        )
    }

    fn is_true(&self) -> bool {
        !self.files.is_empty()
    }

    fn range_entries(&self) -> Option<Vec<(Value, Value)>> {
        Some(
            self.files
                .iter()
                .map(|(k, v)| (Value::str(k), Value::Bytes(v.clone())))
                .collect(),
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn strings(items: &[String]) -> Value {
    Value::list(items.iter().map(|s| Value::str(s)).collect())
}

/// `.Chart` of a chart: a map with Go field names in Helm 4, a struct in Helm 3.
pub fn chart_value(meta: &Metadata, is_root: bool, compat: Compat) -> Value {
    match compat {
        Compat::Helm4 => Value::map(metadata_go_map(meta, is_root)),
        Compat::Helm3 => Value::Object(Rc::new(Helm3Chart {
            meta: meta.clone(),
            is_root,
        })),
    }
}

fn maintainer_go_map(this: &Maintainer) -> Value {
    let mut m = Map::new();
    m.insert("Name".into(), Value::str(&this.name));
    m.insert("Email".into(), Value::str(&this.email));
    m.insert("URL".into(), Value::str(&this.url));
    Value::map(m)
}

fn dependency_go_map(this: &Dependency) -> Value {
    let mut m = Map::new();
    m.insert("Name".into(), Value::str(&this.name));
    m.insert("Version".into(), Value::str(&this.version));
    m.insert("Repository".into(), Value::str(&this.repository));
    m.insert("Condition".into(), Value::str(&this.condition));
    m.insert("Tags".into(), strings(&this.tags));
    m.insert("Enabled".into(), Value::Bool(this.enabled));
    m.insert(
        "ImportValues".into(),
        Value::list(this.import_values.clone()),
    );
    m.insert("Alias".into(), Value::str(&this.alias));
    Value::map(m)
}

/// Every field of `Chart.yaml` by its Go name, as Helm 4's `MetadataAsMap` builds it, plus
/// `IsRoot`. Null list entries (rejected by chart validation) are left out.
pub fn metadata_go_map(this: &Metadata, is_root: bool) -> Map {
    let mut m = Map::new();
    m.insert("Name".into(), Value::str(&this.name));
    m.insert("Home".into(), Value::str(&this.home));
    m.insert("Sources".into(), strings(&this.sources));
    m.insert("Version".into(), Value::str(&this.version));
    m.insert("Description".into(), Value::str(&this.description));
    m.insert("Keywords".into(), strings(&this.keywords));
    m.insert(
        "Maintainers".into(),
        Value::list(
            this.maintainers
                .iter()
                .flatten()
                .map(maintainer_go_map)
                .collect(),
        ),
    );
    m.insert("Icon".into(), Value::str(&this.icon));
    m.insert("APIVersion".into(), Value::str(&this.api_version));
    m.insert("Condition".into(), Value::str(&this.condition));
    m.insert("Tags".into(), Value::str(&this.tags));
    m.insert("AppVersion".into(), Value::str(&this.app_version));
    m.insert("Deprecated".into(), Value::Bool(this.deprecated));
    // A `map[string]string`, nil when `Chart.yaml` has none (`toJson` writes `null`).
    let annotations = if this.annotations.is_empty() {
        Value::Map(MapVal::nil(MapType::Strings))
    } else {
        Value::typed_map(
            this.annotations
                .iter()
                .map(|(k, v)| (k.clone(), Value::str(v)))
                .collect(),
            MapType::Strings,
        )
    };
    m.insert("Annotations".into(), annotations);
    m.insert("KubeVersion".into(), Value::str(&this.kube_version));
    m.insert(
        "Dependencies".into(),
        Value::list(this.deps().map(dependency_go_map).collect()),
    );
    m.insert("Type".into(), Value::str(&this.chart_type));
    m.insert("IsRoot".into(), Value::Bool(is_root));
    m
}

/// Helm 3's `chart.Metadata` struct, with its JSON tags (every field `omitempty`).
fn helm3_metadata(meta: &Metadata) -> Value {
    let text = |name, json, v: &str| Field::tagged(name, Value::str(v), json, true);
    let maintainers = meta
        .maintainers
        .iter()
        .flatten()
        .map(|m| {
            Value::Object(Rc::new(GoStruct {
                type_name: "*chart.Maintainer",
                pointer: true,
                fields: vec![
                    text("Name", "name", &m.name),
                    text("Email", "email", &m.email),
                    text("URL", "url", &m.url),
                ],
            }))
        })
        .collect();
    let dependencies = meta
        .deps()
        .map(|d| {
            Value::Object(Rc::new(GoStruct {
                type_name: "*chart.Dependency",
                pointer: true,
                fields: vec![
                    Field::tagged("Name", Value::str(&d.name), "name", false),
                    text("Version", "version", &d.version),
                    Field::tagged("Repository", Value::str(&d.repository), "repository", false),
                    text("Condition", "condition", &d.condition),
                    Field::tagged("Tags", Value::strings(str_items(&d.tags)), "tags", true),
                    Field::tagged("Enabled", Value::Bool(d.enabled), "enabled", true),
                    Field::tagged(
                        "ImportValues",
                        Value::list(d.import_values.clone()),
                        "import-values",
                        true,
                    ),
                    text("Alias", "alias", &d.alias),
                ],
            }))
        })
        .collect();
    let annotations = if meta.annotations.is_empty() {
        Value::Map(MapVal::nil(MapType::Strings))
    } else {
        Value::typed_map(
            meta.annotations
                .iter()
                .map(|(k, v)| (k.clone(), Value::str(v)))
                .collect(),
            MapType::Strings,
        )
    };
    Value::Object(Rc::new(GoStruct {
        type_name: "chart.Metadata",
        pointer: false,
        fields: vec![
            text("Name", "name", &meta.name),
            text("Home", "home", &meta.home),
            Field::tagged(
                "Sources",
                Value::strings(str_items(&meta.sources)),
                "sources",
                true,
            ),
            text("Version", "version", &meta.version),
            text("Description", "description", &meta.description),
            Field::tagged(
                "Keywords",
                Value::strings(str_items(&meta.keywords)),
                "keywords",
                true,
            ),
            Field::tagged(
                "Maintainers",
                Value::typed_list(maintainers, ListType::Any),
                "maintainers",
                true,
            ),
            text("Icon", "icon", &meta.icon),
            text("APIVersion", "apiVersion", &meta.api_version),
            text("Condition", "condition", &meta.condition),
            text("Tags", "tags", &meta.tags),
            text("AppVersion", "appVersion", &meta.app_version),
            Field::tagged(
                "Deprecated",
                Value::Bool(meta.deprecated),
                "deprecated",
                true,
            ),
            Field::tagged("Annotations", annotations, "annotations", true),
            text("KubeVersion", "kubeVersion", &meta.kube_version),
            Field::tagged(
                "Dependencies",
                Value::typed_list(dependencies, ListType::Any),
                "dependencies",
                true,
            ),
            text("Type", "type", &meta.chart_type),
        ],
    }))
}

fn str_items(items: &[String]) -> Vec<Value> {
    items.iter().map(|s| Value::str(s)).collect()
}

/// Helm 3's `.Chart`: `struct { chart.Metadata; IsRoot bool }`. Unknown fields are errors.
pub struct Helm3Chart {
    pub meta: Metadata,
    pub is_root: bool,
}

impl Object for Helm3Chart {
    fn type_name(&self) -> &str {
        "struct { chart.Metadata; IsRoot bool }"
    }

    fn field(&self, name: &str) -> Option<Value> {
        if name == "IsRoot" {
            return Some(Value::Bool(self.is_root));
        }
        let meta = helm3_metadata(&self.meta);
        if name == "Metadata" {
            // The embedded struct itself (`.Chart.Metadata.Name` works too).
            return Some(meta);
        }
        match meta {
            Value::Object(o) => o.field(name),
            _ => None,
        }
    }

    fn format(&self) -> String {
        gofmt::fmt_struct(self)
    }

    fn fields(&self) -> Option<Vec<Field>> {
        Some(vec![
            Field {
                embedded: true,
                ..Field::plain("Metadata", helm3_metadata(&self.meta))
            },
            Field::plain("IsRoot", Value::Bool(self.is_root)),
        ])
    }

    fn to_data(&self) -> Value {
        json_map(self.fields().unwrap_or_default())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Release`.
#[derive(Clone, Debug)]
pub struct ReleaseInfo {
    pub name: String,
    pub namespace: String,
    pub is_upgrade: bool,
    pub revision: i64,
}

impl ReleaseInfo {
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("Name".into(), Value::str(&self.name));
        m.insert("Namespace".into(), Value::str(&self.namespace));
        m.insert("IsUpgrade".into(), Value::Bool(self.is_upgrade));
        m.insert("IsInstall".into(), Value::Bool(!self.is_upgrade));
        m.insert("Revision".into(), Value::Int(self.revision));
        m.insert("Service".into(), Value::str("Helm"));
        Value::map(m)
    }
}

/// `.Template` for the file being rendered.
pub fn template_value(name: &str, base_path: &str, compat: Compat) -> Value {
    let mut m = Map::new();
    m.insert("Name".into(), Value::str(name));
    m.insert("BasePath".into(), Value::str(base_path));
    // Helm builds it as its named `Values` type.
    Value::typed_map(m, MapType::Values(compat))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_stub(v: &Value) -> Result<String, String> {
        Ok(format!("{v:?}"))
    }

    fn files() -> Files {
        let mut m = BTreeMap::new();
        m.insert("conf/a.txt".to_string(), Rc::from(&b"x\ny\n"[..]));
        m.insert("conf/b.txt".to_string(), Rc::from(&b"b\n"[..]));
        m.insert("empty.txt".to_string(), Rc::from(&b""[..]));
        Files::new(Rc::new(m), Compat::Helm4, yaml_stub)
    }

    // Expected texts were read off `helm template` with the same files.
    #[test]
    fn files_print_as_a_go_map_of_bytes() {
        assert_eq!(
            files().format(),
            "map[conf/a.txt:[120 10 121 10] conf/b.txt:[98 10] empty.txt:[]]"
        );
        let glob = files().call("Glob", &[Value::str("conf/*")]).unwrap();
        let Value::Object(o) = glob else {
            panic!("Glob returns files")
        };
        assert_eq!(
            o.format(),
            "map[conf/a.txt:[120 10 121 10] conf/b.txt:[98 10]]"
        );
    }

    #[test]
    fn lines_drop_one_trailing_newline() {
        let f = files();
        let lines = f.call("Lines", &[Value::str("conf/a.txt")]).unwrap();
        assert_eq!(format!("{lines:?}"), "[\"x\", \"y\"]");
        let empty = f.call("Lines", &[Value::str("empty.txt")]).unwrap();
        assert_eq!(format!("{empty:?}"), "[]");
        let h3 = Files::new(f.files.clone(), Compat::Helm3, f.to_yaml);
        assert_eq!(
            h3.call("Lines", &[Value::str("empty.txt")]).unwrap_err(),
            "runtime error: index out of range [-1]"
        );
    }

    #[test]
    fn missing_files_are_empty() {
        let f = files();
        assert_eq!(
            format!("{:?}", f.call("Get", &[Value::str("nope")]).unwrap()),
            "\"\""
        );
        assert!(matches!(f.field("nope"), Some(Value::Bytes(b)) if b.is_empty()));
    }

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b"x\ny\n"), "eAp5Cg==");
        assert_eq!(base64(b"b\n"), "Ygo=");
        assert_eq!(base64(b"abc"), "YWJj");
    }

    #[test]
    fn helm3_chart_prints_as_a_struct() {
        let meta = Metadata {
            name: "c".into(),
            version: "0.1.0".into(),
            api_version: "v2".into(),
            ..Default::default()
        };
        let Value::Object(o) = chart_value(&meta, true, Compat::Helm3) else {
            panic!("a struct in Helm 3")
        };
        assert_eq!(
            o.format(),
            "{{c  [] 0.1.0  [] []  v2    false map[]  [] } true}"
        );
        assert!(o.field("Foo").is_none());
    }
}
