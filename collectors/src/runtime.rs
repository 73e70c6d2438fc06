//! [`RuntimeCollector`]: the tokio runtime of each actix arbiter you point it at.
//!
//! Under actix every arbiter (the System's, each actix-web worker's, each one you start)
//! runs its own current-thread tokio runtime, so the runtimes are watched one by one.
//! Only what tokio's stable metrics tell truthfully under actix is exported: the worker
//! count, the global (injection) queue depth, and per worker the busy time and park
//! count. `num_alive_tasks` is left out on purpose: actix spawns on a `LocalSet`, which
//! the runtime's task count does not see, so it reads 0 however busy the arbiter is.

use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::ThreadId;

use actix::ArbiterHandle;
use actorscope::model::{ModelError, Unit};
use actorscope::registry::{CollectError, Collector, ScrapeContext};
use actorscope::stats::{Counter, Gauge};
use actorscope::write::{Metric, Writer};
use tokio::runtime::Handle;

/// One watched runtime.
#[derive(Debug)]
struct Watched {
    name: String,
    thread: Option<ThreadId>,
    handle: Handle,
    arbiter: Option<ArbiterHandle>,
}

/// Watches actix arbiters' tokio runtimes; cloning shares the list. The families are in
/// the [crate docs](crate).
///
/// Under actix every arbiter (the System's, each actix-web worker's, each one you start)
/// runs its own current-thread tokio runtime, so the runtimes are watched one by one.
/// Only what tokio's stable metrics tell truthfully under actix is exported: the worker
/// count, the global (injection) queue depth, and per worker the busy time and park
/// count. `num_alive_tasks` is left out on purpose: actix spawns on a `LocalSet`, which
/// the runtime's task count does not see, so it reads 0 however busy the arbiter is.
///
/// ```
/// use actix::Arbiter;
/// use actorscope::registry::MetricsRegistry;
/// use actorscope_collectors::RuntimeCollector;
///
/// actix::System::new().block_on(async {
///     let runtimes = RuntimeCollector::new();
///     MetricsRegistry::new().register("runtime", runtimes.clone()).unwrap();
///     runtimes.watch_current("system"); // this thread's arbiter
///     let shard = Arbiter::new();
///     runtimes.watch_arbiter("shard-0", &shard.handle()); // another thread's, by message
///     shard.stop();
/// });
/// ```
#[derive(Debug, Clone, Default)]
pub struct RuntimeCollector {
    watched: Arc<Mutex<Vec<Watched>>>,
}

impl RuntimeCollector {
    /// Watches nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Watched>> {
        self.watched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Watches the runtime of the current thread as `runtime="<name>"`. Returns `false`
    /// (and does nothing) outside a tokio runtime, or when this thread is watched already.
    pub fn watch_current(&self, name: impl Into<String>) -> bool {
        let Ok(handle) = Handle::try_current() else {
            return false;
        };
        let thread = std::thread::current().id();
        let mut watched = self.lock();
        if watched.iter().any(|w| w.thread == Some(thread)) {
            return false;
        }
        watched.push(Watched {
            name: name.into(),
            thread: Some(thread),
            handle,
            arbiter: actix::Arbiter::try_current(),
        });
        true
    }

    /// For the `HttpServer` factory, which runs on every worker (once per bound address):
    /// watches the current thread as `<prefix>-<n>`, numbering the workers from 0, once
    /// per thread.
    pub fn watch_current_worker(&self, prefix: &str) -> bool {
        let thread = std::thread::current().id();
        let count = {
            let watched = self.lock();
            if watched.iter().any(|w| w.thread == Some(thread)) {
                return false;
            }
            watched
                .iter()
                .filter(|w| w.name.starts_with(prefix))
                .count()
        };
        self.watch_current(format!("{prefix}-{count}"))
    }

    /// Watches `arbiter`'s runtime as `runtime="<name>"`, from any thread: a small task on
    /// the arbiter hands its runtime over, so it appears once the arbiter has run it.
    /// Returns `false` when the arbiter has stopped already.
    pub fn watch_arbiter(&self, name: impl Into<String>, arbiter: &ArbiterHandle) -> bool {
        let collector = self.clone();
        let name = name.into();
        arbiter.spawn(async move {
            collector.watch_current(name);
        })
    }

    /// How many runtimes are watched.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none is.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Collector for RuntimeCollector {
    async fn collect(&self, _cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
        let mut watched = self.lock();
        write(&watched, out)?;
        // A stopped arbiter is reported as down once, then forgotten.
        watched.retain(|w| w.arbiter.as_ref().is_none_or(ArbiterHandle::alive));
        Ok(())
    }
}

const UP: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_runtime_up",
    "1 while the runtime's arbiter runs, 0 once it has stopped (reported once).",
);
const WORKERS: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_runtime_workers",
    "Worker threads of the tokio runtime (1 for an actix arbiter).",
);
const QUEUE_DEPTH: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_runtime_global_queue_depth",
    "Tasks waiting in the runtime's global (injection) queue: work sent from other threads.",
);
#[cfg(target_has_atomic = "64")]
const BUSY: Metric<'static, Counter> = Metric::counter(
    "actorscope_runtime_busy_seconds_total",
    "Time the runtime's worker spent running tasks rather than parked.",
)
.unit(Unit::Seconds);
#[cfg(target_has_atomic = "64")]
const PARKS: Metric<'static, Counter> = Metric::counter(
    "actorscope_runtime_parks_total",
    "Times the runtime's worker parked (went idle).",
);

fn write(watched: &[Watched], out: &mut Writer<'_>) -> Result<(), ModelError> {
    for runtime in watched {
        let labels = [("runtime", runtime.name.as_str())];
        let alive = runtime.arbiter.as_ref().is_none_or(ArbiterHandle::alive);
        out.family(UP).add(labels, u32::from(alive))?;
        if !alive {
            continue;
        }
        let metrics = runtime.handle.metrics();
        out.family(WORKERS).add(labels, metrics.num_workers())?;
        out.family(QUEUE_DEPTH)
            .add(labels, metrics.global_queue_depth())?;
        #[cfg(target_has_atomic = "64")]
        for worker in 0..metrics.num_workers() {
            let worker_label = worker.to_string();
            let labels = [
                ("runtime", runtime.name.as_str()),
                ("worker", worker_label.as_str()),
            ];
            out.family(BUSY).add(
                labels,
                metrics.worker_total_busy_duration(worker).as_secs_f64(),
            )?;
            out.family(PARKS)
                .add(labels, metrics.worker_park_count(worker))?;
        }
    }
    Ok(())
}
