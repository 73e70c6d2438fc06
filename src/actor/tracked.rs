use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Weak};

use actix::dev::ToEnvelope;
use actix::{Actor, Handler};

use super::context::{recipient_of, WorkerContext};
use super::handover::{Handover, PASS_ON_PAUSE};
use super::worker_set::{Route, Shared};
use super::{Report, ReportStats, WorkerStats};

/// A worker's stats as the worker actor holds them: `S` itself (deref to it), aligned so
/// no other worker's stats share its cache lines, and tied to its collector so that when
/// the actor is dropped (stopped, or unwound by a panic) its final counts are folded
/// into the collector's retired totals.
///
/// Made by [`WorkerCollector::tracked`](super::WorkerCollector::tracked) wherever the
/// actor is built; scraped from the moment the actor calls [`attach`](Self::attach) in
/// `Actor::started` (or wherever it has its context). So every way of starting an actor
/// works, and a `Supervisor` restart, which keeps the actor value and calls `started`
/// again, keeps the worker label and the counts.
#[repr(align(128))]
pub struct Tracked<S: WorkerStats> {
    stats: S,
    instance: u64,
    collector: Weak<Shared<S>>,
    /// Set for a `SyncArbiter` worker: how it hands its copy to a scrape.
    shared_mailbox: Option<SharedMailbox<S>>,
}

/// What a worker in a shared mailbox needs: its handover, and the mailbox to pass on a
/// wake-up meant for another worker.
struct SharedMailbox<S: WorkerStats> {
    handover: Arc<Handover<S>>,
    mailbox: actix::Recipient<ReportStats<S>>,
}

impl<S: WorkerStats> Tracked<S> {
    pub(crate) fn new(stats: S, instance: u64, collector: Weak<Shared<S>>) -> Self {
        Self {
            stats,
            instance,
            collector,
            shared_mailbox: None,
        }
    }

    /// Makes this worker one that its collector scrapes, from its actor's context
    /// (a `Context` or a `SyncArbiter` worker's `SyncContext`). The worker's `worker`
    /// label was given when its stats were made; calling again (a `Supervisor` restart
    /// runs `started` again) keeps it. A scrape waits briefly for stats that were made
    /// but not attached yet, then reports them as not answering.
    ///
    /// ```
    /// use actix::{Actor, Context};
    /// use actorscope::prelude::*;
    ///
    /// actorscope::worker_stats! {
    ///     pub struct JobStats {
    ///         /// Jobs run.
    ///         #[metric("jobs_run_total")]
    ///         jobs: Counter,
    ///     }
    /// }
    ///
    /// struct Runner {
    ///     stats: Tracked<JobStats>,
    /// }
    ///
    /// impl Actor for Runner {
    ///     type Context = Context<Self>;
    ///     fn started(&mut self, ctx: &mut Context<Self>) {
    ///         self.stats.attach(ctx);
    ///     }
    /// }
    /// actorscope::report_stats!(Runner, stats: JobStats);
    ///
    /// actix::System::new().block_on(async {
    ///     let runners = WorkerCollector::<JobStats>::new();
    ///     let _runner = Runner { stats: runners.tracked() }.start();
    /// });
    /// ```
    pub fn attach<C>(&mut self, ctx: &C)
    where
        C: WorkerContext,
        C::Actor: Handler<ReportStats<S>>,
        <C::Actor as Actor>::Context: ToEnvelope<C::Actor, ReportStats<S>>,
    {
        let Some(collector) = self.collector.upgrade() else {
            return;
        };
        let recipient = recipient_of(ctx);
        let route = if C::SHARED_MAILBOX {
            let shared = self.shared_mailbox.get_or_insert_with(|| SharedMailbox {
                handover: Arc::new(Handover::new()),
                mailbox: recipient.clone(),
            });
            Route::Handover(recipient, Arc::clone(&shared.handover))
        } else {
            Route::Mailbox(recipient)
        };
        collector.attach(self.instance, route);
    }

    /// The number that tells this worker apart from every other of its collector.
    pub(crate) fn instance(&self) -> u64 {
        self.instance
    }

    /// The reply to a scrape: a copy of the stats. Called by the handler that
    /// [`report_stats!`](crate::report_stats) writes. A `SyncArbiter` worker hands its
    /// copy over instead, and passes on a wake-up meant for another worker still waited
    /// for (see the [module docs](super)).
    #[must_use]
    pub fn report(&self, request: ReportStats<S>) -> Report<S> {
        let Some(shared) = &self.shared_mailbox else {
            return Report {
                stats: Some(self.stats.clone()),
            };
        };
        shared.handover.offer(&self.stats);
        if let Some(target) = request.wake.filter(|target| target.is_wanted()) {
            shared.mailbox.do_send(ReportStats::waking(target));
            // Leave the wake-up to a free worker rather than take it again at once.
            std::thread::sleep(PASS_ON_PAUSE);
        }
        Report { stats: None }
    }
}

impl<S: WorkerStats> Deref for Tracked<S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.stats
    }
}

impl<S: WorkerStats> DerefMut for Tracked<S> {
    #[inline]
    fn deref_mut(&mut self) -> &mut S {
        if let Some(shared) = &self.shared_mailbox {
            shared.handover.offer(&self.stats);
        }
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
            .field("shared_mailbox", &self.shared_mailbox.is_some())
            .field("stats", &self.stats)
            .finish()
    }
}
