//! actix-web serving: the routes ([`Routes`]: `/metrics`, `/debug/*`, the live stream
//! and the dashboard) and the request-metrics middleware ([`RequestMetrics`]). Private:
//! its public types are re-exported at the crate root, so no `use actorscope::web` ever
//! clashes with `actix_web::web`.

#[cfg(feature = "client")]
mod client;
mod dashboard;
mod debug_route;
mod error;
mod filter;
mod history;
mod live_routes;
mod local;
mod metrics_route;
mod options;
mod query;
mod red;
mod scrape;
mod stream;

mod routes;

use std::sync::Arc;

use actix_web::{web, HttpRequest};

#[cfg(feature = "client")]
pub use client::{
    ClientMetrics, ClientMetricsBuilder, ClientMetricsFuture, ClientMetricsService,
    CountingConnector, HttpClientStats, AWC_DEFAULT_TIMEOUT, DEFAULT_CLIENT_SERIES_LIMIT,
    ROUTE_HEADER,
};
pub use error::{MountError, WebError};
pub use options::RouteOptions;
pub use red::{
    CountedBody, HttpWorkerStats, RequestMetrics, RequestMetricsBuilder, RequestMetricsFuture,
    RequestMetricsService, DEFAULT_SERIES_LIMIT,
};
pub use routes::Routes;

use scrape::Endpoints;

/// Every route of `endpoints`: `/metrics`, and the `/debug` scope.
fn services(endpoints: &Arc<Endpoints>) -> (actix_web::Resource, actix_web::Scope) {
    let for_metrics = Arc::clone(endpoints);
    let metrics =
        move |request: HttpRequest| metrics_route::metrics(request, Arc::clone(&for_metrics));
    let for_debug = Arc::clone(endpoints);
    let debug =
        move |request: HttpRequest| debug_route::debug_metrics(request, Arc::clone(&for_debug));
    let for_stream = Arc::clone(endpoints);
    let stream = move |request: HttpRequest| live_routes::stream(request, Arc::clone(&for_stream));
    let for_history = Arc::clone(endpoints);
    let history =
        move |request: HttpRequest| live_routes::history(request, Arc::clone(&for_history));
    let get_only =
        |request: HttpRequest| async move { debug_route::method_not_allowed(&request, "GET") };
    let get_or_head = |request: HttpRequest| async move {
        debug_route::method_not_allowed(&request, "GET, HEAD")
    };
    let metrics_resource = web::resource("/metrics")
        .route(web::get().to(metrics.clone()))
        .route(web::head().to(metrics))
        .default_service(web::to(get_or_head));
    let debug_scope = dashboard::mount(web::scope("/debug"))
        .service(web::resource("").to(debug_route::redirect_to_dashboard))
        .service(
            web::resource("/metrics")
                .route(web::get().to(debug.clone()))
                .route(web::head().to(debug))
                .default_service(web::to(get_or_head)),
        )
        .service(
            web::resource("/stream")
                .route(web::get().to(stream))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/history")
                .route(web::get().to(history.clone()))
                .route(web::head().to(history))
                .default_service(web::to(get_or_head)),
        )
        .default_service(web::to(debug_route::not_found));
    (metrics_resource, debug_scope)
}
