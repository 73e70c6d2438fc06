//! Encoding cost, side by side with peers in the same run (see BENCHMARKS.md).
//!
//! `cargo bench --bench encode`
//!
//! The same data in every library: 10,000 counter series (labels `worker`, `route`) and
//! 100 histograms with the 11 default bounds (12 buckets with `+Inf`), label `route`.

use std::hint::black_box;
use std::time::Duration;

use actorscope::encode::Format;
use actorscope::model::MetricSnapshot;
use actorscope::stats::{Buckets, Histogram};
use actorscope::write::Writer;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const COUNTERS: usize = 10_000;
const HISTOGRAMS: usize = 100;
const SERIES: u64 = (COUNTERS + HISTOGRAMS) as u64;

fn counter_labels(i: usize) -> [(String, String); 2] {
    [
        ("worker".to_owned(), (i % 16).to_string()),
        ("route".to_owned(), format!("/api/v1/resource_{i}")),
    ]
}

fn route(i: usize) -> String {
    format!("/api/v1/resource_{i}")
}

/// Observations for histogram `i`, the same in every library.
fn observations(i: usize) -> impl Iterator<Item = f64> {
    (0..50).map(move |k| ((i * 50 + k) % 997) as f64 * 0.011)
}

/// Worker stats as ActorScope holds them, with the label values a worker keeps (its
/// routes); turning them into a snapshot is the gather.
struct WorkerStats {
    counters: Vec<u64>,
    histograms: Vec<Histogram>,
    workers: Vec<String>,
    routes: Vec<String>,
}

fn worker_stats() -> WorkerStats {
    WorkerStats {
        counters: (0..COUNTERS).map(|i| i as u64 * 7).collect(),
        histograms: (0..HISTOGRAMS)
            .map(|i| {
                let mut histogram = Histogram::new(Buckets::prometheus_default());
                observations(i).for_each(|value| histogram.observe(value));
                histogram
            })
            .collect(),
        workers: (0..16).map(|w| w.to_string()).collect(),
        routes: (0..COUNTERS).map(route).collect(),
    }
}

fn snapshot_of(stats: &WorkerStats) -> MetricSnapshot {
    let mut snapshot = MetricSnapshot::new();
    let mut out = Writer::new(&mut snapshot);
    let mut requests = out
        .counter("bench_requests_total", "Requests.")
        .declare()
        .expect("valid family");
    for (i, count) in stats.counters.iter().enumerate() {
        let labels = [
            ("worker", stats.workers[i % 16].as_str()),
            ("route", stats.routes[i].as_str()),
        ];
        requests.add(labels, *count).expect("valid sample");
    }
    let mut latency = out
        .histogram("bench_latency_seconds", "Latency.")
        .declare()
        .expect("valid family");
    for (i, histogram) in stats.histograms.iter().enumerate() {
        latency
            .add([("route", stats.routes[i].as_str())], histogram)
            .expect("valid sample");
    }
    snapshot
}

fn prometheus_client_registry() -> prometheus_client::registry::Registry {
    use prometheus_client::metrics::counter::Counter;
    use prometheus_client::metrics::family::Family;
    use prometheus_client::metrics::histogram::Histogram;

    let mut registry = prometheus_client::registry::Registry::default();
    let requests = Family::<Vec<(String, String)>, Counter>::default();
    registry.register("bench_requests", "Requests.", requests.clone());
    for i in 0..COUNTERS {
        requests
            .get_or_create(&counter_labels(i).to_vec())
            .inc_by(i as u64 * 7);
    }
    fn default_histogram() -> Histogram {
        Histogram::new(Buckets::prometheus_default().bounds().iter().copied())
    }
    let latency =
        Family::<Vec<(String, String)>, Histogram, fn() -> Histogram>::new_with_constructor(
            default_histogram,
        );
    registry.register("bench_latency_seconds", "Latency.", latency.clone());
    for i in 0..HISTOGRAMS {
        let histogram = latency.get_or_create(&vec![("route".to_owned(), route(i))]);
        observations(i).for_each(|value| histogram.observe(value));
    }
    registry
}

fn prometheus_registry() -> prometheus::Registry {
    let registry = prometheus::Registry::new();
    let requests = prometheus::IntCounterVec::new(
        prometheus::Opts::new("bench_requests_total", "Requests."),
        &["worker", "route"],
    )
    .expect("valid");
    registry
        .register(Box::new(requests.clone()))
        .expect("register");
    for i in 0..COUNTERS {
        let [worker, route] = counter_labels(i);
        requests
            .with_label_values(&[worker.1.as_str(), route.1.as_str()])
            .inc_by(i as u64 * 7);
    }
    let opts = prometheus::HistogramOpts::new("bench_latency_seconds", "Latency.")
        .buckets(Buckets::prometheus_default().bounds().to_vec());
    let latency = prometheus::HistogramVec::new(opts, &["route"]).expect("valid");
    registry
        .register(Box::new(latency.clone()))
        .expect("register");
    for i in 0..HISTOGRAMS {
        let histogram = latency.with_label_values(&[route(i).as_str()]);
        observations(i).for_each(|value| histogram.observe(value));
    }
    registry
}

fn encode(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode_10k_counters_100_histograms");
    group.throughput(Throughput::Elements(SERIES));

    let stats = worker_stats();
    let snapshot = snapshot_of(&stats);
    group.bench_function("actorscope_encode", |b| {
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            Format::Prometheus
                .encoder()
                .encode(black_box(&snapshot), &mut out);
            out.len()
        });
    });
    group.bench_function("actorscope_snapshot_and_encode", |b| {
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            let snapshot = snapshot_of(black_box(&stats));
            Format::Prometheus.encoder().encode(&snapshot, &mut out);
            out.len()
        });
    });

    let registry = prometheus_client_registry();
    group.bench_function("prometheus_client_encode", |b| {
        let mut out = String::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            prometheus_client::encoding::text::encode(&mut out, black_box(&registry))
                .expect("encode");
            out.len()
        });
    });

    let registry = prometheus_registry();
    group.bench_function("prometheus_gather_and_encode", |b| {
        use prometheus::Encoder;
        let encoder = prometheus::TextEncoder::new();
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            encoder
                .encode(&black_box(&registry).gather(), &mut out)
                .expect("encode");
            out.len()
        });
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = encode
}
criterion_main!(benches);
