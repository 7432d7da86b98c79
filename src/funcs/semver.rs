//! Sprig's `semver` and `semverCompare`, and the Masterminds/semver rules behind them.
//!
//! Helm 3 builds with Masterminds/semver v3.3.0 and Helm 4 with v3.4.0 or later, and the two
//! differ in ways templates can see: error texts changed case (`Invalid Semantic Version` →
//! `invalid semantic version`) and Helm 4 quotes improper constraints, and v3.4.0 lets a pre-release version satisfy every constraint
//! of an AND group when any constraint of that group names a pre-release, where v3.3.0 asks
//! each constraint separately. [`Version::parse`] and [`Constraints::parse`] take the
//! [`Compat`] to choose. Both are public so that chart loading can check `kubeVersion` with
//! the same rules.

use std::any::Any;
use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::OnceLock;

use regex::Regex;

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::{Object, Value};
use crate::Compat;

pub fn register(map: &mut FuncMap) {
    map.insert(func!("semver", [String], semver));
    map.insert(func!("semverCompare", [String, String], semver_compare));
}

fn semver(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let text = args.first().and_then(Value::as_str).unwrap_or("");
    let v = Version::parse(text, rt.compat()).map_err(FuncError::Call)?;
    Ok(Value::Object(Rc::new(VersionObject {
        version: v,
        compat: rt.compat(),
        pointer: true,
    })))
}

fn semver_compare(rt: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let constraint = args.first().and_then(Value::as_str).unwrap_or("");
    let version = args.get(1).and_then(Value::as_str).unwrap_or("");
    let c = Constraints::parse(constraint, rt.compat()).map_err(FuncError::Call)?;
    let v = Version::parse(version, rt.compat()).map_err(FuncError::Call)?;
    Ok(Value::Bool(c.check(&v)))
}

/// The error texts of the two library versions.
struct Texts {
    invalid: &'static str,
    segment: &'static str,
    prerelease: &'static str,
    metadata: &'static str,
    starts_zero: &'static str,
    parser: &'static str,
    /// v3.4.0 rejects empty dot-separated parts in `SetPrerelease`/`SetMetadata`; v3.3.0
    /// accepts them (parsing never sees one: the version pattern excludes them).
    empty_parts_invalid: bool,
}

fn texts(compat: Compat) -> &'static Texts {
    match compat {
        Compat::Helm3 => &Texts {
            invalid: "Invalid Semantic Version",
            segment: "Error parsing version segment",
            prerelease: "Invalid Prerelease string",
            metadata: "Invalid Metadata string",
            starts_zero: "Version segment starts with 0",
            parser: "constraint Parser Error",
            empty_parts_invalid: false,
        },
        _ => &Texts {
            invalid: "invalid semantic version",
            segment: "error parsing version segment",
            prerelease: "invalid prerelease string",
            metadata: "invalid metadata string",
            starts_zero: "version segment starts with 0",
            parser: "constraint parser error",
            empty_parts_invalid: true,
        },
    }
}

/// The version pattern both library versions parse with (v3.4.0 calls it the loose pattern and
/// uses it because coercion is on by default).
fn version_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // A constant pattern: it compiles.
        Regex::new(concat!(
            r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?",
            r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
            r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"
        ))
        .expect("constant regex")
    })
}

/// A parsed semantic version, as Masterminds/semver's `Version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
    pub original: String,
}

/// Go's `strconv.ParseUint(s, 10, 64)` error for digits that overflow.
fn parse_segment(s: &str, t: &Texts) -> Result<u64, String> {
    s.parse::<u64>().map_err(|_| {
        format!(
            "{}: strconv.ParseUint: parsing {s:?}: value out of range",
            t.segment
        )
    })
}

fn only(s: &str, allowed: impl Fn(u8) -> bool) -> bool {
    s.bytes().all(allowed)
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn validate_prerelease(p: &str, t: &Texts) -> Result<(), String> {
    for part in p.split('.') {
        if part.is_empty() && t.empty_parts_invalid {
            return Err(t.prerelease.into());
        } else if only(part, |b| b.is_ascii_digit()) {
            if part.len() > 1 && part.starts_with('0') {
                return Err(t.starts_zero.into());
            }
        } else if !only(part, is_ident_byte) {
            return Err(t.prerelease.into());
        }
    }
    Ok(())
}

fn validate_metadata(m: &str, t: &Texts) -> Result<(), String> {
    if m.split('.')
        .any(|p| (p.is_empty() && t.empty_parts_invalid) || !only(p, is_ident_byte))
    {
        return Err(t.metadata.into());
    }
    Ok(())
}

impl Version {
    /// `semver.NewVersion`: a leading `v`, missing minor and patch, and leading zeros are all
    /// accepted.
    pub fn parse(v: &str, compat: Compat) -> Result<Version, String> {
        let t = texts(compat);
        let m = version_regex()
            .captures(v)
            .ok_or_else(|| t.invalid.to_string())?;
        let group = |i: usize| m.get(i).map_or("", |g| g.as_str());
        let major = parse_segment(group(1), t)?;
        let minor = match group(2) {
            "" => 0,
            s => parse_segment(&s[1..], t)?,
        };
        let patch = match group(3) {
            "" => 0,
            s => parse_segment(&s[1..], t)?,
        };
        let pre = group(5).to_string();
        let metadata = group(8).to_string();
        if !pre.is_empty() {
            validate_prerelease(&pre, t)?;
        }
        if !metadata.is_empty() {
            validate_metadata(&metadata, t)?;
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre,
            metadata,
            original: v.to_string(),
        })
    }

    /// `Version.String()`: the normalised form without a `v`.
    pub fn to_go_string(&self) -> String {
        let mut s = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.pre.is_empty() {
            s.push('-');
            s.push_str(&self.pre);
        }
        if !self.metadata.is_empty() {
            s.push('+');
            s.push_str(&self.metadata);
        }
        s
    }

    fn v_prefix(&self) -> &'static str {
        if self.original.starts_with('v') {
            "v"
        } else {
            ""
        }
    }

    /// Orders by major, minor, patch, then pre-release (a release sorts after its
    /// pre-releases); metadata is ignored.
    pub fn compare(&self, o: &Version) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }

    fn with_original(mut self) -> Version {
        self.original = format!("{}{}", self.v_prefix(), self.to_go_string());
        self
    }

    fn inc_patch(&self) -> Version {
        let mut n = self.clone();
        if n.pre.is_empty() {
            // Go's v3.3.0 wraps a maximal segment around.
            n.patch = n.patch.wrapping_add(1);
        }
        n.pre.clear();
        n.metadata.clear();
        n.with_original()
    }

    fn inc_minor(&self) -> Version {
        let mut n = self.clone();
        n.pre.clear();
        n.metadata.clear();
        n.patch = 0;
        n.minor = n.minor.wrapping_add(1);
        n.with_original()
    }

    fn inc_major(&self) -> Version {
        let mut n = self.clone();
        n.pre.clear();
        n.metadata.clear();
        n.patch = 0;
        n.minor = 0;
        n.major = n.major.wrapping_add(1);
        n.with_original()
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let sa: Vec<&str> = a.split('.').collect();
    let sb: Vec<&str> = b.split('.').collect();
    for i in 0..sa.len().max(sb.len()) {
        let x = sa.get(i).copied().unwrap_or("");
        let y = sb.get(i).copied().unwrap_or("");
        let d = compare_pre_part(x, y);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        // A numeric identifier sorts before an alphanumeric one.
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(_), Err(_)) => Ordering::Less,
        (Ok(si), Ok(oi)) => {
            if si > oi {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
/// Go's `\s` (ASCII white space only).
const WS: &str = r"[\t\n\f\r ]";

struct ConstraintRegexes {
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn regexes() -> &'static ConstraintRegexes {
    static RE: OnceLock<ConstraintRegexes> = OnceLock::new();
    RE.get_or_init(|| {
        let build = |p: String| Regex::new(&p).expect("constant regex");
        ConstraintRegexes {
            constraint: build(format!("^{WS}*({OPS}){WS}*({CV}){WS}*$")),
            range: build(format!("{WS}*({CV}){WS}+-{WS}+({CV}){WS}*")),
            find: build(format!("({OPS}){WS}*({CV})")),
            valid: build(format!(
                "^({WS}*({OPS}){WS}*({CV}){WS}*)((?:{WS}+|,{WS}*)({OPS}){WS}*({CV}){WS}*)*$"
            )),
        }
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Clone, Debug)]
struct Constraint {
    con: Version,
    op: Op,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

/// A parsed constraint: AND groups joined by `||`.
#[derive(Clone, Debug)]
pub struct Constraints {
    groups: Vec<Vec<Constraint>>,
    compat: Compat,
}

/// Helm 4's semver (after v3.4.0) quotes the constraint; v3.3.0 does not.
fn improper(c: &str, compat: Compat) -> String {
    match compat {
        Compat::Helm3 => format!("improper constraint: {c}"),
        _ => format!(
            "improper constraint: {}",
            crate::gotemplate::gofmt::quote(c)
        ),
    }
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

fn parse_constraint(c: &str, compat: Compat) -> Result<Constraint, String> {
    let t = texts(compat);
    let re = regexes();
    let m = re
        .constraint
        .captures(c)
        .ok_or_else(|| improper(c, compat))?;
    let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
    let op = match g(1) {
        "" | "=" => Op::TildeOrEqual,
        "!=" => Op::NotEqual,
        ">" => Op::Greater,
        "<" => Op::Less,
        ">=" | "=>" => Op::GreaterEqual,
        "<=" | "=<" => Op::LessEqual,
        "~" | "~>" => Op::Tilde,
        _ => Op::Caret,
    };
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let ver = if is_x(g(3)) || g(3).is_empty() {
        dirty = true;
        format!("0.0.0{}", g(6))
    } else if is_x(g(4).trim_start_matches('.')) || g(4).is_empty() {
        minor_dirty = true;
        dirty = true;
        format!("{}.0.0{}", g(3), g(6))
    } else if is_x(g(5).trim_start_matches('.')) || g(5).is_empty() {
        dirty = true;
        patch_dirty = true;
        format!("{}{}.0{}", g(3), g(4), g(6))
    } else {
        g(2).to_string()
    };
    let con = Version::parse(&ver, compat).map_err(|_| t.parser.to_string())?;
    Ok(Constraint {
        con,
        op,
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

/// `hyphen ranges` (`1.2 - 1.4.5`) become `>= 1.2, <= 1.4.5`.
fn rewrite_range(i: &str) -> String {
    let re = &regexes().range;
    let mut out = i.to_string();
    for m in re.captures_iter(i) {
        let whole = m.get(0).map_or("", |x| x.as_str());
        let lo = m.get(1).map_or("", |x| x.as_str());
        let hi = m.get(11).map_or("", |x| x.as_str());
        out = out.replacen(whole, &format!(">= {lo}, <= {hi} "), 1);
    }
    out
}

impl Constraints {
    /// `semver.NewConstraint`.
    pub fn parse(c: &str, compat: Compat) -> Result<Constraints, String> {
        let re = regexes();
        let c = rewrite_range(c);
        let mut groups = Vec::new();
        for or in c.split("||") {
            if !re.valid.is_match(or) {
                return Err(improper(or, compat));
            }
            let mut found: Vec<&str> = re.find.find_iter(or).map(|m| m.as_str()).collect();
            if found.is_empty() {
                found.push(or);
            }
            let group = found
                .into_iter()
                .map(|s| parse_constraint(s, compat))
                .collect::<Result<Vec<_>, _>>()?;
            groups.push(group);
        }
        Ok(Constraints { groups, compat })
    }

    /// `Constraints.Check`: true when every constraint of some AND group holds.
    pub fn check(&self, v: &Version) -> bool {
        self.groups.iter().any(|group| {
            // v3.4.0 decides per group whether pre-releases take part; v3.3.0 per constraint.
            let group_pre = group.iter().any(|c| !c.con.pre.is_empty());
            group.iter().all(|c| {
                let include_pre = match self.compat {
                    Compat::Helm3 => !c.con.pre.is_empty(),
                    _ => group_pre,
                };
                c.check(v, include_pre, self.compat)
            })
        })
    }
}

impl Constraint {
    fn check(&self, v: &Version, include_pre: bool, compat: Compat) -> bool {
        let excluded_pre = !v.pre.is_empty() && !include_pre;
        // v3.3.0's `!=` only refuses pre-releases for wildcard constraints.
        let refuse_pre = match (self.op, compat) {
            (Op::NotEqual, Compat::Helm3) => self.dirty,
            _ => true,
        };
        if excluded_pre && refuse_pre {
            return false;
        }
        let c = &self.con;
        match self.op {
            Op::NotEqual => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            Op::Greater => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major > c.major {
                    true
                } else if v.major < c.major || self.minor_dirty {
                    false
                } else if self.patch_dirty {
                    v.minor > c.minor
                } else {
                    v.compare(c) == Ordering::Greater
                }
            }
            Op::Less => v.compare(c) == Ordering::Less,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            Op::Tilde => self.tilde(v),
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            Op::Caret => {
                if v.compare(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

/// A `*semver.Version` (from `semver`) or a `semver.Version` value (from `IncPatch` and
/// friends, whose pointer-receiver methods a template cannot reach).
#[derive(Debug)]
pub struct VersionObject {
    pub version: Version,
    pub compat: Compat,
    pub pointer: bool,
}

impl VersionObject {
    fn value(&self, version: Version) -> Value {
        Value::Object(Rc::new(VersionObject {
            version,
            compat: self.compat,
            pointer: false,
        }))
    }
}

const POINTER_METHODS: &[&str] = &[
    "Original",
    "LessThan",
    "LessThanEqual",
    "GreaterThan",
    "GreaterThanEqual",
    "Equal",
    "Compare",
];

impl Object for VersionObject {
    fn type_name(&self) -> &str {
        if self.pointer {
            "*semver.Version"
        } else {
            "semver.Version"
        }
    }

    fn kind_name(&self) -> &'static str {
        if self.pointer {
            "ptr"
        } else {
            "struct"
        }
    }

    fn field(&self, name: &str) -> Option<Value> {
        let v = &self.version;
        if POINTER_METHODS.contains(&name) && !self.pointer {
            return None;
        }
        Some(match name {
            "Major" => Value::Uint(v.major),
            "Minor" => Value::Uint(v.minor),
            "Patch" => Value::Uint(v.patch),
            "Prerelease" => Value::str(&v.pre),
            "Metadata" => Value::str(&v.metadata),
            "Original" => Value::str(&v.original),
            "String" => Value::string(v.to_go_string()),
            "IncPatch" => self.value(v.inc_patch()),
            "IncMinor" => self.value(v.inc_minor()),
            "IncMajor" => self.value(v.inc_major()),
            _ => return None,
        })
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Major"
                | "Minor"
                | "Patch"
                | "Prerelease"
                | "Metadata"
                | "String"
                | "IncPatch"
                | "IncMinor"
                | "IncMajor"
                | "SetPrerelease"
                | "SetMetadata"
        ) || (self.pointer && POINTER_METHODS.contains(&name))
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let v = &self.version;
        let t = texts(self.compat);
        match name {
            "SetPrerelease" | "SetMetadata" => {
                let s = match args {
                    [Value::String(s)] => s.to_string(),
                    [other] => {
                        return Err(format!(
                            "wrong type for value; expected string; got {}",
                            other.type_name()
                        ))
                    }
                    _ => return Err(wrong_args(name, 1, args.len())),
                };
                let mut n = v.clone();
                if name == "SetPrerelease" {
                    if !s.is_empty() {
                        validate_prerelease(&s, t)?;
                    }
                    n.pre = s;
                } else {
                    if !s.is_empty() {
                        validate_metadata(&s, t)?;
                    }
                    n.metadata = s;
                }
                Ok(self.value(n.with_original()))
            }
            "LessThan" | "LessThanEqual" | "GreaterThan" | "GreaterThanEqual" | "Equal"
            | "Compare"
                if self.pointer =>
            {
                let other = match args {
                    [Value::Object(o)] => match o.as_any().downcast_ref::<VersionObject>() {
                        Some(ov) if ov.pointer => ov.version.clone(),
                        _ => {
                            return Err(format!(
                                "wrong type for value; expected *semver.Version; got {}",
                                o.type_name()
                            ))
                        }
                    },
                    [other] => {
                        return Err(format!(
                            "wrong type for value; expected *semver.Version; got {}",
                            other.type_name()
                        ))
                    }
                    _ => return Err(wrong_args(name, 1, args.len())),
                };
                let ord = v.compare(&other);
                Ok(match name {
                    "LessThan" => Value::Bool(ord == Ordering::Less),
                    "LessThanEqual" => Value::Bool(ord != Ordering::Greater),
                    "GreaterThan" => Value::Bool(ord == Ordering::Greater),
                    "GreaterThanEqual" => Value::Bool(ord != Ordering::Less),
                    "Equal" => Value::Bool(ord == Ordering::Equal),
                    _ => Value::Int(match ord {
                        Ordering::Less => -1,
                        Ordering::Equal => 0,
                        Ordering::Greater => 1,
                    }),
                })
            }
            _ if args.is_empty() => self
                .field(name)
                .ok_or_else(|| format!("{name} is not a method")),
            _ => Err(wrong_args(name, 0, args.len())),
        }
    }

    fn format(&self) -> String {
        self.version.to_go_string()
    }

    fn to_data(&self) -> Value {
        // `MarshalJSON` writes `String()`.
        Value::string(self.version.to_go_string())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn wrong_args(name: &str, want: usize, got: usize) -> String {
    format!("wrong number of args for {name}: want {want} got {got}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(c: &str, v: &str, compat: Compat) -> Result<bool, String> {
        let c = Constraints::parse(c, compat)?;
        let v = Version::parse(v, compat)?;
        Ok(c.check(&v))
    }

    #[test]
    fn parses_loose_versions() {
        let v = Version::parse("v1.2", Compat::Helm4).unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 2, 0));
        assert_eq!(v.to_go_string(), "1.2.0");
        assert_eq!(v.original, "v1.2");
        let v = Version::parse("1.2.3-beta.1+build.5", Compat::Helm4).unwrap();
        assert_eq!(v.pre, "beta.1");
        assert_eq!(v.metadata, "build.5");
        assert_eq!(
            Version::parse("1.2.3-01", Compat::Helm4).unwrap_err(),
            "version segment starts with 0"
        );
    }

    #[test]
    fn error_texts_follow_the_library_version() {
        assert_eq!(
            Version::parse("nope", Compat::Helm3).unwrap_err(),
            "Invalid Semantic Version"
        );
        assert_eq!(
            Version::parse("nope", Compat::Helm4).unwrap_err(),
            "invalid semantic version"
        );
    }

    #[test]
    fn prerelease_in_and_ranges_differs() {
        // Helm 3 (semver 3.3.0) false, Helm 4 (3.4.0) true.
        assert_eq!(
            check(">=1.2.0-0 <2.0.0", "1.5.0-rc.1", Compat::Helm3),
            Ok(false)
        );
        assert_eq!(
            check(">=1.2.0-0 <2.0.0", "1.5.0-rc.1", Compat::Helm4),
            Ok(true)
        );
        assert_eq!(check(">=1.20", "v1.20.0-gke.1", Compat::Helm4), Ok(false));
        assert_eq!(check(">=1.20-0", "v1.20.0-gke.1", Compat::Helm4), Ok(true));
    }

    #[test]
    fn constraint_forms() {
        let h = Compat::Helm4;
        assert_eq!(check("~1.2.3", "1.2.9", h), Ok(true));
        assert_eq!(check("~1.2.3", "1.3.0", h), Ok(false));
        assert_eq!(check("^1.2", "1.9.0", h), Ok(true));
        assert_eq!(check("^0.2.3", "0.3.0", h), Ok(false));
        assert_eq!(check("1.2 - 1.4.5", "1.4.5", h), Ok(true));
        assert_eq!(check("1.2 - 1.4.5", "1.4.6", h), Ok(false));
        assert_eq!(check("1.x", "1.9.9", h), Ok(true));
        assert_eq!(check("!=1.2.3", "1.2.4", h), Ok(true));
        assert_eq!(check(">1 || <0.5", "0.4.0", h), Ok(true));
        assert_eq!(
            check("foo", "1.0.0", h).unwrap_err(),
            "improper constraint: \"foo\""
        );
    }

    #[test]
    fn prerelease_ordering() {
        let p = |s| Version::parse(s, Compat::Helm4).unwrap();
        assert_eq!(
            p("1.0.0-alpha").compare(&p("1.0.0-alpha.1")),
            Ordering::Less
        );
        assert_eq!(p("1.0.0-2").compare(&p("1.0.0-10")), Ordering::Less);
        assert_eq!(p("1.0.0-rc").compare(&p("1.0.0")), Ordering::Less);
        assert_eq!(p("1.0.0+a").compare(&p("1.0.0+b")), Ordering::Equal);
    }
}
