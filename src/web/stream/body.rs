//! One subscriber's response body: `retry:`, then its events, with a heartbeat comment
//! whenever it has been quiet; it ends when the broadcaster drops the subscriber.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::web::Bytes;
use futures::Stream;
use tokio::sync::mpsc;
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::event::{comment, retry};
use super::Broadcaster;

/// The stream a subscriber's response body reads; leaving (dropping it) unsubscribes.
#[derive(Debug)]
pub(crate) struct EventStream {
    broadcaster: Arc<Broadcaster>,
    id: u64,
    prelude: Option<Bytes>,
    receiver: mpsc::Receiver<Bytes>,
    heartbeat: Interval,
}

impl EventStream {
    pub(super) fn new(
        broadcaster: Arc<Broadcaster>,
        id: u64,
        receiver: mpsc::Receiver<Bytes>,
    ) -> Self {
        let settings = broadcaster.settings();
        let prelude = retry(u64::try_from(settings.retry.as_millis()).unwrap_or(u64::MAX));
        let mut heartbeat =
            tokio::time::interval_at(Instant::now() + settings.heartbeat, settings.heartbeat);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            broadcaster,
            id,
            prelude: Some(prelude),
            receiver,
            heartbeat,
        }
    }
}

impl Stream for EventStream {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(prelude) = self.prelude.take() {
            self.broadcaster.counts.add_bytes(prelude.len());
            return Poll::Ready(Some(Ok(prelude)));
        }
        match self.receiver.poll_recv(cx) {
            Poll::Ready(Some(event)) => {
                // An event is as good as a heartbeat.
                self.heartbeat.reset();
                return Poll::Ready(Some(Ok(event)));
            }
            // Dropped (too slow) or shut down: end the response.
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => {}
        }
        match self.heartbeat.poll_tick(cx) {
            Poll::Ready(_) => {
                let beat = comment("keep-alive");
                self.broadcaster.counts.add_bytes(beat.len());
                Poll::Ready(Some(Ok(beat)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.broadcaster.unsubscribe(self.id);
    }
}
