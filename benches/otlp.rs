//! The OTLP export beside the official OpenTelemetry SDK, same run (BENCHMARKS.md).
//!
//! `cargo bench --bench otlp`
//!
//! Groups:
//! - `otlp_export_16k_counters`: 16 workers × 1,000 counter series (labels `worker`,
//!   `series`). ActorScope: a gathered snapshot converted to OTLP and encoded as the
//!   protobuf body it posts. opentelemetry_sdk 0.33: one counter with the same 16,000
//!   attribute sets: `force_flush` (collect) into its in-memory exporter, then
//!   `opentelemetry-proto`'s transform to the request and the protobuf encode, as its
//!   OTLP exporter does. Per point.
//! - `otlp_export_1k_histograms`: 1,000 histogram series of 10 buckets, the same way.
//! - `hot_path_vs_opentelemetry`: our plain counter add and histogram observe beside
//!   OpenTelemetry's counter `add` and histogram `record` with 4 attributes.

use std::hint::black_box;
use std::time::SystemTime;

use actorscope::model::MetricSnapshot;
use actorscope::otlp::OtlpEncoder;
use actorscope::stats::{Buckets, Counter, Histogram};
use actorscope::write::Writer;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use opentelemetry::metrics::MeterProvider;
use opentelemetry::KeyValue;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use prost::Message;

const WORKERS: usize = 16;
const SERIES: usize = 1_000;
const HISTOGRAMS: usize = 1_000;

fn bounds() -> Vec<f64> {
    (0..10).map(|i| 1e-4 * 2f64.powi(i)).collect()
}

fn counters_snapshot() -> MetricSnapshot {
    let mut snapshot = MetricSnapshot::new();
    let mut out = Writer::new(&mut snapshot);
    let mut family = out
        .counter("bench_events_total", "Events.")
        .declare()
        .expect("declared");
    for worker in 0..WORKERS {
        for series in 0..SERIES {
            let labels = [
                ("worker", worker.to_string()),
                ("series", format!("s{series:04}")),
            ];
            family.add(labels, (worker * series) as u64).expect("added");
        }
    }
    snapshot
}

fn histograms_snapshot() -> MetricSnapshot {
    let mut snapshot = MetricSnapshot::new();
    let mut out = Writer::new(&mut snapshot);
    let mut family = out
        .histogram("bench_latency_seconds", "Latency.")
        .declare()
        .expect("declared");
    for series in 0..HISTOGRAMS {
        let mut histogram = Histogram::new(Buckets::new(bounds()).expect("bounds"));
        for i in 0..20 {
            histogram.observe(1e-4 * f64::from(i));
        }
        family
            .add([("series", format!("s{series:04}"))], &histogram)
            .expect("added");
    }
    snapshot
}

fn sdk() -> (SdkMeterProvider, InMemoryMetricExporter) {
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .build();
    (provider, exporter)
}

/// The SDK's collect and export, as its OTLP exporter does it: the collected data
/// converted by `opentelemetry-proto`'s own transform and encoded as the request body.
fn sdk_export(provider: &SdkMeterProvider, exporter: &InMemoryMetricExporter) -> usize {
    provider.force_flush().ok();
    let mut bytes = 0;
    for metrics in exporter.get_finished_metrics().unwrap_or_default() {
        bytes += black_box(ExportMetricsServiceRequest::from(&metrics).encode_to_vec()).len();
    }
    exporter.reset();
    bytes
}

fn export_counters(c: &mut Criterion) {
    let mut group = c.benchmark_group("otlp_export_16k_counters");
    group.throughput(Throughput::Elements((WORKERS * SERIES) as u64));
    let snapshot = counters_snapshot();
    let mut encoder = OtlpEncoder::new(SystemTime::now(), [("service.name", "bench")]);
    group.bench_function("actorscope_convert_and_encode", |b| {
        b.iter(|| black_box(encoder.encode(&snapshot, SystemTime::now())));
    });
    let (provider, exporter) = sdk();
    let counter = provider.meter("bench").u64_counter("bench_events").build();
    for worker in 0..WORKERS {
        for series in 0..SERIES {
            let attributes = [
                KeyValue::new("worker", worker.to_string()),
                KeyValue::new("series", format!("s{series:04}")),
            ];
            counter.add((worker * series) as u64 + 1, &attributes);
        }
    }
    group.bench_function("opentelemetry_sdk_collect_and_encode", |b| {
        b.iter(|| sdk_export(&provider, &exporter));
    });
    group.finish();
}

fn export_histograms(c: &mut Criterion) {
    let mut group = c.benchmark_group("otlp_export_1k_histograms");
    group.throughput(Throughput::Elements(HISTOGRAMS as u64));
    let snapshot = histograms_snapshot();
    let mut encoder = OtlpEncoder::new(SystemTime::now(), [("service.name", "bench")]);
    group.bench_function("actorscope_convert_and_encode", |b| {
        b.iter(|| black_box(encoder.encode(&snapshot, SystemTime::now())));
    });
    let (provider, exporter) = sdk();
    let histogram = provider
        .meter("bench")
        .f64_histogram("bench_latency_seconds")
        .with_boundaries(bounds())
        .build();
    for series in 0..HISTOGRAMS {
        let attributes = [KeyValue::new("series", format!("s{series:04}"))];
        for i in 0..20 {
            histogram.record(1e-4 * f64::from(i), &attributes);
        }
    }
    group.bench_function("opentelemetry_sdk_collect_and_encode", |b| {
        b.iter(|| sdk_export(&provider, &exporter));
    });
    group.finish();
}

fn hot_path(c: &mut Criterion) {
    let mut group = c.benchmark_group("hot_path_vs_opentelemetry");
    let mut counter = Counter::new();
    group.bench_function("actorscope_counter_add", |b| {
        b.iter(|| counter.add(black_box(1)));
    });
    let mut histogram = Histogram::new(Buckets::new(bounds()).expect("bounds"));
    group.bench_function("actorscope_histogram_observe", |b| {
        b.iter(|| histogram.observe(black_box(3e-4)));
    });
    let (provider, _exporter) = sdk();
    let meter = provider.meter("bench");
    let otel_counter = meter.u64_counter("bench_events").build();
    let otel_histogram = meter
        .f64_histogram("bench_latency_seconds")
        .with_boundaries(bounds())
        .build();
    let attributes = [
        KeyValue::new("method", "GET"),
        KeyValue::new("route", "/kv/{key}"),
        KeyValue::new("status", "2xx"),
        KeyValue::new("server", "kv"),
    ];
    group.bench_function("opentelemetry_counter_add_4_attributes", |b| {
        b.iter(|| otel_counter.add(black_box(1), &attributes));
    });
    group.bench_function("opentelemetry_histogram_record_4_attributes", |b| {
        b.iter(|| otel_histogram.record(black_box(3e-4), &attributes));
    });
    group.finish();
    black_box(counter.get());
}

criterion_group!(benches, export_counters, export_histograms, hot_path);
criterion_main!(benches);
