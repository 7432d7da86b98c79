//! Go's `strconv.FormatFloat` shapes that the YAML and JSON layers print: `'g'` with shortest
//! digits (goyaml's float scalars), and `encoding/json`'s choice between `'f'` and `'e'`.
//!
//! The digits come from the template engine's `strconv.FormatFloat`; this module names the
//! shapes the YAML and JSON layers use.

use crate::gotemplate::gofmt::format_float;

/// `strconv.FormatFloat(f, 'e', -1, 64)`: `1.5e+06`, `1e-07`.
pub fn format_e(f: f64) -> String {
    format_float(f, b'e', -1, 64)
}

/// `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, padded with zeros, no exponent.
pub fn format_f(f: f64) -> String {
    format_float(f, b'f', -1, 64)
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which is also Go's `%v` of a float64.
pub fn format_g(f: f64) -> String {
    format_float(f, b'g', -1, 64)
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` (sigs.k8s.io/yaml prints float map keys and
/// string-bound floats this way).
pub fn format_g32(f: f64) -> String {
    format_float(f, b'g', -1, 32)
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
