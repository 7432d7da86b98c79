//! Transparent huge pages for the heap, by chart size. mimalloc asks the kernel for 2 MiB pages
//! for its heap (`MADV_HUGEPAGE`), and the kernel zeroes each such page whole at its first
//! touch. A large chart's render fills the pages it touches and gains from that (a 4 KiB page
//! costs a fault of its own); a small chart's touches a few hundred KB spread over several
//! 2 MiB pages, and pays for zeroing far more memory than it uses. The binary turns huge pages
//! off for itself at start ([`defer`]) and back on once the chart is loaded, if it is large
//! ([`allow_if_large`]). Measured over the corpus (BENCHMARKS.md): charts below the bound 6-15%
//! faster without huge pages, larger ones up to 12% slower.
//!
//! Only the binary turns them off. In the library (tests, benchmarks) [`allow_if_large`] finds
//! them on and leaves them so; a `lint` of several charts keeps them on from the first large
//! one.

/// The bytes of templates and files (subcharts included) from which a chart's render keeps
/// huge pages.
pub const LARGE_CHART: usize = 512 * 1024;

/// Turns transparent huge pages off for this process's later page faults. Linux only; nothing
/// elsewhere, or where the kernel refuses.
pub fn defer() {
    set_disabled(true);
}

/// Turns transparent huge pages back on for a chart of `bytes` bytes of templates and files
/// from [`LARGE_CHART`] up.
pub fn allow_if_large(bytes: usize) {
    if bytes >= LARGE_CHART {
        set_disabled(false);
    }
}

#[cfg(target_os = "linux")]
fn set_disabled(disabled: bool) {
    // SAFETY: prctl with PR_SET_THP_DISABLE takes a flag and zeros, touches no memory of
    // ours; a kernel that refuses leaves the setting as it was, which is harmless.
    unsafe {
        libc::prctl(
            libc::PR_SET_THP_DISABLE,
            libc::c_ulong::from(disabled),
            0,
            0,
            0,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn set_disabled(_disabled: bool) {}
