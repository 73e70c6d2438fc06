use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;

use crate::model::ModelError;
use crate::write::Writer;

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
///   [`check`](Self::check) is called once, by
///   [`register`](super::MetricsRegistry::register).
/// - **Concurrency.** All collectors of a registry run concurrently, and two scrapes may
///   overlap, so `collect` may run concurrently with itself; it takes `&self`. It must
///   not block the thread: await replies (for example from actors) instead.
/// - **Output.** Write families to `out` (a [`Writer`]: family first, then samples). `out`
///   is this collector's own; the registry merges it with the others. A family written
///   by several collectors merges when type, help and unit agree; otherwise the later
///   collector's family is left out and reported as a conflict naming both.
/// - **Errors.** Return `Err` when the collector cannot report: its output for this scrape
///   is discarded, and the failure shows in `/metrics` as
///   `actorscope_scrape_collector_errors_total{collector,kind}` (`kind="invalid"` for a
///   [`ModelError`]: a bad name, label or value; `kind="error"` otherwise) and
///   `actorscope_scrape_error_info{collector,kind,reason}`, in the snapshot's errors, and
///   in a `log` warning when the reason changes. A panic is caught and reported the same
///   way (`kind="panicked"`).
/// - **Deadline.** `cx.deadline()` is when the registry stops waiting. A collector that
///   has not finished by then is dropped mid-way (`kind="timeout"`) and its output is
///   discarded, so a collector that asks several workers should give each a timeout
///   shorter than [`ScrapeContext::remaining`] and report the ones that missed it itself.
/// - **Checks at startup.** Override [`check`](Self::check) to refuse, at registration,
///   what would only fail at scrape time (a [`WorkerCollector`](crate::actor::WorkerCollector)
///   writes a fresh copy of its stats there, so a bad name is a startup error).
///
/// Write `collect` as an `async fn`; a synchronous collector can also be a closure
/// ([`collector_fn`]).
///
/// ```
/// use actorscope::registry::{CollectError, Collector, MetricsRegistry, ScrapeContext};
/// use actorscope::write::Writer;
///
/// struct QueueCollector;
///
/// impl Collector for QueueCollector {
///     async fn collect(&self, _cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
///         out.gauge("queue_depth", "Jobs waiting to run.").add([("queue", "email")], 3)?;
///         Ok(())
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
    /// Writes this collector's families to `out`; see the trait docs for the contract.
    fn collect(
        &self,
        cx: &ScrapeContext,
        out: &mut Writer<'_>,
    ) -> impl Future<Output = Result<(), CollectError>> + Send;

    /// Refuses, when the collector is registered, what would fail every scrape. The
    /// default checks nothing.
    ///
    /// # Errors
    /// The [`ModelError`] that names the bad family, label or value.
    fn check(&self) -> Result<(), ModelError> {
        Ok(())
    }
}

impl<T: Collector> Collector for Arc<T> {
    fn collect(
        &self,
        cx: &ScrapeContext,
        out: &mut Writer<'_>,
    ) -> impl Future<Output = Result<(), CollectError>> + Send {
        (**self).collect(cx, out)
    }

    fn check(&self) -> Result<(), ModelError> {
        (**self).check()
    }
}

/// The object-safe twin of [`Collector`] the registry keeps: the one place a
/// collector's future is boxed.
pub(crate) trait DynCollector: Send + Sync {
    fn collect_boxed<'a>(
        &'a self,
        cx: &'a ScrapeContext,
        out: &'a mut Writer<'_>,
    ) -> BoxFuture<'a, Result<(), CollectError>>;
}

impl<T: Collector> DynCollector for T {
    fn collect_boxed<'a>(
        &'a self,
        cx: &'a ScrapeContext,
        out: &'a mut Writer<'_>,
    ) -> BoxFuture<'a, Result<(), CollectError>> {
        Box::pin(self.collect(cx, out))
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

/// Wraps a closure that writes families synchronously (it must not block).
///
/// ```
/// use actorscope::registry::{collector_fn, MetricsRegistry};
///
/// let registry = MetricsRegistry::new();
/// registry
///     .register("build", collector_fn(|out| {
///         out.info("app_build_info", "Build of the running binary.")
///             .add([("version", env!("CARGO_PKG_VERSION"))], ())?;
///         Ok(())
///     }))
///     .unwrap();
/// ```
pub fn collector_fn<F>(collect: F) -> FnCollector<F>
where
    F: Fn(&mut Writer<'_>) -> Result<(), CollectError> + Send + Sync + 'static,
{
    FnCollector { collect }
}

impl<F> Collector for FnCollector<F>
where
    F: Fn(&mut Writer<'_>) -> Result<(), CollectError> + Send + Sync + 'static,
{
    async fn collect(&self, _cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
        // Runs when the future is polled, so the scrape catches a panic.
        (self.collect)(out)
    }
}
