//! What one thread counts about a client's outgoing requests: plain fields, touched only
//! by that thread (through `Rc<RefCell<..>>`, never an atomic or a lock).

use std::collections::HashMap;
use std::sync::Arc;

use crate::actor::WorkerStats;
use crate::model::{LabelHashSeed, ModelError, Unit};
use crate::stats::{Buckets, Counter, Gauge, Histogram};
use crate::web::red::{status_index, METHODS, STATUS_CLASSES};
use crate::write::{Metric, Writer};

/// The `route` of requests whose caller gave no route template.
pub(crate) const NO_ROUTE: &str = "(none)";
/// The value of every label of the series that new label sets fold into past the cap.
const OVERFLOW: &str = "(overflow)";
/// The `status` of a request that ended without a response head.
const FAILED: &str = "(failed)";

/// Why a request failed: the `kind` label of `http_client_errors_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// The connection could not be made: DNS, refused, reset while connecting.
    Connect,
    /// The connect timeout, or awc's request timeout (a request dropped at its deadline).
    Timeout,
    /// TLS: a handshake error, or an `https` URL on a client built without TLS.
    Tls,
    /// Writing the request failed.
    Send,
    /// The response was not valid HTTP (head parse error, HTTP/2 error).
    Protocol,
    /// Sending the request body or reading the response body failed.
    Body,
    /// The caller stopped waiting before a response head (its future was dropped early).
    Cancelled,
    /// Anything else awc reports.
    Other,
}

impl ErrorKind {
    const ALL: [ErrorKind; 8] = [
        Self::Connect,
        Self::Timeout,
        Self::Tls,
        Self::Send,
        Self::Protocol,
        Self::Body,
        Self::Cancelled,
        Self::Other,
    ];

    /// The `kind` label value.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Tls => "tls",
            Self::Send => "send",
            Self::Protocol => "protocol",
            Self::Body => "body",
            Self::Cancelled => "cancelled",
            Self::Other => "other",
        }
    }
}

/// The place of an endpoint's stats, for what arrives after the response head.
pub(crate) type EndpointId = usize;

/// One endpoint: a target (host), a route template and a method.
#[derive(Debug, Clone)]
struct Endpoint {
    target: Arc<str>,
    route: Arc<str>,
    /// Index into `METHODS`; 255 for the overflow series.
    method: u8,
    /// Requests that got a response head, by status class; then failed ones.
    responses: [Counter; 6],
    failed: Counter,
    errors: [Counter; ErrorKind::ALL.len()],
    duration: Histogram,
    body_duration: Option<Histogram>,
    sent_bytes: Counter,
    received_bytes: Counter,
}

/// A target's routes → place in `endpoints` by method (`u32::MAX`: not yet made).
type RoutePlaces = HashMap<Arc<str>, [u32; 10], LabelHashSeed>;

/// Everything one thread counts for one [`ClientMetrics`](super::ClientMetrics).
#[derive(Debug, Clone)]
pub struct HttpClientStats {
    client: Arc<str>,
    /// Target → route → place in `endpoints` by method (`u32::MAX`: not yet made).
    places: HashMap<Arc<str>, RoutePlaces, LabelHashSeed>,
    endpoints: Vec<Endpoint>,
    overflow: Option<EndpointId>,
    limit: usize,
    buckets: Buckets,
    body_end: bool,
    in_flight: Gauge,
    folded: Counter,
    /// Connections the pool opened, when the counting connector is installed.
    connections_opened: Option<Counter>,
}

impl HttpClientStats {
    pub(crate) fn new(client: Arc<str>, limit: usize, buckets: Buckets, body_end: bool) -> Self {
        Self {
            client,
            places: HashMap::with_hasher(LabelHashSeed::new()),
            endpoints: Vec::new(),
            overflow: None,
            limit,
            buckets,
            body_end,
            in_flight: Gauge::new(),
            folded: Counter::new(),
            connections_opened: None,
        }
    }

    /// The counting connector is installed on this thread: connections are reported.
    pub(crate) fn count_connections(&mut self) {
        self.connections_opened.get_or_insert_with(Counter::new);
    }

    /// The pool opened a connection.
    pub(crate) fn connection_opened(&mut self) {
        if let Some(opened) = &mut self.connections_opened {
            opened.inc();
        }
    }

    /// A request was sent to `target` (`route`, `method`); returns its endpoint.
    pub(crate) fn started(&mut self, target: &str, route: &str, method: u8) -> EndpointId {
        self.in_flight.inc();
        self.place(target, route, method)
    }

    /// A request ended, one way or another (it leaves the in-flight gauge).
    pub(crate) fn ended(&mut self) {
        self.in_flight.dec();
    }

    /// A response head arrived after `seconds`, with `status`, for a request whose body
    /// was `sent_bytes` long.
    pub(crate) fn responded(
        &mut self,
        endpoint: EndpointId,
        status: actix_web::http::StatusCode,
        seconds: f64,
        sent_bytes: u64,
    ) {
        if let Some(endpoint) = self.endpoints.get_mut(endpoint) {
            endpoint.responses[usize::from(status_index(status))].inc();
            endpoint.duration.observe(seconds);
            endpoint.sent_bytes.add(sent_bytes);
        }
    }

    /// A request failed with `kind` before a response head.
    pub(crate) fn failed(&mut self, endpoint: EndpointId, kind: ErrorKind, sent_bytes: u64) {
        if let Some(endpoint) = self.endpoints.get_mut(endpoint) {
            endpoint.failed.inc();
            endpoint.errors[kind as usize].inc();
            endpoint.sent_bytes.add(sent_bytes);
        }
    }

    /// Response body bytes were read.
    pub(crate) fn received(&mut self, endpoint: EndpointId, bytes: u64) {
        if let Some(endpoint) = self.endpoints.get_mut(endpoint) {
            endpoint.received_bytes.add(bytes);
        }
    }

    /// Reading the response body failed (`kind`: body, or timeout).
    pub(crate) fn body_failed(&mut self, endpoint: EndpointId, kind: ErrorKind) {
        if let Some(endpoint) = self.endpoints.get_mut(endpoint) {
            endpoint.errors[kind as usize].inc();
        }
    }

    /// The response body ended, `seconds` after the request was sent (kept only with
    /// `time_to_body_end`).
    pub(crate) fn body_ended(&mut self, endpoint: EndpointId, seconds: f64) {
        if let Some(histogram) = self
            .endpoints
            .get_mut(endpoint)
            .and_then(|found| found.body_duration.as_mut())
        {
            histogram.observe(seconds);
        }
    }

    fn place(&mut self, target: &str, route: &str, method: u8) -> EndpointId {
        if let Some(found) = self
            .places
            .get(target)
            .and_then(|routes| routes.get(route))
            .map(|methods| methods[usize::from(method)])
            .filter(|found| *found != u32::MAX)
        {
            return found as usize;
        }
        if self.endpoints.len() - usize::from(self.overflow.is_some()) >= self.limit {
            self.folded.inc();
            let overflow = match self.overflow {
                Some(place) => place,
                None => self.push(Arc::from(OVERFLOW), Arc::from(OVERFLOW), 255),
            };
            self.overflow = Some(overflow);
            return overflow;
        }
        let (target, route): (Arc<str>, Arc<str>) = (Arc::from(target), Arc::from(route));
        let place = self.push(Arc::clone(&target), Arc::clone(&route), method);
        let methods = self
            .places
            .entry(target)
            .or_insert_with(|| HashMap::with_hasher(LabelHashSeed::new()))
            .entry(route)
            .or_insert([u32::MAX; 10]);
        #[allow(clippy::cast_possible_truncation)] // at most `limit` + 1 endpoints
        {
            methods[usize::from(method)] = place as u32;
        }
        place
    }

    fn push(&mut self, target: Arc<str>, route: Arc<str>, method: u8) -> EndpointId {
        self.endpoints.push(Endpoint {
            target,
            route,
            method,
            responses: Default::default(),
            failed: Counter::new(),
            errors: Default::default(),
            duration: Histogram::new(self.buckets.clone()),
            body_duration: self.body_end.then(|| Histogram::new(self.buckets.clone())),
            sent_bytes: Counter::new(),
            received_bytes: Counter::new(),
        });
        self.endpoints.len() - 1
    }
}

const IN_FLIGHT: Metric<'static, Gauge> = Metric::gauge(
    "http_client_requests_in_flight",
    "Outgoing requests sent and not yet answered with a response head or failed.",
);
const FOLDED: Metric<'static, Counter> = Metric::counter(
    "http_client_requests_folded_total",
    "Outgoing requests counted in the (overflow) series because their target, route and method were past the series limit.",
);
const CONNECTIONS_OPENED: Metric<'static, Counter> = Metric::counter(
    "http_client_connections_opened_total",
    "TCP connections the client's pool opened (with ClientMetrics::connector).",
);
const REQUESTS: Metric<'static, Counter> = Metric::counter(
    "http_client_requests_total",
    "Outgoing requests, by target host, route template, method and status class ((failed): no response head).",
);
const ERRORS: Metric<'static, Counter> = Metric::counter(
    "http_client_errors_total",
    "Outgoing requests that failed, by kind (connect, timeout, tls, send, protocol, body, cancelled, other); a body error can follow a counted response.",
);
const DURATION: Metric<'static, Histogram> = Metric::histogram(
    "http_client_request_duration_seconds",
    "Time from sending an outgoing request to its response head.",
)
.unit(Unit::Seconds);
const BODY_DURATION: Metric<'static, Histogram> = Metric::histogram(
    "http_client_response_body_duration_seconds",
    "Time from sending an outgoing request to the end of its response body (bodies read to the end).",
)
.unit(Unit::Seconds);
const SENT: Metric<'static, Counter> = Metric::counter(
    "http_client_request_body_bytes_total",
    "Request body bytes of outgoing requests, as their sized bodies declare (streamed bodies are not counted).",
)
.unit(Unit::Bytes);
const RECEIVED: Metric<'static, Counter> = Metric::counter(
    "http_client_response_body_bytes_total",
    "Response body bytes read by the caller.",
)
.unit(Unit::Bytes);

/// Which byte counter of an endpoint a family reports.
type EndpointCounter = fn(&Endpoint) -> &Counter;

impl WorkerStats for HttpClientStats {
    fn write(&self, out: &mut Writer<'_>) -> Result<(), ModelError> {
        let client = [("client", &*self.client)];
        out.family(IN_FLIGHT).add(client, &self.in_flight)?;
        out.family(FOLDED).add(client, &self.folded)?;
        if let Some(opened) = &self.connections_opened {
            out.family(CONNECTIONS_OPENED).add(client, opened)?;
        }
        let mut requests = out.family(REQUESTS).declare()?;
        for endpoint in &self.endpoints {
            for (status, counter) in STATUS_CLASSES.iter().zip(&endpoint.responses) {
                if counter.get() > 0 {
                    requests.add(endpoint.labels(&self.client, ("status", status)), counter)?;
                }
            }
            if endpoint.failed.get() > 0 {
                requests.add(
                    endpoint.labels(&self.client, ("status", FAILED)),
                    &endpoint.failed,
                )?;
            }
        }
        let mut errors = out.family(ERRORS).declare()?;
        for endpoint in &self.endpoints {
            for (kind, counter) in ErrorKind::ALL.iter().zip(&endpoint.errors) {
                if counter.get() > 0 {
                    errors.add(
                        endpoint.labels(&self.client, ("kind", kind.label())),
                        counter,
                    )?;
                }
            }
        }
        let mut durations = out.family(DURATION).declare()?;
        for endpoint in &self.endpoints {
            durations.add(endpoint.endpoint_labels(&self.client), &endpoint.duration)?;
        }
        if self.body_end {
            let mut durations = out.family(BODY_DURATION).declare()?;
            for endpoint in &self.endpoints {
                if let Some(histogram) = &endpoint.body_duration {
                    durations.add(endpoint.endpoint_labels(&self.client), histogram)?;
                }
            }
        }
        let byte_counters: [(Metric<'static, Counter>, EndpointCounter); 2] = [
            (SENT, |endpoint| &endpoint.sent_bytes),
            (RECEIVED, |endpoint| &endpoint.received_bytes),
        ];
        for (metric, counter) in byte_counters {
            let mut family = out.family(metric).declare()?;
            for endpoint in &self.endpoints {
                family.add(endpoint.endpoint_labels(&self.client), counter(endpoint))?;
            }
        }
        Ok(())
    }

    /// Writes one client with a response, a failure and a body end, so every family is
    /// checked at registration.
    fn check(out: &mut Writer<'_>) -> Result<(), ModelError> {
        let mut stats = Self::new(Arc::from("check"), 1, Buckets::http_seconds(), true);
        stats.count_connections();
        let endpoint = stats.started("example.com:80", NO_ROUTE, 0);
        stats.responded(endpoint, actix_web::http::StatusCode::OK, 0.001, 0);
        stats.failed(endpoint, ErrorKind::Timeout, 0);
        stats.body_ended(endpoint, 0.002);
        stats.write(out)
    }
}

impl Endpoint {
    /// `client`, `target`, `route` and `method`.
    fn endpoint_labels<'a>(&'a self, client: &'a str) -> [(&'static str, &'a str); 4] {
        let method = if self.method == 255 {
            OVERFLOW
        } else {
            METHODS[usize::from(self.method)]
        };
        [
            ("client", client),
            ("target", &*self.target),
            ("route", &*self.route),
            ("method", method),
        ]
    }

    /// The endpoint's labels and one more.
    fn labels<'a>(
        &'a self,
        client: &'a str,
        extra: (&'static str, &'a str),
    ) -> [(&'static str, &'a str); 5] {
        let [a, b, c, d] = self.endpoint_labels(client);
        [a, b, c, d, extra]
    }
}
