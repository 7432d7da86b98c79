//! Freeing at the end of a run. A `chartctl` process exits as soon as it has printed, and the
//! operating system takes its memory back at once; walking the parsed templates, the values
//! and the rendered files to free them piece by piece only delays the exit (a few percent of
//! a whole render). The binary turns that walk off with [`skip_at_exit`] for `template`, which
//! renders once, and for a `lint` of one chart with one set of values; a `lint` of many charts
//! or values sets in one process, and code that uses the library (tests, benchmarks), keep
//! freeing normally.

use std::sync::atomic::{AtomicBool, Ordering};

static SKIP: AtomicBool = AtomicBool::new(false);

/// Makes [`discard`] leave its values to the end of the process. Only for a process that
/// ends after one command.
pub fn skip_at_exit() {
    SKIP.store(true, Ordering::Relaxed);
}

/// Drops `value`, or, after [`skip_at_exit`], leaves it for the process's end.
pub fn discard<T>(value: T) {
    if SKIP.load(Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}
