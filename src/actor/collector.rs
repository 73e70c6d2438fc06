use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actix::dev::ToEnvelope;
use actix::{Actor, ArbiterHandle, Handler, MailboxError, Recipient};
use futures::future::{join_all, BoxFuture, FutureExt};

use super::{ReportStats, StatsWriter, Tracked, WorkerStats};
use crate::model::{MetricKind, MetricSnapshot, ModelError};
use crate::registry::{CollectError, Collector, ScrapeContext};

/// The share of the scrape's remaining time a worker gets to answer; the rest is kept
/// for merging, so the collector finishes before the registry's deadline.
const WORKER_SHARE_OF_DEADLINE: f64 = 0.9;

/// The `worker` label of the folded totals of stopped workers.
const RETIRED: &str = "retired";

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
        let state = self.shared.lock();
        f.debug_struct("WorkerCollector")
            .field("labels", &self.shared.labels)
            .field("workers", &state.workers.len())
            .field("retired_pending", &state.recent.len())
            .finish()
    }
}

/// What the collector and every worker's [`Tracked`] share (cold path only).
pub(crate) struct Shared<S: WorkerStats> {
    labels: Vec<(String, String)>,
    next_instance: AtomicU64,
    state: Mutex<State<S>>,
}

struct State<S: WorkerStats> {
    workers: Vec<Worker<S>>,
    /// Totals of stopped workers no scrape in flight can still have heard from.
    retired_base: MetricSnapshot,
    /// Final stats of recently stopped workers, kept apart until it is safe to fold them.
    recent: Vec<Retirement<S>>,
    in_flight: Vec<(u64, Instant)>,
    next_scrape: u64,
    errors: BTreeMap<(String, &'static str), u64>,
}

struct Worker<S: WorkerStats> {
    label: String,
    instance: u64,
    /// `None` while the actor is being started.
    recipient: Option<Recipient<ReportStats<S>>>,
    /// Set when the worker's stats were dropped: `stopped` or `panicked`.
    gone: Option<&'static str>,
}

struct Retirement<S> {
    instance: u64,
    at: Instant,
    stats: S,
}

/// What one scrape does: its id, whom to ask, and which workers went away since the last.
struct ScrapePlan<S: WorkerStats> {
    id: u64,
    targets: Vec<Target<S>>,
    gone: Vec<(String, &'static str)>,
}

/// One worker asked in one scrape.
struct Target<S: WorkerStats> {
    label: String,
    instance: u64,
    recipient: Recipient<ReportStats<S>>,
}

impl<S: WorkerStats> Shared<S> {
    fn lock(&self) -> MutexGuard<'_, State<S>> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Called when a worker's [`Tracked`] is dropped: keeps its final stats.
    pub(crate) fn retire(&self, instance: u64, stats: S, panicking: bool) {
        let mut state = self.lock();
        state.recent.push(Retirement {
            instance,
            at: Instant::now(),
            stats,
        });
        if let Some(worker) = state.workers.iter_mut().find(|w| w.instance == instance) {
            worker.gone = Some(if panicking { "panicked" } else { "stopped" });
        }
    }

    /// `stats` written as this collector's series with `worker="<worker>"`.
    fn write(&self, worker: &str, stats: &S, out: &mut MetricSnapshot) -> Result<(), ModelError> {
        let mut labels = Vec::with_capacity(self.labels.len() + 1);
        labels.push(("worker".to_owned(), worker.to_owned()));
        labels.extend(self.labels.iter().cloned());
        stats.write(&mut StatsWriter::new(out, &labels))
    }

    /// Folds what is safe to fold, registers the scrape, and lists whom to ask.
    fn begin_scrape(&self) -> ScrapePlan<S> {
        let mut state = self.lock();
        let oldest_in_flight = state.in_flight.iter().map(|(_, at)| *at).min();
        let (fold, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut state.recent)
            .into_iter()
            .partition(|r| oldest_in_flight.is_none_or(|oldest| r.at < oldest));
        state.recent = keep;
        for retirement in fold {
            let mut part = MetricSnapshot::new();
            // A write that fails now failed for the live worker too; nothing more to keep.
            if self.write(RETIRED, &retirement.stats, &mut part).is_ok() {
                state.retired_base.accumulate(part);
            }
        }
        let id = state.next_scrape;
        state.next_scrape += 1;
        state.in_flight.push((id, Instant::now()));

        let mut gone = Vec::new();
        let mut targets = Vec::new();
        state.workers.retain(|worker| match worker.gone {
            Some(kind) => {
                gone.push((worker.label.clone(), kind));
                false
            }
            None => {
                if let Some(recipient) = &worker.recipient {
                    targets.push(Target {
                        label: worker.label.clone(),
                        instance: worker.instance,
                        recipient: recipient.clone(),
                    });
                }
                true
            }
        });
        for (label, kind) in &gone {
            *state.errors.entry((label.clone(), kind)).or_default() += 1;
        }
        ScrapePlan { id, targets, gone }
    }

    /// The retired totals for scrape `id`, leaving out workers that answered it (their
    /// answer already counts them), and ends the scrape. `failures` are the workers that
    /// did not answer: (label, instance, kind); a `stopped` one leaves the set.
    fn end_scrape(
        &self,
        id: u64,
        answered: &HashSet<u64>,
        failures: &[(String, u64, &'static str)],
    ) -> MetricSnapshot {
        let mut state = self.lock();
        state.in_flight.retain(|(scrape, _)| *scrape != id);
        for (label, instance, kind) in failures {
            let mut kind = *kind;
            if kind == "stopped" {
                if let Some(at) = state.workers.iter().position(|w| w.instance == *instance) {
                    // Its stats were dropped meanwhile: report how, and only here.
                    kind = state.workers.remove(at).gone.unwrap_or(kind);
                }
            }
            *state.errors.entry((label.clone(), kind)).or_default() += 1;
        }
        let mut retired = state.retired_base.clone();
        for retirement in state
            .recent
            .iter()
            .filter(|r| !answered.contains(&r.instance))
        {
            let mut part = MetricSnapshot::new();
            if self.write(RETIRED, &retirement.stats, &mut part).is_ok() {
                retired.accumulate(part);
            }
        }
        retired
    }

    fn error_counts(&self) -> Vec<((String, &'static str), u64)> {
        self.lock()
            .errors
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect()
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
        Self {
            shared: Arc::new(Shared {
                labels: labels
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
                next_instance: AtomicU64::new(0),
                state: Mutex::new(State {
                    workers: Vec::new(),
                    retired_base: MetricSnapshot::new(),
                    recent: Vec::new(),
                    in_flight: Vec::new(),
                    next_scrape: 0,
                    errors: BTreeMap::new(),
                }),
            }),
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
        let instance = self.shared.next_instance.fetch_add(1, Ordering::Relaxed);
        let tracked = Tracked::new(stats, instance, Arc::downgrade(&self.shared));
        {
            // Join before the actor runs, so a worker that stops at once finds its entry.
            let mut state = self.shared.lock();
            let label = (0..)
                .map(|n: usize| n.to_string())
                .find(|label| state.workers.iter().all(|w| w.label != *label))
                .unwrap_or_default();
            state.workers.push(Worker {
                label,
                instance,
                recipient: None,
                gone: None,
            });
        }
        // No lock held here: on a stopped arbiter actix drops `make` (and the stats in it)
        // right away, on this thread, and their drop takes the lock to retire them.
        let addr = A::start_in_arbiter(arbiter, move |_| make(tracked));
        if let Some(worker) = self
            .shared
            .lock()
            .workers
            .iter_mut()
            .find(|w| w.instance == instance)
        {
            worker.recipient = Some(addr.clone().recipient());
        }
        addr
    }

    /// How many workers are in the set (including stopped ones not yet reported).
    #[must_use]
    pub fn len(&self) -> usize {
        self.shared.lock().workers.len()
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
            write_health(cx.collector_name(), &up, &shared.error_counts(), out)?;
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
    up: &[(String, u8)],
    errors: &[((String, &'static str), u64)],
    out: &mut MetricSnapshot,
) -> Result<(), ModelError> {
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
