//! ActorScope makes an actix/tokio actor server observable without slowing it down.
//!
//! ```text
//!  HOT PATH (per request, per message)          COLD PATH (per scrape)
//!  worker actor ──owns──▶ Tracked<stats>        MetricsRegistry ──asks──▶ Collector(s)
//!                         {Counter, Gauge,           │                        │ message to each
//!                          Histogram, Pool}          │                        ▼ worker, reply from
//!  plain fields, &mut self: no atomics,              │            MetricSnapshot ◀── its own thread
//!  no locks, no allocation, no lookup                ▼
//!                         encode::{Prometheus, OpenMetrics, Json} ──▶ Routes: /metrics, /debug/*
//! ```
//!
//! Modules, and what each may import (`tests/layering.rs` checks the first five):
//! - [`stats`]: hot-path types; imports only `std`.
//! - [`model`]: the snapshot, families, samples and their validation; imports nothing of
//!   the crate.
//! - [`write`](mod@write): the one typed [`Writer`](write::Writer) every worker and collector writes
//!   families with; imports `stats` and `model`.
//! - [`registry`]: the [`Collector`] trait, the [`MetricsRegistry`] and the scrape;
//!   imports `model`, `write` (and the stat types its declarations name).
//! - [`encode`]: Prometheus text 0.0.4, OpenMetrics 1.0 and JSON; imports `model`.
//! - [`actor`]: worker actors that own their stats and answer scrapes by message
//!   ([`worker_stats!`], [`Tracked`](actor::Tracked), [`WorkerCollector`](actor::WorkerCollector));
//!   imports `stats`, `model`, `write` and `registry`.
//! - the web side ([`Routes`], [`RequestMetrics`]): actix-web routes and middleware;
//!   imports everything. Its types live at the crate root, so nothing here is named `web`.
//!
//! `use actorscope::prelude::*;` brings what instrumenting an actor needs; a glob import
//! never clashes with your own names (an actor called `Counter` wins over ours).
//!
//! # Quick start
//!
//! ```
//! use actix::{Actor, Context};
//! use actorscope::prelude::*;
//!
//! // The stats of a worker, declared once: field, family, help (the doc comment).
//! actorscope::worker_stats! {
//!     pub struct JobStats {
//!         /// Jobs finished.
//!         #[metric("jobs_done_total")]
//!         done: Counter,
//!     }
//! }
//!
//! struct Worker {
//!     stats: Tracked<JobStats>,
//! }
//!
//! impl Actor for Worker {
//!     type Context = Context<Self>;
//!     fn started(&mut self, ctx: &mut Context<Self>) {
//!         self.stats.attach(ctx);
//!         self.stats.done.add(3); // the hot path: a plain add
//!     }
//! }
//! actorscope::report_stats!(Worker, stats: JobStats);
//!
//! actix::System::new().block_on(async {
//!     // At startup: one collector for all workers of this kind.
//!     let registry = MetricsRegistry::new();
//!     let workers = WorkerCollector::<JobStats>::new();
//!     registry.register("jobs", workers.clone()).unwrap();
//!     let _worker = Worker { stats: workers.tracked() }.start();
//!
//!     // At scrape time: gather and encode (what `/metrics` does).
//!     let text = String::from_utf8(Format::Prometheus.encode(&registry.scrape().await)).unwrap();
//!     assert!(text.contains("jobs_done_total{worker=\"0\"} 3\n"), "{text}");
//! });
//! ```

#![forbid(unsafe_code)]

pub mod actor;
pub mod encode;
pub mod model;
#[cfg(feature = "opentelemetry")]
pub mod otel;
#[cfg(feature = "otlp")]
pub mod otlp;
pub mod registry;
pub mod stats;
mod web;
pub mod write;

pub use encode::Format;
pub use model::{MetricFamily, MetricKind, MetricSnapshot};
pub use registry::{Collector, MetricsRegistry};
#[cfg(feature = "client")]
pub use web::{
    ClientMetrics, ClientMetricsBuilder, ClientMetricsFuture, ClientMetricsService,
    CountingConnector, HttpClientStats, AWC_DEFAULT_TIMEOUT, DEFAULT_CLIENT_SERIES_LIMIT,
    ROUTE_HEADER,
};
pub use web::{
    CountedBody, HttpWorkerStats, MountError, RequestMetrics, RequestMetricsBuilder,
    RequestMetricsFuture, RequestMetricsService, RouteOptions, Routes, WebError,
    DEFAULT_SERIES_LIMIT,
};

/// The README's code blocks, compiled and run as doc tests so the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// What instrumenting an actor, writing a collector and serving the routes need, for
/// `use actorscope::prelude::*;`. A glob import: your own names win over these.
pub mod prelude {
    pub use crate::actor::{Tracked, WorkerCollector, WorkerStats};
    pub use crate::encode::Format;
    pub use crate::model::{ModelError, Unit};
    pub use crate::registry::{
        collector_fn, CollectError, Collector, MetricsRegistry, ScrapeContext,
    };
    pub use crate::stats::{
        Buckets, Counter, Exemplar, Gauge, Histogram, NativeConfig, Pool, TracedCounter,
    };
    pub use crate::web::{RequestMetrics, RouteOptions, Routes};
    pub use crate::write::Writer;
    pub use crate::{report_stats, worker_stats};
}
