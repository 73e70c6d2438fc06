//! [`Routes`]: the value that owns a registry's web state and mounts its routes.

use std::sync::Arc;

use actix_web::dev::{AppService, HttpServiceFactory};

use super::scrape::Endpoints;
use super::{services, MountError, RouteOptions};
use crate::registry::MetricsRegistry;

/// The ActorScope routes of one registry, and the state they share: the limit on
/// scrapes in flight, the live stream's broadcaster and the history ring. Make it once,
/// at startup, and give a clone to every `App` (`App::new().service(routes.clone())`):
/// clones share everything, so several servers can serve one registry.
///
/// | route | methods | answers |
/// | --- | --- | --- |
/// | `/metrics` | GET, HEAD | Prometheus text 0.0.4, or OpenMetrics 1.0 when `Accept` prefers `application/openmetrics-text`; gzip when `Accept-Encoding` allows; `?name[]=` keeps only those metrics |
/// | `/debug/metrics` | GET, HEAD | the JSON document ([`crate::encode::Json`]); filters `?name=` (prefix), `?worker=`, `?server=`, `?label=key:value`, each repeatable |
/// | `/debug/stream` | GET | Server-Sent Events: a `snapshot`, then a `delta` per tick (one scrape per tick however many subscribers) |
/// | `/debug/history` | GET, HEAD | the recent past for `?range=1m|5m|1h|10h` (default `5m`; `10h` gives each 5-minute slot's `min`, `max` and mean), with the `/debug/metrics` filters |
/// | `/debug` | any | `308` to `/debug/` |
/// | `/debug/` | GET, HEAD | the dashboard, and its files under `/debug/` (embedded in the binary) |
/// | `/debug/*` | any | `404` with a JSON message |
///
/// Other methods get `405` with `Allow`. A bad query parameter gets `400` with a message
/// naming it: text on `/metrics`, JSON `{"error", "culprit"}` on `/debug/*`, which is
/// also strict about the headers it reads. A header never fails a scrape of `/metrics`
/// (Prometheus marks a target down on a 4xx): what cannot be honoured falls back to
/// Prometheus text 0.0.4, no compression and the configured deadline. No route sends
/// `Access-Control-Allow-Origin`; the routes do no authentication (put a reverse proxy
/// in front before exposing them beyond the machine). Prometheus'
/// `X-Prometheus-Scrape-Timeout-Seconds` shortens the collectors' deadline (see
/// [`RouteOptions::prometheus_timeout_offset`]); concurrent scrapes share one gather.
///
/// ```no_run
/// use actix_web::{App, HttpServer};
/// use actorscope::{MetricsRegistry, RouteOptions, Routes};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let routes = Routes::new(MetricsRegistry::global(), RouteOptions::default())?;
/// let on_stop = routes.clone();
/// HttpServer::new(move || App::new().service(routes.clone()))
///     // End the dashboard streams so a graceful shutdown need not wait for them.
///     .shutdown_signal(async move {
///         let _ = actix_web::rt::signal::ctrl_c().await;
///         on_stop.shutdown();
///     })
///     .bind("127.0.0.1:9000")?
///     .run()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Routes {
    endpoints: Arc<Endpoints>,
}

impl Routes {
    /// The routes of `registry`, served with `options`. Registers the live stream's own
    /// families (`actorscope_sse_*`) in `registry`; they leave it when the last clone of
    /// these routes is dropped.
    ///
    /// # Errors
    /// [`MountError::AlreadyMounted`] when another `Routes` of this registry is alive
    /// (clone that one instead: one registry has one live stream and one history).
    pub fn new(registry: &MetricsRegistry, options: RouteOptions) -> Result<Self, MountError> {
        Ok(Self {
            endpoints: Arc::new(Endpoints::new(registry.clone(), options)?),
        })
    }

    /// Ends every `/debug/stream` and refuses new ones, so a graceful shutdown need not
    /// wait for them (call it from `HttpServer::shutdown_signal`). `/metrics` and the
    /// other routes keep answering until the server stops.
    pub fn shutdown(&self) {
        self.endpoints.broadcaster.shut_down();
    }

    /// The options these routes serve with.
    #[must_use]
    pub fn options(&self) -> &RouteOptions {
        &self.endpoints.options
    }
}

impl HttpServiceFactory for Routes {
    fn register(self, config: &mut AppService) {
        let (metrics, debug) = services(&self.endpoints);
        metrics.register(config);
        debug.register(config);
    }
}
