use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use actix::dev::ToEnvelope;
use actix::{Actor, ArbiterHandle, Handler, MailboxError};
use futures::future::{join_all, BoxFuture, FutureExt};

use super::worker_set::{ScrapePlan, Shared, Target};
use super::{ReportStats, Tracked, WorkerStats};
use crate::model::{MetricKind, MetricSnapshot, ModelError};
use crate::registry::{CollectError, Collector, ScrapeContext};

/// The share of the scrape's remaining time a worker gets to answer; the rest is kept
/// for merging, so the collector finishes before the registry's deadline.
const WORKER_SHARE_OF_DEADLINE: f64 = 0.9;

/// A set of worker actors reporting stats `S`, and the [`Collector`] that scrapes them.
///
/// Workers join with [`start_in`](Self::start_in) and leave by stopping (or panicking).
/// At each scrape every worker is sent [`ReportStats`] concurrently and answers on its own
/// thread; each worker's samples get `worker="<n>"` plus this collector's labels. A worker
/// that has stopped, or does not answer within the deadline, is reported as
/// `actorscope_worker_up{collector,worker} 0` and counted in
/// `actorscope_worker_scrape_errors_total{collector,worker,kind}` (`stopped`, `panicked`,
/// `timeout`); the others still come back. What stopped workers had counted is kept as
/// `worker="retired"` series (see the [module docs](super)).
///
/// Cloning is cheap and shares the set.
///
/// ```
/// use actix::{Actor, Arbiter, Context};
/// use actorscope::actor::{StatsWriter, Tracked, WorkerCollector, WorkerStats};
/// use actorscope::model::ModelError;
/// use actorscope::registry::MetricsRegistry;
/// use actorscope::stats::Counter;
///
/// // 1. The worker's stats, and how they become families.
/// #[derive(Clone, Default)]
/// struct TickStats {
///     ticks: Counter,
/// }
///
/// impl WorkerStats for TickStats {
///     fn write(&self, out: &mut StatsWriter<'_>) -> Result<(), ModelError> {
///         out.counter("ticks_total", "Ticks seen.", &self.ticks)
///     }
/// }
///
/// struct Ticker {
///     stats: Tracked<TickStats>,
/// }
///
/// impl Actor for Ticker {
///     type Context = Context<Self>;
///     fn started(&mut self, _: &mut Context<Self>) {
///         self.stats.ticks.add(3); // the hot path: a plain add on the worker's own field
///     }
/// }
///
/// // 2. The handler that answers scrapes.
/// actorscope::report_stats!(Ticker, stats: TickStats);
///
/// actix::System::new().block_on(async {
///     let workers = WorkerCollector::<TickStats>::new();
///     let registry = MetricsRegistry::new();
///     registry.register("tickers", workers.clone()).unwrap();
///     let arbiter = Arbiter::new();
///     // 3. One line at startup per worker.
///     workers.start_in(&arbiter.handle(), TickStats::default(), |stats| Ticker { stats });
///
///     let snapshot = registry.scrape().await;
///     let ticks = snapshot.get("ticks_total").and_then(|f| f.value([("worker", "0")]));
///     assert_eq!(ticks.and_then(|v| v.as_f64()), Some(3.0));
///     arbiter.stop();
/// });
/// ```
pub struct WorkerCollector<S: WorkerStats> {
    shared: Arc<Shared<S>>,
}

impl<S: WorkerStats> Clone for WorkerCollector<S> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<S: WorkerStats> std::fmt::Debug for WorkerCollector<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerCollector")
            .field("workers", &self.shared.worker_count())
            .finish_non_exhaustive()
    }
}

impl<S: WorkerStats> WorkerCollector<S> {
    /// An empty set of workers.
    #[must_use]
    pub fn new() -> Self {
        Self::with_labels(Vec::<(String, String)>::new())
    }

    /// An empty set of workers whose every sample also gets `labels` (e.g. `server`).
    #[must_use]
    pub fn with_labels<K: Into<String>, V: Into<String>>(
        labels: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let labels = labels
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self {
            shared: Arc::new(Shared::new(labels)),
        }
    }

    /// Starts a worker actor on `arbiter` and adds it to the set.
    ///
    /// `make` runs on the arbiter's thread and builds the actor around its [`Tracked`]
    /// stats (which start as `stats`). The worker gets the smallest free `worker` label.
    pub fn start_in<A, F>(&self, arbiter: &ArbiterHandle, stats: S, make: F) -> actix::Addr<A>
    where
        A: Actor<Context = actix::Context<A>> + Handler<ReportStats<S>>,
        A::Context: ToEnvelope<A, ReportStats<S>>,
        F: FnOnce(Tracked<S>) -> A + Send + 'static,
    {
        let instance = self.shared.next_instance();
        let tracked = Tracked::new(stats, instance, Arc::downgrade(&self.shared));
        // Join before the actor runs, so a worker that stops at once finds its entry.
        self.shared.join(instance);
        // No lock is held here: on a stopped arbiter actix drops `make` (and the stats in
        // it) right away, on this thread, and their drop takes the lock to retire them.
        let addr = A::start_in_arbiter(arbiter, move |_| make(tracked));
        self.shared.attach(instance, addr.clone().recipient());
        addr
    }

    /// Starts a worker actor on the current thread's arbiter and adds it to the set.
    ///
    /// For workers that share their stats with other code on the same thread (e.g.
    /// middleware of an actix-web worker): `make` runs here, so it need not be `Send`.
    ///
    /// # Panics
    /// Outside a running actix system or arbiter, as `Actor::start` does.
    pub fn start_here<A, F>(&self, stats: S, make: F) -> actix::Addr<A>
    where
        A: Actor<Context = actix::Context<A>> + Handler<ReportStats<S>>,
        A::Context: ToEnvelope<A, ReportStats<S>>,
        F: FnOnce(Tracked<S>) -> A,
    {
        let instance = self.shared.next_instance();
        let tracked = Tracked::new(stats, instance, Arc::downgrade(&self.shared));
        self.shared.join(instance);
        let addr = make(tracked).start();
        self.shared.attach(instance, addr.clone().recipient());
        addr
    }

    /// How many workers are in the set (including stopped ones not yet reported).
    #[must_use]
    pub fn len(&self) -> usize {
        self.shared.worker_count()
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<S: WorkerStats> Default for WorkerCollector<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: WorkerStats> Collector for WorkerCollector<S> {
    fn collect<'a>(
        &'a self,
        cx: &'a ScrapeContext,
        out: &'a mut MetricSnapshot,
    ) -> BoxFuture<'a, Result<(), CollectError>> {
        async move {
            let shared = &self.shared;
            let ScrapePlan { id, targets, gone } = shared.begin_scrape();
            let budget = cx.remaining().mul_f64(WORKER_SHARE_OF_DEADLINE);
            let replies = join_all(targets.iter().map(|target| ask(target, budget))).await;

            let mut answered = HashSet::new();
            let mut up: Vec<(String, u8)> = Vec::with_capacity(targets.len() + gone.len());
            let mut failures = Vec::new();
            for (target, reply) in targets.iter().zip(replies) {
                match reply {
                    Ok(report) => {
                        answered.insert(report.instance);
                        shared.write(&target.label, &report.stats, out)?;
                        up.push((target.label.clone(), 1));
                    }
                    Err(kind) => {
                        up.push((target.label.clone(), 0));
                        failures.push((target.label.clone(), target.instance, kind));
                    }
                }
            }
            up.extend(gone.iter().map(|(label, _)| (label.clone(), 0)));
            let retired = shared.end_scrape(id, &answered, &failures);
            if let Some(problem) = out.merge(retired).into_iter().next() {
                return Err(problem.into());
            }
            write_health(
                cx.collector_name(),
                targets.len(),
                &up,
                &shared.error_counts(),
                out,
            )?;
            Ok(())
        }
        .boxed()
    }
}

/// Asks one worker; `Err` names why it did not answer.
async fn ask<S: WorkerStats>(
    target: &Target<S>,
    budget: Duration,
) -> Result<super::Report<S>, &'static str> {
    match tokio::time::timeout(budget, target.recipient.send(ReportStats::new())).await {
        Ok(Ok(report)) => Ok(report),
        // The actor is gone and its stats were not dropped normally (e.g. its arbiter died).
        Ok(Err(MailboxError::Closed)) => Err("stopped"),
        Ok(Err(MailboxError::Timeout)) | Err(_) => Err("timeout"),
    }
}

fn write_health(
    collector: &str,
    running: usize,
    up: &[(String, u8)],
    errors: &[((String, &'static str), u64)],
    out: &mut MetricSnapshot,
) -> Result<(), ModelError> {
    out.family(
        "actorscope_worker_actors",
        "Worker actors registered with the collector and running when the scrape began.",
        MetricKind::Gauge,
    )?
    .add([("collector", collector)], running)?;
    let family = out.family(
        "actorscope_worker_up",
        "1 if the worker answered the latest scrape, 0 if it stopped or missed the deadline.",
        MetricKind::Gauge,
    )?;
    for (worker, value) in up {
        family.add([("collector", collector), ("worker", worker)], *value)?;
    }
    let family = out.family(
        "actorscope_worker_scrape_errors_total",
        "Scrapes a worker did not answer, by kind (stopped, panicked, timeout).",
        MetricKind::Counter,
    )?;
    for ((worker, kind), count) in errors {
        family.add(
            [
                ("collector", collector),
                ("worker", worker.as_str()),
                ("kind", kind),
            ],
            *count,
        )?;
    }
    Ok(())
}
