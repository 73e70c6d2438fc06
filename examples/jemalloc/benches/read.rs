//! What reading jemalloc's statistics costs a scrape: `HeapCollector::jemalloc()`
//! (advances jemalloc's `epoch`, then reads `stats.allocated` and `stats.resident`)
//! against `ProcessCollector` (the process's /proc files) in the same run, interleaved,
//! on a tidy heap and on one with 100,000 holes, in a program whose global allocator is
//! jemalloc. (Read at every scrape here; by default the collector reads at most every
//! 10 s.)
//!
//! `cargo bench -p actorscope-jemalloc-example --bench read`

#[path = "../../../collectors/benches/support/heap_table.rs"]
mod heap_table;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    heap_table::print(
        "HeapCollector::jemalloc()",
        actorscope_collectors::HeapCollector::jemalloc(),
    );
}
