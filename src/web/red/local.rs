//! One worker thread's stats for one `RequestMetrics`, and the small actor on that
//! thread's arbiter that answers scrapes with a copy of them.
//!
//! actix-web calls the `App` factory once per worker per bound address, so the stats are
//! found again by the `RequestMetrics` id in a thread-local list: one block, and one
//! reporting actor, per worker thread.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use actix::{Actor, Context, Handler, MessageResult};

use super::stats::HttpWorkerStats;
use super::Shared;
use crate::actor::{ReportStats, Tracked};

/// A worker thread's stats, shared by its middleware services, its connection guards
/// and its reporting actor. Dropped (and its counts retired) with the last of them.
#[derive(Debug)]
pub(crate) struct LocalStats {
    stats: RefCell<Tracked<HttpWorkerStats>>,
}

impl LocalStats {
    /// Runs `update` on the stats. Never called while another update runs: every caller
    /// is on this thread and none holds the borrow across an await.
    pub(crate) fn update<T>(&self, update: impl FnOnce(&mut HttpWorkerStats) -> T) -> T {
        update(&mut self.stats.borrow_mut())
    }
}

thread_local! {
    static LOCAL: RefCell<Vec<(u64, Weak<LocalStats>)>> = const { RefCell::new(Vec::new()) };
}

/// This thread's stats for `shared`, made (and its reporting actor started) on first use.
pub(crate) fn for_this_thread(shared: &Shared) -> Rc<LocalStats> {
    let found = LOCAL.with(|local| {
        let mut local = local.borrow_mut();
        local.retain(|(_, stats)| stats.strong_count() > 0);
        local
            .iter()
            .find(|(id, _)| *id == shared.id)
            .and_then(|(_, stats)| stats.upgrade())
    });
    if let Some(stats) = found {
        return stats;
    }
    let fresh = HttpWorkerStats::new(
        shared.series_limit,
        shared.histograms.clone(),
        shared.connection_slots,
    );
    let stats = Rc::new(LocalStats {
        stats: RefCell::new(shared.collector.tracked_with(fresh)),
    });
    // On this worker's arbiter, like its middleware: the stats never leave the thread.
    Reporter {
        stats: Rc::clone(&stats),
    }
    .start();
    LOCAL.with(|local| {
        local.borrow_mut().push((shared.id, Rc::downgrade(&stats)));
    });
    stats
}

/// Answers scrapes for one worker thread.
struct Reporter {
    stats: Rc<LocalStats>,
}

impl Actor for Reporter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.stats.stats.borrow_mut().attach(ctx);
    }
}

impl Handler<ReportStats<HttpWorkerStats>> for Reporter {
    type Result = MessageResult<ReportStats<HttpWorkerStats>>;

    fn handle(
        &mut self,
        request: ReportStats<HttpWorkerStats>,
        _: &mut Context<Self>,
    ) -> Self::Result {
        MessageResult(self.stats.stats.borrow().report(request))
    }
}
