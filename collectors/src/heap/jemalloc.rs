//! jemalloc's own figures, for a program whose global allocator is jemalloc
//! (`tikv_jemallocator::Jemalloc`): read through `tikv-jemalloc-ctl`.

use tikv_jemalloc_ctl::{epoch, stats};

use super::HeapReading;

/// jemalloc's answer now: `stats.resident` held, `stats.allocated` in use, the rest of
/// the resident bytes free but held (dirty pages not yet purged, partly used runs and
/// jemalloc's metadata). The error names the `mallctl` that failed.
pub(super) fn read() -> Result<HeapReading, String> {
    let failed = |name: &'static str| {
        move |error: tikv_jemalloc_ctl::Error| {
            format!("jemalloc's mallctl {name:?} failed: {error}")
        }
    };
    // The statistics are a snapshot refreshed when the epoch advances.
    epoch::advance().map_err(failed("epoch"))?;
    let resident = stats::resident::read().map_err(failed("stats.resident"))?;
    let allocated = stats::allocated::read().map_err(failed("stats.allocated"))?;
    let bytes = |value: usize| value as u64;
    Ok(HeapReading {
        allocator: "jemalloc",
        held: bytes(resident),
        in_use: bytes(allocated),
        free: bytes(resident.saturating_sub(allocated)),
    })
}
