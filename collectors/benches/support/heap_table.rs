//! The heap benches' table: a heap collector's scrape against the process collector's,
//! timed in turn (so drift on a noisy machine hits both alike), on a tidy heap and on one
//! with 100,000 holes.

use std::hint::black_box;
use std::time::{Duration, Instant};

use actorscope::registry::MetricsRegistry;
use actorscope_collectors::{HeapCollector, ProcessCollector};

/// Scrapes of each registry per row.
const RUNS: usize = 201;

/// Prints the Markdown table for `heap` (read at every scrape), named `name`.
pub(crate) fn print(name: &str, heap: HeapCollector) {
    let heaps = MetricsRegistry::new();
    heaps
        .register("heap", heap.with_interval(Duration::ZERO))
        .expect("register");
    let process = MetricsRegistry::new();
    process
        .register("process", ProcessCollector::new().with_smaps_interval(None))
        .expect("register");
    println!("| heap | {name} scrape µs | ProcessCollector scrape µs (no smaps) |");
    println!("| --- | ---: | ---: |");
    let (tidy, peer) = medians(&heaps, &process);
    println!("| tidy | {tidy:.1} | {peer:.1} |");
    // 200,000 blocks of 256 B, every other one freed: 100,000 holes.
    let mut blocks: Vec<Option<Vec<u8>>> = (0..200_000).map(|i| Some(vec![i as u8; 256])).collect();
    for block in blocks.iter_mut().step_by(2) {
        *block = None;
    }
    let (holed, peer) = medians(&heaps, &process);
    println!("| 100,000 holes | {holed:.1} | {peer:.1} |");
    drop(black_box(blocks));
}

/// Median microseconds of [`RUNS`] scrapes of `first` and of `second`, interleaved.
fn medians(first: &MetricsRegistry, second: &MetricsRegistry) -> (f64, f64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let mut times = [Vec::new(), Vec::new()];
    for _ in 0..RUNS {
        for (slot, registry) in [first, second].into_iter().enumerate() {
            let started = Instant::now();
            black_box(runtime.block_on(registry.scrape()));
            times[slot].push(started.elapsed().as_secs_f64() * 1e6);
        }
    }
    let median = |list: &mut Vec<f64>| {
        list.sort_by(f64::total_cmp);
        list[list.len() / 2]
    };
    (median(&mut times[0]), median(&mut times[1]))
}
