use std::sync::Arc;
use std::time::Duration;

use crate::encode::Encoder;

/// How the routes serve scrapes. `Default` is safe for production.
///
/// ```
/// use std::time::Duration;
/// use actorscope::RouteOptions;
///
/// let options = RouteOptions::default()
///     .with_scrape_timeout(Duration::from_secs(2))
///     .with_max_concurrent_scrapes(4);
/// assert_eq!(options.scrape_timeout, Some(Duration::from_secs(2)));
/// assert!(options.gzip);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RouteOptions {
    /// How long collectors get per scrape; `None` (the default) uses the registry's
    /// default deadline. A Prometheus scrape can only shorten it (see
    /// [`Self::prometheus_timeout_offset`]).
    pub scrape_timeout: Option<Duration>,
    /// Subtracted from Prometheus' `X-Prometheus-Scrape-Timeout-Seconds` header (default
    /// 0.5 s) so the answer, encoding included, arrives before Prometheus gives up. When
    /// the header is no larger than the offset, half of it is used instead.
    pub prometheus_timeout_offset: Duration,
    /// Scrapes (`/metrics` and `/debug/metrics`) served at once, across all workers
    /// (default 8). One more gets `503 Service Unavailable` with `Retry-After: 1`.
    /// Concurrent scrapes share one gather, so this bounds encoding work, not collection.
    pub max_concurrent_scrapes: usize,
    /// Compress with gzip when the client's `Accept-Encoding` allows it (default on).
    /// The live stream is never compressed.
    pub gzip: bool,
    /// How often the live stream (`/debug/stream`) scrapes and sends (default 1 s).
    pub stream_interval: Duration,
    /// Live-stream subscribers at once (default 256); past it, `200` with `retry:`.
    pub max_stream_subscribers: usize,
    /// Events a subscriber's queue holds (default 10). A subscriber whose queue is full
    /// skips ticks (its next delta still has every change) until it is dropped.
    pub stream_backlog: usize,
    /// A subscriber whose oldest queued event has waited unread for longer than this is
    /// dropped (default 1 s, checked at each tick); its browser reconnects. Raise it for
    /// dashboards on slow links, where a large first snapshot can take seconds to send.
    pub stream_drop_after: Duration,
    /// A quiet stream sends a `: keep-alive` comment this often (default 15 s), which
    /// keeps proxies from closing it and turns a half-open connection into an error.
    pub stream_heartbeat: Duration,
    /// Series the history ring (`/debug/history`) tracks at most (default 5,000); 0
    /// turns the history off (`/debug/history` then answers with no points, and a scrape
    /// records nothing).
    pub history_series: usize,
    /// Your own formats, served by `/metrics` to a client whose `Accept` names their media
    /// type (see [`Self::with_encoder`]).
    pub encoders: Vec<Arc<dyn Encoder>>,
}

impl Default for RouteOptions {
    fn default() -> Self {
        Self {
            scrape_timeout: None,
            prometheus_timeout_offset: Duration::from_millis(500),
            max_concurrent_scrapes: 8,
            gzip: true,
            stream_interval: Duration::from_secs(1),
            max_stream_subscribers: 256,
            stream_backlog: 10,
            stream_drop_after: Duration::from_secs(1),
            stream_heartbeat: Duration::from_secs(15),
            history_series: 5_000,
            encoders: Vec::new(),
        }
    }
}

impl RouteOptions {
    /// Sets [`Self::scrape_timeout`].
    #[must_use]
    pub fn with_scrape_timeout(mut self, timeout: Duration) -> Self {
        self.scrape_timeout = Some(timeout);
        self
    }

    /// Sets [`Self::prometheus_timeout_offset`].
    #[must_use]
    pub fn with_prometheus_timeout_offset(mut self, offset: Duration) -> Self {
        self.prometheus_timeout_offset = offset;
        self
    }

    /// Sets [`Self::max_concurrent_scrapes`] (at least 1).
    #[must_use]
    pub fn with_max_concurrent_scrapes(mut self, limit: usize) -> Self {
        self.max_concurrent_scrapes = limit.max(1);
        self
    }

    /// Sets [`Self::stream_interval`] (at least 10 ms).
    #[must_use]
    pub fn with_stream_interval(mut self, interval: Duration) -> Self {
        self.stream_interval = interval.max(Duration::from_millis(10));
        self
    }

    /// Sets [`Self::stream_heartbeat`] (at least 10 ms).
    #[must_use]
    pub fn with_stream_heartbeat(mut self, every: Duration) -> Self {
        self.stream_heartbeat = every.max(Duration::from_millis(10));
        self
    }

    /// Sets [`Self::stream_drop_after`].
    #[must_use]
    pub fn with_stream_drop_after(mut self, after: Duration) -> Self {
        self.stream_drop_after = after;
        self
    }

    /// Sets [`Self::max_stream_subscribers`].
    #[must_use]
    pub fn with_max_stream_subscribers(mut self, limit: usize) -> Self {
        self.max_stream_subscribers = limit;
        self
    }

    /// Sets [`Self::history_series`] (0: no history).
    #[must_use]
    pub fn with_history_series(mut self, series: usize) -> Self {
        self.history_series = series;
        self
    }

    /// Sets [`Self::gzip`].
    #[must_use]
    pub fn with_gzip(mut self, gzip: bool) -> Self {
        self.gzip = gzip;
        self
    }

    /// Serves `encoder` on `/metrics` too: a scrape whose `Accept` names its media type
    /// (the part of its `Content-Type` before `;`) exactly, with a `q` above that of any
    /// built-in format it accepts, gets it. Wildcards (`*/*`, `text/*`) never choose it,
    /// so Prometheus still gets a text format. A second encoder of the same media type
    /// replaces the first; one for a built-in media type is left out (with a warning logged).
    ///
    /// ```
    /// use actorscope::encode::Encoder;
    /// use actorscope::model::MetricSnapshot;
    /// use actorscope::RouteOptions;
    ///
    /// /// One line per family: its name and how many samples it has.
    /// #[derive(Debug)]
    /// struct Counts;
    ///
    /// impl Encoder for Counts {
    ///     fn content_type(&self) -> &'static str {
    ///         "text/x-family-counts; charset=utf-8"
    ///     }
    ///     fn encode(&self, snapshot: &MetricSnapshot, out: &mut Vec<u8>) {
    ///         for family in snapshot.families() {
    ///             out.extend_from_slice(format!("{} {}\n", family.name(), family.len()).as_bytes());
    ///         }
    ///     }
    /// }
    ///
    /// let options = RouteOptions::default().with_encoder(Counts);
    /// assert_eq!(options.encoders.len(), 1);
    /// ```
    #[must_use]
    pub fn with_encoder(mut self, encoder: impl Encoder + 'static) -> Self {
        let media = media_type(encoder.content_type()).to_owned();
        let built_in = [
            "text/plain",
            "application/openmetrics-text",
            "application/json",
        ];
        if built_in.iter().any(|b| media.eq_ignore_ascii_case(b)) {
            log::warn!(
                "actorscope: an encoder for {media:?} is left out: that is a built-in format"
            );
            return self;
        }
        self.encoders
            .retain(|known| !media_type(known.content_type()).eq_ignore_ascii_case(&media));
        self.encoders.push(Arc::new(encoder));
        self
    }
}

/// The media type of a `Content-Type` (before its parameters).
pub(crate) fn media_type(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}
