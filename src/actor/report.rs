use std::marker::PhantomData;

use super::StatsWriter;
use crate::model::ModelError;

/// A worker's stats: plain fields (see [`crate::stats`]) that only the worker updates,
/// and how they become families.
///
/// `Clone` is what a scrape costs the worker: the reply is a copy, converted into families
/// on the scraping thread, so the worker is busy only for the copy.
///
/// ```
/// use actorscope::actor::{StatsWriter, WorkerStats};
/// use actorscope::model::ModelError;
/// use actorscope::stats::Counter;
///
/// #[derive(Clone, Default)]
/// struct ShardStats {
///     gets: Counter,
///     misses: Counter,
/// }
///
/// impl WorkerStats for ShardStats {
///     fn write(&self, out: &mut StatsWriter<'_>) -> Result<(), ModelError> {
///         out.counter("kv_gets_total", "GET requests handled.", &self.gets)?;
///         out.counter("kv_misses_total", "GETs for a missing key.", &self.misses)
///     }
/// }
/// ```
pub trait WorkerStats: Clone + Send + 'static {
    /// Writes the stats as families; `out` adds the worker's labels to every sample.
    ///
    /// # Errors
    /// A [`ModelError`] from a bad name or label; the scrape then reports this worker's
    /// collector as failed.
    fn write(&self, out: &mut StatsWriter<'_>) -> Result<(), ModelError>;
}

/// The scrape message: asks a worker for a copy of its stats `S`.
pub struct ReportStats<S> {
    stats: PhantomData<fn() -> S>,
}

impl<S> ReportStats<S> {
    pub(crate) fn new() -> Self {
        Self { stats: PhantomData }
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

/// A worker's answer: a copy of its stats, and which worker instance sent it.
#[derive(Debug, Clone)]
pub struct Report<S> {
    pub(crate) instance: u64,
    pub(crate) stats: S,
}
