use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use actix::dev::ToEnvelope;
use actix::{Actor, ArbiterHandle, Context, Handler, MailboxError};
use futures::future::join_all;

use super::worker_set::{Route, ScrapePlan, Shared, Target};
use super::{ReportStats, Tracked, WorkerStats};
use crate::model::{FailureKind, MetricSnapshot, ModelError};
use crate::registry::{CollectError, Collector, MetricsRegistry, RegisterError, ScrapeContext};
use crate::stats::{Counter, Gauge};
use crate::write::{Metric, Writer};

/// The share of the scrape's remaining time a worker gets to answer; the rest is kept
/// for merging, so the collector finishes before the registry's deadline.
const WORKER_SHARE_OF_DEADLINE: f64 = 0.9;

/// How long a scrape waits for workers that were made but have not attached yet (an
/// actor whose `started` has not run); one that stays unattached is reported as a
/// timeout, so a forgotten `attach` shows.
const ATTACH_GRACE: Duration = Duration::from_millis(50);

const ACTORS: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_worker_actors",
    "Worker actors registered with the collector and running when the scrape began.",
);
const UP: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_worker_up",
    "1 if the worker answered the latest scrape, 0 if it stopped or missed the deadline.",
);
const ERRORS: Metric<'static, Counter> = Metric::counter(
    "actorscope_worker_scrape_errors_total",
    "Scrapes a worker did not answer, by kind (stopped, panicked, timeout).",
);

/// A set of worker actors reporting stats `S`, and the [`Collector`] that scrapes them.
///
/// A worker joins by holding a [`Tracked<S>`](Tracked) made by [`Self::tracked`] and
/// calling [`Tracked::attach`] from its context, however it was started; it leaves by
/// stopping (or panicking). At each scrape every worker is asked concurrently and answers
/// on its own thread; each worker's samples get `worker="<n>"` (the worker's slot in this
/// set, the smallest free number when it attached) plus this collector's labels. A worker
/// that has stopped, or does not answer within the deadline, is reported as
/// `actorscope_worker_up{collector,worker} 0` and counted in
/// `actorscope_worker_scrape_errors_total{collector,worker,kind}` (`stopped`, `panicked`,
/// `timeout`); the others still come back. What stopped workers had counted is kept as
/// `worker="retired"` series (see the [module docs](super)).
///
/// Cloning is cheap and shares the set.
///
/// ```
/// use actix::{Actor, Context};
/// use actorscope::prelude::*;
///
/// actorscope::worker_stats! {
///     /// What a ticker counts.
///     pub struct TickStats {
///         /// Ticks seen.
///         #[metric("ticks_total")]
///         ticks: Counter,
///     }
/// }
///
/// struct Ticker {
///     stats: Tracked<TickStats>,
/// }
///
/// impl Actor for Ticker {
///     type Context = Context<Self>;
///     fn started(&mut self, ctx: &mut Context<Self>) {
///         self.stats.attach(ctx);
///         self.stats.ticks.add(3); // the hot path: a plain add on the worker's own field
///     }
/// }
/// actorscope::report_stats!(Ticker, stats: TickStats);
///
/// actix::System::new().block_on(async {
///     let tickers = WorkerCollector::<TickStats>::new();
///     let registry = MetricsRegistry::new();
///     registry.register("tickers", tickers.clone()).unwrap();
///     let _ticker = Ticker { stats: tickers.tracked() }.start();
///
///     let snapshot = registry.scrape().await;
///     let ticks = snapshot.get("ticks_total").and_then(|f| f.value([("worker", "0")]));
///     assert_eq!(ticks.and_then(|v| v.as_f64()), Some(3.0));
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

    /// Fresh stats for a new worker of this set (`S::default()`): put them in the actor,
    /// and call [`Tracked::attach`] once the actor has its context.
    #[must_use]
    pub fn tracked(&self) -> Tracked<S>
    where
        S: Default,
    {
        self.tracked_with(S::default())
    }

    /// Like [`Self::tracked`], starting from `stats`.
    #[must_use]
    pub fn tracked_with(&self, stats: S) -> Tracked<S> {
        Tracked::new(stats, self.shared.join(), Arc::downgrade(&self.shared))
    }

    /// A convenience for the common case: starts the actor `make` builds on `arbiter`,
    /// around fresh tracked stats, attached before the actor runs (so the very next
    /// scrape asks it).
    pub fn start_in<A, F>(&self, arbiter: &ArbiterHandle, make: F) -> actix::Addr<A>
    where
        S: Default,
        A: Actor<Context = Context<A>> + Handler<ReportStats<S>>,
        A::Context: ToEnvelope<A, ReportStats<S>>,
        F: FnOnce(Tracked<S>) -> A + Send + 'static,
    {
        let tracked = self.tracked();
        let instance = tracked.instance();
        // No lock is held here: on a stopped arbiter actix drops `make` (and the stats in
        // it) right away, on this thread, and their drop takes the lock to retire them.
        let addr = A::start_in_arbiter(arbiter, move |_| make(tracked));
        self.shared
            .attach(instance, Route::Mailbox(addr.clone().recipient()));
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

impl MetricsRegistry {
    /// Registers a new [`WorkerCollector`] for workers with stats `S` under `name`, and
    /// returns it: make each worker's stats with [`WorkerCollector::tracked`].
    ///
    /// ```
    /// use actorscope::prelude::*;
    ///
    /// actorscope::worker_stats! {
    ///     pub struct ShardStats {
    ///         /// GET requests handled.
    ///         #[metric("kv_gets_total")]
    ///         gets: Counter,
    ///     }
    /// }
    ///
    /// let registry = MetricsRegistry::new();
    /// let shards = registry.register_workers::<ShardStats>("kv")?;
    /// let stats = shards.tracked(); // for the first shard actor
    /// # drop(stats);
    /// # Ok::<(), actorscope::registry::RegisterError>(())
    /// ```
    ///
    /// # Errors
    /// As [`MetricsRegistry::register`]: a bad or taken name, or a family of `S` that
    /// could never be written.
    pub fn register_workers<S: WorkerStats>(
        &self,
        name: impl Into<String>,
    ) -> Result<WorkerCollector<S>, RegisterError> {
        let workers = WorkerCollector::new();
        self.register(name, workers.clone())?;
        Ok(workers)
    }
}

impl<S: WorkerStats> Default for WorkerCollector<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: WorkerStats> Collector for WorkerCollector<S> {
    async fn collect(&self, cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
        let shared = &self.shared;
        shared.settle(ATTACH_GRACE.min(cx.remaining() / 4)).await;
        let ScrapePlan { id, targets, gone } = shared.begin_scrape();
        let budget = cx.remaining().mul_f64(WORKER_SHARE_OF_DEADLINE);
        let replies = join_all(targets.iter().map(|target| ask(target, budget))).await;

        let mut answered = HashSet::new();
        let mut up: Vec<(String, u8)> = Vec::with_capacity(targets.len() + gone.len());
        let mut failures = Vec::new();
        let mut part = MetricSnapshot::new();
        for (target, reply) in targets.iter().zip(replies) {
            match reply {
                Ok(stats) => {
                    answered.insert(target.instance);
                    shared.write_worker(target, &stats, &mut part)?;
                    up.push((target.label.clone(), 1));
                }
                Err(kind) => {
                    up.push((target.label.clone(), 0));
                    failures.push((target.label.clone(), target.instance, kind));
                }
            }
        }
        up.extend(gone.iter().map(|(label, _)| (label.clone(), 0)));
        out.merge(part)?;
        // `worker="retired"`: no live worker has that label.
        out.merge_distinct(shared.end_scrape(id, &answered, &failures))?;
        let missing: Vec<(String, FailureKind)> = failures
            .iter()
            .map(|(label, _, kind)| (label.clone(), *kind))
            .chain(gone.iter().cloned())
            .collect();
        shared.log_left_out(cx.collector_name(), &up, &missing);
        write_health(
            cx.collector_name(),
            targets.len(),
            &up,
            &shared.error_counts(),
            out,
        )?;
        Ok(())
    }

    /// Writes a fresh `S` as a worker would, so a bad name is refused at registration.
    fn check(&self) -> Result<(), ModelError> {
        let mut scratch = MetricSnapshot::new();
        let labels = self.shared.labels_for("0");
        S::check(&mut Writer::with_labels(&mut scratch, &labels))
    }
}

/// Asks one worker for a copy of its stats; `Err` names why it did not answer.
async fn ask<S: WorkerStats>(target: &Target<S>, budget: Duration) -> Result<S, FailureKind> {
    match &target.route {
        None => Err(FailureKind::TimedOut),
        Some(Route::Mailbox(recipient)) => {
            match tokio::time::timeout(budget, recipient.send(ReportStats::new())).await {
                Ok(Ok(report)) => report.stats.ok_or(FailureKind::TimedOut),
                // The actor is gone and its stats were not dropped normally (e.g. its
                // arbiter died).
                Ok(Err(MailboxError::Closed)) => Err(FailureKind::Stopped),
                Ok(Err(MailboxError::Timeout)) | Err(_) => Err(FailureKind::TimedOut),
            }
        }
        Some(Route::Handover(recipient, handover)) => {
            if !recipient.connected() {
                return Err(FailureKind::Stopped);
            }
            let copy = handover.request();
            // A wake-up for this worker; a free worker that takes it passes it on.
            recipient.do_send(ReportStats::waking(Arc::clone(handover)));
            let answer = tokio::time::timeout(budget, copy).await;
            match answer {
                Ok(Ok(stats)) => Ok(stats),
                Ok(Err(_)) | Err(_) => {
                    handover.withdraw();
                    Err(FailureKind::TimedOut)
                }
            }
        }
    }
}

fn write_health(
    collector: &str,
    running: usize,
    up: &[(String, u8)],
    errors: &[((String, FailureKind), u64)],
    out: &mut Writer<'_>,
) -> Result<(), ModelError> {
    out.family(ACTORS)
        .add([("collector", collector)], running)?;
    let mut family = out.family(UP).declare()?;
    for (worker, value) in up {
        family.add(
            [("collector", collector), ("worker", worker)],
            u32::from(*value),
        )?;
    }
    let mut family = out.family(ERRORS).declare()?;
    for ((worker, kind), count) in errors {
        family.add(
            [
                ("collector", collector),
                ("worker", worker.as_str()),
                ("kind", kind.as_str()),
            ],
            *count,
        )?;
    }
    Ok(())
}
