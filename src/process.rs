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
