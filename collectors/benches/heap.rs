//! What reading the heap costs a scrape: `HeapCollector` (glibc `mallinfo2`, which walks
//! every arena's free lists) against `ProcessCollector` (the process's /proc files) in
//! the same run, on a tidy heap and on one with 100,000 holes. (Read at every scrape here;
//! by default the collector reads at most every 10 s.)
//!
//! `cargo bench -p actorscope-collectors --bench heap`

#[path = "support/heap_table.rs"]
mod heap_table;

fn main() {
    heap_table::print("HeapCollector", actorscope_collectors::HeapCollector::new());
}
