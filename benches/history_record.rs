//! What the dashboard's history costs a scrape of `/metrics`: every scrape (and every
//! tick of the live stream) records each series in three rings (1 s, 10 s, and the 10 h
//! range's 5-minute slots of lowest, highest and mean). Side by side in one run, the same
//! 2,000-gauge registry served by routes with the history on (the default, 5,000 series)
//! and off (`history_series: 0`), requests interleaved, through actix-web's in-process
//! test service (no socket), medians.
//!
//! `cargo bench --bench history_record` (optional: `--requests N`, default 401).

use std::time::Instant;

use actix_web::{test, App};
use actorscope::registry::{collector_fn, MetricsRegistry};
use actorscope::{RouteOptions, Routes};

/// Gauges in the registry, each with a value that changes at every scrape.
const SERIES: u64 = 2_000;

/// A registry of `SERIES` gauges.
fn registry() -> MetricsRegistry {
    let registry = MetricsRegistry::new();
    let scrapes = std::sync::atomic::AtomicU64::new(0);
    registry
        .register(
            "wide",
            collector_fn(move |out| {
                let n = scrapes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let mut wide = out
                    .gauge("bench_wide", "Gauges that all change.")
                    .declare()?;
                for i in 0..SERIES {
                    wide.add([("series", format!("s{i:04}"))], n + i)?;
                }
                Ok(())
            }),
        )
        .expect("register");
    registry
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let requests: usize = args
        .iter()
        .position(|a| a == "--requests")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(401);
    actix_web::rt::System::new().block_on(async move {
        let on = Routes::new(&registry(), RouteOptions::default()).expect("routes");
        let off_options = RouteOptions::default().with_history_series(0);
        let off = Routes::new(&registry(), off_options).expect("routes");
        let on = test::init_service(App::new().service(on)).await;
        let off = test::init_service(App::new().service(off)).await;
        let mut times = [Vec::new(), Vec::new()];
        for round in 0..requests + 10 {
            for (slot, service) in [&on, &off].into_iter().enumerate() {
                let started = Instant::now();
                let response = test::call_service(
                    service,
                    test::TestRequest::get().uri("/metrics").to_request(),
                )
                .await;
                let body = test::read_body(response).await;
                let micros = started.elapsed().as_secs_f64() * 1e6;
                assert!(body.len() > SERIES as usize * 10, "a full scrape");
                if round >= 10 {
                    times[slot].push(micros); // the first 10 warm up
                }
            }
        }
        let with = median(&mut times[0]);
        let without = median(&mut times[1]);
        println!("\n/metrics of {SERIES} gauges, {requests} interleaved requests each, medians");
        println!("| routes | µs per scrape |");
        println!("| --- | ---: |");
        println!("| history on (default) | {with:.1} |");
        println!("| history off (`history_series: 0`) | {without:.1} |");
        println!(
            "| the history's share | {:.1} ({:.0}%) |",
            with - without,
            100.0 * (with - without) / with
        );
    });
}
