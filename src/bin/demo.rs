//! The ActorScope demo: `cargo run --release`.
//!
//! For now a minimal server: `GET /metrics` serves the process-wide registry (Prometheus
//! text, or OpenMetrics when the `Accept` header asks for it). The sharded key-value demo
//! with worker actors replaces it when the actor issue lands.
//!
//! Flags: `--bind ADDR` (default `127.0.0.1:8080`), `--help`.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use actix_web::http::header::ACCEPT;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use actorscope::model::MetricKind;
use actorscope::registry::{collector_fn, MetricsRegistry, RegisterError};
use actorscope::Format;

const USAGE: &str = "usage: demo [--bind ADDR]\n  --bind ADDR  address to listen on (default 127.0.0.1:8080; use port 0 for any free port)";

/// Parses the command line; `Err` carries the message to print.
fn parse_bind(mut args: impl Iterator<Item = String>) -> Result<Option<SocketAddr>, String> {
    let mut bind: SocketAddr = ([127, 0, 0, 1], 8080).into();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bind" => {
                let value = args
                    .next()
                    .ok_or("--bind needs an address, e.g. --bind 127.0.0.1:9000")?;
                bind = value.parse().map_err(|_| {
                    format!("--bind {value:?} is not an address like 127.0.0.1:9000")
                })?;
            }
            "--help" | "-h" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(bind))
}

/// Registers the demo's collectors: uptime and build info.
fn register_collectors(registry: &MetricsRegistry) -> Result<(), RegisterError> {
    let started = Instant::now();
    let start_time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs_f64())
        .unwrap_or(0.0);
    registry.register(
        "demo",
        collector_fn(move |out| {
            out.family_with_unit(
                "demo_uptime_seconds",
                "Seconds since the demo started.",
                MetricKind::Gauge,
                "seconds",
            )?
            .add((), started.elapsed().as_secs_f64())?;
            out.family_with_unit(
                "demo_start_time_seconds",
                "When the demo started, in seconds since the Unix epoch.",
                MetricKind::Gauge,
                "seconds",
            )?
            .add((), start_time)?;
            out.family(
                "demo_build_info",
                "The running ActorScope demo.",
                MetricKind::Info,
            )?
            .add([("version", env!("CARGO_PKG_VERSION"))], 1)?;
            Ok(())
        }),
    )?;
    Ok(())
}

/// `GET /metrics`: Prometheus text, or OpenMetrics when `Accept` names it.
async fn metrics(request: HttpRequest, registry: web::Data<MetricsRegistry>) -> HttpResponse {
    let wants_openmetrics = request
        .headers()
        .get(ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("application/openmetrics-text"));
    let format = if wants_openmetrics {
        Format::OpenMetrics
    } else {
        Format::Prometheus
    };
    let snapshot = registry.scrape_shared(registry.default_deadline()).await;
    HttpResponse::Ok()
        .content_type(format.content_type())
        .body(format.encode(&snapshot))
}

#[actix_web::main]
async fn main() -> ExitCode {
    let bind = match parse_bind(std::env::args().skip(1)) {
        Ok(Some(bind)) => bind,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("demo: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let registry = MetricsRegistry::global().clone();
    if let Err(error) = register_collectors(&registry) {
        eprintln!("demo: {error}");
        return ExitCode::FAILURE;
    }
    let data = web::Data::new(registry);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/metrics", web::get().to(metrics))
    })
    // Keep-alive connections must not hold Ctrl-C for the default 30 s.
    .shutdown_timeout(1);
    let server = match server.bind(bind) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("demo: cannot listen on {bind}: {error}; pass --bind 127.0.0.1:PORT to use another port");
            return ExitCode::from(2);
        }
    };
    for address in server.addrs() {
        println!("ActorScope demo listening on http://{address}/metrics (Ctrl-C stops it)");
    }
    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("demo: server stopped: {error}");
            ExitCode::FAILURE
        }
    }
}
