//! Junk query strings and headers, sent over real loopback HTTP: never a panic, never a
//! 5xx, always an answer that names the problem or serves the data.

mod common;

use std::net::SocketAddr;

use actix_web::{App, HttpServer};
use actorscope::registry::{collector_fn, MetricsRegistry};
use actorscope::{RequestMetrics, RouteOptions, Routes};
use common::http::{request_raw, start_server, TestServer};
use once_cell::sync::Lazy;
use proptest::prelude::*;

/// One server for every case (started on first use, stopped with the process).
static SERVER: Lazy<TestServer> = Lazy::new(|| {
    start_server(|| {
        let registry = MetricsRegistry::new();
        registry
            .register(
                "app",
                collector_fn(|out| {
                    out.counter("app_jobs_total", "Jobs.")
                        .add([("worker", "0"), ("server", "api")], 1)?;
                    Ok(())
                }),
            )
            .expect("register");
        let metrics = RequestMetrics::builder()
            .register(&registry)
            .expect("register");
        let routes = Routes::new(&registry, RouteOptions::default()).expect("the routes mount");
        let server =
            HttpServer::new(move || App::new().wrap(metrics.clone()).service(routes.clone()))
                .workers(1)
                .shutdown_timeout(1)
                .bind("127.0.0.1:0")
                .expect("bind");
        let addresses = server.addrs();
        (server.run(), addresses)
    })
});

fn address() -> SocketAddr {
    SERVER.address()
}

/// A piece of a query: a plausible name or junk, `=`, and a value that is raw, junk or
/// percent-encoded arbitrary bytes (often not UTF-8).
fn query_piece() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("worker".to_owned()),
        Just("server".to_owned()),
        Just("name".to_owned()),
        Just("label".to_owned()),
        Just("name[]".to_owned()),
        Just("name%5B%5D".to_owned()),
        "[!-~&&[^#]]{0,12}",
    ];
    let value = prop_oneof![
        "[!-~&&[^#]]{0,24}",
        proptest::collection::vec(any::<u8>(), 0..12)
            .prop_map(|bytes| bytes.iter().map(|b| format!("%{b:02X}")).collect()),
        Just("%".to_owned()),
        Just("%G1".to_owned()),
        Just("route:/kv/{key}".to_owned()),
    ];
    (name, prop::bool::ANY, value).prop_map(|(name, with_value, value)| {
        if with_value {
            format!("{name}={value}")
        } else {
            name
        }
    })
}

fn query() -> impl Strategy<Value = String> {
    proptest::collection::vec(query_piece(), 0..6).prop_map(|pieces| pieces.join("&"))
}

/// A header value: visible ASCII, spaces and tabs, and bytes above 0x7f (no CR or LF).
fn header_value() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => 0x20u8..0x7f,
        1 => Just(b'\t'),
        1 => 0x80u8..=0xff,
    ];
    prop_oneof![
        proptest::collection::vec(byte, 0..40),
        "(text/plain|application/openmetrics-text|\\*/\\*|gzip|\\*|identity)(;q=[0-9.a-z-]{0,5})?(, ?[a-z*/]{1,12}(;q=[0-9.]{1,4})?){0,3}"
            .prop_map(String::into_bytes),
    ]
}

const HEADERS: [&str; 3] = [
    "Accept",
    "Accept-Encoding",
    "X-Prometheus-Scrape-Timeout-Seconds",
];

fn send(path: &str, query: &str, headers: &[(usize, Vec<u8>)]) -> u16 {
    let mut raw =
        format!("GET {path}?{query} HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n").into_bytes();
    for (which, value) in headers {
        raw.extend_from_slice(HEADERS[*which].as_bytes());
        raw.extend_from_slice(b": ");
        raw.extend_from_slice(value);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"\r\n");
    request_raw(address(), &raw, false)
        .map(|response| response.status)
        .unwrap_or_else(|| panic!("no answer to {:?}", String::from_utf8_lossy(&raw)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn junk_queries_and_headers_never_get_a_5xx(
        path in prop_oneof![Just("/metrics"), Just("/debug/metrics")],
        query in query(),
        headers in proptest::collection::vec((0..HEADERS.len(), header_value()), 0..3),
    ) {
        let status = send(path, &query, &headers);
        prop_assert!(
            matches!(status, 200 | 400),
            "{path}?{query} with {headers:?} got {status}"
        );
    }

    #[test]
    fn junk_headers_never_fail_a_scrape(
        headers in proptest::collection::vec((0..HEADERS.len(), header_value()), 1..4),
    ) {
        // Prometheus marks a target down on a 4xx: no header may cause one on /metrics.
        let status = send("/metrics", "", &headers);
        prop_assert_eq!(status, 200, "{:?}", headers);
    }
}

#[test]
fn the_server_still_answers_after_the_junk() {
    // Runs in any order with the property test; either way the server must serve.
    let status = send("/metrics", "name[]=app_jobs_total", &[]);
    assert_eq!(status, 200);
}
