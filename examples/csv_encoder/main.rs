//! Your own format on `/metrics`: CSV for spreadsheets, chosen by `Accept: text/csv`.
//!
//! Run: `cargo run --example csv_encoder` (serves on a loopback port, fetches `/metrics`
//! once as CSV and once as Prometheus would, prints both, and stops).

mod csv;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use actix_web::{App, HttpServer};
use actorscope::prelude::*;
use actorscope::registry::collector_fn;
use actorscope::{RouteOptions, Routes};

/// One plain HTTP/1.1 GET with an `Accept` header; the whole answer as text.
fn get(address: SocketAddr, accept: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(address)?;
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let registry = MetricsRegistry::new();
    registry
        .register(
            "orders",
            collector_fn(|out| {
                out.counter("shop_orders_total", "Orders placed.")
                    .add([("country", "NL")], 12)?
                    .add([("country", "FR, overseas")], 3)?;
                Ok(())
            }),
        )
        .map_err(std::io::Error::other)?;
    let routes = Routes::new(&registry, RouteOptions::default().with_encoder(csv::Csv))
        .map_err(std::io::Error::other)?;
    let server = HttpServer::new(move || App::new().service(routes.clone()))
        .workers(1)
        .bind("127.0.0.1:0")?;
    let address = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    let running = actix_web::rt::spawn(server);

    for accept in ["text/csv", "text/plain;version=0.0.4"] {
        let answer = actix_web::rt::task::spawn_blocking(move || get(address, accept))
            .await
            .map_err(std::io::Error::other)??;
        println!("--- Accept: {accept}\n{answer}\n");
    }
    handle.stop(true).await;
    running.await.map_err(std::io::Error::other)?
}
