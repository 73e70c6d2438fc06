//! The README's first command: the demo binary, over real HTTP on loopback.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{promtool_check, python_parse};

/// The demo process; killed when dropped so a failing test leaves nothing behind.
struct Demo {
    child: Child,
    address: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_demo() -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the demo");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    // The demo prints its address once bound; read_line returns when it does (or at EOF
    // if the demo died, which the assert below reports).
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the demo's first line");
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("demo did not print its address: {line:?}"))
        .to_owned();
    Demo { child, address }
}

/// A plain HTTP/1.1 GET; returns (status line, headers, body).
fn get(address: &str, path: &str, accept: Option<&str>) -> (String, String, Vec<u8>) {
    let mut stream = TcpStream::connect(address).expect("connect to the demo");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let accept = accept
        .map(|a| format!("Accept: {a}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\n{accept}Connection: close\r\n\r\n"
    )
    .expect("send");
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
