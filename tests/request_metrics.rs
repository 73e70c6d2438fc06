//! `RequestMetrics` over real loopback HTTP: exact counts by route and status, bytes,
//! in-flight, connections, one worker block per worker thread, the overflow series, and
//! several servers told apart.

mod common;

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web as aweb, App, HttpResponse, HttpServer};
use actorscope::registry::MetricsRegistry;
use actorscope::{RequestMetrics, RouteOptions, Routes};
use common::http::{get, request, start_server, sum_samples, TestServer};
use common::wait_until;
use futures::channel::oneshot;

/// Lets a `/wait?gate=<name>` handler go; each test uses its own gate name.
static GATES: Mutex<Vec<(String, oneshot::Receiver<()>)>> = Mutex::new(Vec::new());

/// A gate for `/wait?gate=<name>`: send on the returned sender to release it.
fn gate(name: &str) -> oneshot::Sender<()> {
    let (open, release) = oneshot::channel();
    GATES.lock().expect("lock").push((name.to_owned(), release));
    open
}

async fn wait(request: actix_web::HttpRequest) -> HttpResponse {
    let name = request
        .query_string()
        .trim_start_matches("gate=")
        .to_owned();
    let release = {
        let mut gates = GATES.lock().expect("lock");
        let at = gates.iter().position(|(gate, _)| *gate == name);
        at.map(|at| gates.remove(at).1)
    };
    if let Some(release) = release {
        let _ = release.await;
    }
    HttpResponse::Ok().body("released")
}

/// Three 1,000-byte chunks, streamed (no Content-Length).
async fn stream() -> HttpResponse {
    let chunks = (0..3).map(|_| Ok::<_, actix_web::Error>(aweb::Bytes::from(vec![b'x'; 1000])));
    HttpResponse::Ok().streaming(futures::stream::iter(chunks))
}

/// An inner middleware that refuses `/denied` with an error (not a response).
async fn deny(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if request.path() == "/denied" {
        return Err(actix_web::error::ErrorForbidden("no"));
    }
    Ok(next.call(request).await?.map_into_boxed_body())
}

fn routes(config: &mut aweb::ServiceConfig) {
    config
        .route("/hello", aweb::get().to(|| async { "hello" }))
        .service(
            aweb::resource("/items/{id}")
                .route(aweb::get().to(|| async { "item" }))
                .route(
                    aweb::put().to(|_body: aweb::Bytes| async { HttpResponse::Created().finish() }),
                ),
        )
        .route(
            "/fail",
            aweb::get().to(|| async { HttpResponse::InternalServerError().finish() }),
        )
        .route("/stream", aweb::get().to(stream))
        .route("/wait", aweb::get().to(wait));
}

/// The registry's routes (one `Routes` per registry; servers share clones).
fn exposed(registry: &MetricsRegistry) -> Routes {
    Routes::new(registry, RouteOptions::default()).expect("the routes mount")
}

/// A server with the middleware, the test routes and `/metrics`, on `binds` loopback
/// ports with `workers` workers.
fn serve(metrics: RequestMetrics, exposed: Routes, workers: usize, binds: usize) -> TestServer {
    serve_on(metrics, exposed, workers, binds, false)
}

/// As [`serve`]; with `h2c`, each port also speaks HTTP/2 without TLS.
fn serve_on(
    metrics: RequestMetrics,
    exposed: Routes,
    workers: usize,
    binds: usize,
    h2c: bool,
) -> TestServer {
    start_server(move || {
        let on_connect = metrics.on_connect();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(deny))
                .wrap(metrics.clone())
                .configure(routes)
                .service(exposed.clone())
        })
        .workers(workers)
        .shutdown_timeout(1)
        .on_connect(on_connect);
        for _ in 0..binds {
            let bound = if h2c {
                server.bind_auto_h2c("127.0.0.1:0")
            } else {
                server.bind("127.0.0.1:0")
            };
            server = bound.expect("bind a loopback port");
        }
        let addresses = server.addrs();
        (server.run(), addresses)
    })
}

fn metrics_text(address: SocketAddr) -> String {
    let response = get(address, "/metrics", &[]);
    assert_eq!(response.status, 200);
    response.text()
}

#[test]
fn requests_are_counted_exactly_by_route_method_and_status() {
    let registry = MetricsRegistry::new();
    let metrics = RequestMetrics::builder()
        .register(&registry)
        .expect("register");
    let server = serve(metrics, exposed(&registry), 2, 1);
    let address = server.address();
    let driven: &[(&str, &str, &[u8], usize, u16)] = &[
        ("GET", "/hello", b"", 30, 200),
        ("GET", "/items/7", b"", 20, 200),
        ("PUT", "/items/8", b"12345", 10, 201),
        ("GET", "/fail", b"", 7, 500),
        ("GET", "/nope", b"", 5, 404),
        ("GET", "/stream", b"", 3, 200),
        ("GET", "/denied", b"", 4, 403),
        ("PATCH", "/items/3", b"", 2, 405),
    ];
    let mut connections = 0;
    for (method, path, body, times, status) in driven {
        for _ in 0..*times {
            let response = request(address, method, path, &[], body);
            assert_eq!(response.status, *status, "{method} {path}");
            connections += 1;
        }
    }
    let text = metrics_text(address);
    connections += 1;
    let server_label = format!("server=\"{address}\"");
    let count = |route: &str, method: &str, status: &str| {
        sum_samples(
            &text,
            "http_server_requests_total",
            &[
                &server_label,
                &format!("route=\"{route}\""),
                &format!("method=\"{method}\""),
                &format!("status=\"{status}\""),
            ],
        )
    };
    assert_eq!(count("/hello", "GET", "2xx"), 30.0, "{text}");
    assert_eq!(count("/items/{id}", "GET", "2xx"), 20.0);
    assert_eq!(count("/items/{id}", "PUT", "2xx"), 10.0);
    assert_eq!(count("/fail", "GET", "5xx"), 7.0);
    assert_eq!(count("(unmatched)", "GET", "4xx"), 5.0);
    assert_eq!(count("/stream", "GET", "2xx"), 3.0);
    assert_eq!(
        count("(unknown)", "GET", "4xx"),
        4.0,
        "errors raised by an inner middleware"
    );
    assert_eq!(count("/items/{id}", "PATCH", "4xx"), 2.0);
    let driven_total: usize = driven.iter().map(|d| d.3).sum();
    // The scrape counts itself only when it is done, so it is not in its own answer.
    assert_eq!(
        sum_samples(&text, "http_server_requests_total", &[]),
        driven_total as f64
    );
    assert_eq!(
        sum_samples(&text, "http_server_request_duration_seconds_count", &[]),
        driven_total as f64
    );
    assert_eq!(
        sum_samples(&text, "http_server_errors_total", &[]),
        7.0 + 4.0
    );
    assert_eq!(
        sum_samples(
            &text,
            "http_server_request_body_bytes_total",
            &["route=\"/items/{id}\""]
        ),
        50.0
    );
    assert_eq!(
        sum_samples(
            &text,
            "http_server_response_body_bytes_total",
            &["route=\"/hello\"", "method=\"GET\""]
        ),
        150.0
    );
    assert_eq!(
        sum_samples(
            &text,
            "http_server_response_body_bytes_total",
            &["route=\"/stream\""]
        ),
        9000.0,
        "streamed bytes are counted as they are sent"
    );
    assert_eq!(
        sum_samples(&text, "http_server_connections_opened_total", &[]),
        f64::from(connections)
    );
    assert_eq!(
        sum_samples(&text, "actorscope_worker_up", &["collector=\"http\""]),
        2.0
    );
    common::promtool_check(text.as_bytes()).expect("promtool accepts the middleware's families");
    common::python_parse("prometheus", text.as_bytes()).expect("the Python parser accepts them");

    // Every connection but the scrape's own closes.
    let settled = wait_until(Duration::from_secs(10), || {
        sum_samples(
            &metrics_text(address),
            "http_server_connections_active",
            &[],
        ) == 1.0
    });
    assert!(
        settled,
        "connections_active did not come back to the scrape's own connection"
    );
}

#[test]
fn in_flight_counts_requests_being_handled() {
    let registry = MetricsRegistry::new();
    let metrics = RequestMetrics::builder()
        .server("api")
        .register(&registry)
        .expect("register");
    let server = serve(metrics, exposed(&registry), 1, 1);
    let address = server.address();
    let open = gate("in-flight");
    let waiting = std::thread::spawn(move || get(address, "/wait?gate=in-flight", &[]));
    // The scrape is in flight itself, so 2 means `/wait` is being handled.
    let held = wait_until(Duration::from_secs(10), || {
        sum_samples(
            &metrics_text(address),
            "http_server_requests_in_flight",
            &["server=\"api\""],
        ) == 2.0
    });
    assert!(held, "the waiting request never showed as in flight");
    open.send(()).expect("the handler waits");
    assert_eq!(waiting.join().expect("request").text(), "released");
    assert_eq!(
        sum_samples(
            &metrics_text(address),
            "http_server_requests_in_flight",
            &[]
        ),
        1.0
    );
}

/// `curl` fetching `path` over HTTP/2 with prior knowledge (h2c), or HTTP/1.1.
fn curl(address: SocketAddr, path: &str, http2: bool) -> std::process::Command {
    let mut command = std::process::Command::new("curl");
    command
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            "20",
            "--output",
            "/dev/null",
        ])
        .args(["--write-out", "%{http_version} %{http_code}"])
        .arg(if http2 {
            "--http2-prior-knowledge"
        } else {
            "--http1.1"
        })
        .arg(format!("http://{address}{path}"));
    command
}

/// What `curl` printed: the HTTP version it spoke and the status.
fn curl_output(output: std::io::Result<std::process::Output>) -> String {
    let output = output.expect("curl runs (`bash .ci/run` installs it)");
    assert!(
        output.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn http2_requests_are_labelled_by_protocol_and_counted_as_streams() {
    let registry = MetricsRegistry::new();
    let metrics = RequestMetrics::builder()
        .server("h2")
        .register(&registry)
        .expect("register");
    let server = serve_on(metrics, exposed(&registry), 1, 1, true);
    let address = server.address();
    for _ in 0..3 {
        assert_eq!(curl_output(curl(address, "/hello", true).output()), "2 200");
    }
    assert_eq!(curl_output(curl(address, "/nope", true).output()), "2 404");
    assert_eq!(
        curl_output(curl(address, "/hello", false).output()),
        "1.1 200"
    );

    // A request held open over HTTP/2 is one active stream.
    let open = gate("h2-stream");
    let held = curl(address, "/wait?gate=h2-stream", true)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("curl runs");
    let streams = |text: &str, family: &str| sum_samples(text, family, &["server=\"h2\""]);
    let active = wait_until(Duration::from_secs(10), || {
        streams(&metrics_text(address), "http_server_streams_active") == 1.0
    });
    assert!(
        active,
        "the held HTTP/2 request never showed as an active stream"
    );
    open.send(()).expect("the handler waits");
    assert_eq!(curl_output(held.wait_with_output()), "2 200");

    let text = metrics_text(address);
    let requests = |protocol: &str, route: &str| {
        sum_samples(
            &text,
            "http_server_requests_total",
            &[
                &format!("protocol=\"{protocol}\""),
                &format!("route=\"{route}\""),
            ],
        )
    };
    assert_eq!(requests("HTTP/2", "/hello"), 3.0, "{text}");
    assert_eq!(requests("HTTP/2", "(unmatched)"), 1.0, "{text}");
    assert_eq!(requests("HTTP/2", "/wait"), 1.0, "{text}");
    assert_eq!(requests("HTTP/1.1", "/hello"), 1.0, "{text}");
    // The scrapes came over HTTP/1.1 (this test's client): no streams.
    assert_eq!(streams(&text, "http_server_streams_total"), 5.0, "{text}");
    assert_eq!(streams(&text, "http_server_streams_active"), 0.0, "{text}");
}

#[test]
fn one_worker_block_per_worker_thread_even_with_two_bound_addresses() {
    let registry = MetricsRegistry::new();
    let metrics = RequestMetrics::builder()
        .register(&registry)
        .expect("register");
    let server = serve(metrics, exposed(&registry), 2, 2);
    let (first, second) = (server.addresses[0], server.addresses[1]);
    for _ in 0..6 {
        assert_eq!(get(first, "/hello", &[]).status, 200);
    }
    for _ in 0..4 {
        assert_eq!(get(second, "/hello", &[]).status, 200);
    }
    let text = metrics_text(first);
    // The App factory ran 4 times (2 workers x 2 addresses): still 2 workers.
    assert_eq!(
        sum_samples(&text, "actorscope_worker_up", &["collector=\"http\""]),
        2.0,
        "{text}"
    );
    // Unnamed, each bound address is its own server.
    let by_server = |address: SocketAddr| {
        sum_samples(
            &text,
            "http_server_requests_total",
            &[&format!("server=\"{address}\""), "route=\"/hello\""],
        )
    };
    assert_eq!((by_server(first), by_server(second)), (6.0, 4.0), "{text}");
}

#[test]
fn label_sets_past_the_limit_fold_into_one_overflow_series() {
    let registry = MetricsRegistry::new();
    let metrics = RequestMetrics::builder()
        .server("small")
        .series_limit(3)
        .register(&registry)
        .expect("register");
    let server = serve(metrics, exposed(&registry), 1, 1);
    let address = server.address();
    // Three label sets fit; then two new ones (three requests) fold; known ones still count.
    for (method, path) in [
        ("GET", "/hello"),
        ("GET", "/items/1"),
        ("GET", "/fail"),
        ("PUT", "/items/2"),
        ("GET", "/nope"),
        ("GET", "/nope"),
        ("GET", "/hello"),
    ] {
        request(address, method, path, &[], b"");
    }
    let response = get(
        address,
        "/debug/metrics?name=http_server_requests&server=small",
        &[],
    );
    let document = response.json();
    let families = document["families"].as_array().expect("families");
    let requests = families
        .iter()
        .find(|f| f["name"] == "http_server_requests_total")
        .expect("requests family");
    let series: Vec<(String, f64)> = requests["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|s| {
            (
                s["labels"]["route"].as_str().expect("route").to_owned(),
                s["value"].as_f64().expect("value"),
            )
        })
        .collect();
    assert_eq!(
        series,
        [
            ("/hello".to_owned(), 2.0),
            ("/items/{id}".to_owned(), 1.0),
            ("/fail".to_owned(), 1.0),
            ("(overflow)".to_owned(), 3.0)
        ],
        "{requests}"
    );
    let folded = families
        .iter()
        .find(|f| f["name"] == "http_server_requests_folded_total")
        .expect("folded family");
    assert_eq!(folded["samples"][0]["value"].as_f64(), Some(3.0));
}

#[test]
fn two_servers_in_one_process_are_told_apart_by_name() {
    let registry = MetricsRegistry::new();
    let api = RequestMetrics::builder()
        .server("api")
        .register(&registry)
        .expect("register api");
    let admin = RequestMetrics::builder()
        .server("admin")
        .register(&registry)
        .expect("register admin");
    let duplicate = RequestMetrics::builder().server("api").register(&registry);
    assert!(
        duplicate.is_err_and(|error| error.to_string().contains("http:api")),
        "a second RequestMetrics with the same name is refused by name"
    );
    let routes = exposed(&registry);
    let api_server = serve(api, routes.clone(), 1, 1);
    let admin_server = serve(admin, routes, 1, 1);
    for _ in 0..3 {
        get(api_server.address(), "/hello", &[]);
    }
    get(admin_server.address(), "/hello", &[]);
    let text = metrics_text(admin_server.address());
    let hello = |server: &str| {
        sum_samples(
            &text,
            "http_server_requests_total",
            &[&format!("server=\"{server}\""), "route=\"/hello\""],
        )
    };
    assert_eq!((hello("api"), hello("admin")), (3.0, 1.0), "{text}");
    let filtered = get(
        admin_server.address(),
        "/debug/metrics?server=api&name=http_server_requests_total",
        &[],
    );
    let document = filtered.json();
    let samples = document["families"][0]["samples"]
        .as_array()
        .expect("samples");
    assert!(!samples.is_empty());
    assert!(
        samples.iter().all(|s| s["labels"]["server"] == "api"),
        "{document}"
    );
}

/// The letters of the `connections` slot map of server `server`, sorted (order depends on
/// which slot each connection got).
fn slot_letters(address: SocketAddr, server: &str) -> Option<(String, f64)> {
    let document = get(address, "/debug/metrics?name=actorscope_pool", &[]).json();
    let families = document["families"].as_array()?;
    let map = families
        .iter()
        .find(|f| f["name"] == "actorscope_pool_slots")?["samples"]
        .as_array()?
        .iter()
        .find(|m| m["labels"]["owner"] == server && m["labels"]["pool"] == "connections")?;
    let mut letters: Vec<char> = map["states"].as_str()?.chars().collect();
    letters.sort_unstable();
    let overflows = families
        .iter()
        .find(|f| f["name"] == "actorscope_pool_overflows_total")?["samples"][0]["value"]
        .as_f64()?;
    Some((letters.into_iter().collect(), overflows))
}

#[test]
fn connection_slots_show_active_idle_and_free_and_count_overflows() {
    let registry = MetricsRegistry::new();
    let metrics = RequestMetrics::builder()
        .server("slots")
        .connection_slots(3)
        .register(&registry)
        .expect("register");
    let server = serve(metrics, exposed(&registry), 1, 1);
    let address = server.address();
    let open = gate("slots");
    let waiting = std::thread::spawn(move || get(address, "/wait?gate=slots", &[]));
    let idle: Vec<std::net::TcpStream> = (0..2)
        .map(|_| std::net::TcpStream::connect(address).expect("connect"))
        .collect();
    // One slot active (/wait), two idle (connected, no request): the pool is full, so
    // each scrape's own connection is refused a slot and counted as an overflow.
    let full = wait_until(Duration::from_secs(10), || {
        slot_letters(address, "slots")
            .is_some_and(|(letters, overflows)| letters == "aii" && overflows >= 1.0)
    });
    assert!(full, "last seen: {:?}", slot_letters(address, "slots"));
    open.send(()).expect("the handler waits");
    waiting.join().expect("request");
    drop(idle);
    // Only the scrape's own connection holds a slot now.
    let freed = wait_until(Duration::from_secs(10), || {
        slot_letters(address, "slots").is_some_and(|(letters, _)| letters == "aff")
    });
    assert!(freed, "last seen: {:?}", slot_letters(address, "slots"));
}
