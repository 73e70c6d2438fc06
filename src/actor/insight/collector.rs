//! [`ActorCollector`]: the collector of every instrumented actor type.

use std::any::TypeId;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::future::join_all;
use once_cell::sync::Lazy;

use super::actor_type::ActorType;
use super::clock;
use super::field::{ActorInsight, Instrumented};
use super::stats::InsightCopy;
use super::ReportInsight;
use crate::registry::{CollectError, Collector, MetricsRegistry, ScrapeContext};
use crate::write::Writer;

/// The default slow-handling threshold: tokio-metrics' slow-poll threshold.
pub const DEFAULT_SLOW_THRESHOLD: Duration = Duration::from_micros(50);
/// The default cap on per-instance series of one actor type.
pub const DEFAULT_INSTANCE_CAP: usize = 64;
/// The share of the scrape's remaining time the actors get to answer.
const ACTOR_SHARE_OF_DEADLINE: f64 = 0.9;

static GLOBAL: Lazy<ActorCollector> = Lazy::new(|| {
    let actors = ActorCollector::new();
    if let Err(error) = MetricsRegistry::global().register("actors", actors.clone()) {
        log::warn!("actorscope: actor insight is not scraped by the global registry: {error}");
    }
    actors
});

/// Every instrumented actor type, and the [`Collector`] that writes their
/// `actorscope_actor_*` families (listed in the [module docs](super)).
///
/// At each scrape every live instance is asked for a copy of its counts, concurrently,
/// and answers on its own thread. An instance that does not answer in time (blocked on a
/// long message) is reported with the counts of its latest answer, so no series goes
/// backwards, and is counted in `actorscope_actor_unresponsive`; its mailbox depth is read
/// without it. Series are per actor type; a type made [`per_instance`](Self::per_instance)
/// also gets an `instance` label, capped.
///
/// Cloning is cheap and shares the collector.
#[derive(Clone)]
pub struct ActorCollector {
    shared: Arc<Shared>,
}

struct Shared {
    slow_threshold: Duration,
    instance_cap: usize,
    types: Mutex<Types>,
}

#[derive(Default)]
struct Types {
    known: Vec<(TypeId, &'static ActorType)>,
    per_instance: HashSet<TypeId>,
}

impl std::fmt::Debug for ActorCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActorCollector")
            .field("slow_threshold", &self.shared.slow_threshold)
            .field("instance_cap", &self.shared.instance_cap)
            .finish_non_exhaustive()
    }
}

impl Default for ActorCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl ActorCollector {
    /// A collector with the default slow threshold (50 µs) and instance cap (64). Register
    /// it, then make each actor's counts with [`Self::insight`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_options(DEFAULT_SLOW_THRESHOLD, DEFAULT_INSTANCE_CAP)
    }

    /// A collector that counts handlings longer than `slow_threshold` as slow, and gives
    /// at most `instance_cap` instances of a per-instance type their own series.
    #[must_use]
    pub fn with_options(slow_threshold: Duration, instance_cap: usize) -> Self {
        // The clock's one-off calibration (up to 200 ms) happens here, not at the first
        // instrumented message.
        clock::calibrate();
        Self {
            shared: Arc::new(Shared {
                slow_threshold,
                instance_cap,
                types: Mutex::new(Types::default()),
            }),
        }
    }

    /// The process-wide collector behind [`ActorInsight::new`], registered in
    /// [`MetricsRegistry::global`] as `actors` on first use.
    #[must_use]
    pub fn global() -> &'static ActorCollector {
        &GLOBAL
    }

    fn types(&self) -> MutexGuard<'_, Types> {
        self.shared
            .types
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Gives each instance of `A` its own series (`instance="0"`, `"1"`, ...: the
    /// smallest free number), up to the cap; instances past it share
    /// `instance="overflow"`, and stopped ones are summed in `instance="retired"`. Call
    /// before the first instance of `A` is made; later it changes nothing.
    pub fn per_instance<A: Instrumented>(&self) {
        self.types().per_instance.insert(TypeId::of::<A>());
    }

    /// Counts for a new actor of type `A`, reported by this collector.
    #[must_use]
    pub fn insight<A: Instrumented>(&self) -> ActorInsight<A> {
        ActorInsight::with_type(self.actor_type::<A>())
    }

    fn actor_type<A: Instrumented>(&self) -> &'static ActorType {
        let id = TypeId::of::<A>();
        let mut types = self.types();
        if let Some((_, kind)) = types.known.iter().find(|(known, _)| *known == id) {
            return kind;
        }
        let kind: &'static ActorType = Box::leak(Box::new(ActorType::new(
            short_type_name(std::any::type_name::<A>()),
            A::message_names(),
            types.per_instance.contains(&id),
            self.shared.instance_cap,
            clock::ticks(self.shared.slow_threshold),
        )));
        types.known.push((id, kind));
        kind
    }
}

/// A Rust type name without its module paths: `demo::shard::Get<kv::Key>` is
/// `Get<Key>`.
#[must_use]
pub fn short_type_name(name: &str) -> String {
    let mut short = String::with_capacity(name.len());
    let mut segment_start = 0;
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            short.truncate(segment_start);
        } else {
            short.push(c);
            if !(c.is_alphanumeric() || c == '_') {
                segment_start = short.len();
            }
        }
    }
    short
}

impl Collector for ActorCollector {
    async fn collect(&self, cx: &ScrapeContext, out: &mut Writer<'_>) -> Result<(), CollectError> {
        let types: Vec<&'static ActorType> = self.types().known.iter().map(|(_, k)| *k).collect();
        let budget = cx.remaining().mul_f64(ACTOR_SHARE_OF_DEADLINE);
        let asked = types.iter().map(|kind| ask_all(kind, budget));
        let answers = join_all(asked).await;
        let mut written = Vec::with_capacity(types.len());
        for (kind, answers) in types.iter().zip(answers) {
            let (groups, lifetime) = kind.groups(answers);
            written.push((*kind, groups, lifetime));
        }
        super::families::write(&written, out)?;
        Ok(())
    }
}

/// Asks every live instance of `kind` for a copy of its counts, within `budget`.
async fn ask_all(kind: &ActorType, budget: Duration) -> Vec<(u64, InsightCopy)> {
    let asked = kind.asked().into_iter().filter_map(|asked| {
        let recipient = asked.route.and_then(|route| route.upgrade())?;
        Some(async move {
            let answer = tokio::time::timeout(budget, recipient.send(ReportInsight)).await;
            match answer {
                Ok(Ok(copy)) => Some((asked.id, copy)),
                _ => None,
            }
        })
    });
    join_all(asked).await.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::short_type_name;

    #[test]
    fn type_names_lose_their_module_paths_and_keep_their_parameters() {
        assert_eq!(short_type_name("demo::shard::Get"), "Get");
        assert_eq!(short_type_name("Get"), "Get");
        assert_eq!(
            short_type_name("kv::Wrap<kv::Key, alloc::vec::Vec<u8>>"),
            "Wrap<Key, Vec<u8>>"
        );
        assert_eq!(short_type_name("(a::B, [c::D; 2])"), "(B, [D; 2])");
        assert_eq!(short_type_name("&'static a::B"), "&'static B");
    }
}
