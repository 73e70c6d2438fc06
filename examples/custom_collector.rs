//! Implement `Collector` for your own component, register it at startup, scrape.
//!
//! Run: `cargo run --example custom_collector`

use std::sync::{Arc, Mutex};

use actorscope::prelude::*;
use actorscope::write::Metric;

/// A job queue's stats. In an actor these are fields of the actor itself; here a mutex
/// stands in for the actor's mailbox.
#[derive(Default)]
struct QueueStats {
    enqueued: Counter,
    wait_seconds: Histogram,
}

// Declared once: name, help, kind (the type) and unit.
const ENQUEUED: Metric<'static, Counter> =
    Metric::counter("queue_enqueued_total", "Jobs put on the queue.");
const WAIT: Metric<'static, Histogram> = Metric::histogram(
    "queue_wait_seconds",
    "Time jobs waited before a worker took them.",
)
.unit(Unit::Seconds);

struct QueueCollector {
    stats: Arc<Mutex<QueueStats>>,
}

impl Collector for QueueCollector {
    async fn collect(&self, _cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
        let stats = self.stats.lock().map_err(|_| "queue stats poisoned")?;
        out.family(ENQUEUED)
            .add([("queue", "email")], &stats.enqueued)?;
        out.family(WAIT)
            .add([("queue", "email")], &stats.wait_seconds)?;
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stats = Arc::new(Mutex::new(QueueStats {
        wait_seconds: Histogram::new(Buckets::exponential(0.001, 10.0, 4)?),
        ..QueueStats::default()
    }));
    // Hot path: the component updates its own stats.
    if let Ok(mut stats) = stats.lock() {
        for wait in [0.0004, 0.002, 0.03, 0.5] {
            stats.enqueued.inc();
            stats.wait_seconds.observe(wait);
        }
    }

    // Startup: one line registers the collector.
    MetricsRegistry::global().register("queue", QueueCollector { stats })?;

    // Cold path: what `/metrics` does on each scrape.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let snapshot = runtime.block_on(MetricsRegistry::global().scrape());
    print!(
        "{}",
        String::from_utf8(Format::Prometheus.encode(&snapshot))?
    );
    Ok(())
}
