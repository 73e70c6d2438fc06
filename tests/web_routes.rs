//! The routes over real loopback HTTP: `/metrics` negotiation, gzip, filters, the
//! Prometheus timeout header, the in-flight limit, and `/debug/*`.

mod common;
#[path = "../examples/csv_encoder/csv.rs"]
mod csv;

use std::sync::Mutex;
use std::time::Duration;

use actorscope::model::Unit;
use actorscope::registry::{collector_fn, CollectError, Collector, MetricsRegistry, ScrapeContext};
use actorscope::write::Writer;
use actorscope::RouteOptions;
use common::http::{get, gunzip, request, serve_routes, sum_samples, TestServer};
use common::{promtool_check, python_parse};

/// A registry with a few families, including a hostile label value.
fn registry() -> MetricsRegistry {
    let registry = MetricsRegistry::new();
    registry
        .register(
            "app",
            collector_fn(|out| {
                out.counter("app_jobs_total", "Jobs done.")
                    .add([("worker", "0"), ("server", "api")], 4)?
                    .add([("worker", "1"), ("server", "api")], 6)?
                    .add([("worker", "0"), ("server", "admin")], 1)?;
                out.gauge("app_queue_bytes", "Bytes queued.")
                    .unit(Unit::Bytes)
                    .add(
                        [("worker", "0"), ("note", "<img src=x onerror=alert(1)>")],
                        512,
                    )?;
                Ok(())
            }),
        )
        .expect("register");
    registry
}

fn serve(registry: MetricsRegistry, options: RouteOptions) -> TestServer {
    serve_routes(registry, options, 1)
}

const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores";
const OPENMETRICS: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores";
/// Prometheus 3's default `Accept`.
const PROMETHEUS_3: &str = "Accept: application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
const OPENMETRICS_UTF8: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8";

#[test]
fn metrics_negotiates_the_format_from_accept_and_the_parsers_accept_both() {
    let server = serve(registry(), RouteOptions::default());
    let cases: &[(&[&str], &str)] = &[
        (&[], PROMETHEUS_TEXT),
        (&["Accept: */*"], PROMETHEUS_TEXT),
        (&["Accept: text/plain;version=0.0.4"], PROMETHEUS_TEXT),
        (&["Accept: application/openmetrics-text"], OPENMETRICS),
        (&[PROMETHEUS_3], OPENMETRICS_UTF8),
        (
            &["Accept: application/openmetrics-text;q=0, */*"],
            PROMETHEUS_TEXT,
        ),
        (
            &["Accept: application/openmetrics-text;q=0.2, text/plain;q=0.9"],
            PROMETHEUS_TEXT,
        ),
        (
            &["Accept: text/plain;q=0, application/openmetrics-text;q=0.1"],
            OPENMETRICS,
        ),
    ];
    for (headers, content_type) in cases {
        let response = get(server.address(), "/metrics", headers);
        assert_eq!(response.status, 200, "{headers:?}");
        assert_eq!(
            response.header("content-type"),
            Some(*content_type),
            "{headers:?}"
        );
        assert!(response.header("content-encoding").is_none());
        let text = response.text();
        if content_type.starts_with("application/openmetrics-text") {
            assert!(text.ends_with("# EOF\n"), "{text}");
            python_parse("openmetrics", text.as_bytes())
                .expect("the OpenMetrics parser accepts it");
        } else {
            promtool_check(text.as_bytes()).expect("promtool accepts it");
            python_parse("prometheus", text.as_bytes()).expect("the text parser accepts it");
        }
        assert_eq!(sum_samples(&text, "app_jobs_total", &[]), 11.0, "{text}");
    }
}

/// A scrape of `/metrics` with `accept`, answered `200` as `content_type`.
fn scrape_as(server: &TestServer, accept: &str, content_type: &str) -> common::http::Response {
    let response = get(server.address(), "/metrics", &[accept]);
    assert_eq!(response.status, 200, "{accept}");
    assert_eq!(
        response.header("content-type"),
        Some(content_type),
        "{accept}"
    );
    response
}

/// The lines about the app's own families (the registry's durations change per scrape).
fn app_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|line| line.contains("app_")).collect()
}

#[test]
fn prometheus_3_gets_the_version_and_escaping_it_asked_for_and_the_same_text() {
    let server = serve(registry(), RouteOptions::default());
    let native = format!(
        "Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,{}",
        &PROMETHEUS_3["Accept: ".len()..]
    );
    // Prometheus 3.3 put `escaping=` on every entry.
    let every_entry = "Accept: application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;escaping=allow-utf-8;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;escaping=allow-utf-8;q=0.3,*/*;escaping=allow-utf-8;q=0.2";
    let cases: &[(&str, &str)] = &[
        (PROMETHEUS_3, OPENMETRICS_UTF8),
        (every_entry, OPENMETRICS_UTF8),
        (
            "Accept: application/openmetrics-text;version=0.0.1;escaping=dots",
            "application/openmetrics-text; version=0.0.1; charset=utf-8; escaping=dots",
        ),
        (
            "Accept: text/plain;version=1.0.0;escaping=allow-utf-8",
            "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
        ),
        (
            "Accept: text/plain;version=1.0.0;escaping=values,text/plain;version=0.0.4;q=0.5",
            "text/plain; version=1.0.0; charset=utf-8; escaping=values",
        ),
        (
            "Accept: text/plain;version=1.0.0;escaping=no-such-scheme",
            "text/plain; version=1.0.0; charset=utf-8; escaping=underscores",
        ),
        ("Accept: text/plain;version=0.0.4", PROMETHEUS_TEXT),
    ];
    let legacy = get(server.address(), "/metrics", &[]).text();
    let openmetrics = get(
        server.address(),
        "/metrics",
        &["Accept: application/openmetrics-text"],
    )
    .text();
    for (accept, content_type) in cases {
        let response = scrape_as(&server, accept, content_type);
        // Every name is a legacy name, which every scheme writes unchanged.
        let text = response.text();
        let same_as = if content_type.starts_with("text/plain") {
            promtool_check(text.as_bytes()).expect("promtool accepts it");
            python_parse("prometheus", text.as_bytes()).expect("the text parser accepts it");
            &legacy
        } else {
            python_parse("openmetrics", text.as_bytes()).expect("the parser accepts it");
            &openmetrics
        };
        assert_eq!(app_lines(&text), app_lines(same_as), "{accept}");
    }
    // With native histograms on, Prometheus 3 asks for protobuf first (tests/escaping.rs
    // reads every format back).
    let protobuf = scrape_as(
        &server,
        &native,
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=underscores",
    );
    assert!(!protobuf.body.is_empty());
    // Every answer of /metrics names its type, a refusal too.
    let refused = get(server.address(), "/metrics?name=", &[PROMETHEUS_3]);
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

#[test]
fn a_mounted_encoder_is_served_to_a_client_that_names_it() {
    let server = serve(registry(), RouteOptions::default().with_encoder(csv::Csv));
    const CSV: &str = "text/csv; charset=utf-8; header=present";
    let cases: &[(&str, &str)] = &[
        ("Accept: text/csv", CSV),
        ("Accept: text/csv, application/openmetrics-text;q=0.9", CSV),
        ("Accept: TEXT/CSV;q=0.5, text/plain;q=0.4", CSV),
        // Wildcards and Prometheus never get it; a tie goes to the built-in format.
        ("Accept: */*", PROMETHEUS_TEXT),
        ("Accept: text/*", PROMETHEUS_TEXT),
        (PROMETHEUS_3, OPENMETRICS_UTF8),
        ("Accept: text/csv;q=0.5, text/plain", PROMETHEUS_TEXT),
        ("Accept: text/csv, text/plain", PROMETHEUS_TEXT),
        ("Accept: text/csv;q=0", PROMETHEUS_TEXT),
    ];
    for (accept, content_type) in cases {
        scrape_as(&server, accept, content_type);
    }
    let table = get(server.address(), "/metrics", &["Accept: text/csv"]).text();
    let mut rows = table.split("\r\n");
    assert_eq!(rows.next(), Some("name,type,labels,value"));
    let jobs: Vec<&str> = rows
        .filter(|row| row.starts_with("app_jobs_total,"))
        .collect();
    assert_eq!(
        jobs,
        [
            "app_jobs_total,counter,server=api;worker=0,4",
            "app_jobs_total,counter,server=api;worker=1,6",
            "app_jobs_total,counter,server=admin;worker=0,1",
        ]
    );
    // The name filter and gzip apply as to the built-in formats.
    let filtered = get(
        server.address(),
        "/metrics?name[]=app_queue_bytes",
        &["Accept: text/csv", "Accept-Encoding: gzip"],
    );
    assert_eq!(filtered.header("content-encoding"), Some("gzip"));
    let filtered = String::from_utf8(gunzip(&filtered.body)).expect("utf-8");
    assert!(filtered.contains("app_queue_bytes,gauge,"), "{filtered}");
    assert!(!filtered.contains("app_jobs_total"), "{filtered}");
}

#[test]
fn metrics_never_fails_because_of_accept_or_accept_encoding() {
    // A scraper that gets a 4xx marks the target down, so what cannot be honoured falls
    // back to Prometheus text 0.0.4 without compression, as from client_golang.
    let server = serve(registry(), RouteOptions::default());
    let cases: &[&[&str]] = &[
        &["Accept: ;;,foo/bar;q=abc,*/*;q=,text/plain;version=9.9"],
        &["Accept: text/plain;q=0"],
        &["Accept: text/plain;q=lots"],
        &["Accept: text/plain;q=0, application/openmetrics-text;q=0"],
        &["Accept: image/png"],
        &["Accept-Encoding: gzip;q=lots"],
        &["Accept-Encoding: ;;,,q=1"],
        &["Accept: \u{e9}t\u{e9}", "Accept-Encoding: gz\u{ef}p"],
    ];
    for headers in cases {
        let response = get(server.address(), "/metrics", headers);
        assert_eq!(response.status, 200, "{headers:?}: {}", response.text());
        assert_eq!(
            response.header("content-type"),
            Some(PROMETHEUS_TEXT),
            "{headers:?}"
        );
        assert_eq!(response.header("content-encoding"), None, "{headers:?}");
        let text = response.text();
        promtool_check(text.as_bytes()).expect("promtool accepts it");
        assert_eq!(
            sum_samples(&text, "app_jobs_total", &[]),
            11.0,
            "{headers:?}"
        );
    }
    // A junk entry next to a good one does not hide the good one.
    let mixed = get(
        server.address(),
        "/metrics",
        &["Accept: text/plain;q=lots, application/openmetrics-text;q=0.5"],
    );
    assert_eq!(mixed.header("content-type"), Some(OPENMETRICS));
}

#[test]
fn metrics_is_gzipped_when_accept_encoding_allows_and_only_then() {
    let server = serve(registry(), RouteOptions::default());
    for (header, gzipped) in [
        ("Accept-Encoding: gzip", true),
        ("Accept-Encoding: deflate, gzip;q=0.5", true),
        ("Accept-Encoding: *", true),
        ("Accept-Encoding: gzip;q=0", false),
        ("Accept-Encoding: gzip;q=0, *", false),
        ("Accept-Encoding: identity", false),
        ("Accept-Encoding: br", false),
    ] {
        let response = get(server.address(), "/metrics", &[header]);
        assert_eq!(response.status, 200);
        assert_eq!(response.header("vary"), Some("Accept, Accept-Encoding"));
        let text = if gzipped {
            assert_eq!(
                response.header("content-encoding"),
                Some("gzip"),
                "{header}"
            );
            String::from_utf8(gunzip(&response.body)).expect("utf-8")
        } else {
            assert_eq!(response.header("content-encoding"), None, "{header}");
            response.text()
        };
        assert_eq!(sum_samples(&text, "app_jobs_total", &[]), 11.0, "{header}");
        promtool_check(text.as_bytes()).expect("promtool accepts it");
    }
    let off = serve(registry(), RouteOptions::default().with_gzip(false));
    let response = get(off.address(), "/metrics", &["Accept-Encoding: gzip"]);
    assert_eq!(response.header("content-encoding"), None);
}

#[test]
fn head_answers_with_the_headers_of_get_and_no_body() {
    let server = serve(registry(), RouteOptions::default());
    for path in ["/metrics", "/debug/metrics", "/debug/"] {
        let got = get(server.address(), path, &[]);
        let head = request(server.address(), "HEAD", path, &[], b"");
        assert_eq!(head.status, 200, "{path}");
        assert_eq!(
            head.header("content-type"),
            got.header("content-type"),
            "{path}"
        );
        assert!(head.body.is_empty(), "{path}: HEAD sent a body");
        assert!(!got.body.is_empty());
    }
}

#[test]
fn name_filter_keeps_only_the_named_metrics() {
    let server = serve(registry(), RouteOptions::default());
    let response = get(server.address(), "/metrics?name[]=app_queue_bytes", &[]);
    assert_eq!(response.status, 200);
    let text = response.text();
    assert!(text.contains("app_queue_bytes{"), "{text}");
    assert!(!text.contains("app_jobs_total"), "{text}");
    let encoded = get(
        server.address(),
        "/metrics?name%5B%5D=app_jobs_total&name[]=app_queue_bytes",
        &[],
    );
    let text = encoded.text();
    assert!(
        text.contains("app_jobs_total{") && text.contains("app_queue_bytes{"),
        "{text}"
    );
    assert!(!text.contains("actorscope_scrapes_total"), "{text}");

    let bad = get(server.address(), "/metrics?name[]=app-jobs", &[]);
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("name[]"), "{}", bad.text());
    let unknown = get(server.address(), "/metrics?match[]=up", &[]);
    assert_eq!(unknown.status, 400);
    assert!(
        unknown
            .text()
            .contains("unknown query parameter \"match[]\""),
        "{}",
        unknown.text()
    );
}

/// A collector that never finishes.
struct Hanging;

impl Collector for Hanging {
    async fn collect(
        &self,
        _cx: &ScrapeContext,
        _out: &mut Writer<'_>,
    ) -> Result<(), CollectError> {
        std::future::pending().await
    }
}

#[test]
fn prometheus_timeout_header_shortens_the_deadline_so_the_answer_comes_in_time() {
    let registry = registry();
    registry.register("stuck", Hanging).expect("register");
    // Configured at 60 s: without the header the client (20 s read timeout) would give up.
    let options = RouteOptions::default().with_scrape_timeout(Duration::from_secs(60));
    let server = serve(registry, options);
    let response = get(
        server.address(),
        "/metrics",
        &["X-Prometheus-Scrape-Timeout-Seconds: 1.5"],
    );
    assert_eq!(response.status, 200);
    let text = response.text();
    assert_eq!(
        sum_samples(
            &text,
            "actorscope_scrape_collector_errors_total",
            &["collector=\"stuck\"", "kind=\"timeout\""]
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        sum_samples(&text, "app_jobs_total", &[]),
        11.0,
        "the rest came back"
    );

    // A bad header leaves the configured deadline on /metrics (a scrape never fails
    // because of a header); /debug/metrics, read by people, names it.
    let quick = serve(
        crate::registry(),
        RouteOptions::default().with_scrape_timeout(Duration::from_secs(2)),
    );
    for bad in ["soon", "-1", "0", "NaN", "inf"] {
        let header = format!("X-Prometheus-Scrape-Timeout-Seconds: {bad}");
        let response = get(quick.address(), "/metrics", &[&header]);
        assert_eq!(response.status, 200, "{bad}");
        assert_eq!(sum_samples(&response.text(), "app_jobs_total", &[]), 11.0);
        let response = get(quick.address(), "/debug/metrics", &[&header]);
        assert_eq!(response.status, 400, "{bad}");
        assert!(
            response
                .text()
                .contains("X-Prometheus-Scrape-Timeout-Seconds"),
            "{}",
            response.text()
        );
    }
}

/// A collector that says when it has been entered, then waits until the test lets it go
/// (once; later scrapes pass straight through).
struct Gate {
    entered: Mutex<std::sync::mpsc::Sender<()>>,
    release: Mutex<Option<futures::channel::oneshot::Receiver<()>>>,
}

impl Collector for Gate {
    async fn collect(
        &self,
        _cx: &ScrapeContext,
        _out: &mut Writer<'_>,
    ) -> Result<(), CollectError> {
        let release = self.release.lock().expect("lock").take();
        if release.is_some() {
            let _ = self.entered.lock().expect("lock").send(());
        }
        if let Some(release) = release {
            let _ = release.await;
        }
        Ok(())
    }
}

#[test]
fn scrapes_past_the_in_flight_limit_get_503_with_retry_after() {
    let registry = registry();
    let (open, release) = futures::channel::oneshot::channel();
    let (entered, held) = std::sync::mpsc::channel();
    let gate = Gate {
        entered: Mutex::new(entered),
        release: Mutex::new(Some(release)),
    };
    registry.register("gate", gate).expect("register");
    let server = serve(
        registry,
        RouteOptions::default().with_max_concurrent_scrapes(1),
    );
    let address = server.address();
    let first = std::thread::spawn(move || get(address, "/metrics", &[]));
    held.recv_timeout(Duration::from_secs(10))
        .expect("the first scrape reached the collector");
    for path in ["/metrics", "/debug/metrics"] {
        let busy = get(address, path, &[]);
        assert_eq!(busy.status, 503, "{path}");
        assert_eq!(busy.header("retry-after"), Some("1"));
        assert!(
            busy.header("content-type").is_some(),
            "{path}: every answer has one"
        );
        assert!(busy.body.windows(8).any(|w| w == b"1 scrape"), "{busy:?}");
    }
    open.send(()).expect("the gate is waiting");
    assert_eq!(first.join().expect("first scrape").status, 200);
    assert_eq!(
        get(address, "/metrics", &[]).status,
        200,
        "the place was freed"
    );
}

#[test]
fn debug_metrics_filters_by_worker_server_name_and_label() {
    let server = serve(registry(), RouteOptions::default());
    let samples = |query: &str| -> Vec<(String, usize)> {
        let response = get(server.address(), &format!("/debug/metrics{query}"), &[]);
        assert_eq!(response.status, 200, "{query}");
        assert_eq!(response.header("content-type"), Some("application/json"));
        let document = response.json();
        document["families"]
            .as_array()
            .expect("families")
            .iter()
            .map(|f| {
                let name = f["name"].as_str().expect("name").to_owned();
                (name, f["samples"].as_array().expect("samples").len())
            })
            .collect()
    };
    let all = samples("");
    assert!(all.contains(&("app_jobs_total".into(), 3)), "{all:?}");
    assert!(all
        .iter()
        .any(|(name, _)| name == "actorscope_scrapes_total"));
    assert_eq!(samples("?worker=1"), [("app_jobs_total".into(), 1)]);
    assert_eq!(samples("?server=api"), [("app_jobs_total".into(), 2)]);
    assert_eq!(
        samples("?server=api&worker=0"),
        [("app_jobs_total".into(), 1)]
    );
    assert_eq!(
        samples("?worker=0&worker=1&name=app_jobs"),
        [("app_jobs_total".into(), 3)]
    );
    assert_eq!(samples("?name=app_q"), [("app_queue_bytes".into(), 1)]);
    assert_eq!(
        samples("?label=note%3A%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"),
        [("app_queue_bytes".into(), 1)]
    );
    assert_eq!(samples("?worker=7"), []);
}

#[test]
fn bad_debug_filters_get_a_400_json_error_naming_the_parameter() {
    let server = serve(registry(), RouteOptions::default());
    for (query, culprit) in [
        ("?worker=", "worker"),
        ("?label=route", "label"),
        ("?label=bad-key:1", "label"),
        ("?name=a%20b", "name"),
        ("?sever=api", "sever"),
        ("?worker=%FF", "worker"),
    ] {
        let response = get(server.address(), &format!("/debug/metrics{query}"), &[]);
        assert_eq!(response.status, 400, "{query}");
        assert_eq!(response.header("content-type"), Some("application/json"));
        let error = response.json();
        assert_eq!(error["culprit"], culprit, "{query}: {error}");
        assert!(
            error["error"].as_str().expect("message").contains(culprit),
            "{error}"
        );
    }
}

#[test]
fn debug_paths_redirect_serve_and_404_and_methods_get_405_with_allow() {
    let server = serve(registry(), RouteOptions::default());
    let address = server.address();
    let redirect = get(address, "/debug", &[]);
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("debug/"));
    let page = get(address, "/debug/", &[]);
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let missing = get(address, "/debug/nothing-here", &[]);
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"]
        .as_str()
        .expect("message")
        .contains("/debug/nothing-here"));
    assert_eq!(
        get(address, "/debugger", &[]).status,
        404,
        "not under /debug/"
    );

    for (method, path) in [
        ("POST", "/metrics"),
        ("PUT", "/metrics"),
        ("DELETE", "/debug/metrics"),
        ("POST", "/debug/"),
    ] {
        let response = request(address, method, path, &[], b"x");
        assert_eq!(response.status, 405, "{method} {path}");
        assert_eq!(
            response.header("allow"),
            Some("GET, HEAD"),
            "{method} {path}"
        );
        assert!(response.text().contains(method), "{}", response.text());
    }
}

#[test]
fn no_route_allows_every_origin() {
    let server = serve(registry(), RouteOptions::default());
    for path in [
        "/metrics",
        "/debug/metrics",
        "/debug/",
        "/debug/x",
        "/debug/metrics?worker=",
    ] {
        let response = get(server.address(), path, &["Origin: http://evil.example"]);
        assert!(
            response.header("access-control-allow-origin").is_none(),
            "{path} sent Access-Control-Allow-Origin"
        );
    }
}
