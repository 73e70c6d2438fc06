//! The cold path's gathering side: collectors, the registry that holds them, and the scrape.

mod collector;
mod error;
mod health;
mod registry;
mod scrape;

pub use collector::{collector_fn, CollectError, Collector, FnCollector, ScrapeContext};
pub use error::RegisterError;
pub use registry::{MetricsRegistry, Registration, DEFAULT_DEADLINE};
