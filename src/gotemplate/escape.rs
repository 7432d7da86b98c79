//! The escapers behind Go's `text/template` builtins `html`, `js` and `urlquery`
//! (`template.HTMLEscapeString`, `template.JSEscapeString`, `url.QueryEscape`), and how those
//! builtins first turn their arguments into one string.

use crate::gotemplate::gofmt::{is_print, sprint};
use crate::gotemplate::value::Value;

/// `template.HTMLEscapeString`: the five markup characters become entities and NUL becomes
/// U+FFFD.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `template.JSEscapeString`: quotes, backslash, `<`, `>`, `&`, `=` and control characters are
/// escaped; non-ASCII is kept when printable and written `\uXXXX` (upper-case hex) otherwise.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if c < ' ' => out.push_str(&format!("\\u00{:02X}", u32::from(c))),
            c if c.is_ascii() || is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", u32::from(c))),
        }
    }
    out
}

/// `url.QueryEscape`: letters, digits and `-_.~` stay, a space becomes `+`, every other byte
/// becomes `%XX`.
pub fn url_query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What `text/template`'s `evalArgs` makes of a builtin's arguments: a lone string as it is,
/// anything else through `fmt.Sprint`, with a nil argument printed as `<no value>`.
pub fn eval_args(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.to_string();
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| match a {
            Value::Nil => Value::str("<no value>"),
            other => other.clone(),
        })
        .collect();
    sprint(&printable)
}

/// The `html` builtin.
pub fn html_builtin(args: &[Value]) -> String {
    html_escape(&eval_args(args))
}

/// The `js` builtin.
pub fn js_builtin(args: &[Value]) -> String {
    js_escape(&eval_args(args))
}

/// The `urlquery` builtin.
pub fn urlquery_builtin(args: &[Value]) -> String {
    url_query_escape(&eval_args(args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapers() {
        assert_eq!(
            html_escape("<a href=\"x\">'&'\0</a>"),
            "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;\u{fffd}&lt;/a&gt;"
        );
        assert_eq!(
            js_escape("a'b\"c\\d<e>f&g=h\ni\u{7f}é\u{2028}"),
            "a\\'b\\\"c\\\\d\\u003Ce\\u003Ef\\u0026g\\u003Dh\\u000Ai\u{7f}é\\u2028"
        );
        assert_eq!(url_query_escape("a b&c=d/é~"), "a+b%26c%3Dd%2F%C3%A9~");
    }

    #[test]
    fn builtins_stringify_like_eval_args() {
        assert_eq!(html_builtin(&[Value::Nil]), "&lt;no value&gt;");
        assert_eq!(urlquery_builtin(&[Value::Int(1), Value::Int(2)]), "1+2");
        assert_eq!(js_builtin(&[Value::str("a"), Value::Int(2)]), "a2");
    }
}
