//! Helper threads that start on another core at once.
//!
//! Linux often runs a new thread on the core of the thread that made it, queued behind it,
//! until that thread blocks or the load balancer moves one of them: on a two-core machine a
//! new thread measured to start 1.3 to 2.1 ms late in 16 of 20 tries while its maker kept
//! busy, and a prime search's helper lost that time to every key-making render. [`spawn`]
//! steers the new thread off the current core (it then started within 0.25 ms in 19 of 20
//! tries), and the thread takes back the caller's whole set of cores as soon as it runs, so
//! that it stays free to move when its core gets busy. [`spawn_scoped`] does the same for
//! threads that borrow from their caller (lint's document parser and schema compiler).

use std::io;
use std::thread::{Builder, JoinHandle};

/// Starts `f` on a new thread named `name`, on a core other than the caller's where the
/// caller may run on several.
pub fn spawn<F, T>(name: &str, f: F) -> io::Result<JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    imp::spawn(Builder::new().name(name.to_string()), f)
}

/// [`spawn`] for a scoped thread, built by `builder`. The caller waits until the new thread
/// has moved itself off the caller's core (tens of microseconds), as a scoped thread's
/// handle gives no way to move it from outside.
pub fn spawn_scoped<'scope, 'env, F, T>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    builder: Builder,
    f: F,
) -> io::Result<std::thread::ScopedJoinHandle<'scope, T>>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    imp::spawn_scoped(scope, builder, f)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::io;
    use std::os::unix::thread::JoinHandleExt;
    use std::sync::{Arc, Mutex, PoisonError};
    use std::thread::{Builder, JoinHandle};

    pub fn spawn<F, T>(builder: Builder, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let Some((allowed, elsewhere)) = cores_elsewhere() else {
            return builder.spawn(f);
        };
        // The new thread waits until it has been steered before it widens its set again;
        // otherwise a thread that ran at once could have its wide set replaced by the narrow.
        let gate = Arc::new(Mutex::new(()));
        let closed = gate.lock().unwrap_or_else(PoisonError::into_inner);
        let handle = builder.spawn({
            let gate = Arc::clone(&gate);
            move || {
                drop(gate.lock().unwrap_or_else(PoisonError::into_inner));
                // SAFETY: `allowed` is a valid set of the size given; 0 names this thread. A
                // failure leaves the thread where it is, which is only slower.
                unsafe {
                    libc::sched_setaffinity(0, std::mem::size_of_val(&allowed), &allowed);
                }
                f()
            }
        })?;
        // SAFETY: the handle's thread is alive (it cannot finish before `closed` is dropped),
        // and `elsewhere` is a valid set of the size given. A failure leaves the thread where
        // the system put it.
        unsafe {
            libc::pthread_setaffinity_np(
                handle.as_pthread_t(),
                std::mem::size_of_val(&elsewhere),
                &elsewhere,
            );
        }
        drop(closed);
        Ok(handle)
    }

    pub fn spawn_scoped<'scope, 'env, F, T>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        builder: Builder,
        f: F,
    ) -> io::Result<std::thread::ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let Some((allowed, elsewhere)) = cores_elsewhere() else {
            return builder.spawn_scoped(scope, f);
        };
        let (moved, wait) = std::sync::mpsc::channel();
        let handle = builder.spawn_scoped(scope, move || {
            // SAFETY: both sets are valid sets of the size given; 0 names this thread. The
            // first call moves it to one of the other cores before returning; the second
            // leaves it there, free to move again. A failure leaves it where it is.
            unsafe {
                libc::sched_setaffinity(0, std::mem::size_of_val(&elsewhere), &elsewhere);
            }
            let _ = moved.send(());
            unsafe {
                libc::sched_setaffinity(0, std::mem::size_of_val(&allowed), &allowed);
            }
            f()
        })?;
        // Blocking here also lets the new thread run on this core until it has moved.
        let _ = wait.recv();
        Ok(handle)
    }

    /// The cores the calling thread may run on and the same without the current one, when
    /// there is another.
    fn cores_elsewhere() -> Option<(libc::cpu_set_t, libc::cpu_set_t)> {
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

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::io;
    use std::thread::{Builder, JoinHandle};

    pub fn spawn_scoped<'scope, 'env, F, T>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        builder: Builder,
        f: F,
    ) -> io::Result<std::thread::ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        builder.spawn_scoped(scope, f)
    }

    pub fn spawn<F, T>(builder: Builder, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        builder.spawn(f)
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
        let count = || super::imp::allowed_cores().map(|set| unsafe { libc::CPU_COUNT(&set) });
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
