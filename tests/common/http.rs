//! Real HTTP on loopback: an actix-web server on its own thread and actix System, and a
//! plain HTTP/1.1 client over `TcpStream`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};

/// A running server; stopped (and its thread joined) when dropped.
pub struct TestServer {
    pub addresses: Vec<SocketAddr>,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// The first bound address.
    pub fn address(&self) -> SocketAddr {
        self.addresses[0]
    }

    /// Stops the server gracefully and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        futures::executor::block_on(self.handle.stop(true));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts the server `build` makes (bound, not yet run) in a new actix System thread.
/// `build` returns the server and its bound addresses.
pub fn start_server<F>(build: F) -> TestServer
where
    F: FnOnce() -> (Server, Vec<SocketAddr>) + Send + 'static,
{
    let (sender, receiver) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let (server, addresses) = build();
            sender
                .send((server.handle(), addresses))
                .expect("the test waits for the address");
            let _ = server.await;
        });
    });
    let (handle, addresses) = receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("the server started within 30 s");
    TestServer {
        addresses,
        handle,
        thread: Some(thread),
    }
}

/// A response as received.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked (not decompressed).
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body as UTF-8 text.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// Sends `method path` with `headers` (each `Name: value`) and `body`, on a connection
/// of its own that the server closes after answering.
pub fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &[u8],
) -> Response {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for header in headers {
        raw.push_str(header);
        raw.push_str("\r\n");
    }
    if !body.is_empty() {
        raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    raw.push_str("\r\n");
    let mut bytes = raw.into_bytes();
    bytes.extend_from_slice(body);
    request_raw(address, &bytes, method == "HEAD")
        .unwrap_or_else(|| panic!("no HTTP response to {method} {path}"))
}

/// `GET path` with `headers`.
pub fn get(address: SocketAddr, path: &str, headers: &[&str]) -> Response {
    request(address, "GET", path, headers, b"")
}

/// Sends raw bytes; `None` when the server closed without a parsable response.
pub fn request_raw(address: SocketAddr, raw: &[u8], head_only: bool) -> Option<Response> {
    let mut stream = TcpStream::connect(address).expect("connect to the test server");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("set a read timeout");
    stream.write_all(raw).ok()?;
    let mut received = Vec::new();
    // The server closes the connection after the response (Connection: close).
    stream.read_to_end(&mut received).ok()?;
    parse_response(&received, head_only)
}

fn parse_response(received: &[u8], head_only: bool) -> Option<Response> {
    let split = received.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&received[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let rest = &received[split + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if head_only {
        rest.to_vec()
    } else if chunked {
        dechunk(rest)?
    } else {
        rest.to_vec()
    };
    Some(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// Decompresses a gzip body.
pub fn gunzip(body: &[u8]) -> Vec<u8> {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut text)
        .expect("a valid gzip body");
    text
}

/// The sum of every sample of `family` in Prometheus `text` whose line contains all of
/// `must_contain` (e.g. `route="/a"`).
pub fn sum_samples(text: &str, family: &str, must_contain: &[&str]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.strip_prefix(family)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .filter(|line| must_contain.iter().all(|needle| line.contains(needle)))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// A server with only ActorScope's routes for `registry`, on `workers` workers.
pub fn serve_routes(
    registry: actorscope::registry::MetricsRegistry,
    options: actorscope::RouteOptions,
    workers: usize,
) -> TestServer {
    let routes = actorscope::Routes::new(&registry, options).expect("the routes mount");
    serve_these_routes(routes, workers)
}

/// Serves `routes` alone on a loopback port with `workers` worker threads.
pub fn serve_these_routes(routes: actorscope::Routes, workers: usize) -> TestServer {
    start_server(move || {
        let server =
            actix_web::HttpServer::new(move || actix_web::App::new().service(routes.clone()))
                .workers(workers)
                .shutdown_timeout(1)
                .bind("127.0.0.1:0")
                .expect("bind a loopback port");
        let addresses = server.addrs();
        (server.run(), addresses)
    })
}
