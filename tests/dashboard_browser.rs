//! The dashboard end to end in headless Chromium: a fixture server on loopback, and the
//! browser test in `dashboard/e2e/` (node + playwright-core, Debian `chromium`), which
//! checks that the page loads and goes live, values update, a filter narrows the view,
//! hostile names stay text, export and import round-trip, keyboard shortcuts work, the
//! polling fallback works, and that nothing is logged as an error; it saves a screenshot
//! under `target/dashboard-e2e/` and prints how long applying a 2,000-series snapshot
//! took: wall time, and the CPU time of the same tasks and of the script runs in them,
//! from a Chromium trace (`dashboard/e2e/trace.js`).
//!
//! Needs `/usr/bin/chromium` (or `CHROMIUM`) and `dashboard/node_modules` (`npm ci` in
//! `dashboard/`); `bash .ci/run` installs both.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{web as aweb, App, HttpRequest, HttpResponse, HttpServer};
use actorscope::actor::insight::{ActorCollector, ActorInsight, InsightAddr};
use actorscope::registry::{collector_fn, MetricsRegistry};
use actorscope::stats::{Pool, SlotState};
use actorscope::{ClientMetrics, RequestMetrics, RouteOptions, Routes};
use common::http::{start_server, TestServer};

/// Series in the wide family: the snapshot whose apply time is measured.
const WIDE_SERIES: usize = 2000;
/// The longest the browser test may take before it is stopped and failed.
const LIMIT: Duration = Duration::from_secs(240);

fn fixture_registry() -> MetricsRegistry {
    let registry = MetricsRegistry::new();
    let scrapes = Arc::new(AtomicU64::new(0));
    let started_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
        - 3_660.0;
    let mut pool = Pool::with_slots(20);
    let slots: Vec<usize> = (0..17).filter_map(|_| pool.acquire_slot()).collect();
    pool.set_state(slots[3], SlotState::Idle);
    pool.set_state(slots[4], SlotState::Closing);
    registry
        .register(
            "fixture",
            collector_fn(move |out| {
                let n = scrapes.fetch_add(1, Ordering::Relaxed) + 1;
                out.counter("app_ticks_total", "Scrapes of the fixture.")
                    .add((), n)?;
                out.counter(
                    "app_hostile_total",
                    "Help with <script>alert('help')</script> in it.",
                )
                .add(
                    [("value", "<img src=x onerror=alert(1)>"), ("worker", "0")],
                    n,
                )?;
                let mut wide = out
                    .gauge("app_wide", "Two thousand series that all change.")
                    .declare()?;
                for i in 0..WIDE_SERIES {
                    wide.add([("series", format!("s{i:04}"))], n + i as u64)?;
                }
                out.pool("fixture_slots", "api", &pool)?;
                // A full counts-only pool that refuses one more acquisition every scrape.
                let mut full = Pool::new(4);
                while full.acquire() {}
                for _ in 1..n {
                    full.refuse();
                }
                out.pool("fixture_full", "api", &full)?;
                // A big pool (an aggregated grid): 900 of 3,000 slots held, 50 of them
                // idle, a different 50 at every scrape.
                let mut big = Pool::with_slots(3000);
                let held: Vec<usize> = (0..900).filter_map(|_| big.acquire_slot()).collect();
                let first_idle = (n as usize * 7) % 800;
                for &slot in &held[first_idle..first_idle + 50] {
                    big.set_state(slot, SlotState::Idle);
                }
                out.pool("fixture_big", "api", &big)?;
                // For the header's uptime: a process that started an hour and a minute ago.
                out.gauge("process_start_time_seconds", "Start time of the process.")
                    .add((), started_at)?;
                Ok(())
            }),
        )
        .expect("register the fixture");
    registry
}

/// Says hello: the instrumented actor behind `/hello`, for the Actors panel.
#[derive(actix::Message)]
#[rtype(result = "String")]
struct Hello;

struct Greeter {
    insight: ActorInsight<Self>,
}

impl actix::Actor for Greeter {
    type Context = actix::Context<Self>;
}

impl actix::Handler<Hello> for Greeter {
    type Result = actix::MessageResult<Hello>;
    fn handle(&mut self, _: Hello, _: &mut Self::Context) -> Self::Result {
        actix::MessageResult("hello".to_owned())
    }
}

actorscope::instrument_messages!(Greeter, insight: [Hello]);

/// Calls this server's `/hello` through the instrumented client.
async fn relay(request: HttpRequest, client: aweb::Data<awc::Client>) -> HttpResponse {
    let url = format!("http://{}/hello", request.app_config().local_addr());
    let sent = client
        .get(url)
        .insert_header(ClientMetrics::route("/hello"))
        .send()
        .await;
    match sent {
        Ok(mut response) => match response.body().await {
            Ok(body) => HttpResponse::Ok().body(body),
            Err(error) => HttpResponse::BadGateway().body(error.to_string()),
        },
        Err(error) => HttpResponse::BadGateway().body(error.to_string()),
    }
}

fn serve() -> TestServer {
    start_server(|| {
        let registry = fixture_registry();
        let actors = ActorCollector::new();
        registry
            .register("actors", actors.clone())
            .expect("register actor insight");
        let greeter = aweb::Data::new(InsightAddr::start(Greeter {
            insight: actors.insight(),
        }));
        let metrics = RequestMetrics::builder()
            .server("api")
            .connection_slots(64)
            .register(&registry)
            .expect("register the middleware");
        let on_connect = metrics.on_connect();
        let calls = ClientMetrics::builder("relay")
            .register(&registry)
            .expect("register the client middleware");
        let routes = Routes::new(
            &registry,
            RouteOptions::default().with_stream_interval(Duration::from_millis(250)),
        )
        .expect("the routes mount");
        let server = HttpServer::new(move || {
            // One outgoing client per worker, for `/relay` and the Outgoing clients panel.
            let client = aweb::Data::new(awc::Client::builder().wrap(calls.clone()).finish());
            App::new()
                .wrap(metrics.clone())
                .app_data(greeter.clone())
                .app_data(client)
                .route("/relay", aweb::get().to(relay))
                .route(
                    "/hello",
                    aweb::get().to(|greeter: aweb::Data<InsightAddr<Greeter>>| async move {
                        greeter
                            .send(Hello)
                            .await
                            .unwrap_or_else(|_| "the greeter stopped".to_owned())
                    }),
                )
                .route(
                    "/fail",
                    aweb::get().to(|| async { HttpResponse::InternalServerError().finish() }),
                )
                .service(routes.clone())
        })
        .on_connect(on_connect)
        .workers(2)
        .shutdown_timeout(1)
        .bind("127.0.0.1:0")
        .expect("bind");
        let addresses = server.addrs();
        (server.run(), addresses)
    })
}

#[test]
fn dashboard_works_end_to_end_in_headless_chromium() {
    let server = serve();
    common::browser::run_e2e(
        "e2e",
        &[
            (
                "DASHBOARD_URL",
                format!("http://{}/debug/", server.address()),
            ),
            ("SITE_URL", format!("http://{}", server.address())),
            ("WIDE_SERIES", WIDE_SERIES.to_string()),
        ],
        LIMIT,
    );
    assert!(
        common::browser::screenshot_dir()
            .join("dashboard.png")
            .exists(),
        "no screenshot was saved"
    );
}
