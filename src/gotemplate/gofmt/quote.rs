//! `strconv.Quote` and its relatives (`QuoteToASCII`, `QuoteRune`, `QuoteRuneToASCII`,
//! `CanBackquote`, `IsPrint`), which `%q` and Sprig's `quote` print with.
//!
//! Printability follows Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols
//! and the ASCII space, by the Unicode 17 tables of Helm v4's Go (see [`super::printable`]).
//! Helm v3's Go has Unicode 15 tables, so it escapes the few code points assigned since; that
//! difference is not modelled.

use super::printable::PRINTABLE;

/// Go's `strconv.IsPrint` (and `unicode.IsPrint`, which agrees with it).
pub fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    let cp = u32::from(c);
    PRINTABLE
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Decodes one UTF-8 sequence at the start of `b` the way Go's `utf8.DecodeRune` does: an
/// invalid or truncated sequence is `None`, of width 1.
pub fn decode_rune(b: &[u8]) -> (Option<char>, usize) {
    let n = match b.first() {
        None => return (None, 0),
        Some(&c) if c < 0x80 => return (Some(char::from(c)), 1),
        Some(&c) if (0xC2..=0xDF).contains(&c) => 2,
        Some(&c) if (0xE0..=0xEF).contains(&c) => 3,
        Some(&c) if (0xF0..=0xF4).contains(&c) => 4,
        Some(_) => return (None, 1),
    };
    match b.get(..n).and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s) => (s.chars().next(), n),
        None => (None, 1),
    }
}

fn push_escaped_rune(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    let printable = if ascii_only {
        c.is_ascii() && is_print(c)
    } else {
        is_print(c)
    };
    if printable {
        out.push(c);
        return;
    }
    let code = u32::from(c);
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        _ if code < 0x20 || code == 0x7f => out.push_str(&format!("\\x{code:02x}")),
        _ if code < 0x10000 => out.push_str(&format!("\\u{code:04x}")),
        _ => out.push_str(&format!("\\U{code:08x}")),
    }
}

fn quote_with(b: &[u8], quote: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    quote_into(&mut out, b, quote, ascii_only);
    out
}

/// Appends `b` quoted with `quote` (`strconv.Quote` and its relatives) to `out`.
fn quote_into(out: &mut String, b: &[u8], quote: char, ascii_only: bool) {
    out.push(quote);
    let mut i = 0;
    while i < b.len() {
        let (c, width) = decode_rune(&b[i..]);
        match c {
            Some(c) => push_escaped_rune(out, c, quote, ascii_only),
            None => out.push_str(&format!("\\x{:02x}", b[i])),
        }
        i += width.max(1);
    }
    out.push(quote);
}

/// Whether `strconv.Quote` copies byte `c` unchanged (printable ASCII, not `"` or `\`).
fn plain_ascii(c: u8) -> bool {
    (b' '..=b'~').contains(&c) && c != b'"' && c != b'\\'
}

/// Go's `strconv.Quote` of `s`, appended to `out`.
pub fn quote_to(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Runs of plain ASCII are copied at once.
        let run = b[i..].iter().take_while(|&&c| plain_ascii(c)).count();
        if run > 0 {
            out.push_str(&s[i..i + run]);
            i += run;
            continue;
        }
        // `i` is at a character boundary: runs end before non-ASCII bytes.
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        push_escaped_rune(out, c, '"', false);
        i += c.len_utf8();
    }
    out.push('"');
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    quote_with(s.as_bytes(), '"', false)
}

/// `strconv.Quote` of a byte string that may not be UTF-8 (invalid bytes become `\xNN`).
pub fn quote_bytes(b: &[u8]) -> String {
    quote_with(b, '"', false)
}

/// Go's `strconv.QuoteToASCII`.
pub fn quote_to_ascii(b: &[u8]) -> String {
    quote_with(b, '"', true)
}

/// Go's `strconv.QuoteRune` (`ascii_only`: `QuoteRuneToASCII`).
pub fn quote_rune(c: char, ascii_only: bool) -> String {
    let mut out = String::from('\'');
    push_escaped_rune(&mut out, c, '\'', ascii_only);
    out.push('\'');
    out
}

/// Go's `strconv.CanBackquote`: valid UTF-8 without a backquote, a byte-order mark or control
/// characters other than tab.
pub fn can_backquote(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        let (c, width) = decode_rune(&b[i..]);
        match c {
            None => return false,
            Some('\u{feff}' | '`' | '\u{7f}') => return false,
            Some(c) if c < ' ' && c != '\t' => return false,
            Some(_) => {}
        }
        i += width.max(1);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_like_strconv() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            quote("\u{7}\u{8}\u{c}\n\r\t\u{b}\u{1}\u{7f}"),
            r#""\a\b\f\n\r\t\v\x01\x7f""#
        );
        assert_eq!(quote("é日本"), "\"é日本\"");
        assert_eq!(quote("\u{a0}\u{2028}\u{feff}"), r#""\u00a0\u2028\ufeff""#);
        assert_eq!(quote("\u{e000}\u{f0000}"), r#""\ue000\U000f0000""#);
        assert_eq!(quote_bytes(b"a\xffb\xe6\x97"), r#""a\xffb\xe6\x97""#);
        assert_eq!(
            quote_to_ascii("é☺\u{1F600}".as_bytes()),
            r#""\u00e9\u263a\U0001f600""#
        );
    }

    #[test]
    fn printability_follows_unicode_17() {
        // Helm v4 prints these CJK Extension J and Kannada letters (Unicode 17) unescaped.
        assert!(is_print('\u{32CFC}') && is_print('\u{0CDC}'));
        // Unicode 18 additions, formats, separators and private use are escaped.
        assert!(!is_print('\u{0558}') && !is_print('\u{ad}') && !is_print('\u{2029}'));
        assert!(!is_print('\u{e000}') && !is_print('\u{3000}') && is_print('\u{a1}'));
    }

    #[test]
    fn runes_and_backquotes() {
        assert_eq!(quote_rune('\'', false), r"'\''");
        assert_eq!(quote_rune('"', false), "'\"'");
        assert_eq!(quote_rune('☺', true), r"'\u263a'");
        assert!(can_backquote(b"a\tb"));
        assert!(!can_backquote(b"a`b"));
        assert!(!can_backquote(b"a\nb"));
        assert!(!can_backquote(b"\xff"));
    }
}
