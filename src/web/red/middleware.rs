//! The `Transform` half: one service per worker per bound address.

use std::cell::Cell;
use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use futures::future::{ready, Ready};

use super::local_stats;
use super::route_cache::RouteCache;
use super::stats::HttpWorkerStats;
use super::{CountedBody, RequestMetrics};
use crate::web::local::LocalStats;

impl<S, B> Transform<S, ServiceRequest> for RequestMetrics
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody,
{
    type Response = ServiceResponse<CountedBody<B>>;
    type Error = actix_web::Error;
    type Transform = RequestMetricsService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        // Runs on the worker thread: find or make this thread's stats (and reporter).
        let stats = local_stats(&self.shared);
        let server = self
            .shared
            .server
            .as_deref()
            .map(|name| stats.update(|stats| stats.server_named(name)));
        ready(Ok(RequestMetricsService {
            service,
            stats,
            routes: Rc::new(RouteCache::new()),
            server: Cell::new(server),
            track_slots: self.shared.connection_slots.is_some(),
            exemplars: self.shared.exemplars,
        }))
    }
}

/// The service [`RequestMetrics`] wraps around an `App`'s service on one worker.
pub struct RequestMetricsService<S> {
    pub(super) service: S,
    pub(super) stats: Rc<LocalStats<HttpWorkerStats>>,
    /// The route pattern of each path this `App` has served on this worker.
    pub(super) routes: Rc<RouteCache>,
    /// The server's place in the stats, known once the first request shows the address
    /// (or at once when the server was named).
    pub(super) server: Cell<Option<usize>>,
    /// Whether connection slots are kept (then each request marks its slot active).
    pub(super) track_slots: bool,
    /// Whether each request gets an exemplar.
    pub(super) exemplars: bool,
}

impl<S> std::fmt::Debug for RequestMetricsService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestMetricsService")
            .field("server", &self.server.get())
            .finish_non_exhaustive()
    }
}
