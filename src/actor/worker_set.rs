//! The set of workers a [`WorkerCollector`](super::WorkerCollector) asks, and the totals
//! of the ones that stopped. Shared with every worker's [`Tracked`](super::Tracked);
//! cold path only.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actix::Recipient;
use tokio::sync::Notify;

use super::handover::Handover;
use super::left_out::{log_lines, LeftOut};
use super::{ReportStats, WorkerStats};
use crate::model::{FailureKind, MetricSnapshot, ModelError};
use crate::write::{Layout, Recording, Replay, Writer};

/// The `worker` label of the folded totals of stopped workers.
const RETIRED: &str = "retired";

/// How a scrape reaches one worker.
pub(crate) enum Route<S: WorkerStats> {
    /// Its own mailbox: the reply carries the copy.
    Mailbox(Recipient<ReportStats<S>>),
    /// A mailbox shared with other workers (a `SyncArbiter` pool): wake it through the
    /// mailbox, take the copy from its handover.
    Handover(Recipient<ReportStats<S>>, Arc<Handover<S>>),
}

impl<S: WorkerStats> Clone for Route<S> {
    fn clone(&self) -> Self {
        match self {
            Self::Mailbox(recipient) => Self::Mailbox(recipient.clone()),
            Self::Handover(recipient, handover) => {
                Self::Handover(recipient.clone(), Arc::clone(handover))
            }
        }
    }
}

/// What the collector and every worker's `Tracked` share.
pub(crate) struct Shared<S: WorkerStats> {
    labels: Vec<(String, String)>,
    next_instance: AtomicU64,
    state: Mutex<State<S>>,
    /// Woken whenever a worker attaches.
    attached: Notify,
}

struct State<S: WorkerStats> {
    workers: Vec<Worker<S>>,
    /// Totals of stopped workers no scrape in flight can still have heard from.
    retired_base: MetricSnapshot,
    /// Final stats of recently stopped workers, kept apart until it is safe to fold them.
    recent: Vec<Retirement<S>>,
    in_flight: Vec<(u64, Instant)>,
    next_scrape: u64,
    errors: BTreeMap<(String, FailureKind), u64>,
    left_out: LeftOut,
}

struct Worker<S: WorkerStats> {
    label: String,
    /// `worker="<label>"` and the collector's labels, as every sample of it gets them.
    labels: Arc<[(String, String)]>,
    instance: u64,
    /// `None` until the actor attaches (it has been made, but not started yet).
    route: Option<Route<S>>,
    /// Set when the worker's stats were dropped: `Stopped` or `Panicked`.
    gone: Option<FailureKind>,
    /// What the worker's stats wrote at the latest scrape that built its series.
    layout: Option<Arc<Layout>>,
}

struct Retirement<S> {
    instance: u64,
    at: Instant,
    stats: S,
}

/// What one scrape does: its id, whom to ask, and which workers went away since the last.
pub(crate) struct ScrapePlan<S: WorkerStats> {
    pub(crate) id: u64,
    pub(crate) targets: Vec<Target<S>>,
    pub(crate) gone: Vec<(String, FailureKind)>,
}

/// One worker asked in one scrape.
pub(crate) struct Target<S: WorkerStats> {
    pub(crate) label: String,
    labels: Arc<[(String, String)]>,
    pub(crate) instance: u64,
    /// `None`: made but not attached by the time the scrape began.
    pub(crate) route: Option<Route<S>>,
    layout: Option<Arc<Layout>>,
}

impl<S: WorkerStats> Shared<S> {
    pub(crate) fn new(labels: Vec<(String, String)>) -> Self {
        Self {
            labels,
            next_instance: AtomicU64::new(0),
            state: Mutex::new(State {
                workers: Vec::new(),
                retired_base: MetricSnapshot::new(),
                recent: Vec::new(),
                in_flight: Vec::new(),
                next_scrape: 0,
                errors: BTreeMap::new(),
                left_out: LeftOut::default(),
            }),
            attached: Notify::new(),
        }
    }

    /// Adds a new worker under the smallest free `worker` label (so workers made in
    /// order get labels in order); returns its instance number, which no other worker of
    /// this set has had. It is scraped once it attaches.
    pub(crate) fn join(&self) -> u64 {
        let instance = self.next_instance.fetch_add(1, Ordering::Relaxed);
        let mut state = self.lock();
        let label = (0..)
            .map(|n: usize| n.to_string())
            .find(|label| state.workers.iter().all(|w| w.label != *label))
            .unwrap_or_default();
        let labels = self.labels_for(&label).into();
        state.workers.push(Worker {
            label,
            labels,
            instance,
            route: None,
            gone: None,
            layout: None,
        });
        instance
    }

    /// Worker `instance` is reached by `route` from now on.
    pub(crate) fn attach(&self, instance: u64, route: Route<S>) {
        let mut state = self.lock();
        if let Some(worker) = state.workers.iter_mut().find(|w| w.instance == instance) {
            worker.route = Some(route);
        }
        drop(state);
        self.attached.notify_waiters();
    }

    /// Waits, at most `grace`, until no worker is waiting to attach (an actor made just
    /// before the scrape whose `started` has not run yet).
    pub(crate) async fn settle(&self, grace: Duration) {
        let until = tokio::time::Instant::now() + grace;
        loop {
            let notified = self.attached.notified();
            let pending = self
                .lock()
                .workers
                .iter()
                .any(|w| w.route.is_none() && w.gone.is_none());
            if !pending || tokio::time::timeout_at(until, notified).await.is_err() {
                return;
            }
        }
    }

    /// Workers in the set, including stopped ones not yet reported.
    pub(crate) fn worker_count(&self) -> usize {
        self.lock().workers.len()
    }

    fn lock(&self) -> MutexGuard<'_, State<S>> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Called when a worker's [`Tracked`](super::Tracked) is dropped: keeps its final
    /// stats (whether or not it was ever attached: nothing counted is lost).
    pub(crate) fn retire(&self, instance: u64, stats: S, panicking: bool) {
        let mut state = self.lock();
        state.recent.push(Retirement {
            instance,
            at: Instant::now(),
            stats,
        });
        if let Some(worker) = state.workers.iter_mut().find(|w| w.instance == instance) {
            worker.gone = Some(if panicking {
                FailureKind::Panicked
            } else {
                FailureKind::Stopped
            });
        }
    }

    /// `stats` written as this collector's series with `worker="<worker>"`.
    pub(crate) fn write(
        &self,
        worker: &str,
        stats: &S,
        out: &mut MetricSnapshot,
    ) -> Result<(), ModelError> {
        let labels = self.labels_for(worker);
        stats.write(&mut Writer::with_labels(out, &labels))
    }

    /// The copy `stats` that `target` answered with, written as this collector's series
    /// with `worker="<label>"`: by replaying the worker's layout when it still fits (the
    /// values are copied, its series were built at an earlier scrape), else written and
    /// checked in full, and its layout recorded for the next scrape.
    pub(crate) fn write_worker(
        &self,
        target: &Target<S>,
        stats: &S,
        out: &mut MetricSnapshot,
    ) -> Result<(), ModelError> {
        let labels = &target.labels;
        if let Some(layout) = &target.layout {
            let mut replay = Replay::new(Arc::clone(layout), labels);
            // A write that fails here fails again below, where its error is reported.
            let _ = stats.write(&mut Writer::replaying(&mut replay, labels));
            if let Some((layout, values)) = replay.finish() {
                return layout.apply(values, out);
            }
        }
        let mut recording = Recording::default();
        stats.write(&mut Writer::recording(out, labels, &mut recording))?;
        let layout = Arc::new(recording.finish(labels));
        let mut state = self.lock();
        if let Some(worker) = state
            .workers
            .iter_mut()
            .find(|w| w.instance == target.instance)
        {
            worker.layout = Some(layout);
        }
        Ok(())
    }

    /// `worker="<worker>"` and the collector's own labels.
    pub(crate) fn labels_for(&self, worker: &str) -> Vec<(String, String)> {
        let mut labels = Vec::with_capacity(self.labels.len() + 1);
        labels.push(("worker".to_owned(), worker.to_owned()));
        labels.extend(self.labels.iter().cloned());
        labels
    }

    /// Folds what is safe to fold, registers the scrape, and lists whom to ask.
    pub(crate) fn begin_scrape(&self) -> ScrapePlan<S> {
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
                targets.push(Target {
                    label: worker.label.clone(),
                    labels: Arc::clone(&worker.labels),
                    instance: worker.instance,
                    route: worker.route.clone(),
                    layout: worker.layout.clone(),
                });
                true
            }
        });
        for (label, kind) in &gone {
            *state.errors.entry((label.clone(), *kind)).or_default() += 1;
        }
        ScrapePlan { id, targets, gone }
    }

    /// The retired totals for scrape `id`, leaving out workers that answered it (their
    /// answer already counts them), and ends the scrape. `failures` are the workers that
    /// did not answer: (label, instance, kind); a stopped one leaves the set.
    pub(crate) fn end_scrape(
        &self,
        id: u64,
        answered: &HashSet<u64>,
        failures: &[(String, u64, FailureKind)],
    ) -> MetricSnapshot {
        let mut state = self.lock();
        state.in_flight.retain(|(scrape, _)| *scrape != id);
        for (label, instance, kind) in failures {
            let mut kind = *kind;
            if kind == FailureKind::Stopped {
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

    /// Logs the workers of `collector` that were left out of a scrape or answer again,
    /// once per change (`up` holds each worker's label and 1 if it answered).
    pub(crate) fn log_left_out(
        &self,
        collector: &str,
        up: &[(String, u8)],
        missing: &[(String, FailureKind)],
    ) {
        let answered = up
            .iter()
            .filter(|(_, up)| *up == 1)
            .map(|(label, _)| label.as_str());
        let lines = self.lock().left_out.update(collector, answered, missing);
        log_lines(lines);
    }

    pub(crate) fn error_counts(&self) -> Vec<((String, FailureKind), u64)> {
        self.lock()
            .errors
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    }
}
