//! The `Service` half: what happens to every request.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{ready, Context, Poll};
use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::HttpMessage;
use pin_project_lite::pin_project;

use super::body::{BodyCounter, CountedBody};
use super::connections::OpenConnection;
use super::middleware::RequestMetricsService;
use super::route_cache::RouteCache;
use super::stats::HttpWorkerStats;
use super::stats::{method_index, protocol_index, status_index, Outcome, UNKNOWN, UNMATCHED};
use crate::stats::{Exemplar, SlotState, TraceId};
use crate::web::local::LocalStats;

impl<S, B> Service<ServiceRequest> for RequestMetricsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<CountedBody<B>>;
    type Error = actix_web::Error;
    type Future = RequestMetricsFuture<S::Future>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let started = Instant::now();
        let server = self.server_of(&request);
        let method = method_index(request.method());
        let protocol = protocol_index(request.version());
        let is_head = request.method() == Method::HEAD;
        let request_bytes = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok())
            .unwrap_or(0);
        let slot = count_on_connection(&request, self.track_slots);
        let exemplar = self.exemplars.then(|| {
            let exemplar = request_exemplar(&request);
            request.extensions_mut().insert(exemplar);
            exemplar
        });
        self.stats.update(|stats| {
            stats.request_started(server, protocol);
            if let Some((connection_server, slot)) = slot {
                stats.connection_state(connection_server, slot, SlotState::Active);
            }
        });
        RequestMetricsFuture {
            inner: self.service.call(request),
            request: Some(InFlight {
                stats: Rc::clone(&self.stats),
                routes: Rc::clone(&self.routes),
                server,
                method,
                protocol,
                is_head,
                request_bytes,
                started,
                slot,
                exemplar,
            }),
        }
    }
}

/// The request's exemplar: the trace its `traceparent` header names, or a new one; timed
/// now.
fn request_exemplar(request: &ServiceRequest) -> Exemplar {
    request
        .headers()
        .get("traceparent")
        .and_then(|value| value.to_str().ok())
        .and_then(Exemplar::from_traceparent)
        .unwrap_or_else(|| Exemplar::new(TraceId::random()))
        .now()
}

/// Counts the request on its connection (when `on_connect` counts connections), and
/// returns the connection's (server, slot) when slots are kept and it has one.
fn count_on_connection(request: &ServiceRequest, track_slots: bool) -> Option<(usize, usize)> {
    let connection = request.conn_data::<OpenConnection>()?;
    connection.requests.set(connection.requests.get() + 1);
    if !track_slots {
        return None;
    }
    Some((connection.server, connection.slot?))
}

impl<S> RequestMetricsService<S> {
    /// The server's place in the stats: known already, or found by the bound address.
    fn server_of(&self, request: &ServiceRequest) -> usize {
        if let Some(server) = self.server.get() {
            return server;
        }
        let address = request.app_config().local_addr();
        let server = self
            .stats
            .update(|stats| stats.server_on_port(address.port(), Some(address.to_string())));
        self.server.set(Some(server));
        server
    }
}

/// A request being handled. Keeps it in `http_server_requests_in_flight` until dropped,
/// so a request whose future is cancelled (client gone) leaves the gauge too.
struct InFlight {
    stats: Rc<LocalStats<HttpWorkerStats>>,
    routes: Rc<RouteCache>,
    server: usize,
    method: u8,
    protocol: u8,
    is_head: bool,
    request_bytes: u64,
    started: Instant,
    /// The connection's slot, active while the request is handled.
    slot: Option<(usize, usize)>,
    exemplar: Option<Exemplar>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.stats.update(|stats| {
            stats.request_ended(self.server, self.protocol);
            if let Some((server, slot)) = self.slot {
                stats.connection_state(server, slot, SlotState::Idle);
            }
        });
    }
}

impl InFlight {
    /// Records how the request ended and wraps the body to count what is streamed.
    fn finish<B: MessageBody>(
        self,
        result: Result<ServiceResponse<B>, actix_web::Error>,
    ) -> Result<ServiceResponse<CountedBody<B>>, actix_web::Error> {
        let seconds = self.started.elapsed().as_secs_f64();
        let (server, stats) = (self.server, Rc::clone(&self.stats));
        let mut outcome = Outcome {
            route: UNKNOWN,
            method: self.method,
            status: 0,
            protocol: self.protocol,
            error: true,
            seconds,
            request_bytes: self.request_bytes,
            response_bytes: 0,
            exemplar: self.exemplar,
        };
        let is_head = self.is_head;
        let routes = Rc::clone(&self.routes);
        drop(self);
        match result {
            Ok(response) => {
                let status = response.status();
                let streamed = match response.response().body().size() {
                    BodySize::Sized(bytes) if !is_head => {
                        outcome.response_bytes = bytes;
                        false
                    }
                    BodySize::Sized(_) | BodySize::None => false,
                    BodySize::Stream => true,
                };
                let route = routes.pattern(response.request());
                outcome.route = route.as_deref().unwrap_or(UNMATCHED);
                outcome.status = status_index(status);
                outcome.error = status.is_server_error();
                let series = stats.update(|s| s.record(server, &outcome));
                let counter = match (streamed, series) {
                    (true, Some(series)) => Some(BodyCounter::new(stats, server, series)),
                    _ => None,
                };
                Ok(response.map_body(|_, body| CountedBody::new(body, counter)))
            }
            Err(error) => {
                outcome.status = status_index(error.as_response_error().status_code());
                stats.update(|s| s.record(server, &outcome));
                Err(error)
            }
        }
    }
}

pin_project! {
    /// The future of a request passing through [`RequestMetrics`](super::RequestMetrics):
    /// the inner service's future, and what to record when it is done.
    pub struct RequestMetricsFuture<F> {
        #[pin]
        inner: F,
        request: Option<InFlight>,
    }
}

impl<F> std::fmt::Debug for RequestMetricsFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestMetricsFuture")
            .field("done", &self.request.is_none())
            .finish_non_exhaustive()
    }
}

impl<F, B> Future for RequestMetricsFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<CountedBody<B>>, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        match this.request.take() {
            Some(request) => Poll::Ready(request.finish(result)),
            // Polled again after it finished: pass the result through unrecorded.
            None => Poll::Ready(result.map(|r| r.map_body(|_, body| CountedBody::new(body, None)))),
        }
    }
}
