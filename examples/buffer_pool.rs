//! A per-worker buffer pool, instrumented: its stats declared once, each worker tracked
//! from `started`, one handler line. Four workers on four arbiters; the scrape asks each
//! by message.
//!
//! Run: `cargo run --example buffer_pool`

use actix::{Actor, Arbiter, Context, Handler, Message};
use actorscope::prelude::*;

actorscope::worker_stats! {
    /// What one worker's pool did: plain fields, updated only by that worker.
    pub struct PoolStats {
        /// Acquisitions by result: hit (a pooled buffer was reused) or miss (allocated).
        #[metric("buffer_pool_lookups_total", by = "result", values = ["hit", "miss"])]
        lookups: [Counter; 2],
        /// Capacity of the buffers waiting in the pool.
        #[metric("buffer_pool_pooled_bytes", unit = Bytes)]
        pooled_bytes: Gauge,
    }
}

/// A lookup's result, as an index into `PoolStats::lookups`.
const HIT: usize = 0;
const MISS: usize = 1;

/// A worker that serves requests from its own pool of freed buffers.
struct PoolWorker {
    stats: Tracked<PoolStats>,
    free: Vec<Vec<u8>>,
}

impl Actor for PoolWorker {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.stats.attach(ctx); // scraped from now on
    }
}

// The handler that answers scrapes with a copy of the stats.
actorscope::report_stats!(PoolWorker, stats: PoolStats);

/// Serve a request that needs a buffer of this many bytes.
struct Serve(usize);

impl Message for Serve {
    type Result = ();
}

impl Handler<Serve> for PoolWorker {
    type Result = ();

    fn handle(&mut self, Serve(len): Serve, _: &mut Context<Self>) {
        let stats = &mut *self.stats;
        let buffer = match self.free.iter().position(|b| b.capacity() >= len) {
            Some(at) => {
                stats.lookups[HIT].inc();
                let buffer = self.free.swap_remove(at);
                stats.pooled_bytes.sub(buffer.capacity() as f64);
                buffer
            }
            None => {
                stats.lookups[MISS].inc();
                Vec::with_capacity(len)
            }
        };
        stats.pooled_bytes.add(buffer.capacity() as f64);
        self.free.push(buffer);
    }
}

#[actix::main]
async fn main() {
    let workers = WorkerCollector::<PoolStats>::new();
    MetricsRegistry::global()
        .register("pool", workers.clone())
        .expect("the name is free and the families are valid");

    let arbiters: Vec<Arbiter> = (0..4).map(|_| Arbiter::new()).collect();
    let addrs: Vec<_> = arbiters
        .iter()
        .map(|arbiter| {
            let stats = workers.tracked();
            PoolWorker::start_in_arbiter(&arbiter.handle(), move |_| PoolWorker {
                stats,
                free: Vec::new(),
            })
        })
        .collect();

    for (i, addr) in addrs.iter().enumerate() {
        for request in 0..100 * (i + 1) {
            let _ = addr.send(Serve(256 << (request % 4))).await;
        }
    }

    let snapshot = MetricsRegistry::global().scrape().await;
    let text = String::from_utf8(Format::Prometheus.encode(&snapshot)).expect("UTF-8");
    for line in text.lines().filter(|line| line.starts_with("buffer_pool_")) {
        println!("{line}");
    }
    for arbiter in &arbiters {
        arbiter.stop();
    }
}
