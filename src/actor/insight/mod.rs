//! Actor insight: per actor type and message type, how many messages were handled, how
//! long handling and the wait in the mailbox took, the mailbox's depth, failed sends,
//! panics, restarts, and busy time, for any actix actor, opt in.
//!
//! # Three lines
//! ```
//! use actix::{Actor, Context, Handler, Message};
//! use actorscope::actor::insight::{ActorCollector, ActorInsight, InsightAddr};
//! use actorscope::MetricsRegistry;
//!
//! #[derive(Message)]
//! #[rtype(result = "u64")]
//! struct Get(u64);
//!
//! struct Shard {
//!     insight: ActorInsight<Self>, // 1. a field for the counts
//! }
//! impl Actor for Shard {
//!     type Context = Context<Self>;
//! }
//! impl Handler<Get> for Shard {
//!     type Result = u64;
//!     fn handle(&mut self, Get(key): Get, _: &mut Context<Self>) -> u64 {
//!         key * 2
//!     }
//! }
//! actorscope::instrument_messages!(Shard, insight: [Get]); // 2. which messages
//!
//! actix::System::new().block_on(async {
//!     let actors = ActorCollector::new(); // (`ActorInsight::new()` uses the global one)
//!     let registry = MetricsRegistry::new();
//!     registry.register("actors", actors.clone()).unwrap();
//!
//!     let shard = InsightAddr::start(Shard { insight: actors.insight() }); // 3. start
//!     assert_eq!(shard.send(Get(21)).await.unwrap(), 42);
//!
//!     let snapshot = registry.scrape().await;
//!     let handled = snapshot
//!         .get("actorscope_actor_messages_handled_total")
//!         .and_then(|f| f.value([("actor", "Shard"), ("message", "Get")]));
//!     assert_eq!(handled.and_then(|v| v.as_f64()), Some(1.0));
//! });
//! ```
//!
//! # How it works
//! - [`InsightAddr`] wraps the actor's `Addr`: each message goes into the mailbox in a
//!   [`Timed`] envelope stamped at the send (one clock read on the sender's thread), and
//!   the address counts what it hands over and which sends fail (`full`, `closed`,
//!   `timeout`: the dead-letter analogue), with relaxed atomics on the sending side.
//! - [`instrument_messages!`](crate::instrument_messages) writes, per message type, the
//!   handler of its envelope: it reads the clock before and after the actor's own
//!   handler (two reads on the actor's thread), and counts into the actor's
//!   [`ActorInsight`] field: plain integers only the actor touches. The one shared write
//!   is a relaxed *store* of how many messages it has taken, so a blocked actor's depth
//!   can still be read. Handling time is the synchronous part of the handler, until it
//!   returns its response; the later part of an async response is not included.
//! - Messages sent through the plain `Addr` reach the plain handler and are not counted.
//! - A handler that panics is counted, stops its actor (so a `Supervisor` restarts it,
//!   as in Akka) and its sender gets `MailboxError::Closed`.
//! - At a scrape, [`ActorCollector`] asks every instance for a copy of its counts
//!   (a scrape message answered on the actor's own thread) and sums them per type.
//!
//! # Families
//! | family | labels |
//! | --- | --- |
//! | `actorscope_actor_messages_handled_total` | `actor`, `message` |
//! | `actorscope_actor_message_handling_seconds` (histogram, 1 µs to 10 s) | `actor`, `message` |
//! | `actorscope_actor_mailbox_wait_seconds` (histogram) | `actor`, `message` |
//! | `actorscope_actor_slow_handlings_total` (over 50 µs unless set) | `actor`, `message` |
//! | `actorscope_actor_handler_panics_total` | `actor`, `message` |
//! | `actorscope_actor_busy_seconds_total` | `actor` |
//! | `actorscope_actor_mailbox_depth` | `actor` |
//! | `actorscope_actor_restarts_total` | `actor` |
//! | `actorscope_actor_started_total`, `_stopped_total`, `actorscope_actor_active` | `actor` |
//! | `actorscope_actor_unresponsive` | `actor` |
//! | `actorscope_actor_send_failures_total` | `actor`, `reason` |
//!
//! A type made [`ActorCollector::per_instance`] also has `instance` on the first eight.
//!
//! # What is exact, and what is not
//! - Counts are exact. Durations are measured for every message (nothing is sampled),
//!   with the CPU's time-stamp counter where it is invariant.
//! - Mailbox depth is sent − taken − abandoned, per instance, read at the scrape. A
//!   request abandoned during the *async* part of a response is counted as abandoned but
//!   was also taken, so the depth reads one low from then on (it never reads below 0).
//!   actix keeps the mailbox's own count private; reading it would need an upstream
//!   accessor on `Addr`.
//! - Actors with a mailbox of their own (`Context`). A `SyncArbiter` pool shares one
//!   mailbox among its workers, so neither the depth per address nor the scrape message
//!   can reach a given worker: not supported yet (use a `WorkerCollector` there).
//! - Restarts are counted when an actor handles again after a panic stopped it, and on
//!   every call of [`ActorInsight::started`] after the first (call it from
//!   `Actor::started` to count restarts of every cause).

mod actor_type;
mod address;
mod clock;
mod collector;
mod envelope;
mod families;
mod field;
mod stats;

pub use address::InsightAddr;
pub use collector::{
    short_type_name, ActorCollector, DEFAULT_INSTANCE_CAP, DEFAULT_SLOW_THRESHOLD,
};
#[doc(hidden)]
pub use envelope::handle_timed;
pub use envelope::{Timed, TimedResponse};
pub use field::{ActorInsight, InsightSender, Instrumented};
pub use stats::InsightCopy;

/// The scrape message of an instrumented actor: asks it for a copy of its counts. Its
/// handler is written by [`instrument_messages!`](crate::instrument_messages).
#[derive(Debug, Clone, Copy)]
pub struct ReportInsight;

impl actix::Message for ReportInsight {
    type Result = InsightCopy;
}

/// Instruments messages of an actor whose [`ActorInsight`] is in field `$field`:
/// `instrument_messages!(Shard, insight: [Get, Put])`. Each message is labelled by its
/// type name without module paths, or by a name given with `as`:
/// `[Get as "get", Put]`.
///
/// For each message `M` it writes the handler of [`Timed<M>`](Timed), which times and
/// counts `M`'s own handler (so `M` must have one); and the handler of [`ReportInsight`].
/// Send through an [`InsightAddr`] to reach them.
#[macro_export]
macro_rules! instrument_messages {
    ($actor:ty, $field:ident : [$($message:ty $(as $name:literal)?),+ $(,)?]) => {
        impl $crate::actor::insight::Instrumented for $actor {
            #[inline]
            fn insight(&mut self) -> &mut $crate::actor::insight::ActorInsight<Self> {
                &mut self.$field
            }

            fn message_names() -> ::std::vec::Vec<::std::string::String> {
                ::std::vec![$($crate::__message_name!($message $(, $name)?)),+]
            }
        }

        impl $crate::actor::__private::actix::Handler<$crate::actor::insight::ReportInsight>
            for $actor
        {
            type Result = $crate::actor::__private::actix::MessageResult<
                $crate::actor::insight::ReportInsight,
            >;

            fn handle(
                &mut self,
                _: $crate::actor::insight::ReportInsight,
                _: &mut <Self as $crate::actor::__private::actix::Actor>::Context,
            ) -> Self::Result {
                $crate::actor::__private::actix::MessageResult(self.$field.copy())
            }
        }

        $crate::__instrument_each!($actor; 0usize; $($message),+);
    };
}

/// The `message` label of one message type; not a public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __message_name {
    ($message:ty) => {
        $crate::actor::insight::short_type_name(::std::any::type_name::<$message>())
    };
    ($message:ty, $name:literal) => {
        ::std::string::String::from($name)
    };
}

/// The envelope handler of each message type, numbered in order; not a public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __instrument_each {
    ($actor:ty; $index:expr; $message:ty $(, $rest:ty)*) => {
        impl $crate::actor::__private::actix::Handler<$crate::actor::insight::Timed<$message>>
            for $actor
        {
            type Result = $crate::actor::insight::TimedResponse<$actor, $message>;

            #[inline]
            fn handle(
                &mut self,
                timed: $crate::actor::insight::Timed<$message>,
                ctx: &mut <Self as $crate::actor::__private::actix::Actor>::Context,
            ) -> Self::Result {
                $crate::actor::insight::handle_timed(self, timed, ctx, $index)
            }
        }

        $crate::__instrument_each!($actor; $index + 1usize; $($rest),*);
    };
    ($actor:ty; $index:expr;) => {};
}
