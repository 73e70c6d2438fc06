//! What `RequestMetrics` costs an actix-web server under load: `wrk` against a
//! hello-world route, alternating runs without middleware, with ActorScope's and with
//! actix-web-prom's, in one session.
//!
//! Each server is a process of its own (this bench started again with `--serve
//! VARIANT`), with one worker, pinned to the first core; `wrk` (one thread, 32
//! connections) is pinned to the second. Besides requests per second, each run reads
//! the server process's CPU time (utime + stime from `/proc/PID/stat`) before and after
//! and divides it by the requests served: the cost per request shows whichever side is
//! the bottleneck (wrk on one core usually is, so throughput alone cannot see a few
//! hundred nanoseconds).
//!
//! `cargo bench --bench http_overhead` (needs `wrk`, Debian package `wrk`). Optional
//! arguments: `--rounds N` (default 7), `--seconds S` per run (default 5).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

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

    /// The `--serve` argument that starts this variant's server process.
    fn flag(self) -> &'static str {
        match self {
            Variant::Bare => "bare",
            Variant::ActorScope => "actorscope",
            Variant::ActixWebProm => "actix-web-prom",
        }
    }

    fn from_flag(flag: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|variant| variant.flag() == flag)
    }

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

/// The server process of `variant`: serves until its stdin closes, and prints its
/// address first.
fn serve(variant: Variant) {
    let registry = MetricsRegistry::new();
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
        println!("{address}");
        let handle = server.handle();
        // Stop when the bench closes our stdin (or dies).
        std::thread::spawn(move || {
            let _ = std::io::stdin().read_line(&mut String::new());
            futures::executor::block_on(handle.stop(false));
        });
        let _ = server.await;
    });
}

/// A server process started by this bench.
struct ServerProcess {
    variant: Variant,
    child: Child,
    address: SocketAddr,
}

impl ServerProcess {
    fn start(variant: Variant) -> Self {
        let mut child = Command::new(std::env::current_exe().expect("this bench's path"))
            .args(["--serve", variant.flag()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start a server process");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the server prints its address");
        let address = line.trim().parse().expect("an address");
        // Every thread of the server on the first core; wrk runs on the second.
        let pinned = Command::new("taskset")
            .args(["-a", "-p", "-c", "0", &child.id().to_string()])
            .output()
            .is_ok_and(|output| output.status.success());
        assert!(
            pinned,
            "taskset (util-linux) could not pin the server to core 0"
        );
        Self {
            variant,
            child,
            address,
        }
    }

    /// The process's CPU time so far (user + system), in seconds.
    fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .expect("/proc/PID/stat of the server");
        // Fields after the command name (which may hold spaces) in parentheses: the
        // state is field 3, utime field 14, stime field 15.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let ticks = |index: usize| -> f64 {
            fields
                .get(index)
                .and_then(|field| field.parse::<f64>().ok())
                .expect("utime and stime in /proc/PID/stat")
        };
        (ticks(11) + ticks(12)) / clock_ticks_per_second()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`; 100 nearly everywhere).
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|output| String::from_utf8_lossy(&output.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
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

/// Per-round ratios of `values` to the bare server's (index 0) in the same round,
/// and their median: the host's drift between rounds cancels out.
fn ratio_median(values: &[Vec<f64>], index: usize) -> f64 {
    let mut ratios: Vec<f64> = values[index]
        .iter()
        .zip(&values[0])
        .map(|(value, bare)| value / bare)
        .collect();
    median(&mut ratios)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--serve") {
        let variant = args
            .get(at + 1)
            .and_then(|flag| Variant::from_flag(flag))
            .expect("--serve bare|actorscope|actix-web-prom");
        serve(variant);
        return;
    }
    let rounds = argument("--rounds", 7);
    let seconds = argument("--seconds", 5);
    let servers: Vec<ServerProcess> = Variant::ALL.into_iter().map(ServerProcess::start).collect();
    for server in &servers {
        wrk(server.address, 1); // warm-up
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); servers.len()];
    // Server CPU microseconds per request served.
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); servers.len()];
    for round in 0..rounds {
        // Rotate the order each round so no variant always runs first.
        for offset in 0..servers.len() {
            let index = (offset + round as usize) % servers.len();
            let before = servers[index].cpu_seconds();
            let (rate, completed) = wrk(servers[index].address, seconds);
            let used = servers[index].cpu_seconds() - before;
            rates[index].push(rate);
            #[allow(clippy::cast_precision_loss)] // request counts far below 2^53
            cpu[index].push(used * 1e6 / completed.max(1) as f64);
        }
    }
    println!("\nwrk -t1 -c32 -d{seconds}s, {rounds} alternating rounds, one server process each:");
    println!(
        "| server | median req/s | median of per-round ratios | median server CPU per request | median of per-round CPU ratios | CPU runs (µs/request) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | --- |");
    for (index, server) in servers.iter().enumerate() {
        let runs: Vec<String> = cpu[index].iter().map(|c| format!("{c:.2}")).collect();
        println!(
            "| {} | {:.0} | {:.1}% | {:.2} µs | {:.1}% | {} |",
            server.variant.name(),
            median(&mut rates[index].clone()),
            100.0 * ratio_median(&rates, index),
            median(&mut cpu[index].clone()),
            100.0 * ratio_median(&cpu, index),
            runs.join(", "),
        );
    }
}
