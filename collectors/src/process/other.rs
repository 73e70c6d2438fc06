//! Process readings off Linux: on macOS, Windows, FreeBSD and OpenBSD by the kept
//! `metrics-process` crate (libproc and mach on macOS, the Win32 API on Windows, sysctl
//! on the BSDs); elsewhere none (every family absent).
//!
//! CI checks that this compiles for Windows (`cargo check --target
//! x86_64-pc-windows-gnu`); nothing here runs on those platforms in CI, so the readings
//! rely on `metrics-process`'s own tests there. On macOS, `metrics-process` reads through
//! `libproc`, whose build script generates its bindings with bindgen from the macOS SDK:
//! building there needs Xcode's command-line tools (as any libproc user does). What the crate cannot
//! read stays `None` (the family is absent): page faults and the smaps breakdown always,
//! and on Windows the file-descriptor limits.

use super::ProcessReading;

/// One reading of the running process.
#[cfg(any(
    target_os = "macos",
    target_os = "windows",
    target_os = "freebsd",
    target_os = "openbsd"
))]
#[allow(clippy::cast_precision_loss)] // byte counts, limits and seconds below 2^53
pub(super) fn read() -> ProcessReading {
    let found = metrics_process::collector::collect();
    // The crate reports an unlimited limit as 0; our Linux reading (as current Go
    // procfs) reports u64::MAX.
    let limit = |value: u64| {
        if value == 0 {
            u64::MAX as f64
        } else {
            value as f64
        }
    };
    ProcessReading {
        cpu_seconds: found.cpu_seconds_total,
        resident_bytes: found.resident_memory_bytes,
        virtual_bytes: found.virtual_memory_bytes,
        virtual_max_bytes: found.virtual_memory_max_bytes.map(limit),
        open_fds: found.open_fds,
        max_fds: found.max_fds.map(limit),
        start_time_seconds: found.start_time_seconds.map(|seconds| seconds as f64),
        threads: found.threads,
        ..ProcessReading::default()
    }
}

/// A platform `metrics-process` does not read: nothing is known.
#[cfg(not(any(
    target_os = "macos",
    target_os = "windows",
    target_os = "freebsd",
    target_os = "openbsd"
)))]
pub(super) fn read() -> ProcessReading {
    ProcessReading::default()
}
