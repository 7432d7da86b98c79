//! The residues of a sieve start (`x mod p` for tens of thousands of small primes `p`), eight
//! primes at a time in the lanes of AVX-512 registers, in double precision.
//!
//! A search computes the residues once per random start, and the scalar way (a 64-bit Barrett
//! reduction per limb per prime) was about a tenth of a 2048-bit prime's cost. Here the number
//! is read 48 bits at a time, and each step `r = (r * 2^48 + d) mod p` is exact in a double:
//! `r * (2^48 mod p) + d` stays below 2^49 for primes below 2^21 (the deepest sieve), within
//! the 53 bits of a double's mantissa. The quotient `floor(t / p)`, taken through the rounded
//! `1 / p`, may be off by one, which leaves `r` in `[-p, 2p)`; that does not grow from step to
//! step, and one correction each way at the end makes the remainder exact.

use core::arch::x86_64::{
    __m512d, _mm512_cmp_pd_mask, _mm512_div_pd, _mm512_fmadd_pd, _mm512_fnmadd_pd, _mm512_loadu_pd,
    _mm512_mask_add_pd, _mm512_mask_sub_pd, _mm512_mul_pd, _mm512_roundscale_pd, _mm512_set1_pd,
    _mm512_setzero_pd, _mm512_storeu_pd, _CMP_GE_OQ, _CMP_LT_OQ, _MM_FROUND_NO_EXC,
    _MM_FROUND_TO_NEG_INF,
};

use super::SmallPrime;

// The exactness argument above holds for primes below 2^21: the deepest table's bound.
const _: () = assert!(super::LARGE_SIEVE_BITS <= 21 && super::SMALL_SIEVE_BITS <= 21);

/// Primes per register.
const LANES: usize = 8;
/// Registers worked on side by side, so that their chains of dependent steps overlap.
const GROUP: usize = 8;

/// Whether this CPU has the instructions.
pub(super) fn available() -> bool {
    std::is_x86_feature_detected!("avx512f")
}

/// `x mod p` into `out` for the primes of `primes` (each below 2^21), as many as make whole
/// groups of `LANES * GROUP`, leaving the rest; returns how many it did. Only where
/// [`available`] says so.
pub(super) fn residues<const N: usize>(
    x: &[u64; N],
    primes: &[SmallPrime],
    out: &mut [u32],
) -> usize {
    assert!(available(), "no AVX-512 on this CPU");
    let done = primes.len() / (LANES * GROUP) * (LANES * GROUP);
    let digits = digits48(x);
    for (ps, rs) in primes[..done]
        .chunks_exact(LANES * GROUP)
        .zip(out.chunks_exact_mut(LANES * GROUP))
    {
        // SAFETY: `available` (asserted above) checked the CPU has AVX-512F.
        unsafe { group(&digits, ps, rs) };
    }
    done
}

/// The 48-bit digits of `x`, most significant first.
fn digits48<const N: usize>(x: &[u64; N]) -> Vec<f64> {
    let count = (64 * N).div_ceil(48);
    (0..count)
        .rev()
        .map(|j| {
            let (limb, shift) = (48 * j / 64, 48 * j % 64);
            let low = x[limb] >> shift;
            let high = match x.get(limb + 1) {
                Some(&next) if shift > 16 => next << (64 - shift),
                _ => 0,
            };
            // Below 2^48: exact.
            #[allow(clippy::cast_precision_loss)]
            let digit = ((low | high) & ((1 << 48) - 1)) as f64;
            digit
        })
        .collect()
}

/// The residues of the number with `digits` (48-bit, most significant first) for
/// `LANES * GROUP` primes.
#[target_feature(enable = "avx512f")]
unsafe fn group(digits: &[f64], primes: &[SmallPrime], out: &mut [u32]) {
    let zero = _mm512_setzero_pd();
    let lanes = |f: &dyn Fn(&SmallPrime) -> f64| -> [__m512d; GROUP] {
        std::array::from_fn(|g| {
            let v: [f64; LANES] = std::array::from_fn(|k| f(&primes[g * LANES + k]));
            _mm512_loadu_pd(v.as_ptr())
        })
    };
    let p = lanes(&|sp| f64::from(sp.p));
    let inv: [__m512d; GROUP] = std::array::from_fn(|g| _mm512_div_pd(_mm512_set1_pd(1.0), p[g]));
    // 2^48 mod p = (2^32 mod p) * 2^16 mod p, below 2^37 before the reduction.
    let c48: [__m512d; GROUP] = {
        let c32 = lanes(&|sp| f64::from(sp.c32));
        std::array::from_fn(|g| {
            reduced(_mm512_mul_pd(c32[g], _mm512_set1_pd(65536.0)), p[g], inv[g])
        })
    };
    // Each step leaves r in [-p, 2p): the quotient through the rounded 1/p may be off by one.
    // |r| * c48 + d stays below 2^22 * 2^21 + 2^48 < 2^49, exact, so the error does not
    // grow; the remainder is corrected once, at the end.
    let mut r = [zero; GROUP];
    for &d in digits {
        let d = _mm512_set1_pd(d);
        for g in 0..GROUP {
            r[g] = nearly_reduced(_mm512_fmadd_pd(r[g], c48[g], d), p[g], inv[g]);
        }
    }
    for g in 0..GROUP {
        let mut v = [0.0; LANES];
        _mm512_storeu_pd(v.as_mut_ptr(), corrected(r[g], p[g]));
        for k in 0..LANES {
            // An exact integer below p < 2^21.
            out[g * LANES + k] = v[k] as u32;
        }
    }
}

/// `t mod p` for `t` in [0, 2^49), exactly.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn reduced(t: __m512d, p: __m512d, inv: __m512d) -> __m512d {
    corrected(nearly_reduced(t, p, inv), p)
}

/// `t` less `floor(t / p) * p` for `|t|` below 2^49, with the quotient taken through `inv`
/// (the rounded `1 / p`), off by one at most: a value in `[-p, 2p)` congruent to `t`.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn nearly_reduced(t: __m512d, p: __m512d, inv: __m512d) -> __m512d {
    let q = _mm512_roundscale_pd::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(_mm512_mul_pd(
        t, inv,
    ));
    _mm512_fnmadd_pd(q, p, t)
}

/// `r` in [-p, 2p) brought into [0, p).
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn corrected(r: __m512d, p: __m512d) -> __m512d {
    let r = _mm512_mask_add_pd(
        r,
        _mm512_cmp_pd_mask::<_CMP_LT_OQ>(r, _mm512_setzero_pd()),
        r,
        p,
    );
    _mm512_mask_sub_pd(r, _mm512_cmp_pd_mask::<_CMP_GE_OQ>(r, p), r, p)
}
