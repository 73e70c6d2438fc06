//! What counting costs allocation-heavy work on two threads, side by side in one run:
//! the bare system allocator, ActorScope's `CountingAllocator`, `stats_alloc` and `cap`.
//!
//! Two workloads, each on two threads at once:
//! - `alloc_free`: allocate and free blocks of 16 B to 4 KiB, calling each allocator
//!   directly (the worst case: nothing but allocation);
//! - `collections`: build a `Vec<String>` and a `HashMap<u64, Vec<u8>>` of 1,000 entries
//!   and drop them, through the global allocator, which this binary switches between the
//!   four (the switch costs every variant the same load and branch).
//!
//! The machine's speed drifts by more than the differences measured here, so the variants
//! run interleaved in rounds (order rotated each round) and each is reported as the median
//! of its per-round ratios to the bare allocator.
//!
//! `cargo bench -p actorscope-collectors --bench allocator` (optional: `--rounds N`).
#![allow(unsafe_code)] // implementing and calling `GlobalAlloc` is unsafe

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use actorscope_collectors::CountingAllocator;

static COUNTING: CountingAllocator = CountingAllocator::system();
static STATS_ALLOC: stats_alloc::StatsAlloc<System> = stats_alloc::StatsAlloc::system();
// Half the address space: far from any limit, and a block freed under another variant
// (which adds to cap's `remaining`) cannot overflow it.
static CAP: cap::Cap<System> = cap::Cap::new(System, usize::MAX / 2);

const VARIANTS: [&str; 4] = [
    "system (bare)",
    "ActorScope CountingAllocator",
    "stats_alloc 0.1",
    "cap 0.1",
];

fn allocator(variant: usize) -> &'static (dyn GlobalAlloc + Sync) {
    match variant {
        1 => &COUNTING,
        2 => &STATS_ALLOC,
        3 => &CAP,
        _ => &System,
    }
}

/// The global allocator: forwards to the variant being measured.
struct Switch;

static CURRENT: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call goes unchanged to one of four allocators that all hand out and take
// back blocks of the system allocator, so a block is always freed by the allocator that
// made it, whichever wrapper counts it.
unsafe impl GlobalAlloc for Switch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        unsafe { allocator(CURRENT.load(Ordering::Relaxed)).alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { allocator(CURRENT.load(Ordering::Relaxed)).dealloc(pointer, layout) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        unsafe { allocator(CURRENT.load(Ordering::Relaxed)).realloc(pointer, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Switch = Switch;

const SIZES: [usize; 5] = [16, 64, 256, 1024, 4096];

/// Allocate+free pairs, straight through the allocator.
fn alloc_free(allocator: &(dyn GlobalAlloc + Sync), pairs: u64) {
    for i in 0..pairs {
        let size = SIZES[(i % SIZES.len() as u64) as usize];
        let layout = Layout::from_size_align(size, 8).expect("valid layout");
        // SAFETY: a non-zero size; the block is written once and freed with its layout by
        // the allocator that made it.
        unsafe {
            let block = allocator.alloc(layout);
            assert!(!block.is_null(), "out of memory");
            block.write(1);
            black_box(block);
            allocator.dealloc(block, layout);
        }
    }
}

/// Ordinary collection churn through the global allocator.
fn collections(rounds: u64) {
    for round in 0..rounds {
        let names: Vec<String> = (0..1000).map(|i| format!("key-{round}-{i}")).collect();
        let mut values: HashMap<u64, Vec<u8>> = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            values.insert(i as u64, name.as_bytes().repeat(1 + i % 8));
        }
        black_box((&names, &values));
    }
}

/// Runs `work` on two threads at once under `variant`; returns nanoseconds.
fn timed(variant: usize, work: impl Fn() + Sync) -> f64 {
    CURRENT.store(variant, Ordering::Relaxed);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(&work);
        }
    });
    let elapsed = started.elapsed();
    CURRENT.store(0, Ordering::Relaxed);
    elapsed.as_nanos() as f64
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Runs every variant `rounds` times, interleaved; prints a Markdown table.
fn compare(title: &str, unit: &str, per: f64, rounds: usize, run: impl Fn(usize) -> f64) {
    let mut times = vec![Vec::new(); VARIANTS.len()];
    for _ in 0..2 {
        for variant in 0..VARIANTS.len() {
            black_box(run(variant)); // warm-up
        }
    }
    for round in 0..rounds {
        for offset in 0..VARIANTS.len() {
            let variant = (offset + round) % VARIANTS.len();
            times[variant].push(run(variant) / per);
        }
    }
    println!("\n{title}: {rounds} interleaved rounds, 2 threads");
    println!("| allocator | median {unit} | median of per-round ratios to bare |");
    println!("| --- | ---: | ---: |");
    for (variant, name) in VARIANTS.iter().enumerate() {
        let mut ratios: Vec<f64> = times[variant]
            .iter()
            .zip(&times[0])
            .map(|(t, bare)| t / bare)
            .collect();
        let mut own = times[variant].clone();
        println!(
            "| {name} | {:.2} | {:.3}x |",
            median(&mut own),
            median(&mut ratios)
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(31);
    const PAIRS: u64 = 1_000_000;
    compare(
        "alloc_free (allocate + free, 16 B to 4 KiB)",
        "ns per pair",
        PAIRS as f64,
        rounds,
        |variant| {
            let chosen = allocator(variant);
            timed(0, || alloc_free(chosen, PAIRS))
        },
    );
    const CHURN: u64 = 20;
    compare(
        "collections (Vec<String> + HashMap of 1,000 entries, built and dropped)",
        "µs per build",
        CHURN as f64 * 1000.0,
        rounds,
        |variant| timed(variant, || collections(CHURN)),
    );
}
