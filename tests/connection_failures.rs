//! Failed and aborted connections, as `RequestMetrics` observes them on a real actix-web
//! server over loopback: connections that close before any request (a request-head
//! timeout answered 408, a client that connects and leaves) and streamed responses the
//! client stops reading. (A request whose HTTP/1.1 client leaves while it is handled is
//! not observable: actix-web finishes handling it; see `RequestMetrics`.)

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use actix_web::{web as aweb, App, HttpResponse, HttpServer};
use actorscope::registry::MetricsRegistry;
use actorscope::{RequestMetrics, RouteOptions, Routes};
use common::http::{get, start_server, sum_samples, TestServer};
use common::wait_until;

/// A streamed body that never ends: a chunk every 10 ms.
async fn endless() -> HttpResponse {
    let chunks = futures::stream::unfold((), |()| async {
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        Some((
            Ok::<_, actix_web::Error>(aweb::Bytes::from_static(b"tick\n")),
            (),
        ))
    });
    HttpResponse::Ok().streaming(chunks)
}

/// A server with the middleware and `on_connect`, a 2 s request-head timeout (long enough that a loaded machine still sends the scrapes' heads in time), the
/// route above and `/metrics`.
fn serve() -> TestServer {
    let registry = MetricsRegistry::new();
    let metrics = RequestMetrics::builder()
        .server("edge")
        .register(&registry)
        .expect("the name is free");
    let routes = Routes::new(&registry, RouteOptions::default()).expect("the routes mount");
    start_server(move || {
        let on_connect = metrics.on_connect();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(metrics.clone())
                .route("/endless", aweb::get().to(endless))
                .service(routes.clone())
        })
        .workers(1)
        .client_request_timeout(Duration::from_secs(2))
        .shutdown_timeout(1)
        .on_connect(on_connect)
        .bind("127.0.0.1:0")
        .expect("bind a loopback port");
        let addresses = server.addrs();
        (server.run(), addresses)
    })
}

/// The sum of `family` for the server `edge`, scraped now.
fn scraped(address: SocketAddr, family: &str) -> f64 {
    let response = get(address, "/metrics", &[]);
    assert_eq!(response.status, 200);
    sum_samples(&response.text(), family, &["server=\"edge\""])
}

/// Reads what the server sends until it closes, for at most 5 s.
fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a read timeout");
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received);
    received
}

#[test]
fn connections_closed_before_any_request_are_counted() {
    let server = serve();
    let address = server.address();
    // A client that sends nothing: actix answers 408 at the request-head timeout.
    let mut silent = TcpStream::connect(address).expect("connect");
    let answer = read_to_close(&mut silent);
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    // A client that connects and leaves.
    drop(TcpStream::connect(address).expect("connect"));
    let family = "http_server_connections_without_request_total";
    assert!(
        wait_until(Duration::from_secs(10), || scraped(address, family) >= 2.0),
        "both connections counted: {}",
        scraped(address, family)
    );
    // The scrapes' own connections carried a request each: not counted.
    assert_eq!(scraped(address, family), 2.0);
    server.stop();
}

#[test]
fn a_streamed_response_the_client_stops_reading_is_counted_as_aborted() {
    let server = serve();
    let address = server.address();
    let mut client = TcpStream::connect(address).expect("connect");
    client
        .write_all(b"GET /endless HTTP/1.1\r\nHost: test\r\n\r\n")
        .expect("send the request");
    let mut head = [0u8; 64];
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a read timeout");
    let read = client.read(&mut head).expect("the head arrives");
    assert!(head[..read].starts_with(b"HTTP/1.1 200"));
    assert_eq!(scraped(address, "http_server_responses_aborted_total"), 0.0);
    client.shutdown(Shutdown::Both).expect("close");
    drop(client);
    assert!(
        wait_until(Duration::from_secs(10), || {
            scraped(address, "http_server_responses_aborted_total") == 1.0
        }),
        "the abandoned stream is counted as aborted"
    );
    // The scrapes' own (sized) responses are not.
    assert_eq!(scraped(address, "http_server_responses_aborted_total"), 1.0);
    server.stop();
}
