//! The broadcaster's loop: one scrape per tick, one encoding per kind of event, and a
//! `try_send` to each subscriber, which never waits for a slow one.

use std::sync::Arc;

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
        if !send(&broadcaster, snapshot) {
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

/// Sends this tick's event to every subscriber; returns whether to keep running.
fn send(broadcaster: &Broadcaster, snapshot: Arc<MetricSnapshot>) -> bool {
    let mut state = lock(&broadcaster.state);
    if state.closed || state.subscribers.is_empty() {
        state.running = false;
        state.last = None;
        return false;
    }
    state.tick += 1;
    let tick = state.tick;
    let mut full = None;
    let mut delta = None;
    let previous = state.last.clone();
    let counts = &broadcaster.counts;
    state.subscribers.retain_mut(|subscriber| {
        let bytes = match (&previous, subscriber.fresh) {
            (Some(previous), false) => delta
                .get_or_insert_with(|| {
                    let change = diff(previous, &snapshot);
                    let mut json = Vec::new();
                    encode_delta(&change.changed, &change.removed, &mut json);
                    event(tick, "delta", &String::from_utf8_lossy(&json))
                })
                .clone(),
            _ => full
                .get_or_insert_with(|| snapshot_event(tick, &snapshot))
                .clone(),
        };
        let length = bytes.len();
        match subscriber.sender.try_send(bytes) {
            Ok(()) => {
                counts.sent(length);
                subscriber.fresh = false;
                true
            }
            Err(TrySendError::Full(_)) => {
                counts.dropped();
                false
            }
            Err(TrySendError::Closed(_)) => false,
        }
    });
    state.last = Some(snapshot);
    true
}
