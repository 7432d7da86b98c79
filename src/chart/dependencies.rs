//! Chart dependencies: matching `Chart.yaml` `dependencies` to the subcharts loaded from
//! `charts/` (name and Masterminds-style version constraint), the missing-dependency check,
//! aliases, `tags` and `condition`, `import-values` (both forms) and the final coalescing
//! that produces the values a chart renders with ([`prepare`]).
//!
//! The algorithm is Helm's `ProcessDependencies` step by step, including its odd corners: a
//! subchart's conditions are looked up in its parent's whole coalesced values with the full
//! dotted prefix (`sub.subsub.enabled`), the subchart's own defaults having been coalesced
//! into that tree; imported values have lower priority than the parent's own; a chart's
//! defaults are replaced by the merged values of its tree once imports are processed.

use std::cmp::Ordering;

use crate::gotemplate::value::{Map, MapRef, Value};
use crate::Compat;

use super::metadata::go_quote;
use super::values::Coalescer;
use super::{Chart, Error, Prepared, Warning};

// ---------------------------------------------------------------------------------------------
// Versions and constraints (Masterminds/semver v3).

/// A parsed semantic version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
}

/// Parses a version as Masterminds' `NewVersion` does: optional `v`, one to three numeric
/// parts, optional `-prerelease` and `+metadata`.
pub fn parse_version(s: &str) -> Option<Version> {
    let body = s.strip_prefix('v').unwrap_or(s);
    let (body, meta) = match body.split_once('+') {
        Some((b, m)) => (b, Some(m)),
        None => (body, None),
    };
    let (core, pre) = match body.split_once('-') {
        Some((c, p)) => (c, p),
        None => (body, ""),
    };
    let ident_ok = |part: &str| {
        !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if let Some(m) = meta {
        if !m.split('.').all(ident_ok) {
            return None;
        }
    }
    if !pre.is_empty() || body.contains('-') {
        if !pre.split('.').all(ident_ok) {
            return None;
        }
        // A numeric identifier must not start with 0.
        if pre
            .split('.')
            .any(|p| p.len() > 1 && p.starts_with('0') && p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
    }
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let mut nums = [0u64; 3];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nums[i] = p.parse().ok()?;
    }
    Some(Version {
        major: nums[0],
        minor: nums[1],
        patch: nums[2],
        pre: pre.to_string(),
    })
}

fn cmp_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (mut ia, mut ib) = (a.split('.'), b.split('.'));
    loop {
        match (ia.next(), ib.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(n), Ok(m)) => n.cmp(&m),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    _ => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

impl Version {
    fn cmp(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| cmp_pre(&self.pre, &o.pre))
    }
}

#[derive(Clone, Debug)]
struct Constraint {
    op: String,
    con: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    /// `*` alone (or `x`): anything.
    any: bool,
}

fn parse_constraint(s: &str) -> Option<Constraint> {
    let s = s.trim();
    let op_len = s
        .bytes()
        .take_while(|b| matches!(b, b'=' | b'!' | b'<' | b'>' | b'~' | b'^'))
        .count();
    let op = s[..op_len].to_string();
    if !matches!(
        op.as_str(),
        "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^"
    ) {
        return None;
    }
    let v = s[op_len..].trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    let (core, rest) = match v.find(['-', '+']) {
        Some(i) => (&v[..i], &v[i..]),
        None => (v, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let wild = |p: &str| matches!(p, "x" | "X" | "*");
    if wild(parts[0]) {
        return Some(Constraint {
            op,
            con: Version {
                major: 0,
                minor: 0,
                patch: 0,
                pre: String::new(),
            },
            minor_dirty: true,
            patch_dirty: true,
            any: true,
        });
    }
    let minor_dirty = parts.len() < 2 || wild(parts[1]);
    let patch_dirty = minor_dirty || parts.len() < 3 || wild(parts[2]);
    let mut fixed: Vec<String> = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        if wild(p) || (i > 0 && wild(parts[1])) {
            fixed.push("0".into());
        } else {
            fixed.push((*p).to_string());
        }
    }
    while fixed.len() < 3 {
        fixed.push("0".into());
    }
    let con = parse_version(&format!("{}{rest}", fixed.join(".")))?;
    Some(Constraint {
        op,
        con,
        minor_dirty,
        patch_dirty,
        any: false,
    })
}

impl Constraint {
    fn dirty(&self) -> bool {
        self.minor_dirty || self.patch_dirty
    }

    fn check(&self, v: &Version, include_pre: bool) -> bool {
        if !include_pre && !v.pre.is_empty() && self.con.pre.is_empty() {
            return false;
        }
        let c = &self.con;
        if self.any {
            return !matches!(self.op.as_str(), "!=" | "<");
        }
        match self.op.as_str() {
            "" | "=" => {
                if self.dirty() {
                    self.tilde_range(v)
                } else {
                    v.cmp(c) == Ordering::Equal
                }
            }
            "!=" => {
                if self.dirty() {
                    !self.tilde_range(v)
                } else {
                    v.cmp(c) != Ordering::Equal
                }
            }
            ">" => {
                if !self.dirty() {
                    return v.cmp(c) == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                v.minor > c.minor
            }
            "<" => v.cmp(c) == Ordering::Less,
            ">=" | "=>" => v.cmp(c) != Ordering::Less,
            "<=" | "=<" => {
                if !self.dirty() {
                    return v.cmp(c) != Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major < c.major;
                }
                if self.minor_dirty {
                    return true;
                }
                v.minor <= c.minor
            }
            "~" | "~>" => {
                if v.cmp(c) == Ordering::Less {
                    return false;
                }
                if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.dirty() {
                    return true;
                }
                if v.major != c.major {
                    return false;
                }
                v.minor == c.minor || self.minor_dirty
            }
            _ => {
                // "^"
                if v.cmp(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.major == 0 && v.minor == c.minor;
                }
                v.major == 0 && v.minor == 0 && v.patch == c.patch
            }
        }
    }

    /// Equality with wildcards: the fixed parts equal.
    fn tilde_range(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.major != c.major {
            return false;
        }
        if self.minor_dirty {
            return true;
        }
        if v.minor != c.minor {
            return false;
        }
        self.patch_dirty || v.patch == c.patch
    }
}

/// Helm's `IsCompatibleRange`: whether `version` satisfies `constraint` (false when either
/// does not parse; an empty constraint does not parse).
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Some(v) = parse_version(version) else {
        return false;
    };
    let Some(groups) = parse_constraints(constraint) else {
        return false;
    };
    groups.iter().any(|group| {
        let include_pre = group.iter().any(|c| !c.con.pre.is_empty());
        group.iter().all(|c| c.check(&v, include_pre))
    })
}

fn parse_constraints(s: &str) -> Option<Vec<Vec<Constraint>>> {
    let mut out = Vec::new();
    for or in s.split("||") {
        let or = or.trim();
        if or.is_empty() {
            return None;
        }
        // Hyphen ranges: `1.2 - 1.4.5` means `>= 1.2, <= 1.4.5`.
        let tokens: Vec<&str> = or
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .collect();
        let mut group = Vec::new();
        let mut i = 0;
        let mut pending_op: Option<&str> = None;
        while i < tokens.len() {
            let t = tokens[i];
            if tokens.get(i + 1) == Some(&"-") && i + 2 < tokens.len() {
                group.push(parse_constraint(&format!(">={t}"))?);
                group.push(parse_constraint(&format!("<={}", tokens[i + 2]))?);
                i += 3;
                continue;
            }
            if t.bytes()
                .all(|b| matches!(b, b'=' | b'!' | b'<' | b'>' | b'~' | b'^'))
            {
                pending_op = Some(t);
                i += 1;
                continue;
            }
            let text = match pending_op.take() {
                Some(op) => format!("{op}{t}"),
                None => t.to_string(),
            };
            group.push(parse_constraint(&text)?);
            i += 1;
        }
        if pending_op.is_some() || group.is_empty() {
            return None;
        }
        out.push(group);
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Values paths.

/// Helm's `Values.Table`: the map at a dotted path, or Go's `ErrNoTable` text.
fn table(values: &MapRef, path: &str) -> Result<MapRef, String> {
    let mut cur = values.clone();
    for part in path.split('.') {
        let next = cur.borrow().get(part).cloned();
        match next {
            Some(Value::Map(m)) => cur = m.into_ref(),
            _ => return Err(format!("{} is not a table", go_quote(part))),
        }
    }
    Ok(cur)
}

/// Helm's `Values.PathValue`: `Some(value)` for a non-map value at the path.
fn path_value(values: &MapRef, path: &str) -> Option<Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let (key, prefix) = parts.split_last()?;
    let t = if prefix.is_empty() {
        values.clone()
    } else {
        table(values, &prefix.join(".")).ok()?
    };
    let v = t.borrow().get(*key).cloned();
    match v {
        Some(Value::Map(_)) | None => None,
        Some(v) => Some(v),
    }
}

// ---------------------------------------------------------------------------------------------
// Processing.

/// Helm's `CheckDependencies` for the root chart: every declared dependency must have a
/// loaded subchart of that name. The message includes `template`'s prefix for `compat`.
pub fn check_dependencies(chart: &Chart, compat: Compat) -> Result<(), Error> {
    let missing: Vec<&str> = chart
        .metadata
        .deps()
        .filter(|d| !chart.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let lead = match compat {
        Compat::Helm4 => "an error occurred while checking for chart dependencies. You may need to run 'helm dependency build'",
        Compat::Helm3 => "An error occurred while checking for chart dependencies. You may need to run `helm dependency build`",
    };
    Err(Error::new(format!(
        "{lead} to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
        missing.join(", ")
    )))
}

/// Everything `helm template` does between loading a chart and rendering it: the
/// missing-dependency check, dependency processing (aliases, tags, conditions,
/// import-values) and coalescing the user values with the defaults. Schema validation is
/// separate ([`super::schema::validate`]).
pub fn prepare(
    mut chart: Chart,
    user: &Map,
    compat: Compat,
    warnings: &mut Vec<Warning>,
) -> Result<Prepared, Error> {
    check_dependencies(&chart, compat)?;
    let user_ref = std::rc::Rc::new(std::cell::RefCell::new(user.clone()));
    let processed = process(&mut chart, &user_ref, compat, warnings);
    if let Err(e) = processed {
        return Err(match compat {
            Compat::Helm4 => {
                warnings.push(Warning {
                    helm3: String::new(),
                    helm4: format!(
                        "level=ERROR msg=\"chart dependencies processing failed\" error={}",
                        super::slog_quote(&e.message)
                    ),
                });
                e.context("chart dependencies processing failed")
            }
            Compat::Helm3 => e,
        });
    }
    set_parents(&mut chart, &[], compat);
    let mut c = Coalescer { compat, warnings };
    let values = c.coalesce(&chart, user, false)?;
    Ok(Prepared {
        chart,
        values: Value::from_map_ref(values),
    })
}

/// Sets every chart's path from the root. Helm 3 shares an aliased chart's subcharts between
/// the aliases when the chart declares no dependencies, and they keep the original chart as
/// their parent: their templates render under the original name, and the last alias wins.
fn set_parents(chart: &mut Chart, parents: &[String], compat: Compat) {
    chart.parents = parents.to_vec();
    let mut mine = parents.to_vec();
    let shared = compat == Compat::Helm3 && chart.metadata.dependencies.is_empty();
    match (&chart.alias_of, shared) {
        (Some(original), true) => mine.push(original.clone()),
        _ => mine.push(chart.name().to_string()),
    }
    for d in &mut chart.dependencies {
        set_parents(d, &mine, compat);
    }
}

/// Helm's `ProcessDependencies` (enablement, then import-values with merging).
pub fn process(
    chart: &mut Chart,
    user: &MapRef,
    compat: Compat,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    let user = user.borrow().clone();
    process_enabled(chart, &user, "", compat, warnings)?;
    process_imports(chart, compat, warnings)
}

fn process_enabled(
    chart: &mut Chart,
    v: &Map,
    path: &str,
    compat: Compat,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let originals = std::mem::take(&mut chart.dependencies);
    let mut kept: Vec<Chart> = originals
        .iter()
        .filter(|existing| {
            !chart.metadata.deps().any(|req| {
                existing.name() == req.name
                    && is_compatible_range(&req.version, &existing.metadata.version)
            })
        })
        .cloned()
        .collect();
    for req in chart.metadata.deps_mut() {
        let found = originals.iter().find(|c| {
            c.name() == req.name && is_compatible_range(&req.version, &c.metadata.version)
        });
        if let Some(found) = found {
            let mut copy = found.clone();
            if !req.alias.is_empty() {
                copy.alias_of = Some(copy.metadata.name.clone());
                copy.metadata.name = req.alias.clone();
            }
            kept.push(copy);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    chart.dependencies = kept;
    for req in chart.metadata.deps_mut() {
        req.enabled = true;
    }
    let cvals = {
        let mut c = Coalescer {
            compat,
            warnings: &mut *warnings,
        };
        c.coalesce(chart, v, false)?
    };
    process_tags(chart, &cvals, compat, warnings);
    process_conditions(chart, &cvals, path, compat, warnings);
    let disabled: Vec<String> = chart
        .metadata
        .deps()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    chart
        .dependencies
        .retain(|d| !disabled.iter().any(|n| n == d.name()));
    chart
        .metadata
        .dependencies
        .retain(|r| r.as_ref().is_some_and(|r| !disabled.contains(&r.name)));
    let cvals_map = cvals.borrow().clone();
    // Helm 3 copies an aliased chart's metadata but shares its dependency entries, so the
    // renaming of aliased entries done while processing one copy is seen by the next copies
    // of the same chart: their aliased subchart no longer matches and stays un-aliased.
    let mut processed: Vec<String> = Vec::new();
    for t in &mut chart.dependencies {
        let original = t.alias_of.clone().unwrap_or_else(|| t.name().to_string());
        if compat == Compat::Helm3 && processed.contains(&original) {
            for req in t.metadata.deps_mut() {
                if !req.alias.is_empty() {
                    req.name = req.alias.clone();
                }
            }
        }
        let had_dependencies = !t.metadata.dependencies.is_empty();
        let subpath = format!("{path}{}.", t.name());
        process_enabled(t, &cvals_map, &subpath, compat, warnings)?;
        if had_dependencies {
            processed.push(original);
        }
    }
    Ok(())
}

fn process_tags(chart: &mut Chart, cvals: &MapRef, _compat: Compat, warnings: &mut Vec<Warning>) {
    let Ok(tags) = table(cvals, "tags") else {
        return;
    };
    let tags = tags.borrow();
    for r in chart.metadata.deps_mut() {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            match tags.get(k) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => warnings.push(Warning::split(
                    "dependencies.go:94",
                    &format!(
                        "Warning: Tag '{k}' for chart {} returned non-bool value",
                        r.name
                    ),
                    "returned non-bool value",
                    &[("tag", k), ("chart", &r.name)],
                )),
                None => {}
            }
        }
        r.enabled = has_true || !has_false;
    }
}

fn process_conditions(
    chart: &mut Chart,
    cvals: &MapRef,
    path: &str,
    _compat: Compat,
    warnings: &mut Vec<Warning>,
) {
    for r in chart.metadata.deps_mut() {
        let condition = r.condition.trim().to_string();
        for c in condition.split(',') {
            if c.is_empty() {
                continue;
            }
            let full = format!("{path}{c}");
            if let Some(v) = path_value(cvals, &full) {
                if let Value::Bool(b) = v {
                    r.enabled = b;
                    break;
                }
                warnings.push(Warning::split(
                    "dependencies.go:63",
                    &format!(
                        "Warning: Condition path '{c}' for chart {} returned non-bool value",
                        r.name
                    ),
                    "returned non-bool value",
                    &[("path", c), ("chart", &r.name)],
                ));
            }
        }
    }
}

fn go_sprint(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Nil) => "<nil>".into(),
        Some(Value::String(s)) => s.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Float(f)) => super::values::format_go_float_v(*f),
        Some(Value::Int(i)) | Some(Value::Int64(i)) => i.to_string(),
        Some(other) => format!("{other:?}"),
    }
}

/// `parent: x.y` turns the imported table into `{x: {y: table}}`; `.` is the root.
fn path_to_map(path: &str, data: MapRef) -> MapRef {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let mut m = Map::new();
        m.insert(part.to_string(), Value::from_map_ref(cur));
        cur = std::rc::Rc::new(std::cell::RefCell::new(m));
    }
    cur
}

fn process_imports(
    chart: &mut Chart,
    compat: Compat,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    for d in &mut chart.dependencies {
        process_imports(d, compat, warnings)?;
    }
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = {
        let mut c = Coalescer {
            compat,
            warnings: &mut *warnings,
        };
        c.coalesce(chart, &Map::new(), true)?
    };
    let b = std::rc::Rc::new(std::cell::RefCell::new(Map::new()));
    let mut pending: Vec<(MapRef, String)> = Vec::new();
    for r in chart.metadata.deps_mut() {
        let mut out = Vec::new();
        for iv in &r.import_values {
            match iv {
                Value::Map(m) => {
                    let m = m.borrow();
                    if compat == Compat::Helm3
                        && (!matches!(m.get("child"), Some(Value::String(_)))
                            || !matches!(m.get("parent"), Some(Value::String(_))))
                    {
                        // Helm 3 asserts both are strings and crashes with a Go panic.
                        let culprit = match m.get("child") {
                            Some(Value::String(_)) => m.get("parent"),
                            other => other,
                        };
                        return Err(Error::new(format!(
                            "panic: interface conversion: interface {{}} is {}, not string",
                            culprit.map_or("nil".into(), |v| match v {
                                Value::Nil => "nil".into(),
                                v => v.type_name(),
                            })
                        )));
                    }
                    let child = go_sprint(m.get("child"));
                    let parent = go_sprint(m.get("parent"));
                    out.push(pair(&child, &parent));
                    match table(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(t) => pending.push((path_to_map(&parent, t), String::new())),
                        Err(e) => warnings.push(Warning::split(
                            "dependencies.go:269",
                            &format!(
                                "Warning: ImportValues missing table from chart {}: {e}",
                                r.name
                            ),
                            "ImportValues missing table from chart",
                            &[("chart", &r.name), ("error", &e)],
                        )),
                    }
                }
                Value::String(s) => {
                    let child = format!("exports.{s}");
                    out.push(pair(&child, "."));
                    match table(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(t) => pending.push((t, String::new())),
                        Err(e) => warnings.push(Warning::split(
                            "dependencies.go:286",
                            &format!("Warning: ImportValues missing table: {e}"),
                            "ImportValues missing table",
                            &[("error", &e)],
                        )),
                    }
                }
                _ => {}
            }
        }
        r.import_values = out;
    }
    if pending.is_empty() {
        // Nothing imported: merging the empty table changes nothing, and `cvals` (a fresh
        // coalesce) is shared with nothing, so Helm's copy of it can be skipped.
        chart.values = std::rc::Rc::try_unwrap(cvals)
            .map_or_else(|m| m.borrow().clone(), std::cell::RefCell::into_inner);
        return Ok(());
    }
    let mut c = Coalescer {
        compat,
        warnings: &mut *warnings,
    };
    for (src, _) in pending {
        // Helm's MergeTables(b, src): what is already imported wins.
        c.coalesce_tables(&b, &src, "", true);
    }
    let base = match Value::from_map_ref(cvals).deep_copy() {
        Value::Map(m) => m.into_ref(),
        _ => std::rc::Rc::new(std::cell::RefCell::new(Map::new())),
    };
    c.coalesce_tables(&base, &b, "", true);
    chart.values = base.borrow().clone();
    Ok(())
}

fn pair(child: &str, parent: &str) -> Value {
    let mut m = Map::new();
    m.insert("child".into(), Value::str(child));
    m.insert("parent".into(), Value::str(parent));
    Value::map(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(parse_version("1.2.3").is_some());
        assert!(parse_version("v1.2").is_some());
        assert!(parse_version("1.2.3.4").is_none());
        assert!(parse_version("1.0.0-01").is_none());
        assert!(parse_version("").is_none());
    }

    #[test]
    fn constraints() {
        for (c, v, want) in [
            ("1.2.3", "1.2.3", true),
            ("^1.2.0", "1.9.0", true),
            ("^1.2.0", "2.0.0", false),
            ("~1.2.0", "1.2.9", true),
            ("~1.2.0", "1.3.0", false),
            (">=1.0.0, <2.0.0", "1.5.0", true),
            (">=1.0.0 <2.0.0", "2.0.0", false),
            ("1.x", "1.4.0", true),
            ("*", "3.0.0", true),
            ("1.0.0 - 1.4.0", "1.3.0", true),
            (">1.0.0 || <0.5.0", "0.1.0", true),
            (">=1.0.0", "1.1.0-beta", false),
            ("", "1.0.0", false),
        ] {
            assert_eq!(is_compatible_range(c, v), want, "{c} {v}");
        }
    }
}
