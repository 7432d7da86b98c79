//! Sprig's regular expression functions (`regexMatch`, `regexFind`, `regexFindAll`,
//! `regexReplaceAll`, `regexReplaceAllLiteral`, `regexSplit`, `regexQuoteMeta` and the `must*`
//! forms), with Go's `regexp` semantics on top of the `regex` crate.
//!
//! Both are RE2 dialects, but they differ in details that change results: in Go `\d`, `\w`,
//! `\s` and `\b` are ASCII-only, `\Q…\E` quotes, `\<` is a literal `<`, `[` inside a class is
//! literal, and a `{` that does not start a repetition is literal. So a pattern is first read
//! with Go's syntax, reporting Go's parse errors (`missing closing ): `(``), and rewritten into
//! the equivalent pattern for the `regex` crate. Match iteration, `Split` and the `$1`/`${1}`/
//! `$name` replacement templates follow Go's rules for empty matches and malformed references.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use regex::{Regex, RegexBuilder};

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::gofmt;
use crate::gotemplate::value::Value;

use super::conversion::strings_value;

mod common;
use common::Common;

pub fn register(map: &mut FuncMap) {
    map.insert(func!("regexMatch", [String, String], regex_match));
    map.insert(func!("mustRegexMatch", [String, String], must_regex_match));
    map.insert(func!("regexFindAll", [String, String, Int], regex_find_all));
    map.insert(func!(
        "mustRegexFindAll",
        [String, String, Int],
        must_regex_find_all
    ));
    map.insert(func!("regexFind", [String, String], regex_find));
    map.insert(func!("mustRegexFind", [String, String], must_regex_find));
    map.insert(func!(
        "regexReplaceAll",
        [String, String, String],
        regex_replace_all
    ));
    map.insert(func!(
        "mustRegexReplaceAll",
        [String, String, String],
        must_regex_replace_all
    ));
    map.insert(func!(
        "regexReplaceAllLiteral",
        [String, String, String],
        regex_replace_literal
    ));
    map.insert(func!(
        "mustRegexReplaceAllLiteral",
        [String, String, String],
        must_regex_replace_literal
    ));
    map.insert(func!("regexSplit", [String, String, Int], regex_split));
    map.insert(func!(
        "mustRegexSplit",
        [String, String, Int],
        must_regex_split
    ));
    map.insert(func!("regexQuoteMeta", [String], regex_quote_meta));
}

type FuncResult = Result<Value, FuncError>;

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn n(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => 0,
    }
}

/// How many compiled patterns are kept: templates often call the same pattern in a loop.
const CACHE_SIZE: usize = 256;

thread_local! {
    static CACHE: RefCell<HashMap<String, Result<GoRegex, String>>> = RefCell::new(HashMap::new());
}

/// A compiled Go pattern: the `regex` crate's equivalent, and the Go name of each group. One
/// of bitnami's common patterns ([`Common`]) is matched by hand, and its `regex` is compiled
/// only when a replacement needs its groups.
#[derive(Clone)]
pub(crate) struct GoRegex {
    common: Option<Common>,
    /// The pattern rewritten for the `regex` crate.
    rust: Rc<str>,
    /// Shared, not cloned: a cloned `Regex` starts a fresh pool of match caches, whose
    /// first use costs more than most matches. Set at compile time, except for [`Common`]
    /// patterns.
    re: Rc<OnceCell<Regex>>,
    names: Rc<[Option<String>]>,
}

impl GoRegex {
    fn regex(&self) -> &Regex {
        self.re.get_or_init(|| {
            // Only the `Common` patterns get here uncompiled, and they compile (tested).
            build(&self.rust).expect("a common pattern compiles")
        })
    }

    /// The first match at or after `from` (a character boundary), as Go finds it.
    fn find_at(&self, text: &str, from: usize) -> Option<(usize, usize)> {
        match self.common {
            Some(common) => common.find_at(text, from),
            None => self
                .regex()
                .find_at(text, from)
                .map(|m| (m.start(), m.end())),
        }
    }

    fn is_match(&self, text: &str) -> bool {
        match self.common {
            Some(common) => common.find_at(text, 0).is_some(),
            None => self.regex().is_match(text),
        }
    }
}

fn build(rust: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(rust).nest_limit(1000).build()
}

/// Compiles a Go pattern; `Err` holds Go's `regexp.Compile` error text.
pub(crate) fn compile(expr: &str) -> Result<GoRegex, String> {
    if let Some(hit) = CACHE.with(|c| c.borrow().get(expr).cloned()) {
        return hit;
    }
    let compiled = translate(expr).and_then(|(rust, names)| {
        let common = Common::of(expr);
        let re = OnceCell::new();
        if common.is_none() {
            let built = build(&rust)
                .map_err(|_| format!("error parsing regexp: expression too large: `{expr}`"))?;
            let _ = re.set(built);
        }
        Ok(GoRegex {
            common,
            rust: rust.into(),
            re: Rc::new(re),
            names: names.into(),
        })
    });
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_SIZE {
            c.clear();
        }
        c.insert(expr.to_string(), compiled.clone());
    });
    compiled
}

/// `regexp.MustCompile`'s panic text: the pattern quoted with backquotes where it can be.
fn must_compile(expr: &str) -> Result<GoRegex, FuncError> {
    compile(expr).map_err(|e| {
        let can_backquote = !expr
            .chars()
            .any(|c| c == '`' || c == '\u{FEFF}' || (c.is_control() && c != '\t'));
        let quoted = if can_backquote {
            format!("`{expr}`")
        } else {
            gofmt::quote(expr)
        };
        FuncError::call(format!("regexp: Compile({quoted}): {e}"))
    })
}

fn compile_err(expr: &str) -> Result<GoRegex, FuncError> {
    compile(expr).map_err(FuncError::Call)
}

fn regex_match(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let matched = compile(s(&args[0])).is_ok_and(|re| re.is_match(s(&args[1])));
    Ok(Value::Bool(matched))
}

fn must_regex_match(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let re = compile_err(s(&args[0]))?;
    Ok(Value::Bool(re.is_match(s(&args[1]))))
}

/// Go's iteration over successive matches (`FindAll*`): at most `n` when `n >= 0`, and an
/// empty match right after the previous match is skipped.
fn find_all(re: &GoRegex, text: &str, n: i64) -> Vec<(usize, usize)> {
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let mut out = Vec::new();
    let mut pos = 0;
    let mut prev_end: Option<usize> = None;
    while out.len() < limit && pos <= text.len() {
        let Some((start, end)) = re.find_at(text, pos) else {
            break;
        };
        let mut accept = true;
        if end == pos {
            if Some(start) == prev_end {
                accept = false;
            }
            pos += text[pos..].chars().next().map_or(1, char::len_utf8);
        } else {
            pos = end;
        }
        prev_end = Some(end);
        if accept {
            out.push((start, end));
        }
    }
    out
}

fn find_all_strings(re: &GoRegex, text: &str, n: i64) -> Value {
    let found = find_all(re, text, n)
        .into_iter()
        .map(|(a, b)| text[a..b].to_string())
        .collect();
    strings_value(found)
}

fn regex_find_all(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let re = must_compile(s(&args[0]))?;
    Ok(find_all_strings(&re, s(&args[1]), n(&args[2])))
}

fn must_regex_find_all(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let re = compile_err(s(&args[0]))?;
    Ok(find_all_strings(&re, s(&args[1]), n(&args[2])))
}

fn find_first(re: &GoRegex, text: &str) -> Value {
    Value::str(re.find_at(text, 0).map_or("", |(a, b)| &text[a..b]))
}

fn regex_find(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let re = must_compile(s(&args[0]))?;
    Ok(find_first(&re, s(&args[1])))
}

fn must_regex_find(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let re = compile_err(s(&args[0]))?;
    Ok(find_first(&re, s(&args[1])))
}

/// Go's `regexp.Expand` of a replacement template for one match.
fn expand(re: &GoRegex, caps: &regex::Captures<'_>, template: &str, out: &mut String) {
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest[1..].starts_with('$') {
            out.push('$');
            rest = &rest[2..];
            continue;
        }
        let Some((name, num, after)) = extract_reference(rest) else {
            // Malformed: the `$` is kept as text.
            out.push('$');
            rest = &rest[1..];
            continue;
        };
        rest = after;
        // A name picks the first group of that name that took part in the match.
        let group = match num {
            Some(i) => caps.get(i),
            None => re
                .names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.as_deref() == Some(name))
                .find_map(|(i, _)| caps.get(i)),
        };
        if let Some(g) = group {
            out.push_str(g.as_str());
        }
    }
    out.push_str(rest);
}

/// Reads `$name` or `${name}` at the start of `text`: the name, its group number when it is
/// a number without leading zeros, and the text after it. `None` when malformed.
fn extract_reference(text: &str) -> Option<(&str, Option<usize>, &str)> {
    let body = text.strip_prefix('$')?;
    let (brace, body) = match body.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, body),
    };
    let len: usize = body
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let name = &body[..len];
    let mut after = &body[len..];
    if brace {
        after = after.strip_prefix('}')?;
    }
    let mut num: Option<usize> = Some(0);
    for b in name.bytes() {
        num = match num {
            Some(v) if b.is_ascii_digit() && v < 100_000_000 => {
                Some(v * 10 + usize::from(b - b'0'))
            }
            _ => None,
        };
    }
    if name.starts_with('0') && name.len() > 1 {
        num = None;
    }
    Some((name, num, after))
}

/// Go's `ReplaceAll*`: no replacement for an empty match right after a previous match.
fn replace_all(re: &GoRegex, text: &str, repl: &str, literal: bool) -> String {
    if let Some(out) = replace_all_common(re, text, repl, literal) {
        return out;
    }
    let mut out = String::with_capacity(text.len());
    let mut last_end = 0;
    let mut search = 0;
    while search <= text.len() {
        let Some(caps) = re.regex().captures_at(text, search) else {
            break;
        };
        let whole = caps
            .get(0)
            .map_or((search, search), |m| (m.start(), m.end()));
        out.push_str(&text[last_end..whole.0]);
        if whole.1 > last_end || whole.0 == 0 {
            if literal {
                out.push_str(repl);
            } else {
                expand(re, &caps, repl, &mut out);
            }
        }
        last_end = whole.1;
        let width = text[search..].chars().next().map_or(1, char::len_utf8);
        if search + width > whole.1 {
            search += width;
        } else if search + 1 > whole.1 {
            search += 1;
        } else {
            search = whole.1;
        }
    }
    out.push_str(&text[last_end.min(text.len())..]);
    out
}

/// [`replace_all`] for a pattern matched by hand, where the replacement needs no groups (is
/// literal, or has no `$`); `None` otherwise. Every match of these patterns is non-empty.
fn replace_all_common(re: &GoRegex, text: &str, repl: &str, literal: bool) -> Option<String> {
    let common = re.common?;
    if !literal && repl.contains('$') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut last_end = 0;
    while let Some((start, end)) = common.find_at(text, last_end) {
        out.push_str(&text[last_end..start]);
        out.push_str(repl);
        last_end = end;
    }
    out.push_str(&text[last_end..]);
    Some(out)
}

fn regex_replace_all(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let re = must_compile(s(&args[0]))?;
    Ok(Value::string(replace_all(
        &re,
        s(&args[1]),
        s(&args[2]),
        false,
    )))
}

fn must_regex_replace_all(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let re = compile_err(s(&args[0]))?;
    Ok(Value::string(replace_all(
        &re,
        s(&args[1]),
        s(&args[2]),
        false,
    )))
}

fn regex_replace_literal(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let re = must_compile(s(&args[0]))?;
    Ok(Value::string(replace_all(
        &re,
        s(&args[1]),
        s(&args[2]),
        true,
    )))
}

fn must_regex_replace_literal(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let re = compile_err(s(&args[0]))?;
    Ok(Value::string(replace_all(
        &re,
        s(&args[1]),
        s(&args[2]),
        true,
    )))
}

/// Go's `Regexp.Split`: at most `n` parts when `n > 0`, none when `n == 0`.
fn split(re: &GoRegex, expr: &str, text: &str, n: i64) -> Value {
    if n == 0 {
        return strings_value(Vec::new());
    }
    if !expr.is_empty() && text.is_empty() {
        return strings_value(vec![String::new()]);
    }
    let mut parts = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (a, b) in find_all(re, text, n) {
        if n > 0 && parts.len() as i64 == n - 1 {
            break;
        }
        end = a;
        if b != 0 {
            parts.push(text[beg..end].to_string());
        }
        beg = b;
    }
    if end != text.len() {
        parts.push(text[beg..].to_string());
    }
    strings_value(parts)
}

fn regex_split(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let expr = s(&args[0]);
    let re = must_compile(expr)?;
    Ok(split(&re, expr, s(&args[1]), n(&args[2])))
}

fn must_regex_split(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let expr = s(&args[0]);
    let re = compile_err(expr)?;
    Ok(split(&re, expr, s(&args[1]), n(&args[2])))
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
fn regex_quote_meta(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut out = String::new();
    for c in s(&args[0]).chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(Value::string(out))
}

/// Go's `regexp/syntax` error text for `code` about `arg`.
fn syntax_error(code: &str, arg: &str) -> String {
    format!("error parsing regexp: {code}: `{arg}`")
}

const MISSING_PAREN: &str = "missing closing )";
const UNEXPECTED_PAREN: &str = "unexpected )";
const MISSING_BRACKET: &str = "missing closing ]";
const INVALID_ESCAPE: &str = "invalid escape sequence";
const INVALID_RANGE: &str = "invalid character class range";
const INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const INVALID_NAMED_CAPTURE: &str = "invalid named capture";
const MISSING_REPEAT_ARG: &str = "missing argument to repetition operator";
const INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";

/// One character of a class or a literal, written for the `regex` crate.
fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_punctuation() || c == ' ' {
        out.push_str(&regex::escape(&c.to_string()));
    } else if c.is_control() || c.is_whitespace() {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    } else {
        out.push(c);
    }
}

/// A Go Perl class (`\d`, `\w`, `\s` and negations): ASCII only.
fn perl_class(c: char) -> Option<(&'static str, bool)> {
    match c {
        'd' => Some(("0-9", false)),
        'D' => Some(("0-9", true)),
        'w' => Some(("0-9A-Za-z_", false)),
        'W' => Some(("0-9A-Za-z_", true)),
        's' => Some(("\\t\\n\\x0C\\r ", false)),
        'S' => Some(("\\t\\n\\x0C\\r ", true)),
        _ => None,
    }
}

/// The ranges of the complement of a Perl class, for use inside a bracket class.
fn perl_class_negated_ranges(c: char) -> &'static str {
    match c {
        'D' => "\\x00-/:-\\x{10FFFF}",
        'W' => "\\x00-/:-@\\[-\\^`\\{-\\x{10FFFF}",
        _ => "\\x00-\\x08\\x0B\\x0E-\\x1F!-\\x{10FFFF}",
    }
}

const POSIX_CLASSES: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// The shape of a parsed pattern as far as Go's limit on nested counted repetitions needs it:
/// a repetition (with its counts when counted) or a group, and what it contains.
#[derive(Default)]
struct Shape {
    counts: Option<(i64, Option<i64>)>,
    children: Vec<Shape>,
}

/// Go's `repeatIsValid`: along any path, nested counted repetitions multiply to at most `n`.
fn repeat_is_valid(shape: &Shape, mut n: i64) -> bool {
    if let Some((min, max)) = shape.counts {
        let mut m = max.unwrap_or(-1);
        if m == 0 {
            return true;
        }
        if m < 0 {
            m = min;
        }
        if m > n {
            return false;
        }
        if m > 0 {
            n /= m;
        }
    }
    shape.children.iter().all(|c| repeat_is_valid(c, n))
}

/// Reads Go's regular expression syntax and writes the same pattern for the `regex` crate.
struct Translator<'a> {
    expr: &'a str,
    chars: Vec<(usize, char)>,
    i: usize,
    out: String,
    /// The items of each open group, the whole pattern first.
    groups: Vec<Vec<Shape>>,
    /// The Go name of each capture group, by index (0 is the whole match). Go allows a name
    /// twice; the `regex` crate does not, so repeats are written under a private name.
    names: Vec<Option<String>>,
}

impl<'a> Translator<'a> {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).map(|&(_, c)| c)
    }

    fn offset(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.expr.len(), |&(o, _)| o)
    }

    /// The source text from char index `from` to the current position.
    fn text_from(&self, from: usize) -> &'a str {
        &self.expr[self.offset(from)..self.offset(self.i)]
    }

    /// Notes an item that a repetition may apply to.
    fn atom(&mut self) {
        if let Some(items) = self.groups.last_mut() {
            items.push(Shape::default());
        }
    }

    fn open_group(&mut self) {
        self.groups.push(Vec::new());
    }

    fn close_group(&mut self) {
        let children = self.groups.pop().unwrap_or_default();
        if let Some(items) = self.groups.last_mut() {
            items.push(Shape {
                counts: None,
                children,
            });
        }
    }

    fn run(mut self) -> Result<(String, Vec<Option<String>>), String> {
        let mut depth = 0usize;
        // Whether a repetition operator has something to repeat.
        let mut has_atom = false;
        // Where the previous repetition operator started, when the last item was one.
        let mut last_repeat: Option<usize> = None;
        while let Some(c) = self.peek(0) {
            let start = self.i;
            match c {
                '*' | '+' | '?' => {
                    self.i += 1;
                    if self.peek(0) == Some('?') {
                        self.i += 1;
                    }
                    self.repeat(start, has_atom, last_repeat, None)?;
                    last_repeat = Some(start);
                    continue;
                }
                '{' => {
                    if let Some((min, max)) = self.parse_repeat() {
                        // Go checks the counts before the operand.
                        let bad = |v: i64| !(0..=1000).contains(&v);
                        if bad(min) || max.is_some_and(|m| bad(m) || min > m) {
                            return Err(syntax_error(INVALID_REPEAT_SIZE, self.text_from(start)));
                        }
                        if self.peek(0) == Some('?') {
                            self.i += 1;
                        }
                        self.repeat(start, has_atom, last_repeat, Some((min, max)))?;
                        last_repeat = Some(start);
                        continue;
                    }
                    self.i += 1;
                    self.out.push_str("\\{");
                    self.atom();
                    has_atom = true;
                }
                '(' => {
                    self.i += 1;
                    if self.peek(0) == Some('?') {
                        let opens = self.group_flags(start)?;
                        if opens {
                            self.open_group();
                            depth += 1;
                            has_atom = false;
                        }
                    } else {
                        self.out.push('(');
                        self.names.push(None);
                        self.open_group();
                        depth += 1;
                        has_atom = false;
                    }
                }
                ')' => {
                    if depth == 0 {
                        return Err(syntax_error(UNEXPECTED_PAREN, self.expr));
                    }
                    depth -= 1;
                    self.i += 1;
                    self.out.push(')');
                    self.close_group();
                    has_atom = true;
                }
                '|' => {
                    self.i += 1;
                    self.out.push('|');
                    has_atom = false;
                }
                '[' => {
                    self.class()?;
                    self.atom();
                    has_atom = true;
                }
                '\\' => {
                    self.escape_outside()?;
                    self.atom();
                    has_atom = true;
                }
                '.' | '^' | '$' => {
                    self.i += 1;
                    self.out.push(c);
                    self.atom();
                    has_atom = true;
                }
                _ => {
                    self.i += 1;
                    push_literal(&mut self.out, c);
                    self.atom();
                    has_atom = true;
                }
            }
            last_repeat = None;
        }
        if depth > 0 {
            return Err(syntax_error(MISSING_PAREN, self.expr));
        }
        Ok((self.out, self.names))
    }

    /// Checks and writes the repetition operator read from `start` (with its counts when it
    /// is counted).
    fn repeat(
        &mut self,
        start: usize,
        has_atom: bool,
        last_repeat: Option<usize>,
        counts: Option<(i64, Option<i64>)>,
    ) -> Result<(), String> {
        let op = self.text_from(start);
        if let Some(prev) = last_repeat {
            return Err(syntax_error(INVALID_REPEAT_OP, self.text_from(prev)));
        }
        if !has_atom {
            return Err(syntax_error(MISSING_REPEAT_ARG, op));
        }
        let items = self.groups.last_mut();
        let operand = items.and_then(Vec::pop).unwrap_or_default();
        let shape = Shape {
            counts,
            children: vec![operand],
        };
        if let Some((min, max)) = counts {
            if (min >= 2 || max.is_some_and(|m| m >= 2)) && !repeat_is_valid(&shape, 1000) {
                return Err(syntax_error(INVALID_REPEAT_SIZE, op));
            }
        }
        if let Some(items) = self.groups.last_mut() {
            items.push(shape);
        }
        self.out.push_str(op);
        Ok(())
    }

    /// Reads `{min}`, `{min,}` or `{min,max}`; `None` (nothing consumed) when the `{` does not
    /// start one, and is then a literal. A number too large to read is -1.
    fn parse_repeat(&mut self) -> Option<(i64, Option<i64>)> {
        let save = self.i;
        self.i += 1;
        let min = self.parse_int();
        let Some(min) = min else {
            self.i = save;
            return None;
        };
        let max = if self.peek(0) == Some(',') {
            self.i += 1;
            if self.peek(0) == Some('}') {
                None
            } else {
                match self.parse_int() {
                    Some(m) => Some(m),
                    None => {
                        self.i = save;
                        return None;
                    }
                }
            }
        } else {
            Some(min)
        };
        if self.peek(0) != Some('}') {
            self.i = save;
            return None;
        }
        self.i += 1;
        Some((min, max))
    }

    /// Go's `parseInt` for repeat counts: digits without a leading zero; large values are -1.
    fn parse_int(&mut self) -> Option<i64> {
        let from = self.i;
        while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let digits = self.text_from(from);
        if digits.is_empty() || (digits.len() >= 2 && digits.starts_with('0')) {
            return None;
        }
        Some(
            digits
                .parse::<i64>()
                .ok()
                .filter(|v| *v < 100_000_000)
                .unwrap_or(-1),
        )
    }

    /// Reads `(?flags)`, `(?flags:`, `(?P<name>` or `(?<name>` (the `(` already read from
    /// `start`). Returns whether a group was opened.
    fn group_flags(&mut self, start: usize) -> Result<bool, String> {
        // Named captures.
        let named = match (self.peek(1), self.peek(2)) {
            (Some('P'), Some('<')) => Some(3),
            (Some('<'), _) => Some(2),
            _ => None,
        };
        if let Some(skip) = named {
            let rest = &self.expr[self.offset(start)..];
            let Some(close) = rest.find('>') else {
                return Err(syntax_error(INVALID_NAMED_CAPTURE, rest));
            };
            let name_start = self.offset(self.i + skip);
            let name = &self.expr[name_start..self.offset(start) + close];
            let whole = &rest[..=close];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(syntax_error(INVALID_NAMED_CAPTURE, whole));
            }
            while self.offset(self.i) <= self.offset(start) + close {
                self.i += 1;
            }
            let index = self.names.len();
            let unique = if self.names.iter().any(|n| n.as_deref() == Some(name)) {
                format!("go_duplicate_{index}")
            } else {
                name.to_string()
            };
            self.names.push(Some(name.to_string()));
            self.out.push_str(&format!("(?P<{unique}>"));
            return Ok(true);
        }
        self.i += 1; // the '?'
        let mut flags = String::new();
        let mut negated = false;
        let mut saw_flag = false;
        while let Some(c) = self.peek(0) {
            self.i += 1;
            match c {
                'i' | 'm' | 's' | 'U' => {
                    flags.push(c);
                    saw_flag = true;
                }
                '-' if !negated => {
                    negated = true;
                    saw_flag = false;
                    flags.push('-');
                }
                ':' | ')' => {
                    if negated && !saw_flag {
                        break;
                    }
                    let flags = flags.trim_end_matches('-');
                    if c == ':' {
                        self.out.push_str(&format!("(?{flags}:"));
                        return Ok(true);
                    }
                    if !flags.is_empty() {
                        self.out.push_str(&format!("(?{flags})"));
                    }
                    return Ok(false);
                }
                _ => break,
            }
        }
        Err(syntax_error(INVALID_PERL_OP, self.text_from(start)))
    }

    /// An escape outside a class: assertions, `\Q…\E`, classes, or a single character.
    fn escape_outside(&mut self) -> Result<(), String> {
        let start = self.i;
        match self.peek(1) {
            None => return Err(syntax_error(TRAILING_BACKSLASH, "")),
            Some(c @ ('A' | 'z')) => {
                self.i += 2;
                self.out.push('\\');
                self.out.push(c);
                return Ok(());
            }
            Some(c @ ('b' | 'B')) => {
                self.i += 2;
                self.out.push_str(&format!("(?-u:\\{c})"));
                return Ok(());
            }
            Some('Q') => {
                self.i += 2;
                let from = self.offset(self.i);
                let rest = &self.expr[from..];
                let (lit, consumed) = match rest.find("\\E") {
                    Some(e) => (&rest[..e], e + 2),
                    None => (rest, rest.len()),
                };
                for c in lit.chars() {
                    push_literal(&mut self.out, c);
                }
                while self.offset(self.i) < from + consumed {
                    self.i += 1;
                }
                return Ok(());
            }
            Some(c @ ('p' | 'P')) => {
                let class = self.unicode_class(start, c)?;
                self.out.push_str(&class);
                return Ok(());
            }
            Some(c) => {
                if let Some((set, negated)) = perl_class(c) {
                    self.i += 2;
                    let caret = if negated { "^" } else { "" };
                    self.out.push_str(&format!("[{caret}{set}]"));
                    return Ok(());
                }
            }
        }
        let c = self.escaped_char()?;
        push_literal(&mut self.out, c);
        Ok(())
    }

    /// `\pL`, `\p{Name}`, `\PL`, `\P{^Name}` from `start`: checked by the `regex` crate, and
    /// reported with Go's error when unknown.
    fn unicode_class(&mut self, start: usize, letter: char) -> Result<String, String> {
        self.i += 2;
        let name_text = match self.peek(0) {
            Some('{') => {
                let from = self.i;
                while self.peek(0).is_some_and(|c| c != '}') {
                    self.i += 1;
                }
                if self.peek(0).is_none() {
                    return Err(syntax_error(INVALID_RANGE, self.text_from(start)));
                }
                self.i += 1;
                let t = self.text_from(from);
                t[1..t.len() - 1].to_string()
            }
            Some(_) => {
                self.i += 1;
                self.text_from(self.i - 1).to_string()
            }
            None => return Err(syntax_error(INVALID_RANGE, self.text_from(start))),
        };
        let (negate, name) = match name_text.strip_prefix('^') {
            Some(n) => (letter == 'p', n),
            None => (letter == 'P', name_text.as_str()),
        };
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && Regex::new(&format!("\\p{{{name}}}")).is_ok();
        if !valid {
            return Err(syntax_error(INVALID_RANGE, self.text_from(start)));
        }
        let p = if negate { 'P' } else { 'p' };
        Ok(format!("\\{p}{{{name}}}"))
    }

    /// Go's `parseEscape`: a single escaped character (the `\` at the current position).
    fn escaped_char(&mut self) -> Result<char, String> {
        let start = self.i;
        self.i += 1;
        let Some(c) = self.peek(0) else {
            return Err(syntax_error(TRAILING_BACKSLASH, ""));
        };
        self.i += 1;
        let invalid = |t: &Self| Err(syntax_error(INVALID_ESCAPE, t.text_from(start)));
        match c {
            '1'..='7' if !self.peek(0).is_some_and(|d| ('0'..='7').contains(&d)) => invalid(self),
            '0'..='7' => {
                let mut v = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek(0).and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.i += 1;
                        }
                        None => break,
                    }
                }
                Ok(char::from_u32(v).unwrap_or('\0'))
            }
            'x' => {
                let Some(next) = self.peek(0) else {
                    return invalid(self);
                };
                self.i += 1;
                if next == '{' {
                    let mut v: u32 = 0;
                    let mut digits = 0;
                    loop {
                        let Some(d) = self.peek(0) else {
                            return invalid(self);
                        };
                        self.i += 1;
                        if d == '}' {
                            break;
                        }
                        let Some(h) = d.to_digit(16) else {
                            return invalid(self);
                        };
                        v = v.saturating_mul(16).saturating_add(h);
                        digits += 1;
                        if v > 0x10FFFF {
                            return invalid(self);
                        }
                    }
                    if digits == 0 {
                        return invalid(self);
                    }
                    return char::from_u32(v).map_or_else(|| invalid(self), Ok);
                }
                // Go reads both characters before checking them.
                let second = self.peek(0);
                if second.is_some() {
                    self.i += 1;
                }
                match (next.to_digit(16), second.and_then(|d| d.to_digit(16))) {
                    (Some(hi), Some(lo)) => Ok(char::from_u32(hi * 16 + lo).unwrap_or('\0')),
                    _ => invalid(self),
                }
            }
            'a' => Ok('\x07'),
            'f' => Ok('\x0C'),
            'n' => Ok('\n'),
            'r' => Ok('\r'),
            't' => Ok('\t'),
            'v' => Ok('\x0B'),
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok(c),
            _ => invalid(self),
        }
    }

    /// A bracket class `[…]`, with Go's rules: a leading `]` is literal, `[` is literal unless
    /// it starts `[:name:]`, and Perl and Unicode classes may appear inside.
    fn class(&mut self) -> Result<(), String> {
        let start = self.i;
        self.i += 1;
        let mut body = String::new();
        if self.peek(0) == Some('^') {
            self.i += 1;
            body.push('^');
        }
        let missing = |t: &Self| Err(syntax_error(MISSING_BRACKET, &t.expr[t.offset(start)..]));
        let mut first = true;
        loop {
            let Some(c) = self.peek(0) else {
                return missing(self);
            };
            if c == ']' && !first {
                self.i += 1;
                break;
            }
            first = false;
            let item_start = self.i;
            // A POSIX class.
            if c == '[' && self.peek(1) == Some(':') {
                let rest = &self.expr[self.offset(self.i)..];
                if let Some(end) = rest[2..].find(":]") {
                    let whole = &rest[..end + 4];
                    let name = whole[2..whole.len() - 2].trim_start_matches('^');
                    if !POSIX_CLASSES.contains(&name) {
                        return Err(syntax_error(INVALID_RANGE, whole));
                    }
                    body.push_str(whole);
                    while self.offset(self.i) < self.offset(item_start) + whole.len() {
                        self.i += 1;
                    }
                    continue;
                }
            }
            if c == '\\' {
                match self.peek(1) {
                    Some(p @ ('p' | 'P')) => {
                        let class = self.unicode_class(item_start, p)?;
                        body.push_str(&class);
                        continue;
                    }
                    Some(p) if perl_class(p).is_some() => {
                        self.i += 2;
                        match perl_class(p) {
                            Some((set, false)) => body.push_str(set),
                            _ => body.push_str(perl_class_negated_ranges(p)),
                        }
                        continue;
                    }
                    None => return Err(syntax_error(TRAILING_BACKSLASH, "")),
                    _ => {}
                }
            }
            let lo = self.class_char()?;
            let lo_end = self.i;
            if self.peek(0) == Some('-') && self.peek(1).is_some_and(|n| n != ']') {
                self.i += 1;
                if self.peek(0).is_none() {
                    return missing(self);
                }
                let hi = self.class_char()?;
                if hi < lo {
                    return Err(syntax_error(INVALID_RANGE, self.text_from(item_start)));
                }
                push_literal(&mut body, lo);
                body.push('-');
                push_literal(&mut body, hi);
            } else {
                self.i = lo_end;
                push_literal(&mut body, lo);
            }
        }
        self.out.push('[');
        self.out.push_str(&body);
        self.out.push(']');
        Ok(())
    }

    /// One character of a class: literal or escaped.
    fn class_char(&mut self) -> Result<char, String> {
        match self.peek(0) {
            Some('\\') => {
                if self.peek(1).is_none() {
                    return Err(syntax_error(TRAILING_BACKSLASH, ""));
                }
                self.escaped_char()
            }
            Some(c) => {
                self.i += 1;
                Ok(c)
            }
            None => Err(syntax_error(TRAILING_BACKSLASH, "")),
        }
    }
}

/// Rewrites a Go pattern for the `regex` crate, or gives Go's parse error. Also gives the Go
/// name of each capture group.
fn translate(expr: &str) -> Result<(String, Vec<Option<String>>), String> {
    Translator {
        expr,
        chars: expr.char_indices().collect(),
        i: 0,
        out: String::with_capacity(expr.len() + 8),
        groups: vec![Vec::new()],
        names: vec![None],
    }
    .run()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotemplate::func::PlainRuntime;
    use crate::test_rng::Xorshift;

    /// The hand matchers give the compiled patterns' matches, from every start, and the same
    /// replacements, on texts made of the pieces the patterns care about.
    #[test]
    fn common_patterns_match_as_compiled() {
        const PIECES: &[&str] = &[
            "a",
            "z",
            "A",
            "Z",
            "0",
            "9",
            "-",
            "--",
            "_",
            ".",
            "+",
            ":",
            " ",
            "é",
            "日",
            "-r",
            "-r1",
            "r",
            "12",
            "sha256:",
            "sha256",
            "my-release",
            "\n",
        ];
        let mut rng = Xorshift(0x5eed_cafe_f00d);
        for expr in [r"[^A-Za-z0-9]+$", r"(-?[^a-z\d\-])+-?", r"-r\d+$|sha256:"] {
            let common = Common::of(expr).expect("a common pattern");
            let hand = compile(expr).expect("compiles");
            assert_eq!(hand.common, Some(common));
            // The same pattern through the `regex` crate.
            let re = GoRegex {
                common: None,
                ..hand.clone()
            };
            for _ in 0..3000 {
                let text: String = (0..rng.below(9))
                    .map(|_| PIECES[rng.below(PIECES.len())])
                    .collect();
                for from in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                    let want = re
                        .regex()
                        .find_at(&text, from)
                        .map(|m| (m.start(), m.end()));
                    assert_eq!(
                        common.find_at(&text, from),
                        want,
                        "{expr} in {text:?} from {from}"
                    );
                }
                for (repl, literal) in [("-", false), ("", false), ("$1x", true)] {
                    assert_eq!(
                        replace_all_common(&hand, &text, repl, literal).as_deref(),
                        Some(replace_all(&re, &text, repl, literal).as_str()),
                        "{expr} in {text:?} by {repl:?}"
                    );
                }
                // A replacement with groups goes to the compiled pattern.
                assert_eq!(replace_all_common(&hand, &text, "$1", false), None);
            }
        }
    }

    fn call(name: &str, args: &[Value]) -> FuncResult {
        let mut map = FuncMap::new();
        register(&mut map);
        let def = map.get(name).expect("registered");
        (def.imp)(&mut PlainRuntime::default(), args)
    }

    fn v(items: &[&str]) -> Vec<Value> {
        items.iter().map(|s| Value::str(s)).collect()
    }

    fn text(name: &str, args: &[Value]) -> String {
        gofmt::fmt_value(&call(name, args).unwrap())
    }

    #[test]
    fn go_parse_errors() {
        let err = |p: &str| translate(p).unwrap_err();
        assert_eq!(err("("), "error parsing regexp: missing closing ): `(`");
        assert_eq!(err("a)"), "error parsing regexp: unexpected ): `a)`");
        assert_eq!(
            err("[abc"),
            "error parsing regexp: missing closing ]: `[abc`"
        );
        assert_eq!(
            err("[z-a]"),
            "error parsing regexp: invalid character class range: `z-a`"
        );
        assert_eq!(
            err("a**"),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
        assert_eq!(
            err("a{2}{3}"),
            "error parsing regexp: invalid nested repetition operator: `{2}{3}`"
        );
        assert_eq!(
            err("\\8"),
            "error parsing regexp: invalid escape sequence: `\\8`"
        );
        assert_eq!(
            err("(?x)a"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"
        );
        assert_eq!(
            err("a{2000}"),
            "error parsing regexp: invalid repeat count: `{2000}`"
        );
        assert_eq!(
            err("*a"),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(
            err("(?P<a-b>x)"),
            "error parsing regexp: invalid named capture: `(?P<a-b>`"
        );
        assert_eq!(
            err("a\\"),
            "error parsing regexp: trailing backslash at end of expression: ``"
        );
        assert_eq!(
            err("\\pX"),
            "error parsing regexp: invalid character class range: `\\pX`"
        );
        assert_eq!(
            err("[[:foo:]]"),
            "error parsing regexp: invalid character class range: `[:foo:]`"
        );
    }

    #[test]
    fn go_classes_are_ascii() {
        let m = |p: &str, t: &str| compile(p).unwrap().is_match(t);
        assert!(!m("\\d", "٣"));
        assert!(!m("\\w", "é"));
        assert!(!m("\\bé", "é"));
        assert!(m("[\\d]", "5"));
        assert!(m("\\Qa.b\\E", "a.b"));
        assert!(!m("\\Qa.b\\E", "axb"));
        assert!(m("a{", "a{"));
        assert!(m("a{,2}", "a{,2}"));
        assert!(m("\\<", "<"));
        assert!(m("[a&&b]", "&"));
        assert!(m("[[a]", "["));
        assert!(m("\\12", "\n"));
    }

    #[test]
    fn empty_matches_follow_go() {
        assert_eq!(
            text(
                "regexFindAll",
                &[v(&["a*", "baaac"]), vec![Value::Int(-1)]].concat()
            ),
            "[ aaa ]"
        );
        assert_eq!(text("regexReplaceAll", &v(&["a*", "baaac", "X"])), "XbXcX");
        assert_eq!(
            text(
                "regexSplit",
                &[v(&["a*", "baaac"]), vec![Value::Int(-1)]].concat()
            ),
            "[b c]"
        );
        assert_eq!(
            text(
                "regexSplit",
                &[v(&["", "abc"]), vec![Value::Int(-1)]].concat()
            ),
            "[a b c]"
        );
        assert_eq!(
            text(
                "regexSplit",
                &[v(&[",", "a,b,c"]), vec![Value::Int(2)]].concat()
            ),
            "[a b,c]"
        );
    }

    #[test]
    fn replacement_templates() {
        assert_eq!(
            text(
                "regexReplaceAll",
                &v(&["(a)(b)?", "ab a", "[$1|$2|${1}x|$1x|$$|$]"])
            ),
            "[a|b|ax||$|$] [a||ax||$|$]"
        );
        assert_eq!(
            text("regexReplaceAll", &v(&["(?P<n>a)", "a", "<$n><${n}><$01>"])),
            "<a><a><>"
        );
        assert_eq!(
            text("regexReplaceAllLiteral", &v(&["a", "aa", "$0"])),
            "$0$0"
        );
        assert_eq!(
            text("regexQuoteMeta", &v(&["a.b*c#-&~[]{}"])),
            "a\\.b\\*c#-&~\\[\\]\\{\\}"
        );
    }

    #[test]
    fn duplicate_names_and_nested_counts() {
        // Go accepts a repeated group name; `$a` is the first such group that matched.
        assert_eq!(
            text("regexReplaceAll", &v(&["(?P<a>x)|(?P<a>y)", "y", "<$a>"])),
            "<y>"
        );
        assert_eq!(
            translate("(a{100}){100}").unwrap_err(),
            "error parsing regexp: invalid repeat count: `{100}`"
        );
        assert!(translate("(a{10}){100}").is_ok());
        assert!(translate("(a*){1000}").is_ok());
    }

    #[test]
    fn must_compile_quotes_like_go() {
        let err = call("regexFind", &v(&["(`", "x"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "regexp: Compile(\"(`\"): error parsing regexp: missing closing ): `(``"
        );
        assert!(!call("regexMatch", &v(&["(", "x"])).unwrap().is_true());
    }
}
