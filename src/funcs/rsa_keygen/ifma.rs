//! Eight Fermat tests to base 2 at once, one candidate per 64-bit lane of AVX-512 registers, on
//! CPUs with the IFMA instructions (`vpmadd52luq`/`vpmadd52huq`: the low or high 52 bits of a
//! 52x52-bit product, added to a 64-bit accumulator).
//!
//! The base-2 test of the sieve's survivors is nearly all of a prime search's cost, and the
//! survivors' tests are independent, so eight run side by side: numbers are held in 52-bit
//! limbs, limb `j` of the eight candidates in one register, and one instruction makes a limb
//! product for all eight. The accumulators are 64 bits wide, so the 52-bit halves of a whole
//! Montgomery multiplication's products add up without carrying between limbs: carries are
//! propagated once, at the end. Multiplications are "almost Montgomery" (as in Gueron and
//! Krasnov's AVX-512 exponentiation): a result is below twice the modulus rather than below it,
//! which the next multiplication accepts, as the radix leaves at least five bits of room above
//! the modulus. Squarings, nearly all of the work, make each cross product once ([`asq`]). Only the last multiplication, by 1 to leave Montgomery form, gives the reduced
//! value the test compares.
//!
//! A Fermat test to base 2 rather than a Miller-Rabin round: it is a filter (a candidate that
//! passes still goes through the random-base Miller-Rabin rounds), and it runs the same
//! squarings for every lane whatever its exponent's trailing zeros.
//!
//! The random-base rounds of a candidate that passes run one base per lane, on 512-bit
//! registers or on 256-bit ones (four lanes at twice the rate), whichever fits the number of
//! rounds asked for: the arithmetic is written once, over [`Lanes`].

use core::arch::x86_64::{
    __m256i, __m512i, __mmask8, _mm256_add_epi64, _mm256_and_si256, _mm256_cmpeq_epi64_mask,
    _mm256_loadu_si256, _mm256_madd52hi_epu64, _mm256_madd52lo_epu64, _mm256_mask_blend_epi64,
    _mm256_mask_slli_epi64, _mm256_set1_epi64x, _mm256_setzero_si256, _mm256_slli_epi64,
    _mm256_srli_epi64, _mm256_sub_epi64, _mm256_test_epi64_mask, _mm512_add_epi64,
    _mm512_and_si512, _mm512_cmpeq_epi64_mask, _mm512_loadu_si512, _mm512_madd52hi_epu64,
    _mm512_madd52lo_epu64, _mm512_mask_blend_epi64, _mm512_mask_slli_epi64, _mm512_set1_epi64,
    _mm512_setzero_si512, _mm512_slli_epi64, _mm512_srli_epi64, _mm512_sub_epi64,
    _mm512_test_epi64_mask,
};

use std::mem::MaybeUninit;

use rand::rngs::OsRng;

use super::{double_mod, neg_inverse, random_base, shr, sub_in_place, trailing_zeros};

/// Candidates tested at once: the 64-bit lanes of a 512-bit register.
pub(super) const LANES: usize = 8;

const MASK52: u64 = (1 << 52) - 1;

/// Whether this CPU runs the batch test (every CPU with IFMA also has the 256-bit forms, VL).
pub(super) fn available() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512ifma")
        && std::is_x86_feature_detected!("avx512vl")
}

/// Whether [`fermat_base2`] takes candidates of `N` limbs (on a CPU that has the instructions):
/// the two prime sizes of the keys Helm's functions make, 2048 and 4096 bits.
pub(super) fn supports(n: usize) -> bool {
    matches!(n, 16 | 32) && available()
}

/// For eight odd `N`-limb candidates with their top bit set, whether `2^(n-1) = 1 (mod n)`:
/// bit `i` of the result for candidate `i`. Only for sizes [`supports`] accepts.
pub(super) fn fermat_base2<const N: usize>(candidates: &[[u64; N]; LANES]) -> u8 {
    assert!(supports(N), "no batch test for {N} limbs on this CPU");
    match N {
        16 => lanes::<N, 20>(candidates),
        _ => lanes::<N, 40>(candidates),
    }
}

/// Miller-Rabin for one odd `N`-limb candidate with its top bit set, to random bases side by
/// side (one per lane): whether it passes them all. FIPS 186-5 (table B.1) asks for five rounds
/// for 1024-bit primes and four for 2048-bit ones: a 1024-bit candidate takes eight on 512-bit
/// registers (as cheap as five), a 2048-bit one four on 256-bit registers, whose IFMA
/// instructions run at twice the rate, so the four cost half of eight. Only for sizes
/// [`supports`] accepts.
pub(super) fn miller_rabin<const N: usize>(n: &[u64; N], rng: &mut OsRng) -> bool {
    if N >= 24 {
        miller_rabin_on::<N, __m256i>(n, rng)
    } else {
        miller_rabin_on::<N, __m512i>(n, rng)
    }
}

/// [`miller_rabin`] on registers of `V::COUNT` lanes.
fn miller_rabin_on<const N: usize, V: Lanes>(n: &[u64; N], rng: &mut OsRng) -> bool {
    let mut bases = [[0u64; N]; LANES];
    for base in &mut bases[..V::COUNT] {
        *base = random_base::<N>(rng);
    }
    miller_rabin_bases::<N, V>(n, &bases[..V::COUNT]) == V::ALL
}

/// Miller-Rabin rounds for `n` to the given bases (each in [1, n - 1], `V::COUNT` of them), one
/// per lane: bit `i` of the result when `bases[i]` is not a witness of `n`'s compositeness.
fn miller_rabin_bases<const N: usize, V: Lanes>(n: &[u64; N], bases: &[[u64; N]]) -> u8 {
    assert!(supports(N), "no batch test for {N} limbs on this CPU");
    assert_eq!(bases.len(), V::COUNT, "one base per lane");
    match N {
        16 => miller_rabin_lanes::<N, 20, V>(n, bases),
        _ => miller_rabin_lanes::<N, 40, V>(n, bases),
    }
}

/// [`miller_rabin_bases`] with `L` limbs of 52 bits: the constants and the exponent.
fn miller_rabin_lanes<const N: usize, const L: usize, V: Lanes>(
    n: &[u64; N],
    bases: &[[u64; N]],
) -> u8 {
    assert!(
        52 * L >= 64 * N + 5,
        "{L} limbs of 52 bits are too few for {N} of 64"
    );
    let r = r_mod::<N, L>(n);
    let mut r2 = r;
    for _ in 0..52 * L {
        r2 = double_mod(&r2, n);
    }
    let mut minus_one = *n;
    sub_in_place(&mut minus_one, &r);
    // n - 1 = d * 2^s with d odd.
    let mut n_minus_1 = *n;
    n_minus_1[0] &= !1;
    let s = trailing_zeros(&n_minus_1);
    let d = shr(&n_minus_1, s);
    let mut lanes = [[0u64; LANES]; L];
    for (lane, base) in bases.iter().enumerate() {
        for (limbs, &limb) in lanes.iter_mut().zip(&radix52::<N, L>(base)) {
            limbs[lane] = limb;
        }
    }
    let modulus = Modulus {
        n: radix52::<N, L>(n),
        n_inv: neg_inverse(n[0]) & MASK52,
        one: radix52::<N, L>(&r),
        minus_one: radix52::<N, L>(&minus_one),
        r2: radix52::<N, L>(&r2),
    };
    // SAFETY: `supports` (asserted by the caller) checked the CPU has the features.
    unsafe { miller_rabin_kernel::<L, V>(&modulus, &lanes, &d, s) }
}

/// One modulus in 52-bit limbs with what Montgomery arithmetic modulo it needs.
struct Modulus<const L: usize> {
    n: [u64; L],
    /// -n^-1 mod 2^52.
    n_inv: u64,
    /// R mod n: 1 in Montgomery form.
    one: [u64; L],
    /// n - (R mod n): -1 in Montgomery form.
    minus_one: [u64; L],
    /// R^2 mod n, to enter Montgomery form.
    r2: [u64; L],
}

/// The rounds of [`miller_rabin_bases`], modulo the same `n` in every lane: `base^d` by a
/// fixed 4-bit window (the window's digits are the same in every lane, the table of powers is
/// each lane's own), then up to `s - 1` squarings. A lane passes on 1 or -1 at first, or on -1
/// before 1.
#[target_feature(enable = "avx512f,avx512ifma,avx512vl")]
unsafe fn miller_rabin_kernel<const L: usize, V: Lanes>(
    modulus: &Modulus<L>,
    bases: &[[u64; LANES]; L],
    d: &[u64],
    s: u32,
) -> u8 {
    let zero = V::zero();
    let m = broadcast::<L, V>(&modulus.n);
    let m_inv = V::splat(modulus.n_inv);
    let one = broadcast::<L, V>(&modulus.one);
    let minus_one = broadcast::<L, V>(&modulus.minus_one);
    let mut b = [zero; L];
    for j in 0..L {
        b[j] = V::load(&bases[j]);
    }
    let mut table = [[zero; L]; 16];
    table[0] = one;
    table[1] = amm(&b, &broadcast(&modulus.r2), &m, m_inv, 0);
    for i in 2..16 {
        table[i] = amm(&table[i - 1], &table[1], &m, m_inv, 0);
    }
    let mp = padded(&m);
    let mut x = padded(&one);
    let mut started = false;
    for &limb in d.iter().rev() {
        for nibble in (0..16).rev() {
            let w = ((limb >> (nibble * 4)) & 0xf) as usize;
            if started {
                for _ in 0..4 {
                    asq::<L, V>(&mut x, &mp, m_inv, 0);
                }
                if w != 0 {
                    x = padded(&amm(&unpadded(&x), &table[w], &m, m_inv, 0));
                }
            } else if w != 0 {
                x = padded(&table[w]);
                started = true;
            }
        }
    }
    let mut x = reduce(&unpadded::<L, V>(&x), &m);
    let mut passed = equal(&x, &one) | equal(&x, &minus_one);
    // Lanes that reached 1 without passing -1: their base is a witness.
    let mut failed = 0;
    for _ in 1..s {
        if passed | failed == V::ALL {
            break;
        }
        let mut square = padded(&x);
        asq::<L, V>(&mut square, &mp, m_inv, 0);
        x = reduce(&unpadded(&square), &m);
        passed |= equal(&x, &minus_one) & !failed;
        failed |= equal(&x, &one) & !passed;
    }
    passed
}

/// The same limbs in every lane.
#[inline]
#[target_feature(enable = "avx512f,avx512vl")]
unsafe fn broadcast<const L: usize, V: Lanes>(x: &[u64; L]) -> [V; L] {
    let mut out = [V::zero(); L];
    for (v, &limb) in out.iter_mut().zip(x) {
        *v = V::splat(limb);
    }
    out
}

/// The lanes where `a` and `b` have the same limbs.
#[inline]
#[target_feature(enable = "avx512f,avx512vl")]
unsafe fn equal<const L: usize, V: Lanes>(a: &[V; L], b: &[V; L]) -> __mmask8 {
    let mut same = V::ALL;
    for (&x, &y) in a.iter().zip(b) {
        same &= V::eq(x, y);
    }
    same
}

/// `x mod m` for normalised `x` below `2m`: `x - m` where that does not borrow.
#[inline]
#[target_feature(enable = "avx512f,avx512vl")]
unsafe fn reduce<const L: usize, V: Lanes>(x: &[V; L], m: &[V; L]) -> [V; L] {
    let mask = V::splat(MASK52);
    let zero = V::zero();
    let mut borrow = zero;
    let mut diff = [zero; L];
    for j in 0..L {
        // Limbs are below 2^52, so a borrow shows as the sign bit.
        let v = V::sub(V::sub(x[j], m[j]), borrow);
        borrow = V::shr63(v);
        diff[j] = V::and(v, mask);
    }
    let no_borrow = V::eq(borrow, zero);
    let mut out = diff;
    for j in 0..L {
        out[j] = V::blend(no_borrow, x[j], diff[j]);
    }
    out
}

/// The candidates laid out limb by limb for the kernel, with their Montgomery constants for
/// `L` 52-bit limbs (R = 2^(52L), at least 2^(64N + 5)).
fn lanes<const N: usize, const L: usize>(candidates: &[[u64; N]; LANES]) -> u8 {
    assert!(
        52 * L >= 64 * N + 5,
        "{L} limbs of 52 bits are too few for {N} of 64"
    );
    let mut m = [[0u64; LANES]; L];
    let mut one = [[0u64; LANES]; L];
    let mut words = [[0u64; LANES]; N];
    let mut m_inv = [0u64; LANES];
    for (lane, n) in candidates.iter().enumerate() {
        let (n52, r52) = (radix52::<N, L>(n), radix52::<N, L>(&r_mod::<N, L>(n)));
        for j in 0..L {
            m[j][lane] = n52[j];
            one[j][lane] = r52[j];
        }
        for (w, &word) in n.iter().enumerate() {
            words[w][lane] = word;
        }
        m_inv[lane] = neg_inverse(n[0]) & MASK52;
    }
    // SAFETY: `supports` (asserted by the caller) checked the CPU has the features.
    unsafe { fermat_kernel::<L>(&m, &m_inv, &one, &words) }
}

/// R mod n for R = 2^(52L): 2^(64N - 1) is below n (whose top bit is set), then doublings.
fn r_mod<const N: usize, const L: usize>(n: &[u64; N]) -> [u64; N] {
    let mut r = [0u64; N];
    r[N - 1] = 1 << 63;
    for _ in 64 * N - 1..52 * L {
        r = double_mod(&r, n);
    }
    r
}

/// `x` in `L` limbs of 52 bits.
fn radix52<const N: usize, const L: usize>(x: &[u64; N]) -> [u64; L] {
    let mut out = [0u64; L];
    for (j, limb) in out.iter_mut().enumerate() {
        let bit = 52 * j;
        let (w, s) = (bit / 64, bit % 64);
        if w >= N {
            break;
        }
        let mut v = x[w] >> s;
        if s > 12 && w + 1 < N {
            v |= x[w + 1] << (64 - s);
        }
        *limb = v & MASK52;
    }
    out
}

/// `2^(n-1)` for each lane's modulus, by squarings from the top bit of `n - 1` down, each
/// followed by a doubling in the lanes whose exponent has that bit; then out of Montgomery
/// form. `words` are the moduli's 64-bit limbs (for their bits), `one` is R mod n.
#[target_feature(enable = "avx512f,avx512ifma,avx512vl")]
unsafe fn fermat_kernel<const L: usize>(
    m: &[[u64; LANES]; L],
    m_inv: &[u64; LANES],
    one: &[[u64; LANES]; L],
    words: &[[u64; LANES]],
) -> u8 {
    type V = __m512i;
    let zero = V::zero();
    let mut mv = [zero; L];
    let mut x = [zero; MAX_LIMBS + 2];
    for j in 0..L {
        mv[j] = V::load(&m[j]);
        x[j] = V::load(&one[j]);
    }
    let mp = padded(&mv);
    let minv = V::load(m_inv);
    // n - 1 has n's bits but the lowest (n is odd).
    for bit in (1..64 * words.len()).rev() {
        let word = V::load(&words[bit / 64]);
        let set = V::test(word, V::splat(1u64 << (bit % 64)));
        asq::<L, V>(&mut x, &mp, minv, set);
    }
    asq::<L, V>(&mut x, &mp, minv, 0);
    let mut unit = [zero; L];
    unit[0] = V::splat(1);
    let y = amm(&unpadded(&x), &unit, &mv, minv, 0);
    let mut pass = V::eq(y[0], unit[0]);
    for limb in &y[1..] {
        pass &= V::eq(*limb, zero);
    }
    pass
}

/// A register of 64-bit lanes and the operations the kernels make on it: a whole 512-bit
/// register (eight lanes) or, with AVX-512VL, a 256-bit one (four lanes), whose IFMA
/// instructions run at twice the rate (on two ports rather than one, or at full width rather
/// than in halves), so each costs about half. Masks have a bit per lane either way.
trait Lanes: Copy {
    /// How many 64-bit lanes.
    const COUNT: usize;
    /// The mask of all lanes.
    const ALL: __mmask8 = ((1u16 << Self::COUNT) - 1) as __mmask8;
    unsafe fn zero() -> Self;
    unsafe fn splat(x: u64) -> Self;
    /// The first [`Self::COUNT`] values of `x`.
    unsafe fn load(x: &[u64; LANES]) -> Self;
    /// `acc` plus the low 52 bits of the 104-bit product of the low 52 bits of `a` and `b`.
    unsafe fn madd52lo(acc: Self, a: Self, b: Self) -> Self;
    /// `acc` plus the high 52 bits of that product.
    unsafe fn madd52hi(acc: Self, a: Self, b: Self) -> Self;
    unsafe fn add(a: Self, b: Self) -> Self;
    unsafe fn sub(a: Self, b: Self) -> Self;
    unsafe fn and(a: Self, b: Self) -> Self;
    /// Each lane shifted left by one bit.
    unsafe fn shl1(a: Self) -> Self;
    /// `a << 1` in the lanes of `k`, `a` in the others.
    unsafe fn mask_shl1(k: __mmask8, a: Self) -> Self;
    /// Each lane shifted right by 52 bits: a limb's carry.
    unsafe fn shr52(a: Self) -> Self;
    /// Each lane's top bit: a subtraction's borrow.
    unsafe fn shr63(a: Self) -> Self;
    /// The lanes where `a & b` is not zero.
    unsafe fn test(a: Self, b: Self) -> __mmask8;
    /// The lanes where `a` and `b` are equal.
    unsafe fn eq(a: Self, b: Self) -> __mmask8;
    /// `b` in the lanes of `k`, `a` in the others.
    unsafe fn blend(k: __mmask8, a: Self, b: Self) -> Self;
}

impl Lanes for __m512i {
    const COUNT: usize = 8;
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn zero() -> Self {
        _mm512_setzero_si512()
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn splat(x: u64) -> Self {
        _mm512_set1_epi64(x as i64)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load(x: &[u64; LANES]) -> Self {
        _mm512_loadu_si512(x.as_ptr().cast())
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn madd52lo(acc: Self, a: Self, b: Self) -> Self {
        _mm512_madd52lo_epu64(acc, a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn madd52hi(acc: Self, a: Self, b: Self) -> Self {
        _mm512_madd52hi_epu64(acc, a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn add(a: Self, b: Self) -> Self {
        _mm512_add_epi64(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn sub(a: Self, b: Self) -> Self {
        _mm512_sub_epi64(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn and(a: Self, b: Self) -> Self {
        _mm512_and_si512(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn shl1(a: Self) -> Self {
        _mm512_slli_epi64::<1>(a)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn mask_shl1(k: __mmask8, a: Self) -> Self {
        _mm512_mask_slli_epi64::<1>(a, k, a)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn shr52(a: Self) -> Self {
        _mm512_srli_epi64::<52>(a)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn shr63(a: Self) -> Self {
        _mm512_srli_epi64::<63>(a)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn test(a: Self, b: Self) -> __mmask8 {
        _mm512_test_epi64_mask(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn eq(a: Self, b: Self) -> __mmask8 {
        _mm512_cmpeq_epi64_mask(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn blend(k: __mmask8, a: Self, b: Self) -> Self {
        _mm512_mask_blend_epi64(k, a, b)
    }
}

impl Lanes for __m256i {
    const COUNT: usize = 4;
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn zero() -> Self {
        _mm256_setzero_si256()
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn splat(x: u64) -> Self {
        _mm256_set1_epi64x(x as i64)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn load(x: &[u64; LANES]) -> Self {
        _mm256_loadu_si256(x.as_ptr().cast())
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma,avx512vl")]
    unsafe fn madd52lo(acc: Self, a: Self, b: Self) -> Self {
        _mm256_madd52lo_epu64(acc, a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma,avx512vl")]
    unsafe fn madd52hi(acc: Self, a: Self, b: Self) -> Self {
        _mm256_madd52hi_epu64(acc, a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn add(a: Self, b: Self) -> Self {
        _mm256_add_epi64(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn sub(a: Self, b: Self) -> Self {
        _mm256_sub_epi64(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn and(a: Self, b: Self) -> Self {
        _mm256_and_si256(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn shl1(a: Self) -> Self {
        _mm256_slli_epi64::<1>(a)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn mask_shl1(k: __mmask8, a: Self) -> Self {
        _mm256_mask_slli_epi64::<1>(a, k, a)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn shr52(a: Self) -> Self {
        _mm256_srli_epi64::<52>(a)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn shr63(a: Self) -> Self {
        _mm256_srli_epi64::<63>(a)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn test(a: Self, b: Self) -> __mmask8 {
        _mm256_test_epi64_mask(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn eq(a: Self, b: Self) -> __mmask8 {
        _mm256_cmpeq_epi64_mask(a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl")]
    unsafe fn blend(k: __mmask8, a: Self, b: Self) -> Self {
        _mm256_mask_blend_epi64(k, a, b)
    }
}

/// `a * b / R (mod m)` in each lane, below `2m` (for `a * b` below `16 m^2`), in normalised
/// 52-bit limbs, then doubled in the lanes of `double`. Operand scanning: for each limb `a[i]`,
/// add `a[i] * b` and `q * m` (with `q` clearing the lowest limb) and drop the lowest limb,
/// carrying its high bits; each accumulator takes at most four 52-bit values per step for `L`
/// steps, far below 2^64.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma,avx512vl")]
unsafe fn amm<const L: usize, V: Lanes>(
    a: &[V; L],
    b: &[V; L],
    m: &[V; L],
    m_inv: V,
    double: __mmask8,
) -> [V; L] {
    let zero = V::zero();
    let mut t = [zero; L];
    for &ai in a {
        let t0 = V::madd52lo(t[0], ai, b[0]);
        let q = V::madd52lo(zero, t0, m_inv);
        let carry = V::shr52(V::madd52lo(t0, q, m[0]));
        // The products that do not need q first, so they overlap its computation.
        for j in 1..L {
            let mut v = V::madd52lo(t[j], ai, b[j]);
            v = V::madd52hi(v, ai, b[j - 1]);
            v = V::madd52lo(v, q, m[j]);
            t[j - 1] = V::madd52hi(v, q, m[j - 1]);
        }
        t[L - 1] = V::madd52hi(V::madd52hi(zero, ai, b[L - 1]), q, m[L - 1]);
        t[0] = V::add(t[0], carry);
    }
    let mask = V::splat(MASK52);
    let mut carry = zero;
    for limb in &mut t {
        let v = V::add(V::mask_shl1(double, *limb), carry);
        carry = V::shr52(v);
        *limb = V::and(v, mask);
    }
    t
}

/// The most limbs [`asq`] squares (its double-width accumulator is sized for them).
const MAX_LIMBS: usize = 40;

/// A number of up to [`MAX_LIMBS`] limbs for [`asq`], with two zero limbs or more above it for
/// the products past the top of a row.
type Padded<V> = [V; MAX_LIMBS + 2];

/// `x` with zero limbs above.
#[inline]
#[target_feature(enable = "avx512f,avx512vl")]
unsafe fn padded<const L: usize, V: Lanes>(x: &[V; L]) -> Padded<V> {
    let mut out = [V::zero(); MAX_LIMBS + 2];
    out[..L].copy_from_slice(x);
    out
}

/// The low `L` limbs of `x`.
#[inline]
fn unpadded<const L: usize, V: Lanes>(x: &Padded<V>) -> [V; L] {
    std::array::from_fn(|j| x[j])
}

/// `a * a / R (mod m)` in each lane, below `2m` (for `a` below `4m`), in normalised 52-bit
/// limbs, then doubled in the lanes of `double`: [`amm`] for a square, with each cross product
/// `a[i] * a[k]` (`i < k`) made once, which saves a quarter of the multiplications. The cross
/// products go into a double-width accumulator, which is then doubled as the squares
/// `a[i] * a[i]` are added (doubling `a[i]` instead would overflow the multiplier's 52 bits);
/// then `L` reduction rows clear its low half. Rows go two at a time, so each accumulator limb
/// is loaded and stored once per four products, and each row's operand limbs pass through
/// registers, loaded once. An accumulator limb sums about 4L values below 2^52 (the cross
/// products counted twice), far below 2^64.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma,avx512vl")]
unsafe fn asq<const L: usize, V: Lanes>(
    a: &mut Padded<V>,
    mp: &Padded<V>,
    m_inv: V,
    double: __mmask8,
) {
    const { assert!(L >= 2 && L <= MAX_LIMBS && L.is_multiple_of(2)) };
    let zero = V::zero();
    let mask = V::splat(MASK52);
    let ap = &*a;
    let lo = |acc, x, y| V::madd52lo(acc, x, y);
    let hi = |acc, x, y| V::madd52hi(acc, x, y);
    // Only the 2L limbs used are cleared (a whole `[zero; 2 * MAX_LIMBS]` would clear twice
    // as many for the smaller size).
    let mut wide = [MaybeUninit::<V>::uninit(); 2 * MAX_LIMBS];
    for limb in &mut wide[..2 * L] {
        limb.write(zero);
    }
    // SAFETY: the first 2L limbs were just written.
    let s = std::slice::from_raw_parts_mut(wide.as_mut_ptr().cast::<V>(), 2 * L);
    // The row pairs from the last (shortest) to the first: the phase then ends with the
    // longest, whose low limbs the first reduction rows need, so the reduction can start
    // while it finishes (`batch 32` of the keygen benchmark 3-4% faster than first to last).
    for i in (0..L).step_by(2).rev() {
        // Rows i and i + 1: the cross products a[i] * a[k] for k > i and a[i + 1] * a[k] for
        // k > i + 1, once each (doubled below).
        let (a0, a1) = (ap[i], ap[i + 1]);
        s[2 * i + 1] = lo(s[2 * i + 1], a0, a1);
        s[2 * i + 2] = lo(hi(s[2 * i + 2], a0, a1), a0, ap[i + 2]);
        s[2 * i + 3] = lo(
            lo(hi(s[2 * i + 3], a0, ap[i + 2]), a0, ap[i + 3]),
            a1,
            ap[i + 2],
        );
        // Limb i + k + 1, for k from i + 3 to L: a[i] a[k] (high half), a[i] a[k + 1] (low),
        // a[i + 1] a[k - 1] (high), a[i + 1] a[k] (low).
        let (mut below, mut here) = (ap[i + 2], ap[i + 3]);
        for (x, &above) in s[2 * i + 4..i + L + 2].iter_mut().zip(&ap[i + 4..]) {
            *x = lo(hi(lo(hi(*x, a0, here), a0, above), a1, below), a1, here);
            (below, here) = (here, above);
        }
    }
    // The cross products doubled, and the squares a[i] * a[i] added.
    for (pair, &x) in s.chunks_exact_mut(2).zip(&ap[..L]) {
        pair[0] = lo(V::shl1(pair[0]), x, x);
        pair[1] = hi(V::shl1(pair[1]), x, x);
    }
    for i in (0..L).step_by(2) {
        // Reduction rows i and i + 1: q0 clears limb i, then q1 limb i + 1.
        let q0 = lo(zero, s[i], m_inv);
        let c0 = V::shr52(lo(s[i], q0, mp[0]));
        let t1 = V::add(hi(lo(s[i + 1], q0, mp[1]), q0, mp[0]), c0);
        let q1 = lo(zero, t1, m_inv);
        let c1 = V::shr52(lo(t1, q1, mp[0]));
        s[i + 2] = V::add(s[i + 2], c1);
        // Limb i + 2 + j: q0 m[j + 2] (low half), q0 m[j + 1] (high), q1 m[j + 1] (low),
        // q1 m[j] (high).
        let (mut below, mut here) = (mp[0], mp[1]);
        for (x, &above) in s[i + 2..i + L + 2].iter_mut().zip(&mp[2..]) {
            *x = hi(lo(hi(lo(*x, q0, above), q0, here), q1, here), q1, below);
            (below, here) = (here, above);
        }
    }
    let mut carry = zero;
    for (limb, &x) in a[..L].iter_mut().zip(&s[L..]) {
        let v = V::add(V::mask_shl1(double, x), carry);
        carry = V::shr52(v);
        *limb = V::and(v, mask);
    }
}

#[cfg(test)]
mod tests {
    use num_bigint_dig::{RandBigInt, RandPrime};
    use rand::RngCore;
    use rsa::BigUint;

    use super::super::{from_biguint, to_biguint};
    use super::*;

    /// Odd `N`-limb numbers with their top two bits set, as the search makes: a prime, a
    /// product of two primes of half the size, and random numbers (nearly all composite).
    fn candidates<const N: usize>(rng: &mut OsRng) -> [[u64; N]; LANES] {
        let bits = 64 * N;
        let top_two = |x: &BigUint| x.bits() == bits && (x >> (bits - 2)) == BigUint::from(3u8);
        let prime = loop {
            let p: BigUint = rng.gen_prime(bits);
            if top_two(&p) {
                break p;
            }
        };
        let product = loop {
            let p: BigUint = rng.gen_prime(bits / 2);
            let q: BigUint = rng.gen_prime(bits / 2);
            let n = p * q;
            if top_two(&n) {
                break n;
            }
        };
        let mut out = [[0u64; N]; LANES];
        out[0] = from_biguint(&prime).unwrap();
        out[1] = from_biguint(&product).unwrap();
        for c in &mut out[2..] {
            for limb in c.iter_mut() {
                *limb = rng.next_u64();
            }
            c[N - 1] |= 0b11 << 62;
            c[0] |= 1;
        }
        out
    }

    fn fermat_matches_big_integers<const N: usize>() {
        let mut rng = OsRng;
        for _ in 0..3 {
            let batch = candidates::<N>(&mut rng);
            let got = fermat_base2(&batch);
            for (lane, c) in batch.iter().enumerate() {
                let n = to_biguint(c);
                let want = BigUint::from(2u8).modpow(&(&n - 1u8), &n) == BigUint::from(1u8);
                assert_eq!((got >> lane) & 1 == 1, want, "lane {lane} of {N} limbs");
            }
            assert_eq!(
                got & 0b11,
                0b01,
                "the prime passes, the product of two does not"
            );
        }
    }

    #[test]
    fn fermat_batches_match_big_integers() {
        if !available() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA");
            return;
        }
        fermat_matches_big_integers::<16>();
        fermat_matches_big_integers::<32>();
    }

    fn miller_rabin_tells_primes_from_composites<const N: usize>() {
        let mut rng = OsRng;
        let batch = candidates::<N>(&mut rng);
        assert!(miller_rabin(&batch[0], &mut rng), "a prime of {N} limbs");
        assert!(
            !miller_rabin(&batch[1], &mut rng),
            "a product of two primes"
        );
        for c in &batch[2..] {
            let want = num_bigint_dig::prime::probably_prime(&to_biguint(c), 20);
            assert_eq!(miller_rabin(c, &mut rng), want);
        }
        // n - 1 = d * 2^s with s at least 38: the squarings after the exponentiation decide.
        let p = loop {
            let q = rng.gen_biguint(64 * N - 38) | (BigUint::from(1u8) << (64 * N - 39));
            let p = (q << 38usize) + 1u8;
            if num_bigint_dig::prime::probably_prime(&p, 20) {
                break p;
            }
        };
        assert!(miller_rabin(&from_biguint::<N>(&p).unwrap(), &mut rng));
    }

    /// 1 and n - 1 are never witnesses; random bases nearly always are, for a composite.
    fn miller_rabin_lanes_decide_apart<const N: usize, V: Lanes>() {
        let mut rng = OsRng;
        let batch = candidates::<N>(&mut rng);
        for (n, want) in [(&batch[0], V::ALL), (&batch[1], 0b11)] {
            let mut bases: Vec<[u64; N]> = (0..V::COUNT).map(|_| random_base(&mut rng)).collect();
            bases[0] = [0; N];
            bases[0][0] = 1;
            bases[1] = *n;
            bases[1][0] -= 1;
            assert_eq!(
                miller_rabin_bases::<N, V>(n, &bases),
                want,
                "{N} limbs, {} lanes",
                V::COUNT
            );
        }
    }

    /// The lanes of `v`, then zeros.
    fn lanes_of<V: Lanes>(v: V) -> [u64; LANES] {
        let mut out = [0u64; LANES];
        // SAFETY: `V` is `V::COUNT` lanes of 64 bits, at most `LANES`.
        unsafe {
            std::ptr::copy_nonoverlapping(
                (&v as *const V).cast::<u64>(),
                out.as_mut_ptr(),
                V::COUNT,
            )
        };
        out
    }

    /// `a * a / R mod n` for one `n` and a value below `4n` (the most a square takes) in each
    /// lane, by [`asq`] (then doubled in the lanes of `double`) and by big integers.
    fn square_matches_big_integers<const N: usize, const L: usize, V: Lanes>(n: &[u64; N]) {
        let mut rng = OsRng;
        let big_n = to_biguint(n);
        let r = BigUint::from(1u8) << (52 * L);
        let double = 0b1010_0101 & V::ALL;
        let mut x = [[0u64; LANES]; L];
        let mut want = Vec::new();
        for lane in 0..V::COUNT {
            // Random limbs (many with the 52nd bit set, which doubling carries out of), below
            // n, plus 0 to 3 times n.
            let v =
                (to_biguint(&random_base::<N>(&mut rng)) + &big_n * (lane % 4)) % (&big_n * 4u8);
            for (j, limbs) in x.iter_mut().enumerate() {
                let limb = (&v >> (52 * j)) & BigUint::from(MASK52);
                limbs[lane] = from_biguint::<1>(&limb).expect("52 bits fit a limb")[0];
            }
            // a * a * (1 or 2) = result * R (mod n).
            want.push((&v * &v * (1u8 + (double >> lane & 1))) % &big_n);
        }
        // SAFETY: the caller checked the CPU has AVX-512 IFMA.
        let got = unsafe {
            let m = broadcast::<L, V>(&radix52::<N, L>(n));
            let m_inv = V::splat(neg_inverse(n[0]) & MASK52);
            let mut a = [V::zero(); MAX_LIMBS + 2];
            for j in 0..L {
                a[j] = V::load(&x[j]);
            }
            asq::<L, V>(&mut a, &padded(&m), m_inv, double);
            a.map(lanes_of)
        };
        for (lane, want) in want.iter().enumerate() {
            let mut value = BigUint::default();
            for limb in got.iter().rev() {
                value = (value << 52) + limb[lane];
            }
            // Below 4n (2n doubled), and the same residue.
            assert!(value < &big_n * 4u8, "lane {lane} not almost reduced");
            assert_eq!(&((value * &r) % &big_n), want, "lane {lane}");
        }
    }

    #[test]
    fn squares_match_big_integers() {
        if !available() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA");
            return;
        }
        let mut rng = OsRng;
        let (n16, n32) = (candidates::<16>(&mut rng)[0], candidates::<32>(&mut rng)[0]);
        for _ in 0..20 {
            square_matches_big_integers::<16, 20, __m512i>(&n16);
            square_matches_big_integers::<32, 40, __m512i>(&n32);
            square_matches_big_integers::<16, 20, __m256i>(&n16);
            square_matches_big_integers::<32, 40, __m256i>(&n32);
        }
    }

    #[test]
    fn reduction_subtracts_the_modulus_only_from_values_above_it() {
        if !available() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA");
            return;
        }
        let mut rng = OsRng;
        let n = candidates::<16>(&mut rng)[0];
        let n52 = radix52::<16, 20>(&n);
        // Lane i holds n - 4 + i: below n in lanes 0-3, n and above in lanes 4-7.
        let mut x = [[0u64; LANES]; 20];
        let mut want = [[0u64; LANES]; 20];
        for lane in 0..LANES {
            let mut v = to_biguint(&n) - 4u8 + BigUint::from(lane);
            let v52 = radix52::<17, 20>(&from_biguint(&v).unwrap());
            if lane >= 4 {
                v -= to_biguint(&n);
            }
            let w52 = radix52::<17, 20>(&from_biguint(&v).unwrap());
            for j in 0..20 {
                x[j][lane] = v52[j];
                want[j][lane] = w52[j];
            }
        }
        // SAFETY: the CPU has AVX-512 (checked above).
        let got = unsafe {
            let mut xv = [__m512i::zero(); 20];
            for j in 0..20 {
                xv[j] = __m512i::load(&x[j]);
            }
            let out = reduce(&xv, &broadcast::<20, __m512i>(&n52));
            out.map(lanes_of)
        };
        assert_eq!(got, want);
    }

    #[test]
    fn batched_miller_rabin_tells_primes_from_composites() {
        if !available() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA");
            return;
        }
        // Eight lanes for 1024-bit candidates, four for 2048-bit ones; each width at each size.
        miller_rabin_tells_primes_from_composites::<16>();
        miller_rabin_tells_primes_from_composites::<32>();
        miller_rabin_lanes_decide_apart::<16, __m512i>();
        miller_rabin_lanes_decide_apart::<32, __m512i>();
        miller_rabin_lanes_decide_apart::<16, __m256i>();
        miller_rabin_lanes_decide_apart::<32, __m256i>();
    }
}
