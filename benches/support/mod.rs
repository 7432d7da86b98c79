//! What the engine and YAML benchmarks share: reading the measurement filter, `BENCH_SECS` and
//! `BENCH_ITERS`, and timing one operation in batches.

use std::time::{Duration, Instant};

pub struct Bench {
    /// The first non-flag argument: run only measurements whose name contains it (ending in
    /// `$`: only the one of exactly that name).
    filter: Option<String>,
    /// `BENCH_SECS` (2 by default): the time spent on each measurement.
    budget: Duration,
    /// `BENCH_ITERS`: run each measurement exactly this often, untimed (for profilers).
    iters: Option<u32>,
}

/// The time per call of each batch, in microseconds, fastest first.
pub struct Timed {
    pub micros: Vec<f64>,
    pub batches: u32,
    pub batch: u32,
}

impl Timed {
    pub fn median(&self) -> f64 {
        self.micros[self.micros.len() / 2]
    }

    pub fn best(&self) -> f64 {
        self.micros[0]
    }
}

impl Bench {
    pub fn from_env() -> Bench {
        Bench {
            filter: std::env::args()
                .skip(1)
                .find(|a| !a.starts_with('-'))
                .filter(|a| !a.is_empty()),
            budget: Duration::from_secs_f64(
                std::env::var("BENCH_SECS")
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(2.0),
            ),
            iters: std::env::var("BENCH_ITERS")
                .ok()
                .and_then(|s| s.parse().ok()),
        }
    }

    /// Times `f`: a warm-up, then 15 batches of about `budget / 15` each. `None` when the
    /// filter leaves the measurement out, or under `BENCH_ITERS` (then `f` ran that often).
    pub fn time(&self, name: &str, mut f: impl FnMut()) -> Option<Timed> {
        if let Some(filter) = &self.filter {
            let wanted = match filter.strip_suffix('$') {
                Some(exact) => name == exact,
                None => name.contains(filter.as_str()),
            };
            if !wanted {
                return None;
            }
        }
        if let Some(n) = self.iters {
            for _ in 0..n {
                f();
            }
            return None;
        }
        const BATCHES: u32 = 15;
        let start = Instant::now();
        let mut calls = 0u32;
        while calls < 20 || start.elapsed() < self.budget / 10 {
            f();
            calls += 1;
        }
        let per_call = start.elapsed() / calls;
        let batch = (self.budget / BATCHES).as_nanos() / per_call.as_nanos().max(1);
        let batch = u32::try_from(batch).unwrap_or(u32::MAX).max(1);
        let mut micros: Vec<f64> = (0..BATCHES)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..batch {
                    f();
                }
                t.elapsed().as_secs_f64() * 1e6 / f64::from(batch)
            })
            .collect();
        micros.sort_by(f64::total_cmp);
        Some(Timed {
            micros,
            batches: BATCHES,
            batch,
        })
    }
}
