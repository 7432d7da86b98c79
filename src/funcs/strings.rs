//! Sprig's string functions: case changes, trimming, abbreviation and wrapping, quoting,
//! splitting and joining, `indent`/`nindent`, `sortAlpha` (`shuffle`, being random, lives with
//! the random functions).
//!
//! Go strings are bytes, and several of Sprig's helpers (`trunc`, `substr`, `abbrev`, `wrap`,
//! `initials`, `nospace`) index or walk them byte by byte; these work on bytes here too, so
//! results match Go for ASCII text. Where Go would cut a multi-byte character in two, the
//! broken bytes become U+FFFD (a Rust string must stay UTF-8).

use unicode_general_category::{get_general_category, GeneralCategory as Gc};

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::gofmt;
use crate::gotemplate::value::{Map, MapType, Value};

use super::conversion::{slice_items, strings_value, strslice, strval};

pub fn register(map: &mut FuncMap) {
    map.insert(func!("hello", [], hello));
    map.insert(func!("abbrev", [Int, String], abbrev));
    map.insert(func!("abbrevboth", [Int, Int, String], abbrevboth));
    map.insert(func!("trunc", [Int, String], trunc));
    map.insert(func!("trim", [String], trim));
    map.insert(func!("upper", [String], upper));
    map.insert(func!("lower", [String], lower));
    map.insert(func!("title", [String], title));
    map.insert(func!("untitle", [String], untitle));
    map.insert(func!("substr", [Int, Int, String], substr));
    map.insert(func!("repeat", [Int, String], repeat));
    map.insert(func!("trimall", [String, String], trim_all));
    map.insert(func!("trimAll", [String, String], trim_all));
    map.insert(func!("trimSuffix", [String, String], trim_suffix));
    map.insert(func!("trimPrefix", [String, String], trim_prefix));
    map.insert(func!("nospace", [String], nospace));
    map.insert(func!("initials", [String], initials));
    map.insert(func!("swapcase", [String], swapcase));
    map.insert(func!("snakecase", [String], snakecase));
    map.insert(func!("camelcase", [String], camelcase));
    map.insert(func!("kebabcase", [String], kebabcase));
    map.insert(func!("wrap", [Int, String], wrap));
    map.insert(func!("wrapWith", [Int, String, String], wrap_with));
    map.insert(func!("contains", [String, String], contains));
    map.insert(func!("hasPrefix", [String, String], has_prefix));
    map.insert(func!("hasSuffix", [String, String], has_suffix));
    map.insert(func!("quote", [], ...Any, quote));
    map.insert(func!("squote", [], ...Any, squote));
    map.insert(func!("cat", [], ...Any, cat));
    map.insert(func!("indent", [Int, String], indent));
    map.insert(func!("nindent", [Int, String], nindent));
    map.insert(func!("replace", [String, String, String], replace));
    map.insert(func!("plural", [String, String, Int], plural));
    map.insert(func!("split", [String, String], split));
    map.insert(func!("splitList", [String, String], split_list));
    map.insert(func!("splitn", [String, Int, String], splitn));
    map.insert(func!("join", [String, Any], join));
    map.insert(func!("sortAlpha", [Any], sort_alpha));
}

type FuncResult = Result<Value, FuncError>;

/// The longest string `repeat` and `indent` build: Go would try to allocate more, we refuse
/// rather than exhaust memory.
const MAX_BUILT_LEN: usize = 1 << 28;

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn i(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => 0,
    }
}

/// Bytes cut out of a Go string, back as text.
fn from_bytes(b: &[u8]) -> String {
    crate::chart::text_of(b).into_owned()
}

/// A Go runtime panic for slicing `len`-long text at `[lo:hi]`, as text/template reports it.
fn slice_panic(lo: Option<i64>, hi: Option<i64>, len: usize) -> FuncError {
    let msg = match (lo, hi) {
        (None, Some(h)) if h < 0 => format!("[:{h}]"),
        (None, Some(h)) => format!("[:{h}] with length {len}"),
        (Some(l), None) if l < 0 => format!("[{l}:]"),
        (Some(l), None) => format!("[{l}:{len}]"),
        (Some(l), Some(h)) => format!("[{l}:{h}]"),
        (None, None) => String::new(),
    };
    FuncError::call(format!("runtime error: slice bounds out of range {msg}"))
}

fn hello(_: &mut dyn Runtime, _: &[Value]) -> FuncResult {
    Ok(Value::str("Hello!"))
}

/// goutils' `AbbreviateFull`; `None` where it returns an error.
fn abbreviate_full(text: &str, offset: i64, max_width: i64) -> Option<String> {
    let b = text.as_bytes();
    let len = b.len() as i64;
    if text.is_empty() {
        return Some(String::new());
    }
    if max_width < 4 {
        return None;
    }
    if len <= max_width {
        return Some(text.to_string());
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return Some(from_bytes(&b[..(max_width - 3) as usize]) + "...");
    }
    if max_width < 7 {
        return None;
    }
    if offset + max_width - 3 < len {
        let rest = from_bytes(&b[offset as usize..]);
        return Some(format!("...{}", abbreviate_full(&rest, 0, max_width - 3)?));
    }
    Some(format!(
        "...{}",
        from_bytes(&b[(len - (max_width - 3)) as usize..])
    ))
}

fn abbrev(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let (width, text) = (i(&args[0]), s(&args[1]));
    if width < 4 {
        return Ok(Value::str(text));
    }
    Ok(Value::string(
        abbreviate_full(text, 0, width).unwrap_or_default(),
    ))
}

fn abbrevboth(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let (left, right, text) = (i(&args[0]), i(&args[1]), s(&args[2]));
    if right < 4 || left > 0 && right < 7 {
        return Ok(Value::str(text));
    }
    Ok(Value::string(
        abbreviate_full(text, left, right).unwrap_or_default(),
    ))
}

fn trunc(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let (c, text) = (i(&args[0]), s(&args[1]));
    let b = text.as_bytes();
    let len = b.len() as i64;
    if c < 0 && len + c > 0 {
        return Ok(Value::string(from_bytes(&b[(len + c) as usize..])));
    }
    if c >= 0 && len > c {
        return Ok(Value::string(from_bytes(&b[..c as usize])));
    }
    Ok(Value::str(text))
}

fn trim(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::str(s(&args[0]).trim()))
}

/// Go's `unicode.ToUpper` maps one character to one; where Unicode's full mapping makes
/// several (`ß` → `SS`) Go keeps the character.
fn upper_char(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn lower_char(c: char) -> char {
    // The one character whose full lower-case mapping is longer than its simple one.
    if c == '\u{130}' {
        return 'i';
    }
    let mut low = c.to_lowercase();
    match (low.next(), low.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Go's `unicode.ToTitle`: upper case, except for the Latin digraphs, which have a title form
/// of their own (`ǆ` → `ǅ`).
fn title_char(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        _ => upper_char(c),
    }
}

/// Go's `unicode` class tests, by Unicode general category: `IsUpper` is `Lu` only (not
/// Rust's wider `Uppercase` property), `IsLetter` is `L*` (not `Alphabetic`), and so on.
fn category(c: char) -> Gc {
    get_general_category(c)
}

fn is_upper(c: char) -> bool {
    category(c) == Gc::UppercaseLetter
}

fn is_lower(c: char) -> bool {
    category(c) == Gc::LowercaseLetter
}

fn is_title(c: char) -> bool {
    category(c) == Gc::TitlecaseLetter
}

fn is_letter(c: char) -> bool {
    matches!(
        category(c),
        Gc::UppercaseLetter
            | Gc::LowercaseLetter
            | Gc::TitlecaseLetter
            | Gc::ModifierLetter
            | Gc::OtherLetter
    )
}

fn is_number(c: char) -> bool {
    matches!(
        category(c),
        Gc::DecimalNumber | Gc::LetterNumber | Gc::OtherNumber
    )
}

fn is_punct(c: char) -> bool {
    matches!(
        category(c),
        Gc::ConnectorPunctuation
            | Gc::DashPunctuation
            | Gc::OpenPunctuation
            | Gc::ClosePunctuation
            | Gc::InitialPunctuation
            | Gc::FinalPunctuation
            | Gc::OtherPunctuation
    )
}

fn upper(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(s(&args[0]).chars().map(upper_char).collect()))
}

fn lower(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(s(&args[0]).chars().map(lower_char).collect()))
}

/// `strings.Title`: upper-cases each letter that follows a separator (anything but ASCII
/// letters, digits and `_`; outside ASCII, only spaces).
fn title(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if is_letter(c) || category(c) == Gc::DecimalNumber {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut prev = ' ';
    let out = s(&args[0])
        .chars()
        .map(|c| {
            let r = if is_separator(prev) { title_char(c) } else { c };
            prev = c;
            r
        })
        .collect();
    Ok(Value::string(out))
}

/// goutils' `Uncapitalize`: lower-cases the first character of each space-separated word.
fn untitle(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut next = true;
    let out = s(&args[0])
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                next = true;
                c
            } else if next {
                next = false;
                lower_char(c)
            } else {
                c
            }
        })
        .collect();
    Ok(Value::string(out))
}

fn substr(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let (start, end, text) = (i(&args[0]), i(&args[1]), s(&args[2]));
    let b = text.as_bytes();
    let len = b.len() as i64;
    if start < 0 {
        if end < 0 || end > len {
            return Err(slice_panic(None, Some(end), b.len()));
        }
        return Ok(Value::string(from_bytes(&b[..end as usize])));
    }
    if end < 0 || end > len {
        if start > len {
            return Err(slice_panic(Some(start), None, b.len()));
        }
        return Ok(Value::string(from_bytes(&b[start as usize..])));
    }
    if start > end {
        return Err(slice_panic(Some(start), Some(end), b.len()));
    }
    Ok(Value::string(from_bytes(&b[start as usize..end as usize])))
}

fn repeat_str(text: &str, count: i64) -> Result<String, FuncError> {
    if count < 0 {
        return Err(FuncError::call("strings: negative Repeat count"));
    }
    let total = (text.len() as u128) * (count as u128);
    if total > MAX_BUILT_LEN as u128 {
        return Err(FuncError::call("strings: Repeat output length overflow"));
    }
    Ok(text.repeat(count as usize))
}

fn repeat(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(repeat_str(s(&args[1]), i(&args[0]))?))
}

fn trim_all(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let cutset = s(&args[0]);
    Ok(Value::str(s(&args[1]).trim_matches(|c| cutset.contains(c))))
}

fn trim_suffix(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let (suffix, text) = (s(&args[0]), s(&args[1]));
    Ok(Value::str(text.strip_suffix(suffix).unwrap_or(text)))
}

fn trim_prefix(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let (prefix, text) = (s(&args[0]), s(&args[1]));
    Ok(Value::str(text.strip_prefix(prefix).unwrap_or(text)))
}

/// goutils' `DeleteWhiteSpace`. It reads the string byte by byte, each byte taken as the
/// character of that number, so text with spaces and non-ASCII bytes comes out re-encoded as
/// Latin-1 read as UTF-8, exactly as in Helm.
fn nospace(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let text = s(&args[0]);
    let chars: Vec<char> = text.bytes().map(char::from).collect();
    if !chars.iter().any(|c| c.is_whitespace()) {
        return Ok(Value::str(text));
    }
    Ok(Value::string(
        chars.into_iter().filter(|c| !c.is_whitespace()).collect(),
    ))
}

/// goutils' `Initials`, which also walks bytes as characters (see [`nospace`]).
fn initials(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut gap = true;
    let mut out = String::new();
    for c in s(&args[0]).bytes().map(char::from) {
        if c.is_whitespace() {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    Ok(Value::string(out))
}

/// goutils' `SwapCase`: upper and title case → lower; lower → title case at the start of a
/// word, else upper.
fn swapcase(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut word_start = true;
    let out = s(&args[0])
        .chars()
        .map(|c| {
            if is_upper(c) || is_title(c) {
                word_start = false;
                lower_char(c)
            } else if is_lower(c) {
                let r = if word_start {
                    title_char(c)
                } else {
                    upper_char(c)
                };
                word_start = false;
                r
            } else {
                word_start = c.is_whitespace();
                c
            }
        })
        .collect();
    Ok(Value::string(out))
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// xstrings' `isAlphabet`: a letter that is not a CJK ideograph.
fn is_alphabet(c: char) -> bool {
    if !is_letter(c) {
        return false;
    }
    !matches!(c as u32, 0x4E00..=0x9FCC | 0x3400..=0x4D85 | 0x20000..=0x2B81D)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum WordType {
    Invalid,
    Number,
    UpperCase,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings' `nextWord`: splits off the next word of `text` and classifies it.
fn next_word(text: &str) -> (WordType, &str, &str) {
    let mut chars = text.char_indices().peekable();
    let Some((_, first)) = chars.next() else {
        return (WordType::Invalid, "", "");
    };
    let mut end = first.len_utf8();
    let advance_while = |end: &mut usize, pred: &dyn Fn(char) -> bool| {
        for c in text[*end..].chars() {
            if !pred(c) {
                break;
            }
            *end += c.len_utf8();
        }
    };
    let wt = if is_connector(first) {
        advance_while(&mut end, &is_connector);
        WordType::Connector
    } else if is_punct(first) {
        advance_while(&mut end, &is_punct);
        WordType::Punct
    } else if is_upper(first) {
        let rest = &text[end..];
        if let Some(second) = rest.chars().next() {
            if is_upper(second) {
                // A run of capitals; when a lower-case letter follows, its last capital starts
                // the next word ("HTTPServer" → "HTTP", "Server").
                let mut prev_size = second.len_utf8();
                end += prev_size;
                let mut next = None;
                for c in text[end..].chars() {
                    if !is_upper(c) {
                        next = Some(c);
                        break;
                    }
                    prev_size = c.len_utf8();
                    end += prev_size;
                }
                if next.is_some_and(is_alphabet) {
                    end -= prev_size;
                }
            } else if is_alphabet(second) {
                end += second.len_utf8();
                advance_while(&mut end, &|c| is_alphabet(c) && !is_upper(c));
            }
        }
        WordType::UpperCase
    } else if is_alphabet(first) {
        advance_while(&mut end, &|c| is_alphabet(c) && !is_upper(c));
        WordType::Alphabet
    } else if is_number(first) {
        advance_while(&mut end, &|c| is_number(c));
        WordType::Number
    } else {
        advance_while(&mut end, &|c| {
            !(is_connector(c) || is_alphabet(c) || is_number(c) || is_punct(c))
        });
        WordType::Other
    };
    (wt, &text[..end], &text[end..])
}

/// xstrings' `toLower`: capitals and connectors of upper-case and connector words are
/// rewritten, other words kept.
fn push_lower(out: &mut String, wt: WordType, word: &str, connector: char) {
    if wt != WordType::UpperCase && wt != WordType::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if is_upper(c) {
            out.push(lower_char(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings' `camelCaseToLowerCase` (`snakecase`, `kebabcase`).
fn camel_to_lower(text: &str, connector: char) -> String {
    use WordType::*;
    let mut out = String::new();
    if text.is_empty() {
        return out;
    }
    let (mut wt, mut word, mut remaining) = next_word(text);
    while !remaining.is_empty() {
        if wt != Connector {
            push_lower(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, remaining) = next_word(remaining);
        match prev {
            Number => {
                while wt == Alphabet || wt == Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != Invalid && wt != Punct && wt != Connector {
                    out.push(connector);
                }
            }
            Connector => push_lower(&mut out, prev, last, connector),
            Punct => {}
            _ => {
                if wt != Number {
                    if wt != Connector && wt != Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if remaining.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, remaining) = next_word(remaining);
                if wt != Alphabet {
                    push_lower(&mut out, Number, last, connector);
                    if wt != Connector && wt != Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                push_lower(&mut out, Number, last, connector);
                while wt == Alphabet || wt == Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != Invalid && wt != Connector && wt != Punct {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, wt, word, connector);
    out
}

fn snakecase(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(camel_to_lower(s(&args[0]), '_')))
}

fn kebabcase(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(camel_to_lower(s(&args[0]), '-')))
}

/// xstrings' `ToPascalCase`: connectors are dropped and the character after each is
/// upper-cased, as is the first; in a word that starts with a capital, the capitals that
/// follow it are lower-cased (`HTTPServer` → `Httpserver`). Leading connectors stay, and of a
/// run of connectors all but the last stay.
fn camelcase(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut chars = s(&args[0]).chars();
    let mut out = String::new();
    let mut first_upper = false;
    let mut r0 = None;
    let mut last_connector = None;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = is_upper(c);
            r0 = Some(upper_char(c));
            break;
        }
        out.push(c);
        last_connector = Some(c);
    }
    let Some(mut r0) = r0 else {
        // xstrings writes the last connector a second time.
        out.extend(last_connector);
        return Ok(Value::string(out));
    };
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = is_upper(r0);
            r0 = upper_char(r0);
        } else {
            if first_upper {
                if is_upper(r0) {
                    r0 = lower_char(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    Ok(Value::string(out))
}

/// goutils' `WrapCustom`, on bytes: breaks at the last space within `width`, or with
/// `long_words` inside words too long for a line.
fn wrap_custom(text: &str, width: i64, newline: &str, long_words: bool) -> String {
    if text.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = text.as_bytes();
    let len = b.len();
    let mut offset = 0;
    let mut out: Vec<u8> = Vec::with_capacity(len);
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        if let Some(space) = b[offset..end].iter().rposition(|&c| c == b' ') {
            let at = space + offset;
            out.extend_from_slice(&b[offset..at]);
            out.extend_from_slice(newline.as_bytes());
            offset = at + 1;
        } else if long_words {
            let end = width + offset;
            out.extend_from_slice(&b[offset..end]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(idx) => {
                    let at = idx + end;
                    out.extend_from_slice(&b[offset..at]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = at + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    from_bytes(&out)
}

fn wrap(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(wrap_custom(
        s(&args[1]),
        i(&args[0]),
        "",
        false,
    )))
}

fn wrap_with(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(wrap_custom(
        s(&args[2]),
        i(&args[0]),
        s(&args[1]),
        true,
    )))
}

fn contains(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(s(&args[1]).contains(s(&args[0]))))
}

fn has_prefix(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(s(&args[1]).starts_with(s(&args[0]))))
}

fn has_suffix(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(s(&args[1]).ends_with(s(&args[0]))))
}

/// Each non-nil argument as Go's `%q` of its string form, space-separated.
fn quote(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut out = String::new();
    for (n, a) in args.iter().filter(|a| !a.is_nil()).enumerate() {
        if n > 0 {
            out.push(' ');
        }
        match a {
            Value::String(s) => gofmt::quote_to(&mut out, s),
            other => gofmt::quote_to(&mut out, &strval(other)),
        }
    }
    Ok(Value::string(out))
}

/// Each non-nil argument as `'%v'`, space-separated (no escaping).
fn squote(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let parts: Vec<String> = args
        .iter()
        .filter(|a| !a.is_nil())
        .map(|a| format!("'{}'", gofmt::fmt_value(a)))
        .collect();
    Ok(Value::string(parts.join(" ")))
}

fn cat(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let parts: Vec<String> = args
        .iter()
        .filter(|a| !a.is_nil())
        .map(gofmt::fmt_value)
        .collect();
    Ok(Value::string(parts.join(" ")))
}

/// Sprig's `indent` (`lead` is "" or, for `nindent`, "\n"): `spaces` spaces before every line.
fn indent_str(lead: &str, spaces: i64, text: &str) -> Result<String, FuncError> {
    if spaces < 0 {
        return Err(FuncError::call("strings: negative Repeat count"));
    }
    let lines = text.bytes().filter(|&b| b == b'\n').count() as u128 + 1;
    let pad = spaces as u128;
    if pad > MAX_BUILT_LEN as u128 || lines * pad + text.len() as u128 > MAX_BUILT_LEN as u128 {
        return Err(FuncError::call("strings: Repeat output length overflow"));
    }
    // Both fit in MAX_BUILT_LEN (checked above).
    let pad = spaces as usize;
    let mut out = String::with_capacity(lead.len() + text.len() + lines as usize * pad);
    out.push_str(lead);
    push_spaces(&mut out, pad);
    let mut start = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if b == b'\n' {
            out.push_str(&text[start..=i]);
            push_spaces(&mut out, pad);
            start = i + 1;
        }
    }
    out.push_str(&text[start..]);
    Ok(out)
}

fn push_spaces(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

fn indent(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(indent_str("", i(&args[0]), s(&args[1]))?))
}

fn nindent(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(indent_str("\n", i(&args[0]), s(&args[1]))?))
}

fn replace(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let (old, new, src) = (s(&args[0]), s(&args[1]), s(&args[2]));
    Ok(Value::string(src.replace(old, new)))
}

fn plural(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let pick = if i(&args[2]) == 1 { &args[0] } else { &args[1] };
    Ok(pick.clone())
}

/// Go's `strings.SplitN`: `n < 0` is no limit, `n == 0` no parts; an empty separator splits
/// after each UTF-8 character.
pub(crate) fn go_split_n(text: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    if sep.is_empty() {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if parts.len() + 1 == limit {
                break;
            }
            parts.push(c.to_string());
            rest = &rest[c.len_utf8()..];
        }
        if !rest.is_empty() {
            parts.push(rest.to_string());
        }
        return parts;
    }
    text.splitn(limit, sep).map(str::to_string).collect()
}

fn parts_map(parts: Vec<String>) -> Value {
    let map: Map = parts
        .into_iter()
        .enumerate()
        .map(|(n, p)| (format!("_{n}"), Value::string(p)))
        .collect();
    Value::typed_map(map, MapType::Strings)
}

fn split(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(parts_map(go_split_n(s(&args[1]), s(&args[0]), -1)))
}

fn split_list(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(strings_value(go_split_n(s(&args[1]), s(&args[0]), -1)))
}

fn splitn(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(parts_map(go_split_n(s(&args[2]), s(&args[0]), i(&args[1]))))
}

fn join(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::string(strslice(&args[1]).join(s(&args[0]))))
}

/// The items as strings, sorted by bytes; anything but a list is one item.
fn sort_alpha(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let mut items = match slice_items(&args[0]) {
        Some(_) => strslice(&args[0]),
        None => vec![strval(&args[0])],
    };
    items.sort();
    Ok(strings_value(items))
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

    fn text(name: &str, args: &[Value]) -> String {
        call(name, args).unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn case_conversions_follow_xstrings() {
        let v = |x: &str| [Value::str(x)];
        assert_eq!(text("snakecase", &v("HTTPServerName")), "http_server_name");
        assert_eq!(text("snakecase", &v("FirstName")), "first_name");
        assert_eq!(text("kebabcase", &v("firstName2x")), "first-name-2x");
        assert_eq!(text("kebabcase", &v("Version2Beta")), "version2-beta");
        assert_eq!(text("snakecase", &v("a1b2 C3D")), "a_1b2_c3_d");
        assert_eq!(
            text("snakecase", &v("some$thing+else")),
            "some_$_thing_+_else"
        );
        assert_eq!(
            text("camelcase", &v("hello world-foo_bar")),
            "HelloWorldFooBar"
        );
        assert_eq!(text("swapcase", &v("Hello wORLD ß")), "hELLO World ß");
        assert_eq!(
            text("title", &v("hello wORLD foo_bar x-y")),
            "Hello WORLD Foo_bar X-Y"
        );
        assert_eq!(text("upper", &v("straße")), "STRAßE");
        assert_eq!(text("camelcase", &v("http_server")), "HttpServer");
        assert_eq!(text("camelcase", &v("__a-b")), "__AB");
    }

    #[test]
    fn substr_out_of_range_reports_go_panic() {
        let err = call("substr", &[Value::Int(5), Value::Int(1), Value::str("abc")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "runtime error: slice bounds out of range [5:1]"
        );
        let err = call(
            "substr",
            &[Value::Int(-1), Value::Int(10), Value::str("abc")],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "runtime error: slice bounds out of range [:10] with length 3"
        );
        assert_eq!(
            text(
                "substr",
                &[Value::Int(1), Value::Int(10), Value::str("abc")]
            ),
            "bc"
        );
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        assert_eq!(
            text("wrap", &[Value::Int(5), Value::str("Hello World foo")]),
            "Hello\nWorld\nfoo"
        );
        assert_eq!(
            text(
                "wrapWith",
                &[Value::Int(3), Value::str("\t"), Value::str("abcdef")]
            ),
            "abc\tdef"
        );
    }

    #[test]
    fn abbreviations() {
        assert_eq!(
            text("abbrev", &[Value::Int(5), Value::str("hello world")]),
            "he..."
        );
        assert_eq!(
            text(
                "abbrevboth",
                &[Value::Int(5), Value::Int(10), Value::str("1234 5678 9123")]
            ),
            "...5678..."
        );
    }

    #[test]
    fn split_with_empty_separator_splits_characters() {
        assert_eq!(go_split_n("héj", "", -1), vec!["h", "é", "j"]);
        assert_eq!(go_split_n("a,b,c", ",", 2), vec!["a", "b,c"]);
        assert!(go_split_n("a", ",", 0).is_empty());
    }

    #[test]
    fn sort_alpha_stringifies() {
        let list = Value::list(vec![
            Value::str("b"),
            Value::str("a"),
            Value::Int(10),
            Value::Int(9),
        ]);
        let r = call("sortAlpha", &[list]).unwrap();
        assert_eq!(format!("{r:?}"), r#"["10", "9", "a", "b"]"#);
    }

    #[test]
    fn nospace_reads_bytes_as_latin1() {
        assert_eq!(text("nospace", &[Value::str("a b")]), "ab");
        assert_eq!(text("nospace", &[Value::str("é")]), "é");
        assert_eq!(text("nospace", &[Value::str("é x")]), "Ã©x");
    }
}
