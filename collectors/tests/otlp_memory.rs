//! The OTLP exporter's memory stays bounded while its receiver is down: nothing queues
//! (the data is cumulative, so the next export supersedes a missed one). Counted with the
//! counting allocator, so it runs without the test harness: 1,000 series, exports every
//! 100 ms to a port nobody listens on; the live heap after 40 failed exports against
//! after 5.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use actorscope::otlp::OtlpExporter;
use actorscope::registry::{collector_fn, MetricsRegistry};
use actorscope_collectors::{AllocatorCounts, CountingAllocator};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::system();

const SERIES: usize = 1_000;
/// The most the live heap may grow between the 5th and the 40th failed export.
const GROWTH_LIMIT: u64 = 64 * 1024;

async fn failures(registry: &MetricsRegistry) -> f64 {
    registry
        .scrape()
        .await
        .get("actorscope_otlp_exports_total")
        .and_then(|f| f.value([("result", "failure")]))
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

async fn live_after(registry: &MetricsRegistry, exports: f64) -> u64 {
    let until = Instant::now() + Duration::from_secs(60);
    while failures(registry).await < exports {
        assert!(
            Instant::now() < until,
            "{exports} failed exports within 60 s"
        );
        actix::clock::sleep(Duration::from_millis(20)).await;
    }
    AllocatorCounts::read().live_bytes
}

fn main() {
    actix::System::new().block_on(async {
        let registry = MetricsRegistry::new();
        registry
            .register(
                "app",
                collector_fn(|out| {
                    let mut family = out.counter("app_events_total", "Events.").declare()?;
                    for i in 0..SERIES {
                        family.add([("series", format!("s{i:04}"))], i as u64)?;
                    }
                    Ok(())
                }),
            )
            .expect("register");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let exporter = OtlpExporter::builder(&registry)
            .endpoint(format!("http://127.0.0.1:{port}/v1/metrics"))
            .interval(Duration::from_millis(100))
            .timeout(Duration::from_millis(200))
            .start()
            .expect("valid settings");
        let early = live_after(&registry, 5.0).await;
        let late = live_after(&registry, 40.0).await;
        let growth = late.saturating_sub(early);
        println!(
            "otlp memory, receiver down: live heap {early} B after 5 failed exports, {late} B after 40 ({growth} B more), {SERIES} series"
        );
        assert!(growth < GROWTH_LIMIT, "the live heap grew {growth} B between the 5th and the 40th failed export");
        exporter.shutdown(Duration::from_millis(300)).await;
    });
}
