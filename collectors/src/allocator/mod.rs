//! [`CountingAllocator`]: an opt-in global allocator that counts, and
//! [`AllocatorCollector`], which reports the counts.
//!
//! Counting must not make allocation contended: two threads adding to one shared counter
//! make every allocation 10x slower (see BENCHMARKS.md). So each thread counts on a
//! stripe of its own, and the live-heap high-water mark is kept within 64 KiB per
//! allocating thread of exact ([`stripes`] says how). Readers sum the stripes.

mod stripes;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::Ordering;

use actorscope::model::{ModelError, Unit};
use actorscope::registry::{CollectError, Collector, ScrapeContext};
use actorscope::stats::{Counter, Gauge};
use actorscope::write::{Metric, Writer};

use stripes::{count, count_fast, count_slow, Change, STRIPES};

/// A global allocator that counts allocations, deallocations and bytes, then passes
/// every call to the allocator it wraps (the system allocator by default).
///
/// Install it in the binary (a library must not choose the global allocator):
///
/// ```
/// use actorscope_collectors::CountingAllocator;
///
/// #[global_allocator]
/// static ALLOCATOR: CountingAllocator = CountingAllocator::system();
/// ```
///
/// A `realloc` counts as one reallocation, and its size change as bytes allocated (when
/// it grows) or freed (when it shrinks).
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingAllocator<A = System> {
    inner: A,
}

impl CountingAllocator<System> {
    /// Counts around the system allocator.
    #[must_use]
    pub const fn system() -> Self {
        Self { inner: System }
    }
}

impl<A> CountingAllocator<A> {
    /// Counts around `inner`.
    pub const fn new(inner: A) -> Self {
        Self { inner }
    }
}

// SAFETY: every method forwards its arguments unchanged to `inner`, which upholds the
// `GlobalAlloc` contract, and counts only a successful call (a `dealloc` cannot fail, so
// it counts first). The counting touches static atomics and `const` thread-local `Cell`s
// (`try_with`), none of which allocates; claiming a stripe touches one more thread
// local once, whose registration
// may allocate, and that allocation counts on a shared stripe (`stripes::claim`), so
// counting cannot recurse into itself.
#[allow(unsafe_code)]
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAllocator<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        let pointer = unsafe { self.inner_alloc(layout) };
        if !pointer.is_null() {
            count(Change::Allocation(layout.size() as u64));
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let pointer = unsafe { self.inner_alloc_zeroed(layout) };
        if !pointer.is_null() {
            count(Change::Allocation(layout.size() as u64));
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // Counted first, so the call to `inner` is the last thing done (a tail call: no
        // frame of this function stays around it; a `dealloc` cannot fail), and the slow
        // path is a call of its own that frees too, so the fast one saves no register.
        if count_fast(Change::Deallocation(layout.size() as u64)) {
            // SAFETY: the caller guarantees `pointer` came from this allocator with
            // `layout`, and every pointer this allocator hands out came from `inner`.
            unsafe { self.inner.dealloc(pointer, layout) }
        } else {
            // SAFETY: as above.
            unsafe { self.dealloc_slowly(pointer, layout) }
        }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, with the caller's guarantees about `new_size`.
        let moved = unsafe { self.inner_realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            // Sizes fit `isize`, so they and their difference fit `i64`.
            count(Change::Reallocation(new_size as i64 - layout.size() as i64));
        }
        moved
    }
}

// The calls that count after `inner` returns call it out of line. Inlined, the wrapped
// allocator's own stack frame (the system allocator keeps room for `posix_memalign`'s
// out-parameter) merges into the caller's, which must outlive the call anyway, to count
// after it; apart, that frame is one saved register, and `inner`'s common path stays a
// jump into `malloc` (measured: BENCHMARKS.md, "Counting allocator", 2026-12-08).
#[allow(unsafe_code)]
impl<A: GlobalAlloc> CountingAllocator<A> {
    /// `inner.alloc`, out of line.
    ///
    /// # Safety
    /// As for [`GlobalAlloc::alloc`].
    #[inline(never)]
    unsafe fn inner_alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        unsafe { self.inner.alloc(layout) }
    }

    /// `inner.alloc_zeroed`, out of line.
    ///
    /// # Safety
    /// As for [`GlobalAlloc::alloc_zeroed`].
    #[inline(never)]
    unsafe fn inner_alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc_zeroed` is passed on as it is.
        unsafe { self.inner.alloc_zeroed(layout) }
    }

    /// `inner.realloc`, out of line.
    ///
    /// # Safety
    /// As for [`GlobalAlloc::realloc`].
    #[inline(never)]
    unsafe fn inner_realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc` is passed on as it is.
        unsafe { self.inner.realloc(pointer, layout, new_size) }
    }

    /// `dealloc` when [`count_fast`] could not count it alone: finishes the count, then
    /// frees.
    ///
    /// # Safety
    /// As for [`GlobalAlloc::dealloc`].
    #[cold]
    #[inline(never)]
    unsafe fn dealloc_slowly(&self, pointer: *mut u8, layout: Layout) {
        count_slow(Change::Deallocation(layout.size() as u64));
        // SAFETY: the caller's contract for `dealloc` is passed on as it is.
        unsafe { self.inner.dealloc(pointer, layout) }
    }
}

/// The counts of the installed [`CountingAllocator`], summed over its stripes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct AllocatorCounts {
    /// Successful `alloc` and `alloc_zeroed` calls.
    pub allocations: u64,
    /// `dealloc` calls.
    pub deallocations: u64,
    /// Successful `realloc` calls.
    pub reallocations: u64,
    /// Bytes handed out (reallocations count their growth).
    pub allocated_bytes: u64,
    /// Bytes given back (reallocations count their shrinkage).
    pub freed_bytes: u64,
    /// `allocated_bytes - freed_bytes`.
    pub live_bytes: u64,
    /// The high-water mark of `live_bytes` since start or the last [`reset_peak`]: the
    /// most live at once, within 64 KiB per allocating thread (each thread adds its net
    /// change to a shared total before it reaches 64 KiB, raising the mark, and a read
    /// raises it to the exact live bytes it sums).
    pub peak_live_bytes: u64,
}

impl AllocatorCounts {
    /// Sums the stripes now and reads the high-water mark. Threads keep allocating
    /// meanwhile, so the totals are each exact but not taken at one instant; all zero
    /// when no `CountingAllocator` is installed.
    #[must_use]
    pub fn read() -> Self {
        let mut counts = Self::default();
        for stripe in &STRIPES {
            counts.allocations += stripe.allocations.load(Ordering::Relaxed);
            counts.deallocations += stripe.deallocations.load(Ordering::Relaxed);
            counts.reallocations += stripe.reallocations.load(Ordering::Relaxed);
            counts.allocated_bytes += stripe.allocated_bytes.load(Ordering::Relaxed);
            counts.freed_bytes += stripe.freed_bytes.load(Ordering::Relaxed);
        }
        counts.live_bytes = counts.allocated_bytes.saturating_sub(counts.freed_bytes);
        counts.peak_live_bytes = stripes::peak(counts.live_bytes);
        counts
    }
}

/// Starts the high-water mark again from the live bytes now.
pub fn reset_peak() {
    stripes::reset_peak(AllocatorCounts::read().live_bytes);
}

/// Reports the [`CountingAllocator`]'s counts; writes nothing when none is installed.
#[derive(Debug, Default, Clone, Copy)]
pub struct AllocatorCollector;

impl Collector for AllocatorCollector {
    async fn collect(&self, _cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
        Ok(write(&AllocatorCounts::read(), out)?)
    }

    fn check(&self) -> Result<(), ModelError> {
        let counts = AllocatorCounts {
            allocations: 1,
            ..AllocatorCounts::default()
        };
        write(
            &counts,
            &mut Writer::new(&mut actorscope::MetricSnapshot::new()),
        )
    }
}

/// Which count a family reports.
type Reading = fn(&AllocatorCounts) -> u64;

const COUNTERS: [(Metric<'static, Counter>, Reading); 5] = [
    (
        Metric::counter(
            "actorscope_allocator_allocations_total",
            "Allocations made through the counting allocator.",
        ),
        |counts| counts.allocations,
    ),
    (
        Metric::counter(
            "actorscope_allocator_deallocations_total",
            "Deallocations made through the counting allocator.",
        ),
        |counts| counts.deallocations,
    ),
    (
        Metric::counter(
            "actorscope_allocator_reallocations_total",
            "Reallocations made through the counting allocator.",
        ),
        |counts| counts.reallocations,
    ),
    (
        Metric::counter(
            "actorscope_allocator_allocated_bytes_total",
            "Bytes allocated (reallocations count their growth).",
        )
        .unit(Unit::Bytes),
        |counts| counts.allocated_bytes,
    ),
    (
        Metric::counter(
            "actorscope_allocator_freed_bytes_total",
            "Bytes freed (reallocations count their shrinkage).",
        )
        .unit(Unit::Bytes),
        |counts| counts.freed_bytes,
    ),
];
const GAUGES: [(Metric<'static, Gauge>, Reading); 2] = [
    (
        Metric::gauge("actorscope_allocator_live_bytes", "Bytes allocated and not yet freed.").unit(Unit::Bytes),
        |counts| counts.live_bytes,
    ),
    (
        Metric::gauge("actorscope_allocator_peak_live_bytes", "High-water mark of live bytes since start or the last reset, within 64 KiB per allocating thread.").unit(Unit::Bytes),
        |counts| counts.peak_live_bytes,
    ),
];

fn write(counts: &AllocatorCounts, out: &mut Writer<'_>) -> Result<(), ModelError> {
    if counts.allocations == 0 {
        return Ok(());
    }
    for (metric, value) in COUNTERS {
        out.family(metric).add((), value(counts))?;
    }
    for (metric, value) in GAUGES {
        out.family(metric).add((), value(counts))?;
    }
    Ok(())
}
