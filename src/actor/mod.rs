//! Actix glue: each worker actor owns its stats; a scrape asks every worker by message.
//!
//! ```text
//!  worker actor (its own thread)                  WorkerCollector (scrape, any thread)
//!  stats: Tracked<S>  ◀── ReportStats<S> ───────── asks every attached worker, each under
//!  (hot path: plain &mut updates)  ─── reply: S ─▶ the deadline; writes `worker="i"` series,
//!  dropped (stop/panic) ─▶ final S folded into     `actorscope_worker_up`, and the totals
//!                          the retired totals      of stopped workers as `worker="retired"`
//! ```
//!
//! Metrics for an actor: declare its stats once with [`worker_stats!`](crate::worker_stats),
//! hold them as a [`Tracked`] field made by [`WorkerCollector::tracked`], call
//! [`Tracked::attach`] from `Actor::started`, and add one
//! [`report_stats!`](crate::report_stats) line for the scrape handler. How the actor is
//! started is up to you: `Actor::start`, `start_in_arbiter`, `Actor::create`,
//! `Supervisor::start`, `Context::new().run(..)`, or a `SyncArbiter` pool.
//!
//! # Restarts, and when per-worker series reset
//! - **`Supervisor`** restarts an actor that *stopped*: it keeps the actor value and
//!   calls `started` again, so the `Tracked` field, its `worker` label and its counts
//!   carry on. (actix's `Supervisor` does not catch panics: a panicking actor is dropped
//!   like any other, below.)
//! - **A dropped actor** (stopped, or unwound by a panic) is reported once as
//!   `actorscope_worker_up 0` with `kind="stopped"` or `"panicked"`, and what it had
//!   counted is added to the `worker="retired"` series of the same family, so a sum over
//!   all workers never goes backwards. Its label is then free: the next worker to attach
//!   takes the smallest free number and starts from zero, which Prometheus' `rate()`
//!   treats as a counter reset. Gauges of stopped workers are dropped.
//! - **A `SyncArbiter` worker** that stops is replaced by the arbiter's factory, which
//!   makes new tracked stats: the same as a dropped actor and its replacement.
//!
//! # `SyncArbiter` pools
//! The workers of a pool share one mailbox, so a scrape message reaches whichever is
//! free. Each sync worker's `Tracked` therefore hands its copy over directly: the scrape
//! raises a flag per worker and sends a wake-up naming each worker into the mailbox; a
//! worker checks its flag when it takes any wake-up and whenever its stats are updated
//! through the `Tracked` (one relaxed atomic load per update: the hot-path cost, and
//! only for sync workers). A free worker that takes a wake-up meant for a busy one puts
//! it back and pauses 200 µs, so the wake-up circles through the free workers until the
//! busy one hands over (at its next stats update, or when it takes the wake-up) or the
//! deadline passes; then it is reported as a timeout, as a busy actor with its own
//! mailbox would be.

mod collector;
mod context;
mod handover;
pub mod insight;
mod left_out;
mod report;
mod tracked;
mod worker_set;

pub use collector::WorkerCollector;
pub use context::WorkerContext;
pub use insight::{ActorCollector, ActorInsight, InsightAddr};
pub use report::{Report, ReportStats, WorkerStats};
pub use tracked::Tracked;

/// Re-exports for the macros; not a public API.
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
///     fn handle(&mut self, request: ReportStats<ShardStats>, _: &mut Self::Context) -> Self::Result {
///         actix::MessageResult(self.stats.report(request))
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
                request: $crate::actor::ReportStats<$stats>,
                _: &mut <Self as $crate::actor::__private::actix::Actor>::Context,
            ) -> Self::Result {
                $crate::actor::__private::actix::MessageResult(self.$field.report(request))
            }
        }
    };
}

/// Declares a worker's stats once: a struct of plain stats, and per field the family it
/// is written to. Generates the struct, `Clone` (derived), `Default` and
/// [`WorkerStats`] (whose `check` writes a default value, so a bad name is refused when
/// the collector is registered).
///
/// Each field is a [`Stat`](crate::write::Stat) (a `Counter`, `Gauge`, `Histogram`, or an
/// array of them), another `WorkerStats`, or a `Pool`; its doc comment is the family's
/// help, and the family's kind follows from its type, so it cannot be declared wrong.
/// `= expr` sets the field's initial value (default: `Default::default()`, which for a
/// `Histogram` is Prometheus' default buckets). The `#[metric(..)]` forms:
///
/// | form | writes |
/// | --- | --- |
/// | `#[metric("kv_keys")]` | one series of family `kv_keys` |
/// | `#[metric("kv_read_bytes_total", unit = Bytes)]` | with a [`Unit`](crate::model::Unit) (`Seconds`, `Bytes`, `Ratio`, ..., `Other("x")`) |
/// | `#[metric("kv_operations_total", by = "op", values = ["get", "put"])]` | an array field, one series per value of label `op`; the array's length must match |
/// | `#[metric(nested)]` | a field that is itself `WorkerStats`, written in place |
/// | `#[metric(pool = "buffers", owner = "kv")]` | a `Pool`, as the `actorscope_pool_*` families |
///
/// ```
/// use actorscope::model::MetricSnapshot;
/// use actorscope::prelude::*;
///
/// actorscope::worker_stats! {
///     /// What one shard counts.
///     #[derive(Debug)]
///     pub struct ShardStats {
///         /// Key-value operations handled, by kind.
///         #[metric("kv_operations_total", by = "op", values = ["get", "put"])]
///         pub ops: [Counter; 2],
///         /// Value bytes stored by PUTs.
///         #[metric("kv_written_bytes_total", unit = Bytes)]
///         pub written: Counter,
///         /// Keys stored in the shard.
///         #[metric("kv_keys")]
///         pub keys: Gauge,
///         /// Time the shard spent on one operation.
///         #[metric("kv_operation_duration_seconds", unit = Seconds)]
///         pub latency: Histogram = Histogram::new(Buckets::exponential(1e-6, 4.0, 10).unwrap_or_default()),
///     }
/// }
///
/// let mut stats = ShardStats::default();
/// stats.ops[1].inc(); // a PUT
/// stats.written.add(5);
/// stats.keys.inc();
///
/// let mut snapshot = MetricSnapshot::new();
/// stats.write(&mut Writer::new(&mut snapshot))?;
/// let puts = snapshot.get("kv_operations_total").and_then(|f| f.value([("op", "put")]));
/// assert_eq!(puts.and_then(|v| v.as_f64()), Some(1.0));
/// assert_eq!(snapshot.get("kv_keys").map(|f| f.help()), Some("Keys stored in the shard."));
/// # Ok::<(), actorscope::model::ModelError>(())
/// ```
///
/// A field whose type is not a stat does not compile, nor does a group whose values do
/// not match its length:
///
/// ```compile_fail
/// actorscope::worker_stats! {
///     pub struct Bad {
///         /// Lookups by result.
///         #[metric("lookups_total", by = "result", values = ["hit", "miss", "error"])]
///         lookups: [actorscope::stats::Counter; 2],
///     }
/// }
/// # fn main() { let _ = <Bad as actorscope::actor::WorkerStats>::check; }
/// ```
#[macro_export]
macro_rules! worker_stats {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                #[metric($($spec:tt)*)]
                $(#[doc = $more_doc:literal])*
                $field_vis:vis $field:ident : $ty:ty $(= $init:expr)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone)]
        $vis struct $name {
            $(
                $(#[doc = $doc])*
                $(#[doc = $more_doc])*
                $field_vis $field: $ty,
            )*
        }

        impl ::core::default::Default for $name {
            fn default() -> Self {
                Self {
                    $( $field: $crate::__worker_stats_init!($($init)?), )*
                }
            }
        }

        impl $crate::actor::WorkerStats for $name {
            fn write(
                &self,
                out: &mut $crate::write::Writer<'_>,
            ) -> ::core::result::Result<(), $crate::model::ModelError> {
                $(
                    $crate::__worker_stats_write!(
                        out,
                        &self.$field,
                        $ty,
                        ::core::concat!($($doc,)* $($more_doc,)* ""),
                        $($spec)*
                    );
                )*
                ::core::result::Result::Ok(())
            }

            fn check(
                out: &mut $crate::write::Writer<'_>,
            ) -> ::core::result::Result<(), $crate::model::ModelError> {
                <Self as ::core::default::Default>::default().write(out)
            }
        }
    };
}

/// A field's initial value in [`worker_stats!`]; not a public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __worker_stats_init {
    () => {
        ::core::default::Default::default()
    };
    ($init:expr) => {
        $init
    };
}

/// How one field of [`worker_stats!`] is written; not a public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __worker_stats_write {
    ($out:ident, $stat:expr, $ty:ty, $help:expr, nested) => {
        $crate::actor::WorkerStats::write($stat, $out)?
    };
    ($out:ident, $stat:expr, $ty:ty, $help:expr, pool = $pool:expr, owner = $owner:expr) => {
        $out.pool($pool, $owner, $stat)?
    };
    (
        $out:ident, $stat:expr, $ty:ty, $help:expr,
        $name:literal $(, unit = $unit:ident $(($other:literal))?)?,
        by = $label:literal, values = [$($value:literal),+ $(,)?]
    ) => {{
        const VALUES: &[&str] = &[$($value),+];
        const {
            ::core::assert!(
                VALUES.len() == <$ty as $crate::write::Stat>::LEN,
                "worker_stats!: a labelled group needs one label value per stat of its array"
            )
        };
        let metric = $crate::write::Metric::<<$ty as $crate::write::Stat>::Kind>::new($name, $help)
            $(.unit($crate::model::Unit::$unit $(($other))?))?;
        let mut family = $out.family(metric).declare()?;
        for (value, stat) in VALUES.iter().zip($crate::write::Stat::each($stat)) {
            family.add([($label, *value)], stat)?;
        }
    }};
    (
        $out:ident, $stat:expr, $ty:ty, $help:expr,
        $name:literal $(, unit = $unit:ident $(($other:literal))?)? $(,)?
    ) => {{
        let metric = $crate::write::Metric::<<$ty as $crate::write::Stat>::Kind>::new($name, $help)
            $(.unit($crate::model::Unit::$unit $(($other))?))?;
        $out.family(metric).add((), $stat)?;
    }};
}
