//! The envelope an instrumented message travels in, and the handler that times it.

use std::panic::{catch_unwind, AssertUnwindSafe};

use actix::dev::{MessageResponse, OneshotSender};
use actix::{Actor, ActorContext, Handler, Message};

use super::actor_type::ActorType;
use super::clock;
use super::field::Instrumented;

/// A message `M` and when it was sent: what an [`InsightAddr`](super::InsightAddr)
/// puts in the mailbox. Its handler (written by
/// [`instrument_messages!`](crate::instrument_messages)) answers as `M`'s does.
#[derive(Debug)]
pub struct Timed<M> {
    message: M,
    sent: u64,
}

impl<M> Timed<M> {
    /// `message`, stamped now. Only instrumented senders make one, so that every
    /// envelope is counted as sent.
    pub(crate) fn stamped(message: M) -> Self {
        Self {
            message,
            sent: clock::now(),
        }
    }

    /// The message back (a send that failed returns it).
    pub(crate) fn into_message(self) -> M {
        self.message
    }
}

impl<M: Message> Message for Timed<M>
where
    M::Result: 'static,
{
    type Result = M::Result;
}

/// The response of an instrumented handler: `M`'s own response, passed on as it is. If
/// the handler panicked there is none, and the sender gets `MailboxError::Closed`.
pub struct TimedResponse<A: Handler<M>, M: Message> {
    inner: Option<<A as Handler<M>>::Result>,
    kind: &'static ActorType,
    id: u64,
}

impl<A: Handler<M>, M: Message> std::fmt::Debug for TimedResponse<A, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimedResponse")
            .field("panicked", &self.inner.is_none())
            .finish_non_exhaustive()
    }
}

impl<A, M> MessageResponse<A, Timed<M>> for TimedResponse<A, M>
where
    A: Actor + Handler<M>,
    M: Message,
    M::Result: 'static,
{
    fn handle(self, ctx: &mut A::Context, tx: Option<OneshotSender<M::Result>>) {
        // A reply nobody waits for (a timed-out or dropped request, or a panic's missing
        // answer): its sender counted the message as abandoned, yet it was taken.
        if self.inner.is_none() || tx.as_ref().is_some_and(OneshotSender::is_closed) {
            self.kind.taken_anyway(self.id);
        }
        if let Some(inner) = self.inner {
            inner.handle(ctx, tx);
        }
    }
}

/// The body of every instrumented handler: times `M`'s own handler and counts it as
/// message type `index` of the actor. A panic in the handler is counted, stops the actor
/// (so a `Supervisor` restarts it), and leaves its sender with `MailboxError::Closed`.
/// Not a public API: [`instrument_messages!`](crate::instrument_messages) calls it.
#[doc(hidden)]
#[inline]
pub fn handle_timed<A, M>(
    actor: &mut A,
    timed: Timed<M>,
    ctx: &mut A::Context,
    index: usize,
) -> TimedResponse<A, M>
where
    A: Instrumented + Handler<M>,
    A::Context: ActorContext,
    M: Message,
{
    let start = clock::now();
    let Timed { message, sent } = timed;
    actor.insight().take();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        <A as Handler<M>>::handle(actor, message, ctx)
    }));
    let end = clock::now();
    let insight = actor.insight();
    insight.record(index, sent, start, end, outcome.is_err());
    let (kind, id) = (insight.kind, insight.id);
    let inner = match outcome {
        Ok(response) => Some(response),
        Err(_) => {
            ctx.stop();
            None
        }
    };
    TimedResponse { inner, kind, id }
}
