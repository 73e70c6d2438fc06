//! What reading the heap costs a scrape: `HeapCollector` (glibc `mallinfo2`, which walks
//! every arena's free lists) against `ProcessCollector` (the process's /proc files) in
//! the same run, on a tidy heap and on one with 100,000 holes. (Read at every scrape here;
//! by default the collector reads at most every 10 s.)
//!
//! `cargo bench -p actorscope-collectors --bench heap`

use std::hint::black_box;
use std::time::{Duration, Instant};

use actorscope::registry::MetricsRegistry;
use actorscope_collectors::{HeapCollector, ProcessCollector};

/// Median microseconds of `runs` scrapes of `registry`, interleaved with `other`.
fn medians(heap: &MetricsRegistry, process: &MetricsRegistry, runs: usize) -> (f64, f64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let mut times = [Vec::new(), Vec::new()];
    for _ in 0..runs {
        for (slot, registry) in [heap, process].into_iter().enumerate() {
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

fn main() {
    let heap = MetricsRegistry::new();
    heap.register("heap", HeapCollector::new().with_interval(Duration::ZERO))
        .expect("register");
    let process = MetricsRegistry::new();
    process
        .register("process", ProcessCollector::new().with_smaps_interval(None))
        .expect("register");
    println!("| heap | HeapCollector scrape µs | ProcessCollector scrape µs (no smaps) |");
    println!("| --- | ---: | ---: |");
    let (tidy, peer) = medians(&heap, &process, 201);
    println!("| tidy | {tidy:.1} | {peer:.1} |");
    // 200,000 blocks of 256 B, every other one freed: 100,000 free chunks to walk.
    let mut blocks: Vec<Option<Vec<u8>>> = (0..200_000).map(|i| Some(vec![i as u8; 256])).collect();
    for block in blocks.iter_mut().step_by(2) {
        *block = None;
    }
    let (holed, peer) = medians(&heap, &process, 201);
    println!("| 100,000 holes | {holed:.1} | {peer:.1} |");
    drop(black_box(blocks));
}
