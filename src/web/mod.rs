//! actix-web routes: `/metrics` for Prometheus, `/debug/metrics` (JSON, filterable) and
//! the dashboard at `/debug/`.
//!
//! | route | methods | answers |
//! | --- | --- | --- |
//! | `/metrics` | GET, HEAD | Prometheus text 0.0.4, or OpenMetrics 1.0 when `Accept` prefers `application/openmetrics-text`; gzip when `Accept-Encoding` allows; `?name[]=` keeps only those metrics |
//! | `/debug/metrics` | GET, HEAD | the JSON document ([`crate::encode::Json`]); filters `?name=` (prefix), `?worker=`, `?server=`, `?label=key:value`, each repeatable |
//! | `/debug/stream` | GET | Server-Sent Events: a `snapshot`, then a `delta` per tick (see [`shutdown_streams`] and the stream docs below) |
//! | `/debug/history` | GET, HEAD | the recent past for `?range=1m|5m|1h` (default `5m`), with the `/debug/metrics` filters |
//! | `/debug` | any | `308` to `/debug/` |
//! | `/debug/` | GET, HEAD | the dashboard, and its files under `/debug/` (embedded in the binary) |
//! | `/debug/*` | any | `404` with a JSON message |
//!
//! Other methods get `405` with `Allow`. A bad query parameter gets `400` with a message
//! naming it: text on `/metrics`, JSON `{"error", "culprit"}` on `/debug/*`, which is
//! also strict about the headers it reads. A header never fails a scrape of `/metrics`
//! (Prometheus marks a target down on a 4xx): what cannot be honoured falls back to
//! Prometheus text 0.0.4, no compression and the configured deadline. No route sends
//! `Access-Control-Allow-Origin`; the routes do no authentication (put a reverse proxy
//! in front before exposing them beyond the machine).
//!
//! Prometheus' `X-Prometheus-Scrape-Timeout-Seconds` shortens the collectors' deadline
//! (see [`WebOptions::prometheus_timeout_offset`]); concurrent scrapes share one gather.
//!
//! ```no_run
//! use actix_web::{App, HttpServer};
//! use actorscope::registry::MetricsRegistry;
//! use actorscope::web::{self, WebOptions};
//!
//! # async fn run() -> std::io::Result<()> {
//! let routes = web::configure(MetricsRegistry::global().clone(), WebOptions::default());
//! HttpServer::new(move || App::new().configure(routes.clone()))
//!     .bind("127.0.0.1:9000")?
//!     .run()
//!     .await
//! # }
//! ```

mod dashboard;
mod debug_route;
mod error;
mod filter;
mod history;
mod live_routes;
mod metrics_route;
mod options;
mod query;
mod red;
mod scrape;
mod stream;

use std::sync::Arc;

use actix_web::{web, HttpRequest};

pub use error::WebError;
pub use options::WebOptions;
pub use red::{
    CountedBody, HttpWorkerStats, RequestMetrics, RequestMetricsBuilder, RequestMetricsFuture,
    RequestMetricsService, DEFAULT_SERIES_LIMIT,
};
pub use stream::shutdown_streams;

use scrape::Endpoints;

/// The routes, ready for `App::configure`. Make it once, outside the `HttpServer`
/// factory, and clone it into each worker's `App`: the clones share the limit on
/// scrapes in flight.
pub fn configure(
    registry: crate::registry::MetricsRegistry,
    options: WebOptions,
) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static {
    let endpoints = Arc::new(Endpoints::new(registry, options));
    move |config| mount(config, &endpoints)
}

fn mount(config: &mut web::ServiceConfig, endpoints: &Arc<Endpoints>) {
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
    config
        .service(
            web::resource("/metrics")
                .route(web::get().to(metrics.clone()))
                .route(web::head().to(metrics))
                .default_service(web::to(get_or_head)),
        )
        .service(
            dashboard::mount(web::scope("/debug"))
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
                .default_service(web::to(debug_route::not_found)),
        );
}
