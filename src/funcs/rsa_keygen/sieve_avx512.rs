//! The residues of a sieve start (`x mod p` for tens of thousands of small primes `p`), eight
//! primes at a time in the lanes of AVX-512 registers, in double precision.
//!
//! A search computes them once per random start, and the scalar way (a 64-bit Barrett
//! reduction per limb per prime) was about a tenth of a 2048-bit prime's cost. Here the number
//! is read 32 bits at a time, and each step `r = (r * 2^32 + d) mod p` is exact in a double:
//! `r * (2^32 mod p) + d` stays below 2^43 for primes below 2^21 (the deepest sieve), far
//! within the 53 bits of a double's mantissa, and so does every product below. The quotient
//! `floor(t / p)`, taken through the rounded `1 / p`, may be off by one; one correction each
//! way makes the remainder exact.

use core::arch::x86_64::{
    __m512d, _mm512_cmp_pd_mask, _mm512_fmadd_pd, _mm512_fnmadd_pd, _mm512_loadu_pd,
    _mm512_mask_add_pd, _mm512_mask_sub_pd, _mm512_mul_pd, _mm512_roundscale_pd, _mm512_set1_pd,
    _mm512_setzero_pd, _mm512_storeu_pd, _CMP_GE_OQ, _CMP_LT_OQ, _MM_FROUND_NO_EXC,
    _MM_FROUND_TO_NEG_INF,
};

use super::SmallPrime;

/// Primes per register.
const LANES: usize = 8;
/// Registers worked on side by side, so that their chains of dependent steps overlap.
const GROUP: usize = 4;

/// Whether this CPU has the instructions.
pub(super) fn available() -> bool {
    std::is_x86_feature_detected!("avx512f")
}

/// `x mod p` into `out` for the primes of `primes` (each below 2^21) whose count is a multiple
/// of 32, leaving the rest; returns how many it did. Only where [`available`] says so.
pub(super) fn residues<const N: usize>(
    x: &[u64; N],
    primes: &[SmallPrime],
    out: &mut [u32],
) -> usize {
    assert!(available(), "no AVX-512 on this CPU");
    let done = primes.len() / (LANES * GROUP) * (LANES * GROUP);
    // The number's 32-bit digits, most significant first.
    let digits: Vec<f64> = x
        .iter()
        .rev()
        .flat_map(|&limb| [(limb >> 32) as f64, (limb & 0xffff_ffff) as f64])
        .collect();
    for (ps, rs) in primes[..done]
        .chunks_exact(LANES * GROUP)
        .zip(out.chunks_exact_mut(LANES * GROUP))
    {
        // SAFETY: `available` (asserted above) checked the CPU has AVX-512F.
        unsafe { group(&digits, ps, rs) };
    }
    done
}

/// The residues of the number with `digits` for `LANES * GROUP` primes.
#[target_feature(enable = "avx512f")]
unsafe fn group(digits: &[f64], primes: &[SmallPrime], out: &mut [u32]) {
    let lanes = |f: &dyn Fn(&SmallPrime) -> f64| -> [__m512d; GROUP] {
        std::array::from_fn(|g| {
            let v: [f64; LANES] = std::array::from_fn(|k| f(&primes[g * LANES + k]));
            _mm512_loadu_pd(v.as_ptr())
        })
    };
    let p = lanes(&|sp| f64::from(sp.p));
    let inv = lanes(&|sp| 1.0 / f64::from(sp.p));
    let c32 = lanes(&|sp| f64::from(sp.c32));
    let mut r = [_mm512_setzero_pd(); GROUP];
    for &d in digits {
        let d = _mm512_set1_pd(d);
        for g in 0..GROUP {
            // r * 2^32 + d = r * (2^32 mod p) + d (mod p), exactly, below 2^43.
            let t = _mm512_fmadd_pd(r[g], c32[g], d);
            let q = _mm512_roundscale_pd::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(
                _mm512_mul_pd(t, inv[g]),
            );
            let mut v = _mm512_fnmadd_pd(q, p[g], t);
            v = _mm512_mask_add_pd(
                v,
                _mm512_cmp_pd_mask::<_CMP_LT_OQ>(v, _mm512_setzero_pd()),
                v,
                p[g],
            );
            v = _mm512_mask_sub_pd(v, _mm512_cmp_pd_mask::<_CMP_GE_OQ>(v, p[g]), v, p[g]);
            r[g] = v;
        }
    }
    for g in 0..GROUP {
        let mut v = [0.0; LANES];
        _mm512_storeu_pd(v.as_mut_ptr(), r[g]);
        for k in 0..LANES {
            // An exact integer below p < 2^21.
            out[g * LANES + k] = v[k] as u32;
        }
    }
}
