//! [`ActorInsight`]: the field an instrumented actor keeps its counts in.

use std::marker::PhantomData;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use actix::dev::ToEnvelope;
use actix::{Actor, AsyncContext, Handler};

use super::actor_type::{ActorType, MailboxCounters};
use super::stats::{InsightCopy, BOUNDS_SECONDS, BOUNDS_TICKS};
use super::{ActorCollector, InsightAddr, ReportInsight};

/// An actor whose messages are instrumented: written by
/// [`instrument_messages!`](crate::instrument_messages), which also says which of its
/// messages are.
pub trait Instrumented: Actor + Handler<ReportInsight> {
    /// The field the counts live in.
    fn insight(&mut self) -> &mut ActorInsight<Self>;

    /// The `message` label of each instrumented message type, in declaration order.
    fn message_names() -> Vec<String>;
}

/// An instrumented actor's own counts (a field of the actor; see the
/// [module docs](super) for the three lines that turn it on).
///
/// Everything in it is plain and updated only on the actor's thread, by the handlers
/// [`instrument_messages!`](crate::instrument_messages) writes. The one exception is the
/// count of messages taken from the mailbox, which the actor *stores* (a plain `mov` on
/// x86-64 and aarch64, no read-modify-write) where a scrape can read it while the actor
/// is blocked, to report its mailbox depth.
///
/// Dropping it (the actor stopped or was dropped) folds its counts into its type's totals,
/// so the series never go backwards.
pub struct ActorInsight<A> {
    pub(crate) counts: InsightCopy,
    pub(crate) bounds: &'static [u64; BOUNDS_SECONDS.len()],
    pub(crate) slow_ticks: u64,
    pub(crate) taken: u64,
    pub(crate) mailbox: Arc<MailboxCounters>,
    pub(crate) kind: &'static ActorType,
    pub(crate) id: u64,
    /// A handler panicked and stopped the actor: the next start is a restart.
    pub(crate) stopped_by_panic: bool,
    started: bool,
    actor: PhantomData<fn() -> A>,
}

impl<A: Instrumented> ActorInsight<A> {
    /// Counts for a new actor of type `A`, reported by the process-wide
    /// [`ActorCollector::global`].
    #[must_use]
    pub fn new() -> Self {
        ActorCollector::global().insight()
    }

    pub(crate) fn with_type(kind: &'static ActorType) -> Self {
        let (id, mailbox) = kind.join();
        Self {
            counts: InsightCopy::new(kind.messages.len()),
            bounds: &BOUNDS_TICKS,
            slow_ticks: kind.slow_ticks,
            taken: 0,
            mailbox,
            kind,
            id,
            stopped_by_panic: false,
            started: false,
            actor: PhantomData,
        }
    }

    /// What the senders of this actor need: pass it to [`InsightAddr::bind`] with the
    /// actor's address, however the actor was started.
    #[must_use]
    pub fn sender(&self) -> InsightSender {
        InsightSender {
            mailbox: Arc::clone(&self.mailbox),
            kind: self.kind,
            id: self.id,
        }
    }

    /// Call from `Actor::started`: counts a `Supervisor` restart (every call after the
    /// first), and makes the actor reachable by scrapes even when it was started without
    /// an [`InsightAddr`]. Optional: without it, restarts after a panic are still counted.
    pub fn started(&mut self, ctx: &mut A::Context)
    where
        A::Context: AsyncContext<A> + ToEnvelope<A, ReportInsight>,
    {
        if self.started {
            self.counts.restarts += 1;
            self.stopped_by_panic = false;
        } else {
            self.started = true;
            self.kind
                .attach(self.id, ctx.address().downgrade().recipient());
        }
    }

    /// A copy of the counts, for the scrape handler.
    #[must_use]
    pub fn copy(&self) -> InsightCopy {
        self.counts.clone()
    }

    /// Counts the start of a handling: the message left the mailbox.
    #[inline]
    pub(crate) fn take(&mut self) {
        self.taken += 1;
        self.mailbox.taken.store(self.taken, Ordering::Relaxed);
        if self.stopped_by_panic {
            // Handling again after a panic stopped it: a `Supervisor` restarted it.
            self.stopped_by_panic = false;
            self.counts.restarts += 1;
        }
    }

    /// Counts one handling of message type `index`: sent, started and ended in ticks.
    #[inline]
    pub(crate) fn record(&mut self, index: usize, sent: u64, start: u64, end: u64, panicked: bool) {
        let Some(stats) = self.counts.messages.get_mut(index) else {
            return;
        };
        let handling = end.saturating_sub(start);
        stats.handled += 1;
        stats.handling.observe(handling, self.bounds);
        stats
            .waiting
            .observe(start.saturating_sub(sent), self.bounds);
        if handling > self.slow_ticks {
            stats.slow += 1;
        }
        if panicked {
            stats.panics += 1;
            self.stopped_by_panic = true;
        }
    }
}

impl<A: Instrumented> Default for ActorInsight<A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A> Drop for ActorInsight<A> {
    fn drop(&mut self) {
        self.kind.retire(self.id, &self.counts);
    }
}

impl<A> std::fmt::Debug for ActorInsight<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActorInsight")
            .field("actor", &self.kind.name)
            .field("taken", &self.taken)
            .finish_non_exhaustive()
    }
}

/// What an [`InsightAddr`] adds to an address: the actor's mailbox counters. Made by
/// [`ActorInsight::sender`].
#[derive(Debug, Clone)]
pub struct InsightSender {
    pub(crate) mailbox: Arc<MailboxCounters>,
    pub(crate) kind: &'static ActorType,
    pub(crate) id: u64,
}

impl InsightSender {
    /// The instrumented address of `addr`, the actor whose counts made this sender.
    pub fn bind<A>(self, addr: actix::Addr<A>) -> InsightAddr<A>
    where
        A: Instrumented,
        A::Context: ToEnvelope<A, ReportInsight>,
    {
        InsightAddr::bind(addr, self)
    }
}
