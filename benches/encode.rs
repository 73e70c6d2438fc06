//! Encoding cost, side by side with peers in the same run (see BENCHMARKS.md).
//!
//! `cargo bench --bench encode`
//!
//! `encode_10k_counters_100_histograms`: the same data in every library: 10,000 counter
//! series (labels `worker`, `route`) and 100 histograms with the 11 default bounds (12
//! buckets with `+Inf`), label `route`; ours in all three formats.
//!
//! `encode_10k_counters`: the counters alone, beside `measured` (whose histograms take
//! their bounds as a type parameter, so they are left out of the first group).

use std::hint::black_box;
use std::time::Duration;

use actorscope::encode::Format;
use actorscope::model::MetricSnapshot;
use actorscope::stats::{Buckets, Histogram};
use actorscope::write::Writer;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use measured::text::BufferedTextEncoder;
use measured::MetricGroup;

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

/// The counters and the first `histograms` histograms.
fn prometheus_client_registry(histograms: usize) -> prometheus_client::registry::Registry {
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
    if histograms == 0 {
        return registry;
    }
    registry.register("bench_latency_seconds", "Latency.", latency.clone());
    for i in 0..histograms {
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

/// measured's types, apart: its derives write code that passes `()` to a function.
mod measured_peer {
    #![allow(clippy::unit_arg)]
    use measured::{LabelGroup, MetricGroup};

    /// measured's labels for the counters, interned at startup as its docs advise.
    #[derive(LabelGroup)]
    #[label(set = RequestLabelsSet)]
    pub(crate) struct RequestLabels<'a> {
        #[label(fixed_with = lasso::RodeoReader)]
        pub(crate) worker: &'a str,
        #[label(fixed_with = lasso::RodeoReader)]
        pub(crate) route: &'a str,
    }

    #[derive(MetricGroup)]
    #[metric(new(workers: lasso::RodeoReader, routes: lasso::RodeoReader))]
    pub(crate) struct MeasuredMetrics {
        /// Requests.
        #[metric(label_set = RequestLabelsSet::new(workers, routes))]
        pub(crate) bench_requests_total: measured::CounterVec<RequestLabelsSet>,
    }
}
use measured_peer::{MeasuredMetrics, RequestLabels};

fn measured_metrics() -> MeasuredMetrics {
    let metrics = MeasuredMetrics::new(
        lasso::Rodeo::from_iter((0..16).map(|w| w.to_string())).into_reader(),
        lasso::Rodeo::from_iter((0..COUNTERS).map(route)).into_reader(),
    );
    for i in 0..COUNTERS {
        let [worker, route] = counter_labels(i);
        let labels = RequestLabels {
            worker: &worker.1,
            route: &route.1,
        };
        // Every series at least 1, so measured writes each of them.
        metrics
            .bench_requests_total
            .inc_by(labels, 1 + i as u64 * 7);
    }
    metrics
}

/// Our encode of `snapshot` in `format`, into a reused buffer.
fn bench_ours(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    format: Format,
    snapshot: &MetricSnapshot,
) {
    group.bench_function(name, |b| {
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            format.encoder().encode(black_box(snapshot), &mut out);
            out.len()
        });
    });
}

/// Our encode of `snapshot` in the four formats; Prometheus text under `text_name`
/// (each group keeps the name its earlier figures were published under).
fn bench_ours_in_each_format(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    text_name: &str,
    snapshot: &MetricSnapshot,
) {
    bench_ours(group, text_name, Format::Prometheus, snapshot);
    bench_ours(
        group,
        "actorscope_openmetrics",
        Format::OpenMetrics,
        snapshot,
    );
    bench_ours(group, "actorscope_json", Format::Json, snapshot);
    bench_ours(group, "actorscope_protobuf", Format::Protobuf, snapshot);
}

/// prometheus-client's encode of `registry`, into a reused buffer.
fn bench_prometheus_client(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    registry: &prometheus_client::registry::Registry,
) {
    group.bench_function("prometheus_client_encode", |b| {
        let mut out = String::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            prometheus_client::encoding::text::encode(&mut out, black_box(registry))
                .expect("encode");
            out.len()
        });
    });
}

/// The `prometheus` crate's `encoder` on families gathered once, into a reused buffer.
fn bench_prometheus_encoder(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    encoder: &impl prometheus::Encoder,
    gathered: &[prometheus::proto::MetricFamily],
) {
    group.bench_function(name, |b| {
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            encoder
                .encode(black_box(gathered), &mut out)
                .expect("encode");
            out.len()
        });
    });
}

fn encode_counters(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode_10k_counters");
    group.throughput(Throughput::Elements(COUNTERS as u64));
    let mut stats = worker_stats();
    stats.histograms.clear();
    let snapshot = snapshot_of(&stats);
    bench_ours_in_each_format(&mut group, "actorscope_prometheus_text", &snapshot);

    let metrics = measured_metrics();
    let mut encoder = BufferedTextEncoder::new();
    metrics.collect_group_into(&mut encoder).expect("encode");
    let text = String::from_utf8(encoder.finish().to_vec()).expect("utf-8");
    let lines = text.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(lines, COUNTERS, "measured writes every series");
    group.bench_function("measured_encode", |b| {
        b.iter(|| {
            black_box(&metrics)
                .collect_group_into(&mut encoder)
                .expect("encode");
            encoder.finish().len()
        });
    });

    let registry = prometheus_client_registry(0);
    bench_prometheus_client(&mut group, &registry);
    group.finish();
}

fn encode(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode_10k_counters_100_histograms");
    group.throughput(Throughput::Elements(SERIES));

    let stats = worker_stats();
    let snapshot = snapshot_of(&stats);
    bench_ours_in_each_format(&mut group, "actorscope_encode", &snapshot);
    group.bench_function("actorscope_snapshot_and_encode", |b| {
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            let snapshot = snapshot_of(black_box(&stats));
            Format::Prometheus.encoder().encode(&snapshot, &mut out);
            out.len()
        });
    });

    let registry = prometheus_client_registry(HISTOGRAMS);
    bench_prometheus_client(&mut group, &registry);

    let registry = prometheus_registry();
    // Encode only, from one gather (as ours encodes a snapshot made once), in both of
    // the `prometheus` crate's formats.
    let gathered = registry.gather();
    bench_prometheus_encoder(
        &mut group,
        "prometheus_encode_text",
        &prometheus::TextEncoder::new(),
        &gathered,
    );
    bench_prometheus_encoder(
        &mut group,
        "prometheus_encode_protobuf",
        &prometheus::ProtobufEncoder::new(),
        &gathered,
    );
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
    targets = encode, encode_counters
}
criterion_main!(benches);
