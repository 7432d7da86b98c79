//! `strconv.FormatFloat`: decimal (`e`, `E`, `f`, `g`, `G`), binary (`b`) and hexadecimal (`x`,
//! `X`) forms of a float64 or float32, in shortest round-trip or fixed precision.
//!
//! The decimal digits come from Rust's own float formatting, which is exact: `{:e}` yields the
//! shortest digits that read back to the same float (the same digits Go's Ryū-based shortest mode
//! picks), and `{:.N$e}` / `{:.N$}` round the exact binary value half to even, as Go's fixed
//! precision paths do. Go's layout rules (where `%g` switches to an exponent, two-digit
//! exponents, `+Inf`) are applied here on top of those digits.

/// A decimal `0.d₁d₂…dₙ × 10^dp` with no trailing zeros in `digits`; zero has no digits.
struct Decimal {
    digits: Vec<u8>,
    dp: i32,
}

impl Decimal {
    /// Parses Rust's `{:e}` rendering of a non-negative finite number (`1.25e-3`, `0e0`).
    fn from_exp_form(s: &str) -> Decimal {
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return Decimal { digits, dp: 0 };
        }
        Decimal {
            digits,
            dp: exp + 1,
        }
    }

    fn len(&self) -> i32 {
        i32::try_from(self.digits.len()).unwrap_or(i32::MAX)
    }

    fn digit(&self, i: i32) -> u8 {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.digits.get(i).copied())
            .unwrap_or(b'0')
    }

    /// Appends digits `from..from + n` (zeros outside the stored ones). The zeros are copied
    /// in one piece: a precision may ask for ten million of them.
    fn push_digits(&self, out: &mut String, from: i32, n: i32) {
        let (from, end) = (i64::from(from), i64::from(from) + i64::from(n.max(0)));
        let stored = i64::from(self.len());
        let zeros = |count: i64| "0".repeat(usize::try_from(count.max(0)).unwrap_or(0));
        // Before the first stored digit, the stored ones, then after the last.
        out.push_str(&zeros(end.min(0) - from));
        let (lo, hi) = (from.clamp(0, stored), end.clamp(0, stored));
        if lo < hi {
            // Both bounds are clamped to `0..=digits.len()`.
            let (lo, hi) = (
                usize::try_from(lo).unwrap_or(0),
                usize::try_from(hi).unwrap_or(0),
            );
            out.extend(self.digits[lo..hi].iter().map(|&b| char::from(b)));
        }
        out.push_str(&zeros(end - from.max(stored)));
    }
}

/// Shortest digits that round-trip at `bit_size`.
fn shortest(abs: f64, bit_size: u32) -> Decimal {
    if bit_size == 32 {
        // Narrowing is the point: Go formats the float32 nearest the value.
        #[allow(clippy::cast_possible_truncation)]
        let f = abs as f32;
        Decimal::from_exp_form(&format!("{f:e}"))
    } else {
        Decimal::from_exp_form(&format!("{abs:e}"))
    }
}

/// More digits than any float64 has: its exact decimal expansion ends within 767 significant
/// digits and 1074 digits after the point. Rust's formatter refuses precisions above 65535, so
/// longer requests are served at this precision and padded with zeros, which is exact.
const EXACT_DIGITS: usize = 1100;

/// The exact value rounded half to even to `n >= 1` significant digits (trailing zeros are
/// implied by [`Decimal`]).
fn significant(abs: f64, n: usize) -> Decimal {
    let n = n.clamp(1, EXACT_DIGITS);
    Decimal::from_exp_form(&format!("{abs:.*e}", n - 1))
}

/// Go's `strconv.FormatFloat(f, fmt, prec, bit_size)`. A negative `prec` asks for the fewest
/// digits that read back as the same value; `bit_size` is 32 or 64. An unknown `fmt` gives
/// `%` followed by the byte, as Go does.
pub fn format_float(f: f64, fmt: u8, prec: i32, bit_size: u32) -> String {
    let f = if bit_size == 32 {
        #[allow(clippy::cast_possible_truncation)]
        let narrow = f as f32;
        f64::from(narrow)
    } else {
        f
    };
    let mut out = String::new();
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-Inf" } else { "+Inf" }.into();
    }
    let neg = f.is_sign_negative();
    let abs = f.abs();
    match fmt {
        b'b' => return format_binary(f, bit_size),
        b'x' | b'X' => return format_hex(f, fmt, prec, bit_size),
        b'e' | b'E' | b'f' | b'g' | b'G' => {}
        other => {
            out.push('%');
            out.push(char::from(other));
            return out;
        }
    }
    if neg {
        out.push('-');
    }
    let shortest_mode = prec < 0;
    let prec_u = usize::try_from(prec).unwrap_or(0);
    match fmt {
        b'e' | b'E' => {
            let d = if shortest_mode {
                shortest(abs, bit_size)
            } else {
                significant(abs, prec_u + 1)
            };
            let p = if shortest_mode {
                (d.len() - 1).max(0)
            } else {
                prec
            };
            write_exp(&mut out, &d, p, fmt);
        }
        b'f' => {
            if shortest_mode {
                let d = shortest(abs, bit_size);
                write_fixed(&mut out, &d, (d.len() - d.dp).max(0));
            } else {
                let exact = prec_u.min(EXACT_DIGITS);
                out.push_str(&format!("{abs:.exact$}"));
                out.push_str(&"0".repeat(prec_u - exact));
            }
        }
        _ => {
            // 'g' / 'G'
            let mut p = prec;
            let d = if shortest_mode {
                let d = shortest(abs, bit_size);
                p = d.len();
                d
            } else {
                if p == 0 {
                    p = 1;
                }
                significant(abs, usize::try_from(p).unwrap_or(1))
            };
            let mut eprec = p;
            if eprec > d.len() && d.len() >= d.dp {
                eprec = d.len();
            }
            if shortest_mode {
                eprec = 6;
            }
            let exp = d.dp - 1;
            if exp < -4 || exp >= eprec {
                let p = p.min(d.len());
                let e = if fmt == b'g' { b'e' } else { b'E' };
                write_exp(&mut out, &d, p - 1, e);
            } else {
                let p = if p > d.dp { d.len() } else { p };
                write_fixed(&mut out, &d, (p - d.dp).max(0));
            }
        }
    }
    out
}

/// `d.ddde±dd` with `prec` digits after the point.
fn write_exp(out: &mut String, d: &Decimal, prec: i32, e: u8) {
    out.push(char::from(d.digit(0)));
    if prec > 0 {
        out.push('.');
        d.push_digits(out, 1, prec);
    }
    out.push(char::from(e));
    let exp = if d.digits.is_empty() { 0 } else { d.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
}

/// `ddd.ddd` with `prec` digits after the point.
fn write_fixed(out: &mut String, d: &Decimal, prec: i32) {
    if d.dp > 0 {
        d.push_digits(out, 0, d.dp);
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        d.push_digits(out, d.dp, prec);
    }
}

/// The raw fields of a float: sign, mantissa with its implicit bit, and unbiased exponent of
/// the mantissa's lowest bit plus `mant_bits` (Go's `exp` before `fmtB`/`fmtX`).
fn decompose(f: f64, bit_size: u32) -> (bool, u64, i32, u32) {
    let (bits, mant_bits, exp_bits, bias): (u64, u32, u32, i32) = if bit_size == 32 {
        #[allow(clippy::cast_possible_truncation)]
        let narrow = f as f32;
        (u64::from(narrow.to_bits()), 23, 8, -127)
    } else {
        (f.to_bits(), 52, 11, -1023)
    };
    let neg = bits >> (mant_bits + exp_bits) != 0;
    // The masked exponent field fits in 11 bits.
    let mut exp = i32::try_from((bits >> mant_bits) & ((1 << exp_bits) - 1)).unwrap_or(0);
    let mut mant = bits & ((1u64 << mant_bits) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << mant_bits;
    }
    exp += bias;
    (neg, mant, exp, mant_bits)
}

/// `strconv`'s `b` format: `mantissa p exponent`.
fn format_binary(f: f64, bit_size: u32) -> String {
    let (neg, mant, exp, mant_bits) = decompose(f, bit_size);
    let exp = exp - i32::try_from(mant_bits).unwrap_or(0);
    let sign = if neg { "-" } else { "" };
    let esign = if exp >= 0 { "+" } else { "" };
    format!("{sign}{mant}p{esign}{exp}")
}

/// `strconv`'s `x`/`X` format: `-0x1.8p+01`.
fn format_hex(f: f64, fmt: u8, prec: i32, bit_size: u32) -> String {
    let (neg, mut mant, mut exp, mant_bits) = decompose(f, bit_size);
    if mant == 0 {
        exp = 0;
    }
    mant <<= 60 - mant_bits;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = u32::try_from(prec * 4).unwrap_or(0);
        let extra = (mant << shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if fmt == b'X' {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push('0');
    out.push(char::from(fmt));
    out.push(char::from(b'0' + u8::from(mant >> 60 & 1 == 1)));
    mant <<= 4;
    let nibble = |m: u64| char::from(hex[usize::try_from((m >> 60) & 15).unwrap_or(0)]);
    if prec < 0 && mant != 0 {
        out.push('.');
        while mant != 0 {
            out.push(nibble(mant));
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push('.');
        let mut left = prec;
        while mant != 0 && left > 0 {
            out.push(nibble(mant));
            mant <<= 4;
            left -= 1;
        }
        // The rest are zeros, copied in one piece (a precision may reach ten million).
        out.push_str(&"0".repeat(usize::try_from(left).unwrap_or(0)));
    }
    out.push(if fmt == b'X' { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::format_float;

    #[test]
    fn shortest_g_switches_to_an_exponent_below_1e_minus_4_and_from_1e6() {
        // Helm prints 1e+06 for a values-file 1000000.
        assert_eq!(format_float(1_000_000.0, b'g', -1, 64), "1e+06");
        assert_eq!(format_float(123_456.0, b'g', -1, 64), "123456");
        assert_eq!(format_float(1_234_567.5, b'g', -1, 64), "1.2345675e+06");
        assert_eq!(format_float(0.0001, b'g', -1, 64), "0.0001");
        assert_eq!(format_float(0.00001, b'g', -1, 64), "1e-05");
        assert_eq!(format_float(-0.0, b'g', -1, 64), "-0");
        assert_eq!(format_float(f64::INFINITY, b'g', -1, 64), "+Inf");
        assert_eq!(format_float(f64::NAN, b'e', 3, 64), "NaN");
        assert_eq!(format_float(1e100, b'g', -1, 64), "1e+100");
    }

    #[test]
    fn fixed_precision_rounds_half_to_even_on_the_exact_value() {
        assert_eq!(format_float(0.125, b'f', 2, 64), "0.12");
        assert_eq!(format_float(0.375, b'f', 2, 64), "0.38");
        assert_eq!(format_float(2.5, b'f', 0, 64), "2");
        assert_eq!(format_float(1.23456, b'e', 3, 64), "1.235e+00");
        assert_eq!(format_float(100.0, b'g', 3, 64), "100");
        assert_eq!(format_float(1.0, b'g', 3, 64), "1");
        assert_eq!(format_float(1234.0, b'g', 3, 64), "1.23e+03");
        assert_eq!(format_float(0.0, b'e', 2, 64), "0.00e+00");
        assert_eq!(format_float(0.0, b'g', 0, 64), "0");
        assert_eq!(format_float(1.0, b'f', -1, 64), "1");
        assert_eq!(format_float(0.1, b'f', -1, 32), "0.1");
        assert_eq!(format_float(0.1, b'g', 20, 64), "0.10000000000000000555");
    }

    #[test]
    fn precisions_past_rusts_formatter_limit_are_padded_exactly() {
        let f = format_float(0.1, b'f', 100_000, 64);
        assert_eq!(f.len(), 100_002);
        assert!(f.starts_with("0.1000000000000000055511151231257827"));
        assert!(f.ends_with("0000"));
        let e = format_float(5e-324, b'e', 70_000, 64);
        assert!(e.starts_with("4.940656458412465441765687928682213723650598026143247644255856825"));
        assert!(e.ends_with("0e-324"));
        assert_eq!(format_float(0.1, b'g', 100_000, 64).len(), 57);
    }

    #[test]
    fn binary_and_hex_forms() {
        assert_eq!(format_float(1.0, b'b', -1, 64), "4503599627370496p-52");
        assert_eq!(format_float(0.0, b'b', -1, 64), "0p-1074");
        assert_eq!(format_float(1.0, b'x', -1, 64), "0x1p+00");
        assert_eq!(format_float(-3.0, b'X', -1, 64), "-0X1.8P+01");
        assert_eq!(format_float(1.0, b'x', 2, 64), "0x1.00p+00");
    }

    #[test]
    fn shortest_agrees_with_rust_round_trip() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            if !f.is_finite() {
                continue;
            }
            let s = format_float(f, b'e', -1, 64);
            assert_eq!(s.parse::<f64>().ok(), Some(f), "{s}");
            let g = format_float(f, b'g', -1, 64);
            assert_eq!(g.parse::<f64>().ok(), Some(f), "{g}");
        }
    }
}
