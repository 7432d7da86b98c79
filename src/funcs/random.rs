//! Sprig's random functions: `randAlphaNum`, `randAlpha`, `randAscii`, `randNumeric`,
//! `randInt`, `randBytes`, `shuffle` and `uuidv4`.
//!
//! Their output cannot be compared with Helm's, only their form: the alphabets, lengths and the
//! errors Go reports for impossible arguments are Sprig's.

use rand::seq::SliceRandom;
use rand::{Rng, RngCore};

use crate::func;
use crate::funcs::encoding::base64_encode;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::Value;

pub fn register(map: &mut FuncMap) {
    map.insert(func!("randAlphaNum", [Int], rand_alpha_num));
    map.insert(func!("randAlpha", [Int], rand_alpha));
    map.insert(func!("randAscii", [Int], rand_ascii));
    map.insert(func!("randNumeric", [Int], rand_numeric));
    map.insert(func!("randInt", [Int, Int], rand_int));
    map.insert(func!("randBytes", [Int], rand_bytes));
    map.insert(func!("shuffle", [String], shuffle));
    map.insert(func!("uuidv4", [], uuidv4));
}

fn int_arg(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n) | Value::Int64(n)) => *n,
        _ => 0,
    }
}

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";

/// The most random characters or bytes one call makes. Go would try (drawing each character
/// from `crypto/rand`, for minutes) and may die allocating; no chart needs a random string
/// anywhere near this long.
const MAX_RANDOM_LEN: i64 = 1 << 24;

/// Go's error for a slice too large to allocate.
fn too_long() -> FuncError {
    FuncError::call("runtime error: makeslice: len out of range")
}

/// A string of `count` characters drawn from `alphabet`; a negative count gives "" (the
/// library's error is discarded by Sprig).
fn random_string(count: i64, alphabet: &[u8]) -> Result<String, FuncError> {
    if count > MAX_RANDOM_LEN {
        return Err(too_long());
    }
    let mut rng = rand::thread_rng();
    Ok((0..count.max(0))
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect())
}

fn rand_alpha_num(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let alphabet = [LETTERS, DIGITS].concat();
    Ok(Value::string(random_string(int_arg(args, 0), &alphabet)?))
}

fn rand_alpha(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::string(random_string(int_arg(args, 0), LETTERS)?))
}

fn rand_ascii(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    // Printable ASCII, space through `~`.
    let alphabet: Vec<u8> = (32u8..127).collect();
    Ok(Value::string(random_string(int_arg(args, 0), &alphabet)?))
}

fn rand_numeric(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::string(random_string(int_arg(args, 0), DIGITS)?))
}

fn rand_int(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let (min, max) = (int_arg(args, 0), int_arg(args, 1));
    // `rand.Intn(max-min) + min`, which panics unless max-min > 0 (wrapping as Go's int does).
    let span = max.wrapping_sub(min);
    if span <= 0 {
        return Err(FuncError::call("invalid argument to Intn"));
    }
    Ok(Value::Int(
        rand::thread_rng().gen_range(0..span).wrapping_add(min),
    ))
}

fn rand_bytes(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let count = int_arg(args, 0);
    let len = usize::try_from(count).map_err(|_| too_long())?;
    if count > MAX_RANDOM_LEN {
        return Err(too_long());
    }
    let mut buf = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut buf);
    Ok(Value::string(base64_encode(&buf)))
}

fn shuffle(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let mut chars: Vec<char> = args
        .first()
        .and_then(Value::as_str)
        .unwrap_or("")
        .chars()
        .collect();
    chars.shuffle(&mut rand::thread_rng());
    Ok(Value::string(chars.into_iter().collect()))
}

/// A random (version 4, RFC 4122 variant) UUID in its canonical text form. Sixteen random
/// bytes with six fixed bits need no crate of their own.
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::funcs::encoding::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn uuidv4(_: &mut dyn Runtime, _: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::string(uuid_v4()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotemplate::func::PlainRuntime;

    fn call(f: crate::gotemplate::func::FuncImpl, args: &[Value]) -> Result<Value, FuncError> {
        f(&mut PlainRuntime::default(), args)
    }

    #[test]
    fn strings_have_the_requested_form() {
        let s = call(rand_alpha_num, &[Value::Int(40)]).unwrap();
        let s = s.as_str().unwrap();
        assert_eq!(s.len(), 40);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
        let s = call(rand_numeric, &[Value::Int(12)]).unwrap();
        assert!(s.as_str().unwrap().bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            call(rand_alpha, &[Value::Int(-3)]).unwrap().as_str(),
            Some("")
        );
    }

    #[test]
    fn rand_int_bounds_and_errors() {
        for _ in 0..100 {
            match call(rand_int, &[Value::Int(3), Value::Int(5)]).unwrap() {
                Value::Int(n) => assert!((3..5).contains(&n)),
                other => panic!("not an int: {other:?}"),
            }
        }
        assert_eq!(
            call(rand_int, &[Value::Int(5), Value::Int(5)]).unwrap_err(),
            FuncError::call("invalid argument to Intn")
        );
    }

    #[test]
    fn huge_random_lengths_fail_instead_of_hanging() {
        let huge = Value::Int(1_000_000_000);
        let err = FuncError::call("runtime error: makeslice: len out of range");
        for f in [
            rand_alpha_num,
            rand_alpha,
            rand_ascii,
            rand_numeric,
            rand_bytes,
        ] {
            assert_eq!(call(f, std::slice::from_ref(&huge)).unwrap_err(), err);
        }
        let over = Value::Int(MAX_RANDOM_LEN + 1);
        assert_eq!(call(rand_ascii, &[over]).unwrap_err(), err);
    }

    #[test]
    fn uuid_form() {
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
