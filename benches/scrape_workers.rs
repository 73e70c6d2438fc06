//! End-to-end scrape of worker actors, side by side with prometheus-client (BENCHMARKS.md).
//!
//! `cargo bench --bench scrape_workers`
//!
//! 16 worker actors on 16 arbiters, 1,000 counter series each. ActorScope: each worker
//! owns plain counters; a scrape sends every worker a message, merges the 16 copies and
//! encodes. prometheus-client: the same 16,000 series live in one shared registry, and
//! the same workers update them through atomics; its scrape is one `encode`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::{Actor, Addr, Arbiter, Context, Handler, Message, SystemRunner};
use actorscope::model::ModelError;
use actorscope::prelude::*;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use prometheus_client::metrics::counter::Counter as PeerCounter;
use prometheus_client::metrics::family::Family;

const WORKERS: usize = 16;
const SERIES: usize = 1_000;
const INCREMENTS: u64 = 100_000;

/// One worker's 1,000 counters; the label values are shared, so a copy is cheap.
#[derive(Clone)]
struct BenchStats {
    counters: Vec<Counter>,
    labels: Arc<Vec<String>>,
}

impl WorkerStats for BenchStats {
    fn write(&self, out: &mut Writer<'_>) -> Result<(), ModelError> {
        let mut events = out.counter("bench_events_total", "Events.").declare()?;
        for (counter, label) in self.counters.iter().zip(self.labels.iter()) {
            events.add([("series", label.as_str())], counter)?;
        }
        Ok(())
    }
}

struct BenchWorker {
    stats: Tracked<BenchStats>,
    peer: Vec<PeerCounter>,
}

impl Actor for BenchWorker {
    type Context = Context<Self>;
}

actorscope::report_stats!(BenchWorker, stats: BenchStats);

/// Count `n` events spread over the worker's series, in ActorScope's stats or the peer's.
struct Bump {
    n: u64,
    peer: bool,
}

impl Message for Bump {
    type Result = ();
}

impl Handler<Bump> for BenchWorker {
    type Result = ();

    fn handle(&mut self, bump: Bump, _: &mut Context<Self>) {
        for i in 0..bump.n as usize {
            if bump.peer {
                black_box(&self.peer[i % SERIES]).inc();
            } else {
                black_box(&mut self.stats.counters[i % SERIES]).inc();
            }
        }
    }
}

struct Setup {
    system: SystemRunner,
    registry: MetricsRegistry,
    peer_registry: prometheus_client::registry::Registry,
    workers: Vec<Addr<BenchWorker>>,
    _arbiters: Vec<Arbiter>,
}

fn setup() -> Setup {
    let system = actix::System::new();
    let labels: Arc<Vec<String>> = Arc::new((0..SERIES).map(|i| format!("s{i}")).collect());
    let family = Family::<Vec<(String, String)>, PeerCounter>::default();
    let mut peer_registry = prometheus_client::registry::Registry::default();
    peer_registry.register("bench_events", "Events.", family.clone());

    let (registry, workers, arbiters) = system.block_on(async {
        let collector = WorkerCollector::<BenchStats>::new();
        let registry = MetricsRegistry::new();
        registry
            .register("bench", collector.clone())
            .expect("register");
        let arbiters: Vec<Arbiter> = (0..WORKERS).map(|_| Arbiter::new()).collect();
        let workers = arbiters
            .iter()
            .enumerate()
            .map(|(w, arbiter)| {
                let peer = (0..SERIES)
                    .map(|i| {
                        let labels = vec![
                            ("worker".to_owned(), w.to_string()),
                            ("series".to_owned(), labels[i].clone()),
                        ];
                        family.get_or_create(&labels).clone()
                    })
                    .collect();
                let stats = BenchStats {
                    counters: vec![Counter::new(); SERIES],
                    labels: Arc::clone(&labels),
                };
                let mut stats = collector.tracked_with(stats);
                BenchWorker::start_in_arbiter(&arbiter.handle(), move |ctx| {
                    stats.attach(ctx);
                    BenchWorker { stats, peer }
                })
            })
            .collect();
        (registry, workers, arbiters)
    });
    let setup = Setup {
        system,
        registry,
        peer_registry,
        workers,
        _arbiters: arbiters,
    };
    // Some counts in both, so neither encodes only zeros.
    bump_all(&setup, 10_000, false);
    bump_all(&setup, 10_000, true);
    setup
}

/// Every worker counts `n` events; returns when all are done.
fn bump_all(setup: &Setup, n: u64, peer: bool) -> Duration {
    setup.system.block_on(async {
        let started = Instant::now();
        let sends = setup
            .workers
            .iter()
            .map(|worker| worker.send(Bump { n, peer }));
        for result in futures::future::join_all(sends).await {
            result.expect("worker alive");
        }
        started.elapsed()
    })
}

fn benches(c: &mut Criterion) {
    let setup = setup();

    let mut group = c.benchmark_group("scrape_16_workers_x_1000_series");
    group.throughput(Throughput::Elements((WORKERS * SERIES) as u64));
    group.bench_function("actorscope_scrape_by_message_and_encode", |b| {
        b.iter(|| {
            let snapshot = setup.system.block_on(setup.registry.scrape());
            Format::Prometheus.encode(&snapshot).len()
        });
    });
    group.bench_function("prometheus_client_encode_shared_registry", |b| {
        let mut out = String::with_capacity(1 << 21);
        b.iter(|| {
            out.clear();
            prometheus_client::encoding::text::encode(&mut out, &setup.peer_registry)
                .expect("encode");
            out.len()
        });
    });
    group.finish();

    let mut group = c.benchmark_group("hot_path_16_workers_100k_increments_each");
    group.throughput(Throughput::Elements(WORKERS as u64 * INCREMENTS));
    group.bench_function("actorscope_plain_counters", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| bump_all(&setup, INCREMENTS, false))
                .sum()
        });
    });
    group.bench_function("prometheus_client_atomic_counters", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| bump_all(&setup, INCREMENTS, true)).sum());
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30)
}

criterion_group! {
    name = scrape;
    config = config();
    targets = benches
}
criterion_main!(scrape);
