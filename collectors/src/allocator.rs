//! [`CountingAllocator`]: an opt-in global allocator that counts, and
//! [`AllocatorCollector`], which reports the counts.
//!
//! Counting must not make allocation contended: two threads adding to one shared counter
//! make every allocation 10x slower (see BENCHMARKS.md). So each thread adds, with a
//! relaxed `fetch_add`, to its own stripe: one of 64 cache-line-padded counter blocks,
//! picked once per thread. Nothing is locked and no cache line is shared by two threads
//! (unless more than 64 threads allocate, when stripes are shared round-robin). Readers
//! sum the stripes.
//!
//! The exact peak of live bytes would need one shared counter, so the peak is the
//! highest live total seen when the counts were read (at every scrape, or by calling
//! [`AllocatorCounts::read`]), and [`reset_peak`] starts it again.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use actorscope::model::{ModelError, Unit};
use actorscope::registry::{CollectError, Collector, ScrapeContext};
use actorscope::stats::{Counter, Gauge};
use actorscope::write::{Metric, Writer};

const STRIPES: usize = 64;

/// One thread's counters, alone on its cache lines.
#[repr(align(128))]
struct Stripe {
    allocations: AtomicU64,
    deallocations: AtomicU64,
    reallocations: AtomicU64,
    allocated_bytes: AtomicU64,
    freed_bytes: AtomicU64,
}

impl Stripe {
    const fn new() -> Self {
        Self {
            allocations: AtomicU64::new(0),
            deallocations: AtomicU64::new(0),
            reallocations: AtomicU64::new(0),
            allocated_bytes: AtomicU64::new(0),
            freed_bytes: AtomicU64::new(0),
        }
    }
}

static COUNTS: [Stripe; STRIPES] = [const { Stripe::new() }; STRIPES];
static NEXT_STRIPE: AtomicUsize = AtomicUsize::new(0);
static PEAK_LIVE: AtomicU64 = AtomicU64::new(0);

thread_local! {
    // `const` and `Cell<usize>`: no lazy initialisation and no destructor, so using it
    // never allocates (which would recurse into the allocator).
    static MY_STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// This thread's stripe; stripe 0 while the thread's locals are being torn down.
#[inline]
fn stripe() -> &'static Stripe {
    let index = MY_STRIPE
        .try_with(|mine| {
            let mut index = mine.get();
            if index == usize::MAX {
                index = NEXT_STRIPE.fetch_add(1, Ordering::Relaxed) % STRIPES;
                mine.set(index);
            }
            index
        })
        .unwrap_or(0);
    &COUNTS[index]
}

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

#[inline]
fn count_allocation(size: usize) {
    let stripe = stripe();
    stripe.allocations.fetch_add(1, Ordering::Relaxed);
    stripe
        .allocated_bytes
        .fetch_add(size as u64, Ordering::Relaxed);
}

#[inline]
fn count_deallocation(size: usize) {
    let stripe = stripe();
    stripe.deallocations.fetch_add(1, Ordering::Relaxed);
    stripe.freed_bytes.fetch_add(size as u64, Ordering::Relaxed);
}

#[inline]
fn count_reallocation(old: usize, new: usize) {
    let stripe = stripe();
    stripe.reallocations.fetch_add(1, Ordering::Relaxed);
    if new >= old {
        stripe
            .allocated_bytes
            .fetch_add((new - old) as u64, Ordering::Relaxed);
    } else {
        stripe
            .freed_bytes
            .fetch_add((old - new) as u64, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards its arguments unchanged to `inner`, which upholds the
// `GlobalAlloc` contract, and counts only after a successful call. The counting touches
// static atomics and a `const` thread-local `Cell` (`try_with`), neither of which
// allocates, so it cannot recurse into the allocator.
#[allow(unsafe_code)]
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAllocator<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        let pointer = unsafe { self.inner.alloc(layout) };
        if !pointer.is_null() {
            count_allocation(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let pointer = unsafe { self.inner.alloc_zeroed(layout) };
        if !pointer.is_null() {
            count_allocation(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees `pointer` came from this allocator with `layout`,
        // and every pointer this allocator hands out came from `inner`.
        unsafe { self.inner.dealloc(pointer, layout) };
        count_deallocation(layout.size());
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, with the caller's guarantees about `new_size`.
        let moved = unsafe { self.inner.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            count_reallocation(layout.size(), new_size);
        }
        moved
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
    /// The highest `live_bytes` any read has seen since the last [`reset_peak`].
    pub peak_live_bytes: u64,
}

impl AllocatorCounts {
    /// Sums the stripes now and updates the peak. Threads keep allocating meanwhile, so
    /// the totals are each exact but not taken at one instant; all zero when no
    /// `CountingAllocator` is installed.
    #[must_use]
    pub fn read() -> Self {
        let mut counts = Self::default();
        for stripe in &COUNTS {
            counts.allocations += stripe.allocations.load(Ordering::Relaxed);
            counts.deallocations += stripe.deallocations.load(Ordering::Relaxed);
            counts.reallocations += stripe.reallocations.load(Ordering::Relaxed);
            counts.allocated_bytes += stripe.allocated_bytes.load(Ordering::Relaxed);
            counts.freed_bytes += stripe.freed_bytes.load(Ordering::Relaxed);
        }
        counts.live_bytes = counts.allocated_bytes.saturating_sub(counts.freed_bytes);
        let before = PEAK_LIVE.fetch_max(counts.live_bytes, Ordering::Relaxed);
        counts.peak_live_bytes = before.max(counts.live_bytes);
        counts
    }
}

/// Starts a new peak from the live bytes now (a resettable high-water mark).
pub fn reset_peak() {
    let counts = AllocatorCounts::read();
    PEAK_LIVE.store(counts.live_bytes, Ordering::Relaxed);
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
        Metric::gauge("actorscope_allocator_peak_live_bytes", "Highest live bytes seen when the counts were read (at scrapes), since start or the last reset.").unit(Unit::Bytes),
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
