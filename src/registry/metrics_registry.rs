use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};
use std::time::{Duration, Instant, SystemTime};

use futures::future::{BoxFuture, FutureExt, Shared};
use once_cell::sync::Lazy;

use super::collector::DynCollector;
use super::health::Health;
use super::scrape::gather;
use super::{Collector, RegisterError};
use crate::model::MetricSnapshot;

/// The deadline a scrape gives its collectors unless told otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5);

/// The collectors of a process (or of one part of it), and the scrape that asks them.
///
/// Registering is a startup role: [`register`](Self::register) checks the name once, so
/// a scrape never meets a bad one. Scraping is the cold path:
/// [`scrape`](Self::scrape) runs every collector concurrently under a deadline and
/// returns whatever came back; a collector that errs, panics or misses the deadline is
/// left out and reported (see [`Collector`]). Cloning is cheap and shares the collectors.
///
/// ```
/// use actorscope::registry::{collector_fn, MetricsRegistry};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let registry = MetricsRegistry::new();
/// let registration = registry.register("answers", collector_fn(|out| {
///     out.gauge("answer", "The answer.").add((), 42)?;
///     Ok(())
/// }))?;
/// let snapshot = registry.scrape().await;
/// assert_eq!(snapshot.get("answer").and_then(|f| f.value(())).and_then(|v| v.as_f64()), Some(42.0));
///
/// registration.unregister();
/// assert!(registry.scrape().await.get("answer").is_none());
/// # Ok::<(), actorscope::registry::RegisterError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct MetricsRegistry {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// Tells registries apart (clones share it).
    id: u64,
    entries: RwLock<Vec<Entry>>,
    next_id: AtomicU64,
    default_deadline: Duration,
    pub(crate) health: Mutex<Health>,
    in_flight: Mutex<Option<InFlight>>,
    /// When the registry was made: where cumulative series begin, for exporters that
    /// must say so (OTLP's start time).
    created: SystemTime,
}

/// One registered collector.
#[derive(Clone)]
pub(crate) struct Entry {
    id: u64,
    pub(crate) name: Arc<str>,
    pub(crate) collector: Arc<dyn DynCollector>,
}

/// A gather that concurrent [`MetricsRegistry::scrape_shared`] calls can join.
struct InFlight {
    deadline: Instant,
    gather: Shared<BoxFuture<'static, Arc<MetricSnapshot>>>,
}

static GLOBAL: Lazy<MetricsRegistry> = Lazy::new(MetricsRegistry::new);
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Locks a mutex that only the cold path uses; a panic elsewhere never leaves its data
/// half-written, so a poisoned lock is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl MetricsRegistry {
    /// An empty registry whose scrapes give collectors [`DEFAULT_DEADLINE`] (5 s).
    #[must_use]
    pub fn new() -> Self {
        Self::with_default_deadline(DEFAULT_DEADLINE)
    }

    /// An empty registry whose scrapes give collectors `deadline` unless told otherwise.
    #[must_use]
    pub fn with_default_deadline(deadline: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                entries: RwLock::new(Vec::new()),
                next_id: AtomicU64::new(0),
                default_deadline: deadline,
                health: Mutex::new(Health::default()),
                in_flight: Mutex::new(None),
                created: SystemTime::now(),
            }),
        }
    }

    /// When this registry was made (clones share it): the start of the counts its
    /// collectors report, as far as the registry can tell.
    #[must_use]
    pub fn created_at(&self) -> SystemTime {
        self.inner.created
    }

    /// The process-wide registry, created on first use.
    #[must_use]
    pub fn global() -> &'static MetricsRegistry {
        &GLOBAL
    }

    /// Adds `collector` under `name`, which then labels its errors and durations.
    ///
    /// To keep using the collector yourself, register an `Arc` clone of it.
    ///
    /// # Errors
    /// When the name is empty, longer than 128 characters or has control characters,
    /// another collector already uses it, or the collector's [`Collector::check`] finds a
    /// family it could never write.
    pub fn register(
        &self,
        name: impl Into<String>,
        collector: impl Collector,
    ) -> Result<Registration, RegisterError> {
        let name: String = name.into();
        if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
            return Err(RegisterError::InvalidName { name });
        }
        if let Err(error) = collector.check() {
            return Err(RegisterError::InvalidFamily {
                name,
                error: Box::new(error),
            });
        }
        let mut entries = self
            .inner
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.iter().any(|entry| *entry.name == *name) {
            return Err(RegisterError::DuplicateName { name });
        }
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let name: Arc<str> = name.into();
        entries.push(Entry {
            id,
            name: Arc::clone(&name),
            collector: Arc::new(collector),
        });
        Ok(Registration {
            registry: Arc::downgrade(&self.inner),
            id,
            name,
        })
    }

    /// The names of the registered collectors, in registration order.
    #[must_use]
    pub fn collector_names(&self) -> Vec<String> {
        self.entries()
            .iter()
            .map(|entry| entry.name.to_string())
            .collect()
    }

    /// A number no other registry of this process has; clones share it.
    #[must_use]
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// The deadline [`Self::scrape`] uses.
    #[must_use]
    pub fn default_deadline(&self) -> Duration {
        self.inner.default_deadline
    }

    /// How many gathers this registry has run (coalesced scrapes count once).
    #[must_use]
    pub fn scrape_count(&self) -> u64 {
        lock(&self.inner.health).scrapes()
    }

    /// Asks every collector, waiting at most the default deadline; see [`Collector`].
    ///
    /// Must run inside a tokio runtime with time enabled (actix provides one).
    pub async fn scrape(&self) -> MetricSnapshot {
        self.scrape_within(self.inner.default_deadline).await
    }

    /// Asks every collector, waiting at most `timeout` for each.
    pub async fn scrape_within(&self, timeout: Duration) -> MetricSnapshot {
        gather(&self.inner, Instant::now() + timeout).await
    }

    /// Like [`Self::scrape_within`], but joins a gather already under way when that one
    /// ends no later than this call's deadline, so concurrent scrapes share one gather.
    pub async fn scrape_shared(&self, timeout: Duration) -> Arc<MetricSnapshot> {
        let deadline = Instant::now() + timeout;
        let shared = {
            let mut slot = lock(&self.inner.in_flight);
            match slot.as_ref() {
                Some(in_flight)
                    if in_flight.gather.peek().is_none() && in_flight.deadline <= deadline =>
                {
                    in_flight.gather.clone()
                }
                _ => {
                    let inner = Arc::clone(&self.inner);
                    let gather = async move { Arc::new(gather(&inner, deadline).await) }
                        .boxed()
                        .shared();
                    *slot = Some(InFlight {
                        deadline,
                        gather: gather.clone(),
                    });
                    gather
                }
            }
        };
        shared.await
    }

    fn entries(&self) -> Vec<Entry> {
        self.inner.entries()
    }
}

impl Inner {
    /// A copy of the entries, so no lock is held while collectors run.
    pub(crate) fn entries(&self) -> Vec<Entry> {
        self.entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Default for MetricsRegistry {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MetricsRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsRegistry")
            .field("collectors", &self.collector_names())
            .field("default_deadline", &self.inner.default_deadline)
            .finish()
    }
}

/// Proof of a registration; [`unregister`](Self::unregister) removes the collector.
///
/// Dropping it keeps the collector registered: most collectors live as long as the
/// process.
#[derive(Debug)]
pub struct Registration {
    registry: Weak<Inner>,
    id: u64,
    name: Arc<str>,
}

impl Registration {
    /// The name the collector was registered under.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Removes the collector; returns whether it was still registered.
    pub fn unregister(self) -> bool {
        let Some(inner) = self.registry.upgrade() else {
            return false;
        };
        let mut entries = inner
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = entries.len();
        entries.retain(|entry| entry.id != self.id);
        let removed = entries.len() < before;
        drop(entries);
        if removed {
            lock(&inner.health).forget(&self.name);
        }
        removed
    }
}
