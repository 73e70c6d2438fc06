//! The broadcaster's own families: subscribers, events, bytes, drops and refusals.

use std::sync::atomic::{AtomicU64, Ordering};

use futures::future::{self, BoxFuture, FutureExt};

use super::Broadcaster;
use crate::model::{MetricKind, MetricSnapshot};
use crate::registry::{CollectError, Collector, ScrapeContext};

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

    pub(super) fn refused(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }
}

/// Reports the broadcaster of the registry it is registered with, whichever one that is
/// at scrape time (routes may be mounted, dropped and mounted again).
struct SseCollector {
    registry: u64,
}

pub(super) fn collector(broadcaster: &Broadcaster) -> impl Collector {
    SseCollector {
        registry: broadcaster.registry.id(),
    }
}

impl Collector for SseCollector {
    fn collect<'a>(
        &'a self,
        _cx: &'a ScrapeContext,
        out: &'a mut MetricSnapshot,
    ) -> BoxFuture<'a, Result<(), CollectError>> {
        future::lazy(move |_| {
            let Some(broadcaster) = Broadcaster::by_registry(self.registry) else {
                return Ok(());
            };
            let counts = &broadcaster.counts;
            let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
            out.family(
                "actorscope_sse_subscribers",
                "Dashboard streams (/debug/stream) open now.",
                MetricKind::Gauge,
            )?
            .add((), broadcaster.subscriber_count())?;
            let rows = [
                (
                    "actorscope_sse_events_total",
                    "Events sent to stream subscribers.",
                    None,
                    load(&counts.events),
                ),
                (
                    "actorscope_sse_bytes_total",
                    "Bytes sent to stream subscribers, heartbeats included.",
                    Some("bytes"),
                    load(&counts.bytes),
                ),
                (
                    "actorscope_sse_dropped_total",
                    "Subscribers dropped for falling too far behind.",
                    None,
                    load(&counts.dropped),
                ),
                (
                    "actorscope_sse_refused_total",
                    "Subscriptions refused (subscriber limit, or shut down).",
                    None,
                    load(&counts.refused),
                ),
            ];
            for (name, help, unit, value) in rows {
                let family = match unit {
                    Some(unit) => out.family_with_unit(name, help, MetricKind::Counter, unit)?,
                    None => out.family(name, help, MetricKind::Counter)?,
                };
                family.add((), value)?;
            }
            Ok(())
        })
        .boxed()
    }
}
