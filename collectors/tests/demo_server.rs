//! The README's first command: the demo binary, over real HTTP on loopback.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

use common::demo::Demo;
use common::{promtool_check, python_parse};

fn start_demo() -> Demo {
    start_demo_with(&[])
}

fn start_demo_with(extra: &[&str]) -> Demo {
    common::demo::start_demo(extra)
}

/// A plain HTTP/1.1 request; returns (status line, lower-cased headers, body).
fn request(
    address: &str,
    method: &str,
    path: &str,
    headers: &str,
    body: &[u8],
) -> (String, String, Vec<u8>) {
    let mut stream = TcpStream::connect(address).expect("connect to the demo");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .expect("send");
    stream.write_all(body).expect("send body");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let (status, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
    (
        status.to_owned(),
        headers.to_lowercase(),
        response[split + 4..].to_vec(),
    )
}

fn get(address: &str, path: &str, accept: Option<&str>) -> (String, String, Vec<u8>) {
    let accept = accept
        .map(|a| format!("Accept: {a}\r\n"))
        .unwrap_or_default();
    request(address, "GET", path, &accept, b"")
}

/// The sum of a family's samples whose labels include `label`, from Prometheus text.
fn sum_of(metrics: &str, family: &str, label: &str) -> f64 {
    metrics
        .lines()
        .filter(|line| line.starts_with(&format!("{family}{{")) && line.contains(label))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[test]
fn demo_serves_metrics_that_promtool_and_python_accept() {
    let demo = start_demo();
    let (status, headers, body) = get(&demo.address, "/metrics", None);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        headers.contains("content-type: text/plain; version=0.0.4; charset=utf-8"),
        "{headers}"
    );
    let text = String::from_utf8(body.clone()).expect("utf-8");
    assert!(text.contains("demo_uptime_seconds "), "{text}");
    assert!(text.contains("actorscope_scrapes_total 1\n"), "{text}");
    // The built-in collectors and the middleware are all mounted.
    for family in [
        "process_resident_memory_bytes",
        "process_open_fds",
        "actorscope_allocator_live_bytes",
        "actorscope_runtime_busy_seconds_total",
        "actorscope_pool_capacity",
        "http_server_connections_active",
        "actorscope_worker_up",
    ] {
        assert!(text.contains(&format!("\n{family}")), "{family} is missing");
    }
    assert_eq!(
        sum_of(&text, "actorscope_pool_capacity", "pool=\"connections\""),
        2.0 * 256.0,
        "256 connection slots on each of the two HTTP workers"
    );
    promtool_check(&body)
        .unwrap_or_else(|(code, report)| panic!("promtool exited {code}: {report}"));
    python_parse("prometheus", &body).unwrap_or_else(|reason| panic!("{reason}"));

    let (_, headers, body) = get(
        &demo.address,
        "/metrics",
        Some("application/openmetrics-text; version=1.0.0"),
    );
    assert!(
        headers.contains("content-type: application/openmetrics-text"),
        "{headers}"
    );
    python_parse("openmetrics", &body).unwrap_or_else(|reason| panic!("{reason}"));
}

#[test]
fn demo_says_clearly_when_its_port_is_taken() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let address = taken.local_addr().expect("address").to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["--bind", &address])
        .output()
        .expect("run the demo");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {address}")),
        "{stderr}"
    );
    assert!(stderr.contains("--bind"), "{stderr}");
}

#[test]
fn demo_refuses_a_bad_flag_with_usage() {
    let output = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["--bind", "localhost:http"])
        .output()
        .expect("run the demo");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is not an address like 127.0.0.1:9000"),
        "{stderr}"
    );
    assert!(stderr.contains("usage: demo"), "{stderr}");
}

#[test]
fn key_value_operations_are_counted_exactly_across_shards() {
    let demo = start_demo_with(&["--shards", "3"]);
    let (puts, gets, deletes) = (40, 25, 10);
    for i in 0..puts {
        let (status, _, _) = request(&demo.address, "PUT", &format!("/kv/k{i}"), "", b"value");
        assert_eq!(status, "HTTP/1.1 201 Created");
    }
    for i in 0..gets {
        let (status, _, body) = get(&demo.address, &format!("/kv/k{i}"), None);
        assert_eq!(
            (status.as_str(), body.as_slice()),
            ("HTTP/1.1 200 OK", b"value".as_slice())
        );
    }
    for i in 0..deletes {
        let (status, _, _) = request(&demo.address, "DELETE", &format!("/kv/k{i}"), "", b"");
        assert_eq!(status, "HTTP/1.1 204 No Content");
    }
    let (_, _, missing) = get(&demo.address, "/kv/k0", None);
    assert_eq!(missing, b"no such key\n");

    // Refused requests get a message and are not counted as operations.
    let (status, _, body) = get(&demo.address, "/kv/bad%20key", None);
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    assert!(String::from_utf8_lossy(&body).contains("invalid key \"bad key\""));
    let (status, _, body) = request(&demo.address, "PUT", "/kv/empty", "", b"");
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    assert!(String::from_utf8_lossy(&body).contains("empty value"));

    let (_, _, body) = get(&demo.address, "/metrics", None);
    let metrics = String::from_utf8(body).expect("utf-8");
    assert_eq!(
        sum_of(&metrics, "kv_operations_total", "op=\"put\""),
        f64::from(puts)
    );
    assert_eq!(
        sum_of(&metrics, "kv_operations_total", "op=\"get\""),
        f64::from(gets + 1)
    );
    assert_eq!(
        sum_of(&metrics, "kv_operations_total", "op=\"delete\""),
        f64::from(deletes)
    );
    assert_eq!(sum_of(&metrics, "kv_lookups_total", "result=\"miss\""), 1.0);
    assert_eq!(
        sum_of(&metrics, "kv_keys", "worker="),
        f64::from(puts - deletes)
    );
    assert_eq!(
        sum_of(&metrics, "actorscope_worker_up", "collector=\"kv\""),
        3.0
    );
    // Actor insight on the shards: every operation is one instrumented message, and
    // none is left in a mailbox.
    assert_eq!(
        sum_of(
            &metrics,
            "actorscope_actor_messages_handled_total",
            "actor=\"Shard\",message=\"Command\""
        ),
        f64::from(puts + gets + 1 + deletes)
    );
    assert_eq!(
        sum_of(
            &metrics,
            "actorscope_actor_mailbox_depth",
            "actor=\"Shard\""
        ),
        0.0
    );
    assert_eq!(
        sum_of(&metrics, "actorscope_actor_active", "actor=\"Shard\""),
        3.0
    );
    promtool_check(metrics.as_bytes())
        .unwrap_or_else(|(code, report)| panic!("promtool exited {code}: {report}"));
}

#[test]
fn ctrl_c_stops_the_demo_promptly_with_a_connection_open() {
    let mut demo = start_demo_with(&["--load"]);
    let _idle = TcpStream::connect(&demo.address).expect("an idle keep-alive connection");
    let status = Command::new("kill")
        .args(["-INT", &demo.child.id().to_string()])
        .status()
        .expect("send SIGINT");
    assert!(status.success());
    let stopped = common::wait_until(Duration::from_secs(5), || {
        matches!(demo.child.try_wait(), Ok(Some(_)))
    });
    assert!(stopped, "the demo was still running 5 s after Ctrl-C");
}

#[test]
fn sigterm_and_ctrl_c_stop_the_demo_promptly_with_a_dashboard_stream_open() {
    for signal in ["-TERM", "-INT"] {
        let mut demo = start_demo();
        let address = demo.address.parse().expect("a socket address");
        let mut stream = common::sse::SseClient::connect(address, "/debug/stream", &[]);
        assert_eq!(stream.status, 200);
        stream
            .next_event(Duration::from_secs(10))
            .expect("the stream is live");
        let status = Command::new("kill")
            .args([signal, &demo.child.id().to_string()])
            .status()
            .expect("send the signal");
        assert!(status.success());
        let stopped = common::wait_until(Duration::from_secs(5), || {
            matches!(demo.child.try_wait(), Ok(Some(_)))
        });
        assert!(
            stopped,
            "the demo was still running 5 s after kill {signal}"
        );
        assert!(
            stream.next_event(Duration::from_secs(5)).is_none(),
            "the stream ended"
        );
        assert!(
            stream.ended_cleanly,
            "the server ended the stream itself, not the shutdown timeout (kill {signal})"
        );
    }
}

#[test]
fn the_demos_load_shows_both_sides_of_its_requests() {
    let demo = start_demo_with(&["--load"]);
    let metrics =
        |path: &str| String::from_utf8_lossy(&get(&demo.address, path, None).2).into_owned();
    let client = "client=\"load\"";
    let both_sides = common::wait_until(Duration::from_secs(20), || {
        let text = metrics("/metrics");
        sum_of(&text, "http_client_requests_total", client) >= 100.0
            && sum_of(&text, "http_server_requests_total", "route=\"/kv/{key}\"") >= 100.0
    });
    assert!(both_sides, "{}", metrics("/metrics"));
    let text = metrics("/metrics");
    // The client labels its calls with the route template, never the raw path.
    assert!(
        text.lines()
            .filter(|line| line.starts_with("http_client_requests_total{"))
            .all(|line| line.contains("route=\"/kv/{key}\"") && !line.contains("key-")),
        "{text}"
    );
    assert!(sum_of(&text, "http_client_connections_opened_total", client) >= 1.0);
    // `?client=` keeps the load client's series only.
    let json = metrics("/debug/metrics?client=load");
    let document: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let families = document["families"].as_array().expect("families");
    let names: Vec<&str> = families
        .iter()
        .filter(|family| family["samples"].as_array().is_some_and(|s| !s.is_empty()))
        .filter_map(|family| family["name"].as_str())
        .collect();
    assert!(
        !names.is_empty() && names.iter().all(|name| name.starts_with("http_client_")),
        "{names:?}"
    );
}
