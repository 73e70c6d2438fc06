//! What `/metrics` and `/debug/metrics` share: the registry, the options, the limit on
//! scrapes in flight, and how a body is compressed.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{self, HeaderMap};
use actix_web::HttpResponseBuilder;
use flate2::write::GzEncoder;
use flate2::Compression;

use super::error::{shown, WebError};
use super::history::History;
use super::stream::{counts_collector, Broadcaster, StreamSettings};
use super::{MountError, RouteOptions};
use crate::encode::accepts_gzip;
use crate::model::MetricSnapshot;
use crate::registry::{MetricsRegistry, RegisterError, Registration};

/// The name the live stream's own collector is registered under.
const STREAM_COLLECTOR: &str = "actorscope_sse";

/// The header Prometheus sends with its scrape timeout in seconds.
pub(crate) const PROMETHEUS_TIMEOUT_HEADER: &str = "X-Prometheus-Scrape-Timeout-Seconds";

/// State shared by every worker's copy of the routes.
#[derive(Debug)]
pub(crate) struct Endpoints {
    pub(crate) registry: MetricsRegistry,
    pub(crate) options: RouteOptions,
    pub(crate) broadcaster: Arc<Broadcaster>,
    in_flight: AtomicUsize,
    /// The stream's own collector, unregistered with the last clone of the routes.
    stream_collector: Option<Registration>,
}

impl Drop for Endpoints {
    fn drop(&mut self) {
        self.broadcaster.shut_down();
        if let Some(registration) = self.stream_collector.take() {
            registration.unregister();
        }
    }
}

/// One scrape being served; frees its place when dropped.
#[derive(Debug)]
pub(crate) struct Permit(Arc<Endpoints>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Endpoints {
    pub(crate) fn new(
        registry: MetricsRegistry,
        options: RouteOptions,
    ) -> Result<Self, MountError> {
        let settings = StreamSettings {
            interval: options.stream_interval,
            max_subscribers: options.max_stream_subscribers,
            backlog: options.stream_backlog,
            drop_after: options.stream_drop_after,
            heartbeat: options.stream_heartbeat,
            retry: Duration::from_secs(2),
            scrape_timeout: options
                .scrape_timeout
                .unwrap_or_else(|| registry.default_deadline()),
        };
        let history = Arc::new(History::new(options.history_series));
        let broadcaster = Broadcaster::new(&registry, settings, history);
        let stream_collector = registry
            .register(STREAM_COLLECTOR, counts_collector(&broadcaster))
            .map_err(|error| match error {
                RegisterError::DuplicateName { .. } => MountError::AlreadyMounted,
                other => MountError::Register(other),
            })?;
        Ok(Self {
            registry,
            options,
            broadcaster,
            in_flight: AtomicUsize::new(0),
            stream_collector: Some(stream_collector),
        })
    }

    /// The history of these routes (the broadcaster's).
    pub(crate) fn history(&self) -> &Arc<History> {
        self.broadcaster.history()
    }

    /// A place among the scrapes in flight, or [`WebError::Busy`].
    pub(crate) fn admit(self: &Arc<Self>) -> Result<Permit, WebError> {
        let limit = self.options.max_concurrent_scrapes.max(1);
        let taken = self.in_flight.fetch_add(1, Ordering::AcqRel);
        let permit = Permit(Arc::clone(self));
        if taken >= limit {
            return Err(WebError::Busy { limit });
        }
        Ok(permit)
    }

    /// The collectors' deadline as configured (the registry's default unless set).
    pub(crate) fn configured_timeout(&self) -> Duration {
        self.options
            .scrape_timeout
            .unwrap_or_else(|| self.registry.default_deadline())
    }

    /// The collectors' deadline: the configured one, shortened to fit Prometheus'
    /// timeout header when it is sent.
    ///
    /// # Errors
    /// [`WebError::InvalidHeader`] when the header is not a number of seconds above 0.
    pub(crate) fn timeout(&self, headers: &HeaderMap) -> Result<Duration, WebError> {
        let configured = self.configured_timeout();
        let Some(raw) = headers.get(PROMETHEUS_TIMEOUT_HEADER) else {
            return Ok(configured);
        };
        let text = raw.to_str().unwrap_or_default();
        let seconds = text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
            .ok_or_else(|| WebError::InvalidHeader {
                header: PROMETHEUS_TIMEOUT_HEADER,
                value: shown(&String::from_utf8_lossy(raw.as_bytes())),
                reason: "give the scrape timeout in seconds, a number above 0 (e.g. 10)",
            })?;
        let prometheus = Duration::from_secs_f64(seconds);
        let offset = self.options.prometheus_timeout_offset;
        let fitted = if prometheus > offset {
            prometheus - offset
        } else {
            prometheus / 2
        };
        Ok(configured.min(fitted))
    }

    /// Whether to gzip the answer: when enabled and `Accept-Encoding` allows it (a value
    /// that is not visible ASCII allows nothing).
    pub(crate) fn gzip(&self, headers: &HeaderMap) -> bool {
        let value = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|value| value.to_str().ok());
        self.options.gzip && accepts_gzip(value)
    }

    /// The registry's snapshot, shared with concurrent scrapes; recorded in the history.
    pub(crate) async fn snapshot(&self, timeout: Duration) -> Arc<MetricSnapshot> {
        let snapshot = self.registry.scrape_shared(timeout).await;
        self.history().record(&snapshot, now_ms());
        snapshot
    }
}

/// Now, in Unix milliseconds.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        })
}

/// Adds the headers every scrape answer has, compresses `body` if asked, and finishes.
pub(crate) fn finish(
    mut response: HttpResponseBuilder,
    content_type: impl actix_web::http::header::TryIntoHeaderValue,
    body: Vec<u8>,
    gzip: bool,
) -> actix_web::HttpResponse {
    response
        .content_type(content_type)
        .insert_header((header::VARY, "Accept, Accept-Encoding"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if gzip {
        let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 4), Compression::fast());
        // Writing into memory cannot fail.
        if encoder.write_all(&body).is_ok() {
            if let Ok(compressed) = encoder.finish() {
                return response
                    .insert_header((header::CONTENT_ENCODING, "gzip"))
                    .body(compressed);
            }
        }
    }
    response.body(body)
}
