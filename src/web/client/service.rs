//! The `Service` half: what happens to every outgoing request.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use actix_http::header::HeaderMap;
use actix_http::RequestHeadType;
use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{Payload, RequestHead, Service};
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use awc::error::{ConnectError, SendRequestError};
use awc::http::Uri;
use awc::{ConnectRequest, ConnectResponse};
use futures::Stream;
use pin_project_lite::pin_project;

use super::stats::{EndpointId, ErrorKind, HttpClientStats, NO_ROUTE};
use super::ROUTE_HEADER;
use crate::web::local::LocalStats;
use crate::web::red::method_index;

/// awc's response body stream.
type PayloadStream = Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;

/// The service [`ClientMetrics`](super::ClientMetrics) wraps around a client's connector
/// on the thread that built the client.
pub struct ClientMetricsService<S> {
    pub(super) service: S,
    pub(super) stats: Rc<LocalStats<HttpClientStats>>,
    /// awc's request timeout, to tell a timed-out request from a cancelled one.
    pub(super) timeout: Option<Duration>,
}

impl<S> std::fmt::Debug for ClientMetricsService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientMetricsService")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<S> Service<ConnectRequest> for ClientMetricsService<S>
where
    S: Service<ConnectRequest, Response = ConnectResponse, Error = SendRequestError>,
{
    type Response = ConnectResponse;
    type Error = SendRequestError;
    type Future = ClientMetricsFuture<S::Future>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, mut request: ConnectRequest) -> Self::Future {
        let ConnectRequest::Client(head, body, _) = &mut request else {
            // A WebSocket tunnel: not a request/response exchange, passed through.
            return ClientMetricsFuture {
                inner: self.service.call(request),
                pending: None,
            };
        };
        let started = Instant::now();
        let route = take_route(head);
        let head: &RequestHead = head.as_ref();
        let sent_bytes = match body.size() {
            BodySize::Sized(bytes) => bytes,
            BodySize::None | BodySize::Stream => 0,
        };
        let method = method_index(&head.method);
        let endpoint = self.stats.update(|stats| {
            with_target(&head.uri, |target| {
                stats.started(target, route.as_deref().unwrap_or(NO_ROUTE), method)
            })
        });
        ClientMetricsFuture {
            inner: self.service.call(request),
            pending: Some(Pending {
                stats: Rc::clone(&self.stats),
                endpoint,
                started,
                sent_bytes,
                timeout: self.timeout,
                done: false,
            }),
        }
    }
}

/// The caller's route template (the [`ROUTE_HEADER`] header), taken out of the request
/// where awc lets us: an owned head, or the extra headers of a frozen request. A frozen
/// request's own headers are shared and read only, so the header is sent on there.
fn take_route(head: &mut RequestHeadType) -> Option<String> {
    let value = |headers: &HeaderMap| {
        headers
            .get(ROUTE_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let strip = |headers: &mut HeaderMap| {
        let found = value(headers)?;
        headers.remove(ROUTE_HEADER);
        Some(found)
    };
    match head {
        RequestHeadType::Owned(head) => strip(&mut head.headers),
        RequestHeadType::Rc(head, extra) => extra
            .as_mut()
            .and_then(strip)
            .or_else(|| value(&head.headers)),
    }
}

/// Runs `f` with the request's target: `host` or `host:port` as the URL gives them,
/// never its path, query or credentials.
fn with_target<T>(uri: &Uri, f: impl FnOnce(&str) -> T) -> T {
    match uri.authority() {
        Some(authority) if !authority.as_str().contains('@') => f(authority.as_str()),
        Some(authority) => match authority.port() {
            Some(port) => f(&format!("{}:{port}", authority.host())),
            None => f(authority.host()),
        },
        None => f("(none)"),
    }
}

/// The `kind` of a failed request.
fn error_kind(error: &SendRequestError) -> ErrorKind {
    match error {
        SendRequestError::Url(_) => ErrorKind::Connect,
        SendRequestError::Connect(ConnectError::Timeout) | SendRequestError::Timeout => {
            ErrorKind::Timeout
        }
        SendRequestError::Connect(ConnectError::SslIsNotSupported) => ErrorKind::Tls,
        SendRequestError::Connect(ConnectError::H2(_))
        | SendRequestError::Response(_)
        | SendRequestError::Http(_)
        | SendRequestError::H2(_) => ErrorKind::Protocol,
        SendRequestError::Connect(_) => ErrorKind::Connect,
        SendRequestError::Send(_) => ErrorKind::Send,
        SendRequestError::Body(_) => ErrorKind::Body,
        _ => ErrorKind::Other,
    }
}

/// An outgoing request waiting for its response head. Leaves the in-flight gauge when
/// dropped; dropped unanswered, it failed: at awc's timeout (timed out) or earlier
/// (cancelled by the caller).
struct Pending {
    stats: Rc<LocalStats<HttpClientStats>>,
    endpoint: EndpointId,
    started: Instant,
    sent_bytes: u64,
    timeout: Option<Duration>,
    done: bool,
}

impl Drop for Pending {
    fn drop(&mut self) {
        let unanswered = (!self.done).then(|| {
            let waited = self.started.elapsed();
            match self.timeout {
                // The timer fired at the deadline; allow for its granularity (1 ms).
                Some(timeout) if waited + Duration::from_millis(2) >= timeout => ErrorKind::Timeout,
                _ => ErrorKind::Cancelled,
            }
        });
        self.stats.update(|stats| {
            stats.ended();
            if let Some(kind) = unanswered {
                stats.failed(self.endpoint, kind, self.sent_bytes);
            }
        });
    }
}

impl Pending {
    /// Records the result, and wraps a response's body to count what is read.
    fn finish(
        mut self,
        result: Result<ConnectResponse, SendRequestError>,
    ) -> Result<ConnectResponse, SendRequestError> {
        self.done = true;
        let seconds = self.started.elapsed().as_secs_f64();
        let (stats, endpoint, started) = (Rc::clone(&self.stats), self.endpoint, self.started);
        match result {
            Ok(ConnectResponse::Client(response)) => {
                let status = response.status();
                stats.update(|s| s.responded(endpoint, status, seconds, self.sent_bytes));
                drop(self);
                let response = response.map_body(|_, payload| {
                    let counted: PayloadStream = Box::pin(CountedPayload {
                        payload,
                        stats,
                        endpoint,
                        started,
                        done: false,
                    });
                    Payload::Stream { payload: counted }
                });
                Ok(ConnectResponse::Client(response))
            }
            Ok(tunnel @ ConnectResponse::Tunnel(..)) => Ok(tunnel),
            Err(error) => {
                let kind = error_kind(&error);
                stats.update(|s| s.failed(endpoint, kind, self.sent_bytes));
                Err(error)
            }
        }
    }
}

pin_project! {
    /// The future of an outgoing request passing through
    /// [`ClientMetrics`](super::ClientMetrics): the connector's future, and what to
    /// record when it is done.
    pub struct ClientMetricsFuture<F> {
        #[pin]
        inner: F,
        pending: Option<Pending>,
    }
}

impl<F> std::fmt::Debug for ClientMetricsFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientMetricsFuture")
            .field("done", &self.pending.is_none())
            .finish_non_exhaustive()
    }
}

impl<F> Future for ClientMetricsFuture<F>
where
    F: Future<Output = Result<ConnectResponse, SendRequestError>>,
{
    type Output = Result<ConnectResponse, SendRequestError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        match this.pending.take() {
            Some(pending) => Poll::Ready(pending.finish(result)),
            None => Poll::Ready(result),
        }
    }
}

/// A response body that counts the bytes the caller reads, and its end.
struct CountedPayload {
    payload: Payload<PayloadStream>,
    stats: Rc<LocalStats<HttpClientStats>>,
    endpoint: EndpointId,
    started: Instant,
    done: bool,
}

impl Stream for CountedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let next = ready!(Pin::new(&mut this.payload).poll_next(cx));
        if this.done {
            return Poll::Ready(next);
        }
        let endpoint = this.endpoint;
        match &next {
            Some(Ok(chunk)) => {
                let bytes = chunk.len() as u64;
                this.stats.update(|s| s.received(endpoint, bytes));
            }
            Some(Err(error)) => {
                this.done = true;
                let kind = match error {
                    PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                        ErrorKind::Timeout
                    }
                    _ => ErrorKind::Body,
                };
                this.stats.update(|s| s.body_failed(endpoint, kind));
            }
            None => {
                this.done = true;
                let seconds = this.started.elapsed().as_secs_f64();
                this.stats.update(|s| s.body_ended(endpoint, seconds));
            }
        }
        Poll::Ready(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> String {
        let uri: Uri = url.parse().expect("a valid URL");
        with_target(&uri, str::to_owned)
    }

    #[test]
    fn the_target_is_host_and_port_never_path_query_or_credentials() {
        assert_eq!(target("http://example.com/users/7?token=x"), "example.com");
        assert_eq!(target("http://127.0.0.1:8080/"), "127.0.0.1:8080");
        assert_eq!(
            target("http://user:secret@example.com:81/a"),
            "example.com:81"
        );
        assert_eq!(target("https://user@example.com/a"), "example.com");
        assert_eq!(target("/relative"), "(none)");
    }
}
