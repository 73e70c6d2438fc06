//! [`RequestMetrics`]: the RED/USE view of every actix-web server it wraps.

mod body;
mod connections;
mod middleware;
mod route_cache;
mod service;
mod stats;

use std::sync::Arc;

pub use body::CountedBody;
pub use middleware::RequestMetricsService;
pub use service::RequestMetricsFuture;
pub use stats::HttpWorkerStats;
pub(crate) use stats::{method_index, status_index, METHODS, STATUS_CLASSES};

use crate::actor::WorkerCollector;
use crate::registry::{MetricsRegistry, RegisterError};
use crate::stats::{Buckets, NativeConfig};

/// Label sets each worker keeps per server before folding new ones into the overflow
/// series.
pub const DEFAULT_SERIES_LIMIT: usize = 1_000;

/// The RED/USE view of every actix-web server it wraps: an actix-web middleware.
///
/// Each actix-web worker thread keeps its own plain stats (no atomics, no locks on the
/// request path), and a small actor on that worker's arbiter answers the scrape, so they
/// come out as one `worker="<n>"` series set per worker thread, like any
/// [`WorkerCollector`]. Families, all with labels `server` and `worker`:
///
/// | family | type | more labels | meaning |
/// | --- | --- | --- | --- |
/// | `http_server_requests_total` | counter | route, method, status, protocol | requests handled |
/// | `http_server_errors_total` | counter | route, method, status, protocol | 5xx answers, and errors raised by inner services |
/// | `http_server_request_duration_seconds` | histogram | route, method, status, protocol | arrival to response head |
/// | `http_server_request_body_bytes_total` | counter | route, method, status, protocol | as declared by `Content-Length` |
/// | `http_server_response_body_bytes_total` | counter | route, method, status, protocol | body bytes sent, streamed ones included |
/// | `http_server_requests_in_flight` | gauge | | requests being handled |
/// | `http_server_connections_opened_total` | counter | | connections accepted (needs [`RequestMetrics::on_connect`]) |
/// | `http_server_connections_active` | gauge | | connections open (needs [`RequestMetrics::on_connect`]) |
/// | `http_server_connections_without_request_total` | counter | | connections closed before any request reached the app (needs [`RequestMetrics::on_connect`]) |
/// | `http_server_responses_aborted_total` | counter | | streamed responses that ended before their body did |
/// | `http_server_streams_total` | counter | | HTTP/2 streams that reached the app as requests |
/// | `http_server_streams_active` | gauge | | HTTP/2 streams whose request is being handled |
/// | `http_server_requests_folded_total` | counter | | requests counted in the overflow series |
/// | `actorscope_pool_*{pool="connections"}` | | owner | connection slots, with [`RequestMetricsBuilder::connection_slots`] |
///
/// - `route` is the matched resource pattern (`/kv/{key}`), never the raw path;
///   `(unmatched)` when no resource matched, `(unknown)` when an inner middleware failed
///   before a response existed.
/// - `method` is one of the nine standard methods or `other`; `status` is `1xx`..`5xx`;
///   `protocol` is the request's HTTP version: `HTTP/1.0`, `HTTP/1.1`, `HTTP/2` or
///   `other`. HTTP/2 needs actix-web's `http2` feature and `HttpServer::bind_auto_h2c`
///   (h2c) or TLS; each HTTP/2 request is a stream, counted when it reaches the app
///   (a stream reset before its request was read is not seen).
/// - **Cardinality guard:** each worker keeps at most `series_limit` label sets
///   (default 1,000) per server. Requests with a new label set past it are counted in one
///   series whose `route`, `method`, `status` and `protocol` are `(overflow)`, and in
///   `http_server_requests_folded_total`.
/// - `server` is the name given to [`RequestMetricsBuilder::server`], or else the bound
///   address of the `App` that served the request (`127.0.0.1:8080`). Connections are
///   matched to it by port; a server bound to a port no request has reached yet shows as
///   `*:<port>`.
/// - **Failed connections, as far as they can be seen truthfully.** A connection that
///   closes before any request reached the app is counted in
///   `http_server_connections_without_request_total`: a request-head timeout (actix
///   answers 408 after `HttpServer::client_request_timeout`), a malformed head (400) or
///   a client that connected and left; actix does not say which. A head timeout on a
///   keep-alive connection that already carried requests ends it like a normal close
///   and is not told apart. A streamed response
///   whose body is dropped before its end (the client went away, a live-stream
///   subscriber left, or the body failed) is counted in
///   `http_server_responses_aborted_total`; a sized body is written in one piece and is
///   not followed. Not observable, so not reported: a request whose HTTP/1.1 client
///   leaves while it is handled (actix-web finishes handling it), keep-alive expiry (a
///   normal close), TLS handshake failures (the middleware has no TLS), and accept
///   errors (actix-server logs them and exposes no count).
/// - The duration ends at the response head, so a Server-Sent-Events stream counts its
///   set-up time only; its streamed bytes are counted.
///
/// ```no_run
/// use actix_web::{web, App, HttpServer};
/// use actorscope::{MetricsRegistry, RequestMetrics};
///
/// # async fn run() -> std::io::Result<()> {
/// let metrics = RequestMetrics::builder()
///     .server("api")
///     .register(MetricsRegistry::global())
///     .expect("the collector name \"http:api\" is free");
/// let on_connect = metrics.on_connect();
/// HttpServer::new(move || {
///     App::new()
///         .wrap(metrics.clone())
///         .route("/", web::get().to(|| async { "hello" }))
/// })
/// .on_connect(on_connect)
/// .bind("127.0.0.1:8080")?
/// .run()
/// .await
/// # }
/// ```
///
/// [`WorkerCollector`]: crate::actor::WorkerCollector
///
///
/// The middleware is an actix-web `Transform`: wrap an `App` with it. Cloning is cheap
/// and shares the counts.
#[derive(Clone, Debug)]
pub struct RequestMetrics {
    shared: Arc<Shared>,
}

/// This worker thread's stats for `shared`, made (and its reporter started) on first use.
pub(crate) fn local_stats(
    shared: &Shared,
) -> std::rc::Rc<crate::web::local::LocalStats<HttpWorkerStats>> {
    crate::web::local::for_this_thread(shared.id, &shared.collector, || {
        HttpWorkerStats::new(
            shared.series_limit,
            shared.histograms.clone(),
            shared.connection_slots,
        )
    })
}

/// What every worker's copy of the middleware shares.
#[derive(Debug)]
pub(crate) struct Shared {
    id: u64,
    server: Option<String>,
    series_limit: usize,
    histograms: HistogramShape,
    connection_slots: Option<usize>,
    exemplars: bool,
    collector: WorkerCollector<HttpWorkerStats>,
}

/// How each series' duration histogram is made: its classic bounds and, if asked, the
/// native form.
#[derive(Debug, Clone)]
pub(crate) struct HistogramShape {
    pub(crate) buckets: Buckets,
    pub(crate) native: Option<NativeConfig>,
}

/// Configures a [`RequestMetrics`]; see [`RequestMetrics::builder`].
#[derive(Debug, Clone)]
pub struct RequestMetricsBuilder {
    server: Option<String>,
    series_limit: usize,
    histograms: HistogramShape,
    connection_slots: Option<usize>,
    exemplars: bool,
}

impl RequestMetrics {
    /// Starts configuring: no server name, [`DEFAULT_SERIES_LIMIT`], and
    /// [`Buckets::http_seconds`] for durations.
    #[must_use]
    pub fn builder() -> RequestMetricsBuilder {
        RequestMetricsBuilder {
            server: None,
            series_limit: DEFAULT_SERIES_LIMIT,
            histograms: HistogramShape {
                buckets: Buckets::http_seconds(),
                native: None,
            },
            connection_slots: None,
            exemplars: false,
        }
    }

    /// The collector that scrapes every worker's counts (registered by
    /// [`RequestMetricsBuilder::register`]).
    #[must_use]
    pub fn collector(&self) -> &WorkerCollector<HttpWorkerStats> {
        &self.shared.collector
    }
}

impl RequestMetricsBuilder {
    /// Names the server (the `server` label) instead of using its bound address.
    #[must_use]
    pub fn server(mut self, name: impl Into<String>) -> Self {
        self.server = Some(name.into());
        self
    }

    /// Label sets `{route, method, status, protocol}` each worker keeps per server (at least 1).
    #[must_use]
    pub fn series_limit(mut self, limit: usize) -> Self {
        self.series_limit = limit.max(1);
        self
    }

    /// Bucket bounds for `http_server_request_duration_seconds`.
    #[must_use]
    pub fn buckets(mut self, buckets: Buckets) -> Self {
        self.histograms.buckets = buckets;
        self
    }

    /// Keeps the native (sparse exponential) form of the duration histograms too, which
    /// the protobuf format carries to a Prometheus run with native histograms on; the
    /// text formats still get the classic buckets.
    #[must_use]
    pub fn native_histograms(mut self, config: NativeConfig) -> Self {
        self.histograms.native = Some(config);
        self
    }

    /// Attaches an exemplar to every request's duration: the trace of its W3C
    /// `traceparent` header, or else a new random trace id. Handlers find it in the
    /// request's extensions (`req.extensions().get::<Exemplar>()`) to pass on, for
    /// example to the actors they message. Costs a clock read and, without a header, a
    /// random id per request.
    ///
    /// [`Exemplar`]: crate::stats::Exemplar
    #[must_use]
    pub fn exemplars(mut self) -> Self {
        self.exemplars = true;
        self
    }

    /// Keeps `capacity` connection slots per worker and server, each free, idle (open
    /// between requests) or active (handling one): `actorscope_pool_*{pool="connections",
    /// owner="<server>"}` and a slot map for the dashboard. Needs
    /// [`RequestMetrics::on_connect`]. Set it to the server's `max_connections` (per
    /// worker); connections past it count as overflows. Costs one lookup per request.
    #[must_use]
    pub fn connection_slots(mut self, capacity: usize) -> Self {
        self.connection_slots = Some(capacity);
        self
    }

    /// Registers the collector in `registry`, as `http` or `http:<server>`.
    ///
    /// # Errors
    /// When that collector name is taken (give each `RequestMetrics` of one registry its
    /// own server name) or the server name is not a valid collector name.
    pub fn register(self, registry: &MetricsRegistry) -> Result<RequestMetrics, RegisterError> {
        let collector = WorkerCollector::new();
        let name = match &self.server {
            Some(server) => format!("http:{server}"),
            None => "http".to_owned(),
        };
        registry.register(name, collector.clone())?;
        Ok(RequestMetrics {
            shared: Arc::new(Shared {
                id: crate::web::local::next_id(),
                server: self.server,
                series_limit: self.series_limit,
                histograms: self.histograms,
                connection_slots: self.connection_slots,
                exemplars: self.exemplars,
                collector,
            }),
        })
    }
}
