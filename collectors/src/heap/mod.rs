//! [`HeapCollector`]: what the C allocator itself holds, and how much of that is free
//! (fragmentation), read from glibc's `mallinfo2` at scrape time, or with the `jemalloc`
//! feature from jemalloc's own statistics.

#[cfg(feature = "jemalloc")]
mod jemalloc;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actorscope::model::{ModelError, Unit};
use actorscope::registry::{CollectError, Collector, ScrapeContext};
use actorscope::stats::Gauge;
use actorscope::write::{Metric, Writer};

/// What the allocator said about its heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeapReading {
    /// Which allocator answered (the `allocator` label).
    pub(crate) allocator: &'static str,
    /// Bytes it holds from the OS: its arenas and its directly mapped blocks.
    pub(crate) held: u64,
    /// Of those, bytes handed out to the program.
    pub(crate) in_use: u64,
    /// Of those, bytes held but free: freed chunks it keeps, and the arenas' unused tops.
    pub(crate) free: u64,
}

/// Reports the C allocator's own view of the heap: bytes held from the OS, handed out,
/// and held but free, labelled with the allocator that answered. `free / held` is the
/// heap's fragmentation (the dashboard warns at 25%); compare `held` with the counting
/// allocator's `actorscope_allocator_live_bytes` and with `process_resident_memory_bytes`.
///
/// Read on Linux with glibc through `mallinfo2` (glibc 2.33 or later), which sums every
/// arena. Reading holds each arena's lock while it walks that arena's free lists, so it
/// costs more the more free chunks there are (7 µs on a tidy heap, 1.1 ms with 100,000
/// free chunks, BENCHMARKS.md), and threads allocating from that arena wait meanwhile:
/// so it is read at most every [`DEFAULT_HEAP_INTERVAL`] (see
/// [`with_interval`](HeapCollector::with_interval)), and scrapes in between repeat the
/// last reading. This is the allocator Rust uses
/// by default there (and what `CountingAllocator::system()` wraps). Elsewhere, or with
/// another C library, it writes nothing. A program whose global allocator is jemalloc or
/// mimalloc has its own heap, which this does not see: then the figures describe only
/// what goes through glibc's `malloc` (C libraries). For jemalloc, use
/// [`HeapCollector::jemalloc`] (feature `jemalloc`).
///
/// ```
/// use actorscope::registry::MetricsRegistry;
/// use actorscope_collectors::HeapCollector;
///
/// let registry = MetricsRegistry::new();
/// registry.register("heap", HeapCollector::new())?;
/// # Ok::<(), actorscope::registry::RegisterError>(())
/// ```
#[derive(Debug)]
pub struct HeapCollector {
    source: Source,
    interval: Duration,
    last: Mutex<Option<(Instant, HeapReading)>>,
}

/// Which allocator is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Glibc,
    #[cfg(feature = "jemalloc")]
    Jemalloc,
}

impl Source {
    /// The allocator's answer now: none where it cannot tell, an error naming what failed.
    fn read(self) -> Result<Option<HeapReading>, String> {
        match self {
            Self::Glibc => Ok(read()),
            #[cfg(feature = "jemalloc")]
            Self::Jemalloc => jemalloc::read().map(Some),
        }
    }
}

/// How often the heap is read unless told otherwise.
pub const DEFAULT_HEAP_INTERVAL: Duration = Duration::from_secs(10);

impl HeapCollector {
    /// Reads the heap at most every [`DEFAULT_HEAP_INTERVAL`].
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads jemalloc's own statistics instead of glibc's, for a program whose global
    /// allocator is jemalloc (`#[global_allocator] static A: tikv_jemallocator::Jemalloc`,
    /// the tikv-jemallocator crate): `stats.resident` as held, `stats.allocated` as in
    /// use, and the difference (dirty pages not yet given back, partly used runs,
    /// jemalloc's metadata) as free but held, labelled `allocator="jemalloc"`. Reading
    /// advances jemalloc's statistics epoch, which merges every arena's counters (its
    /// cost is not benchmarked here), at most every [`DEFAULT_HEAP_INTERVAL`] too. A failing `mallctl`
    /// fails the scrape of this collector with an error naming it. Feature `jemalloc`
    /// (which builds jemalloc's C code, about a minute on two cores).
    ///
    /// ```
    /// use actorscope::registry::MetricsRegistry;
    /// use actorscope_collectors::HeapCollector;
    ///
    /// let registry = MetricsRegistry::new();
    /// registry.register("heap", HeapCollector::jemalloc())?;
    /// # Ok::<(), actorscope::registry::RegisterError>(())
    /// ```
    #[cfg(feature = "jemalloc")]
    #[must_use]
    pub fn jemalloc() -> Self {
        Self {
            source: Source::Jemalloc,
            ..Self::default()
        }
    }

    /// Reads the heap at most every `interval` (zero: at every scrape).
    #[must_use]
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The last reading if it is recent enough, else a new one.
    fn reading(&self) -> Result<Option<HeapReading>, String> {
        // A poisoned lock only means a scrape panicked mid-update: the cache is still whole.
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((at, reading)) = *last {
            if at.elapsed() < self.interval {
                return Ok(Some(reading));
            }
        }
        let reading = self.source.read()?;
        if let Some(reading) = reading {
            *last = Some((Instant::now(), reading));
        }
        Ok(reading)
    }
}

impl Default for HeapCollector {
    fn default() -> Self {
        Self {
            source: Source::Glibc,
            interval: DEFAULT_HEAP_INTERVAL,
            last: Mutex::new(None),
        }
    }
}

impl Collector for HeapCollector {
    async fn collect(&self, _cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
        match self.reading()? {
            Some(reading) => Ok(write(&reading, out)?),
            None => Ok(()),
        }
    }

    fn check(&self) -> Result<(), ModelError> {
        let reading = HeapReading {
            allocator: match self.source {
                Source::Glibc => "glibc",
                #[cfg(feature = "jemalloc")]
                Source::Jemalloc => "jemalloc",
            },
            held: 2,
            in_use: 1,
            free: 1,
        };
        write(
            &reading,
            &mut Writer::new(&mut actorscope::MetricSnapshot::new()),
        )
    }
}

/// The allocator's answer now, where one can be had.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn read() -> Option<HeapReading> {
    // SAFETY: `mallinfo2` takes no arguments, returns a struct by value and only reads
    // the allocator's state under its own locks.
    #[allow(unsafe_code)]
    let info = unsafe { libc::mallinfo2() };
    let bytes = |value: usize| value as u64;
    Some(HeapReading {
        allocator: "glibc",
        held: bytes(info.arena) + bytes(info.hblkhd),
        in_use: bytes(info.uordblks) + bytes(info.hblkhd),
        free: bytes(info.fordblks),
    })
}

/// The allocator's answer now, where one can be had.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn read() -> Option<HeapReading> {
    None
}

const HELD: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_heap_held_bytes",
    "Bytes the C allocator holds from the OS (its arenas and mapped blocks), by allocator.",
)
.unit(Unit::Bytes);
const IN_USE: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_heap_in_use_bytes",
    "Of the bytes the C allocator holds, those handed out to the program.",
)
.unit(Unit::Bytes);
const FREE: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_heap_free_bytes",
    "Of the bytes the C allocator holds, those free but kept (fragmentation).",
)
.unit(Unit::Bytes);

fn write(reading: &HeapReading, out: &mut Writer<'_>) -> Result<(), ModelError> {
    let labels = [("allocator", reading.allocator)];
    out.family(HELD).add(labels, reading.held)?;
    out.family(IN_USE).add(labels, reading.in_use)?;
    out.family(FREE).add(labels, reading.free)?;
    Ok(())
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;
    use std::hint::black_box;
    use std::sync::{Mutex, MutexGuard, PoisonError};

    /// The heap's figures are the whole process's: tests that read them take turns, so
    /// one's blocks never show in (or vanish from) another's readings.
    fn one_at_a_time() -> MutexGuard<'static, ()> {
        static HEAP_TESTS: Mutex<()> = Mutex::new(());
        HEAP_TESTS.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[test]
    fn freeing_every_other_block_shows_as_free_but_held() {
        let _turn = one_at_a_time();
        // 4,000 blocks of 4 KiB below glibc's mmap threshold, then every other one
        // freed: the holes stay in the arena (the live neighbours pin them), so free
        // bytes grow by about half the blocks while held bytes stay.
        let before = read().expect("glibc answers");
        let mut blocks: Vec<Option<Vec<u8>>> = (0..4000)
            .map(|i| Some(black_box(vec![i as u8; 4096])))
            .collect();
        let filled = read().expect("glibc answers");
        for block in blocks.iter_mut().step_by(2) {
            *block = None;
        }
        let holed = read().expect("glibc answers");
        // In use, not held: the arena may already hold free memory a test before this
        // one gave back, which these blocks then reuse.
        assert!(
            filled.in_use >= before.in_use + (15 << 20),
            "16 MiB more in use: {before:?} then {filled:?}"
        );
        assert!(
            holed.free >= filled.free + (7 << 20),
            "about 8 MiB of holes free but held: {filled:?} then {holed:?}"
        );
        assert!(
            holed.held + (1 << 20) >= filled.held,
            "the holes are still held: {holed:?}"
        );
        assert!(
            holed.in_use + holed.free <= holed.held + (1 << 20),
            "in use and free add up to held: {holed:?}"
        );
        drop(black_box(blocks));
    }

    #[test]
    fn between_intervals_a_scrape_repeats_the_last_reading() {
        let _turn = one_at_a_time();
        let every_scrape = HeapCollector::new().with_interval(Duration::ZERO);
        let cached = HeapCollector::new();
        let first = cached.reading().ok().flatten().expect("glibc answers");
        // 16 MiB in 64 KiB blocks (below glibc's mmap threshold, so in the arenas). The
        // check below asks for half of it: other tests (not the heap's) run alongside.
        let held: Vec<Vec<u8>> = (0..256).map(|_| black_box(vec![1u8; 64 << 10])).collect();
        assert_eq!(
            cached.reading(),
            Ok(Some(first)),
            "within the interval: the same reading"
        );
        let fresh = every_scrape
            .reading()
            .ok()
            .flatten()
            .expect("glibc answers");
        assert!(
            fresh.in_use >= first.in_use + (8 << 20),
            "a zero interval reads anew: {first:?} then {fresh:?}"
        );
        drop(black_box(held));
    }
}
