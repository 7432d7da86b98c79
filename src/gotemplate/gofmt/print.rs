//! `fmt.Sprint`, `fmt.Sprintln` and `fmt.Sprintf` over template values: the verb parser with
//! its flags, widths, precisions and argument indexes, each verb's rendering of each Go type,
//! and Go's in-band error markers (`%!d(string=x)`, `%!(EXTRA ...)`, `%!v(MISSING)`, ...).
//!
//! [`Object`](crate::gotemplate::value::Object)s are printed through `Object::format`, which
//! stands for Go's `String()` method (or the struct's own rendering when it has none).

use super::float::format_float;
use super::quote::{can_backquote, decode_rune, is_print, quote_bytes, quote_rune, quote_to_ascii};
use crate::gotemplate::value::{Field, Object, Value};

/// How deep `%v` descends into nested lists and maps before giving up; values built from YAML
/// are far shallower, and a self-containing map (Sprig's `set` can make one) must not overflow
/// the stack.
const MAX_DEPTH: usize = 512;

/// Go's `fmt` refuses widths and precisions beyond this.
const TOO_LARGE: usize = 1_000_000;

/// The flags, width and precision of one verb.
#[derive(Clone, Copy, Default)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    /// `%+v`: Go names struct fields with it; [`Value::Object`]s print through
    /// `Object::format`, so here it only matters that `+` is no longer a sign flag.
    plus_v: bool,
    /// `%#v`.
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

/// Go's `pp`: the output buffer and the state of the verb being printed.
struct Printer {
    buf: String,
    f: Flags,
    /// Inside a `%!verb(type=value)` marker.
    erroring: bool,
}

/// The hexadecimal digit tables, keyed by case.
fn digits_for(upper: bool) -> &'static [u8; 17] {
    // The 17th byte is the `x`/`X` of the `0x` prefix.
    if upper {
        b"0123456789ABCDEFX"
    } else {
        b"0123456789abcdefx"
    }
}

impl Printer {
    fn new() -> Printer {
        Printer {
            buf: String::new(),
            f: Flags::default(),
            erroring: false,
        }
    }

    fn write_padding(&mut self, n: usize) {
        let pad = if self.f.zero && !self.f.minus {
            "0"
        } else {
            " "
        };
        // Copied as bytes: a width may reach ten million, and pushing that many chars one
        // at a time takes long enough to be mistaken for a hang.
        self.buf.push_str(&pad.repeat(n));
    }

    /// Writes `s` padded to the width, counted in runes.
    fn pad(&mut self, s: &str) {
        let Some(wid) = self.f.wid else {
            self.buf.push_str(s);
            return;
        };
        let n = wid.saturating_sub(s.chars().count());
        if self.f.minus {
            self.buf.push_str(s);
            self.write_padding(n);
        } else {
            self.write_padding(n);
            self.buf.push_str(s);
        }
    }

    /// Like [`Printer::pad`] for bytes that may not be UTF-8 (`%s` of a `[]byte`): invalid
    /// bytes count as one rune each and are written as U+FFFD, the closest a `String` gets.
    fn pad_bytes(&mut self, b: &[u8]) {
        self.pad(&String::from_utf8_lossy(b));
    }

    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        match self.f.prec {
            Some(p) => match s.char_indices().nth(p) {
                Some((i, _)) => &s[..i],
                None => s,
            },
            None => s,
        }
    }

    fn fmt_bool(&mut self, b: bool, verb: char, arg: &Value) {
        match verb {
            't' | 'v' => self.pad(if b { "true" } else { "false" }),
            _ => self.bad_verb(verb, arg),
        }
    }

    /// Go's `fmtInteger`: `u` is the two's-complement bits when `signed`.
    fn fmt_integer(&mut self, u: u64, base: u32, signed: bool, verb: char, upper: bool) {
        #[allow(clippy::cast_possible_wrap)] // reinterpreting the bits is the point
        let negative = signed && (u as i64) < 0;
        let mut u = if negative { u.wrapping_neg() } else { u };
        let f = self.f;
        // Plain `%d` and `%v`: no flag, width or precision changes the digits.
        if base == 10
            && verb != 'O'
            && f.wid.is_none()
            && f.prec.is_none()
            && !(f.plus || f.space || f.sharp)
        {
            if negative {
                self.buf.push('-');
            }
            push_uint(&mut self.buf, u);
            return;
        }
        let mut prec = 0;
        if let Some(p) = f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let old = self.f.zero;
                self.f.zero = false;
                self.write_padding(f.wid.unwrap_or(0));
                self.f.zero = old;
                return;
            }
        } else if let (true, false, Some(w)) = (f.zero, f.minus, f.wid) {
            prec = w;
            if negative || f.plus || f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let digits = digits_for(upper);
        // Digits right to left.
        let mut rev: Vec<u8> = Vec::with_capacity(24);
        let base64 = u64::from(base);
        loop {
            // The remainder is below 16.
            rev.push(digits[usize::try_from(u % base64).unwrap_or(0)]);
            u /= base64;
            if u == 0 {
                break;
            }
        }
        if rev.len() < prec {
            rev.resize(prec, b'0');
        }
        if f.sharp {
            match base {
                2 => rev.extend_from_slice(b"b0"),
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
                16 => {
                    rev.push(digits[16]);
                    rev.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            rev.extend_from_slice(b"o0");
        }
        if negative {
            rev.push(b'-');
        } else if f.plus {
            rev.push(b'+');
        } else if f.space {
            rev.push(b' ');
        }
        rev.reverse();
        // Only ASCII was pushed.
        let s = String::from_utf8(rev).unwrap_or_default();
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = old;
    }

    fn fmt_unicode(&mut self, u: u64) {
        let prec = match self.f.prec {
            Some(p) if p > 4 => p,
            _ => 4,
        };
        let hex = format!("{u:X}");
        let mut s = String::from("U+");
        s.push_str(&"0".repeat(prec.saturating_sub(hex.len())));
        s.push_str(&hex);
        if self.f.sharp {
            if let Some(c) = u32::try_from(u).ok().and_then(char::from_u32) {
                if is_print(c) {
                    s.push_str(" '");
                    s.push(c);
                    s.push('\'');
                }
            }
        }
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = old;
    }

    fn rune_of(u: u64) -> char {
        u32::try_from(u)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{fffd}')
    }

    /// Any Go integer: `u` holds the bits, `signed` tells how to read them.
    fn fmt_int(&mut self, u: u64, signed: bool, verb: char, arg: &Value) {
        match verb {
            'v' if self.f.sharp_v && !signed => self.fmt_0x64(u),
            'v' | 'd' => self.fmt_integer(u, 10, signed, verb, false),
            'b' => self.fmt_integer(u, 2, signed, verb, false),
            'o' | 'O' => self.fmt_integer(u, 8, signed, verb, false),
            'x' => self.fmt_integer(u, 16, signed, verb, false),
            'X' => self.fmt_integer(u, 16, signed, verb, true),
            'c' => {
                let mut s = String::new();
                s.push(Self::rune_of(u));
                self.pad(&s);
            }
            'q' => {
                let s = quote_rune(Self::rune_of(u), self.f.plus);
                self.pad(&s);
            }
            'U' => self.fmt_unicode(u),
            _ => self.bad_verb(verb, arg),
        }
    }

    fn fmt_0x64(&mut self, u: u64) {
        let sharp = self.f.sharp;
        self.f.sharp = true;
        self.fmt_integer(u, 16, false, 'v', false);
        self.f.sharp = sharp;
    }

    fn fmt_float_verb(&mut self, v: f64, verb: char, arg: &Value) {
        match verb {
            'v' => self.fmt_float(v, b'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => {
                let prec = self.f.prec.map_or(-1, |p| i32::try_from(p).unwrap_or(-1));
                // `verb` is ASCII here.
                self.fmt_float(v, u8::try_from(verb).unwrap_or(b'g'), prec);
            }
            'f' | 'e' | 'E' | 'F' => {
                let prec = self.f.prec.map_or(6, |p| i32::try_from(p).unwrap_or(6));
                let fmt = if verb == 'F' {
                    b'f'
                } else {
                    u8::try_from(verb).unwrap_or(b'f')
                };
                self.fmt_float(v, fmt, prec);
            }
            _ => self.bad_verb(verb, arg),
        }
    }

    /// Go's `fmt.fmtFloat`: signs, `#`, and zero padding around `strconv.FormatFloat`.
    fn fmt_float(&mut self, v: f64, verb: u8, prec: i32) {
        let f = self.f;
        // An explicit precision wins, also for `%v`. It is below `TOO_LARGE`.
        let prec = f.prec.map_or(prec, |p| i32::try_from(p).unwrap_or(prec));
        let formatted = format_float(v, verb, prec, 64);
        let mut num: Vec<u8> = Vec::with_capacity(formatted.len() + 8);
        if formatted.starts_with('-') || formatted.starts_with('+') {
            num.extend_from_slice(formatted.as_bytes());
        } else {
            num.push(b'+');
            num.extend_from_slice(formatted.as_bytes());
        }
        if f.space && num[0] == b'+' && !f.plus {
            num[0] = b' ';
        }
        if num[1] == b'I' || num[1] == b'N' {
            let old = self.f.zero;
            self.f.zero = false;
            if num[1] == b'N' && !f.space && !f.plus {
                num.remove(0);
            }
            self.pad(&String::from_utf8_lossy(&num));
            self.f.zero = old;
            return;
        }
        if f.sharp && verb != b'b' {
            let mut digits: i64 = 0;
            if matches!(verb, b'v' | b'g' | b'G' | b'x') {
                digits = i64::from(prec);
                if digits == -1 {
                    digits = 6;
                }
            }
            let mut tail: Vec<u8> = Vec::new();
            let mut has_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < num.len() {
                match num[i] {
                    b'.' => has_point = true,
                    b'p' | b'P' => {
                        tail.extend_from_slice(&num[i..]);
                        num.truncate(i);
                        break;
                    }
                    b'e' | b'E' if verb != b'x' && verb != b'X' => {
                        tail.extend_from_slice(&num[i..]);
                        num.truncate(i);
                        break;
                    }
                    c => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            if !has_point {
                if num.len() == 2 && num[1] == b'0' {
                    digits -= 1;
                }
                num.push(b'.');
            }
            if let Ok(zeros) = usize::try_from(digits) {
                num.resize(num.len() + zeros, b'0');
            }
            num.extend_from_slice(&tail);
        }
        // Only ASCII bytes are in `num`.
        let s = String::from_utf8(num).unwrap_or_default();
        if f.plus || !s.starts_with('+') {
            let len = s.len();
            if let (true, false, Some(w)) = (f.zero, f.minus, f.wid) {
                if w > len {
                    self.buf.push_str(&s[..1]);
                    self.write_padding(w - len);
                    self.buf.push_str(&s[1..]);
                    return;
                }
            }
            self.pad(&s);
            return;
        }
        self.pad(&s[1..]);
    }

    fn fmt_string(&mut self, s: &str, verb: char, arg: &Value) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s.as_bytes()),
            'v' | 's' => {
                let t = self.truncate(s);
                self.pad(t);
            }
            'x' => self.fmt_sbx(s.as_bytes(), false),
            'X' => self.fmt_sbx(s.as_bytes(), true),
            'q' => self.fmt_q(s.as_bytes()),
            _ => self.bad_verb(verb, arg),
        }
    }

    fn truncate_bytes<'b>(&self, b: &'b [u8]) -> &'b [u8] {
        let Some(p) = self.f.prec else { return b };
        let mut i = 0;
        for _ in 0..p {
            if i >= b.len() {
                return b;
            }
            i += decode_rune(&b[i..]).1.max(1);
        }
        &b[..i]
    }

    fn fmt_q(&mut self, b: &[u8]) {
        let b = self.truncate_bytes(b);
        if self.f.sharp && can_backquote(b) {
            let s = format!("`{}`", String::from_utf8_lossy(b));
            self.pad(&s);
            return;
        }
        let s = if self.f.plus {
            quote_to_ascii(b)
        } else {
            quote_bytes(b)
        };
        self.pad(&s);
    }

    /// `%x`/`%X` of a string or byte slice.
    fn fmt_sbx(&mut self, b: &[u8], upper: bool) {
        let f = self.f;
        let digits = digits_for(upper);
        let mut length = b.len();
        if let Some(p) = f.prec {
            length = length.min(p);
        }
        let mut width = 2 * length;
        if width > 0 {
            if f.space {
                if f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if f.sharp {
                width += 2;
            }
        } else {
            if let Some(w) = f.wid {
                self.write_padding(w);
            }
            return;
        }
        let wid = f.wid.unwrap_or(0);
        if wid > width && !f.minus {
            self.write_padding(wid - width);
        }
        if f.sharp {
            self.buf.push('0');
            self.buf.push(char::from(digits[16]));
        }
        for (i, &c) in b[..length].iter().enumerate() {
            if f.space && i > 0 {
                self.buf.push(' ');
                if f.sharp {
                    self.buf.push('0');
                    self.buf.push(char::from(digits[16]));
                }
            }
            self.buf.push(char::from(digits[usize::from(c >> 4)]));
            self.buf.push(char::from(digits[usize::from(c & 15)]));
        }
        if wid > width && f.minus {
            self.write_padding(wid - width);
        }
    }

    fn fmt_bytes(&mut self, b: &[u8], verb: char, arg: &Value, depth: usize) {
        match verb {
            'v' | 'd' => {
                if self.f.sharp_v {
                    // A top-level operand is formatted as `[]byte`; one found by reflection
                    // inside a container is named by its reflect type.
                    self.buf
                        .push_str(if depth == 0 { "[]byte{" } else { "[]uint8{" });
                    for (i, &c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.fmt_0x64(u64::from(c));
                    }
                    self.buf.push('}');
                    return;
                }
                self.buf.push('[');
                for (i, &c) in b.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(' ');
                    }
                    self.fmt_integer(u64::from(c), 10, false, verb, false);
                }
                self.buf.push(']');
            }
            's' => {
                let t = self.truncate_bytes(b);
                self.pad_bytes(t);
            }
            'x' => self.fmt_sbx(b, false),
            'X' => self.fmt_sbx(b, true),
            'q' => self.fmt_q(b),
            _ => {
                // Each byte printed as a `uint8` with the verb.
                let _ = arg;
                self.buf.push('[');
                for (i, &c) in b.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(' ');
                    }
                    let item = Value::Uint(u64::from(c));
                    self.fmt_uint8(c, verb, &item);
                }
                self.buf.push(']');
            }
        }
    }

    /// One element of a `[]byte` printed with a verb other than the byte-string ones.
    fn fmt_uint8(&mut self, c: u8, verb: char, item: &Value) {
        match verb {
            'v' | 'd' | 'b' | 'o' | 'O' | 'x' | 'X' | 'c' | 'q' | 'U' => {
                self.fmt_int(u64::from(c), false, verb, item);
            }
            _ => {
                self.erroring = true;
                self.buf.push_str("%!");
                self.buf.push(verb);
                self.buf.push_str("(uint8=");
                self.fmt_integer(u64::from(c), 10, false, 'v', false);
                self.buf.push(')');
                self.erroring = false;
            }
        }
    }

    /// Go's `badVerb`: `%!verb(type=value)`, or `%!verb(<nil>)`.
    fn bad_verb(&mut self, verb: char, arg: &Value) {
        self.erroring = true;
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        if arg.is_nil() {
            self.buf.push_str("<nil>");
        } else {
            self.buf.push_str(&arg.type_name());
            self.buf.push('=');
            self.print_arg(arg, 'v');
        }
        self.buf.push(')');
        self.erroring = false;
    }

    /// Go's `printArg`: one operand at the top level.
    fn print_arg(&mut self, arg: &Value, verb: char) {
        if arg.is_nil() {
            match verb {
                'T' | 'v' => self.pad("<nil>"),
                _ => self.bad_verb(verb, arg),
            }
            return;
        }
        if verb == 'T' {
            let t = arg.type_name();
            let t = self.truncate(&t).to_string();
            self.pad(&t);
            return;
        }
        if verb == 'p' {
            self.fmt_pointer(arg);
            return;
        }
        self.print_value(arg, verb, 0);
    }

    /// `%p`: only Go's reference types have an address, and it differs between runs.
    fn fmt_pointer(&mut self, arg: &Value) {
        match arg {
            Value::List(_) | Value::Map(_) | Value::Bytes(_) | Value::Object(_) => {
                self.pad("0xc000010000");
            }
            _ => self.bad_verb('p', arg),
        }
    }

    /// Go's `printValue`: a value at any depth.
    fn print_value(&mut self, v: &Value, verb: char, depth: usize) {
        if depth > MAX_DEPTH {
            self.buf.push_str("...");
            return;
        }
        match v {
            Value::Nil => {
                if self.f.sharp_v {
                    self.buf.push_str("interface {}(nil)");
                } else {
                    self.buf.push_str("<nil>");
                }
            }
            Value::Bool(b) => self.fmt_bool(*b, verb, v),
            #[allow(clippy::cast_sign_loss)] // the bits are kept, `signed` reads them back
            Value::Int(i) | Value::Int64(i) => self.fmt_int(*i as u64, true, verb, v),
            Value::Uint(u) => self.fmt_int(*u, false, verb, v),
            Value::Float(x) => self.fmt_float_verb(*x, verb, v),
            Value::String(s) => self.fmt_string(s, verb, v),
            Value::Bytes(b) => self.fmt_bytes(b, verb, v, depth),
            Value::List(items) => {
                if self.f.sharp_v {
                    self.buf.push_str(items.ty().go_name());
                    self.buf.push('{');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.print_value(item, verb, depth + 1);
                    }
                    self.buf.push('}');
                    return;
                }
                self.buf.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(' ');
                    }
                    self.print_value(item, verb, depth + 1);
                }
                self.buf.push(']');
            }
            Value::Map(m) => {
                // Collected first: printing an entry must not hold the borrow.
                if m.is_nil() && self.f.sharp_v {
                    self.buf.push_str(m.ty().go_name());
                    self.buf.push_str("(nil)");
                    return;
                }
                let entries: Vec<(String, Value)> = m
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if self.f.sharp_v {
                    self.buf.push_str(m.ty().go_name());
                    self.buf.push('{');
                } else {
                    self.buf.push_str("map[");
                }
                for (i, (k, item)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    let key = Value::str(k);
                    self.print_value(&key, verb, depth + 1);
                    self.buf.push(':');
                    self.print_value(item, verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
            Value::Object(o) => {
                if let Some(fields) = o.fields() {
                    if o.kind_name() == "ptr" {
                        if depth > 0 {
                            // Go prints a nested pointer as its address, which differs
                            // between runs.
                            self.buf.push_str("0xc000010000");
                            return;
                        }
                        self.buf.push('&');
                    }
                    self.print_struct(o.type_name(), &fields, verb, depth);
                    return;
                }
                if o.kind_name() == "map" && !self.erroring && !self.f.sharp_v {
                    // A map type (a chart's `.Files`): plain `%v` is its kept text, written in
                    // place (charts print their files as megabytes); other verbs and widths
                    // apply to each key and value, as for the map it holds.
                    if verb == 'v' && self.f.wid.is_none() && self.f.prec.is_none() {
                        o.write_format(&mut self.buf);
                    } else {
                        self.print_value(&o.to_data(), verb, depth);
                    }
                    return;
                }
                let s = o.format();
                match verb {
                    'v' | 's' | 'x' | 'X' | 'q' if !self.erroring => {
                        let sharp_v = self.f.sharp_v;
                        self.f.sharp_v = false;
                        self.fmt_string(&s, verb, v);
                        self.f.sharp_v = sharp_v;
                    }
                    _ => self.pad(&s),
                }
            }
        }
    }

    /// A struct field by field: `{a b}`, `{A:a B:b}` under `%+v`, `T{A:"a", B:"b"}` under
    /// `%#v`.
    fn print_struct(&mut self, type_name: &str, fields: &[Field], verb: char, depth: usize) {
        if self.f.sharp_v {
            self.buf.push_str(type_name.trim_start_matches('*'));
        }
        self.buf.push('{');
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
            }
            if self.f.plus_v || self.f.sharp_v {
                self.buf.push_str(f.name);
                self.buf.push(':');
            }
            self.print_value(&f.value, verb, depth + 1);
        }
        self.buf.push('}');
    }

    /// Go's `doPrintf`.
    fn do_printf(&mut self, format: &str, args: &[Value]) {
        let fb = format.as_bytes();
        let end = fb.len();
        let mut arg_num = 0usize;
        let mut after_index;
        let mut reordered = false;
        let mut i = 0;
        while i < end {
            let mut good_arg_num = true;
            let last = i;
            while i < end && fb[i] != b'%' {
                i += 1;
            }
            if i > last {
                self.buf.push_str(&format[last..i]);
            }
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            // Flags.
            while i < end {
                match fb[i] {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = true,
                    b'+' => self.f.plus = true,
                    b'-' => self.f.minus = true,
                    b' ' => self.f.space = true,
                    _ => break,
                }
                i += 1;
            }
            // Argument index, width.
            let mut idx = ArgIndex {
                arg_num,
                good: &mut good_arg_num,
                reordered: &mut reordered,
            };
            (i, after_index) = idx.parse(format, i, args.len());
            arg_num = idx.arg_num;
            if i < end && fb[i] == b'*' {
                i += 1;
                let (n, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                if ok {
                    if n < 0 {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    // Bounded by `TOO_LARGE`.
                    self.f.wid = Some(usize::try_from(n.unsigned_abs()).unwrap_or(0));
                } else {
                    self.f.wid = None;
                    self.buf.push_str("%!(BADWIDTH)");
                }
                after_index = false;
            } else {
                let (n, next) = parse_num(fb, i, end);
                i = next;
                self.f.wid = n;
                if after_index && n.is_some() {
                    good_arg_num = false;
                }
            }
            // Precision.
            if i + 1 < end && fb[i] == b'.' {
                i += 1;
                if after_index {
                    good_arg_num = false;
                }
                let mut idx = ArgIndex {
                    arg_num,
                    good: &mut good_arg_num,
                    reordered: &mut reordered,
                };
                (i, after_index) = idx.parse(format, i, args.len());
                arg_num = idx.arg_num;
                if i < end && fb[i] == b'*' {
                    i += 1;
                    let (n, ok, next) = int_from_arg(args, arg_num);
                    arg_num = next;
                    // Bounded by `TOO_LARGE`; a negative precision counts as none, and as bad.
                    self.f.prec = usize::try_from(n).ok().filter(|_| ok);
                    if self.f.prec.is_none() {
                        self.buf.push_str("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (n, next) = parse_num(fb, i, end);
                    i = next;
                    self.f.prec = Some(n.unwrap_or(0));
                }
            }
            if !after_index {
                let mut idx = ArgIndex {
                    arg_num,
                    good: &mut good_arg_num,
                    reordered: &mut reordered,
                };
                (i, _) = idx.parse(format, i, args.len());
                arg_num = idx.arg_num;
            }
            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let (verb, size) = match decode_rune(&fb[i..]) {
                (Some(c), n) => (c, n),
                (None, n) => ('\u{fffd}', n.max(1)),
            };
            i += size;
            if self.f.minus {
                self.f.zero = false;
            }
            match verb {
                '%' => self.buf.push('%'),
                _ if !good_arg_num => {
                    self.buf.push_str("%!");
                    self.buf.push(verb);
                    self.buf.push_str("(BADINDEX)");
                }
                _ if arg_num >= args.len() => {
                    self.buf.push_str("%!");
                    self.buf.push(verb);
                    self.buf.push_str("(MISSING)");
                }
                _ => {
                    if verb == 'v' {
                        self.f.sharp_v = self.f.sharp;
                        self.f.sharp = false;
                        self.f.plus_v = self.f.plus;
                        self.f.plus = false;
                    }
                    self.print_arg(&args[arg_num], verb);
                    arg_num += 1;
                }
            }
        }
        if !reordered && arg_num < args.len() {
            self.f = Flags::default();
            self.buf.push_str("%!(EXTRA ");
            for (i, arg) in args[arg_num..].iter().enumerate() {
                if i > 0 {
                    self.buf.push_str(", ");
                }
                if arg.is_nil() {
                    self.buf.push_str("<nil>");
                } else {
                    self.buf.push_str(&arg.type_name());
                    self.buf.push('=');
                    self.print_arg(arg, 'v');
                }
            }
            self.buf.push(')');
        }
    }
}

/// The `[n]` argument-index parser of one verb.
struct ArgIndex<'a> {
    arg_num: usize,
    good: &'a mut bool,
    reordered: &'a mut bool,
}

impl ArgIndex<'_> {
    /// Go's `argNumber`: returns the new position and whether an index was found.
    fn parse(&mut self, format: &str, i: usize, num_args: usize) -> (usize, bool) {
        let fb = format.as_bytes();
        if i >= fb.len() || fb[i] != b'[' {
            return (i, false);
        }
        *self.reordered = true;
        let rest = &fb[i..];
        let (index, wid, ok) = parse_arg_number(rest);
        if ok {
            if let Some(index) = index.filter(|&n| n < num_args) {
                self.arg_num = index;
                return (i + wid, true);
            }
        }
        *self.good = false;
        (i + wid, ok)
    }
}

/// Go's `parseArgNumber` on text starting with `[`: the zero-based index (if it is one), the
/// bytes consumed, and whether the brackets were well formed.
fn parse_arg_number(b: &[u8]) -> (Option<usize>, usize, bool) {
    if b.len() < 3 {
        return (None, 1, false);
    }
    for i in 1..b.len() {
        if b[i] == b']' {
            let (n, next) = parse_num(b, 1, i);
            return match n {
                Some(n) if next == i => (n.checked_sub(1), i + 1, true),
                _ => (None, i + 1, false),
            };
        }
    }
    (None, 1, false)
}

/// Go's `parsenum`: decimal digits from `start`; a number past a million gives up and
/// consumes everything up to `end`.
fn parse_num(b: &[u8], start: usize, end: usize) -> (Option<usize>, usize) {
    if start >= end {
        return (None, end);
    }
    let mut num: usize = 0;
    let mut found = false;
    let mut i = start;
    while i < end && b[i].is_ascii_digit() {
        if num > TOO_LARGE {
            return (None, end);
        }
        num = num * 10 + usize::from(b[i] - b'0');
        found = true;
        i += 1;
    }
    (found.then_some(num), i)
}

/// Go's `intFromArg`: a `*` width or precision taken from an integer operand.
fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    let Some(arg) = args.get(arg_num) else {
        return (0, false, arg_num);
    };
    let (n, ok) = match arg {
        Value::Int(i) | Value::Int64(i) => (*i, true),
        Value::Uint(u) => match i64::try_from(*u) {
            Ok(i) => (i, true),
            Err(_) => (0, false),
        },
        _ => (0, false),
    };
    // `TOO_LARGE` fits in an i64.
    let limit = i64::try_from(TOO_LARGE).unwrap_or(i64::MAX);
    if n > limit || n < -limit {
        return (0, false, arg_num + 1);
    }
    (n, ok, arg_num + 1)
}

/// `fmt.Sprint` of one value (`%v`).
pub fn fmt_value(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

/// [`fmt_value`], appending to `out`.
pub fn write_value(out: &mut String, v: &Value) {
    match v {
        // The common cases, without a printer.
        Value::String(s) => out.push_str(s),
        Value::Int(i) | Value::Int64(i) => push_int(out, *i),
        Value::Uint(u) => push_uint(out, *u),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // `%v` of a float64 is `%g` with the shortest digits, which for a whole number below
        // 1e6 (exponent under 6) is its integer digits. Negative zero prints `-0`.
        Value::Float(f)
            if f.fract() == 0.0 && f.abs() < 1e6 && !(*f == 0.0 && f.is_sign_negative()) =>
        {
            // Exact: a whole number below 1e6.
            push_int(out, *f as i64);
        }
        _ => {
            let mut p = Printer::new();
            p.buf = std::mem::take(out);
            p.print_arg(v, 'v');
            *out = p.buf;
        }
    }
}

/// Appends the decimal digits of `i` (Go's `%d`), without going through `fmt`.
pub fn push_int(out: &mut String, i: i64) {
    if i < 0 {
        out.push('-');
    }
    push_uint(out, i.unsigned_abs());
}

/// Appends the decimal digits of `u`.
pub fn push_uint(out: &mut String, mut u: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    out.extend(buf[at..].iter().map(|&d| char::from(d)));
}

/// `%v` of a struct object from its fields (for [`Object::format`] of plain structs).
pub fn fmt_struct(o: &dyn Object) -> String {
    let mut p = Printer::new();
    if let Some(fields) = o.fields() {
        if o.kind_name() == "ptr" {
            p.buf.push('&');
        }
        p.print_struct(o.type_name(), &fields, 'v', 0);
    }
    p.buf
}

/// What Go's template printer writes for an action's value: a pointer to a struct prints
/// as the struct, and a struct reached through a pointer prints through a `String()` method
/// of its pointer type.
pub fn write_action_value(out: &mut String, v: &Value) {
    if let Value::Object(o) = v {
        if let Some(s) = o.pointer_string() {
            out.push_str(&s);
            return;
        }
        if o.kind_name() == "ptr" {
            if let Some(fields) = o.fields() {
                let mut p = Printer::new();
                p.buf = std::mem::take(out);
                p.print_struct(o.type_name(), &fields, 'v', 0);
                *out = p.buf;
                return;
            }
        }
    }
    write_value(out, v);
}

/// `fmt.Sprint`: operands are separated by a space when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !is_string(a) && !is_string(&args[i - 1]) {
            out.push(' ');
        }
        write_value(&mut out, a);
    }
    out
}

fn is_string(v: &Value) -> bool {
    match v {
        Value::String(_) => true,
        Value::Object(o) => o.kind_name() == "string",
        _ => false,
    }
}

/// `fmt.Sprintln`: operands always separated by a space, and a newline at the end.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_value(&mut out, a);
    }
    out.push('\n');
    out
}

/// `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer::new();
    p.buf.reserve(format.len() + 16);
    p.do_printf(format, args);
    p.buf
}

#[cfg(test)]
// 3.14159 is the operand the conformance cases print, not an approximation of pi.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;
    use crate::gotemplate::value::Map;

    fn i(n: i64) -> Value {
        Value::Int(n)
    }

    fn f(x: f64) -> Value {
        Value::Float(x)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn verbs_flags_and_widths() {
        assert_eq!(
            sprintf("%08.3f|%-5d|%x", &[f(3.14159), i(42), s("hi")]),
            "0003.142|42   |6869"
        );
        assert_eq!(
            sprintf("[%05d][%+05d][% 05d]", &[i(-42), i(42), i(42)]),
            "[-0042][+0042][ 0042]"
        );
        assert_eq!(
            sprintf("[%.0d][%5.0d][%6.3d]", &[i(0), i(0), i(7)]),
            "[][     ][   007]"
        );
        assert_eq!(
            sprintf("%#b|%#o|%#x|%#X|%O", &[i(5), i(8), i(255), i(255), i(8)]),
            "0b101|010|0xff|0XFF|0o10"
        );
        assert_eq!(
            sprintf("%x|%o", &[Value::Int64(i64::MIN), Value::Int64(i64::MAX)]),
            "-8000000000000000|777777777777777777777"
        );
        assert_eq!(
            sprintf(
                "%c|%q|%U|%#U|%c",
                &[i(65), i(0x263A), i(65), i(0x1F600), i(-1)]
            ),
            "A|'☺'|U+0041|U+1F600 '😀'|\u{fffd}"
        );
        assert_eq!(
            sprintf(
                "[%5s][%-5s][%.2s][%05s][%-5s]",
                &[s("abc"), s("abc"), s("abc"), s("ab"), s("é")]
            ),
            "[  abc][abc  ][ab][000ab][é    ]"
        );
        assert_eq!(
            sprintf("%q|%+q|%#q|%#q", &[s("é\t"), s("é"), s("a`b"), s("ab")]),
            "\"é\\t\"|\"\\u00e9\"|\"a`b\"|`ab`"
        );
        assert_eq!(
            sprintf(
                "[% x][%# X][% #x][%5x]",
                &[s("abc"), s("abc"), s("ab"), s("")]
            ),
            "[61 62 63][0X61 0X62 0X63][0x61 0x62][     ]"
        );
    }

    #[test]
    fn floats_in_printf() {
        assert_eq!(
            sprintf("%v|%v|%v|%v", &[f(1e6), f(1_234_567.5), f(1e-5), f(-0.0)]),
            "1e+06|1.2345675e+06|1e-05|-0"
        );
        assert_eq!(
            sprintf("%.3v|%06.2v", &[f(3.14159), f(3.14159)]),
            "3.14|0003.1"
        );
        assert_eq!(
            sprintf("%#g|%#.0f|%#.4g|%#g", &[f(1e5), f(1.0), f(1.5), f(1e-7)]),
            "100000.|1.|1.500|1.00000e-07"
        );
        assert_eq!(
            sprintf(
                "[%5.1f][%-6v][%06v][%+v]",
                &[
                    f(f64::NAN),
                    f(f64::INFINITY),
                    f(f64::NEG_INFINITY),
                    f(f64::NAN)
                ]
            ),
            "[  NaN][+Inf  ][  -Inf][NaN]"
        );
        assert_eq!(
            sprintf(
                "[%010.4f][% 010.4f][%+.1e]",
                &[f(-3.14159), f(3.14159), f(-0.0)]
            ),
            "[-0003.1416][ 0003.1416][-0.0e+00]"
        );
        assert_eq!(sprintf("%x|%X", &[f(1.0), f(-3.75)]), "0x1p+00|-0X1.EP+01");
    }

    #[test]
    fn error_markers() {
        assert_eq!(
            sprintf("%d|%s", &[s("x"), i(5)]),
            "%!d(string=x)|%!s(int=5)"
        );
        assert_eq!(
            sprintf("%d|%5v", &[Value::Nil, Value::Nil]),
            "%!d(<nil>)|<nil>"
        );
        assert_eq!(
            sprintf("%d", &[i(1), i(2), s("three"), Value::Nil]),
            "1%!(EXTRA int=2, string=three, <nil>)"
        );
        assert_eq!(sprintf("%s %s", &[s("a")]), "a %!s(MISSING)");
        assert_eq!(sprintf("%5.2", &[]), "%!(NOVERB)");
        assert_eq!(sprintf("%*d", &[s("x"), i(3)]), "%!(BADWIDTH)3");
        assert_eq!(sprintf("%.*f", &[i(-1), f(3.5)]), "%!(BADPREC)3.500000");
        assert_eq!(
            sprintf("%[3]d|%[x]d", &[i(1), i(2)]),
            "%!d(BADINDEX)|%!d(BADINDEX)"
        );
        assert_eq!(sprintf("%[2]*[1]d|%d", &[i(5), i(8)]), "       5|8");
        assert_eq!(sprintf("%100000000d", &[i(1)]), "%!(NOVERB)%!(EXTRA int=1)");
        // Flags reach the value inside the marker.
        assert_eq!(sprintf("%05d", &[f(7.0)]), "%!d(float64=00007)");
        assert_eq!(sprintf("[%5%]", &[]), "[%]");
    }

    #[test]
    fn uint64() {
        let max = Value::Uint(u64::MAX);
        assert_eq!(
            sprintf(
                "%v|%#v|%o|%+d|%s",
                &[
                    max.clone(),
                    max.clone(),
                    max,
                    Value::Uint(7),
                    Value::Uint(68)
                ]
            ),
            "18446744073709551615|0xffffffffffffffff|1777777777777777777777|+7|%!s(uint64=68)"
        );
    }

    #[test]
    fn containers() {
        let mut m = Map::new();
        m.insert("b".into(), i(2));
        m.insert(
            "a".into(),
            Value::list(vec![i(1), f(2.5), s("x"), Value::Nil]),
        );
        let m = Value::map(m);
        assert_eq!(fmt_value(&m), "map[a:[1 2.5 x <nil>] b:2]");
        assert_eq!(
            sprintf("%#v", std::slice::from_ref(&m)),
            "map[string]interface {}{\"a\":[]interface {}{1, 2.5, \"x\", interface {}(nil)}, \"b\":2}"
        );
        assert_eq!(
            sprintf("%d", &[m]),
            "map[%!d(string=a):[1 %!d(float64=2.5) %!d(string=x) <nil>] %!d(string=b):2]"
        );
        let l = Value::list(vec![i(1), i(22)]);
        assert_eq!(
            sprintf("%5v|%T", &[l.clone(), l]),
            "[    1    22]|[]interface {}"
        );
    }

    #[test]
    fn bytes() {
        let b = Value::Bytes(b"hi!\n".as_slice().into());
        assert_eq!(
            sprintf(
                "%s|%x|% X|%q|%v|%T",
                &[
                    b.clone(),
                    b.clone(),
                    b.clone(),
                    b.clone(),
                    b.clone(),
                    b.clone()
                ]
            ),
            "hi!\n|6869210a|68 69 21 0A|\"hi!\\n\"|[104 105 33 10]|[]uint8"
        );
        assert_eq!(
            sprintf("%#v", &[Value::list(vec![b.clone()])]),
            "[]interface {}{[]uint8{0x68, 0x69, 0x21, 0xa}}"
        );
        assert_eq!(
            sprintf("%o|%f|%#v", &[b.clone(), b.clone(), b]),
            "[150 151 41 12]|[%!f(uint8=104) %!f(uint8=105) %!f(uint8=33) %!f(uint8=10)]|[]byte{0x68, 0x69, 0x21, 0xa}"
        );
    }

    #[test]
    fn print_spacing() {
        assert_eq!(
            sprint(&[
                i(1),
                i(2),
                s("a"),
                i(3),
                s("b"),
                s("c"),
                f(4.5),
                Value::Nil,
                Value::Bool(true)
            ]),
            "1 2a3bc4.5 <nil> true"
        );
        assert_eq!(sprintln(&[s("a"), i(1), s("b")]), "a 1 b\n");
        assert_eq!(sprintln(&[]), "\n");
    }

    #[test]
    fn arbitrary_formats_never_panic() {
        const ALPHABET: &[char] = &[
            '%', '%', '%', '[', ']', '*', '.', '0', '1', '2', '9', '+', '-', '#', ' ', 'v', 'd',
            's', 'q', 'x', 'X', 'T', 'c', 'U', 'p', 'e', 'E', 'f', 'F', 'g', 'G', 'b', 'o', 'O',
            't', '!', 'é', '日', 'z',
        ];
        let args = [
            i(-3),
            i(1_114_112),
            Value::Int64(i64::MIN),
            Value::Uint(u64::MAX),
            f(f64::NAN),
            f(-0.0),
            f(5e-324),
            s("é`\n"),
            Value::Bytes(b"\xff\x00a".as_slice().into()),
            Value::Nil,
            Value::Bool(true),
            Value::list(vec![Value::Nil, f(1e21), s("x")]),
            Value::empty_map(),
        ];
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            usize::try_from(x % n as u64).unwrap_or(0)
        };
        for _ in 0..3000 {
            let len = next(12);
            let format: String = (0..len).map(|_| ALPHABET[next(ALPHABET.len())]).collect();
            let start = next(args.len());
            let count = next(4);
            let picked: Vec<Value> = (0..count)
                .map(|k| args[(start + k) % args.len()].clone())
                .collect();
            let out = sprintf(&format, &picked);
            // The text before the first verb is copied as it is.
            let literal = format.split('%').next().unwrap_or_default();
            assert!(out.starts_with(literal), "{format:?} gave {out:?}");
        }
    }

    #[test]
    fn self_containing_map_does_not_overflow() {
        let m = Value::empty_map();
        if let Value::Map(inner) = &m {
            inner.borrow_mut().insert("me".into(), m.clone());
        }
        let out = fmt_value(&m);
        assert!(out.contains("map[...:...]]]") && out.ends_with("]]]"));
        if let Value::Map(inner) = &m {
            // Break the cycle so the test does not leak.
            inner.borrow_mut().clear();
        }
    }
}
