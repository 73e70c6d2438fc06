//! The ActorScope demo: `cargo run --release`.
//!
//! A sharded in-memory key-value server. N shard actors (default: one per core), each on
//! its own arbiter, own their part of the map, their stats and a buffer pool; the HTTP API
//! routes `GET|PUT|DELETE /kv/{key}` to the key's shard. `/metrics` shows every shard's
//! stats, scraped by message.
//!
//! Flags: `--bind ADDR` (default `127.0.0.1:8080`), `--shards N`, `--workers N`, `--load`,
//! `--leak`, `--help`.

mod buffer_pool;
mod http;
mod kv_client;
mod leak;
mod load;
mod shard;

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use actix::Arbiter;
use actix_web::{web, App, HttpServer};
use actorscope::actor::ActorInsight;
use actorscope::model::Unit;
use actorscope::prelude::*;
use actorscope::registry::RegisterError;
use actorscope_collectors::{
    AllocatorCollector, CountingAllocator, HeapCollector, ProcessCollector, RuntimeCollector,
};

use crate::shard::{Shard, ShardStats};

const USAGE: &str = "usage: demo [--bind ADDR] [--shards N] [--workers N] [--load] [--leak]
  --bind ADDR   address to listen on (default 127.0.0.1:8080; port 0 picks a free port)
  --shards N    shard actors, 1 to 1024 (default: one per core)
  --workers N   HTTP worker threads, 1 to 64 (default: one per core)
  --load        run a bounded client load against the demo so the numbers move
  --leak        plant a leak (1 MiB/s, up to 512 MiB) for the dashboard's leak warning
  --otlp URL    also push the metrics over OTLP/HTTP to URL (e.g.
                http://127.0.0.1:4318/v1/metrics); the OTEL_* variables set the rest
  --plain-shards  send to the shards through their plain addresses (no actor insight
                on the send path): the baseline of the overhead figure in BENCHMARKS.md";

/// What the command line asked for.
struct Options {
    bind: SocketAddr,
    shards: usize,
    workers: usize,
    load: bool,
    leak: bool,
    plain_shards: bool,
    otlp: Option<String>,
}

/// Parses the command line; `Ok(None)` for `--help`, `Err` with the message to print.
fn parse_options(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        bind: ([127, 0, 0, 1], 8080).into(),
        shards: std::thread::available_parallelism().map_or(1, usize::from),
        workers: std::thread::available_parallelism().map_or(1, usize::from),
        load: false,
        leak: false,
        plain_shards: false,
        otlp: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bind" => {
                let value = args
                    .next()
                    .ok_or("--bind needs an address, e.g. --bind 127.0.0.1:9000")?;
                options.bind = value.parse().map_err(|_| {
                    format!("--bind {value:?} is not an address like 127.0.0.1:9000")
                })?;
            }
            "--shards" => {
                let value = args
                    .next()
                    .ok_or("--shards needs a number, e.g. --shards 4")?;
                options.shards = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=1024).contains(n))
                    .ok_or_else(|| format!("--shards {value:?} is not a number from 1 to 1024"))?;
            }
            "--workers" => {
                let value = args
                    .next()
                    .ok_or("--workers needs a number, e.g. --workers 2")?;
                options.workers = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=64).contains(n))
                    .ok_or_else(|| format!("--workers {value:?} is not a number from 1 to 64"))?;
            }
            "--load" => options.load = true,
            "--leak" => options.leak = true,
            "--plain-shards" => options.plain_shards = true,
            "--otlp" => {
                let url = args
                    .next()
                    .ok_or("--otlp needs a URL, e.g. --otlp http://127.0.0.1:4318/v1/metrics")?;
                options.otlp = Some(url);
            }
            "--help" | "-h" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(options))
}

/// Registers the demo's own collector: uptime and build info.
fn register_demo_info(registry: &MetricsRegistry) -> Result<(), RegisterError> {
    let started = Instant::now();
    let start_time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs_f64())
        .unwrap_or(0.0);
    registry.register(
        "demo",
        collector_fn(move |out| {
            out.gauge("demo_uptime_seconds", "Seconds since the demo started.")
                .unit(Unit::Seconds)
                .add((), started.elapsed().as_secs_f64())?;
            out.gauge(
                "demo_start_time_seconds",
                "When the demo started, in seconds since the Unix epoch.",
            )
            .unit(Unit::Seconds)
            .add((), start_time)?;
            out.info("demo_build_info", "The running ActorScope demo.")
                .add([("version", env!("CARGO_PKG_VERSION"))], ())?;
            Ok(())
        }),
    )?;
    Ok(())
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use actix_web::rt::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            futures::future::select(
                Box::pin(actix_web::rt::signal::ctrl_c()),
                Box::pin(terminate.recv()),
            )
            .await;
            return;
        }
    }
    let _ = actix_web::rt::signal::ctrl_c().await;
}

/// Connections each HTTP worker accepts at once, each shown as a slot on the dashboard.
const CONNECTION_SLOTS: usize = 256;

/// Counts every allocation, for the dashboard's memory panel.
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::system();

/// What the demo registers at startup, and keeps to start workers with.
struct Collectors {
    shards: WorkerCollector<ShardStats>,
    requests: RequestMetrics,
    runtimes: RuntimeCollector,
    routes: Routes,
}

/// An in-memory store answers in well under the 5 ms where the default HTTP buckets
/// start: 50 µs to 1.6 s, doubling, so the quantiles say how fast (server and load
/// client alike).
fn latency_buckets() -> Buckets {
    Buckets::exponential(50e-6, 2.0, 16).unwrap_or_else(|_| Buckets::http_seconds())
}

impl Collectors {
    /// Registers the demo's own collectors and the built-in ones, and makes the routes.
    fn register(registry: &MetricsRegistry) -> Result<Self, Box<dyn std::error::Error>> {
        register_demo_info(registry)?;
        let shards = WorkerCollector::<ShardStats>::new();
        registry.register("kv", shards.clone())?;
        let latency = latency_buckets();
        let requests = RequestMetrics::builder()
            .server("kv")
            .buckets(latency)
            .native_histograms(NativeConfig::default())
            .exemplars()
            .connection_slots(CONNECTION_SLOTS)
            .register(registry)?;
        let runtimes = RuntimeCollector::new();
        registry.register("runtime", runtimes.clone())?;
        registry.register("process", ProcessCollector::new())?;
        registry.register("allocator", AllocatorCollector)?;
        registry.register("heap", HeapCollector::new())?;
        let routes = Routes::new(registry, RouteOptions::default())?;
        Ok(Self {
            shards,
            requests,
            runtimes,
            routes,
        })
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let options = match parse_options(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
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
    let collectors = match Collectors::register(&registry) {
        Ok(collectors) => collectors,
        Err(error) => {
            eprintln!("demo: {error}");
            return ExitCode::FAILURE;
        }
    };
    let Collectors {
        shards: shard_stats,
        requests,
        runtimes,
        routes,
    } = collectors;

    // One step at startup per shard: start it on its own arbiter, tracked by the collector.
    let arbiters: Vec<Arbiter> = (0..options.shards).map(|_| Arbiter::new()).collect();
    let shards = http::Shards {
        instrumented: !options.plain_shards,
        addresses: arbiters
            .iter()
            .enumerate()
            .map(|(i, arbiter)| {
                runtimes.watch_arbiter(format!("shard-{i}"), &arbiter.handle());
                // Actor insight on the shard (reported by the global `actors` collector):
                // its counts go into the actor, its senders use the instrumented address.
                let insight = ActorInsight::new();
                let sender = insight.sender();
                let addr =
                    shard_stats.start_in(&arbiter.handle(), |stats| Shard::new(stats, insight));
                sender.bind(addr)
            })
            .collect(),
    };
    runtimes.watch_current("system");

    let shards = web::Data::new(shards);
    let on_stop = routes.clone();
    let on_connect = requests.on_connect();
    let server = HttpServer::new(move || {
        runtimes.watch_current_worker("http");
        App::new()
            .wrap(requests.clone())
            .app_data(shards.clone())
            .configure(http::configure)
            .service(routes.clone())
    })
    .on_connect(on_connect)
    // Our own signal handling, so open dashboard streams end before the server waits
    // for its connections to finish.
    .shutdown_signal(async move {
        stop_signal().await;
        on_stop.shutdown();
    })
    .workers(options.workers)
    .max_connections(CONNECTION_SLOTS)
    // Keep-alive connections must not hold Ctrl-C for the default 30 s.
    .shutdown_timeout(1);
    // HTTP/1.1 and HTTP/2 without TLS (h2c, prior knowledge) on the same port.
    let server = match server.bind_auto_h2c(options.bind) {
        Ok(server) => server,
        Err(error) => {
            eprintln!(
                "demo: cannot listen on {}: {error}; pass --bind 127.0.0.1:PORT to use another port",
                options.bind
            );
            return ExitCode::from(2);
        }
    };
    let addresses = server.addrs();
    for address in &addresses {
        // Ignore a closed stdout: whoever started the demo may not be reading any more.
        let _ = writeln!(
            std::io::stdout(),
            "ActorScope demo listening on http://{address}/metrics with {} shards (Ctrl-C stops it)\n  \
             dashboard: http://{address}/debug/   JSON: http://{address}/debug/metrics",
            options.shards
        );
    }
    if let (true, Some(address)) = (options.load, addresses.first()) {
        let calls = actorscope::ClientMetrics::builder("load").buckets(latency_buckets());
        match calls.register(&registry) {
            Ok(metrics) => load::start(*address, metrics),
            Err(error) => {
                eprintln!("demo: --load: {error}");
                return ExitCode::from(2);
            }
        }
    }
    if options.leak {
        if let Err(error) = leak::start() {
            eprintln!("demo: --leak: cannot start the leaking thread: {error}");
            return ExitCode::FAILURE;
        }
    }
    let exporter = match options.otlp.as_deref().map(|url| {
        actorscope::otlp::OtlpExporter::builder(&registry)
            .endpoint(url)
            .start()
    }) {
        None => None,
        Some(Ok(exporter)) => Some(exporter),
        Some(Err(error)) => {
            eprintln!("demo: --otlp: {error}");
            return ExitCode::from(2);
        }
    };
    let result = server.run().await;
    if let Some(exporter) = exporter {
        // One last export with the final counts, bounded.
        exporter.shutdown(std::time::Duration::from_secs(2)).await;
    }
    for arbiter in &arbiters {
        arbiter.stop();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("demo: server stopped: {error}");
            ExitCode::FAILURE
        }
    }
}
