//! End-to-end scrape of worker actors, side by side with prometheus-client and measured
//! (BENCHMARKS.md).
//!
//! `cargo bench --bench scrape_workers`
//!
//! Worker actors on arbiters of their own, each with its share of counter series
//! (labels `worker`, `series`). ActorScope: each worker owns plain counters; a scrape
//! sends every worker a message, turns the copies into one snapshot and encodes
//! Prometheus text. prometheus-client and measured hold the same series in one shared
//! registry (updated through atomics); their scrape is one encode.
//!
//! Groups:
//! - `scrape_16_workers_x_1000_series`: the headline case (names kept from earlier runs);
//! - `scrape_series_at_1_worker`: 1k, 10k and 100k series;
//! - `scrape_16k_series_by_workers`: 16,000 series over 1, 4, 16 and 64 workers;
//! - `hot_path_16_workers_100k_increments_each`: the same workers counting.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::{Actor, Addr, Arbiter, Context, Handler, Message, SystemRunner};
use actorscope::model::ModelError;
use actorscope::prelude::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use measured::text::BufferedTextEncoder;
use measured::MetricGroup;
use prometheus_client::metrics::counter::Counter as PeerCounter;
use prometheus_client::metrics::family::Family;

const INCREMENTS: u64 = 100_000;

/// One worker's counters; the label values are shared, so a copy is cheap.
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
        let series = self.peer.len();
        for i in 0..bump.n as usize {
            if bump.peer {
                black_box(&self.peer[i % series]).inc();
            } else {
                black_box(&mut self.stats.counters[i % series]).inc();
            }
        }
    }
}

/// measured's types, apart: its derives write code that passes `()` to a function.
mod measured_peer {
    #![allow(clippy::unit_arg)]
    use measured::{LabelGroup, MetricGroup};

    /// measured's labels for the same series, interned at startup as its docs advise.
    #[derive(LabelGroup)]
    #[label(set = EventLabelsSet)]
    pub(crate) struct EventLabels<'a> {
        #[label(fixed_with = lasso::RodeoReader)]
        pub(crate) worker: &'a str,
        #[label(fixed_with = lasso::RodeoReader)]
        pub(crate) series: &'a str,
    }

    #[derive(MetricGroup)]
    #[metric(new(workers: lasso::RodeoReader, series: lasso::RodeoReader))]
    pub(crate) struct MeasuredMetrics {
        /// Events.
        #[metric(label_set = EventLabelsSet::new(workers, series))]
        pub(crate) bench_events_total: measured::CounterVec<EventLabelsSet>,
    }
}
use measured_peer::{EventLabels, MeasuredMetrics};

struct Setup {
    system: SystemRunner,
    registry: MetricsRegistry,
    peer_registry: prometheus_client::registry::Registry,
    measured: MeasuredMetrics,
    workers: Vec<Addr<BenchWorker>>,
    series: usize,
    _arbiters: Vec<Arbiter>,
}

impl Setup {
    /// `workers` actors with `per_worker` series each, every series counted at least once
    /// in every library (so all of them encode every series).
    fn new(workers: usize, per_worker: usize) -> Self {
        let system = actix::System::new();
        let labels: Arc<Vec<String>> = Arc::new((0..per_worker).map(|i| format!("s{i}")).collect());
        let family = Family::<Vec<(String, String)>, PeerCounter>::default();
        let mut peer_registry = prometheus_client::registry::Registry::default();
        peer_registry.register("bench_events", "Events.", family.clone());

        let measured = MeasuredMetrics::new(
            lasso::Rodeo::from_iter((0..workers).map(|w| w.to_string())).into_reader(),
            lasso::Rodeo::from_iter(labels.iter()).into_reader(),
        );
        for w in 0..workers {
            let worker = w.to_string();
            for (i, series) in labels.iter().enumerate() {
                let labels = EventLabels {
                    worker: &worker,
                    series,
                };
                measured.bench_events_total.inc_by(labels, 1 + i as u64);
            }
        }

        let (registry, addrs, arbiters) = system.block_on(async {
            let collector = WorkerCollector::<BenchStats>::new();
            let registry = MetricsRegistry::new();
            registry
                .register("bench", collector.clone())
                .expect("register");
            let arbiters: Vec<Arbiter> = (0..workers).map(|_| Arbiter::new()).collect();
            let addrs = arbiters
                .iter()
                .enumerate()
                .map(|(w, arbiter)| {
                    let peer = (0..per_worker)
                        .map(|i| {
                            let labels = vec![
                                ("worker".to_owned(), w.to_string()),
                                ("series".to_owned(), labels[i].clone()),
                            ];
                            family.get_or_create(&labels).clone()
                        })
                        .collect();
                    let stats = BenchStats {
                        counters: vec![Counter::new(); per_worker],
                        labels: Arc::clone(&labels),
                    };
                    let mut stats = collector.tracked_with(stats);
                    BenchWorker::start_in_arbiter(&arbiter.handle(), move |ctx| {
                        stats.attach(ctx);
                        BenchWorker { stats, peer }
                    })
                })
                .collect();
            (registry, addrs, arbiters)
        });
        let setup = Self {
            system,
            registry,
            peer_registry,
            measured,
            workers: addrs,
            series: workers * per_worker,
            _arbiters: arbiters,
        };
        // Every series counted in both (the bump covers each series at least once).
        let n = per_worker.max(10_000) as u64;
        setup.bump_all(n, false);
        setup.bump_all(n, true);
        setup.check_same_output();
        setup
    }

    /// Every worker counts `n` events; returns when all are done.
    fn bump_all(&self, n: u64, peer: bool) -> Duration {
        self.system.block_on(async {
            let started = Instant::now();
            let sends = self
                .workers
                .iter()
                .map(|worker| worker.send(Bump { n, peer }));
            for result in futures::future::join_all(sends).await {
                result.expect("worker alive");
            }
            started.elapsed()
        })
    }

    /// One ActorScope scrape, encoded into `out`.
    fn scrape_into(&self, out: &mut Vec<u8>) -> usize {
        out.clear();
        let snapshot = self.system.block_on(self.registry.scrape());
        Format::Prometheus.encoder().encode(&snapshot, out);
        out.len()
    }

    fn peer_encode_into(&self, out: &mut String) -> usize {
        out.clear();
        prometheus_client::encoding::text::encode(out, &self.peer_registry).expect("encode");
        out.len()
    }

    fn measured_encode(&self, encoder: &mut BufferedTextEncoder) -> usize {
        self.measured.collect_group_into(encoder).expect("encode");
        encoder.finish().len()
    }

    /// All three write one line per series (plus HELP and TYPE), so they do the same work.
    fn check_same_output(&self) {
        let samples = |text: &str| text.lines().filter(|l| !l.starts_with('#')).count();
        let mut ours = Vec::new();
        self.scrape_into(&mut ours);
        let ours = String::from_utf8(ours).expect("utf-8");
        let ours = ours
            .lines()
            .filter(|l| l.starts_with("bench_events_total"))
            .count();
        let mut peer = String::new();
        self.peer_encode_into(&mut peer);
        let mut encoder = BufferedTextEncoder::new();
        self.measured
            .collect_group_into(&mut encoder)
            .expect("encode");
        let measured = String::from_utf8(encoder.finish().to_vec()).expect("utf-8");
        assert_eq!(ours, self.series, "ActorScope writes every series");
        assert_eq!(
            samples(&peer),
            self.series,
            "prometheus-client writes every series"
        );
        assert_eq!(
            samples(&measured),
            self.series,
            "measured writes every series"
        );
    }
}

/// Ours end to end, and the two peers' encodes, under `id` in `group`.
fn bench_three(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    setup: &Setup,
    names: [&str; 3],
    id: Option<&str>,
) {
    let name = |base: &str| match id {
        Some(id) => BenchmarkId::new(base, id),
        None => BenchmarkId::from_parameter(base),
    };
    group.throughput(Throughput::Elements(setup.series as u64));
    // All three reuse an output buffer, as a server answering scrapes would.
    group.bench_function(name(names[0]), |b| {
        let mut out = Vec::with_capacity(1 << 21);
        b.iter(|| setup.scrape_into(&mut out));
    });
    group.bench_function(name(names[1]), |b| {
        let mut out = String::with_capacity(1 << 21);
        b.iter(|| setup.peer_encode_into(&mut out));
    });
    group.bench_function(name(names[2]), |b| {
        let mut encoder = BufferedTextEncoder::new();
        b.iter(|| setup.measured_encode(&mut encoder));
    });
}

const NAMES: [&str; 3] = [
    "actorscope_scrape_by_message_and_encode",
    "prometheus_client_encode_shared_registry",
    "measured_encode_shared_registry",
];

fn headline(c: &mut Criterion) {
    let setup = Setup::new(16, 1_000);
    let mut group = c.benchmark_group("scrape_16_workers_x_1000_series");
    bench_three(&mut group, &setup, NAMES, None);
    // Encoding alone: one scrape's snapshot (its series declared at an earlier scrape),
    // encoded again and again in each format.
    setup.system.block_on(setup.registry.scrape());
    let snapshot = setup.system.block_on(setup.registry.scrape());
    for (name, format) in [
        ("actorscope_encode_prometheus_text", Format::Prometheus),
        ("actorscope_encode_openmetrics", Format::OpenMetrics),
        ("actorscope_encode_json", Format::Json),
        ("actorscope_encode_protobuf", Format::Protobuf),
    ] {
        group.bench_function(name, |b| {
            let mut out = Vec::with_capacity(1 << 21);
            b.iter(|| {
                out.clear();
                format.encoder().encode(black_box(&snapshot), &mut out);
                out.len()
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("hot_path_16_workers_100k_increments_each");
    group.throughput(Throughput::Elements(16 * INCREMENTS));
    group.bench_function("actorscope_plain_counters", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| setup.bump_all(INCREMENTS, false)).sum());
    });
    group.bench_function("prometheus_client_atomic_counters", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| setup.bump_all(INCREMENTS, true)).sum());
    });
    group.finish();
}

const SHORT: [&str; 3] = ["actorscope", "prometheus_client", "measured"];

fn scaling(c: &mut Criterion) {
    // One worker: the per-series cost, with the least of the fixed cost a scrape pays per
    // worker (a message round trip, two thread wake-ups).
    let mut group = c.benchmark_group("scrape_series_at_1_worker");
    for series in [1_000, 10_000, 100_000] {
        let setup = Setup::new(1, series);
        bench_three(&mut group, &setup, SHORT, Some(&series.to_string()));
    }
    group.finish();

    let mut group = c.benchmark_group("scrape_16k_series_by_workers");
    for workers in [1, 4, 16, 64] {
        let setup = Setup::new(workers, 16_000 / workers);
        bench_three(&mut group, &setup, SHORT, Some(&workers.to_string()));
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion_group! {
    name = scrape;
    config = config();
    targets = headline, scaling
}
criterion_main!(scrape);
