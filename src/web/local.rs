//! One thread's stats for one middleware (the server's [`RequestMetrics`] or the
//! client's [`ClientMetrics`]), and the small actor on that thread's arbiter that answers
//! scrapes with a copy of them.
//!
//! actix-web calls the `App` factory once per worker per bound address, and a client is
//! built once per thread that uses it, so the stats are found again by the middleware's
//! id in a thread-local list: one block, and one reporting actor, per thread.
//!
//! [`RequestMetrics`]: super::RequestMetrics
//! [`ClientMetrics`]: super::ClientMetrics

use std::any::Any;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};

use actix::{Actor, Context, Handler, MessageResult};

use crate::actor::{ReportStats, Tracked, WorkerCollector, WorkerStats};

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A fresh id for a middleware whose stats [`for_this_thread`] keeps.
pub(crate) fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// A thread's stats, shared by its middleware services, their guards and its reporting
/// actor. Dropped (and its counts retired) with the last of them.
#[derive(Debug)]
pub(crate) struct LocalStats<S: WorkerStats> {
    stats: RefCell<Tracked<S>>,
}

impl<S: WorkerStats> LocalStats<S> {
    /// Runs `update` on the stats. Never called while another update runs: every caller
    /// is on this thread and none holds the borrow across an await.
    pub(crate) fn update<T>(&self, update: impl FnOnce(&mut S) -> T) -> T {
        update(&mut self.stats.borrow_mut())
    }
}

thread_local! {
    static LOCAL: RefCell<Vec<(u64, Weak<dyn Any>)>> = const { RefCell::new(Vec::new()) };
}

/// This thread's stats for the middleware `id`, made by `fresh` (and its reporting actor
/// started on this thread's arbiter) on first use.
///
/// # Panics
/// Outside an actix system (the reporting actor needs this thread's arbiter).
pub(crate) fn for_this_thread<S: WorkerStats>(
    id: u64,
    collector: &WorkerCollector<S>,
    fresh: impl FnOnce() -> S,
) -> Rc<LocalStats<S>> {
    let found = LOCAL.with(|local| {
        let mut local = local.borrow_mut();
        local.retain(|(_, stats)| stats.strong_count() > 0);
        local
            .iter()
            .find(|(found, _)| *found == id)
            .and_then(|(_, stats)| stats.upgrade())
            .and_then(|stats| stats.downcast::<LocalStats<S>>().ok())
    });
    if let Some(stats) = found {
        return stats;
    }
    let stats = Rc::new(LocalStats {
        stats: RefCell::new(collector.tracked_with(fresh())),
    });
    // On this thread's arbiter, like its middleware: the stats never leave the thread.
    Reporter {
        stats: Rc::clone(&stats),
    }
    .start();
    let any: Rc<dyn Any> = Rc::clone(&stats) as Rc<dyn Any>;
    LOCAL.with(|local| local.borrow_mut().push((id, Rc::downgrade(&any))));
    stats
}

/// Answers scrapes for one thread.
struct Reporter<S: WorkerStats> {
    stats: Rc<LocalStats<S>>,
}

impl<S: WorkerStats> Actor for Reporter<S> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.stats.stats.borrow_mut().attach(ctx);
    }
}

impl<S: WorkerStats> Handler<ReportStats<S>> for Reporter<S> {
    type Result = MessageResult<ReportStats<S>>;

    fn handle(&mut self, request: ReportStats<S>, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.stats.stats.borrow().report(request))
    }
}
