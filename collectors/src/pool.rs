//! [`PoolCollector`]: capacity families for pools that are not owned by a worker actor.
//!
//! A pool an actor owns is a [`Pool`] in the actor's stats, written with
//! [`Writer::pool`] like any other stat. A pool shared by several threads (a
//! database pool, a connection manager behind a lock) is read here at scrape time,
//! through a function that returns its current [`Pool`].

use std::sync::{Arc, Mutex};

use actorscope::registry::{CollectError, Collector, ScrapeContext};
use actorscope::stats::Pool;
use actorscope::write::Writer;

/// Reads a pool's state; `None` when it cannot tell now (the pool is then left out).
type Read = Box<dyn Fn() -> Option<Pool> + Send + Sync>;

/// One pool to read at every scrape.
struct Watched {
    pool: String,
    owner: String,
    read: Read,
}

/// Reads shared pools at scrape time and writes the `actorscope_pool_*` families (and
/// their slot maps, for the dashboard) with labels `pool` and `owner`, exactly as
/// [`Writer::pool`] does for a pool an actor owns.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use actorscope::registry::MetricsRegistry;
/// use actorscope::stats::Pool;
/// use actorscope_collectors::PoolCollector;
///
/// let database = Arc::new(Mutex::new(Pool::new(16)));
/// database.lock().unwrap().acquire();
///
/// let pools = PoolCollector::new();
/// pools.watch_shared("db", "api", &database);
/// let registry = MetricsRegistry::new();
/// registry.register("pools", pools)?;
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let snapshot = registry.scrape().await;
/// let in_use = snapshot.get("actorscope_pool_in_use").and_then(|f| f.value([("pool", "db"), ("owner", "api")]));
/// assert_eq!(in_use.and_then(|v| v.as_f64()), Some(1.0));
/// # });
/// # Ok::<(), actorscope::registry::RegisterError>(())
/// ```
#[derive(Clone, Default)]
pub struct PoolCollector {
    watched: Arc<Mutex<Vec<Watched>>>,
}

impl std::fmt::Debug for PoolCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let watched = self.lock();
        let names: Vec<(&str, &str)> = watched
            .iter()
            .map(|w| (w.pool.as_str(), w.owner.as_str()))
            .collect();
        f.debug_struct("PoolCollector")
            .field("pools", &names)
            .finish()
    }
}

impl PoolCollector {
    /// Watches nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Watched>> {
        self.watched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads `pool` (owned by `owner`, e.g. a server name) with `read` at every scrape.
    /// `read` runs on the scraping thread and must be quick.
    pub fn watch(
        &self,
        pool: impl Into<String>,
        owner: impl Into<String>,
        read: impl Fn() -> Option<Pool> + Send + Sync + 'static,
    ) {
        self.lock().push(Watched {
            pool: pool.into(),
            owner: owner.into(),
            read: Box::new(read),
        });
    }

    /// Reads a [`Pool`] kept behind a mutex, copying it at every scrape. A poisoned lock
    /// is read anyway (the counts are plain numbers).
    pub fn watch_shared(
        &self,
        pool: impl Into<String>,
        owner: impl Into<String>,
        shared: &Arc<Mutex<Pool>>,
    ) {
        let shared = Arc::clone(shared);
        self.watch(pool, owner, move || {
            Some(
                shared
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone(),
            )
        });
    }
}

impl Collector for PoolCollector {
    async fn collect(&self, _cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
        let watched = self.lock();
        for pool in watched.iter() {
            if let Some(state) = (pool.read)() {
                out.pool(&pool.pool, &pool.owner, &state)?;
            }
        }
        Ok(())
    }
}
