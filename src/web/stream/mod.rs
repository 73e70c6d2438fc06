//! `GET /debug/stream`: one Server-Sent-Events broadcaster per [`Routes`](crate::Routes)
//! value (shared by its clones, so by every server that mounts them).
//!
//! - It runs only while somebody listens: the first subscriber starts it and it stops
//!   after the last leaves, so nothing is sampled while nobody watches.
//! - One scrape per tick (default every second) however many subscribers, shared with
//!   concurrent `/metrics` scrapes ([`MetricsRegistry::scrape_shared`]).
//! - A subscriber first gets a `snapshot` event (the full JSON document, as
//!   `/debug/metrics`), then one `delta` event per tick with only what changed since its
//!   previous event ([`crate::encode::Json`] describes both). Every event has an `id:`
//!   (the tick number); a reconnecting browser sends `Last-Event-ID` and, like any new
//!   subscriber, starts again from a full snapshot. The stream starts with `retry:`, and
//!   a comment every 15 s keeps idle connections (and proxies) alive.
//! - Each subscriber has a timeline of its own: a delta is taken from the last snapshot
//!   *it* was sent, so one that skipped a tick (its queue was full) still gets every
//!   change, and subscribers that joined at different ticks never share a baseline by
//!   mistake (subscribers on the same baseline share one encoding).
//! - Backpressure, bounded in time: a subscriber whose oldest queued event has waited
//!   unread for longer than the drop time (default 1 s; checked at each tick, so at the
//!   default tick it goes within 1 to 2 s) is dropped: its stream ends, the browser
//!   reconnects, the drop is counted in `actorscope_sse_dropped_total` and logged at
//!   WARN (one line per tick however many go). Its queue holds 10 events at most
//!   meanwhile; nobody else waits for it.
//! - Past the subscriber limit (default 256) the answer is still `200` with `retry:` and
//!   an immediate end, because an `EventSource` that gets any other status gives up for
//!   good; it tries again later.
//! - [`Routes::shutdown`](crate::Routes::shutdown) ends every stream, for a prompt
//!   graceful shutdown (an open stream would otherwise hold it for the whole shutdown
//!   timeout).

mod body;
mod counts;
mod delta;
mod event;
mod ticker;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

pub(crate) use body::EventStream;
pub(crate) use counts::collector as counts_collector;
use counts::StreamCounts;
pub(crate) use event::retry;

use super::history::History;
use crate::model::MetricSnapshot;
use crate::registry::MetricsRegistry;

/// How a broadcaster behaves; part of [`RouteOptions`](super::RouteOptions).
#[derive(Debug, Clone)]
pub(crate) struct StreamSettings {
    pub(crate) interval: Duration,
    pub(crate) max_subscribers: usize,
    pub(crate) backlog: usize,
    pub(crate) drop_after: Duration,
    pub(crate) heartbeat: Duration,
    pub(crate) retry: Duration,
    pub(crate) scrape_timeout: Duration,
}

/// The broadcaster of one `Routes` (shared by every server that mounts them).
#[derive(Debug)]
pub(crate) struct Broadcaster {
    registry: MetricsRegistry,
    settings: StreamSettings,
    history: Arc<History>,
    state: Mutex<State>,
    counts: StreamCounts,
}

#[derive(Debug, Default)]
struct State {
    subscribers: Vec<Subscriber>,
    next_subscriber: u64,
    /// The id of the last event sent (the tick number); never reused.
    tick: u64,
    /// The snapshot of the last tick, which deltas are taken from.
    last: Option<Arc<MetricSnapshot>>,
    running: bool,
    closed: bool,
}

#[derive(Debug)]
struct Subscriber {
    id: u64,
    sender: mpsc::Sender<Bytes>,
    /// The last snapshot this subscriber was sent (its next delta is taken from it);
    /// `None` until it has had one, so it gets a full snapshot instead of a delta.
    baseline: Option<Arc<MetricSnapshot>>,
    /// When each event still in its queue was queued, oldest first.
    queued_at: VecDeque<Instant>,
}

impl Subscriber {
    /// A new subscriber, sent the snapshot of the last tick at once when one has run;
    /// returns it and the bytes sent.
    fn joining(id: u64, sender: mpsc::Sender<Bytes>, state: &State) -> (Self, usize) {
        let mut subscriber = Self {
            id,
            sender,
            baseline: None,
            queued_at: VecDeque::new(),
        };
        let Some(last) = state.last.clone() else {
            return (subscriber, 0);
        };
        let event = ticker::snapshot_event(state.tick, &last);
        let length = event.len();
        // The channel is new and empty: this cannot be full.
        if subscriber.offer(event, Instant::now()).is_err() {
            return (subscriber, 0);
        }
        subscriber.baseline = Some(last);
        (subscriber, length)
    }

    /// How long its oldest unread event has waited at `now` (zero when it has read all).
    fn waited(&mut self, now: Instant) -> Duration {
        let unread = self.sender.max_capacity() - self.sender.capacity();
        while self.queued_at.len() > unread {
            self.queued_at.pop_front();
        }
        self.queued_at
            .front()
            .map_or(Duration::ZERO, |at| now.saturating_duration_since(*at))
    }

    /// Queues `event`; returns whether there was room.
    fn offer(&mut self, event: Bytes, now: Instant) -> Result<(), TrySendError<Bytes>> {
        self.sender.try_send(event)?;
        self.queued_at.push_back(now);
        Ok(())
    }
}

/// Why a subscription was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// At the subscriber limit.
    Full(usize),
    /// Shut down.
    Closed,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Broadcaster {
    /// A broadcaster that scrapes `registry` while somebody listens.
    pub(crate) fn new(
        registry: &MetricsRegistry,
        settings: StreamSettings,
        history: Arc<History>,
    ) -> Arc<Self> {
        Arc::new(Self {
            registry: registry.clone(),
            settings,
            history,
            state: Mutex::new(State::default()),
            counts: StreamCounts::default(),
        })
    }

    pub(crate) fn history(&self) -> &Arc<History> {
        &self.history
    }

    pub(crate) fn settings(&self) -> &StreamSettings {
        &self.settings
    }

    /// A new subscription: its stream starts with `retry:`, then a snapshot (at once if
    /// a tick has run, else at the next tick), then deltas.
    pub(crate) fn subscribe(self: &Arc<Self>) -> Result<EventStream, Refused> {
        let (sender, receiver) = mpsc::channel(self.settings.backlog.max(1));
        let mut state = lock(&self.state);
        if state.closed {
            self.counts.refused();
            return Err(Refused::Closed);
        }
        if state.subscribers.len() >= self.settings.max_subscribers {
            self.counts.refused();
            return Err(Refused::Full(self.settings.max_subscribers));
        }
        let id = state.next_subscriber;
        state.next_subscriber += 1;
        let (subscriber, sent) = Subscriber::joining(id, sender, &state);
        if sent > 0 {
            self.counts.sent(sent);
        }
        state.subscribers.push(subscriber);
        if !state.running {
            state.running = true;
            actix_web::rt::spawn(ticker::run(Arc::clone(self)));
        }
        drop(state);
        Ok(EventStream::new(Arc::clone(self), id, receiver))
    }

    /// Forgets a subscriber whose stream ended (its client left).
    pub(crate) fn unsubscribe(&self, id: u64) {
        lock(&self.state).subscribers.retain(|s| s.id != id);
    }

    /// Subscribers now.
    pub(crate) fn subscriber_count(&self) -> usize {
        lock(&self.state).subscribers.len()
    }

    /// Ends every stream and refuses new ones.
    pub(crate) fn shut_down(&self) {
        let mut state = lock(&self.state);
        state.closed = true;
        state.subscribers.clear();
        state.last = None;
    }
}
