//! `ClientMetrics` over real loopback HTTP: a real awc client in an actix system calls a
//! real actix-web server. Exact counts by target, route template, method and status;
//! failures by kind (timeout, connect, TLS, cancelled); bytes both ways; the route
//! header kept off the wire; connections the pool opened; `?client=` on
//! `/debug/metrics`; the overflow series.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use actix_web::{web as aweb, App, HttpRequest, HttpResponse, HttpServer};
use actorscope::registry::MetricsRegistry;
use actorscope::{ClientMetrics, Format, RouteOptions, Routes, ROUTE_HEADER};
use common::http::{start_server, sum_samples, TestServer};

/// The server the client calls: `/users/{id}` (says whether the route header reached
/// it), `/fail` (500), `/echo` (POST, echoes), `/slow` (answers after 3 s), and
/// ActorScope's routes for `registry`.
fn target_server(registry: &MetricsRegistry) -> TestServer {
    let routes = Routes::new(registry, RouteOptions::default()).expect("the routes mount");
    start_server(move || {
        let server = HttpServer::new(move || {
            App::new()
                .service(routes.clone())
                .route(
                    "/users/{id}",
                    aweb::get().to(|request: HttpRequest| async move {
                        if request.headers().contains_key(ROUTE_HEADER) {
                            HttpResponse::Ok().body("route header leaked")
                        } else {
                            HttpResponse::Ok().body("hello")
                        }
                    }),
                )
                .route("/fail", aweb::get().to(HttpResponse::InternalServerError))
                .route(
                    "/echo",
                    aweb::post().to(|body: aweb::Bytes| async move { body }),
                )
                .route(
                    "/slow",
                    aweb::get().to(|| async {
                        actix_web::rt::time::sleep(Duration::from_secs(3)).await;
                        HttpResponse::Ok().finish()
                    }),
                )
        })
        .workers(1)
        .shutdown_timeout(1)
        .bind("127.0.0.1:0")
        .expect("bind a loopback port");
        let addresses = server.addrs();
        (server.run(), addresses)
    })
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// The registry's snapshot as Prometheus text (scraped on this thread's system, where
/// the client's stats answer).
async fn exposition(registry: &MetricsRegistry) -> String {
    let snapshot = registry.scrape().await;
    String::from_utf8(Format::Prometheus.encode(&snapshot)).expect("utf-8")
}

#[actix_web::test]
async fn outgoing_requests_are_counted_by_target_route_method_status_and_failure() {
    let registry = MetricsRegistry::new();
    let server = target_server(&registry);
    let address: SocketAddr = server.address();
    let timeout = Duration::from_millis(400);
    let metrics = ClientMetrics::builder("upstream")
        .time_to_body_end()
        .request_timeout(Some(timeout))
        .register(&registry)
        .expect("the name is free");
    let client = awc::Client::builder()
        .timeout(timeout)
        .connector(metrics.connector())
        .wrap(metrics.clone())
        .finish();
    let url = |path: &str| format!("http://{address}{path}");

    for id in 1..=3 {
        let mut response = client
            .get(url(&format!("/users/{id}")))
            .insert_header(ClientMetrics::route("/users/{id}"))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), 200);
        let body = response.body().await.expect("a body");
        assert_eq!(&body[..], b"hello", "the route header stays on the client");
    }
    let response = client.get(url("/fail")).send().await.expect("answers");
    assert_eq!(response.status(), 500);
    let mut echoed = client
        .post(url("/echo"))
        .insert_header(ClientMetrics::route("/echo"))
        .send_body("abcdef")
        .await
        .expect("answers");
    assert_eq!(&echoed.body().await.expect("a body")[..], b"abcdef");
    // Five requests one after another, each body read to its end: the pool reused one
    // keep-alive connection.
    let text = exposition(&registry).await;
    assert_eq!(
        sum_samples(
            &text,
            "http_client_connections_opened_total",
            &["client=\"upstream\""]
        ),
        1.0,
        "{text}"
    );

    let timed_out = client.get(url("/slow")).send().await;
    assert!(
        matches!(timed_out, Err(awc::error::SendRequestError::Timeout)),
        "{timed_out:?}"
    );
    let refused = client
        .get(format!("http://127.0.0.1:{}/", closed_port()))
        .send()
        .await;
    assert!(
        matches!(refused, Err(awc::error::SendRequestError::Connect(_))),
        "{refused:?}"
    );
    let no_tls = client.get(format!("https://{address}/")).send().await;
    assert!(no_tls.is_err(), "this client has no TLS");
    let gave_up =
        actix_web::rt::time::timeout(Duration::from_millis(50), client.get(url("/slow")).send())
            .await;
    assert!(gave_up.is_err(), "the caller stopped waiting");

    let text = exposition(&registry).await;
    let target = format!("target=\"{address}\"");
    let ours = ["client=\"upstream\"", target.as_str()];
    let count = |family: &str, more: &[&str]| {
        let needles: Vec<&str> = ours.iter().chain(more).copied().collect();
        sum_samples(&text, family, &needles)
    };
    let users = ["route=\"/users/{id}\"", "method=\"GET\""];
    assert_eq!(
        count(
            "http_client_requests_total",
            &[users[0], users[1], "status=\"2xx\""]
        ),
        3.0,
        "{text}"
    );
    assert_eq!(
        count(
            "http_client_requests_total",
            &["route=\"(none)\"", "status=\"5xx\""]
        ),
        1.0
    );
    assert_eq!(
        count(
            "http_client_requests_total",
            &["route=\"/echo\"", "method=\"POST\""]
        ),
        1.0
    );
    // Failures: the timeout and the cancellation are against our target, the
    // connection failure against the closed port, the TLS one against our target.
    for (kind, expected) in [("timeout", 1.0), ("cancelled", 1.0), ("tls", 1.0)] {
        let kind = format!("kind=\"{kind}\"");
        assert_eq!(
            count("http_client_errors_total", &[kind.as_str()]),
            expected,
            "{kind}\n{text}"
        );
    }
    assert_eq!(
        sum_samples(&text, "http_client_errors_total", &["kind=\"connect\""]),
        1.0
    );
    assert_eq!(
        sum_samples(
            &text,
            "http_client_requests_total",
            &["status=\"(failed)\""]
        ),
        4.0
    );
    assert_eq!(
        count("http_client_response_body_bytes_total", &[users[0]]),
        15.0
    );
    assert_eq!(
        count("http_client_request_body_bytes_total", &["route=\"/echo\""]),
        6.0
    );
    assert_eq!(
        count("http_client_request_duration_seconds_count", &[users[0]]),
        3.0
    );
    assert_eq!(
        count(
            "http_client_response_body_duration_seconds_count",
            &[users[0]]
        ),
        3.0
    );
    assert_eq!(
        sum_samples(&text, "http_client_requests_in_flight", &[]),
        0.0
    );
    // The dropped (timed-out, cancelled) requests took their connections with them, and a
    // failed connect opened none.
    let opened = sum_samples(&text, "http_client_connections_opened_total", &[]);
    assert!((2.0..=3.0).contains(&opened), "{opened} connections opened");
    assert!(
        !text.contains("/users/1") && !text.contains("/slow"),
        "raw paths never become labels:\n{text}"
    );
    common::promtool_check(text.as_bytes()).expect("promtool accepts the exposition");

    // `/debug/metrics?client=` keeps one client's series (scraped on this system, with
    // a client that is not instrumented).
    let plain = awc::Client::default();
    for (client, expected) in [("upstream", true), ("nobody", false)] {
        let mut response = plain
            .get(url(&format!(
                "/debug/metrics?client={client}&name=http_client_requests"
            )))
            .send()
            .await
            .expect("the debug route answers");
        assert_eq!(response.status(), 200);
        let document: serde_json::Value = response.json().limit(1 << 20).await.expect("JSON");
        let families = document["families"].as_array().expect("families");
        let samples: usize = families
            .iter()
            .map(|f| f["samples"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(samples > 0, expected, "client={client}: {document}");
    }
    server.stop();
}

#[actix_web::test]
async fn endpoints_past_the_series_limit_fold_into_the_overflow_series() {
    let registry = MetricsRegistry::new();
    let server = target_server(&registry);
    let address = server.address();
    let metrics = ClientMetrics::builder("capped")
        .series_limit(2)
        .register(&registry)
        .expect("the name is free");
    let client = awc::Client::builder().wrap(metrics).finish();
    for route in ["/a/{x}", "/b/{x}", "/c/{x}", "/d/{x}"] {
        client
            .get(format!("http://{address}/users/1"))
            .insert_header(ClientMetrics::route(route))
            .send()
            .await
            .expect("answers");
    }
    let text = exposition(&registry).await;
    assert_eq!(
        sum_samples(
            &text,
            "http_client_requests_total",
            &["route=\"(overflow)\""]
        ),
        2.0,
        "{text}"
    );
    assert_eq!(
        sum_samples(
            &text,
            "http_client_requests_folded_total",
            &["client=\"capped\""]
        ),
        2.0
    );
    assert_eq!(sum_samples(&text, "http_client_requests_total", &[]), 4.0);
    server.stop();
}
