use std::ops::{Deref, DerefMut};
use std::sync::Weak;

use super::worker_set::Shared;
use super::{Report, WorkerStats};

/// A worker's stats as the worker actor holds them: `S` itself (deref to it), aligned so
/// no other worker's stats share its cache lines, and tied to its collector so that when
/// the actor is dropped — stopped, or unwound by a panic — its final counts are folded
/// into the collector's retired totals.
///
/// Made by [`WorkerCollector::start_in`](super::WorkerCollector::start_in).
#[repr(align(128))]
pub struct Tracked<S: WorkerStats> {
    stats: S,
    instance: u64,
    collector: Weak<Shared<S>>,
}

impl<S: WorkerStats> Tracked<S> {
    pub(crate) fn new(stats: S, instance: u64, collector: Weak<Shared<S>>) -> Self {
        Self {
            stats,
            instance,
            collector,
        }
    }

    /// The reply to a scrape: a copy of the stats. Called by the handler that
    /// [`report_stats!`](crate::report_stats) writes.
    #[must_use]
    pub fn report(&self) -> Report<S> {
        Report {
            instance: self.instance,
            stats: self.stats.clone(),
        }
    }
}

impl<S: WorkerStats> Deref for Tracked<S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.stats
    }
}

impl<S: WorkerStats> DerefMut for Tracked<S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.stats
    }
}

impl<S: WorkerStats> Drop for Tracked<S> {
    fn drop(&mut self) {
        if let Some(collector) = self.collector.upgrade() {
            collector.retire(self.instance, self.stats.clone(), std::thread::panicking());
        }
    }
}

impl<S: WorkerStats + std::fmt::Debug> std::fmt::Debug for Tracked<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracked")
            .field("instance", &self.instance)
            .field("stats", &self.stats)
            .finish()
    }
}
