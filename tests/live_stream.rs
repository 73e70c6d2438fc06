//! `/debug/stream` and `/debug/history` over real loopback HTTP: the SSE wire format,
//! snapshot then deltas, reconnection, one scrape per tick for many subscribers, a slow
//! subscriber dropped without delaying the others, the subscriber limit, and shutdown.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actorscope::registry::{collector_fn, MetricsRegistry};
use actorscope::{MountError, RouteOptions, Routes};
use common::http::{get, serve_routes, serve_these_routes, TestServer};
use common::sse::SseClient;
use common::wait_until;

const TICK: Duration = Duration::from_millis(50);
const WAIT: Duration = Duration::from_secs(20);

/// A registry whose `ticks_total` grows at every scrape, with a constant gauge next to it
/// and, when `wide` is above 0, a family of `wide` series that all change every scrape.
fn registry(wide: usize) -> MetricsRegistry {
    let registry = MetricsRegistry::new();
    let scrapes = Arc::new(AtomicU64::new(0));
    registry
        .register(
            "app",
            collector_fn(move |out| {
                let n = scrapes.fetch_add(1, Ordering::Relaxed) + 1;
                out.counter("app_ticks_total", "Scrapes seen.").add((), n)?;
                out.gauge("app_constant", "Never changes.")
                    .add([("label", "<img src=x onerror=alert(1)>")], 42)?;
                if wide > 0 {
                    let mut family = out.gauge("app_wide", "Many series.").declare()?;
                    for i in 0..wide {
                        family.add([("series", format!("series-number-{i:06}"))], n)?;
                    }
                }
                Ok(())
            }),
        )
        .expect("register");
    registry
}

fn serve(registry: MetricsRegistry, options: RouteOptions) -> TestServer {
    serve_routes(registry, options, 2)
}

fn fast() -> RouteOptions {
    RouteOptions::default().with_stream_interval(TICK)
}

/// The family names in a snapshot or delta document.
fn names(document: &serde_json::Value) -> Vec<String> {
    document["families"]
        .as_array()
        .expect("families")
        .iter()
        .map(|f| f["name"].as_str().expect("name").to_owned())
        .collect()
}

#[test]
fn a_subscriber_gets_retry_then_a_snapshot_then_deltas_of_what_changed() {
    let server = serve(registry(0), fast());
    let mut client = SseClient::connect(server.address(), "/debug/stream", &[]);
    assert_eq!(client.status, 200);
    assert_eq!(client.header("content-type"), Some("text/event-stream"));
    assert_eq!(
        client.header("content-encoding"),
        Some("identity"),
        "not for Compress"
    );
    assert_eq!(client.header("cache-control"), Some("no-cache"));
    let prelude = client.next().expect("the prelude");
    assert_eq!(prelude.retry, Some(2000));

    let snapshot = client.next_event(WAIT).expect("a snapshot");
    assert_eq!(snapshot.event, "snapshot");
    let first_id = snapshot.id.expect("an id");
    let document = snapshot.json();
    assert!(names(&document).contains(&"app_constant".to_owned()));
    let constant = document["families"]
        .as_array()
        .and_then(|families| families.iter().find(|f| f["name"] == "app_constant"))
        .expect("the constant family");
    assert_eq!(
        constant["samples"][0]["value"], 42.0,
        "a snapshot has every sample"
    );

    let mut last_id = first_id;
    for _ in 0..3 {
        let delta = client.next_event(WAIT).expect("a delta");
        assert_eq!(delta.event, "delta");
        let id = delta.id.expect("an id");
        assert!(id > last_id, "ids increase: {id} after {last_id}");
        last_id = id;
        let names = names(&delta.json());
        assert!(names.contains(&"app_ticks_total".to_owned()), "{names:?}");
        assert!(
            !names.contains(&"app_constant".to_owned()),
            "unchanged families are left out: {names:?}"
        );
        assert!(delta.json()["removed"]
            .as_array()
            .is_some_and(Vec::is_empty));
    }
}

#[test]
fn a_reconnect_with_last_event_id_starts_from_a_full_snapshot() {
    let server = serve(registry(0), fast());
    let mut first = SseClient::connect(server.address(), "/debug/stream", &[]);
    let seen = first.next_event(WAIT).and_then(|e| e.id).expect("an event");
    drop(first);
    let mut again = SseClient::connect(
        server.address(),
        "/debug/stream",
        &[&format!("Last-Event-ID: {seen}")],
    );
    let event = again.next_event(WAIT).expect("an event");
    assert_eq!(event.event, "snapshot");
    assert!(names(&event.json()).contains(&"app_constant".to_owned()));
}

#[test]
fn two_hundred_subscribers_cost_one_scrape_per_tick() {
    let registry = registry(0);
    let server = serve(registry.clone(), fast());
    let mut clients: Vec<SseClient> = (0..200)
        .map(|_| SseClient::connect(server.address(), "/debug/stream", &[]))
        .collect();
    let mut last_ids = Vec::new();
    for client in &mut clients {
        client.next_event(WAIT).expect("a snapshot");
        let delta = client.next_event(WAIT).expect("a delta");
        last_ids.push(delta.id.expect("an id"));
    }
    // Every tick is one scrape, whoever listens; the broadcaster is the only scraper here.
    let newest = *last_ids.iter().max().expect("ids");
    let scrapes = registry.scrape_count();
    assert!(
        scrapes >= newest && scrapes <= newest + 2,
        "{scrapes} scrapes for {newest} ticks with 200 subscribers"
    );
    let metrics = get(
        server.address(),
        "/metrics?name[]=actorscope_sse_subscribers",
        &[],
    )
    .text();
    assert!(
        metrics.contains("actorscope_sse_subscribers 200\n"),
        "{metrics}"
    );

    drop(clients);
    let zero = wait_until(WAIT, || {
        get(
            server.address(),
            "/metrics?name[]=actorscope_sse_subscribers",
            &[],
        )
        .text()
        .contains("actorscope_sse_subscribers 0\n")
    });
    assert!(zero, "the subscriber gauge went back to 0");
}

#[test]
fn nothing_is_scraped_while_nobody_watches() {
    let registry = registry(0);
    let server = serve(registry.clone(), fast());
    let mut client = SseClient::connect(server.address(), "/debug/stream", &[]);
    client.next_event(WAIT).expect("a snapshot");
    client.next_event(WAIT).expect("a delta");
    drop(client);
    // The ticker notices at its next tick that nobody is left, then stops.
    let mut before = registry.scrape_count();
    let stopped = wait_until(WAIT, || {
        std::thread::sleep(TICK * 4);
        let now = registry.scrape_count();
        let still = now == before;
        before = now;
        still
    });
    assert!(stopped, "the broadcaster kept scraping with no subscriber");
}

#[test]
fn a_subscriber_that_stops_reading_is_dropped_without_delaying_the_others() {
    // About 200 KB per event, every series changing at every tick: a client that reads
    // nothing fills the kernel's socket buffers, then its queue, whose oldest event then
    // waits past the 1 s drop time (the unit tests in `ticker.rs` pin the bound).
    let server = serve(registry(4000), fast());
    let stuck = SseClient::connect(server.address(), "/debug/stream", &[]);
    let mut reader = SseClient::connect(server.address(), "/debug/stream", &[]);
    reader.next_event(WAIT).expect("a snapshot");
    let dropped = wait_until(Duration::from_secs(60), || {
        // Keep reading while waiting: this client must never be the one dropped.
        let _ = reader.next_event(WAIT);
        get(
            server.address(),
            "/metrics?name[]=actorscope_sse_dropped_total",
            &[],
        )
        .text()
        .contains("actorscope_sse_dropped_total 1\n")
    });
    assert!(dropped, "the stuck subscriber was never dropped");
    let later = reader
        .next_event(WAIT)
        .expect("the reading subscriber still gets events");
    assert_eq!(later.event, "delta");
    drop(stuck);
}

#[test]
fn past_the_limit_the_answer_is_200_with_retry_and_an_end() {
    let server = serve(registry(0), fast().with_max_stream_subscribers(2));
    let mut open: Vec<SseClient> = (0..2)
        .map(|_| SseClient::connect(server.address(), "/debug/stream", &[]))
        .collect();
    for client in &mut open {
        client.next_event(WAIT).expect("a snapshot");
    }
    let mut refused = SseClient::connect(server.address(), "/debug/stream", &[]);
    assert_eq!(
        refused.status, 200,
        "any other status stops EventSource for good"
    );
    assert_eq!(refused.next().and_then(|e| e.retry), Some(10_000));
    let reason = refused.next().and_then(|e| e.comment).expect("a reason");
    assert!(
        reason.contains("too many subscribers (limit 2)"),
        "{reason}"
    );
    assert!(refused.next().is_none(), "and the response ends");
}

#[test]
fn shutdown_ends_every_stream_and_refuses_new_ones() {
    let routes = Routes::new(&registry(0), fast()).expect("the routes mount");
    let server = serve_these_routes(routes.clone(), 2);
    let mut client = SseClient::connect(server.address(), "/debug/stream", &[]);
    client.next_event(WAIT).expect("a snapshot");
    routes.shutdown();
    let mut ended = false;
    for _ in 0..1000 {
        if client.next().is_none() {
            ended = true;
            break;
        }
    }
    assert!(ended, "the open stream ended");
    let mut late = SseClient::connect(server.address(), "/debug/stream", &[]);
    late.next();
    assert!(late
        .next()
        .and_then(|e| e.comment)
        .is_some_and(|c| c.contains("shutting down")));
    let answer = get(server.address(), "/metrics", &[]);
    assert_eq!(answer.status, 200, "the other routes keep answering");
}

#[test]
fn a_registry_has_one_routes_value_and_its_clones() {
    let registry = registry(0);
    let routes = Routes::new(&registry, fast()).expect("the routes mount");
    let again = Routes::new(&registry, RouteOptions::default()).unwrap_err();
    assert_eq!(again, MountError::AlreadyMounted);
    assert!(again.to_string().contains("clone that `Routes`"), "{again}");
    // Clones share the stream: a second server of the same routes serves one history.
    let first = serve_these_routes(routes.clone(), 1);
    let second = serve_these_routes(routes.clone(), 1);
    assert_eq!(get(first.address(), "/metrics", &[]).status, 200);
    let history = get(second.address(), "/debug/history?range=1m", &[]).json();
    assert!(
        !history["points"].as_array().expect("points").is_empty(),
        "the scrape served by the first server is in the second's history"
    );
    drop((first, second, routes));
    // Dropped with their last clone, they leave the registry free for new routes.
    let replaced = wait_until(WAIT, || Routes::new(&registry, fast()).is_ok());
    assert!(replaced, "the old routes still held the registry");
}

#[test]
fn the_stream_takes_no_parameters_and_only_get() {
    let server = serve(registry(0), fast());
    let bad = get(server.address(), "/debug/stream?worker=1", &[]);
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["culprit"], "worker");
    let post = common::http::request(server.address(), "POST", "/debug/stream", &[], b"x");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET"));
}

#[test]
fn history_keeps_what_scrapes_saw_and_filters_like_debug_metrics() {
    let server = serve(registry(0), fast());
    for _ in 0..3 {
        assert_eq!(get(server.address(), "/metrics", &[]).status, 200);
    }
    let history = get(server.address(), "/debug/history?range=1m&name=app_", &[]);
    assert_eq!(history.status, 200);
    let document = history.json();
    assert_eq!(document["range"], "1m");
    assert_eq!(document["resolution_seconds"], 1);
    let series: Vec<&str> = document["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(series, ["app_constant", "app_ticks_total"]);
    let points = document["points"].as_array().expect("points");
    assert!(!points.is_empty());
    assert_eq!(points.last().expect("a point")["values"][0], 42.0);
    let long = get(
        server.address(),
        "/debug/history?range=10h&name=app_constant",
        &[],
    )
    .json();
    assert_eq!(long["resolution_seconds"], 300);
    let slot = long["points"].as_array().expect("points").last().cloned();
    let slot = slot.expect("the current 5-minute slot");
    for list in ["values", "min", "max"] {
        assert_eq!(slot[list], serde_json::json!([42.0]), "{list}");
    }
    let bad = get(server.address(), "/debug/history?range=2d", &[]);
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["culprit"], "range");
    let message = bad.json()["error"].as_str().map(str::to_owned);
    assert!(
        message.is_some_and(|m| m.contains("10h")),
        "the error names the ranges"
    );
}

#[test]
fn a_quiet_stream_sends_keep_alive_comments() {
    // Ticks every 10 s, heartbeats every 100 ms: after the first snapshot, comments come
    // long before the next event.
    let options = RouteOptions::default()
        .with_stream_interval(Duration::from_secs(10))
        .with_stream_heartbeat(Duration::from_millis(100));
    let server = serve(registry(0), options);
    let mut client = SseClient::connect(server.address(), "/debug/stream", &[]);
    let mut comments = 0;
    while comments < 3 {
        let event = client.next().expect("the stream stays open");
        if event.comment.as_deref() == Some("keep-alive") {
            comments += 1;
        } else {
            assert!(
                event.event.is_empty() || event.event == "snapshot",
                "{event:?}"
            );
        }
    }
}
