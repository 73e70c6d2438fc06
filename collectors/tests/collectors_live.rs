//! The built-in collectors, live: real arbiters, a real process, and the real parsers.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix::Arbiter;
use actorscope::encode::Format;
use actorscope::model::MetricSnapshot;
use actorscope::registry::MetricsRegistry;
use actorscope::stats::{Pool, SlotState};
use actorscope_collectors::{
    AllocatorCollector, HeapCollector, PoolCollector, ProcessCollector, RuntimeCollector,
};
use common::{promtool_check, python_parse};

fn value(snapshot: &MetricSnapshot, family: &str, labels: &[(&str, &str)]) -> Option<f64> {
    snapshot.get(family)?.value(labels)?.as_f64()
}

/// Polls `condition` every few milliseconds (yielding to the arbiter) until it holds or
/// `limit` passes; returns whether it held.
async fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while !condition() {
        if Instant::now() >= deadline {
            return false;
        }
        actix::clock::sleep(Duration::from_millis(5)).await;
    }
    true
}

#[test]
fn every_collector_writes_what_promtool_and_python_accept() {
    actix::System::new().block_on(async {
        let registry = MetricsRegistry::new();
        let runtimes = RuntimeCollector::new();
        assert!(runtimes.watch_current("system"));
        let pools = PoolCollector::new();
        let connections = Arc::new(Mutex::new(Pool::with_slots(4)));
        pools.watch_shared("connections", "api", &connections);
        registry
            .register("process", ProcessCollector::new())
            .expect("register");
        registry
            .register("allocator", AllocatorCollector)
            .expect("register");
        registry.register("runtime", runtimes).expect("register");
        registry.register("pools", pools).expect("register");
        registry
            .register("heap", HeapCollector::new())
            .expect("register");
        let snapshot = registry.scrape().await;
        assert!(snapshot.errors().is_empty(), "{:?}", snapshot.errors());
        assert!(
            snapshot
                .get("actorscope_allocator_allocations_total")
                .is_none(),
            "no counting allocator in this test binary: its families are absent"
        );
        for family in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_open_fds",
            "process_max_fds",
            "process_start_time_seconds",
            "process_threads",
            "process_anonymous_memory_bytes",
            "actorscope_platform_info",
            "actorscope_runtime_workers",
            "actorscope_pool_capacity",
            "actorscope_heap_held_bytes",
            "actorscope_heap_in_use_bytes",
            "actorscope_heap_free_bytes",
        ] {
            assert!(snapshot.get(family).is_some(), "{family} is missing");
        }
        let text = Format::Prometheus.encode(&snapshot);
        promtool_check(&text)
            .unwrap_or_else(|(code, report)| panic!("promtool exited {code}: {report}"));
        python_parse("prometheus", &text).expect("the Python text parser accepts it");
        python_parse("openmetrics", &Format::OpenMetrics.encode(&snapshot))
            .expect("the Python OpenMetrics parser accepts it");
    });
}

#[test]
fn runtime_collector_reports_each_arbiter_and_a_stopped_one_once() {
    actix::System::new().block_on(async {
        let runtimes = RuntimeCollector::new();
        let registry = MetricsRegistry::new();
        registry
            .register("runtime", runtimes.clone())
            .expect("register");
        assert!(runtimes.watch_current("system"));
        assert!(!runtimes.watch_current("again"), "one entry per thread");
        let shards: Vec<Arbiter> = (0..2).map(|_| Arbiter::new()).collect();
        for (i, shard) in shards.iter().enumerate() {
            assert!(runtimes.watch_arbiter(format!("shard-{i}"), &shard.handle()));
        }
        // Keep shard-0 busy for a while so its busy time shows.
        shards[0].spawn(async {
            let started = Instant::now();
            while started.elapsed() < Duration::from_millis(30) {
                std::hint::spin_loop();
            }
        });
        assert!(
            eventually(Duration::from_secs(10), || runtimes.len() == 3).await,
            "the arbiters handed over their runtimes"
        );

        let busy = |snapshot: &MetricSnapshot, runtime: &str| {
            value(
                snapshot,
                "actorscope_runtime_busy_seconds_total",
                &[("runtime", runtime), ("worker", "0")],
            )
        };
        // The spinning task may not have finished yet: scrape until it shows, with a bound.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut snapshot = registry.scrape().await;
        while !busy(&snapshot, "shard-0").is_some_and(|s| s >= 0.03) && Instant::now() < deadline {
            actix::clock::sleep(Duration::from_millis(5)).await;
            snapshot = registry.scrape().await;
        }
        assert!(
            busy(&snapshot, "shard-0").is_some_and(|s| s >= 0.03),
            "30 ms of spinning shows as busy time"
        );
        for runtime in ["system", "shard-0", "shard-1"] {
            assert_eq!(
                value(&snapshot, "actorscope_runtime_up", &[("runtime", runtime)]),
                Some(1.0)
            );
            assert_eq!(
                value(
                    &snapshot,
                    "actorscope_runtime_workers",
                    &[("runtime", runtime)]
                ),
                Some(1.0),
                "a current-thread runtime"
            );
        }
        assert!(
            snapshot.get("actorscope_runtime_alive_tasks").is_none(),
            "not exported: untrue under actix"
        );

        shards[1].stop();
        assert!(eventually(Duration::from_secs(10), || !shards[1].handle().alive()).await);
        let snapshot = registry.scrape().await;
        assert_eq!(
            value(
                &snapshot,
                "actorscope_runtime_up",
                &[("runtime", "shard-1")]
            ),
            Some(0.0)
        );
        assert!(
            busy(&snapshot, "shard-1").is_none(),
            "a stopped runtime reports only that it is down"
        );
        let snapshot = registry.scrape().await;
        assert!(
            value(
                &snapshot,
                "actorscope_runtime_up",
                &[("runtime", "shard-1")]
            )
            .is_none(),
            "reported once, then forgotten"
        );
        assert_eq!(runtimes.len(), 2);
        shards[0].stop();
    });
}

#[test]
fn pool_collector_writes_levels_and_a_json_slot_map() {
    let connections = Arc::new(Mutex::new(Pool::with_slots(5)));
    {
        let mut pool = connections.lock().expect("lock");
        let slots: Vec<usize> = (0..5).filter_map(|_| pool.acquire_slot()).collect();
        assert_eq!(pool.acquire_slot(), None, "full");
        pool.set_state(slots[1], SlotState::Idle);
        pool.set_state(slots[2], SlotState::Closing);
        pool.release_slot(slots[4]);
    }
    let pools = PoolCollector::new();
    pools.watch_shared("connections", "api", &connections);
    pools.watch("unknown", "api", || None);
    let registry = MetricsRegistry::new();
    registry.register("pools", pools).expect("register");
    let snapshot = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime")
        .block_on(registry.scrape());
    let labels = [("pool", "connections"), ("owner", "api")];
    assert_eq!(
        value(&snapshot, "actorscope_pool_capacity", &labels),
        Some(5.0)
    );
    assert_eq!(
        value(&snapshot, "actorscope_pool_in_use", &labels),
        Some(4.0)
    );
    assert_eq!(
        value(&snapshot, "actorscope_pool_high_water", &labels),
        Some(5.0)
    );
    assert_eq!(
        value(&snapshot, "actorscope_pool_acquisitions_total", &labels),
        Some(5.0)
    );
    assert_eq!(
        value(&snapshot, "actorscope_pool_overflows_total", &labels),
        Some(1.0)
    );
    assert!(value(
        &snapshot,
        "actorscope_pool_capacity",
        &[("pool", "unknown"), ("owner", "api")]
    )
    .is_none());

    let json: serde_json::Value =
        serde_json::from_slice(&Format::Json.encode(&snapshot)).expect("JSON");
    let slots = json["families"]
        .as_array()
        .expect("families")
        .iter()
        .find(|f| f["name"] == "actorscope_pool_slots")
        .expect("the slot map is a family");
    assert_eq!(slots["type"], "slots");
    assert_eq!(slots["samples"][0]["states"], "aicaf");
    assert_eq!(slots["samples"][0]["labels"]["owner"], "api");
    let text = String::from_utf8(Format::Prometheus.encode(&snapshot)).expect("UTF-8");
    assert!(!text.contains("aicaf"), "slot maps are JSON only");
}
