//! Implement `Collector` for your own component, register it at startup, scrape.
//!
//! Run: `cargo run --example custom_collector`

use std::sync::{Arc, Mutex};

use actorscope::model::{MetricKind, MetricSnapshot};
use actorscope::registry::{CollectError, Collector, MetricsRegistry, ScrapeContext};
use actorscope::stats::{Buckets, Counter, Histogram};
use actorscope::Format;
use futures::future::{BoxFuture, FutureExt};

/// A job queue's stats. In an actor these are fields of the actor itself; here a mutex
/// stands in for the actor's mailbox.
struct QueueStats {
    enqueued: Counter,
    wait_seconds: Histogram,
}

struct QueueCollector {
    stats: Arc<Mutex<QueueStats>>,
}

impl Collector for QueueCollector {
    fn collect<'a>(
        &'a self,
        _cx: &'a ScrapeContext,
        out: &'a mut MetricSnapshot,
    ) -> BoxFuture<'a, Result<(), CollectError>> {
        async move {
            let stats = self.stats.lock().map_err(|_| "queue stats poisoned")?;
            out.family(
                "queue_enqueued_total",
                "Jobs put on the queue.",
                MetricKind::Counter,
            )?
            .add([("queue", "email")], &stats.enqueued)?;
            out.family_with_unit(
                "queue_wait_seconds",
                "Time jobs waited before a worker took them.",
                MetricKind::Histogram,
                "seconds",
            )?
            .add([("queue", "email")], &stats.wait_seconds)?;
            Ok(())
        }
        .boxed()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stats = Arc::new(Mutex::new(QueueStats {
        enqueued: Counter::new(),
        wait_seconds: Histogram::new(Buckets::exponential(0.001, 10.0, 4)?),
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
