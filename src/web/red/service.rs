//! The `Service` half: what happens to every request.

use std::rc::Rc;
use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use futures::future::LocalBoxFuture;

use super::body::{BodyCounter, CountedBody};
use super::local::LocalStats;
use super::middleware::RequestMetricsService;
use super::stats::{method_index, status_index, Outcome, UNKNOWN, UNMATCHED};

/// Keeps a request in `http_server_requests_in_flight` until dropped, so a request whose
/// future is cancelled (client gone) leaves the gauge too.
struct InFlight {
    stats: Rc<LocalStats>,
    server: usize,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.stats.update(|stats| stats.request_ended(self.server));
    }
}

impl<S, B> Service<ServiceRequest> for RequestMetricsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody,
{
    type Response = ServiceResponse<CountedBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let started = Instant::now();
        let server = self.server_of(&request);
        let method = method_index(request.method());
        let is_head = request.method() == Method::HEAD;
        let request_bytes = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok())
            .unwrap_or(0);
        self.stats.update(|stats| stats.request_started(server));
        let in_flight = InFlight {
            stats: Rc::clone(&self.stats),
            server,
        };
        let response = self.service.call(request);
        Box::pin(async move {
            let result = response.await;
            let seconds = started.elapsed().as_secs_f64();
            let stats = Rc::clone(&in_flight.stats);
            drop(in_flight);
            match result {
                Ok(response) => {
                    let status = response.status();
                    let size = response.response().body().size();
                    let sized = match size {
                        BodySize::Sized(bytes) if !is_head => Some(bytes),
                        BodySize::Sized(_) | BodySize::None => Some(0),
                        BodySize::Stream => None,
                    };
                    let route = response.request().match_pattern();
                    let outcome = Outcome {
                        route: route.as_deref().unwrap_or(UNMATCHED),
                        method,
                        status: status_index(status),
                        error: status.is_server_error(),
                        seconds,
                        request_bytes,
                        response_bytes: sized.unwrap_or(0),
                    };
                    let series = stats.update(|s| s.record(server, &outcome));
                    let counter = match (sized, series) {
                        (None, Some(series)) => Some(BodyCounter::new(stats, server, series)),
                        _ => None,
                    };
                    Ok(response.map_body(|_, body| CountedBody::new(body, counter)))
                }
                Err(error) => {
                    let outcome = Outcome {
                        route: UNKNOWN,
                        method,
                        status: status_index(error.as_response_error().status_code()),
                        error: true,
                        seconds,
                        request_bytes,
                        response_bytes: 0,
                    };
                    stats.update(|s| s.record(server, &outcome));
                    Err(error)
                }
            }
        })
    }
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
