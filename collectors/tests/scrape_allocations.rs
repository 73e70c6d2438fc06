//! What one scrape of worker actors allocates, counted by the crate's own
//! `CountingAllocator`: the number of allocations grows with families and workers, not
//! with series, and the heap a scrape needs at its peak is reported (BENCHMARKS.md).
//! And what the hot path allocates once warm: nothing, native buckets and exemplars
//! included.
//!
//! Runs without the test harness (`harness = false`) so that only the scrape allocates
//! while it is measured: the worker arbiters are idle but for the scrape's messages.

// The peak tracker below wraps the system allocator, which only `unsafe` code can do.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use actix::{Actor, Arbiter, Context};
use actorscope::model::ModelError;
use actorscope::prelude::*;
use actorscope_collectors::{AllocatorCounts, CountingAllocator};

/// Live bytes and their highest value since [`Peak::reset`], exact at every allocation.
struct Peak;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static HIGHEST: AtomicUsize = AtomicUsize::new(0);

impl Peak {
    fn reset() -> usize {
        let live = LIVE.load(Ordering::SeqCst);
        HIGHEST.store(live, Ordering::SeqCst);
        live
    }

    fn highest() -> usize {
        HIGHEST.load(Ordering::SeqCst)
    }

    fn grew(by: usize) {
        let live = LIVE.fetch_add(by, Ordering::SeqCst) + by;
        HIGHEST.fetch_max(live, Ordering::SeqCst);
    }
}

// SAFETY: every call is passed to `System` unchanged; the counters only observe it.
unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            Peak::grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                Peak::grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::SeqCst);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator<Peak> = CountingAllocator::new(Peak);

/// One worker's counters, with the label values it keeps.
#[derive(Clone)]
struct Events {
    counters: Vec<Counter>,
    labels: Arc<Vec<String>>,
}

impl WorkerStats for Events {
    fn write(&self, out: &mut Writer<'_>) -> Result<(), ModelError> {
        let mut events = out.counter("test_events_total", "Events.").declare()?;
        for (counter, label) in self.counters.iter().zip(self.labels.iter()) {
            events.add([("series", label.as_str())], counter)?;
        }
        out.gauge("test_queue_depth", "Jobs waiting.").add((), 3)?;
        Ok(())
    }
}

struct Worker {
    stats: Tracked<Events>,
}

impl Actor for Worker {
    type Context = Context<Self>;
}

actorscope::report_stats!(Worker, stats: Events);

/// What one steady-state scrape (series declared at an earlier one) cost.
struct Cost {
    series: usize,
    allocations: u64,
    peak_bytes: usize,
    output_bytes: usize,
}

fn measure(workers: usize, per_worker: usize) -> Cost {
    let system = actix::System::new();
    let labels: Arc<Vec<String>> = Arc::new((0..per_worker).map(|i| format!("s{i}")).collect());
    let (registry, _arbiters, _addrs) = system.block_on(async {
        let registry = MetricsRegistry::new();
        let collector = registry
            .register_workers::<Events>("events")
            .expect("register");
        let arbiters: Vec<Arbiter> = (0..workers).map(|_| Arbiter::new()).collect();
        let addrs: Vec<_> = arbiters
            .iter()
            .map(|arbiter| {
                let mut stats = collector.tracked_with(Events {
                    counters: vec![Counter::new(); per_worker],
                    labels: Arc::clone(&labels),
                });
                stats.counters.iter_mut().for_each(|c| c.add(7));
                Worker::start_in_arbiter(&arbiter.handle(), move |ctx| {
                    stats.attach(ctx);
                    Worker { stats }
                })
            })
            .collect();
        (registry, arbiters, addrs)
    });
    let mut out = Vec::with_capacity(64 << 20);
    let scrape = |out: &mut Vec<u8>| {
        out.clear();
        let snapshot = system.block_on(registry.scrape());
        Format::Prometheus.encoder().encode(&snapshot, out);
        snapshot.sample_count()
    };
    // The first scrapes declare the workers' series (and warm up the runtime's timers).
    for _ in 0..3 {
        scrape(&mut out);
    }
    let before = AllocatorCounts::read();
    let base = Peak::reset();
    let samples = scrape(&mut out);
    let peak_bytes = Peak::highest() - base;
    let after = AllocatorCounts::read();
    assert!(samples >= workers * per_worker, "every series was scraped");
    Cost {
        series: workers * per_worker,
        allocations: after.allocations - before.allocations,
        peak_bytes,
        output_bytes: out.len(),
    }
}

/// A histogram with both forms and exemplars, warmed up over a range wide enough to halve
/// its resolution, then fed the same values again: no allocation at all.
fn warm_histograms_allocate_nothing() {
    use actorscope::stats::{NativeConfig, TraceId};
    // 1 µs to about 1 s and the same negated: more buckets than the limit at schema 3.
    let values: Vec<f64> = (0..10_000)
        .map(|i| {
            let magnitude = 1e-6 * (f64::from(i) * 0.002).exp2();
            if i % 7 == 0 {
                -magnitude
            } else {
                magnitude
            }
        })
        .collect();
    let mut histogram =
        Histogram::new(Buckets::http_seconds()).with_native(NativeConfig::default());
    let exemplar = Exemplar::new(TraceId::random()).at(1.7e9);
    for value in &values {
        histogram.observe_with_exemplar(*value, exemplar);
    }
    let schema = histogram.native_buckets().map(|native| native.schema());
    assert!(
        schema < Some(3),
        "the warm-up halved the resolution: {schema:?}"
    );
    let before = AllocatorCounts::read();
    for _ in 0..10 {
        for value in &values {
            histogram.observe(*value);
            histogram.observe_with_exemplar(*value, exemplar);
        }
    }
    let after = AllocatorCounts::read();
    assert_eq!(
        after.allocations - before.allocations,
        0,
        "a warm histogram allocated while observing"
    );
    assert_eq!(histogram.count(), 21 * values.len() as u64);
    println!("warm histograms (classic, native, exemplars): 0 allocations in 200,000 observations");
}

fn main() {
    warm_histograms_allocate_nothing();
    println!("| workers | series | allocations per scrape | peak heap per scrape | output |");
    println!("| ---: | ---: | ---: | ---: | ---: |");
    let mut by_workers = Vec::new();
    for (workers, per_worker) in [
        (16, 10),
        (16, 1_000),
        (16, 6_250),
        (4, 250),
        (4, 25_000),
        (64, 250),
    ] {
        let cost = measure(workers, per_worker);
        println!(
            "| {workers} | {} | {} | {:.2} MiB | {:.2} MiB |",
            cost.series,
            cost.allocations,
            cost.peak_bytes as f64 / (1 << 20) as f64,
            cost.output_bytes as f64 / (1 << 20) as f64,
        );
        by_workers.push((workers, cost));
    }
    // The same workers and families, 10 or 6,250 series each: the same allocations (a few
    // more allowed for vectors that double), not 625 times as many.
    let count = |workers: usize, series: usize| {
        by_workers
            .iter()
            .find(|(w, cost)| *w == workers && cost.series == series)
            .map(|(_, cost)| cost.allocations)
            .expect("measured")
    };
    for (workers, small, large) in [(16, 160, 100_000), (4, 1_000, 100_000)] {
        let (small, large) = (count(workers, small), count(workers, large));
        assert!(
            large <= small + 16,
            "{workers} workers: {large} allocations for 100,000 series, {small} for a handful: \
             a scrape allocates per series"
        );
    }
    // Workers add their share: 64 workers cost more than 16, but far less than per series.
    assert!(
        count(64, 16_000) < 16_000 / 4,
        "allocations grow with series"
    );
    println!("scrape allocations: O(families + workers), as asserted");
}
