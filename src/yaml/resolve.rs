//! YAML 1.1 resolution of plain scalars as goyaml.v2 does it: which text is a bool, null, int,
//! float, timestamp or merge key. The loader types values with it, and the emitters quote any
//! string that would read back as something else.

/// What a plain scalar resolves to.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    /// Fits Go's int64.
    Int(i64),
    /// Only fits uint64.
    Uint(u64),
    Float(f64),
    /// Looks like a timestamp; goyaml.v2 keeps the text as a string when decoding into
    /// `interface{}`, but the emitter still quotes it.
    Timestamp,
    /// `<<`.
    Merge,
    Str,
}

/// Resolves plain scalar text under YAML 1.1 (goyaml.v2's `resolve` with no tag).
pub fn resolve_plain(s: &str) -> Resolved {
    // Most plain scalars are words: one that starts with a letter no special value starts
    // with (null, y/yes, n/no, on/off, true, false) is a string.
    if let Some(&first) = s.as_bytes().first() {
        if (first.is_ascii_alphabetic() || !first.is_ascii())
            && !matches!(
                first,
                b'n' | b'N' | b'y' | b'Y' | b'o' | b'O' | b't' | b'T' | b'f' | b'F'
            )
        {
            return Resolved::Str;
        }
    }
    resolve_plain_full(s)
}

/// [`resolve_plain`] without the shortcut for words.
fn resolve_plain_full(s: &str) -> Resolved {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Resolved::Bool(false)
        }
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        "<<" => return Resolved::Merge,
        _ => {}
    }
    let first = s.as_bytes()[0];
    match first {
        b'.' => match parse_go_float(s) {
            Some(f) => Resolved::Float(f),
            None => Resolved::Str,
        },
        b'0'..=b'9' | b'+' | b'-' => {
            if is_timestamp(s) {
                return Resolved::Timestamp;
            }
            // Underscores are rare: copy the text only when there are some to drop.
            let plain: std::borrow::Cow<str> = if s.contains('_') {
                s.chars().filter(|&c| c != '_').collect::<String>().into()
            } else {
                s.into()
            };
            if let Some(i) = parse_go_int(&plain) {
                return Resolved::Int(i);
            }
            if let Some(u) = parse_go_uint(&plain) {
                return Resolved::Uint(u);
            }
            if is_yaml_style_float(&plain) {
                if let Some(f) = parse_go_float(&plain) {
                    return Resolved::Float(f);
                }
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if let Ok(i) = i64::from_str_radix(rest, 2) {
                    return Resolved::Int(i);
                }
                if let Ok(u) = u64::from_str_radix(rest, 2) {
                    return Resolved::Uint(u);
                }
            } else if let Some(rest) = plain.strip_prefix("-0b") {
                if let Ok(i) = i64::from_str_radix(&format!("-{rest}"), 2) {
                    return Resolved::Int(i);
                }
            }
            Resolved::Str
        }
        _ => Resolved::Str,
    }
}

/// Splits Go's base prefix off (`strconv.ParseInt(s, 0, 64)`): `0x`, `0o`, `0b`, or a bare
/// leading `0` for octal.
fn split_base(digits: &str) -> (u32, &str) {
    let b = digits.as_bytes();
    if b.len() >= 2 && b[0] == b'0' {
        match b[1] {
            b'x' | b'X' => return (16, &digits[2..]),
            b'o' | b'O' => return (8, &digits[2..]),
            b'b' | b'B' => return (2, &digits[2..]),
            _ => return (8, &digits[1..]),
        }
    }
    (10, digits)
}

fn parse_magnitude(digits: &str) -> Option<u64> {
    let (base, rest) = split_base(digits);
    if rest.is_empty() && base != 8 {
        return None;
    }
    if rest.is_empty() {
        return Some(0);
    }
    if !rest.chars().all(|c| c.is_digit(base)) {
        return None;
    }
    u64::from_str_radix(rest, base).ok()
}

/// `strconv.ParseInt(s, 0, 64)` (underscores already removed).
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let m = parse_magnitude(digits)?;
    if neg {
        if m <= i64::MAX as u64 + 1 {
            Some((m as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(m).ok()
    }
}

/// `strconv.ParseUint(s, 0, 64)`: no sign allowed.
fn parse_go_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    parse_magnitude(s)
}

/// goyaml.v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `strconv.ParseFloat(s, 64)` for the decimal forms YAML text reaches it with. Out of range
/// is an error in Go (`1e400`), so it is `None` here too.
pub fn parse_go_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(if s.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if lower == "nan" {
        return Some(f64::NAN);
    }
    if !body
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() {
        return None;
    }
    Some(f)
}

/// goyaml.v2's `isBase60Float`: `190:20:30` and the like, which YAML 1.1 readers take as
/// numbers, so the emitter quotes them.
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !(b[0] == b'+' || b[0] == b'-' || b[0].is_ascii_digit()) || !s.contains(':')
    {
        return false;
    }
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let mut i = 0;
    if b[0] == b'+' || b[0] == b'-' {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() && i - st < 2 {
            i += 1;
        }
        let g = &b[st..i];
        let ok = match g.len() {
            1 => true,
            2 => g[0] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// goyaml.v2's `parseTimestamp`: a four-digit year and `-`, then one of the layouts
/// `2006-1-2T15:4:5.999999999Z07:00`, the same with `t`, `2006-1-2 15:4:5.999999999`, or
/// `2006-1-2`, as Go's `time.Parse` accepts them.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let year_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if year_len != 4 || b.len() == 4 || b[4] != b'-' {
        return false;
    }
    let mut p = Cursor { b, i: 5 };
    let Some(month) = p.num(1, 2) else {
        return false;
    };
    if !p.eat(b'-') {
        return false;
    }
    let Some(day) = p.num(1, 2) else {
        return false;
    };
    let year: u32 = s[..4].parse().unwrap_or(0);
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if p.done() {
        return true;
    }
    let sep = b[p.i];
    p.i += 1;
    let zone_allowed = match sep {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    let (Some(h), true, Some(m), true, Some(sec)) = (
        p.num(1, 2),
        p.eat(b':'),
        p.num(1, 2),
        p.eat(b':'),
        p.num(1, 2),
    ) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if p.eat(b'.') {
        let st = p.i;
        while !p.done() && b[p.i].is_ascii_digit() {
            p.i += 1;
        }
        if p.i == st {
            return false;
        }
    }
    if p.done() {
        return true;
    }
    if !zone_allowed {
        return false;
    }
    if p.eat(b'Z') {
        return p.done();
    }
    if !(p.eat(b'+') || p.eat(b'-')) {
        return false;
    }
    let (Some(zh), true, Some(zm)) = (p.num(2, 2), p.eat(b':'), p.num(2, 2)) else {
        return false;
    };
    zh <= 24 && zm <= 59 && p.done()
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.i < self.b.len() && self.b[self.i] == c {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn num(&mut self, min: usize, max: usize) -> Option<u32> {
        let st = self.i;
        while self.i < self.b.len() && self.b[self.i].is_ascii_digit() && self.i - st < max {
            self.i += 1;
        }
        if self.i - st < min {
            return None;
        }
        std::str::from_utf8(&self.b[st..self.i]).ok()?.parse().ok()
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shortcut for words must never change an answer: every string of up to three
    // characters from an alphabet of the bytes that matter, and the special words, resolve
    // with it as without it. NaN is not equal to itself, hence the Debug comparison.
    #[test]
    fn the_word_shortcut_changes_nothing() {
        let alphabet: Vec<char> = "aAbBnNyYoOtTfFeEsSlLuU0159.+-_:~<x\u{e9}".chars().collect();
        let mut words: Vec<String> = vec![String::new()];
        for len in 1..=3 {
            let mut next = Vec::new();
            for w in words.iter().filter(|w| w.chars().count() == len - 1) {
                for c in &alphabet {
                    next.push(format!("{w}{c}"));
                }
            }
            words.extend(next);
        }
        for special in [
            "null",
            "Null",
            "NULL",
            "yes",
            "Yes",
            "YES",
            "on",
            "On",
            "ON",
            "true",
            "True",
            "TRUE",
            "no",
            "No",
            "NO",
            "off",
            "Off",
            "OFF",
            "false",
            "False",
            "FALSE",
            ".nan",
            ".inf",
            "-.Inf",
            "+.INF",
            "<<",
            "0x1F",
            "1e3",
            "2001-12-14",
            "object",
            "string",
            "é",
        ] {
            words.push(special.to_string());
        }
        for w in &words {
            assert_eq!(
                format!("{:?}", resolve_plain(w)),
                format!("{:?}", resolve_plain_full(w)),
                "{w:?}"
            );
        }
    }

    #[test]
    fn yaml11_numbers() {
        assert_eq!(resolve_plain("0777"), Resolved::Int(511));
        assert_eq!(resolve_plain("0o17"), Resolved::Int(15));
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("0b101"), Resolved::Int(5));
        assert_eq!(resolve_plain("0B11"), Resolved::Int(3));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("+12"), Resolved::Int(12));
        assert_eq!(resolve_plain("1_0.5"), Resolved::Float(10.5));
        assert_eq!(resolve_plain("08"), Resolved::Float(8.0));
        assert_eq!(resolve_plain("1."), Resolved::Float(1.0));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("190:20:30"), Resolved::Str);
        assert_eq!(resolve_plain("1.2.3"), Resolved::Str);
        assert_eq!(
            resolve_plain("12345678901234567890"),
            Resolved::Uint(12_345_678_901_234_567_890)
        );
    }

    #[test]
    fn yaml11_words() {
        assert_eq!(resolve_plain("on"), Resolved::Bool(true));
        assert_eq!(resolve_plain("N"), Resolved::Bool(false));
        assert_eq!(resolve_plain("~"), Resolved::Null);
        assert_eq!(resolve_plain("nO"), Resolved::Str);
    }

    #[test]
    fn timestamps_and_base60() {
        assert_eq!(resolve_plain("2024-01-01"), Resolved::Timestamp);
        assert_eq!(
            resolve_plain("2001-12-14t21:59:43.10-05:00"),
            Resolved::Timestamp
        );
        assert_eq!(resolve_plain("2024-13-01"), Resolved::Str);
        assert!(is_base60_float("190:20:30"));
        assert!(is_base60_float("12:30"));
        assert!(!is_base60_float("12:70"));
    }
}
