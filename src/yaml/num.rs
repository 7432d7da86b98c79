//! Go's `strconv.FormatFloat` shapes that the YAML and JSON layers print: `'g'` with shortest
//! digits (goyaml's float scalars), and `encoding/json`'s choice between `'f'` and `'e'`.
//!
//! Rust's `{:e}` already yields the shortest digits that round-trip, as Go's `-1` precision
//! does; only the layout differs, so these functions re-lay those digits out.

/// The shortest round-trip decimal digits of a finite, non-zero `f` and its decimal point
/// position: `f = 0.DIGITS × 10^dp`.
fn shortest_digits(f: f64) -> (String, i32) {
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (digits, exp + 1)
}

fn special(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".into())
    } else if f.is_infinite() {
        Some(if f > 0.0 { "+Inf" } else { "-Inf" }.into())
    } else {
        None
    }
}

/// `strconv.FormatFloat(f, 'e', -1, 64)`: `1.5e+06`, `1e-07`.
pub fn format_e(f: f64) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let neg = f.is_sign_negative();
    let (digits, dp) = if f == 0.0 {
        ("0".to_string(), 1)
    } else {
        shortest_digits(f)
    };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let exp = dp - 1;
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
    out
}

/// `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, padded with zeros, no exponent.
pub fn format_f(f: f64) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let neg = f.is_sign_negative();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if f == 0.0 {
        out.push('0');
        return out;
    }
    let (digits, dp) = shortest_digits(f);
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let dp = dp as usize;
        if digits.len() <= dp {
            out.push_str(&digits);
            for _ in digits.len()..dp {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..dp]);
            out.push('.');
            out.push_str(&digits[dp..]);
        }
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which is also Go's `%v` of a float64.
pub fn format_g(f: f64) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let (_, dp) = shortest_digits(f);
    let exp = dp - 1;
    // With shortest digits Go decides by a precision of 6: %e when exp < -4 || exp >= 6.
    if !(-4..6).contains(&exp) {
        return format_e(f);
    }
    format_f(f)
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` of `f` rounded to float32 (sigs.k8s.io/yaml prints
/// float map keys this way).
pub fn format_g32(f: f64) -> String {
    #[allow(clippy::cast_possible_truncation)] // float32 rounding is the point
    let g = f as f32;
    if g.is_nan() || g.is_infinite() {
        return format_g(f64::from(g));
    }
    if g == 0.0 {
        return if g.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let s = format!("{:e}", g.abs());
    let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = e.parse().unwrap_or(0);
    let neg = if g.is_sign_negative() { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let mut out = format!("{neg}{}", &digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let a = exp.unsigned_abs();
        out.push_str(&format!(
            "e{}{}{a}",
            if exp < 0 { '-' } else { '+' },
            if a < 10 { "0" } else { "" }
        ));
        out
    } else {
        let dp = exp + 1;
        let mut out = neg.to_string();
        if dp <= 0 {
            out.push_str("0.");
            for _ in 0..(-dp) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let dp = dp as usize;
            if digits.len() <= dp {
                out.push_str(&digits);
                for _ in digits.len()..dp {
                    out.push('0');
                }
            } else {
                out.push_str(&digits[..dp]);
                out.push('.');
                out.push_str(&digits[dp..]);
            }
        }
        out
    }
}

/// How `encoding/json` writes a finite float64: `'f'` unless the magnitude is below 1e-6 or
/// at least 1e21, then `'e'` with a one-digit negative exponent (`1e-7`, not `1e-07`).
pub fn format_json(f: f64) -> String {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = format_e(f);
        if let Some(i) = s.find("e-0") {
            return format!("{}e-{}", &s[..i], &s[i + 3..]);
        }
        s
    } else {
        format_f(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_matches_go() {
        // Observed with Helm: `{{ .Values.x }}` of values-file numbers.
        assert_eq!(format_g(1_000_000.0), "1e+06");
        assert_eq!(format_g(123_456.0), "123456");
        assert_eq!(format_g(1_234_567.5), "1.2345675e+06");
        assert_eq!(format_g(0.000_001), "1e-06");
        assert_eq!(format_g(0.0001), "0.0001");
        assert_eq!(format_g(-0.0), "-0");
        assert_eq!(format_g(1.5), "1.5");
        assert_eq!(
            format_g(9_223_372_036_854_775_807.0),
            "9.223372036854776e+18"
        );
        assert_eq!(format_g(1e21), "1e+21");
    }

    #[test]
    fn json_matches_go() {
        assert_eq!(format_json(1e-7), "1e-7");
        assert_eq!(format_json(1e21), "1e+21");
        assert_eq!(format_json(1e20), "100000000000000000000");
        assert_eq!(
            format_json(9_223_372_036_854_775_807.0),
            "9223372036854776000"
        );
        assert_eq!(format_json(0.000_001), "0.000001");
        assert_eq!(format_json(-0.0), "-0");
    }

    #[test]
    fn g32_keys() {
        assert_eq!(format_g32(2.5), "2.5");
        assert_eq!(format_g32(0.1), "0.1");
        assert_eq!(format_g32(1e7), "1e+07");
    }
}
