//! Hot-path cost, side by side with peers in the same run (see BENCHMARKS.md).
//!
//! `cargo bench --bench hot_path`
//!
//! Every group times batches of `OPS` updates and reports time per update: each update goes
//! through `black_box(&mut stat)`, so the compiler cannot fold the loop into one add.

use std::hint::black_box;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actorscope::stats::{Buckets, Counter, Histogram, Padded};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

const OPS: u64 = 1_000;

fn counter_inc(c: &mut Criterion) {
    let mut group = c.benchmark_group("counter_inc");
    group.throughput(Throughput::Elements(OPS));

    group.bench_function("bare_u64_add", |b| {
        let mut value = 0u64;
        b.iter(|| {
            for _ in 0..OPS {
                *black_box(&mut value) += 1;
            }
        });
    });
    group.bench_function("actorscope_counter", |b| {
        let mut counter = Counter::new();
        b.iter(|| {
            for _ in 0..OPS {
                black_box(&mut counter).inc();
            }
        });
    });
    group.bench_function("prometheus_int_counter", |b| {
        let counter = prometheus::IntCounter::new("c_total", "help").expect("valid");
        b.iter(|| {
            for _ in 0..OPS {
                black_box(&counter).inc();
            }
        });
    });
    group.bench_function("prometheus_client_counter", |b| {
        let counter: prometheus_client::metrics::counter::Counter = Default::default();
        b.iter(|| {
            for _ in 0..OPS {
                black_box(&counter).inc();
            }
        });
    });
    group.bench_function("metrics_counter_atomic", |b| {
        // What metrics' recorders (e.g. metrics-exporter-prometheus) hand out for a counter.
        let counter = metrics::Counter::from_arc(Arc::new(AtomicU64::new(0)));
        b.iter(|| {
            for _ in 0..OPS {
                black_box(&counter).increment(1);
            }
        });
    });
    group.finish();
}

/// Observations spread over every bucket of the default set, cycled through.
fn observations() -> Vec<f64> {
    (0..1024).map(|i| f64::from(i) * 0.0117).collect()
}

fn histogram_observe(c: &mut Criterion) {
    let mut group = c.benchmark_group("histogram_observe");
    group.throughput(Throughput::Elements(OPS));
    let values = observations();
    let bounds = Buckets::prometheus_default().bounds().to_vec();

    group.bench_function("actorscope_histogram", |b| {
        let mut histogram = Histogram::new(Buckets::prometheus_default());
        b.iter(|| {
            for value in values.iter().take(OPS as usize) {
                black_box(&mut histogram).observe(*value);
            }
        });
    });
    group.bench_function("prometheus_histogram", |b| {
        let opts = prometheus::HistogramOpts::new("h", "help").buckets(bounds.clone());
        let histogram = prometheus::Histogram::with_opts(opts).expect("valid");
        b.iter(|| {
            for value in values.iter().take(OPS as usize) {
                black_box(&histogram).observe(*value);
            }
        });
    });
    group.bench_function("prometheus_client_histogram", |b| {
        let histogram =
            prometheus_client::metrics::histogram::Histogram::new(bounds.iter().copied());
        b.iter(|| {
            for value in values.iter().take(OPS as usize) {
                black_box(&histogram).observe(*value);
            }
        });
    });
    group.finish();
}

/// Two threads, each incrementing its own counter `per_thread` times; returns wall time.
fn two_threads<T: Send>(stats: &mut [T; 2], per_thread: u64, inc: fn(&mut T)) -> Duration {
    let [a, b] = stats;
    let started = Instant::now();
    std::thread::scope(|scope| {
        for stat in [a, b] {
            scope.spawn(move || {
                for _ in 0..per_thread {
                    inc(black_box(&mut *stat));
                }
            });
        }
    });
    started.elapsed()
}

fn two_workers(c: &mut Criterion) {
    // Two workers' stats side by side in memory, as two actors allocated together may be.
    // Unpadded they share a cache line (false sharing); `Padded` keeps them apart.
    const PER_THREAD: u64 = 1_000_000;
    let mut group = c.benchmark_group("two_workers_1M_inc_each");
    group.sample_size(20);
    group.bench_function("padded_stats", |b| {
        b.iter_batched_ref(
            || [Padded::new(Counter::new()), Padded::new(Counter::new())],
            |stats| two_threads(stats, PER_THREAD, |counter| counter.inc()),
            BatchSize::PerIteration,
        );
    });
    group.bench_function("unpadded_adjacent_stats", |b| {
        b.iter_batched_ref(
            || [Counter::new(), Counter::new()],
            |stats| two_threads(stats, PER_THREAD, Counter::inc),
            BatchSize::PerIteration,
        );
    });
    group.bench_function("one_thread_same_work", |b| {
        let mut counter = Counter::new();
        b.iter(|| {
            for _ in 0..2 * PER_THREAD {
                black_box(&mut counter).inc();
            }
        });
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(40)
}

criterion_group! {
    name = benches;
    config = config();
    targets = counter_inc, histogram_observe, two_workers
}
criterion_main!(benches);
