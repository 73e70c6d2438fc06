//! ActorScope makes an actix/tokio actor server observable without slowing it down.
//!
//! ```text
//!  HOT PATH (per request, per message)          COLD PATH (per scrape)
//!  worker actor ──owns──▶ stats::{Counter,      MetricsRegistry ──asks──▶ Collector(s)
//!                         Gauge, Histogram}          │                        │ message to each
//!  plain fields, &mut self: no atomics,              │                        ▼ worker, reply from
//!  no locks, no allocation, no lookup                │            MetricSnapshot ◀── its own thread
//!                                                    ▼
//!                         encode::{Prometheus, OpenMetrics, Json} ──▶ /metrics, /debug/metrics
//! ```
//!
//! Modules, and what each may import (`tests/layering.rs` checks the first two):
//! - [`stats`]: hot-path types; imports only `std`.
//! - [`model`]: the snapshot, families, samples and their validation; imports nothing of
//!   the crate.
//! - [`registry`]: the [`Collector`](registry::Collector) trait, the
//!   [`MetricsRegistry`](registry::MetricsRegistry) and the scrape; imports `model`.
//! - [`encode`]: Prometheus text 0.0.4, OpenMetrics 1.0 and JSON; imports `model`.
//! - [`actor`]: worker actors that own their stats and answer scrapes by message;
//!   imports `stats`, `model` and `registry`.
//! - [`web`]: actix-web routes (`/metrics`, `/debug/...`) and the request-metrics
//!   middleware; may import everything.
//!
//! # Quick start
//!
//! ```
//! use actorscope::encode::Format;
//! use actorscope::model::MetricKind;
//! use actorscope::registry::{collector_fn, MetricsRegistry};
//! use actorscope::stats::Counter;
//! use std::sync::{Arc, Mutex};
//!
//! // A component's stats (in a real worker these live in the actor, not behind a mutex).
//! let jobs = Arc::new(Mutex::new(Counter::new()));
//! jobs.lock().unwrap().add(3);
//!
//! // At startup: register a collector that turns the stats into families.
//! let registry = MetricsRegistry::new();
//! let stats = Arc::clone(&jobs);
//! registry.register("jobs", collector_fn(move |out| {
//!     let done = stats.lock().map(|counter| counter.get()).unwrap_or(0);
//!     out.family("jobs_done_total", "Jobs finished.", MetricKind::Counter)?.add((), done)?;
//!     Ok(())
//! }))?;
//!
//! // At scrape time: gather and encode.
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let snapshot = registry.scrape().await;
//! let text = String::from_utf8(Format::Prometheus.encode(&snapshot)).unwrap();
//! assert!(text.contains("jobs_done_total 3\n"));
//! # });
//! # Ok::<(), actorscope::registry::RegisterError>(())
//! ```

#![forbid(unsafe_code)]

pub mod actor;
mod convert;
pub mod encode;
pub mod model;
pub mod registry;
pub mod stats;
pub mod web;

pub use encode::Format;
pub use model::{MetricFamily, MetricKind, MetricSnapshot};
pub use registry::{Collector, MetricsRegistry};
