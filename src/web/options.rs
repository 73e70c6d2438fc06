use std::time::Duration;

/// How the routes serve scrapes. `Default` is safe for production.
///
/// ```
/// use std::time::Duration;
/// use actorscope::web::WebOptions;
///
/// let options = WebOptions::default()
///     .with_scrape_timeout(Duration::from_secs(2))
///     .with_max_concurrent_scrapes(4);
/// assert_eq!(options.scrape_timeout, Some(Duration::from_secs(2)));
/// assert!(options.gzip);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebOptions {
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
    pub gzip: bool,
}

impl Default for WebOptions {
    fn default() -> Self {
        Self {
            scrape_timeout: None,
            prometheus_timeout_offset: Duration::from_millis(500),
            max_concurrent_scrapes: 8,
            gzip: true,
        }
    }
}

impl WebOptions {
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

    /// Sets [`Self::gzip`].
    #[must_use]
    pub fn with_gzip(mut self, gzip: bool) -> Self {
        self.gzip = gzip;
        self
    }
}
