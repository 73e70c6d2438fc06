//! Counting the bytes of a streamed response body as they are sent.

use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use pin_project_lite::pin_project;

use super::stats::HttpWorkerStats;
use crate::web::local::LocalStats;

/// Where a streamed body's bytes are added.
#[derive(Debug)]
pub(crate) struct BodyCounter {
    stats: Rc<LocalStats<HttpWorkerStats>>,
    server: usize,
    series: usize,
    /// Whether the body reached its end (or failed).
    ended: bool,
}

impl BodyCounter {
    pub(crate) fn new(
        stats: Rc<LocalStats<HttpWorkerStats>>,
        server: usize,
        series: usize,
    ) -> Self {
        Self {
            stats,
            server,
            series,
            ended: false,
        }
    }
}

impl Drop for BodyCounter {
    /// A streamed body dropped before its end: the client went away mid-response.
    fn drop(&mut self) {
        if !self.ended {
            self.stats
                .update(|stats| stats.response_aborted(self.server));
        }
    }
}

pin_project! {
    /// A response body that [`RequestMetrics`](super::RequestMetrics) watches: a body of
    /// known size passes through untouched (it was counted with the response head); a
    /// streamed one adds each chunk to `http_server_response_body_bytes_total` as it is
    /// sent.
    #[derive(Debug)]
    pub struct CountedBody<B> {
        #[pin]
        body: B,
        counter: Option<BodyCounter>,
    }
}

impl<B> CountedBody<B> {
    pub(crate) fn new(body: B, counter: Option<BodyCounter>) -> Self {
        Self { body, counter }
    }
}

impl<B: MessageBody> MessageBody for CountedBody<B> {
    type Error = B::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.project();
        let next = this.body.poll_next(cx);
        let Some(counter) = this.counter.as_mut() else {
            return next;
        };
        match &next {
            Poll::Ready(Some(Ok(chunk))) => {
                let bytes = chunk.len() as u64;
                counter.stats.update(|stats| {
                    stats.add_response_bytes(counter.server, counter.series, bytes);
                });
            }
            // A failed body ends the response short: counted as aborted, once.
            Poll::Ready(Some(Err(_))) => {}
            Poll::Ready(None) => counter.ended = true,
            Poll::Pending => {}
        }
        next
    }

    fn try_into_bytes(self) -> Result<Bytes, Self> {
        let Self { body, counter } = self;
        body.try_into_bytes().map_err(|body| Self { body, counter })
    }
}
