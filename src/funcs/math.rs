//! Sprig's arithmetic: the `int64` family (`add`, `add1`, `sub`, `mul`, `div`, `mod`, `max`,
//! `min`, `biggest`), the `float64` family (`addf`, `add1f`, `subf`, `mulf`, `divf`, `maxf`,
//! `minf`, `ceil`, `floor`, `round`) and the integer sequences `seq`, `until` and `untilStep`.
//!
//! Every operand goes through `cast` (see [`super::conversion`]): `add 1 "2" 1.9` is 4. The
//! `int64` family wraps around on overflow as Go does. The float family other than
//! `maxf`/`minf`/`ceil`/`floor`/`round` computes in exact decimal, as Sprig does with
//! `shopspring/decimal`: each operand becomes the shortest decimal that reads back as the
//! same float, the operation is exact (division rounds half away from zero at 16 decimal
//! places), and the result is the float nearest to it. So `addf 0.1 0.2` is `0.3`.

use num_bigint::{BigInt, Sign};

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::gofmt;
use crate::gotemplate::value::{ListType, Value};

use super::conversion::{to_float64, to_int64};

pub fn register(map: &mut FuncMap) {
    map.insert(func!("add1", [Any], add1));
    map.insert(func!("add", [], ...Any, add));
    map.insert(func!("sub", [Any, Any], sub));
    map.insert(func!("div", [Any, Any], div));
    map.insert(func!("mod", [Any, Any], modulo));
    map.insert(func!("mul", [Any], ...Any, mul));
    map.insert(func!("add1f", [Any], add1f));
    map.insert(func!("addf", [], ...Any, addf));
    map.insert(func!("subf", [Any], ...Any, subf));
    map.insert(func!("divf", [Any], ...Any, divf));
    map.insert(func!("mulf", [Any], ...Any, mulf));
    map.insert(func!("biggest", [Any], ...Any, max));
    map.insert(func!("max", [Any], ...Any, max));
    map.insert(func!("min", [Any], ...Any, min));
    map.insert(func!("maxf", [Any], ...Any, maxf));
    map.insert(func!("minf", [Any], ...Any, minf));
    map.insert(func!("ceil", [Any], ceil));
    map.insert(func!("floor", [Any], floor));
    map.insert(func!("round", [Any, Int], ...Float64, round));
    map.insert(func!("seq", [], ...Int, seq));
    map.insert(func!("until", [Int], until));
    map.insert(func!("untilStep", [Int, Int, Int], until_step));
}

type FuncResult = Result<Value, FuncError>;

/// The longest sequence `until`, `untilStep` and `seq` build. Go would try to allocate any
/// length; we refuse rather than exhaust memory.
const MAX_SEQUENCE: i128 = 1 << 24;

fn divide_by_zero() -> FuncError {
    FuncError::call("runtime error: integer divide by zero")
}

fn add1(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Int64(to_int64(&args[0]).wrapping_add(1)))
}

fn add(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let sum = args.iter().fold(0i64, |a, b| a.wrapping_add(to_int64(b)));
    Ok(Value::Int64(sum))
}

fn sub(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Int64(
        to_int64(&args[0]).wrapping_sub(to_int64(&args[1])),
    ))
}

fn div(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let b = to_int64(&args[1]);
    if b == 0 {
        return Err(divide_by_zero());
    }
    Ok(Value::Int64(to_int64(&args[0]).wrapping_div(b)))
}

fn modulo(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let b = to_int64(&args[1]);
    if b == 0 {
        return Err(divide_by_zero());
    }
    Ok(Value::Int64(to_int64(&args[0]).wrapping_rem(b)))
}

fn mul(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let product = args[1..]
        .iter()
        .fold(to_int64(&args[0]), |a, b| a.wrapping_mul(to_int64(b)));
    Ok(Value::Int64(product))
}

fn max(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let m = args.iter().map(to_int64).max().unwrap_or_default();
    Ok(Value::Int64(m))
}

fn min(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let m = args.iter().map(to_int64).min().unwrap_or_default();
    Ok(Value::Int64(m))
}

/// Go's `math.Max`: NaN wins, and +0 beats -0.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() {
            b
        } else {
            a
        }
    } else {
        a.max(b)
    }
}

/// Go's `math.Min`: NaN wins, and -0 beats +0.
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() {
            a
        } else {
            b
        }
    } else {
        a.min(b)
    }
}

fn maxf(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let m = args[1..]
        .iter()
        .fold(to_float64(&args[0]), |a, b| go_max(a, to_float64(b)));
    Ok(Value::Float(m))
}

fn minf(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let m = args[1..]
        .iter()
        .fold(to_float64(&args[0]), |a, b| go_min(a, to_float64(b)));
    Ok(Value::Float(m))
}

fn ceil(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Float(to_float64(&args[0]).ceil()))
}

fn floor(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    Ok(Value::Float(to_float64(&args[0]).floor()))
}

/// `round x places [roundOn]`: rounds up when the fraction of `x·10^places` is at least
/// `roundOn` (0.5 by default), else down; on a negative number the fraction is negative, so
/// it always rounds down.
fn round(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let round_on = match args.get(2) {
        Some(Value::Float(f)) => *f,
        _ => 0.5,
    };
    let val = to_float64(&args[0]);
    let places = to_float64(&args[1]);
    let pow = 10f64.powf(places);
    let digit = pow * val;
    let frac = digit - digit.trunc();
    let rounded = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(rounded / pow))
}

/// An exact decimal `m·10^e`, as `shopspring/decimal` computes.
#[derive(Clone, Debug)]
struct Decimal {
    m: BigInt,
    e: i64,
}

/// The places a decimal division keeps (`decimal.DivisionPrecision`).
const DIVISION_PRECISION: i64 = 16;

impl Decimal {
    /// The shortest decimal that reads back as `f` (`decimal.NewFromFloat`).
    fn from_f64(f: f64) -> Result<Decimal, FuncError> {
        if !f.is_finite() {
            return Err(FuncError::call(format!(
                "Cannot create a Decimal from {}",
                gofmt::fmt_value(&Value::Float(f))
            )));
        }
        if f == 0.0 {
            return Ok(Decimal {
                m: BigInt::from(0),
                e: 0,
            });
        }
        // `{:e}` prints the shortest round-trip digits: "-1.2345e-7".
        let text = format!("{f:e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i64 = exp.parse().unwrap_or(0);
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{int_part}{frac_part}");
        let m: BigInt = digits.parse().unwrap_or_default();
        Ok(Decimal {
            m,
            e: exp - frac_part.len() as i64,
        })
    }

    /// The float nearest to the exact value (`Decimal.Float64`).
    fn to_f64(&self) -> f64 {
        format!("{}e{}", self.m, self.e).parse().unwrap_or(0.0)
    }

    /// Both mantissas scaled to the smaller exponent.
    fn aligned(&self, other: &Decimal) -> (BigInt, BigInt, i64) {
        let e = self.e.min(other.e);
        let scale = |d: &Decimal| &d.m * BigInt::from(10).pow((d.e - e) as u32);
        (scale(self), scale(other), e)
    }

    fn add(&self, other: &Decimal) -> Decimal {
        let (a, b, e) = self.aligned(other);
        Decimal { m: a + b, e }
    }

    fn sub(&self, other: &Decimal) -> Decimal {
        let (a, b, e) = self.aligned(other);
        Decimal { m: a - b, e }
    }

    fn mul(&self, other: &Decimal) -> Decimal {
        Decimal {
            m: &self.m * &other.m,
            e: self.e + other.e,
        }
    }

    /// The quotient rounded half away from zero to [`DIVISION_PRECISION`] places.
    fn div(&self, other: &Decimal) -> Result<Decimal, FuncError> {
        if other.m.sign() == Sign::NoSign {
            return Err(FuncError::call("decimal division by 0"));
        }
        // self/other·10^p = (m1·10^(e1-e2+p)) / m2
        let shift = self.e - other.e + DIVISION_PRECISION;
        let (num, den) = if shift >= 0 {
            (
                &self.m * BigInt::from(10).pow(shift as u32),
                other.m.clone(),
            )
        } else {
            (
                self.m.clone(),
                &other.m * BigInt::from(10).pow((-shift) as u32),
            )
        };
        let q = &num / &den;
        let r = &num - &q * &den;
        let twice = r.magnitude() * 2u32;
        let q = if twice >= *den.magnitude() {
            if (num.sign() == Sign::Minus) != (den.sign() == Sign::Minus) {
                q - 1
            } else {
                q + 1
            }
        } else {
            q
        };
        Ok(Decimal {
            m: q,
            e: -DIVISION_PRECISION,
        })
    }
}

/// The longest exponent gap [`Decimal::aligned`] bridges: float operands never need more, and
/// a long chain of multiplications is stopped before it grows without bound.
const MAX_DECIMAL_EXPONENT: i64 = 100_000;

/// Sprig's `execDecimalOp`: folds the operands into the first with `op`, in exact decimal.
fn decimal_fold(
    first: f64,
    rest: &[Value],
    op: fn(&Decimal, &Decimal) -> Result<Decimal, FuncError>,
) -> FuncResult {
    let mut acc = Decimal::from_f64(first)?;
    for x in rest {
        let d = Decimal::from_f64(to_float64(x))?;
        acc = op(&acc, &d)?;
        if acc.e.abs() > MAX_DECIMAL_EXPONENT {
            return Err(FuncError::call("overflow in decimal arithmetic"));
        }
    }
    Ok(Value::Float(acc.to_f64()))
}

fn add1f(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    decimal_fold(to_float64(&args[0]), &[Value::Int(1)], |a, b| Ok(a.add(b)))
}

fn addf(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    decimal_fold(0.0, args, |a, b| Ok(a.add(b)))
}

fn subf(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    decimal_fold(to_float64(&args[0]), &args[1..], |a, b| Ok(a.sub(b)))
}

fn mulf(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    decimal_fold(to_float64(&args[0]), &args[1..], |a, b| Ok(a.mul(b)))
}

fn divf(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    decimal_fold(to_float64(&args[0]), &args[1..], Decimal::div)
}

fn int_arg(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => 0,
    }
}

/// Sprig's `untilStep`: from `start` toward `stop` (exclusive) by `step`; empty when `step`
/// does not lead there.
fn step_sequence(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, FuncError> {
    let (start, stop, step) = (i128::from(start), i128::from(stop), i128::from(step));
    let count = if stop < start {
        if step >= 0 {
            return Ok(Vec::new());
        }
        (start - stop + (-step) - 1) / (-step)
    } else {
        if step <= 0 {
            return Ok(Vec::new());
        }
        (stop - start + step - 1) / step
    };
    if count > MAX_SEQUENCE {
        return Err(FuncError::call(format!(
            "sequence of {count} numbers is too long"
        )));
    }
    // Each item lies between start and stop, so fits in i64.
    Ok((0..count).map(|n| (start + n * step) as i64).collect())
}

/// A Go `[]int`.
fn int_list(items: Vec<i64>) -> Value {
    Value::typed_list(items.into_iter().map(Value::Int).collect(), ListType::Ints)
}

fn until(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let count = int_arg(&args[0]);
    let step = if count < 0 { -1 } else { 1 };
    Ok(int_list(step_sequence(0, count, step)?))
}

fn until_step(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let (start, stop, step) = (int_arg(&args[0]), int_arg(&args[1]), int_arg(&args[2]));
    Ok(int_list(step_sequence(start, stop, step)?))
}

/// `seq end`, `seq start end`, `seq start step end`: like GNU seq, the end is included, and the
/// numbers are printed space-separated.
fn seq(_: &mut dyn Runtime, args: &[Value]) -> FuncResult {
    let p: Vec<i64> = args.iter().map(int_arg).collect();
    let items = match p.as_slice() {
        [end] => {
            let inc = if *end < 1 { -1 } else { 1 };
            step_sequence(1, end.wrapping_add(inc), inc)?
        }
        [start, end] => {
            let inc = if end < start { -1 } else { 1 };
            step_sequence(*start, end.wrapping_add(inc), inc)?
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if *step > 0 {
                    return Ok(Value::str(""));
                }
            }
            step_sequence(*start, end.wrapping_add(inc), *step)?
        }
        _ => Vec::new(),
    };
    let text: Vec<String> = items.iter().map(i64::to_string).collect();
    Ok(Value::string(text.join(" ")))
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

    fn float(name: &str, args: &[Value]) -> f64 {
        match call(name, args).unwrap() {
            Value::Float(f) => f,
            other => panic!("{name} gave {other:?}"),
        }
    }

    #[test]
    fn int_family_casts_and_truncates() {
        // Helm: `add 1 "2" 1.9` is 4, `div 7 2` is 3, `mul 2 2.5` is 4
        let r = call("add", &[Value::Int(1), Value::str("2"), Value::Float(1.9)]).unwrap();
        assert!(matches!(r, Value::Int64(4)));
        let r = call("div", &[Value::Int(7), Value::Int(2)]).unwrap();
        assert!(matches!(r, Value::Int64(3)));
        let r = call("mul", &[Value::Int(2), Value::Float(2.5)]).unwrap();
        assert!(matches!(r, Value::Int64(4)));
        let err = call("mod", &[Value::Int(1), Value::Int(0)]).unwrap_err();
        assert_eq!(err.to_string(), "runtime error: integer divide by zero");
    }

    #[test]
    fn float_family_is_decimal() {
        assert_eq!(float("addf", &[Value::Float(0.1), Value::Float(0.2)]), 0.3);
        assert_eq!(float("divf", &[Value::Int(7), Value::Int(2)]), 3.5);
        assert_eq!(
            float("divf", &[Value::Int(1), Value::Int(3)]),
            0.333_333_333_333_333_3
        );
        assert_eq!(float("round", &[Value::Float(2.567), Value::Int(2)]), 2.57);
        let err = call("divf", &[Value::Int(1), Value::Int(0)]).unwrap_err();
        assert_eq!(err.to_string(), "decimal division by 0");
    }

    #[test]
    fn sequences() {
        let r = call("seq", &[Value::Int(3)]).unwrap();
        assert_eq!(r.as_str(), Some("1 2 3"));
        let r = call("seq", &[Value::Int(0)]).unwrap();
        assert_eq!(r.as_str(), Some("1 0"));
        let r = call("seq", &[Value::Int(10), Value::Int(-3), Value::Int(1)]).unwrap();
        assert_eq!(r.as_str(), Some("10 7 4 1"));
        let r = call("untilStep", &[Value::Int(0), Value::Int(10), Value::Int(3)]).unwrap();
        assert_eq!(format!("{r:?}"), "[int(0), int(3), int(6), int(9)]");
        let r = call("until", &[Value::Int(-2)]).unwrap();
        assert_eq!(format!("{r:?}"), "[int(0), int(-1)]");
        assert!(call("until", &[Value::Int(1 << 40)]).is_err());
    }
}
