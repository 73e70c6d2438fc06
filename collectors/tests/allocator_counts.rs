//! The counting allocator's counts are exact for a known pattern. Runs without the test
//! harness (`harness = false`), so the main thread is the only one allocating.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::hint::black_box;

use actorscope::encode::Format;
use actorscope::registry::MetricsRegistry;
use actorscope_collectors::{reset_peak, AllocatorCollector, AllocatorCounts, CountingAllocator};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::system();

/// The change from `before` to `after`, field by field.
fn delta(before: AllocatorCounts, after: AllocatorCounts) -> [u64; 5] {
    [
        after.allocations - before.allocations,
        after.deallocations - before.deallocations,
        after.reallocations - before.reallocations,
        after.allocated_bytes - before.allocated_bytes,
        after.freed_bytes - before.freed_bytes,
    ]
}

/// How far the high-water mark may be from exact: 64 KiB per thread that allocates
/// (here this one and the spike's), and 64 KiB for what spawning a thread allocates.
const SLACK: u64 = 3 * 64 * 1024;

/// The size of the spikes below.
const SPIKE: u64 = 8 << 20;

/// Holds `SPIKE` bytes at once, in 4 KiB blocks, then frees them.
fn spike() {
    let blocks: Vec<Vec<u8>> = (0..SPIKE / 4096)
        .map(|_| black_box(vec![1u8; 4096]))
        .collect();
    drop(black_box(blocks));
}

/// Resets the mark, runs `work` (which makes one spike), and checks the spike is in the
/// mark, within the slack, though it was freed before the read. Returns the mark's
/// expected height.
fn assert_spike_in_mark(what: &str, work: impl FnOnce()) -> u64 {
    reset_peak();
    let base = AllocatorCounts::read();
    work();
    let after = AllocatorCounts::read();
    assert!(
        after.live_bytes < base.live_bytes + SLACK,
        "{what}: the spike was freed"
    );
    let expected = base.live_bytes + SPIKE;
    assert!(
        after.peak_live_bytes + SLACK >= expected && after.peak_live_bytes <= expected + SLACK,
        "{what}: high-water mark {} for a spike to about {expected} between two reads",
        after.peak_live_bytes
    );
    expected
}

/// A spike between two reads is in the high-water mark (a peak read at scrapes would
/// miss it), within the documented slack, on this thread and on another that exits
/// before the read (its last bytes are published as it exits); a reset starts the mark
/// again from the live bytes.
fn high_water_mark() {
    assert_spike_in_mark("this thread", spike);
    let expected = assert_spike_in_mark("another thread", || {
        std::thread::spawn(spike)
            .join()
            .expect("the spike's thread ran");
    });
    reset_peak();
    let reset = AllocatorCounts::read();
    assert!(
        reset.peak_live_bytes < expected - SLACK,
        "a reset forgets the spike"
    );
    assert!(reset.peak_live_bytes >= reset.live_bytes);
}

fn main() {
    // The allocator is installed: a box is counted. (Not "start-up was counted": how much
    // the standard library allocates before `main` varies, and under ThreadSanitizer it
    // allocated nothing through the global allocator.)
    let start = AllocatorCounts::read();
    drop(black_box(Box::new(7u64)));
    let before = AllocatorCounts::read();
    assert_eq!(
        delta(start, before)[..2],
        [1, 1],
        "the allocator is installed and counts"
    );

    // 1 allocation of 100 pointers, then 100 boxes of 1,000 bytes.
    let mut boxes: Vec<Box<[u8; 1000]>> = black_box(Vec::with_capacity(100));
    for i in 0..100u8 {
        boxes.push(black_box(Box::new([i; 1000])));
    }
    // 1 allocation of 16 bytes, grown in place or moved to 64: one reallocation (+48).
    let mut bytes: Vec<u8> = black_box(Vec::with_capacity(16));
    bytes.reserve_exact(64);
    black_box(&bytes);
    let held = AllocatorCounts::read();
    let pointers = 100 * std::mem::size_of::<usize>() as u64;
    assert_eq!(
        delta(before, held),
        [102, 0, 1, pointers + 100_000 + 64, 0],
        "allocations, deallocations, reallocations, allocated bytes, freed bytes while held"
    );
    assert_eq!(held.live_bytes - before.live_bytes, pointers + 100_064);
    assert!(held.peak_live_bytes >= held.live_bytes);

    drop(black_box(boxes));
    drop(black_box(bytes));
    let after = AllocatorCounts::read();
    assert_eq!(
        delta(before, after),
        [102, 102, 1, pointers + 100_064, pointers + 100_064],
        "everything given back"
    );
    assert_eq!(after.live_bytes, before.live_bytes);
    assert_eq!(
        after.peak_live_bytes, held.peak_live_bytes,
        "the peak stays until reset"
    );
    reset_peak();
    assert_eq!(AllocatorCounts::read().peak_live_bytes, after.live_bytes);
    high_water_mark();
    // Installed, the collector reports counters that promtool accepts.
    let registry = MetricsRegistry::new();
    registry
        .register("allocator", AllocatorCollector)
        .expect("register");
    let snapshot = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
        .block_on(registry.scrape());
    let allocations = snapshot
        .get("actorscope_allocator_allocations_total")
        .and_then(|family| family.value(()))
        .and_then(|value| value.as_f64())
        .expect("the allocations family");
    assert!(allocations >= after.allocations as f64);
    assert!(snapshot
        .get("actorscope_allocator_peak_live_bytes")
        .is_some());
    common::promtool_check(&Format::Prometheus.encode(&snapshot))
        .unwrap_or_else(|(code, report)| panic!("promtool exited {code}: {report}"));
    println!(
        "allocator counts exact: 102 allocations, 1 reallocation, {} bytes; an 8 MiB spike between reads is in the high-water mark",
        pointers + 100_064
    );
}
