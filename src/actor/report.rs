use std::sync::Arc;

use super::handover::Handover;
use crate::model::ModelError;
use crate::write::Writer;

/// A worker's stats: plain fields (see [`crate::stats`]) that only the worker updates,
/// and how they become families. [`worker_stats!`](crate::worker_stats) declares both in
/// one table; implement it by hand for stats whose families depend on what they saw.
///
/// `Clone` is what a scrape costs the worker: the reply is a copy, converted into families
/// on the scraping thread, so the worker is busy only for the copy.
///
/// # Declared once, then values only
/// The first scrape that hears from a worker writes its copy in full: every name, label
/// and series is checked and the worker's series are remembered, in the order written.
/// Every later scrape writes the copy again but only *compares* it with what was
/// remembered (names and label values compared in place, nothing copied, hashed or
/// allocated per series) and keeps the numbers; the series built the first time are
/// shared with every later snapshot, and so is their rendered text. When anything differs
/// (a new label value, a series more or fewer, another order, a value the model refuses)
/// that scrape writes the copy in full again and remembers the new shape. So `write`
/// must write the same families and series, in the same order, for the same stats: a
/// function of `&self` alone (no clock, no randomness, no shared state).
///
/// ```
/// use actorscope::actor::WorkerStats;
/// use actorscope::model::ModelError;
/// use actorscope::stats::Counter;
/// use actorscope::write::Writer;
///
/// #[derive(Clone, Default)]
/// struct ShardStats {
///     gets: Counter,
/// }
///
/// impl WorkerStats for ShardStats {
///     fn write(&self, out: &mut Writer<'_>) -> Result<(), ModelError> {
///         out.counter("kv_gets_total", "GET requests handled.").add((), &self.gets)?;
///         Ok(())
///     }
///
///     fn check(out: &mut Writer<'_>) -> Result<(), ModelError> {
///         Self::default().write(out)
///     }
/// }
/// ```
pub trait WorkerStats: Clone + Send + 'static {
    /// Writes the stats as families; `out` adds the worker's labels to every sample.
    ///
    /// # Errors
    /// A [`ModelError`] from a bad name or label; the scrape then reports this worker's
    /// collector as failed (`kind="invalid"`).
    fn write(&self, out: &mut Writer<'_>) -> Result<(), ModelError>;

    /// Called when the [`WorkerCollector`](super::WorkerCollector) is registered, so a
    /// bad family is a startup error: write a fresh value (as `worker_stats!` does). The
    /// default checks nothing.
    ///
    /// # Errors
    /// What [`Self::write`] would return for every scrape.
    fn check(out: &mut Writer<'_>) -> Result<(), ModelError> {
        let _ = out;
        Ok(())
    }
}

/// The scrape message: asks a worker for a copy of its stats `S` (or, in a shared
/// `SyncArbiter` mailbox, wakes the worker a scrape waits for).
pub struct ReportStats<S> {
    pub(crate) wake: Option<Arc<Handover<S>>>,
}

impl<S> ReportStats<S> {
    /// A request for the copy of the worker that takes it.
    pub(crate) fn new() -> Self {
        Self { wake: None }
    }

    /// A wake-up for the worker whose handover this is.
    pub(crate) fn waking(handover: Arc<Handover<S>>) -> Self {
        Self {
            wake: Some(handover),
        }
    }
}

impl<S> std::fmt::Debug for ReportStats<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReportStats")
    }
}

impl<S: WorkerStats> actix::Message for ReportStats<S> {
    type Result = Report<S>;
}

/// A worker's answer: from an actor with a mailbox of its own, a copy of its stats (a
/// `SyncArbiter` worker hands its copy over directly, and answers with nothing).
#[derive(Debug, Clone)]
pub struct Report<S> {
    pub(crate) stats: Option<S>,
}
