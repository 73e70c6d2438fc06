//! ActorScope on jemalloc: the global allocator is jemalloc, wrapped in the counting
//! allocator, and the heap collector reads jemalloc's own statistics. Prints one scrape
//! of the allocator and heap families in the Prometheus text format:
//!
//! ```text
//! cargo run -p actorscope-jemalloc-example
//! ```

use actorscope::prelude::*;
use actorscope_collectors::{AllocatorCollector, CountingAllocator, HeapCollector};
use tikv_jemallocator::Jemalloc;

#[global_allocator]
static ALLOCATOR: CountingAllocator<Jemalloc> = CountingAllocator::new(Jemalloc);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registry = MetricsRegistry::global();
    registry.register("allocator", AllocatorCollector)?;
    registry.register("heap", HeapCollector::jemalloc())?;
    // Something to see: 16 MiB in 4 KiB blocks, half of them freed again.
    let mut blocks: Vec<Option<Vec<u8>>> = (0..4096).map(|i| Some(vec![i as u8; 4096])).collect();
    for block in blocks.iter_mut().step_by(2) {
        *block = None;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let snapshot = runtime.block_on(registry.scrape());
    print!(
        "{}",
        String::from_utf8(Format::Prometheus.encode(&snapshot))?
    );
    drop(blocks);
    Ok(())
}
