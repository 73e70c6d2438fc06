//! The cold path's gathering side: collectors, the registry that holds them, and the scrape.

mod collector;
mod error;
mod health;
mod metrics_registry;
mod scrape;

pub use collector::{collector_fn, CollectError, Collector, FnCollector, ScrapeContext};
pub use error::RegisterError;
pub use metrics_registry::{MetricsRegistry, Registration, DEFAULT_DEADLINE};
