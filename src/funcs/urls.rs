//! Sprig's `urlParse` and `urlJoin`, with Go's `net/url` rules for splitting, unescaping,
//! validating and re-escaping a URL's parts.

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::gofmt;
use crate::gotemplate::value::{Map, Value};

use super::lists::nil_deref;

pub fn register(map: &mut FuncMap) {
    map.insert(func!("urlParse", [String], url_parse));
    map.insert(func!("urlJoin", [Map], url_join));
}

type FuncResult = Result<Value, FuncError>;

/// What a part of a URL is escaped or unescaped as (Go's `encoding` modes).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

/// A parsed URL: the fields of Go's `url.URL` that Sprig reads or writes.
#[derive(Default, Debug)]
struct Url {
    scheme: String,
    opaque: String,
    /// Username and, when set, password.
    user: Option<(String, Option<String>)>,
    host: String,
    path: String,
    /// The path as written, when escaping `path` would not give it back.
    raw_path: String,
    omit_host: bool,
    force_query: bool,
    raw_query: String,
    fragment: String,
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

fn unhex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// Go's `shouldEscape`.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Mode::Host {
        return !matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
                | b'-'
                | b'_'
                | b'.'
                | b'~'
        );
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => c == b'?',
            Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment | Mode::Host => false,
        },
        b'!' | b'(' | b')' | b'*' if mode == Mode::Fragment => false,
        _ => true,
    }
}

/// Go's `escape`: `%XX` (upper-case) for each byte that must be escaped.
fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if should_escape(b, mode) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

/// Go's `unescape`; `Err` holds Go's error text.
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if i + 2 >= b.len() || !is_hex(b[i + 1]) || !is_hex(b[i + 2]) {
                    let bad = String::from_utf8_lossy(&b[i..(i + 3).min(b.len())]).into_owned();
                    return Err(format!("invalid URL escape {}", gofmt::quote(&bad)));
                }
                if mode == Mode::Host && unhex(b[i + 1]) < 8 && &s[i..i + 3] != "%25" {
                    return Err(format!("invalid URL escape {}", gofmt::quote(&s[i..i + 3])));
                }
                i += 3;
            }
            c => {
                if mode == Mode::Host && c < 0x80 && should_escape(c, mode) {
                    let bad = char::from(c).to_string();
                    return Err(format!(
                        "invalid character {} in host name",
                        gofmt::quote(&bad)
                    ));
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(unhex(b[i + 1]) << 4 | unhex(b[i + 2]));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `getScheme`: the scheme before the first `:`, when the text before it is one.
fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn valid_optional_port(port: &str) -> bool {
    if port.is_empty() {
        return true;
    }
    match port.strip_prefix(':') {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(i) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &host[i + 1..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", gofmt::quote(port)));
        }
    } else if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", gofmt::quote(port)));
        }
    }
    unescape(host, Mode::Host)
}

fn valid_userinfo(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b))
}

type Authority = (Option<(String, Option<String>)>, String);

fn parse_authority(authority: &str) -> Result<Authority, String> {
    let at = authority.rfind('@');
    let host = parse_host(match at {
        Some(i) => &authority[i + 1..],
        None => authority,
    })?;
    let Some(i) = at else {
        return Ok((None, host));
    };
    let userinfo = &authority[..i];
    if !valid_userinfo(userinfo) {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match userinfo.split_once(':') {
        None => (unescape(userinfo, Mode::UserPassword)?, None),
        Some((name, password)) => (
            unescape(name, Mode::UserPassword)?,
            Some(unescape(password, Mode::UserPassword)?),
        ),
    };
    Ok((Some(user), host))
}

/// Go's `url.Parse`; `Err` holds the error text (`parse "…": …`).
fn parse(raw: &str) -> Result<Url, String> {
    let (u, frag) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let mut url =
        parse_without_fragment(u).map_err(|e| format!("parse {}: {e}", gofmt::quote(u)))?;
    if let Some(f) = frag.filter(|f| !f.is_empty()) {
        url.fragment =
            unescape(f, Mode::Fragment).map_err(|e| format!("parse {}: {e}", gofmt::quote(raw)))?;
    }
    Ok(url)
}

fn parse_without_fragment(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".into();
        return Ok(url);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        rest = r;
        url.raw_query = q.to_string();
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_string();
            return Ok(url);
        }
        let segment = rest.split('/').next().unwrap_or_default();
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority_and_path = &rest[2..];
        let (authority, path) = match authority_and_path.find('/') {
            Some(i) => (&authority_and_path[..i], &authority_and_path[i..]),
            None => (authority_and_path, ""),
        };
        let (user, host) = parse_authority(authority)?;
        url.user = user;
        url.host = host;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    url.path = unescape(rest, Mode::Path)?;
    if escape(&url.path, Mode::Path) != rest {
        url.raw_path = rest.to_string();
    }
    Ok(url)
}

impl Url {
    /// Go's `Userinfo.String`.
    fn userinfo(&self) -> String {
        match &self.user {
            None => String::new(),
            Some((name, password)) => {
                let mut s = escape(name, Mode::UserPassword);
                if let Some(p) = password {
                    s.push(':');
                    s.push_str(&escape(p, Mode::UserPassword));
                }
                s
            }
        }
    }

    /// Go's `URL.Hostname`: the host without its port and IPv6 brackets.
    fn hostname(&self) -> &str {
        let mut host = self.host.as_str();
        if let Some(colon) = host.rfind(':') {
            if valid_optional_port(&host[colon..]) {
                host = &host[..colon];
            }
        }
        if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
            host = &host[1..host.len() - 1];
        }
        host
    }

    fn escaped_path(&self) -> String {
        if !self.raw_path.is_empty() {
            return self.raw_path.clone();
        }
        if self.path == "*" {
            return "*".into();
        }
        escape(&self.path, Mode::Path)
    }

    /// Go's `URL.String`.
    fn to_go_string(&self) -> String {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            let no_authority = self.host.is_empty() && self.user.is_none();
            // An authority is written when there is one, or for a scheme unless the path was
            // written without one (`file:/x`).
            if !no_authority || !self.scheme.is_empty() && !self.omit_host {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if self.user.is_some() {
                    buf.push_str(&self.userinfo());
                    buf.push('@');
                }
                if !self.host.is_empty() {
                    buf.push_str(&escape(&self.host, Mode::Host));
                }
            }
            let path = self.escaped_path();
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() {
                let segment = path.split('/').next().unwrap_or_default();
                if segment.contains(':') {
                    buf.push_str("./");
                }
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&escape(&self.fragment, Mode::Fragment));
        }
        buf
    }
}

fn url_parse(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let raw = args[0].as_str().unwrap_or_default();
    let url = parse(raw).map_err(|e| FuncError::call(format!("unable to parse url: {e}")))?;
    let mut map = Map::new();
    map.insert("scheme".into(), Value::str(&url.scheme));
    map.insert("host".into(), Value::str(&url.host));
    map.insert("hostname".into(), Value::str(url.hostname()));
    map.insert("path".into(), Value::str(&url.path));
    map.insert("query".into(), Value::str(&url.raw_query));
    map.insert("opaque".into(), Value::str(&url.opaque));
    map.insert("fragment".into(), Value::str(&url.fragment));
    map.insert("userinfo".into(), Value::string(url.userinfo()));
    Ok(Value::map(map))
}

/// Sprig's `dictGetOrEmpty`: the string under `key`, `""` when missing; anything else panics.
fn dict_string(d: &Map, key: &str) -> Result<String, FuncError> {
    match d.get(key) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(Value::Nil) => Err(nil_deref()),
        Some(other) => Err(FuncError::call(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            other.kind_name()
        ))),
    }
}

fn url_join(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let d = args[0]
        .as_map()
        .map(|m| m.borrow().clone())
        .unwrap_or_default();
    let mut url = Url {
        scheme: dict_string(&d, "scheme")?,
        host: dict_string(&d, "host")?,
        path: dict_string(&d, "path")?,
        raw_query: dict_string(&d, "query")?,
        opaque: dict_string(&d, "opaque")?,
        fragment: dict_string(&d, "fragment")?,
        ..Url::default()
    };
    let userinfo = dict_string(&d, "userinfo")?;
    if !userinfo.is_empty() {
        let temp = parse(&format!("proto://{userinfo}@host"))
            .map_err(|e| FuncError::call(format!("unable to parse userinfo in dict: {e}")))?;
        url.user = temp.user;
    }
    Ok(Value::string(url.to_go_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotemplate::func::PlainRuntime;

    fn call(name: &str, args: &[Value]) -> FuncResult {
        let mut map = FuncMap::new();
        register(&mut map);
        let def = map.get(name).expect("registered");
        (def.imp)(&mut PlainRuntime::default(), args)
    }

    #[test]
    fn parse_splits_parts() {
        let r = call(
            "urlParse",
            &[Value::str("https://u:p%40@Example.com:8080/a%20b?x=1#frag")],
        )
        .unwrap();
        assert_eq!(
            gofmt::fmt_value(&r),
            "map[fragment:frag host:Example.com:8080 hostname:Example.com opaque: path:/a b \
             query:x=1 scheme:https userinfo:u:p%40]"
        );
    }

    #[test]
    fn parse_errors_are_go_errors() {
        let err = call("urlParse", &[Value::str("http://a b")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unable to parse url: parse \"http://a b\": invalid character \" \" in host name"
        );
    }

    #[test]
    fn join_round_trips() {
        let mut d = Map::new();
        d.insert("scheme".into(), Value::str("http"));
        d.insert("host".into(), Value::str("h:80"));
        d.insert("path".into(), Value::str("a b"));
        d.insert("query".into(), Value::str("q=1"));
        d.insert("userinfo".into(), Value::str("me:pw"));
        let r = call("urlJoin", &[Value::map(d)]).unwrap();
        assert_eq!(r.as_str(), Some("http://me:pw@h:80/a%20b?q=1"));
        let mut d = Map::new();
        d.insert("host".into(), Value::Int(1));
        let err = call("urlJoin", &[Value::map(d)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unable to parse host key, must be of type string, but int found"
        );
    }
}
