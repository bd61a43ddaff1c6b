//! Process-wide settings for the gwlint binaries (the CLI and the benchmark), not for library
//! users: a library must not change its host process.

/// Turns transparent huge pages off for this process.
///
/// The allocator maps memory in large regions, and with huge pages the kernel zeroes each 2 MiB
/// page on first touch, whether the run needs all of it or not. On the 100k-document benchmark
/// that zeroing was a third of the wall time (1.6 s of system time against 0.6 s without).
/// Harmless where the kernel has no such setting: the call fails and nothing changes.
pub fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_e`, the same in mimalloc 2 and
/// 3; the sys crate names only some of the options).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Has the allocator return freed pages to the system 10 ms after they empty (mimalloc 2's
/// default) instead of mimalloc 3's full second.
///
/// A run is over in about a second, so with a second's delay little of what loading freed (the
/// YAML trees, the parser's buffers) went back before the graph and the checks grew on top of it.
/// Peak RSS on the benchmark: 6% lower at 100k documents, 5% at 300k, 7% on the crowded shape,
/// with no change in time beyond noise (1 ms saved a little more memory, and cost 2-3% of time).
pub fn prompt_purge() {
    // SAFETY: sets one option value; called first thing in main, before any other thread.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10);
    }
}

/// CPU time of all the process's threads so far (utime + stime from `/proc/self/stat`, in the
/// kernel's fixed 100 Hz user ticks); zero where there is no such file. A stage whose CPU time
/// is not about twice its wall time on two cores runs serially.
pub fn cpu_time() -> std::time::Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name in parentheses may hold spaces: fields are counted after it.
    let fields: Vec<u64> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let ticks = fields.get(11).unwrap_or(&0) + fields.get(12).unwrap_or(&0);
    std::time::Duration::from_millis(ticks * 10)
}
