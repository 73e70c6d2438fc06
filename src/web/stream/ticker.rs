//! The broadcaster's loop: one scrape per tick, one encoding per kind of event, and a
//! `try_send` to each subscriber, which never waits for a slow one.

use std::sync::Arc;
use std::time::Instant;

use actix_web::web::Bytes;
use tokio::sync::mpsc::error::TrySendError;
use tokio::time::MissedTickBehavior;

use super::delta::diff;
use super::event::event;
use super::{lock, Broadcaster};
use crate::encode::{encode_delta, Format};
use crate::model::MetricSnapshot;
use crate::web::scrape::now_ms;

/// A `snapshot` event with id `tick`.
pub(super) fn snapshot_event(tick: u64, snapshot: &MetricSnapshot) -> Bytes {
    let json = Format::Json.encode(snapshot);
    event(tick, "snapshot", &String::from_utf8_lossy(&json))
}

/// Runs until the last subscriber has left (or the broadcaster is shut down).
pub(super) async fn run(broadcaster: Arc<Broadcaster>) {
    let settings = broadcaster.settings.clone();
    let mut ticks = tokio::time::interval(settings.interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        ticks.tick().await;
        if stop_if_idle(&broadcaster) {
            return;
        }
        let snapshot = broadcaster
            .registry
            .scrape_shared(settings.scrape_timeout)
            .await;
        broadcaster.history.record(&snapshot, now_ms());
        if !send(&broadcaster, snapshot, Instant::now()) {
            return;
        }
    }
}

/// Marks the loop stopped when nobody listens; returns whether it should stop.
fn stop_if_idle(broadcaster: &Broadcaster) -> bool {
    let mut state = lock(&broadcaster.state);
    if state.closed || state.subscribers.is_empty() {
        state.running = false;
        state.last = None;
        return true;
    }
    false
}

/// Sends this tick's event to every subscriber and drops the ones too far behind;
/// returns whether to keep running.
fn send(broadcaster: &Broadcaster, snapshot: Arc<MetricSnapshot>, now: Instant) -> bool {
    let mut state = lock(&broadcaster.state);
    if state.closed || state.subscribers.is_empty() {
        state.running = false;
        state.last = None;
        return false;
    }
    state.tick += 1;
    let tick = state.tick;
    let drop_after = broadcaster.settings.drop_after;
    let mut events = Events::new(tick, &snapshot);
    let counts = &broadcaster.counts;
    let mut dropped = 0_usize;
    state.subscribers.retain_mut(|subscriber| {
        if subscriber.waited(now) > drop_after {
            counts.dropped();
            dropped += 1;
            return false;
        }
        let bytes = events.for_baseline(subscriber.baseline.as_ref());
        let length = bytes.len();
        match subscriber.offer(bytes, now) {
            Ok(()) => {
                counts.sent(length);
                subscriber.baseline = Some(Arc::clone(&snapshot));
                true
            }
            // Its queue is full: it skips this tick, keeps its baseline, and goes once
            // its oldest event has waited too long.
            Err(TrySendError::Full(_)) => true,
            Err(TrySendError::Closed(_)) => false,
        }
    });
    if dropped > 0 {
        log::warn!(
            "actorscope: dropped {dropped} live-stream subscriber(s) that left an event unread for over {drop_after:?}"
        );
    }
    state.last = Some(snapshot);
    true
}

/// This tick's events, each encoded once: the snapshot, and one delta per baseline
/// (subscribers that got the same ticks share one).
struct Events<'a> {
    tick: u64,
    snapshot: &'a MetricSnapshot,
    full: Option<Bytes>,
    deltas: Vec<(*const MetricSnapshot, Bytes)>,
}

impl<'a> Events<'a> {
    fn new(tick: u64, snapshot: &'a MetricSnapshot) -> Self {
        Self {
            tick,
            snapshot,
            full: None,
            deltas: Vec::new(),
        }
    }

    /// The event for a subscriber last sent `baseline` (`None`: never sent a snapshot).
    fn for_baseline(&mut self, baseline: Option<&Arc<MetricSnapshot>>) -> Bytes {
        let Some(baseline) = baseline else {
            let (tick, snapshot) = (self.tick, self.snapshot);
            return self
                .full
                .get_or_insert_with(|| snapshot_event(tick, snapshot))
                .clone();
        };
        let key = Arc::as_ptr(baseline);
        if let Some((_, bytes)) = self.deltas.iter().find(|(k, _)| *k == key) {
            return bytes.clone();
        }
        let change = diff(baseline, self.snapshot);
        let mut json = Vec::new();
        encode_delta(&change.changed, &change.removed, &mut json);
        let bytes = event(self.tick, "delta", &String::from_utf8_lossy(&json));
        self.deltas.push((key, bytes.clone()));
        bytes
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::mpsc;

    use super::*;
    use crate::model::MetricKind;
    use crate::registry::MetricsRegistry;
    use crate::web::history::History;
    use crate::web::stream::{StreamSettings, Subscriber};

    const DROP_AFTER: Duration = Duration::from_secs(1);

    fn broadcaster(backlog: usize) -> Arc<Broadcaster> {
        let settings = StreamSettings {
            interval: Duration::from_millis(100),
            max_subscribers: 8,
            backlog,
            drop_after: DROP_AFTER,
            heartbeat: Duration::from_secs(15),
            retry: Duration::from_secs(1),
            scrape_timeout: Duration::from_secs(1),
        };
        Broadcaster::new(
            &MetricsRegistry::new(),
            settings,
            Arc::new(History::new(10)),
        )
    }

    /// A snapshot of two counters, `a_total` and `b_total`.
    fn snapshot(a: f64, b: f64) -> Arc<MetricSnapshot> {
        let mut snapshot = MetricSnapshot::new();
        for (name, value) in [("a_total", a), ("b_total", b)] {
            snapshot
                .family(name, "A counter.", MetricKind::Counter)
                .and_then(|family| family.add((), value))
                .expect("valid");
        }
        Arc::new(snapshot)
    }

    /// Adds a subscriber the way `subscribe` does (without starting the ticker).
    fn join(broadcaster: &Broadcaster, backlog: usize) -> mpsc::Receiver<Bytes> {
        let (sender, receiver) = mpsc::channel(backlog);
        let mut state = lock(&broadcaster.state);
        let id = state.next_subscriber;
        state.next_subscriber += 1;
        let (subscriber, _) = Subscriber::joining(id, sender, &state);
        state.subscribers.push(subscriber);
        receiver
    }

    /// The event's name and the families (name, value) its JSON document holds.
    fn read(receiver: &mut mpsc::Receiver<Bytes>) -> (String, Vec<(String, f64)>) {
        let bytes = receiver.try_recv().expect("an event");
        let text = std::str::from_utf8(&bytes).expect("UTF-8");
        let name = text
            .lines()
            .find_map(|l| l.strip_prefix("event: "))
            .expect("event:");
        let data: String = text
            .lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .collect();
        let document: serde_json::Value = serde_json::from_str(&data).expect("JSON");
        let families = document["families"]
            .as_array()
            .expect("families")
            .iter()
            .map(|family| {
                let value = family["samples"][0]["value"].as_f64().expect("value");
                (family["name"].as_str().expect("name").to_owned(), value)
            })
            .collect();
        (name.to_owned(), families)
    }

    fn family(name: &str, value: f64) -> (String, f64) {
        (name.to_owned(), value)
    }

    #[test]
    fn each_subscriber_gets_the_deltas_of_its_own_timeline() {
        let broadcaster = broadcaster(1);
        let t0 = Instant::now();
        let mut early = join(&broadcaster, 1);
        assert!(send(&broadcaster, snapshot(1.0, 1.0), t0));
        assert_eq!(
            read(&mut early),
            (
                "snapshot".into(),
                vec![family("a_total", 1.0), family("b_total", 1.0)]
            )
        );

        // `late` joins between ticks: its snapshot is the last tick's.
        let mut late = join(&broadcaster, 1);
        assert_eq!(read(&mut late).0, "snapshot");

        // `a` changes; `late` reads, `early` does not (its queue of one stays full).
        assert!(send(&broadcaster, snapshot(2.0, 1.0), t0));
        assert_eq!(
            read(&mut late),
            ("delta".into(), vec![family("a_total", 2.0)])
        );

        // `b` changes: `early`'s queue is full, so it skips this tick.
        assert!(send(&broadcaster, snapshot(2.0, 3.0), t0));
        assert_eq!(
            read(&mut late),
            ("delta".into(), vec![family("b_total", 3.0)])
        );
        assert_eq!(
            read(&mut early),
            ("delta".into(), vec![family("a_total", 2.0)])
        );

        // Its next delta is taken from what it was last sent, so it has `b`'s change
        // of the tick it skipped; `late`'s has nothing new.
        assert!(send(&broadcaster, snapshot(2.0, 3.0), t0));
        assert_eq!(
            read(&mut early),
            ("delta".into(), vec![family("b_total", 3.0)])
        );
        assert_eq!(read(&mut late), ("delta".into(), vec![]));
    }

    #[test]
    fn a_subscriber_is_dropped_once_an_event_waits_unread_past_the_drop_time() {
        let backlog = 10;
        let broadcaster = broadcaster(backlog);
        let mut reader = join(&broadcaster, backlog);
        let mut stuck = join(&broadcaster, backlog);
        let t0 = Instant::now();
        let tick = Duration::from_millis(100);
        // Ten ticks in the first second: `stuck` reads nothing, its queue is not
        // full yet, and its oldest event has waited 0.9 s: it stays.
        for n in 0..10 {
            assert!(send(
                &broadcaster,
                snapshot(f64::from(n), 0.0),
                t0 + tick * n
            ));
            read(&mut reader);
        }
        assert_eq!(broadcaster.subscriber_count(), 2);
        assert_eq!(broadcaster.counts.dropped_count(), 0);

        // At 1.1 s its oldest event has waited longer than a second: dropped, and its
        // stream ends after what was queued; `reader` is untouched.
        assert!(send(&broadcaster, snapshot(10.0, 0.0), t0 + tick * 11));
        assert_eq!(broadcaster.subscriber_count(), 1);
        assert_eq!(broadcaster.counts.dropped_count(), 1);
        assert_eq!(read(&mut reader).0, "delta");
        for _ in 0..backlog {
            read(&mut stuck);
        }
        assert_eq!(
            stuck.try_recv(),
            Err(mpsc::error::TryRecvError::Disconnected)
        );
    }

    #[test]
    fn a_subscriber_that_reads_late_but_within_the_drop_time_stays() {
        let broadcaster = broadcaster(10);
        let mut slow = join(&broadcaster, 10);
        let t0 = Instant::now();
        // It reads each event 0.9 s after it was queued, ten ticks behind.
        for n in 0..100 {
            assert!(send(
                &broadcaster,
                snapshot(f64::from(n), 0.0),
                t0 + Duration::from_millis(100) * n
            ));
            if n >= 9 {
                read(&mut slow);
            }
        }
        assert_eq!(broadcaster.subscriber_count(), 1);
        assert_eq!(broadcaster.counts.dropped_count(), 0);
    }
}
