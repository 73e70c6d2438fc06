//! The broadcaster's own families: subscribers, events, bytes, drops and refusals.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use super::Broadcaster;
use crate::model::Unit;
use crate::registry::{CollectError, Collector, ScrapeContext};
use crate::stats::{Counter, Gauge};
use crate::write::{Metric, Writer};

const SUBSCRIBERS: Metric<'static, Gauge> = Metric::gauge(
    "actorscope_sse_subscribers",
    "Dashboard streams (/debug/stream) open now.",
);
const EVENTS: Metric<'static, Counter> = Metric::counter(
    "actorscope_sse_events_total",
    "Events sent to stream subscribers.",
);
const BYTES: Metric<'static, Counter> = Metric::counter(
    "actorscope_sse_bytes_total",
    "Bytes sent to stream subscribers, heartbeats included.",
)
.unit(Unit::Bytes);
const DROPPED: Metric<'static, Counter> = Metric::counter(
    "actorscope_sse_dropped_total",
    "Subscribers dropped for leaving an event unread too long (RouteOptions::stream_drop_after).",
);
const REFUSED: Metric<'static, Counter> = Metric::counter(
    "actorscope_sse_refused_total",
    "Subscriptions refused (subscriber limit, or shut down).",
);

/// Cold-path counters (atomics: every server worker's streams share them).
#[derive(Debug, Default)]
pub(super) struct StreamCounts {
    events: AtomicU64,
    bytes: AtomicU64,
    dropped: AtomicU64,
    refused: AtomicU64,
}

impl StreamCounts {
    pub(super) fn sent(&self, bytes: usize) {
        self.events.fetch_add(1, Ordering::Relaxed);
        self.add_bytes(bytes);
    }

    pub(super) fn add_bytes(&self, bytes: usize) {
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    pub(super) fn dropped(&self) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }

    #[cfg(test)]
    pub(super) fn dropped_count(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    pub(super) fn refused(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }
}

/// Reports its broadcaster while the routes that own it live.
struct SseCollector {
    broadcaster: Weak<Broadcaster>,
}

pub(crate) fn collector(broadcaster: &Arc<Broadcaster>) -> impl Collector {
    SseCollector {
        broadcaster: Arc::downgrade(broadcaster),
    }
}

impl Collector for SseCollector {
    async fn collect(&self, _cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
        let Some(broadcaster) = self.broadcaster.upgrade() else {
            return Ok(());
        };
        let counts = &broadcaster.counts;
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        out.family(SUBSCRIBERS)
            .add((), broadcaster.subscriber_count())?;
        out.family(EVENTS).add((), load(&counts.events))?;
        out.family(BYTES).add((), load(&counts.bytes))?;
        out.family(DROPPED).add((), load(&counts.dropped))?;
        out.family(REFUSED).add((), load(&counts.refused))?;
        Ok(())
    }
}
