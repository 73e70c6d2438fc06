use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::{self, BoxFuture, FutureExt};

use crate::model::MetricSnapshot;

/// The error a collector returns; any error type converts into it with `?`.
pub type CollectError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a collector knows about the scrape it is part of.
#[derive(Debug, Clone)]
pub struct ScrapeContext {
    collector: Arc<str>,
    deadline: Instant,
}

impl ScrapeContext {
    /// A context for the collector registered as `collector`, which must finish by `deadline`.
    #[must_use]
    pub fn new(collector: impl Into<Arc<str>>, deadline: Instant) -> Self {
        Self {
            collector: collector.into(),
            deadline,
        }
    }

    /// The name the collector was registered under.
    #[must_use]
    pub fn collector_name(&self) -> &str {
        &self.collector
    }

    /// When the registry stops waiting for this collector.
    #[must_use]
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Time left until [`Self::deadline`] (zero once it has passed).
    #[must_use]
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }
}

/// A source of metric families, asked once per scrape.
///
/// The contract:
/// - **When.** `collect` is called once per scrape of the registry the collector is
///   registered with, on the thread that runs the scrape, inside a tokio runtime.
/// - **Concurrency.** All collectors of a registry run concurrently, and two scrapes may
///   overlap, so `collect` may run concurrently with itself; it takes `&self`. It must
///   not block the thread: await replies (for example from actors) instead.
/// - **Output.** Declare families on `out` with [`MetricSnapshot::family`] and add
///   samples. `out` is this collector's own; the registry merges it with the others. A
///   family declared by several collectors merges when type and help agree; otherwise the
///   later collector's family is left out and reported as a conflict naming both.
/// - **Errors.** Return `Err` when the collector cannot report: its output for this scrape
///   is discarded, the error appears in the snapshot's errors and in
///   `actorscope_scrape_collector_errors_total{kind="error"}`. A panic is caught and
///   reported the same way (`kind="panic"`).
/// - **Deadline.** `cx.deadline()` is when the registry stops waiting. A collector that
///   has not finished by then is dropped mid-way (`kind="timeout"`) and its output is
///   discarded, so a collector that asks several workers should give each a timeout
///   shorter than [`ScrapeContext::remaining`] and report the ones that missed it itself.
///
/// Implement it with a boxed future, or wrap a synchronous closure with [`collector_fn`].
///
/// ```
/// use actorscope::model::{MetricKind, MetricSnapshot};
/// use actorscope::registry::{CollectError, Collector, MetricsRegistry, ScrapeContext};
/// use futures::future::{BoxFuture, FutureExt};
///
/// struct QueueCollector;
///
/// impl Collector for QueueCollector {
///     fn collect<'a>(
///         &'a self,
///         _cx: &'a ScrapeContext,
///         out: &'a mut MetricSnapshot,
///     ) -> BoxFuture<'a, Result<(), CollectError>> {
///         async move {
///             out.family("queue_depth", "Jobs waiting to run.", MetricKind::Gauge)?
///                 .add([("queue", "email")], 3)?;
///             Ok(())
///         }
///         .boxed()
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let registry = MetricsRegistry::new();
/// registry.register("queue", QueueCollector)?;
/// let snapshot = registry.scrape().await;
/// let depth = snapshot.get("queue_depth").and_then(|f| f.value([("queue", "email")]));
/// assert_eq!(depth.and_then(|v| v.as_f64()), Some(3.0));
/// # Ok::<(), actorscope::registry::RegisterError>(())
/// # }).unwrap();
/// ```
pub trait Collector: Send + Sync + 'static {
    /// Adds this collector's families to `out`; see the trait docs for the contract.
    fn collect<'a>(
        &'a self,
        cx: &'a ScrapeContext,
        out: &'a mut MetricSnapshot,
    ) -> BoxFuture<'a, Result<(), CollectError>>;
}

impl<T: Collector + ?Sized> Collector for Arc<T> {
    fn collect<'a>(
        &'a self,
        cx: &'a ScrapeContext,
        out: &'a mut MetricSnapshot,
    ) -> BoxFuture<'a, Result<(), CollectError>> {
        (**self).collect(cx, out)
    }
}

impl<T: Collector + ?Sized> Collector for Box<T> {
    fn collect<'a>(
        &'a self,
        cx: &'a ScrapeContext,
        out: &'a mut MetricSnapshot,
    ) -> BoxFuture<'a, Result<(), CollectError>> {
        (**self).collect(cx, out)
    }
}

/// A [`Collector`] made from a synchronous closure; see [`collector_fn`].
pub struct FnCollector<F> {
    collect: F,
}

impl<F> fmt::Debug for FnCollector<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnCollector")
    }
}

/// Wraps a closure that fills the snapshot synchronously (it must not block).
///
/// ```
/// use actorscope::model::MetricKind;
/// use actorscope::registry::{collector_fn, MetricsRegistry};
///
/// let registry = MetricsRegistry::new();
/// registry
///     .register("build", collector_fn(|out| {
///         out.family("app_build_info", "Build of the running binary.", MetricKind::Info)?
///             .add([("version", env!("CARGO_PKG_VERSION"))], 1)?;
///         Ok(())
///     }))
///     .unwrap();
/// ```
pub fn collector_fn<F>(collect: F) -> FnCollector<F>
where
    F: Fn(&mut MetricSnapshot) -> Result<(), CollectError> + Send + Sync + 'static,
{
    FnCollector { collect }
}

impl<F> Collector for FnCollector<F>
where
    F: Fn(&mut MetricSnapshot) -> Result<(), CollectError> + Send + Sync + 'static,
{
    fn collect<'a>(
        &'a self,
        _cx: &'a ScrapeContext,
        out: &'a mut MetricSnapshot,
    ) -> BoxFuture<'a, Result<(), CollectError>> {
        // Called inside the future so that a panic is caught by the scrape.
        future::lazy(move |_| (self.collect)(out)).boxed()
    }
}
