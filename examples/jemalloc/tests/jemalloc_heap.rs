//! `HeapCollector::jemalloc()` against a real jemalloc, this test's global allocator:
//! what is handed out shows as in use, freed holes inside live runs as free but held,
//! and everything freed leaves the in-use figure. One test, so no other test's
//! allocations run meanwhile.

use std::hint::black_box;
use std::time::Duration;

use actorscope::prelude::*;
use actorscope_collectors::HeapCollector;
use tikv_jemallocator::Jemalloc;

#[global_allocator]
static GLOBAL: Jemalloc = Jemalloc;

/// The heap families of one scrape: (held, in use, free), all labelled jemalloc.
#[derive(Debug, Clone, Copy)]
struct Heap {
    held: f64,
    in_use: f64,
    free: f64,
}

fn scrape(registry: &MetricsRegistry) -> Heap {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let snapshot = runtime.block_on(registry.scrape());
    let value = |name: &str| {
        let family = snapshot
            .families()
            .find(|family| family.name() == name)
            .unwrap_or_else(|| panic!("{name} is written"));
        let (labels, value) = family.samples().next().expect("one sample");
        assert_eq!(labels.get("allocator"), Some("jemalloc"), "{name}'s label");
        value.as_f64().expect("a number")
    };
    Heap {
        held: value("actorscope_heap_held_bytes"),
        in_use: value("actorscope_heap_in_use_bytes"),
        free: value("actorscope_heap_free_bytes"),
    }
}

const MIB: f64 = 1_048_576.0;

#[test]
fn jemalloc_reports_what_it_holds_hands_out_and_keeps_free() {
    let registry = MetricsRegistry::new();
    registry
        .register(
            "heap",
            HeapCollector::jemalloc().with_interval(Duration::ZERO),
        )
        .expect("register");
    let before = scrape(&registry);
    assert!(
        before.in_use > 0.0 && before.held >= before.in_use,
        "{before:?}"
    );

    // 32 MiB in 4 KiB blocks, every byte written.
    let mut blocks: Vec<Option<Vec<u8>>> = (0..8192)
        .map(|i| Some(black_box(vec![(i % 251) as u8; 4096])))
        .collect();
    let filled = scrape(&registry);
    assert!(
        filled.in_use >= before.in_use + 31.0 * MIB,
        "32 MiB more in use: {before:?} then {filled:?}"
    );
    assert!(filled.held >= filled.in_use, "{filled:?}");

    // Every other block freed: the holes sit between live neighbours, so jemalloc keeps
    // their pages: in use falls by about 16 MiB, and as much turns free but held.
    for block in blocks.iter_mut().step_by(2) {
        *block = None;
    }
    let holed = scrape(&registry);
    assert!(
        holed.in_use <= filled.in_use - 15.0 * MIB,
        "16 MiB fewer in use: {filled:?} then {holed:?}"
    );
    assert!(
        holed.free >= filled.free + 15.0 * MIB,
        "the holes are free but held: {filled:?} then {holed:?}"
    );
    assert!(
        (holed.held - holed.in_use - holed.free).abs() < 1.0,
        "held is in use plus free: {holed:?}"
    );

    drop(black_box(blocks));
    let freed = scrape(&registry);
    assert!(
        freed.in_use <= holed.in_use - 15.0 * MIB,
        "the rest freed: {holed:?} then {freed:?}"
    );
}
