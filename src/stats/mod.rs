//! Hot-path stats: the values a worker updates on every request or message.
//!
//! The rules of this module, which is why it imports nothing but `std`:
//! - every update goes through `&mut self`: the worker that owns a stat is the only one
//!   that touches it, so there are no atomics and no locks;
//! - no allocation and no lookup by name per update: names, labels and bucket bounds are
//!   chosen when a stat is created and attached only at scrape time (the cold path);
//! - with the cargo feature `metrics` off, [`Counter`], [`Gauge`] and [`Histogram`] are
//!   zero-sized and every method does nothing, so instrumented code compiles away.
//!
//! Keep one worker's stats together in one struct and wrap it in [`Padded`] so that two
//! workers' stats never share a cache line.

mod buckets;
mod exemplar;
mod native;
mod padded;
mod pool;

#[cfg(feature = "metrics")]
mod counter;
#[cfg(feature = "metrics")]
mod gauge;
#[cfg(feature = "metrics")]
mod histogram;
#[cfg(feature = "metrics")]
mod traced_counter;

#[cfg(not(feature = "metrics"))]
mod disabled;

pub use buckets::{Buckets, InvalidBuckets};
pub use exemplar::{Exemplar, ObservedExemplar, SpanId, TraceId};
pub use native::{bucket_upper_bound, NativeBuckets, NativeConfig, MAX_SCHEMA, MIN_SCHEMA};
pub use padded::Padded;
pub use pool::{Pool, SlotState};

#[cfg(feature = "metrics")]
pub use counter::Counter;
#[cfg(not(feature = "metrics"))]
pub use disabled::{Counter, Gauge, Histogram, TracedCounter};
#[cfg(feature = "metrics")]
pub use gauge::Gauge;
#[cfg(feature = "metrics")]
pub use histogram::Histogram;
#[cfg(feature = "metrics")]
pub use traced_counter::TracedCounter;
