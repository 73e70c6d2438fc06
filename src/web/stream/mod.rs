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
//! - Backpressure: each subscriber has room for 10 events. One that falls that far
//!   behind is dropped (its stream ends, the browser reconnects) and counted in
//!   `actorscope_sse_dropped_total`; nobody else waits for it.
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

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::web::Bytes;
use tokio::sync::mpsc;

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
    /// Has had no snapshot yet: gets one instead of the next delta.
    fresh: bool,
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
        let mut fresh = true;
        if let Some(last) = &state.last {
            let event = ticker::snapshot_event(state.tick, last);
            self.counts.sent(event.len());
            // The channel is new and empty: this cannot be full.
            fresh = sender.try_send(event).is_err();
        }
        state.subscribers.push(Subscriber { id, sender, fresh });
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
