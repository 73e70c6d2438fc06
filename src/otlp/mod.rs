//! Push the registry's snapshot over OTLP/HTTP to an OpenTelemetry Collector (or
//! Prometheus' OTLP receiver, Grafana Alloy, a vendor), every interval.
//!
//! Only with the `otlp` feature. It lives in the core crate, beside `/metrics`, because
//! it is another way out for the same snapshot: every export is one gather through
//! [`MetricsRegistry::scrape_shared`], the coalesced gather `/metrics` and the dashboard
//! stream use, so a scrape and an export that coincide cost one gather.
//!
//! ```no_run
//! use std::time::Duration;
//! use actorscope::otlp::OtlpExporter;
//! use actorscope::MetricsRegistry;
//!
//! # async fn run() -> Result<(), actorscope::otlp::ConfigError> {
//! let registry = MetricsRegistry::global();
//! // Endpoint, headers, interval... from the builder, else the OTEL_* variables.
//! let exporter = OtlpExporter::builder(registry)
//!     .endpoint("http://127.0.0.1:4318/v1/metrics")
//!     .interval(Duration::from_secs(15))
//!     .start()?;
//! // ... on shutdown: one last export, bounded.
//! exporter.shutdown(Duration::from_secs(5)).await;
//! # Ok(())
//! # }
//! ```
//!
//! # What is sent
//! - One `ResourceMetrics`: `service.name`, `service.instance.id` (random per process),
//!   `host.name`, `process.pid`, `telemetry.sdk.{name,language,version}`, and the
//!   attributes given; one scope, `actorscope` with the crate's version.
//! - Counter → cumulative monotonic Sum, named without `_total` (the OpenMetrics name,
//!   which OpenTelemetry's Prometheus translators add back); gauge → Gauge; histogram →
//!   cumulative Histogram with explicit bounds, or ExponentialHistogram when it has a
//!   native form; summary → Summary; info → a Gauge point of 1 whose attributes are the
//!   information; slot maps are left out. Units become UCUM (`s`, `By`, `1`), help the
//!   description, exemplars OTLP exemplars.
//! - Start times: when each cumulative series began counting, as far as exports can
//!   tell: the registry's creation for series there from the start, else the export
//!   before the one that first saw the series or saw its count go down (a reset: a new
//!   worker on a reused `worker` label). Never earlier than the truth, and later by at
//!   most one interval; a reset whose new count has passed the old one by the next
//!   export is not seen.
//! - Plain `http://` only: there is no TLS, so an `https://` endpoint is refused at
//!   [`OtlpBuilder::start`]; send to a Collector or agent on loopback or a trusted
//!   network, which can forward over TLS.
//!
//! # Under faults
//! - Each request has a timeout (`OTEL_EXPORTER_OTLP_TIMEOUT`, 10 s).
//! - 429, 502, 503 and 504, and no answer at all, are retried after the server's
//!   `Retry-After` or an exponential backoff (1 s doubling to 32 s, ±50% jitter), until
//!   the next export is due: the data is cumulative, so the next export supersedes the
//!   missed one and nothing queues. Other answers are not retried.
//! - One export is in flight at most; `/metrics` and the hot path never wait for it.
//! - The exporter's own families: `actorscope_otlp_exports_total{result}`,
//!   `_retries_total`, `_points_total`, `_export_duration_seconds`,
//!   `_last_success_timestamp_seconds` (collector `otlp`).

mod config;
mod convert;
mod direct;
mod stats;
mod transport;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry_proto::tonic::common::v1::{any_value, InstrumentationScope};
use opentelemetry_proto::tonic::resource::v1::Resource;
use tokio::sync::oneshot;

pub use config::{ConfigError, OtlpConfig, DEFAULT_ENDPOINT, DEFAULT_INTERVAL, DEFAULT_TIMEOUT};

use crate::model::MetricSnapshot;
use crate::registry::{collector_fn, MetricsRegistry};
use config::Overrides;
use convert::StartTimes;
use stats::{ExporterStats, Outcome};
use transport::Answer;

/// How long a gather for an export may take.
const GATHER_DEADLINE: Duration = Duration::from_secs(5);

/// Encodes snapshots as OTLP/HTTP request bodies (protobuf `ExportMetricsServiceRequest`),
/// keeping each cumulative series' start time from one call to the next: what
/// [`OtlpExporter`] sends, for a transport of your own.
///
/// ```
/// use std::time::SystemTime;
/// use actorscope::otlp::OtlpEncoder;
/// use actorscope::model::MetricSnapshot;
/// use actorscope::write::Writer;
///
/// let mut snapshot = MetricSnapshot::new();
/// Writer::new(&mut snapshot).counter("jobs_total", "Jobs.").add((), 3)?;
/// let mut encoder = OtlpEncoder::new(SystemTime::now(), [("service.name", "jobs")]);
/// let (body, points) = encoder.encode(&snapshot, SystemTime::now());
/// assert_eq!(points, 1);
/// assert!(!body.is_empty());
/// # Ok::<(), actorscope::model::ModelError>(())
/// ```
#[derive(Debug)]
pub struct OtlpEncoder {
    envelope: direct::Envelope,
    starts: StartTimes,
    buffers: direct::Buffers,
}

impl OtlpEncoder {
    /// An encoder for series that began counting no earlier than `origin` (the
    /// registry's [`created_at`](MetricsRegistry::created_at)), with these resource
    /// attributes (`service.name` among them, as OTLP requires).
    pub fn new<K: Into<String>, V: Into<String>>(
        origin: SystemTime,
        resource: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let attributes = resource
            .into_iter()
            .map(|(key, value)| convert::string_attribute(&key.into(), value))
            .collect();
        Self::with_resource(
            origin,
            Resource {
                attributes,
                ..Resource::default()
            },
        )
    }

    fn with_resource(origin: SystemTime, resource: Resource) -> Self {
        Self {
            envelope: direct::Envelope::new(&resource, &scope()),
            starts: StartTimes::new(unix_nanos(origin)),
            buffers: direct::Buffers::default(),
        }
    }

    /// `snapshot`, gathered at `time`, as a request body; and how many points it holds.
    pub fn encode(&mut self, snapshot: &MetricSnapshot, time: SystemTime) -> (Vec<u8>, usize) {
        direct::encode_request(
            snapshot,
            unix_nanos(time),
            &mut self.starts,
            &self.envelope,
            &mut self.buffers,
        )
    }
}

/// The instrumentation scope: this crate.
fn scope() -> InstrumentationScope {
    InstrumentationScope {
        name: "actorscope".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        ..InstrumentationScope::default()
    }
}

/// Exports a registry over OTLP/HTTP; made by [`OtlpExporter::builder`].
#[derive(Debug)]
pub struct OtlpExporter {
    config: OtlpConfig,
    stop: Option<oneshot::Sender<Duration>>,
    done: Option<oneshot::Receiver<()>>,
}

/// Settings for an [`OtlpExporter`]; whatever is not set comes from the `OTEL_*`
/// variables, then the defaults (see [`OtlpConfig`]).
#[derive(Debug)]
#[must_use]
pub struct OtlpBuilder {
    registry: MetricsRegistry,
    overrides: Overrides,
}

impl OtlpExporter {
    /// Settings for exporting `registry`.
    pub fn builder(registry: &MetricsRegistry) -> OtlpBuilder {
        OtlpBuilder {
            registry: registry.clone(),
            overrides: Overrides::default(),
        }
    }

    /// The settings it runs with.
    #[must_use]
    pub fn config(&self) -> &OtlpConfig {
        &self.config
    }

    /// Stops exporting, after one last export that takes at most `within`.
    pub async fn shutdown(mut self, within: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(within);
        }
        if let Some(done) = self.done.take() {
            let _ = tokio::time::timeout(within + Duration::from_millis(100), done).await;
        }
    }
}

impl OtlpBuilder {
    /// The full URL to post to (as `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, used as given).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.overrides.endpoint = Some(url.into());
        self
    }

    /// A request header, e.g. an API key (over the variables' headers of that name).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.overrides.headers.push((name.into(), value.into()));
        self
    }

    /// How long one request may take.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.overrides.timeout = Some(timeout);
        self
    }

    /// How often to export.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.overrides.interval = Some(interval);
        self
    }

    /// `service.name`.
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.overrides.service_name = Some(name.into());
        self
    }

    /// A resource attribute (over `OTEL_RESOURCE_ATTRIBUTES`' of that key).
    pub fn resource_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.overrides.resource.push((key.into(), value.into()));
        self
    }

    /// Whether to gzip request bodies (off by default).
    pub fn gzip(mut self, gzip: bool) -> Self {
        self.overrides.gzip = Some(gzip);
        self
    }

    /// Resolves the settings against the process environment, registers the exporter's
    /// own collector (`otlp`) and starts exporting on the current actix arbiter.
    ///
    /// # Errors
    /// A setting that cannot be used, naming its variable (or builder setting).
    ///
    /// # Panics
    /// Outside an actix system (the HTTP client is actix's).
    pub fn start(self) -> Result<OtlpExporter, ConfigError> {
        let config = OtlpConfig::resolve(&self.overrides, |name| std::env::var(name).ok())?;
        let stats = Arc::new(ExporterStats::default());
        let written = Arc::clone(&stats);
        if let Err(error) = self
            .registry
            .register("otlp", collector_fn(move |out| written.write(out)))
        {
            log::warn!("actorscope: the OTLP exporter's own families are not registered: {error}");
        }
        let (stop, stopped) = oneshot::channel();
        let (finished, done) = oneshot::channel();
        let task = Task::new(self.registry, config.clone(), stats);
        actix::spawn(async move {
            task.run(stopped).await;
            let _ = finished.send(());
        });
        Ok(OtlpExporter {
            config,
            stop: Some(stop),
            done: Some(done),
        })
    }
}

fn resource(config: &OtlpConfig) -> Resource {
    let mut attributes = vec![
        convert::string_attribute("service.name", config.service_name.clone()),
        convert::string_attribute(
            "service.instance.id",
            crate::stats::TraceId::random().to_string(),
        ),
        convert::attribute(
            "process.pid",
            any_value::Value::IntValue(i64::from(std::process::id())),
        ),
        convert::string_attribute("telemetry.sdk.name", "actorscope"),
        convert::string_attribute("telemetry.sdk.language", "rust"),
        convert::string_attribute("telemetry.sdk.version", env!("CARGO_PKG_VERSION")),
    ];
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|host| host.trim().to_owned())
        .filter(|host| !host.is_empty());
    if let Some(host) = host {
        attributes.push(convert::string_attribute("host.name", host));
    }
    for (key, value) in &config.resource {
        attributes.retain(|kv| kv.key != *key);
        attributes.push(convert::string_attribute(key, value.clone()));
    }
    Resource {
        attributes,
        ..Resource::default()
    }
}

fn unix_nanos(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The export loop's state.
struct Task {
    registry: MetricsRegistry,
    config: OtlpConfig,
    stats: Arc<ExporterStats>,
    client: awc::Client,
    encoder: OtlpEncoder,
    /// xorshift state for the backoff's jitter.
    jitter: u64,
}

impl Task {
    fn new(registry: MetricsRegistry, config: OtlpConfig, stats: Arc<ExporterStats>) -> Self {
        let client = awc::Client::builder()
            .timeout(config.timeout)
            .disable_redirects()
            .finish();
        Self {
            encoder: OtlpEncoder::with_resource(registry.created_at(), resource(&config)),
            registry,
            client,
            stats,
            jitter: unix_nanos(SystemTime::now()) | 1,
            config,
        }
    }

    fn random(&mut self) -> f64 {
        self.jitter ^= self.jitter << 13;
        self.jitter ^= self.jitter >> 7;
        self.jitter ^= self.jitter << 17;
        #[allow(clippy::cast_precision_loss)]
        let unit = (self.jitter >> 11) as f64 / (1u64 << 53) as f64;
        unit
    }

    async fn run(mut self, mut stop: oneshot::Receiver<Duration>) {
        let interval = self.config.interval;
        let mut next = tokio::time::Instant::now() + interval;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(next) => {}
                within = &mut stop => return self.last_export(within.unwrap_or_default()).await,
            }
            next += interval;
            let now = tokio::time::Instant::now();
            if next <= now {
                next = now + interval;
            }
            tokio::select! {
                () = self.export(next) => {}
                // Stopped mid-export: that one is dropped, the last one starts now.
                within = &mut stop => return self.last_export(within.unwrap_or_default()).await,
            }
        }
    }

    /// The export on shutdown, with the final counts, taking at most `within`.
    async fn last_export(&mut self, within: Duration) {
        let until = tokio::time::Instant::now() + within;
        let _ = tokio::time::timeout(within, self.export(until)).await;
    }

    /// One export: gather, convert, post, and retry what may be retried until `until`.
    async fn export(&mut self, until: tokio::time::Instant) {
        let started = std::time::Instant::now();
        let snapshot = self.registry.scrape_shared(GATHER_DEADLINE).await;
        let (mut body, points) = self.encoder.encode(&snapshot, SystemTime::now());
        if self.config.gzip {
            body = gzip(&body);
        }
        let mut attempt = 0;
        let outcome = loop {
            match transport::post(&self.client, &self.config, body.clone()).await {
                Answer::Taken { rejected_points } => {
                    if rejected_points > 0 {
                        log::warn!("actorscope: the OTLP receiver refused {rejected_points} of {points} points");
                    }
                    break Outcome::Success;
                }
                Answer::Refused { why } => {
                    log::warn!("actorscope: OTLP export refused, not retried: {why}");
                    break Outcome::Rejected;
                }
                Answer::Retry { retry_after, why } => {
                    attempt += 1;
                    let wait =
                        retry_after.unwrap_or_else(|| transport::backoff(attempt, self.random()));
                    if tokio::time::Instant::now() + wait >= until {
                        log::warn!(
                            "actorscope: OTLP export failed, the next export supersedes it: {why}"
                        );
                        break Outcome::Failure;
                    }
                    log::debug!("actorscope: OTLP export retried in {wait:?}: {why}");
                    self.stats.retried();
                    tokio::time::sleep(wait).await;
                }
            }
        };
        self.stats
            .export_ended(outcome, started.elapsed().as_secs_f64(), points);
    }
}

fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}
