//! What one actix-web worker thread counts about its requests: plain fields, touched
//! only by that thread (through `Rc<RefCell<..>>`, never an atomic or a lock).

use std::collections::HashMap;
use std::sync::Arc;

use super::HistogramShape;
use crate::actor::WorkerStats;
use crate::model::{LabelHashSeed, ModelError, Unit};
use crate::stats::{Counter, Exemplar, Gauge, Histogram, Pool, SlotState};
use crate::write::{Metric, Writer};

/// The `route` of requests that matched no resource.
pub(crate) const UNMATCHED: &str = "(unmatched)";
/// The `route` of requests whose inner service failed before a response existed.
pub(crate) const UNKNOWN: &str = "(unknown)";
/// The value of every label of the series that new label sets fold into past the cap.
const OVERFLOW: &str = "(overflow)";

/// The `method` label values; anything else is `other`.
pub(crate) const METHODS: [&str; 10] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "other",
];
/// The `status` label values, by the status code's first digit; anything else is `other`.
pub(crate) const STATUS_CLASSES: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];
/// The `protocol` label values (the request's HTTP version); anything else is `other`.
const PROTOCOLS: [&str; 4] = ["HTTP/1.0", "HTTP/1.1", "HTTP/2", "other"];
/// Marks an empty place in a route's table.
const NONE: u32 = u32::MAX;

/// The `method` label index of `method`.
pub(crate) fn method_index(method: &actix_web::http::Method) -> u8 {
    let position = METHODS[..9].iter().position(|m| *m == method.as_str());
    #[allow(clippy::cast_possible_truncation)] // fewer than 10
    position.map_or(9, |i| i as u8)
}

/// The `protocol` label index of `version`.
pub(crate) fn protocol_index(version: actix_web::http::Version) -> u8 {
    use actix_web::http::Version;
    match version {
        Version::HTTP_10 => 0,
        Version::HTTP_11 => 1,
        Version::HTTP_2 => 2,
        _ => 3,
    }
}

/// Whether the `protocol` index is HTTP/2, where each request is a stream.
pub(crate) fn is_http2(protocol: u8) -> bool {
    protocol == 2
}

/// The `status` label index of `status`.
pub(crate) fn status_index(status: actix_web::http::StatusCode) -> u8 {
    match status.as_u16() {
        #[allow(clippy::cast_possible_truncation)] // 1 to 5
        code @ 100..=599 => (code / 100 - 1) as u8,
        _ => 5,
    }
}

/// The stats of one label set `{route, method, status, protocol}`.
#[derive(Debug, Clone)]
struct Series {
    route: Arc<str>,
    method: u8,
    status: u8,
    protocol: u8,
    requests: Counter,
    errors: Counter,
    duration: Histogram,
    request_bytes: Counter,
    response_bytes: Counter,
}

/// How one request ended, to be recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outcome<'a> {
    pub(crate) route: &'a str,
    pub(crate) method: u8,
    pub(crate) status: u8,
    pub(crate) protocol: u8,
    pub(crate) error: bool,
    pub(crate) seconds: f64,
    pub(crate) request_bytes: u64,
    pub(crate) response_bytes: u64,
    pub(crate) exemplar: Option<Exemplar>,
}

/// One server's stats on one worker.
#[derive(Debug, Clone)]
pub(crate) struct ServerStats {
    /// The `server` label; `None` while only the port is known (a connection came before
    /// any request).
    name: Option<String>,
    port: Option<u16>,
    /// Route pattern → place in `series` for each (protocol, method, status).
    /// Hashed with the model's fast label hasher: the keys are the app's own patterns.
    routes: HashMap<Arc<str>, RouteTable, LabelHashSeed>,
    series: Vec<Series>,
    overflow: Option<usize>,
    folded: Counter,
    in_flight: Gauge,
    connections_opened: Counter,
    connections_active: Gauge,
    /// Connections that closed before a request reached the app.
    connections_without_request: Counter,
    /// Streamed responses dropped before their body's end.
    responses_aborted: Counter,
    /// HTTP/2 streams that reached the app as requests: all, and open now.
    streams: Counter,
    streams_active: Gauge,
    /// Connection slots, when the middleware was asked to keep them.
    slots: Option<Pool>,
}

/// A route's series places by protocol, method and status (`NONE`: not yet made).
type RouteTable = [[[u32; 6]; 10]; 4];

/// Everything one worker thread counts for one [`RequestMetrics`](super::RequestMetrics).
#[derive(Debug, Clone)]
pub struct HttpWorkerStats {
    servers: Vec<ServerStats>,
    limit: usize,
    histograms: HistogramShape,
    slots: Option<usize>,
}

impl HttpWorkerStats {
    pub(crate) fn new(limit: usize, histograms: HistogramShape, slots: Option<usize>) -> Self {
        Self {
            servers: Vec::new(),
            limit,
            histograms,
            slots,
        }
    }

    /// The place of the server called `name`, added if new.
    pub(crate) fn server_named(&mut self, name: &str) -> usize {
        if let Some(i) = self
            .servers
            .iter()
            .position(|s| s.name.as_deref() == Some(name))
        {
            return i;
        }
        self.add_server(Some(name.to_owned()), None)
    }

    /// The place of the server listening on `port`, added if new; names it `name` if it
    /// had no name yet.
    pub(crate) fn server_on_port(&mut self, port: u16, name: Option<String>) -> usize {
        if let Some(i) = self.servers.iter().position(|s| s.port == Some(port)) {
            if self.servers[i].name.is_none() {
                self.servers[i].name = name;
            }
            return i;
        }
        self.add_server(name, Some(port))
    }

    fn add_server(&mut self, name: Option<String>, port: Option<u16>) -> usize {
        self.servers.push(ServerStats {
            name,
            port,
            routes: HashMap::with_hasher(LabelHashSeed::new()),
            series: Vec::new(),
            overflow: None,
            folded: Counter::new(),
            in_flight: Gauge::new(),
            connections_opened: Counter::new(),
            connections_active: Gauge::new(),
            connections_without_request: Counter::new(),
            responses_aborted: Counter::new(),
            streams: Counter::new(),
            streams_active: Gauge::new(),
            slots: self.slots.map(Pool::with_slots),
        });
        self.servers.len() - 1
    }

    /// A request started (over `protocol`: an HTTP/2 request is a stream).
    pub(crate) fn request_started(&mut self, server: usize, protocol: u8) {
        if let Some(server) = self.servers.get_mut(server) {
            server.in_flight.inc();
            if is_http2(protocol) {
                server.streams.inc();
                server.streams_active.inc();
            }
        }
    }

    /// A request ended (or was dropped before it could).
    pub(crate) fn request_ended(&mut self, server: usize, protocol: u8) {
        if let Some(server) = self.servers.get_mut(server) {
            server.in_flight.dec();
            if is_http2(protocol) {
                server.streams_active.dec();
            }
        }
    }

    /// A connection opened; returns its slot when slots are kept and one is free (the
    /// slot starts idle: connected, no request yet).
    pub(crate) fn connection_opened(&mut self, server: usize) -> Option<usize> {
        let server = self.servers.get_mut(server)?;
        server.connections_opened.inc();
        server.connections_active.inc();
        let slots = server.slots.as_mut()?;
        let slot = slots.acquire_slot()?;
        slots.set_state(slot, SlotState::Idle);
        Some(slot)
    }

    /// A connection closed, after `requests` requests reached the app over it.
    pub(crate) fn connection_closed(&mut self, server: usize, slot: Option<usize>, requests: u64) {
        if let Some(server) = self.servers.get_mut(server) {
            server.connections_active.dec();
            if requests == 0 {
                server.connections_without_request.inc();
            }
            if let (Some(slots), Some(slot)) = (server.slots.as_mut(), slot) {
                slots.release_slot(slot);
            }
        }
    }

    /// A connection's slot moves to `state` (active while a request is handled).
    pub(crate) fn connection_state(&mut self, server: usize, slot: usize, state: SlotState) {
        if let Some(slots) = self.servers.get_mut(server).and_then(|s| s.slots.as_mut()) {
            slots.set_state(slot, state);
        }
    }

    /// Records a finished request; returns its series' place, for response bytes that
    /// arrive later (streamed bodies).
    pub(crate) fn record(&mut self, server: usize, outcome: &Outcome<'_>) -> Option<usize> {
        let limit = self.limit;
        let histograms = &self.histograms;
        let server = self.servers.get_mut(server)?;
        let place = server.place(outcome, limit, histograms);
        let series = &mut server.series[place];
        series.requests.inc();
        if outcome.error {
            series.errors.inc();
        }
        match outcome.exemplar {
            Some(exemplar) => series
                .duration
                .observe_with_exemplar(outcome.seconds, exemplar),
            None => series.duration.observe(outcome.seconds),
        }
        series.request_bytes.add(outcome.request_bytes);
        series.response_bytes.add(outcome.response_bytes);
        Some(place)
    }

    /// A streamed response was dropped before its body's end.
    pub(crate) fn response_aborted(&mut self, server: usize) {
        if let Some(server) = self.servers.get_mut(server) {
            server.responses_aborted.inc();
        }
    }

    /// Adds streamed response bytes to a series [`Self::record`] returned.
    pub(crate) fn add_response_bytes(&mut self, server: usize, series: usize, bytes: u64) {
        if let Some(series) = self
            .servers
            .get_mut(server)
            .and_then(|s| s.series.get_mut(series))
        {
            series.response_bytes.add(bytes);
        }
    }
}

impl ServerStats {
    /// The series of `outcome`'s label set: found, added, or the overflow series when
    /// `limit` label sets exist already.
    fn place(&mut self, outcome: &Outcome<'_>, limit: usize, shape: &HistogramShape) -> usize {
        let (protocol, method, status) = (
            usize::from(outcome.protocol),
            usize::from(outcome.method),
            usize::from(outcome.status),
        );
        if let Some(table) = self.routes.get(outcome.route) {
            let found = table[protocol][method][status];
            if found != NONE {
                return found as usize;
            }
        }
        if self.series.len() - usize::from(self.overflow.is_some()) >= limit {
            self.folded.inc();
            let overflow = match self.overflow {
                Some(place) => place,
                None => self.push(Arc::from(OVERFLOW), [255, 255, 255], shape),
            };
            self.overflow = Some(overflow);
            return overflow;
        }
        let route: Arc<str> = Arc::from(outcome.route);
        let labels = [outcome.method, outcome.status, outcome.protocol];
        let place = self.push(Arc::clone(&route), labels, shape);
        let table = self.routes.entry(route).or_insert([[[NONE; 6]; 10]; 4]);
        #[allow(clippy::cast_possible_truncation)] // at most `limit` + 1 series, far below u32::MAX
        {
            table[protocol][method][status] = place as u32;
        }
        place
    }

    /// Adds a series for `route` and the label indexes `[method, status, protocol]`.
    fn push(&mut self, route: Arc<str>, labels: [u8; 3], shape: &HistogramShape) -> usize {
        let [method, status, protocol] = labels;
        let mut duration = Histogram::new(shape.buckets.clone());
        if let Some(native) = shape.native {
            duration = duration.with_native(native);
        }
        self.series.push(Series {
            route,
            method,
            status,
            protocol,
            requests: Counter::new(),
            errors: Counter::new(),
            duration,
            request_bytes: Counter::new(),
            response_bytes: Counter::new(),
        });
        self.series.len() - 1
    }

    fn label(&self) -> String {
        match (&self.name, self.port) {
            (Some(name), _) => name.clone(),
            (None, Some(port)) => format!("*:{port}"),
            (None, None) => "unknown".to_owned(),
        }
    }
}

const IN_FLIGHT: Metric<'static, Gauge> = Metric::gauge(
    "http_server_requests_in_flight",
    "Requests being handled now.",
);
const CONNECTIONS_OPENED: Metric<'static, Counter> = Metric::counter(
    "http_server_connections_opened_total",
    "Connections accepted (counted when the server calls on_connect).",
);
const CONNECTIONS_ACTIVE: Metric<'static, Gauge> = Metric::gauge(
    "http_server_connections_active",
    "Connections open now (counted when the server calls on_connect).",
);
const WITHOUT_REQUEST: Metric<'static, Counter> = Metric::counter(
    "http_server_connections_without_request_total",
    "Connections closed before any request reached the app: a request-head timeout (408), a malformed head (400), or a client that connected and left (counted when the server calls on_connect).",
);
const ABORTED: Metric<'static, Counter> = Metric::counter(
    "http_server_responses_aborted_total",
    "Streamed responses that ended before their body did: the client disconnected mid-response (a live stream's subscriber leaving counts here), or the body failed.",
);
const STREAMS: Metric<'static, Counter> = Metric::counter(
    "http_server_streams_total",
    "HTTP/2 streams that reached the app as requests (one per request; streams reset before a request was read are not seen).",
);
const STREAMS_ACTIVE: Metric<'static, Gauge> = Metric::gauge(
    "http_server_streams_active",
    "HTTP/2 streams whose request is being handled now.",
);
const FOLDED: Metric<'static, Counter> = Metric::counter(
    "http_server_requests_folded_total",
    "Requests counted in the (overflow) series because their route, method and status were past the series limit.",
);
const REQUESTS: Metric<'static, Counter> = Metric::counter(
    "http_server_requests_total",
    "Requests handled, by route pattern, method, status class and protocol (HTTP version).",
);
const ERRORS: Metric<'static, Counter> = Metric::counter(
    "http_server_errors_total",
    "Requests that failed: a 5xx status, or an error raised by an inner service.",
);
const DURATION: Metric<'static, Histogram> = Metric::histogram(
    "http_server_request_duration_seconds",
    "Time from a request's arrival to its response head (streamed bodies not included).",
)
.unit(Unit::Seconds);
const REQUEST_BYTES: Metric<'static, Counter> = Metric::counter(
    "http_server_request_body_bytes_total",
    "Request body bytes, as declared by Content-Length.",
)
.unit(Unit::Bytes);
const RESPONSE_BYTES: Metric<'static, Counter> = Metric::counter(
    "http_server_response_body_bytes_total",
    "Response body bytes sent (0 for HEAD).",
)
.unit(Unit::Bytes);

/// Which counter of a series a family reports.
type SeriesCounter = fn(&Series) -> &Counter;

impl WorkerStats for HttpWorkerStats {
    fn write(&self, out: &mut Writer<'_>) -> Result<(), ModelError> {
        for server in &self.servers {
            server.write(out)?;
        }
        Ok(())
    }

    /// Writes one server with one request, so every family is checked at registration.
    fn check(out: &mut Writer<'_>) -> Result<(), ModelError> {
        let shape = HistogramShape {
            buckets: crate::stats::Buckets::http_seconds(),
            native: Some(crate::stats::NativeConfig::default()),
        };
        let mut stats = Self::new(1, shape, Some(1));
        let server = stats.server_named("check");
        let outcome = Outcome {
            route: "/",
            method: 0,
            status: 1,
            protocol: 2,
            error: false,
            seconds: 0.001,
            request_bytes: 0,
            response_bytes: 0,
            exemplar: None,
        };
        stats.record(server, &outcome);
        stats.write(out)
    }
}

impl ServerStats {
    fn write(&self, out: &mut Writer<'_>) -> Result<(), ModelError> {
        let name = self.label();
        let server = [("server", name.as_str())];
        out.family(IN_FLIGHT).add(server, &self.in_flight)?;
        out.family(CONNECTIONS_OPENED)
            .add(server, &self.connections_opened)?;
        out.family(CONNECTIONS_ACTIVE)
            .add(server, &self.connections_active)?;
        out.family(WITHOUT_REQUEST)
            .add(server, &self.connections_without_request)?;
        out.family(ABORTED).add(server, &self.responses_aborted)?;
        out.family(STREAMS).add(server, &self.streams)?;
        out.family(STREAMS_ACTIVE)
            .add(server, &self.streams_active)?;
        if let Some(slots) = &self.slots {
            out.pool("connections", &name, slots)?;
        }
        out.family(FOLDED).add(server, &self.folded)?;
        let counters: [(Metric<'static, Counter>, SeriesCounter); 4] = [
            (REQUESTS, |series| &series.requests),
            (ERRORS, |series| &series.errors),
            (REQUEST_BYTES, |series| &series.request_bytes),
            (RESPONSE_BYTES, |series| &series.response_bytes),
        ];
        for (metric, stat) in counters {
            let mut family = out.family(metric).declare()?;
            for series in &self.series {
                family.add(series.labels(&name), stat(series))?;
            }
        }
        let mut durations = out.family(DURATION).declare()?;
        for series in &self.series {
            durations.add(series.labels(&name), &series.duration)?;
        }
        Ok(())
    }
}

impl Series {
    /// `server`, `route`, `method`, `status` and `protocol`.
    fn labels<'a>(&'a self, server: &'a str) -> [(&'static str, &'a str); 5] {
        let (method, status, protocol) = if self.method == 255 {
            (OVERFLOW, OVERFLOW, OVERFLOW)
        } else {
            (
                METHODS[usize::from(self.method)],
                STATUS_CLASSES[usize::from(self.status)],
                PROTOCOLS[usize::from(self.protocol)],
            )
        };
        [
            ("server", server),
            ("route", &*self.route),
            ("method", method),
            ("status", status),
            ("protocol", protocol),
        ]
    }
}
