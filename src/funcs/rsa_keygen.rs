//! RSA key generation for `genPrivateKey`, `genCA`, `genSelfSignedCert` and `genSignedCert`:
//! the prime search, on fixed-width Montgomery arithmetic, which also serves the private-key
//! operation of certificate signatures ([`private_op`]).
//!
//! Charts that make certificates call these functions many times per render (a 2048-bit key
//! per `genCA`/`genSignedCert`, 4096 bits for `genPrivateKey "rsa"`), and the prime search is
//! nearly all of their cost. The `rsa` crate's own generator tests each random candidate
//! afresh on arbitrary-precision integers; here a random odd start is sieved incrementally
//! against the small primes (one residue per small prime per start, by multiplications, then
//! only additions; the bound grows with the prime's size), survivors go through a base-2
//! Miller-Rabin round on fixed-size Montgomery limbs (compiled for BMI2 where the CPU has it)
//! and then the random-base rounds. Every core searches at once, and the first two primes found
//! make the key (two searches of random length, one per prime, would wait for the longer of the
//! two: 1.5 times one search on average, where a race of two searchers for two primes takes
//! one). The searcher threads outlive the key and keep a key's worth of primes of the size last
//! asked for in stock, so the render between two keys does not leave the other cores idle
//! (see [`Pool`]). The `rsa` crate still builds the key (exponents, CRT values) from the primes and does
//! all signing and encoding.
//!
//! Candidates have their top two bits set, so `p*q` has exactly the requested length, as Go's
//! `rsa.GenerateKey` guarantees; `p - 1` is never a multiple of the public exponent 65537; each
//! prime passes the Miller-Rabin rounds FIPS 186-5 (table B.1) asks for its size, with random
//! bases.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

use rand::rngs::OsRng;
use rand::RngCore;
use rsa::BigUint;

#[cfg(target_arch = "x86_64")]
mod ifma;
#[cfg(target_arch = "x86_64")]
mod sieve_avx512;

/// The public exponent Go uses.
const PUBLIC_EXPONENT: u64 = 65537;

/// How far a sieve walks from one random start before drawing a new one. Prime gaps near
/// 2^1024 average ~710, so nearly every walk finds a prime long before this.
const MAX_WALK: u64 = 1 << 20;

/// A new RSA key of `bits` bits (2048 or 4096; any multiple of 128 up to 4096 works).
pub fn generate(bits: usize) -> Result<rsa::RsaPrivateKey, String> {
    if !bits.is_multiple_of(128) || !(512..=4096).contains(&bits) {
        return Err(format!("unsupported RSA key size {bits}"));
    }
    let half = bits / 2;
    loop {
        let (p, q) = two_primes(half);
        // FIPS 186-5 asks |p - q| > 2^(bits/2 - 100); a random pair misses it with probability
        // about 2^-100, but the check is cheap.
        let diff = if p > q { &p - &q } else { &q - &p };
        if diff.bits() <= half - 100 {
            continue;
        }
        return rsa::RsaPrivateKey::from_p_q(p, q, BigUint::from(PUBLIC_EXPONENT))
            .map_err(|e| e.to_string());
    }
}

/// Most searcher threads: beyond a few, thread start-up and the searches cut short outweigh
/// the gain.
const MAX_SEARCHERS: usize = 7;

/// Primes a searcher thread keeps in stock for each size: one key's worth.
const STOCK: usize = 2;

/// Two random primes of `bits` bits: the first two found by the asking thread and the pool's
/// searcher threads together (one per other core). Each prime comes from its own random start.
fn two_primes(bits: usize) -> (BigUint, BigUint) {
    let Some(pool) = Pool::get() else {
        let never = || false;
        // A search only gives up when told to stop, and nothing tells it here.
        let next = || random_prime(bits, &never).expect("an unstopped search finds a prime");
        return (next(), next());
    };
    let mut found = Vec::with_capacity(2);
    pool.ask(bits);
    while found.len() < 2 {
        if let Some(prime) = pool.take(bits) {
            found.push(prime);
        } else if let Some(prime) = random_prime(bits, &|| pool.stocked.load(Ordering::Relaxed)) {
            found.push(prime);
        }
    }
    let q = found.swap_remove(1);
    let p = found.swap_remove(0);
    (p, q)
}

/// Searcher threads that look for primes of the size last asked for and keep up to [`STOCK`]
/// of each size found ahead of need, started by the first key. A chart that makes one key
/// often makes several (bitnami charts render their certificate templates again for checksum
/// annotations), and between keys the render leaves the other cores idle: the searchers spend
/// that time on the next key's primes instead of dropping their search when a key is made.
/// Every prime still comes from its own random start and goes into one key only.
struct Pool {
    state: Mutex<PoolState>,
    /// Wakes searchers when the stock of the wanted size falls below [`STOCK`] or the wanted
    /// size changes.
    wake: Condvar,
    /// Set when a prime of the wanted size goes into stock: the asking thread stops its own
    /// search to take it.
    stocked: AtomicBool,
    /// Counts changes of the wanted size: a searcher drops a search of the size no longer
    /// wanted.
    generation: AtomicUsize,
}

struct PoolState {
    /// The prime size last asked for, in bits (0 before the first key).
    wanted: usize,
    /// Primes found and not yet taken, with their sizes.
    stock: Vec<(usize, BigUint)>,
}

impl Pool {
    /// The process's pool, its searchers started on first use; `None` on a single core, where
    /// a searcher would only take turns with the asking thread.
    fn get() -> Option<&'static Pool> {
        static POOL: OnceLock<Option<&'static Pool>> = OnceLock::new();
        *POOL.get_or_init(|| {
            let searchers = std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(MAX_SEARCHERS + 1)
                - 1;
            if searchers == 0 {
                return None;
            }
            // Lives as long as the process, as do its searchers.
            let pool: &'static Pool = Box::leak(Box::new(Pool {
                state: Mutex::new(PoolState {
                    wanted: 0,
                    stock: Vec::new(),
                }),
                wake: Condvar::new(),
                stocked: AtomicBool::new(false),
                generation: AtomicUsize::new(0),
            }));
            let started = (0..searchers)
                .filter(|i| {
                    crate::cores::spawn(&format!("prime-search-{i}"), || pool.search()).is_ok()
                })
                .count();
            // Without a searcher, the asking thread searches alone.
            (started > 0).then_some(pool)
        })
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // A poisoned lock means a searcher panicked; the primes in stock are still good.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Points the searchers at primes of `bits` bits.
    fn ask(&self, bits: usize) {
        let mut state = self.lock();
        if state.wanted != bits {
            state.wanted = bits;
            self.generation.fetch_add(1, Ordering::Relaxed);
        }
        self.wake.notify_all();
    }

    /// A prime of `bits` bits from stock; otherwise clears `stocked`, for the caller to search
    /// until a searcher sets it again.
    fn take(&self, bits: usize) -> Option<BigUint> {
        let mut state = self.lock();
        match state.stock.iter().position(|&(size, _)| size == bits) {
            Some(i) => {
                let (_, prime) = state.stock.swap_remove(i);
                self.wake.notify_all();
                Some(prime)
            }
            None => {
                self.stocked.store(false, Ordering::Relaxed);
                None
            }
        }
    }

    /// A searcher's life: find primes of the wanted size while its stock is short.
    fn search(&self) {
        loop {
            let (bits, generation) = {
                let mut state = self.lock();
                loop {
                    let wanted = state.wanted;
                    let stocked = state
                        .stock
                        .iter()
                        .filter(|&&(size, _)| size == wanted)
                        .count();
                    if wanted != 0 && stocked < STOCK {
                        break (wanted, self.generation.load(Ordering::Relaxed));
                    }
                    state = self
                        .wake
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            };
            let switched = || self.generation.load(Ordering::Relaxed) != generation;
            if let Some(prime) = random_prime(bits, &switched) {
                let mut state = self.lock();
                if state.wanted == bits {
                    self.stocked.store(true, Ordering::Relaxed);
                }
                state.stock.push((bits, prime));
            }
        }
    }
}

/// `c^d mod n`, the private operation of a two-prime key whose primes are a whole number of
/// 64-bit limbs (as every key made here, and most keys anywhere), by the Chinese remainder
/// theorem on this module's Montgomery arithmetic: several times faster than the `rsa`
/// crate's generic arithmetic, and charts sign a certificate per `genCA`/`genSignedCert`.
/// `None` for a key of another shape, for the caller to use the `rsa` crate.
pub fn private_op(key: &rsa::RsaPrivateKey, c: &BigUint) -> Option<BigUint> {
    use rsa::traits::PrivateKeyParts;
    let [p, q] = key.primes() else {
        return None;
    };
    let (dp, dq) = (key.dp()?, key.dq()?);
    let qinv = key.qinv()?.to_biguint()?;
    if p.bits() != q.bits() || p.bits() % 64 != 0 {
        return None;
    }
    let (m1, m2) = match p.bits() / 64 {
        8 => (pow_mod::<8>(c, dp, p)?, pow_mod::<8>(c, dq, q)?),
        16 => (pow_mod::<16>(c, dp, p)?, pow_mod::<16>(c, dq, q)?),
        24 => (pow_mod::<24>(c, dp, p)?, pow_mod::<24>(c, dq, q)?),
        32 => (pow_mod::<32>(c, dp, p)?, pow_mod::<32>(c, dq, q)?),
        _ => return None,
    };
    // h = qinv * (m1 - m2) mod p; the result is m2 + h * q.
    let diff = if m1 >= m2 {
        &m1 - &m2
    } else {
        p - ((&m2 - &m1) % p)
    };
    let h = (qinv * diff) % p;
    Some(m2 + h * q)
}

/// `base^exp mod m` for an odd `m` of exactly `N` limbs (top limb not zero).
fn pow_mod<const N: usize>(base: &BigUint, exp: &BigUint, m: &BigUint) -> Option<BigUint> {
    let modulus = from_biguint::<N>(m)?;
    if modulus[N - 1] == 0 || modulus[0] & 1 == 0 {
        return None;
    }
    let mont = Montgomery::new(&modulus);
    let x = mont.mul(&from_biguint(&(base % m))?, &mont.r2());
    let y = mont.pow(&x, &from_biguint(exp)?);
    let mut one = [0u64; N];
    one[0] = 1;
    Some(to_biguint(&mont.mul(&y, &one)))
}

/// A random prime of exactly `bits` bits (a multiple of 64) with its top two bits set, or
/// `None` once `stop` is set (checked before each candidate's test).
fn random_prime(bits: usize, stop: &impl Fn() -> bool) -> Option<BigUint> {
    match bits / 64 {
        4 => prime_limbs::<4>(stop),
        6 => prime_limbs::<6>(stop),
        8 => prime_limbs::<8>(stop),
        10 => prime_limbs::<10>(stop),
        12 => prime_limbs::<12>(stop),
        14 => prime_limbs::<14>(stop),
        16 => prime_limbs::<16>(stop),
        18 => prime_limbs::<18>(stop),
        20 => prime_limbs::<20>(stop),
        22 => prime_limbs::<22>(stop),
        24 => prime_limbs::<24>(stop),
        26 => prime_limbs::<26>(stop),
        28 => prime_limbs::<28>(stop),
        30 => prime_limbs::<30>(stop),
        _ => prime_limbs::<32>(stop),
    }
}

fn prime_limbs<const N: usize>(stop: &impl Fn() -> bool) -> Option<BigUint> {
    let mut rng = OsRng;
    #[cfg(target_arch = "x86_64")]
    if ifma::supports(N) {
        let mut survivors = Survivors::<N>::new(true);
        loop {
            let mut batch = [[0u64; N]; ifma::LANES];
            for candidate in &mut batch {
                *candidate = survivors.next_candidate();
            }
            if stop() {
                return None;
            }
            let passed = ifma::fermat_base2(&batch);
            for (lane, candidate) in batch.iter().enumerate() {
                if (passed >> lane) & 1 == 1 && ifma::miller_rabin(candidate, &mut rng) {
                    return Some(to_biguint(candidate));
                }
            }
        }
    }
    let rounds = if N * 64 >= 1536 { 4 } else { 5 };
    let mut survivors = Survivors::<N>::new(false);
    loop {
        let candidate = survivors.next_candidate();
        if stop() {
            return None;
        }
        // A round to base 2 first: it costs only squarings and throws out nearly every
        // composite the sieve let through; the random-base rounds then confirm.
        if base2_round(&candidate) && is_probable_prime(&candidate, rounds, &mut rng) {
            return Some(to_biguint(&candidate));
        }
    }
}

/// The candidates a search tests, endlessly: from a random odd start (top two bits set), the
/// odd numbers the sieve finds no small factor in and whose predecessor is not a multiple of
/// the public exponent, in increasing order, for up to `MAX_WALK`; then from a new start.
struct Survivors<const N: usize> {
    primes: &'static [SmallPrime],
    rng: OsRng,
    start: [u64; N],
    /// `start mod p` for each small prime.
    residue: Vec<u32>,
    /// `start mod 65537`.
    e_residue: u64,
    /// The offset from `start` of the window's first number.
    base: u64,
    /// Which of the window's numbers (`start + base + 2i`) have a small factor.
    composite: Vec<bool>,
    /// The next `i` to look at in the window.
    next: usize,
}

impl<const N: usize> Survivors<N> {
    /// For the batch test (see `sieve_primes`) or the one-by-one test.
    fn new(batched: bool) -> Self {
        let primes = sieve_primes(N, batched);
        let mut survivors = Survivors {
            primes,
            rng: OsRng,
            start: [0; N],
            residue: vec![0; primes.len()],
            e_residue: 0,
            base: 0,
            composite: vec![false; WINDOW],
            next: 0,
        };
        survivors.restart();
        survivors
    }

    /// A new random start, its residues and its first window.
    fn restart(&mut self) {
        for limb in self.start.iter_mut() {
            *limb = self.rng.next_u64();
        }
        self.start[N - 1] |= 0b11 << 62;
        self.start[0] |= 1;
        residues(&self.start, self.primes, &mut self.residue);
        self.e_residue = u64::from(SmallPrime::new(PUBLIC_EXPONENT as u32).rem(&self.start));
        self.base = 0;
        mark_window(self.primes, &self.residue, 0, &mut self.composite);
        self.next = 0;
    }

    fn next_candidate(&mut self) -> [u64; N] {
        loop {
            while self.next < WINDOW {
                let i = self.next;
                self.next += 1;
                if self.composite[i] {
                    continue;
                }
                let delta = self.base + 2 * i as u64;
                if (self.e_residue + delta) % PUBLIC_EXPONENT == 1 {
                    continue;
                }
                match add_small(&self.start, delta) {
                    Some(candidate) => return candidate,
                    // Past the largest number of N limbs: the rest of the walk is too.
                    None => {
                        self.restart();
                        continue;
                    }
                }
            }
            self.base += 2 * WINDOW as u64;
            if self.base >= MAX_WALK {
                self.restart();
            } else {
                mark_window(self.primes, &self.residue, self.base, &mut self.composite);
                self.next = 0;
            }
        }
    }
}

/// Sets `composite[i]` when `start + base + 2i` has a factor among `primes`, whose residues
/// `start mod p` are given.
fn mark_window(primes: &[SmallPrime], residues: &[u32], base: u64, composite: &mut [bool]) {
    composite.fill(false);
    let window = composite.len() as u64;
    for (&r, prime) in residues.iter().zip(primes) {
        let p = u64::from(prime.p);
        // The first i with start + base + 2i = 0 (mod p): 2i = -(r + base) (mod p).
        let mut first = p - prime.reduce(u64::from(r) + base);
        if first == p {
            first = 0;
        }
        if first % 2 == 1 {
            first += p;
        }
        let mut i = first / 2;
        while i < window {
            composite[i as usize] = true;
            i += p;
        }
    }
}

/// Odd offsets sieved at a time.
const WINDOW: usize = 4096;

/// The odd primes a search for an `n`-limb prime sieves with: those below a bound that grows
/// with the size. More primes mean fewer Miller-Rabin rounds on survivors (their share of odd
/// numbers falls as 1.12 / ln(bound)) for one more residue per prime per start; a round on a
/// 2048-bit candidate costs about seven times one on a 1024-bit candidate, so larger primes
/// sieve deeper. The bounds are where the measured costs of residues and rounds balance
/// (BENCHMARKS.md, "RSA key generation"); the batch test (`batched`) makes a candidate's test
/// four to five times cheaper, and so sieves less deep.
fn sieve_primes(n: usize, batched: bool) -> &'static [SmallPrime] {
    let bits = match (n, batched) {
        (24.., false) => LARGE_SIEVE_BITS,
        (12.., false) | (24.., true) => SMALL_SIEVE_BITS,
        (12.., true) => 17,
        _ => 16,
    };
    let primes = if bits > SMALL_SIEVE_BITS {
        small_primes_below(&LARGE_TABLE, LARGE_SIEVE_BITS)
    } else {
        small_primes_below(&SMALL_TABLE, SMALL_SIEVE_BITS)
    };
    &primes[..primes.partition_point(|p| p.p >> bits == 0)]
}

/// The two prime tables, each made on first use: the large one only for keys of 3072 bits and
/// more, whose searches repay its few milliseconds and megabytes.
const SMALL_SIEVE_BITS: u32 = 19;
const LARGE_SIEVE_BITS: u32 = 21;
static SMALL_TABLE: std::sync::OnceLock<Vec<SmallPrime>> = std::sync::OnceLock::new();
static LARGE_TABLE: std::sync::OnceLock<Vec<SmallPrime>> = std::sync::OnceLock::new();

/// An odd small prime with what a residue of a many-limb number needs.
#[derive(Clone, Copy)]
struct SmallPrime {
    p: u32,
    /// 2^32 mod p.
    c32: u32,
    /// 2^64 mod p.
    c64: u32,
    /// floor((2^64 - 1) / p), for reductions by multiplication.
    v: u64,
}

impl SmallPrime {
    /// For `p` odd and below 2^31.
    fn new(p: u32) -> Self {
        let c32 = (1u64 << 32) % u64::from(p);
        SmallPrime {
            p,
            c32: c32 as u32,
            c64: (c32 * c32 % u64::from(p)) as u32,
            v: u64::MAX / u64::from(p),
        }
    }

    /// x mod p by Barrett's method: the quotient estimate `x * v / 2^64` is short by at most
    /// one, so one subtraction finishes. Multiplications pipeline where a division would not.
    #[inline(always)]
    fn reduce(&self, x: u64) -> u64 {
        let q = ((u128::from(x) * u128::from(self.v)) >> 64) as u64;
        let r = x - q * u64::from(self.p);
        if r >= u64::from(self.p) {
            r - u64::from(self.p)
        } else {
            r
        }
    }

    /// One Horner step: (r * 2^64 + limb) mod p for r < p, through r * c64 + hi * c32 + lo,
    /// which is congruent and stays below 2^64 since r, c64 and c32 are below p < 2^31.
    #[inline(always)]
    fn step(&self, r: u64, limb: u64) -> u64 {
        self.reduce(
            r * u64::from(self.c64) + (limb >> 32) * u64::from(self.c32) + (limb & 0xffff_ffff),
        )
    }

    /// x mod p.
    fn rem<const N: usize>(&self, x: &[u64; N]) -> u32 {
        x.iter().rev().fold(0, |r, &limb| self.step(r, limb)) as u32
    }
}

/// `x mod p` for every small prime: on AVX-512, most of them eight lanes at a time (see
/// `sieve_avx512`), the rest as [`residues_scalar`] does.
fn residues<const N: usize>(x: &[u64; N], primes: &[SmallPrime], out: &mut [u32]) {
    #[cfg(target_arch = "x86_64")]
    if sieve_avx512::available() {
        let done = sieve_avx512::residues(x, primes, out);
        residues_scalar(x, &primes[done..], &mut out[done..]);
        return;
    }
    residues_scalar(x, primes, out);
}

/// `x mod p` for every small prime: four primes at a time, so that four independent chains of
/// multiplications overlap.
fn residues_scalar<const N: usize>(x: &[u64; N], primes: &[SmallPrime], out: &mut [u32]) {
    let mut ps = primes.chunks_exact(4);
    let mut rs = out.chunks_exact_mut(4);
    for (p, r) in (&mut ps).zip(&mut rs) {
        let mut acc = [0u64; 4];
        for &limb in x.iter().rev() {
            for k in 0..4 {
                acc[k] = p[k].step(acc[k], limb);
            }
        }
        for k in 0..4 {
            r[k] = acc[k] as u32;
        }
    }
    for (p, r) in ps.remainder().iter().zip(rs.into_remainder()) {
        *r = p.rem(x);
    }
}

/// The odd primes below 2^`bits`, by Eratosthenes' sieve over the odd numbers.
fn small_primes_below(
    table: &'static std::sync::OnceLock<Vec<SmallPrime>>,
    bits: u32,
) -> &'static [SmallPrime] {
    table.get_or_init(|| {
        let limit = 1usize << bits;
        // composite[i] is for the odd number 2i + 1.
        let mut composite = vec![false; limit / 2];
        composite[0] = true;
        for i in 1..limit / 2 {
            let n = 2 * i + 1;
            if n * n >= limit {
                break;
            }
            if composite[i] {
                continue;
            }
            let mut j = n * n / 2;
            while j < composite.len() {
                composite[j] = true;
                j += n;
            }
        }
        // Sized exactly: the table lives as long as the process.
        let count = composite.iter().filter(|&&c| !c).count();
        let mut out = Vec::with_capacity(count);
        for (i, _) in composite.iter().enumerate().filter(|(_, &c)| !c) {
            out.push(SmallPrime::new((2 * i + 1) as u32));
        }
        out
    })
}

/// `x + d`, or `None` if it no longer fits in `N` limbs.
fn add_small<const N: usize>(x: &[u64; N], d: u64) -> Option<[u64; N]> {
    let mut out = *x;
    let mut carry = d;
    for limb in out.iter_mut() {
        if carry == 0 {
            break;
        }
        let (s, c) = limb.overflowing_add(carry);
        *limb = s;
        carry = u64::from(c);
    }
    (carry == 0).then_some(out)
}

/// `x` as `N` little-endian limbs, or `None` when it does not fit.
fn from_biguint<const N: usize>(x: &BigUint) -> Option<[u64; N]> {
    let bytes = x.to_bytes_le();
    if bytes.len() > N * 8 {
        return None;
    }
    let mut out = [0u64; N];
    for (i, chunk) in bytes.chunks(8).enumerate() {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        out[i] = u64::from_le_bytes(b);
    }
    Some(out)
}

fn to_biguint<const N: usize>(x: &[u64; N]) -> BigUint {
    let bytes: Vec<u8> = x.iter().flat_map(|l| l.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

/// A random Miller-Rabin base in [2, n - 2] for an `N`-limb `n` (above 2^64).
fn random_base<const N: usize>(rng: &mut OsRng) -> [u64; N] {
    loop {
        let mut b = [0u64; N];
        for limb in b.iter_mut() {
            *limb = rng.next_u64();
        }
        // Clearing the top limb keeps the base below n; a base of 0 or 1 is drawn again.
        b[N - 1] = 0;
        if b.iter().skip(1).any(|&l| l != 0) || b[0] > 1 {
            return b;
        }
    }
}

/// Miller-Rabin with `rounds` random bases in [2, n-2]; `n` is odd and above 2^64.
fn is_probable_prime<const N: usize>(n: &[u64; N], rounds: usize, rng: &mut OsRng) -> bool {
    let mont = Montgomery::new(n);
    // n - 1 = d * 2^s with d odd.
    let mut n_minus_1 = *n;
    n_minus_1[0] &= !1;
    let s = trailing_zeros(&n_minus_1);
    let d = shr(&n_minus_1, s);
    let one = mont.one();
    let minus_one = mont.minus_one();
    let r2 = mont.r2();
    'rounds: for _ in 0..rounds {
        let base = random_base::<N>(rng);
        let mut x = mont.pow(&mont.mul(&base, &r2), &d);
        if x == one || x == minus_one {
            continue;
        }
        for _ in 1..s {
            x = mont.mul(&x, &x);
            if x == minus_one {
                continue 'rounds;
            }
            if x == one {
                return false;
            }
        }
        return false;
    }
    true
}

/// The base-2 round, on x86-64 CPUs with BMI2 compiled for them: the squaring's 64x64-bit
/// products then use `mulx`, which leaves the flags alone and takes any registers, and the
/// round runs in about a fifth fewer instructions (BENCHMARKS.md, "RSA key generation").
fn base2_round<const N: usize>(n: &[u64; N]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("bmi2") {
            // SAFETY: the CPU has the one feature the function is compiled with.
            return unsafe { is_probable_prime_base2_bmi2(n) };
        }
    }
    is_probable_prime_base2(n)
}

/// `is_probable_prime_base2` with its arithmetic inlined and compiled with BMI2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "bmi2")]
unsafe fn is_probable_prime_base2_bmi2<const N: usize>(n: &[u64; N]) -> bool {
    is_probable_prime_base2(n)
}

/// One Miller-Rabin round to base 2, where multiplying by the base is a doubling. (Inlined
/// always, and its arithmetic too, so that `base2_round` can compile it for BMI2.)
#[inline(always)]
fn is_probable_prime_base2<const N: usize>(n: &[u64; N]) -> bool {
    let mont = Montgomery::new(n);
    let mut n_minus_1 = *n;
    n_minus_1[0] &= !1;
    let s = trailing_zeros(&n_minus_1);
    let d = shr(&n_minus_1, s);
    let one = mont.one();
    let minus_one = mont.minus_one();
    let mut x = one;
    let mut started = false;
    for &limb in d.iter().rev() {
        for bit in (0..64).rev() {
            if started {
                x = mont.sqr(&x);
            }
            if (limb >> bit) & 1 == 1 {
                x = double_mod(&x, n);
                started = true;
            }
        }
    }
    if x == one || x == minus_one {
        return true;
    }
    for _ in 1..s {
        x = mont.sqr(&x);
        if x == minus_one {
            return true;
        }
        if x == one {
            return false;
        }
    }
    false
}

fn trailing_zeros<const N: usize>(x: &[u64; N]) -> u32 {
    let mut count = 0;
    for &limb in x {
        if limb == 0 {
            count += 64;
        } else {
            return count + limb.trailing_zeros();
        }
    }
    count
}

fn shr<const N: usize>(x: &[u64; N], shift: u32) -> [u64; N] {
    let limbs = (shift / 64) as usize;
    let bits = shift % 64;
    let mut out = [0u64; N];
    for i in 0..N.saturating_sub(limbs) {
        let lo = x[i + limbs] >> bits;
        let hi = if bits > 0 && i + limbs + 1 < N {
            x[i + limbs + 1] << (64 - bits)
        } else {
            0
        };
        out[i] = lo | hi;
    }
    out
}

/// `-x^-1 mod 2^64` for an odd `x`.
#[inline(always)]
fn neg_inverse(x: u64) -> u64 {
    // Newton's iteration doubles the correct low bits of the inverse each step.
    let mut inv: u64 = 1;
    for _ in 0..6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(x.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// Arithmetic modulo an odd `N`-limb number in Montgomery form (R = 2^(64N)).
struct Montgomery<const N: usize> {
    m: [u64; N],
    /// -m^-1 mod 2^64.
    m_inv: u64,
    /// R mod m: 1 in Montgomery form.
    one: [u64; N],
}

impl<const N: usize> Montgomery<N> {
    /// Set-up for the odd modulus `m` (not zero in its top limb). Cheap for a candidate with
    /// its top bit set: the base-2 round needs nothing more, and runs once per sieve survivor.
    #[inline(always)]
    fn new(m: &[u64; N]) -> Self {
        let m_inv = neg_inverse(m[0]);
        // R mod m: the top bit of m, doubled up to 2^(64N) (a single doubling when the top bit
        // of the top limb is set, as for every candidate).
        let top_bit = 64 * N - 1 - m[N - 1].leading_zeros() as usize;
        let mut one = [0u64; N];
        one[top_bit / 64] = 1 << (top_bit % 64);
        for _ in top_bit..64 * N {
            one = double_mod(&one, m);
        }
        Montgomery { m: *m, m_inv, one }
    }

    fn one(&self) -> [u64; N] {
        self.one
    }

    /// -1 in Montgomery form: m - (R mod m).
    fn minus_one(&self) -> [u64; N] {
        let mut out = self.m;
        sub_in_place(&mut out, &self.one);
        out
    }

    /// R^2 mod m, to enter Montgomery form: with 64N = c * 2^e (c odd), R * 2^c mod m by c
    /// doublings of R mod m, then e squarings (each turns R * 2^k into R * 2^(2k)).
    fn r2(&self) -> [u64; N] {
        let bits = 64 * N;
        let e = bits.trailing_zeros();
        let mut x = self.one;
        for _ in 0..bits >> e {
            x = double_mod(&x, &self.m);
        }
        for _ in 0..e {
            x = self.sqr(&x);
        }
        x
    }

    #[cfg(test)]
    fn to_mont(&self, x: &[u64; N]) -> [u64; N] {
        self.mul(x, &self.r2())
    }

    /// a * b / R mod m (coarsely integrated operand scanning).
    fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut t_hi: u64 = 0;
        for &bi in b.iter() {
            // t += a * bi
            let mut carry: u64 = 0;
            for j in 0..N {
                let v = u128::from(a[j]) * u128::from(bi) + u128::from(t[j]) + u128::from(carry);
                t[j] = v as u64;
                carry = (v >> 64) as u64;
            }
            let (sum, over) = t_hi.overflowing_add(carry);
            let t_top = u64::from(over);
            t_hi = sum;
            // t = (t + m * q) / 2^64, with q chosen so the low limb cancels.
            let q = t[0].wrapping_mul(self.m_inv);
            let v = u128::from(self.m[0]) * u128::from(q) + u128::from(t[0]);
            let mut carry = (v >> 64) as u64;
            for j in 1..N {
                let v =
                    u128::from(self.m[j]) * u128::from(q) + u128::from(t[j]) + u128::from(carry);
                t[j - 1] = v as u64;
                carry = (v >> 64) as u64;
            }
            let (sum, over) = t_hi.overflowing_add(carry);
            t[N - 1] = sum;
            t_hi = t_top + u64::from(over);
        }
        if t_hi != 0 || !less_than(&t, &self.m) {
            sub_in_place(&mut t, &self.m);
        }
        t
    }

    /// a * a / R mod m by product scanning with the reduction interleaved: column k of the
    /// 2N-limb square sums its products (each cross product once, doubled) and the reduction
    /// products `q[j] * m[k - j]` in a three-limb accumulator; in the low columns `q[k]` is
    /// chosen to clear the column's low limb, and the high columns are the result. Each column
    /// is written out with a constant k (the macro below), so the compiler unrolls its loops
    /// and no intermediate limb goes through memory: a third fewer instructions than squaring
    /// and reducing row by row for 16 limbs, a tenth fewer for 32 (BENCHMARKS.md).
    #[inline(always)]
    fn sqr(&self, a: &[u64; N]) -> [u64; N] {
        const { assert!(N <= 32, "the columns below are listed for up to 32 limbs") };
        let mut st = Comba {
            q: [0u64; N],
            out: [0u64; N],
            acc: Acc::default(),
        };
        macro_rules! columns {
            ($($k:literal)*) => {
                $(
                    if $k < 2 * N - 1 {
                        self.sqr_column(a, &mut st, $k);
                    }
                )*
            };
        }
        columns!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29
            30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57
            58 59 60 61 62);
        let Comba {
            mut out, mut acc, ..
        } = st;
        out[N - 1] = acc.w0;
        acc.shift();
        if acc.w0 != 0 || !less_than(&out, &self.m) {
            sub_in_place(&mut out, &self.m);
        }
        out
    }

    /// Column k of `sqr`.
    #[inline(always)]
    fn sqr_column(&self, a: &[u64; N], st: &mut Comba<N>, k: usize) {
        let start = k.saturating_sub(N - 1);
        let mut cross = Acc::default();
        let mut i = start;
        while 2 * i < k {
            cross.mac(a[i], a[k - i]);
            i += 1;
        }
        st.acc.add_doubled(&cross);
        if k.is_multiple_of(2) {
            st.acc.mac(a[k / 2], a[k / 2]);
        }
        let mut j = start;
        while j < k && j < N {
            st.acc.mac(st.q[j], self.m[k - j]);
            j += 1;
        }
        if k < N {
            let qk = st.acc.w0.wrapping_mul(self.m_inv);
            st.q[k] = qk;
            st.acc.mac(qk, self.m[0]);
        } else {
            st.out[k - N] = st.acc.w0;
        }
        st.acc.shift();
    }

    /// base^exp for `base` in Montgomery form, with a fixed 4-bit window.
    fn pow(&self, base: &[u64; N], exp: &[u64; N]) -> [u64; N] {
        let mut table = [[0u64; N]; 16];
        table[0] = self.one();
        table[1] = *base;
        for i in 2..16 {
            table[i] = self.mul(&table[i - 1], base);
        }
        let mut acc = table[0];
        let mut started = false;
        for &limb in exp.iter().rev() {
            for nibble in (0..16).rev() {
                let w = ((limb >> (nibble * 4)) & 0xf) as usize;
                if started {
                    for _ in 0..4 {
                        acc = self.sqr(&acc);
                    }
                    if w != 0 {
                        acc = self.mul(&acc, &table[w]);
                    }
                } else if w != 0 {
                    acc = table[w];
                    started = true;
                }
            }
        }
        acc
    }
}

/// The state of a product-scanning squaring between columns.
struct Comba<const N: usize> {
    q: [u64; N],
    out: [u64; N],
    acc: Acc,
}

/// A 192-bit column sum (at most 2N + 2 products of 128 bits plus the carry of the column
/// before).
#[derive(Clone, Copy, Default)]
struct Acc {
    w0: u64,
    w1: u64,
    w2: u64,
}

/// `a + b + carry` and the carry out: on x86-64 the intrinsic keeps the compiler to one
/// add-with-carry chain (plain carries get reassociated into comparisons and vector code).
#[inline(always)]
fn adc(carry: u8, a: u64, b: u64) -> (u64, u8) {
    #[cfg(target_arch = "x86_64")]
    {
        let mut out = 0;
        // SAFETY: `_addcarry_u64` needs no CPU feature beyond x86-64 itself.
        #[allow(unused_unsafe)]
        let c = unsafe { core::arch::x86_64::_addcarry_u64(carry, a, b, &mut out) };
        (out, c)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let (s1, c1) = a.overflowing_add(b);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        (s2, u8::from(c1 | c2))
    }
}

impl Acc {
    /// self += x * y
    #[inline(always)]
    fn mac(&mut self, x: u64, y: u64) {
        let p = u128::from(x) * u128::from(y);
        let (w0, c) = adc(0, self.w0, p as u64);
        let (w1, c) = adc(c, self.w1, (p >> 64) as u64);
        let (w2, _) = adc(c, self.w2, 0);
        self.w0 = w0;
        self.w1 = w1;
        self.w2 = w2;
    }

    /// self += 2 * other
    #[inline(always)]
    fn add_doubled(&mut self, other: &Acc) {
        let d0 = other.w0 << 1;
        let d1 = (other.w1 << 1) | (other.w0 >> 63);
        let d2 = (other.w2 << 1) | (other.w1 >> 63);
        let (w0, c) = adc(0, self.w0, d0);
        let (w1, c) = adc(c, self.w1, d1);
        let (w2, _) = adc(c, self.w2, d2);
        self.w0 = w0;
        self.w1 = w1;
        self.w2 = w2;
    }

    /// self >>= 64
    #[inline(always)]
    fn shift(&mut self) {
        self.w0 = self.w1;
        self.w1 = self.w2;
        self.w2 = 0;
    }
}

#[inline(always)]
fn less_than<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

#[inline(always)]
fn sub_in_place<const N: usize>(a: &mut [u64; N], b: &[u64; N]) {
    let mut borrow = false;
    for i in 0..N {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        a[i] = d2;
        borrow = b1 || b2;
    }
}

/// 2x mod m for x < m.
#[inline(always)]
fn double_mod<const N: usize>(x: &[u64; N], m: &[u64; N]) -> [u64; N] {
    let mut out = [0u64; N];
    let mut carry = 0u64;
    for i in 0..N {
        out[i] = (x[i] << 1) | carry;
        carry = x[i] >> 63;
    }
    if carry != 0 || !less_than(&out, m) {
        sub_in_place(&mut out, m);
    }
    out
}

/// Entry points for `benches/keygen.rs`, which times the pieces of the search apart; not part
/// of the crate's API.
#[doc(hidden)]
pub mod bench_support {
    use super::*;

    /// A random odd modulus of `N` limbs with its top bit set, and a value below it.
    fn random_operands<const N: usize>() -> ([u64; N], [u64; N]) {
        let mut rng = OsRng;
        let mut m = [0u64; N];
        let mut a = [0u64; N];
        for i in 0..N {
            m[i] = rng.next_u64();
            a[i] = rng.next_u64();
        }
        m[0] |= 1;
        m[N - 1] |= 1 << 63;
        a[N - 1] &= !(1 << 63);
        (m, a)
    }

    #[inline(always)]
    fn squarings_n<const N: usize>(count: usize) -> u64 {
        let (m, mut a) = random_operands::<N>();
        let mont = Montgomery::new(&m);
        for _ in 0..count {
            a = mont.sqr(std::hint::black_box(&a));
        }
        a[0]
    }

    /// The squarings as the base-2 round runs them: compiled for BMI2 where the CPU has it.
    fn squarings_as_searched<const N: usize>(count: usize) -> u64 {
        #[cfg(target_arch = "x86_64")]
        {
            #[target_feature(enable = "bmi2")]
            unsafe fn bmi2<const N: usize>(count: usize) -> u64 {
                squarings_n::<N>(count)
            }
            if std::is_x86_feature_detected!("bmi2") {
                // SAFETY: the CPU has the one feature the function is compiled with.
                return unsafe { bmi2::<N>(count) };
            }
        }
        squarings_n::<N>(count)
    }

    fn multiplications_n<const N: usize>(count: usize) -> u64 {
        let (m, mut a) = random_operands::<N>();
        let (_, b) = random_operands::<N>();
        let mont = Montgomery::new(&m);
        for _ in 0..count {
            a = mont.mul(std::hint::black_box(&a), &b);
        }
        a[0]
    }

    fn base2_rounds_n<const N: usize>(count: usize) -> usize {
        let mut passed = 0;
        for _ in 0..count {
            let (mut n, _) = random_operands::<N>();
            n[N - 1] |= 0b11 << 62;
            passed += usize::from(base2_round(std::hint::black_box(&n)));
        }
        passed
    }

    /// `count` chained Montgomery squarings of `limbs` limbs (16 or 32), compiled as in the
    /// search; returns a limb of the result so the work is not optimised away.
    pub fn squarings(limbs: usize, count: usize) -> u64 {
        match limbs {
            16 => squarings_as_searched::<16>(count),
            _ => squarings_as_searched::<32>(count),
        }
    }

    /// `count` chained Montgomery multiplications of `limbs` limbs (16 or 32).
    pub fn multiplications(limbs: usize, count: usize) -> u64 {
        match limbs {
            16 => multiplications_n::<16>(count),
            _ => multiplications_n::<32>(count),
        }
    }

    /// `count` base-2 Miller-Rabin rounds on random odd numbers of `limbs` limbs (16 or 32), as
    /// the search runs on each sieve survivor; returns how many passed.
    pub fn base2_rounds(limbs: usize, count: usize) -> usize {
        match limbs {
            16 => base2_rounds_n::<16>(count),
            _ => base2_rounds_n::<32>(count),
        }
    }

    fn sieve_starts_n<const N: usize>(count: usize) -> usize {
        let primes = sieve_primes(N, batched());
        let mut residues_ = vec![0u32; primes.len()];
        let mut composite = vec![false; WINDOW];
        let mut survivors = 0;
        for _ in 0..count {
            let (mut start, _) = random_operands::<N>();
            start[0] |= 1;
            residues(std::hint::black_box(&start), primes, &mut residues_);
            mark_window(primes, &residues_, 0, &mut composite);
            survivors += composite.iter().filter(|&&c| !c).count();
        }
        survivors
    }

    /// `count` sieve starts for `limbs`-limb primes (16 or 32): the residues of a random
    /// start and one window marked, as the search does per start (on this CPU); returns how many odd
    /// offsets survived in all.
    pub fn sieve_starts(limbs: usize, count: usize) -> usize {
        match limbs {
            16 => sieve_starts_n::<16>(count),
            _ => sieve_starts_n::<32>(count),
        }
    }

    fn fermat_batches_n<const N: usize>(count: usize) -> u32 {
        let mut passed = 0;
        #[cfg(target_arch = "x86_64")]
        if ifma::supports(N) {
            for _ in 0..count {
                let mut batch = [[0u64; N]; ifma::LANES];
                for candidate in &mut batch {
                    let (mut n, _) = random_operands::<N>();
                    n[N - 1] |= 0b11 << 62;
                    *candidate = n;
                }
                passed += ifma::fermat_base2(std::hint::black_box(&batch)).count_ones();
            }
        }
        passed
    }

    /// `count` batch tests (eight Fermat tests to base 2 at once, AVX-512 IFMA) on random odd
    /// numbers of `limbs` limbs (16 or 32); returns how many passed. Does nothing on a CPU
    /// without the instructions.
    pub fn fermat_batches(limbs: usize, count: usize) -> u32 {
        match limbs {
            16 => fermat_batches_n::<16>(count),
            _ => fermat_batches_n::<32>(count),
        }
    }

    /// Whether the search runs the batch test on this CPU.
    pub fn batched() -> bool {
        #[cfg(target_arch = "x86_64")]
        return ifma::supports(16);
        #[cfg(not(target_arch = "x86_64"))]
        false
    }

    fn confirmations_n<const N: usize>(prime: &BigUint, count: usize) -> usize {
        let p = from_biguint::<N>(prime).expect("the prime has N limbs");
        let rounds = if N * 64 >= 1536 { 4 } else { 5 };
        let mut rng = OsRng;
        (0..count)
            .filter(|_| {
                let p = std::hint::black_box(&p);
                #[cfg(target_arch = "x86_64")]
                if ifma::supports(N) {
                    return ifma::miller_rabin(p, &mut rng);
                }
                is_probable_prime(p, rounds, &mut rng)
            })
            .count()
    }

    /// `count` confirmations of a prime of `limbs` limbs (16 or 32): the random-base
    /// Miller-Rabin rounds a candidate that passed the base-2 test goes through, as the search
    /// runs them (eight at once with AVX-512 IFMA, else one by one).
    pub fn confirmations(prime: &BigUint, count: usize) -> usize {
        match prime.bits() / 64 {
            16 => confirmations_n::<16>(prime, count),
            _ => confirmations_n::<32>(prime, count),
        }
    }

    /// A key made from two given primes, as `generate` does once it has them.
    pub fn assemble(p: &BigUint, q: &BigUint) -> rsa::RsaPrivateKey {
        rsa::RsaPrivateKey::from_p_q(p.clone(), q.clone(), BigUint::from(PUBLIC_EXPONENT))
            .expect("two distinct primes make a key")
    }

    /// One random prime of `bits` bits, as a key of twice the size needs two of.
    pub fn prime(bits: usize) -> BigUint {
        random_prime(bits, &|| false).expect("an unstopped search finds a prime")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint_dig::prime::probably_prime;
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};

    fn limbs<const N: usize>(x: &BigUint) -> [u64; N] {
        from_biguint(x).expect("the test value fits its limbs")
    }

    #[test]
    fn montgomery_exponentiation_matches_big_integers() {
        let mut rng = OsRng;
        for _ in 0..20 {
            let mut m = [0u64; 4];
            let mut b = [0u64; 4];
            let mut e = [0u64; 4];
            for i in 0..4 {
                m[i] = rng.next_u64();
                b[i] = rng.next_u64();
                e[i] = rng.next_u64();
            }
            m[0] |= 1;
            m[3] |= 1 << 63;
            b[3] &= !(1 << 63);
            let mont = Montgomery::new(&m);
            assert_eq!(mont.sqr(&b), mont.mul(&b, &b));
            let got = mont.pow(&mont.to_mont(&b), &e);
            // Leaving Montgomery form is a multiplication by 1.
            let mut one = [0u64; 4];
            one[0] = 1;
            let got = to_biguint(&mont.mul(&got, &one));
            let want = to_biguint(&b).modpow(&to_biguint(&e), &to_biguint(&m));
            assert_eq!(got, want);
        }
    }

    fn random_limbs<const N: usize>(rng: &mut OsRng) -> [u64; N] {
        let mut x = [0u64; N];
        for limb in x.iter_mut() {
            *limb = rng.next_u64();
        }
        x
    }

    /// Montgomery arithmetic of `N` limbs against big integers, on random odd moduli (with the
    /// top bit set, as candidates have, and with short top limbs) and random values below them.
    fn check_montgomery<const N: usize>() {
        let mut rng = OsRng;
        for round in 0..10 {
            let mut m: [u64; N] = random_limbs(&mut rng);
            match round % 3 {
                0 => m[N - 1] |= 0b11 << 62,
                1 => m[N - 1] |= 1 << 63,
                // A short top limb: R mod m then takes many doublings.
                _ => m[N - 1] = (m[N - 1] >> 40).max(3),
            }
            m[0] |= 1;
            let big_m = to_biguint(&m);
            let below_m = |x: [u64; N]| {
                let x = to_biguint(&x) % &big_m;
                limbs::<N>(&x)
            };
            let a = below_m(random_limbs(&mut rng));
            let b = below_m(random_limbs(&mut rng));
            let mont = Montgomery::new(&m);
            let r = BigUint::from(1u8) << (64 * N);
            let (big_a, big_b) = (to_biguint(&a), to_biguint(&b));
            // mul(a, b) * R = a * b (mod m), and the result is reduced.
            let prod = mont.mul(&a, &b);
            assert!(to_biguint(&prod) < big_m);
            assert_eq!(
                to_biguint(&prod) * &r % &big_m,
                &big_a * &big_b % &big_m,
                "mul, N = {N}"
            );
            let sq = mont.sqr(&a);
            assert!(to_biguint(&sq) < big_m);
            assert_eq!(
                to_biguint(&sq) * &r % &big_m,
                &big_a * &big_a % &big_m,
                "sqr, N = {N}"
            );
            assert_eq!(to_biguint(&mont.one()), &r % &big_m);
            assert_eq!(to_biguint(&mont.r2()), &r * &r % &big_m);
            assert_eq!(
                (to_biguint(&mont.minus_one()) + &r % &big_m) % &big_m,
                BigUint::from(0u8)
            );
            // The largest value: m - 1.
            let mut top = m;
            top[0] -= 1;
            let big_top = to_biguint(&top);
            assert_eq!(
                to_biguint(&mont.sqr(&top)) * &r % &big_m,
                &big_top * &big_top % &big_m
            );
        }
    }

    #[test]
    fn montgomery_arithmetic_matches_big_integers_for_every_size() {
        check_montgomery::<1>();
        check_montgomery::<2>();
        check_montgomery::<4>();
        check_montgomery::<9>();
        check_montgomery::<16>();
        check_montgomery::<24>();
        check_montgomery::<32>();
    }

    #[test]
    fn small_prime_residues_match_big_integers() {
        let mut rng = OsRng;
        let small = small_primes_below(&SMALL_TABLE, SMALL_SIEVE_BITS);
        let large = small_primes_below(&LARGE_TABLE, LARGE_SIEVE_BITS);
        assert_eq!(small.len(), 43_389); // odd primes below 2^19
        assert_eq!(large.len(), 155_610); // odd primes below 2^21
        assert_eq!(
            &large[..3].iter().map(|p| p.p).collect::<Vec<_>>(),
            &[3, 5, 7]
        );
        // A sample of each table, its largest primes included; an odd count leaves a remainder
        // for the four-at-a-time loop.
        let sample: Vec<SmallPrime> = large
            .iter()
            .step_by(97)
            .chain(&large[large.len() - 7..])
            .chain(&small[small.len() - 3..])
            .copied()
            .collect();
        // Random numbers, and the largest and smallest (every digit at its extreme).
        let numbers = (0..5)
            .map(|_| random_limbs::<32>(&mut rng))
            .chain([[u64::MAX; 32], [0; 32]]);
        for x in numbers {
            let big_x = to_biguint(&x);
            // The vector path where the CPU has it, and the scalar one everywhere.
            let mut got = vec![0u32; sample.len()];
            residues(&x, &sample, &mut got);
            let mut scalar = vec![0u32; sample.len()];
            residues_scalar(&x, &sample, &mut scalar);
            for ((p, &r), &s) in sample.iter().zip(&got).zip(&scalar) {
                let want = &big_x % BigUint::from(p.p);
                assert_eq!(BigUint::from(r), want, "x mod {}", p.p);
                assert_eq!(BigUint::from(s), want, "x mod {} (scalar)", p.p);
                assert_eq!(BigUint::from(p.rem(&x)), want);
            }
        }
        // Barrett's reduction at the edges of its range.
        for p in [3u32, 65_537, (1 << 21) - 9] {
            let sp = SmallPrime::new(p);
            for x in [0, 1, u64::from(p) - 1, u64::from(p), u64::MAX, u64::MAX - 1] {
                assert_eq!(sp.reduce(x), x % u64::from(p), "{x} mod {p}");
            }
        }
    }

    #[test]
    fn the_sieve_marks_exactly_the_offsets_with_small_factors() {
        let mut rng = OsRng;
        // The first 2000 primes (those below the window's length mark it several times), then
        // a sample of the deepest table up to its largest prime (those mark it once at most),
        // their residues from the vector path where the CPU has it.
        let small = &small_primes_below(&SMALL_TABLE, SMALL_SIEVE_BITS)[..2000];
        let large = small_primes_below(&LARGE_TABLE, LARGE_SIEVE_BITS);
        let primes: Vec<SmallPrime> = small
            .iter()
            .chain(
                large
                    .iter()
                    .filter(|p| p.p > small[small.len() - 1].p)
                    .step_by(97),
            )
            .chain(&large[large.len() - 9..])
            .copied()
            .collect();
        let primes = &primes[..];
        let mut start: [u64; 16] = random_limbs(&mut rng);
        start[0] |= 1;
        let big_start = to_biguint(&start);
        let mut residue = vec![0u32; primes.len()];
        residues(&start, primes, &mut residue);
        let mut composite = vec![false; WINDOW];
        let last = MAX_WALK - 2 * WINDOW as u64;
        for base in [0u64, 2 * WINDOW as u64, 10 * WINDOW as u64, last] {
            mark_window(primes, &residue, base, &mut composite);
            // Each offset's residues, from the big integer itself.
            let starts: Vec<u64> = primes
                .iter()
                .map(|p| {
                    let r = (&big_start + BigUint::from(base)) % BigUint::from(p.p);
                    limbs::<1>(&r)[0]
                })
                .collect();
            for (i, &marked) in composite.iter().enumerate() {
                let divisible = primes
                    .iter()
                    .zip(&starts)
                    .any(|(p, &r)| (r + 2 * i as u64).is_multiple_of(u64::from(p.p)));
                assert_eq!(marked, divisible, "offset {i} from base {base}");
            }
        }
    }

    #[test]
    fn miller_rabin_tells_primes_from_composites() {
        let mut rng = OsRng;
        // 2^127 - 1 and 2^521 - 1 are Mersenne primes; their neighbours and products are not.
        let m127 = (BigUint::from(1u8) << 127usize) - 1u8;
        let m521 = (BigUint::from(1u8) << 521usize) - 1u8;
        assert!(is_probable_prime(&limbs::<2>(&m127), 5, &mut rng));
        assert!(!is_probable_prime(&limbs::<2>(&(&m127 + 2u8)), 5, &mut rng));
        assert!(is_probable_prime(&limbs::<9>(&m521), 5, &mut rng));
        assert!(!is_probable_prime(&limbs::<9>(&(&m521 - 2u8)), 5, &mut rng));
        let m89 = (BigUint::from(1u8) << 89usize) - 1u8;
        assert!(!is_probable_prime(
            &limbs::<4>(&(&m127 * &m89)),
            5,
            &mut rng
        ));
        // A Chernick number (6k+1)(12k+1)(18k+1) with three prime factors is a Carmichael
        // number: it fools Fermat's test for every base, but not Miller-Rabin (each round
        // misses with probability at most 1/4, so 40 rounds).
        let mut k = 1u64 << 30;
        let carmichael = loop {
            let f = [6 * k + 1, 12 * k + 1, 18 * k + 1].map(BigUint::from);
            if f.iter().all(|x| probably_prime(x, 20)) {
                break &f[0] * &f[1] * &f[2];
            }
            k += 1;
        };
        assert!(!is_probable_prime(&limbs::<2>(&carmichael), 40, &mut rng));
        // The base-2 round agrees on primes and on these composites.
        assert!(is_probable_prime_base2(&limbs::<2>(&m127)));
        assert!(is_probable_prime_base2(&limbs::<9>(&m521)));
        assert!(!is_probable_prime_base2(&limbs::<2>(&(&m127 + 2u8))));
        assert!(!is_probable_prime_base2(&limbs::<4>(&(&m127 * &m89))));
    }

    #[test]
    fn generated_keys_are_well_formed() {
        for bits in [1024usize, 2048] {
            let key = generate(bits).unwrap();
            assert_eq!(key.n().bits(), bits);
            assert_eq!(key.e(), &BigUint::from(PUBLIC_EXPONENT));
            key.validate().unwrap();
            for p in key.primes() {
                assert_eq!(p.bits(), bits / 2);
                assert!(probably_prime(p, 20));
                assert_ne!(p % BigUint::from(PUBLIC_EXPONENT), BigUint::from(1u8));
            }
        }
    }

    #[test]
    fn keys_of_mixed_sizes_in_a_row_take_each_prime_once() {
        // The pool's searchers keep primes of the size last asked for in stock across keys;
        // a key must take primes of its own size only, and no prime twice.
        let mut seen = std::collections::HashSet::new();
        for bits in [1024usize, 2048, 1024, 1024, 2048, 2048, 1024] {
            let key = generate(bits).unwrap();
            assert_eq!(key.n().bits(), bits);
            key.validate().unwrap();
            for p in key.primes() {
                assert_eq!(p.bits(), bits / 2);
                assert!(probably_prime(p, 20));
                assert!(seen.insert(p.clone()), "a prime went into two keys");
            }
        }
    }

    #[test]
    fn sizes_outside_the_supported_range_are_refused() {
        assert!(generate(1000).is_err());
        assert!(generate(8192).is_err());
    }
}
