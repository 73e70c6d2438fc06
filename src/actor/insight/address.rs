//! [`InsightAddr`]: an actor's address that stamps and counts what it sends.

use std::sync::atomic::Ordering;
use std::time::Duration;

use actix::dev::SendError;
use actix::dev::ToEnvelope;
use actix::{Actor, Addr, ArbiterHandle, Context, Handler, MailboxError, Message};

use super::actor_type::{MailboxCounters, SendFailure};
use super::envelope::Timed;
use super::field::{InsightSender, Instrumented};
use super::ReportInsight;

/// An instrumented actor's address: sends like [`Addr`], but each message travels in a
/// [`Timed`] envelope stamped at the send, so the actor can count its time in the
/// mailbox; and it counts what it hands to the mailbox, and the sends that fail.
///
/// Messages sent through the plain [`Addr`] (see [`Self::addr`]) reach the actor's
/// uninstrumented handler and are not counted. Cloning is cheap.
pub struct InsightAddr<A: Actor> {
    addr: Addr<A>,
    sender: InsightSender,
}

impl<A: Actor> Clone for InsightAddr<A> {
    fn clone(&self) -> Self {
        Self {
            addr: self.addr.clone(),
            sender: self.sender.clone(),
        }
    }
}

impl<A: Actor> std::fmt::Debug for InsightAddr<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InsightAddr")
            .field("actor", &self.sender.kind.name)
            .finish_non_exhaustive()
    }
}

/// Counts a message as abandoned unless its request settles with a reply.
struct Pending<'a> {
    mailbox: &'a MailboxCounters,
    answered: bool,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if !self.answered {
            self.mailbox.abandoned.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl<A: Instrumented> InsightAddr<A> {
    /// The instrumented address of `addr`, for the actor whose counts made `sender`.
    /// Also makes the actor reachable by scrapes.
    pub fn bind(addr: Addr<A>, sender: InsightSender) -> Self
    where
        A::Context: ToEnvelope<A, ReportInsight>,
    {
        sender
            .kind
            .attach(sender.id, addr.downgrade().recipient::<ReportInsight>());
        Self { addr, sender }
    }

    /// Starts `actor` on the current arbiter (as `Actor::start`).
    pub fn start(mut actor: A) -> Self
    where
        A: Actor<Context = Context<A>>,
    {
        let sender = actor.insight().sender();
        Self::bind(actor.start(), sender)
    }

    /// Starts the actor `make` builds around `insight`, on `arbiter` (as
    /// `Actor::start_in_arbiter`).
    pub fn start_in_arbiter<F>(
        arbiter: &ArbiterHandle,
        insight: super::ActorInsight<A>,
        make: F,
    ) -> Self
    where
        A: Actor<Context = Context<A>>,
        F: FnOnce(super::ActorInsight<A>) -> A + Send + 'static,
    {
        let sender = insight.sender();
        Self::bind(A::start_in_arbiter(arbiter, move |_| make(insight)), sender)
    }

    /// Starts `actor` under an `actix::Supervisor` on the current arbiter, which restarts
    /// it when it stops (an instrumented handler that panics stops it).
    pub fn supervise(mut actor: A) -> Self
    where
        A: Actor<Context = Context<A>> + actix::Supervised,
    {
        let sender = actor.insight().sender();
        Self::bind(actix::Supervisor::start(move |_| actor), sender)
    }

    /// The plain address, whose messages are not instrumented.
    #[must_use]
    pub fn addr(&self) -> &Addr<A> {
        &self.addr
    }

    /// Whether the actor is still running.
    #[must_use]
    pub fn connected(&self) -> bool {
        self.addr.connected()
    }

    fn mailbox(&self) -> &MailboxCounters {
        &self.sender.mailbox
    }

    fn count_sent(&self) -> Pending<'_> {
        self.mailbox().sent.fetch_add(1, Ordering::Relaxed);
        Pending {
            mailbox: self.mailbox(),
            answered: false,
        }
    }

    fn count_failure(&self, error: &MailboxError) {
        self.sender.kind.send_failed(match error {
            MailboxError::Closed => SendFailure::Closed,
            MailboxError::Timeout => SendFailure::Timeout,
        });
    }

    /// Sends `message` and waits for the answer, as `Addr::send` (a full mailbox makes
    /// it wait). A closed mailbox is counted as a failed send.
    ///
    /// # Errors
    /// As `Addr::send`: `MailboxError::Closed` when the actor stopped (or its handler
    /// panicked).
    pub async fn send<M>(&self, message: M) -> Result<M::Result, MailboxError>
    where
        M: Message + Send + 'static,
        M::Result: Send,
        A: Handler<Timed<M>>,
        A::Context: ToEnvelope<A, Timed<M>>,
    {
        self.request(message, None).await
    }

    /// As [`Self::send`], giving up after `timeout` (counted as a failed send).
    ///
    /// # Errors
    /// `MailboxError::Timeout` when no answer came in time; else as [`Self::send`].
    pub async fn send_timeout<M>(
        &self,
        message: M,
        timeout: Duration,
    ) -> Result<M::Result, MailboxError>
    where
        M: Message + Send + 'static,
        M::Result: Send,
        A: Handler<Timed<M>>,
        A::Context: ToEnvelope<A, Timed<M>>,
    {
        self.request(message, Some(timeout)).await
    }

    async fn request<M>(
        &self,
        message: M,
        timeout: Option<Duration>,
    ) -> Result<M::Result, MailboxError>
    where
        M: Message + Send + 'static,
        M::Result: Send,
        A: Handler<Timed<M>>,
        A::Context: ToEnvelope<A, Timed<M>>,
    {
        let mut pending = self.count_sent();
        let mut request = self.addr.send(Timed::stamped(message));
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        let answer = request.await;
        match &answer {
            Ok(_) => pending.answered = true,
            Err(error) => self.count_failure(error),
        }
        answer
    }

    /// Sends `message` without waiting for an answer, as `Addr::do_send` (ignoring the
    /// mailbox's capacity). Sending to a stopped actor is counted as a failed send.
    pub fn do_send<M>(&self, message: M)
    where
        M: Message + Send + 'static,
        M::Result: Send,
        A: Handler<Timed<M>>,
        A::Context: ToEnvelope<A, Timed<M>>,
    {
        if !self.addr.connected() {
            self.sender.kind.send_failed(SendFailure::Closed);
            return;
        }
        let mut pending = self.count_sent();
        pending.answered = true;
        self.addr.do_send(Timed::stamped(message));
    }

    /// Sends `message` if the mailbox has room, as `Addr::try_send`; a full or closed
    /// mailbox is counted as a failed send.
    ///
    /// # Errors
    /// `SendError::Full` or `SendError::Closed`, with the message.
    pub fn try_send<M>(&self, message: M) -> Result<(), SendError<M>>
    where
        M: Message + Send + 'static,
        M::Result: Send,
        A: Handler<Timed<M>>,
        A::Context: ToEnvelope<A, Timed<M>>,
    {
        let mut pending = self.count_sent();
        match self.addr.try_send(Timed::stamped(message)) {
            Ok(()) => {
                pending.answered = true;
                Ok(())
            }
            Err(SendError::Full(timed)) => {
                self.sender.kind.send_failed(SendFailure::Full);
                Err(SendError::Full(timed.into_message()))
            }
            Err(SendError::Closed(timed)) => {
                self.sender.kind.send_failed(SendFailure::Closed);
                Err(SendError::Closed(timed.into_message()))
            }
        }
    }
}
