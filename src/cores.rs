//! Helper threads that start on another core at once.
//!
//! Linux often runs a new thread on the core of the thread that made it, queued behind it,
//! until that thread blocks or the load balancer moves one of them: on a two-core machine a
//! new thread started about 2.1 ms late in 15 to 18 of 20 tries while its maker kept busy
//! (`cargo bench --bench thread_start`), and a prime search's helper lost that time to every
//! key-making render. A thread started here first moves itself to another of the cores its
//! maker may use, while the maker waits, then takes back the whole set, so that it stays free
//! to move when its core gets busy: it then began 0.17-0.19 ms after the spawn (median), and
//! never after 1 ms in three runs of 20. One mechanism serves scoped and unscoped threads (a
//! scoped thread's handle gives no way to move it from outside).

use std::io;
use std::sync::mpsc::Receiver;
use std::thread::{Builder, JoinHandle, Scope, ScopedJoinHandle};

/// Starts `f` on a new thread named `name`, on a core other than the caller's where the
/// caller may run on several.
pub fn spawn<F, T>(name: &str, f: F) -> io::Result<JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let (f, moved) = steered(f);
    let handle = Builder::new().name(name.to_string()).spawn(f)?;
    wait(moved);
    Ok(handle)
}

/// [`spawn`] for a scoped thread, built by `builder`.
pub fn spawn_scoped<'scope, F, T>(
    scope: &'scope Scope<'scope, '_>,
    builder: Builder,
    f: F,
) -> io::Result<ScopedJoinHandle<'scope, T>>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    let (f, moved) = steered(f);
    let handle = builder.spawn_scoped(scope, f)?;
    wait(moved);
    Ok(handle)
}

/// Waits until a new thread has moved off this core (or ended, or never started). Blocking
/// also lets it run on this core until it has moved.
fn wait(moved: Option<Receiver<()>>) {
    if let Some(moved) = moved {
        let _ = moved.recv();
    }
}

/// `f`, made to run first on another of the cores the caller may use, and what tells the
/// caller it has moved; `f` as it is where there is no other core to move to.
#[cfg(target_os = "linux")]
fn steered<F, T>(f: F) -> (impl FnOnce() -> T + Send, Option<Receiver<()>>)
where
    F: FnOnce() -> T + Send,
{
    let cores = linux::cores_elsewhere();
    let (tell, moved) = match cores {
        Some(_) => {
            let (tell, moved) = std::sync::mpsc::channel();
            (Some(tell), Some(moved))
        }
        None => (None, None),
    };
    let run = move || {
        if let (Some((allowed, elsewhere)), Some(tell)) = (cores, tell) {
            // Moves this thread to one of the other cores before it returns.
            linux::set_affinity(&elsewhere);
            let _ = tell.send(());
            linux::set_affinity(&allowed);
        }
        f()
    };
    (run, moved)
}

#[cfg(not(target_os = "linux"))]
fn steered<F, T>(f: F) -> (F, Option<Receiver<()>>)
where
    F: FnOnce() -> T + Send,
{
    (f, None)
}

#[cfg(target_os = "linux")]
mod linux {
    /// Restricts the calling thread to `set`; a failure leaves it where it is, which is only
    /// slower.
    pub(super) fn set_affinity(set: &libc::cpu_set_t) {
        // SAFETY: `set` is a valid set of the size given; 0 names the calling thread.
        unsafe {
            libc::sched_setaffinity(0, std::mem::size_of_val(set), set);
        }
    }

    /// The cores the calling thread may run on, and the same without the current one, when
    /// there is another.
    pub(super) fn cores_elsewhere() -> Option<(libc::cpu_set_t, libc::cpu_set_t)> {
        let allowed = allowed_cores()?;
        // SAFETY: sched_getcpu takes no arguments and only reads the calling thread's state.
        let current = usize::try_from(unsafe { libc::sched_getcpu() }).ok()?;
        let mut elsewhere = allowed;
        // SAFETY: CPU_CLR and CPU_COUNT only touch the set they are given; a core number past
        // the set's size is ignored.
        let others = unsafe {
            libc::CPU_CLR(current, &mut elsewhere);
            libc::CPU_COUNT(&elsewhere)
        };
        (others > 0).then_some((allowed, elsewhere))
    }

    /// The cores the calling thread may run on, when there are several.
    pub(super) fn allowed_cores() -> Option<libc::cpu_set_t> {
        // SAFETY: cpu_set_t is plain data, valid when zeroed; sched_getaffinity writes at most
        // the size it is given; 0 names the calling thread.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set) != 0 {
                return None;
            }
            (libc::CPU_COUNT(&set) > 1).then_some(set)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_thread_runs_and_returns() {
        let handle = super::spawn("test", || 6 * 7).expect("a thread starts");
        assert_eq!(handle.join().expect("no panic"), 42);
    }

    #[test]
    fn a_scoped_thread_runs_and_borrows() {
        let borrowed = [6, 7];
        let product = std::thread::scope(|s| {
            super::spawn_scoped(s, std::thread::Builder::new(), || borrowed[0] * borrowed[1])
                .expect("a thread starts")
                .join()
                .expect("no panic")
        });
        assert_eq!(product, 42);
    }

    /// The narrow set is only for the start: the thread ends up with the caller's cores.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_thread_gets_the_callers_cores_back() {
        // SAFETY: CPU_COUNT only reads the set it is given.
        let count = || super::linux::allowed_cores().map(|set| unsafe { libc::CPU_COUNT(&set) });
        let mine = count();
        let theirs = super::spawn("test", count)
            .expect("a thread starts")
            .join()
            .expect("no panic");
        assert_eq!(theirs, mine);
        let scoped = std::thread::scope(|s| {
            super::spawn_scoped(s, std::thread::Builder::new(), count)
                .expect("a thread starts")
                .join()
                .expect("no panic")
        });
        assert_eq!(scoped, mine);
    }
}
