//! Sprig's path functions: `base`, `dir`, `clean`, `ext`, `isAbs` (Go's `path`, always `/`)
//! and their `os*` forms (Go's `path/filepath`, which on Linux, where Helm renders, is the same).

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::Value;

pub fn register(map: &mut FuncMap) {
    map.insert(func!("base", [String], base));
    map.insert(func!("dir", [String], dir));
    map.insert(func!("clean", [String], clean_fn));
    map.insert(func!("ext", [String], ext));
    map.insert(func!("isAbs", [String], is_abs));
    map.insert(func!("osBase", [String], base));
    map.insert(func!("osDir", [String], dir));
    map.insert(func!("osClean", [String], clean_fn));
    map.insert(func!("osExt", [String], ext));
    map.insert(func!("osIsAbs", [String], is_abs));
}

type FuncResult = Result<Value, FuncError>;

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// Go's `path.Clean`: one slash between elements, no `.` elements, each `..` removing the
/// element before it (or dropped at the root), and `.` for an empty result.
pub(crate) fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    // How many leading `..` of a relative path must stay.
    let mut dotdots = 0;
    for elem in p.split('/') {
        match elem {
            "" | "." => {}
            ".." => {
                if parts.len() > dotdots {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                    dotdots += 1;
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`: the last element, trailing slashes ignored; `.` for empty, `/` for root.
fn base(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let p = s(&args[0]);
    if p.is_empty() {
        return Ok(Value::str("."));
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Value::str("/"));
    }
    let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
    Ok(Value::str(last))
}

/// Go's `path.Dir`: everything before the last slash, cleaned.
fn dir(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let p = s(&args[0]);
    let head = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    Ok(Value::string(clean(head)))
}

fn clean_fn(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(clean(s(&args[0]))))
}

/// Go's `path.Ext`: from the last `.` of the last element, or empty.
fn ext(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let p = s(&args[0]);
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => break,
            '.' => return Ok(Value::str(&p[i..])),
            _ => {}
        }
    }
    Ok(Value::str(""))
}

fn is_abs(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(s(&args[0]).starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotemplate::func::PlainRuntime;

    fn text(name: &str, arg: &str) -> String {
        let mut map = FuncMap::new();
        register(&mut map);
        let def = map.get(name).expect("registered");
        let v = (def.imp)(&mut PlainRuntime::default(), &[Value::str(arg)]).unwrap();
        crate::gotemplate::gofmt::fmt_value(&v)
    }

    #[test]
    fn clean_follows_go() {
        assert_eq!(text("clean", "a//b/./c/../d/"), "a/b/d");
        assert_eq!(text("clean", "/../a"), "/a");
        assert_eq!(text("clean", "../../a/.."), "../..");
        assert_eq!(text("clean", ""), ".");
    }

    #[test]
    fn base_dir_ext() {
        assert_eq!(text("base", "/a/b.tar.gz/"), "b.tar.gz");
        assert_eq!(text("base", "///"), "/");
        assert_eq!(text("dir", "a/b/c"), "a/b");
        assert_eq!(text("dir", "abc"), ".");
        assert_eq!(text("dir", "/abc"), "/");
        assert_eq!(text("ext", "a/b.tar.gz"), ".gz");
        assert_eq!(text("ext", "a.b/c"), "");
        assert_eq!(text("isAbs", "/x"), "true");
    }
}
