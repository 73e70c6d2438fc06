//! Actix glue: each worker actor owns its stats; a scrape asks every worker by message.
//!
//! ```text
//!  worker actor (its own arbiter thread)          WorkerCollector (scrape, any thread)
//!  stats: Tracked<S>  ◀── ReportStats<S> ───────── sends to every worker, each under the
//!  (hot path: plain &mut updates)  ─── reply: S ─▶ deadline; writes `worker="i"` series,
//!  dropped (stop/panic) ─▶ final S folded into     `actorscope_worker_up`, and the totals
//!                          the retired totals      of stopped workers as `worker="retired"`
//! ```
//!
//! Metrics for a new actor: one stats struct implementing [`WorkerStats`], one
//! [`report_stats!`](crate::report_stats) line for its handler, one
//! [`WorkerCollector::start_in`] call at startup. See `examples/buffer_pool.rs`.
//!
//! # When per-worker series reset
//! A worker's series (`worker="3"`) start from zero whenever a new actor takes that
//! worker label, which happens when a worker stopped or panicked and another is started:
//! labels are reused, smallest free number first. Prometheus' `rate()` treats that as a
//! counter reset. What the stopped worker had counted is not lost: it is added to the
//! `worker="retired"` series of the same family, so a sum over all workers never goes
//! backwards. Gauges of stopped workers are dropped.

mod collector;
mod report;
mod tracked;
mod worker_set;
mod writer;

pub use collector::WorkerCollector;
pub use report::{Report, ReportStats, WorkerStats};
pub use tracked::Tracked;
pub use writer::StatsWriter;

/// Re-exports for [`report_stats!`](crate::report_stats); not a public API.
#[doc(hidden)]
pub mod __private {
    pub use actix;
}

/// Implements the scrape handler for a worker actor whose stats live in field `$field`
/// (a [`Tracked<$stats>`](Tracked)).
///
/// `report_stats!(Shard, stats: ShardStats);` expands to:
///
/// ```text
/// impl actix::Handler<ReportStats<ShardStats>> for Shard {
///     type Result = actix::MessageResult<ReportStats<ShardStats>>;
///     fn handle(&mut self, _: ReportStats<ShardStats>, _: &mut Self::Context) -> Self::Result {
///         actix::MessageResult(self.stats.report())
///     }
/// }
/// ```
#[macro_export]
macro_rules! report_stats {
    ($actor:ty, $field:ident : $stats:ty) => {
        impl $crate::actor::__private::actix::Handler<$crate::actor::ReportStats<$stats>>
            for $actor
        {
            type Result =
                $crate::actor::__private::actix::MessageResult<$crate::actor::ReportStats<$stats>>;

            fn handle(
                &mut self,
                _: $crate::actor::ReportStats<$stats>,
                _: &mut <Self as $crate::actor::__private::actix::Actor>::Context,
            ) -> Self::Result {
                $crate::actor::__private::actix::MessageResult(self.$field.report())
            }
        }
    };
}
