//! Times the pieces of RSA key generation (`src/funcs/rsa_keygen.rs`) apart: one Montgomery
//! squaring and multiplication of 16 and 32 limbs (the two prime sizes of 2048- and 4096-bit
//! keys), one base-2 Miller-Rabin round on a random odd number of each size, one sieve start (the
//! residues of a random start and one window marked), one whole prime
//! search of 1024 and 2048 bits, and one whole key of 2048 and 4096 bits (one searcher per
//! core racing for the two primes, then the `rsa` crate's key assembly).
//!
//! Run with `cargo bench --profile quick-release --bench keygen`; `-- sqr` runs only the
//! measurements whose name contains `sqr` (`'sqr 16$'` only that one). The arithmetic is
//! deterministic in cost and is the median of 15 batches, with the fastest beside it; a prime
//! or key search takes a random time, so those report the mean and the median over all their
//! runs. `BENCH_SECS` sets the time spent on each measurement (2 seconds by default);
//! `BENCH_ITERS=N` runs each selected measurement exactly N times without timing it, for
//! `perf stat` (instructions per operation are then the difference of two counts over the
//! difference of N).

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chartctl::funcs::rsa_keygen::{bench_support, generate};
use rsa::BigUint;

struct Measurement {
    name: &'static str,
    /// Runs the operation `n` times.
    run: fn(usize),
    /// Each run takes a random time (a search), rather than a fixed one.
    random: bool,
}

const MEASUREMENTS: &[Measurement] = &[
    Measurement {
        name: "sqr 16",
        run: |n| {
            black_box(bench_support::squarings(16, n));
        },
        random: false,
    },
    Measurement {
        name: "sqr 32",
        run: |n| {
            black_box(bench_support::squarings(32, n));
        },
        random: false,
    },
    Measurement {
        name: "mul 16",
        run: |n| {
            black_box(bench_support::multiplications(16, n));
        },
        random: false,
    },
    Measurement {
        name: "mul 32",
        run: |n| {
            black_box(bench_support::multiplications(32, n));
        },
        random: false,
    },
    Measurement {
        name: "base-2 round 16",
        run: |n| {
            black_box(bench_support::base2_rounds(16, n));
        },
        random: false,
    },
    Measurement {
        name: "base-2 round 32",
        run: |n| {
            black_box(bench_support::base2_rounds(32, n));
        },
        random: false,
    },
    Measurement {
        name: "sieve 16",
        run: |n| {
            black_box(bench_support::sieve_starts(16, n));
        },
        random: false,
    },
    Measurement {
        name: "sieve 32",
        run: |n| {
            black_box(bench_support::sieve_starts(32, n));
        },
        random: false,
    },
    Measurement {
        name: "batch 16",
        run: |n| {
            black_box(bench_support::fermat_batches(16, n));
        },
        random: false,
    },
    Measurement {
        name: "batch 32",
        run: |n| {
            black_box(bench_support::fermat_batches(32, n));
        },
        random: false,
    },
    Measurement {
        name: "confirm 16",
        run: |n| {
            black_box(bench_support::confirmations(&primes(1024)[0], n));
        },
        random: false,
    },
    Measurement {
        name: "confirm 32",
        run: |n| {
            black_box(bench_support::confirmations(&primes(2048)[0], n));
        },
        random: false,
    },
    Measurement {
        name: "assemble 2048",
        run: |n| {
            let [p, q] = primes(1024);
            for _ in 0..n {
                black_box(bench_support::assemble(p, q));
            }
        },
        random: false,
    },
    Measurement {
        name: "assemble 4096",
        run: |n| {
            let [p, q] = primes(2048);
            for _ in 0..n {
                black_box(bench_support::assemble(p, q));
            }
        },
        random: false,
    },
    Measurement {
        name: "prime 1024",
        run: |n| {
            for _ in 0..n {
                black_box(bench_support::prime(1024));
            }
        },
        random: true,
    },
    Measurement {
        name: "prime 2048",
        run: |n| {
            for _ in 0..n {
                black_box(bench_support::prime(2048));
            }
        },
        random: true,
    },
    Measurement {
        name: "key 2048",
        run: |n| {
            for _ in 0..n {
                black_box(generate(2048).expect("2048-bit keys are supported"));
            }
        },
        random: true,
    },
    Measurement {
        name: "key 4096",
        run: |n| {
            for _ in 0..n {
                black_box(generate(4096).expect("4096-bit keys are supported"));
            }
        },
        random: true,
    },
];

/// Two primes of `bits` bits, found once per size and kept for the measurements that start
/// from primes.
fn primes(bits: usize) -> &'static [BigUint; 2] {
    static SMALL: OnceLock<[BigUint; 2]> = OnceLock::new();
    static LARGE: OnceLock<[BigUint; 2]> = OnceLock::new();
    let cell = if bits <= 1024 { &SMALL } else { &LARGE };
    cell.get_or_init(|| [bench_support::prime(bits), bench_support::prime(bits)])
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a filter.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let selected: Vec<&Measurement> = MEASUREMENTS
        .iter()
        .filter(|m| filters.is_empty() || filters.iter().any(|f| matches(m.name, f)))
        .collect();
    if let Some(iters) = env_number("BENCH_ITERS") {
        for m in selected {
            (m.run)(iters as usize);
        }
        return;
    }
    let secs = env_number("BENCH_SECS").unwrap_or(2.0);
    for m in selected {
        if m.random {
            time_search(m, secs);
        } else {
            time_fixed(m, secs);
        }
    }
}

/// `filter` is a substring of `name`, or with a trailing `$` a suffix.
fn matches(name: &str, filter: &str) -> bool {
    match filter.strip_suffix('$') {
        Some(suffix) => name.ends_with(suffix),
        None => name.contains(filter),
    }
}

fn env_number(name: &str) -> Option<f64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// 15 batches sized to fill `secs` together; the median and fastest time per operation.
fn time_fixed(m: &Measurement, secs: f64) {
    let mut n = 1;
    loop {
        let t = Instant::now();
        (m.run)(n);
        if t.elapsed() > Duration::from_millis(20) {
            break;
        }
        n *= 2;
    }
    let t = Instant::now();
    (m.run)(n);
    let per_op = t.elapsed().as_secs_f64() / n as f64;
    let batch = ((secs / 15.0 / per_op) as usize).max(1);
    let mut times: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            (m.run)(batch);
            t.elapsed().as_secs_f64() / batch as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{:<18} median {:>10}  fastest {:>10}  ({} batches of {batch})",
        m.name,
        human(times[7]),
        human(times[0]),
        times.len()
    );
}

/// Single runs until `secs` have passed (at least 15); mean, median and spread.
fn time_search(m: &Measurement, secs: f64) {
    let start = Instant::now();
    let mut times = Vec::new();
    while times.len() < 15 || start.elapsed().as_secs_f64() < secs {
        let t = Instant::now();
        (m.run)(1);
        times.push(t.elapsed().as_secs_f64());
    }
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    times.sort_by(f64::total_cmp);
    println!(
        "{:<18} mean {:>10}  median {:>10}  min {:>10}  max {:>10}  ({} runs)",
        m.name,
        human(mean),
        human(times[times.len() / 2]),
        human(times[0]),
        human(times[times.len() - 1]),
        times.len()
    );
}

fn human(secs: f64) -> String {
    if secs >= 1.0 {
        format!("{secs:.3} s")
    } else if secs >= 1e-3 {
        format!("{:.2} ms", secs * 1e3)
    } else if secs >= 1e-6 {
        format!("{:.2} µs", secs * 1e6)
    } else {
        format!("{:.1} ns", secs * 1e9)
    }
}
