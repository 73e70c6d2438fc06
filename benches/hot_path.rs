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

use actix::{Actor, Context, Handler, Message, MessageResult, SyncArbiter, SyncContext};
use actorscope::actor::{Tracked, WorkerCollector};
use actorscope::stats::{Buckets, Counter, Exemplar, Histogram, NativeConfig, Padded, TraceId};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

const OPS: u64 = 1_000;

actorscope::worker_stats! {
    /// One counter, as a worker holds it.
    struct BenchStats {
        /// Updates.
        #[metric("bench_updates_total")]
        updates: Counter,
    }
}

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
    group.bench_function("actorscope_counter_in_tracked", |b| {
        // Through `Tracked`'s `DerefMut`, as a worker actor updates its stats.
        let mut tracked = WorkerCollector::<BenchStats>::new().tracked();
        b.iter(|| {
            for _ in 0..OPS {
                black_box(&mut tracked).updates.inc();
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
    let native = NativeConfig::default();
    let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").expect("a trace id");
    let variants: [(&str, Histogram); 2] = [
        ("actorscope_native_histogram", Histogram::native(native)),
        (
            "actorscope_classic_and_native",
            Histogram::new(Buckets::prometheus_default()).with_native(native),
        ),
    ];
    for (name, mut histogram) in variants {
        // Warm up: the native windows grow to hold every value once, then never again.
        for value in &values {
            histogram.observe(*value);
        }
        group.bench_function(name, |b| {
            b.iter(|| {
                for value in values.iter().take(OPS as usize) {
                    black_box(&mut histogram).observe(*value);
                }
            });
        });
    }
    group.bench_function("actorscope_histogram_with_exemplar", |b| {
        let mut histogram = Histogram::new(Buckets::prometheus_default());
        let exemplar = Exemplar::new(trace).at(1.7e9);
        b.iter(|| {
            for value in values.iter().take(OPS as usize) {
                black_box(&mut histogram).observe_with_exemplar(*value, exemplar);
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

/// Count `iterations` updates on the worker's own thread; the answer is how long it took.
struct Count {
    iterations: u64,
    tracked: bool,
}

impl Message for Count {
    type Result = Duration;
}

/// Times `count` on a bare counter or on tracked stats.
fn count(bare: &mut Counter, stats: &mut Tracked<BenchStats>, count: Count) -> Duration {
    let started = Instant::now();
    if count.tracked {
        for _ in 0..count.iterations {
            black_box(&mut *stats).updates.inc();
        }
    } else {
        for _ in 0..count.iterations {
            black_box(&mut *bare).inc();
        }
    }
    started.elapsed()
}

/// A worker that holds a bare counter and tracked stats side by side.
struct CountingWorker {
    bare: Counter,
    stats: Tracked<BenchStats>,
}

/// The same as a `SyncArbiter` worker (its `Tracked` checks the handover flag).
struct SyncCountingWorker {
    bare: Counter,
    stats: Tracked<BenchStats>,
}

impl Actor for CountingWorker {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.stats.attach(ctx);
    }
}

impl Actor for SyncCountingWorker {
    type Context = SyncContext<Self>;

    fn started(&mut self, ctx: &mut SyncContext<Self>) {
        self.stats.attach(ctx);
    }
}

impl Handler<Count> for CountingWorker {
    type Result = MessageResult<Count>;

    fn handle(&mut self, request: Count, _: &mut Context<Self>) -> Self::Result {
        MessageResult(count(&mut self.bare, &mut self.stats, request))
    }
}

impl Handler<Count> for SyncCountingWorker {
    type Result = MessageResult<Count>;

    fn handle(&mut self, request: Count, _: &mut SyncContext<Self>) -> Self::Result {
        MessageResult(count(&mut self.bare, &mut self.stats, request))
    }
}

actorscope::report_stats!(CountingWorker, stats: BenchStats);
actorscope::report_stats!(SyncCountingWorker, stats: BenchStats);

fn counter_inc_in_workers(c: &mut Criterion) {
    // On a worker's own thread, timed there: a bare counter field, the same counter in
    // tracked stats of an actor with its own mailbox, and of a `SyncArbiter` worker.
    let mut group = c.benchmark_group("counter_inc_in_a_worker");
    group.throughput(Throughput::Elements(OPS));
    let system = actix::System::new();
    let workers = WorkerCollector::<BenchStats>::new();
    let (actor, pool) = system.block_on(async {
        let actor = CountingWorker {
            bare: Counter::new(),
            stats: workers.tracked(),
        }
        .start();
        let made = workers.clone();
        let pool = SyncArbiter::start(1, move || SyncCountingWorker {
            bare: Counter::new(),
            stats: made.tracked(),
        });
        (actor, pool)
    });
    let time = |iters: u64, tracked: bool, sync: bool| {
        let count = Count {
            iterations: iters * OPS,
            tracked,
        };
        let answer = if sync {
            system.block_on(pool.send(count))
        } else {
            system.block_on(actor.send(count))
        };
        answer.expect("the worker runs")
    };
    group.bench_function("bare_counter_field", |b| {
        b.iter_custom(|iters| time(iters, false, false));
    });
    group.bench_function("tracked_in_an_actor", |b| {
        b.iter_custom(|iters| time(iters, true, false));
    });
    group.bench_function("tracked_in_a_sync_arbiter_worker", |b| {
        b.iter_custom(|iters| time(iters, true, true));
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
    targets = counter_inc, counter_inc_in_workers, histogram_observe, two_workers
}
criterion_main!(benches);
