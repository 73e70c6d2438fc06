//! What `RequestMetrics` costs an actix-web server: `wrk` against a hello-world route,
//! alternating runs without middleware, with ActorScope's and with actix-web-prom's, in
//! one session. Each server has one worker, pinned to the first core; `wrk` (one thread,
//! 32 connections) is pinned to the second.
//!
//! `cargo bench --bench http_overhead` (needs `wrk`, Debian package `wrk`). Optional
//! arguments: `--rounds N` (default 7), `--seconds S` per run (default 5).

use std::net::SocketAddr;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpServer};
use actix_web_prom::PrometheusMetricsBuilder;
use actorscope::registry::MetricsRegistry;
use actorscope::RequestMetrics;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Bare,
    ActorScope,
    ActixWebProm,
}

impl Variant {
    const ALL: [Variant; 3] = [Variant::Bare, Variant::ActorScope, Variant::ActixWebProm];

    fn name(self) -> &'static str {
        match self {
            Variant::Bare => "no middleware",
            Variant::ActorScope => "ActorScope RequestMetrics",
            Variant::ActixWebProm => "actix-web-prom 0.10",
        }
    }
}

async fn hello() -> &'static str {
    "hello, world"
}

/// Binds `server` to a loopback port with one worker; returns it running and its address.
macro_rules! run_on_loopback {
    ($server:expr) => {{
        let server = $server
            .workers(1)
            .bind("127.0.0.1:0")
            .expect("bind a loopback port");
        let address = server.addrs()[0];
        (server.run(), address)
    }};
}

/// Starts `variant`'s server on its own actix System thread.
fn start(variant: Variant, registry: MetricsRegistry) -> (SocketAddr, ServerHandle) {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let (server, address) = match variant {
                Variant::Bare => {
                    run_on_loopback!(HttpServer::new(
                        || App::new().route("/", web::get().to(hello))
                    ))
                }
                Variant::ActorScope => {
                    let metrics = RequestMetrics::builder()
                        .register(&registry)
                        .expect("register");
                    let on_connect = metrics.on_connect();
                    run_on_loopback!(HttpServer::new(move || {
                        App::new()
                            .wrap(metrics.clone())
                            .route("/", web::get().to(hello))
                    })
                    .on_connect(on_connect))
                }
                Variant::ActixWebProm => {
                    let prometheus = PrometheusMetricsBuilder::new("bench")
                        .endpoint("/prom-metrics")
                        .build()
                        .expect("actix-web-prom builds");
                    run_on_loopback!(HttpServer::new(move || {
                        App::new()
                            .wrap(prometheus.clone())
                            .route("/", web::get().to(hello))
                    }))
                }
            };
            sender.send((address, server.handle())).expect("main waits");
            let _ = server.await;
        });
    });
    receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("server started")
}

/// One `wrk` run; returns requests per second and total requests completed.
fn wrk(address: SocketAddr, seconds: u64) -> (f64, u64) {
    // wrk on the second core; the servers were pinned to the first (see `pin_servers`).
    let output = Command::new("taskset")
        .args(["-c", "1", "wrk"])
        .args([
            "-t1",
            "-c32",
            &format!("-d{seconds}s"),
            "--latency",
            &format!("http://{address}/"),
        ])
        .output()
        .unwrap_or_else(|error| panic!("cannot run taskset/wrk ({error}); apt-get install wrk"));
    let text = String::from_utf8_lossy(&output.stdout);
    let rate = text
        .lines()
        .find_map(|line| line.strip_prefix("Requests/sec:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's output:\n{text}"));
    let completed = text
        .lines()
        .find(|line| line.contains("requests in"))
        .and_then(|line| line.split_whitespace().next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    (rate, completed)
}

/// Pins every thread of this process (the servers' workers) to the first core, so the
/// server and `wrk` never compete for one core and runs are comparable.
fn pin_servers() {
    let pid = std::process::id().to_string();
    let pinned = Command::new("taskset")
        .args(["-a", "-p", "-c", "0", &pid])
        .output()
        .is_ok_and(|output| output.status.success());
    assert!(
        pinned,
        "taskset (util-linux) could not pin the servers to core 0"
    );
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

fn argument(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|arg| arg == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let rounds = argument("--rounds", 7);
    let seconds = argument("--seconds", 5);
    let registry = MetricsRegistry::new();
    let servers: Vec<(Variant, SocketAddr, ServerHandle)> = Variant::ALL
        .iter()
        .map(|variant| {
            let (address, handle) = start(*variant, registry.clone());
            (*variant, address, handle)
        })
        .collect();
    pin_servers();
    for (_, address, _) in &servers {
        wrk(*address, 1); // warm-up
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); servers.len()];
    for round in 0..rounds {
        // Rotate the order each round so no variant always runs first.
        for offset in 0..servers.len() {
            let index = (offset + round as usize) % servers.len();
            let (rate, _) = wrk(servers[index].1, seconds);
            rates[index].push(rate);
        }
    }
    // Each round's ratio to the bare server in that same round: the host's drift between
    // rounds (seen here: 110k vs 140k req/s) cancels out.
    let ratio_medians: Vec<f64> = rates
        .iter()
        .map(|runs| {
            let mut ratios: Vec<f64> = runs
                .iter()
                .zip(&rates[0])
                .map(|(r, bare)| r / bare)
                .collect();
            median(&mut ratios)
        })
        .collect();
    let medians: Vec<f64> = rates.iter().map(|r| median(&mut r.clone())).collect();
    println!("\nwrk -t1 -c32 -d{seconds}s, {rounds} alternating rounds:");
    println!(
        "| server | median req/s | runs (req/s) | median of per-round ratios to no middleware |"
    );
    println!("| --- | ---: | --- | ---: |");
    for (((variant, _, _), median), (ratio, runs)) in servers
        .iter()
        .zip(&medians)
        .zip(ratio_medians.iter().zip(&rates))
    {
        let runs: Vec<String> = runs.iter().map(|r| format!("{r:.0}")).collect();
        println!(
            "| {} | {median:.0} | {} | {:.1}% |",
            variant.name(),
            runs.join(", "),
            100.0 * ratio
        );
    }
    for (_, _, handle) in servers {
        futures::executor::block_on(handle.stop(false));
    }
}
