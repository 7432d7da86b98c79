//! How late a helper thread starts while the thread that made it stays busy: with the
//! standard library's spawn, and with `chartctl::cores::spawn`, which first moves the new
//! thread to another core (see `src/cores.rs`). The maker spins for 2 ms after each spawn, as a
//! render keeps its core busy after starting a prime searcher; the figure is the time from the
//! spawn call to the first instruction of the new thread.
//!
//! Run with `cargo bench --profile quick-release --bench thread_start`. `BENCH_ROUNDS` sets the
//! number of spawns of each kind (20 by default). On one core both start late, as they must.

use std::time::{Duration, Instant};

/// How long the maker stays busy after each spawn.
const BUSY: Duration = Duration::from_millis(2);

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let mut plain = Vec::with_capacity(rounds);
    let mut steered = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        plain.push(start_delay(std::thread::spawn));
        steered.push(start_delay(|f| {
            chartctl::cores::spawn("bench", f).expect("a thread starts")
        }));
    }
    report("std::thread::spawn", &mut plain);
    report("cores::spawn", &mut steered);
}

/// Spawns a thread through `spawn`, keeps this one busy for [`BUSY`], and returns how long
/// after the spawn call the new thread began.
fn start_delay(
    spawn: impl FnOnce(Box<dyn FnOnce() -> Duration + Send>) -> std::thread::JoinHandle<Duration>,
) -> Duration {
    let asked = Instant::now();
    let handle = spawn(Box::new(move || asked.elapsed()));
    let busy = Instant::now();
    while busy.elapsed() < BUSY {
        std::hint::spin_loop();
    }
    let started = handle.join().expect("the thread does not panic");
    // Let the machine settle between rounds, as between two renders.
    std::thread::sleep(Duration::from_millis(10));
    started
}

fn report(name: &str, delays: &mut [Duration]) {
    delays.sort();
    let late = delays.iter().filter(|d| **d > BUSY / 2).count();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{name:<20} median {:7.0} us  fastest {:6.0} us  slowest {:7.0} us  started after 1 ms: {late}/{}",
        us(delays[delays.len() / 2]),
        us(delays[0]),
        us(delays[delays.len() - 1]),
        delays.len()
    );
}
