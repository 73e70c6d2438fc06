//! [`ClientMetrics`]: the RED view of the outgoing requests of every `awc` client it wraps.

mod connections;
mod service;
mod stats;

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use awc::error::SendRequestError;
use awc::{ConnectRequest, ConnectResponse};

pub use connections::CountingConnector;
pub use service::{ClientMetricsFuture, ClientMetricsService};
pub use stats::HttpClientStats;

use crate::actor::WorkerCollector;
use crate::registry::{MetricsRegistry, RegisterError};
use crate::stats::Buckets;
use crate::web::local::{for_this_thread, next_id, LocalStats};

/// The header a caller sets to give a request's route template (`/users/{id}`), the
/// `route` label of its series. The middleware takes it out before the request is sent
/// (a frozen request's own headers are shared, so there it goes out; give it with
/// `FrozenClientRequest::extra_header` instead). See [`ClientMetrics::route`].
pub const ROUTE_HEADER: &str = "actorscope-route";

/// awc's default request timeout, which [`ClientMetricsBuilder::request_timeout`] starts from.
pub const AWC_DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Endpoints (target, route, method) each thread keeps per client before folding new
/// ones into the overflow series.
pub const DEFAULT_CLIENT_SERIES_LIMIT: usize = 500;

/// The RED view of a client's outgoing requests: an `awc` middleware
/// (`awc::ClientBuilder::wrap`), mirroring [`RequestMetrics`] on the server side and
/// OpenTelemetry's `http.client.*` conventions.
///
/// Each thread that builds a client keeps its own plain stats (no atomics, no locks on
/// the request path), and a small actor on that thread's arbiter answers the scrape, so
/// they come out as one `worker="<n>"` series set per thread. Families, all with the
/// label `client`:
///
/// | family | type | more labels | meaning |
/// | --- | --- | --- | --- |
/// | `http_client_requests_total` | counter | target, route, method, status | requests that ended: `1xx`..`5xx`, or `(failed)` without a response head |
/// | `http_client_errors_total` | counter | target, route, method, kind | failures by kind (below) |
/// | `http_client_request_duration_seconds` | histogram | target, route, method | send to response head |
/// | `http_client_response_body_duration_seconds` | histogram | target, route, method | send to body end, with [`ClientMetricsBuilder::time_to_body_end`] |
/// | `http_client_request_body_bytes_total` | counter | target, route, method | sized request bodies (a streamed body is not counted) |
/// | `http_client_response_body_bytes_total` | counter | target, route, method | response body bytes the caller read |
/// | `http_client_requests_in_flight` | gauge | | sent, no response head or failure yet |
/// | `http_client_requests_folded_total` | counter | | requests counted in the overflow series |
/// | `http_client_connections_opened_total` | counter | | TCP connections the pool opened, with [`ClientMetrics::connector`] |
///
/// - `target` is the URL's host and explicit port (`api.example.com`, `127.0.0.1:8080`),
///   never its path, query or credentials; `route` is the template the caller gave with
///   [`ClientMetrics::route`], or `(none)`.
/// - `kind` is `connect` (DNS, refused, reset while connecting), `timeout` (the
///   connector's connect timeout, or awc's request timeout), `tls` (a handshake error,
///   or an `https` URL on a client built without TLS), `send` (writing the request),
///   `protocol` (a response that is not valid HTTP), `body` (sending the request body,
///   or an error while the caller read the response body; that request was already
///   counted under its status), `cancelled` (the caller dropped the request before its
///   response head) or `other`.
/// - awc's request timeout drops the request rather than failing it through the
///   middleware: a request dropped unanswered at [`ClientMetricsBuilder::request_timeout`]
///   (awc's 5 s unless you changed it; tell the middleware the same) counts as `timeout`,
///   one dropped earlier as `cancelled`. A timeout while the caller reads the body is
///   raised outside the body the middleware sees, so it is not counted.
/// - Connections of awc's pool are not visible to its middleware; build the client with
///   [`ClientMetrics::connector`] (awc's default connector, counting) to count the
///   connections it opens. Redirects awc follows count once per hop (each is a request).
/// - **Cardinality guard:** each thread keeps at most `series_limit` endpoints (default
///   500) per client; requests to new ones past it are counted in one series whose
///   labels are `(overflow)`, and in `http_client_requests_folded_total`.
///
/// ```no_run
/// use actorscope::{ClientMetrics, MetricsRegistry};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let metrics = ClientMetrics::builder("upstream").register(MetricsRegistry::global())?;
/// // On each thread that sends requests (inside an actix system):
/// let client = awc::Client::builder()
///     .connector(metrics.connector())
///     .wrap(metrics.clone())
///     .finish();
/// let response = client
///     .get("http://127.0.0.1:8080/users/7")
///     .insert_header(ClientMetrics::route("/users/{id}"))
///     .send()
///     .await?;
/// # drop(response);
/// # Ok(())
/// # }
/// ```
///
/// [`RequestMetrics`]: crate::RequestMetrics
#[derive(Clone, Debug)]
pub struct ClientMetrics {
    shared: Arc<Shared>,
}

/// What every thread's copy of the middleware shares.
#[derive(Debug)]
struct Shared {
    id: u64,
    client: Arc<str>,
    series_limit: usize,
    buckets: Buckets,
    body_end: bool,
    timeout: Option<Duration>,
    collector: WorkerCollector<HttpClientStats>,
}

/// Configures a [`ClientMetrics`]; see [`ClientMetrics::builder`].
#[derive(Debug, Clone)]
pub struct ClientMetricsBuilder {
    client: String,
    series_limit: usize,
    buckets: Buckets,
    body_end: bool,
    timeout: Option<Duration>,
}

impl ClientMetrics {
    /// Starts configuring the client called `client` (its `client` label):
    /// [`DEFAULT_CLIENT_SERIES_LIMIT`], [`Buckets::http_seconds`] for durations, awc's
    /// default timeout.
    #[must_use]
    pub fn builder(client: impl Into<String>) -> ClientMetricsBuilder {
        ClientMetricsBuilder {
            client: client.into(),
            series_limit: DEFAULT_CLIENT_SERIES_LIMIT,
            buckets: Buckets::http_seconds(),
            body_end: false,
            timeout: Some(AWC_DEFAULT_TIMEOUT),
        }
    }

    /// The header that gives a request's route template, for `insert_header`:
    /// `client.get(url).insert_header(ClientMetrics::route("/users/{id}"))`. The
    /// middleware takes it out before sending.
    #[must_use]
    pub fn route(template: &str) -> (&'static str, &str) {
        (ROUTE_HEADER, template)
    }

    /// The collector that scrapes every thread's counts (registered by
    /// [`ClientMetricsBuilder::register`]).
    #[must_use]
    pub fn collector(&self) -> &WorkerCollector<HttpClientStats> {
        &self.shared.collector
    }

    fn local_stats(&self) -> Rc<LocalStats<HttpClientStats>> {
        let shared = &self.shared;
        for_this_thread(shared.id, &shared.collector, || {
            HttpClientStats::new(
                Arc::clone(&shared.client),
                shared.series_limit,
                shared.buckets.clone(),
                shared.body_end,
            )
        })
    }
}

impl ClientMetricsBuilder {
    /// Endpoints `{target, route, method}` each thread keeps for this client (at least 1).
    #[must_use]
    pub fn series_limit(mut self, limit: usize) -> Self {
        self.series_limit = limit.max(1);
        self
    }

    /// Bucket bounds for the duration histograms.
    #[must_use]
    pub fn buckets(mut self, buckets: Buckets) -> Self {
        self.buckets = buckets;
        self
    }

    /// Also times each request to the end of its response body
    /// (`http_client_response_body_duration_seconds`), for bodies the caller reads to
    /// the end.
    #[must_use]
    pub fn time_to_body_end(mut self) -> Self {
        self.body_end = true;
        self
    }

    /// The request timeout the client was built with (`awc::ClientBuilder::timeout`;
    /// `None` after `disable_timeout`), so that a request awc drops at it counts as a
    /// timeout rather than a cancellation.
    #[must_use]
    pub fn request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Registers the collector in `registry`, as `http_client:<client>`.
    ///
    /// # Errors
    /// When that collector name is taken (give each client its own name) or the client
    /// name is not a valid collector name.
    pub fn register(self, registry: &MetricsRegistry) -> Result<ClientMetrics, RegisterError> {
        let collector = WorkerCollector::new();
        registry.register(format!("http_client:{}", self.client), collector.clone())?;
        Ok(ClientMetrics {
            shared: Arc::new(Shared {
                id: next_id(),
                client: Arc::from(self.client),
                series_limit: self.series_limit,
                buckets: self.buckets,
                body_end: self.body_end,
                timeout: self.timeout,
                collector,
            }),
        })
    }
}

impl<S> awc::middleware::Transform<S, ConnectRequest> for ClientMetrics
where
    S: actix_web::dev::Service<
        ConnectRequest,
        Response = ConnectResponse,
        Error = SendRequestError,
    >,
{
    type Transform = ClientMetricsService<S>;

    /// Runs where the client is built (`ClientBuilder::finish`): this thread's stats.
    ///
    /// # Panics
    /// Outside an actix system: the stats' reporting actor needs this thread's arbiter.
    fn new_transform(self, service: S) -> Self::Transform {
        ClientMetricsService {
            stats: self.local_stats(),
            timeout: self.shared.timeout,
            service,
        }
    }
}
