//! The actix contexts a worker can be tracked from: [`WorkerContext`].

use actix::dev::ToEnvelope;
use actix::{Actor, Addr, AsyncContext, Context, Handler, SyncContext};

use super::{ReportStats, WorkerStats};

/// An actor's context that [`Tracked::attach`](super::Tracked::attach) accepts: a
/// [`Context`] (every way of starting an actor: `Actor::start`, `start_in_arbiter`,
/// `create`, `Supervisor`, `Context::new().run(..)`) or a [`SyncContext`] (a
/// `SyncArbiter` worker). Sealed.
pub trait WorkerContext: sealed::Sealed {
    /// The actor the context runs.
    type Actor: Actor;

    /// Whether the actor shares its mailbox with others (a `SyncArbiter` pool).
    const SHARED_MAILBOX: bool;

    /// The actor's address.
    fn worker_address(&self) -> Addr<Self::Actor>;
}

mod sealed {
    pub trait Sealed {}
}

impl<A: Actor<Context = Context<A>>> sealed::Sealed for Context<A> {}
impl<A: Actor<Context = SyncContext<A>>> sealed::Sealed for SyncContext<A> {}

impl<A: Actor<Context = Context<A>>> WorkerContext for Context<A> {
    type Actor = A;
    const SHARED_MAILBOX: bool = false;

    fn worker_address(&self) -> Addr<A> {
        self.address()
    }
}

impl<A: Actor<Context = SyncContext<A>>> WorkerContext for SyncContext<A> {
    type Actor = A;
    const SHARED_MAILBOX: bool = true;

    fn worker_address(&self) -> Addr<A> {
        self.address()
    }
}

/// What the scrape side needs of a worker actor answering `ReportStats<S>`.
pub(crate) fn recipient_of<C, S>(ctx: &C) -> actix::Recipient<ReportStats<S>>
where
    S: WorkerStats,
    C: WorkerContext,
    C::Actor: Handler<ReportStats<S>>,
    <C::Actor as Actor>::Context: ToEnvelope<C::Actor, ReportStats<S>>,
{
    ctx.worker_address().recipient()
}
