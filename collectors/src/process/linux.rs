//! Linux: `/proc/self/{stat,limits,fd,smaps_rollup}` through procfs.

use procfs::process::{LimitValue, Limits, Process, SmapsRollup, Stat};

use super::{ProcessReading, SmapsReading};

/// What a reading is computed from; live, or parsed from captured files in tests.
pub(super) struct Sources {
    pub(super) stat: Stat,
    pub(super) limits: Option<Limits>,
    pub(super) open_fds: Option<u64>,
    pub(super) ticks_per_second: u64,
    pub(super) page_size: u64,
    pub(super) boot_time_seconds: Option<u64>,
}

/// An unlimited limit, as current Go procfs exports it.
#[allow(clippy::cast_precision_loss)]
const UNLIMITED: f64 = u64::MAX as f64;

#[allow(clippy::cast_precision_loss)] // counts and tick totals are exact below 2^53
fn limit(value: LimitValue) -> f64 {
    match value {
        LimitValue::Unlimited => UNLIMITED,
        LimitValue::Value(value) => value as f64,
    }
}

#[allow(clippy::cast_precision_loss)]
pub(super) fn reading(sources: &Sources, smaps: Option<SmapsReading>) -> ProcessReading {
    let stat = &sources.stat;
    let ticks = sources.ticks_per_second.max(1) as f64;
    ProcessReading {
        cpu_seconds: Some((stat.utime + stat.stime) as f64 / ticks),
        resident_bytes: Some(stat.rss.saturating_mul(sources.page_size)),
        virtual_bytes: Some(stat.vsize),
        virtual_max_bytes: sources
            .limits
            .as_ref()
            .map(|l| limit(l.max_address_space.soft_limit)),
        open_fds: sources.open_fds,
        max_fds: sources
            .limits
            .as_ref()
            .map(|l| limit(l.max_open_files.soft_limit)),
        start_time_seconds: sources
            .boot_time_seconds
            .map(|boot| boot as f64 + stat.starttime as f64 / ticks),
        threads: u64::try_from(stat.num_threads).ok(),
        minor_faults: Some(stat.minflt),
        major_faults: Some(stat.majflt),
        smaps,
    }
}

/// The breakdown from a parsed `smaps_rollup` (values there are in bytes).
pub(super) fn smaps_reading(rollup: &SmapsRollup) -> Option<SmapsReading> {
    let map = &rollup.memory_map_rollup.0.first()?.extension.map;
    let get = |key: &str| map.get(key).copied().unwrap_or(0);
    Some(SmapsReading {
        proportional: get("Pss"),
        anonymous: get("Anonymous"),
        file_backed: get("Rss").saturating_sub(get("Anonymous")),
        shared: get("Shared_Clean") + get("Shared_Dirty"),
        swap: get("Swap"),
    })
}

/// Reads the process now. The `/proc/self` handle is opened for this reading only, so
/// it is not left counted among the open descriptors.
pub(super) fn read_live(smaps: impl FnOnce() -> Option<SmapsReading>) -> ProcessReading {
    let Ok(process) = Process::myself() else {
        return ProcessReading::default();
    };
    let Ok(stat) = process.stat() else {
        return ProcessReading::default();
    };
    let sources = Sources {
        stat,
        limits: process.limits().ok(),
        open_fds: process.fd_count().ok().map(|n| n as u64),
        ticks_per_second: procfs::ticks_per_second(),
        page_size: procfs::page_size(),
        boot_time_seconds: procfs::boot_time_secs().ok(),
    };
    drop(process);
    reading(&sources, smaps())
}

/// The live smaps breakdown, if the kernel has `smaps_rollup` (Linux 4.14+).
pub(super) fn read_smaps_live() -> Option<SmapsReading> {
    let rollup = Process::myself().ok()?.smaps_rollup().ok()?;
    smaps_reading(&rollup)
}

/// The kernel release (`6.1.0-18-amd64`), or `unknown`.
pub(super) fn kernel_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|release| release.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}
