//! A per-worker buffer pool, instrumented in three steps: stats struct, one trait impl,
//! one line at startup. Four workers on four arbiters; the scrape asks each by message.
//!
//! Run: `cargo run --example buffer_pool`

#[path = "../collectors/src/bin/demo/buffer_pool.rs"]
mod buffer_pool;

use actix::{Actor, Arbiter, Context, Handler, Message};
use actorscope::actor::{Tracked, WorkerCollector};
use actorscope::registry::MetricsRegistry;
use actorscope::Format;
use buffer_pool::{BufferPool, PoolStats};

/// A worker that serves requests from its own buffer pool.
struct PoolWorker {
    // Step 1: the stats (here the pool's, `PoolStats`, which implements `WorkerStats`),
    // held as `Tracked` so a stopped worker's counts are kept.
    stats: Tracked<PoolStats>,
    pool: BufferPool,
}

impl Actor for PoolWorker {
    type Context = Context<Self>;
}

// Step 2: answer scrapes with a copy of the stats.
actorscope::report_stats!(PoolWorker, stats: PoolStats);

/// Serve a request that needs a buffer of this many bytes.
struct Serve(usize);

impl Message for Serve {
    type Result = ();
}

impl Handler<Serve> for PoolWorker {
    type Result = ();

    fn handle(&mut self, Serve(len): Serve, _: &mut Context<Self>) {
        let buffer = self.pool.acquire(len, &mut self.stats);
        self.pool.release(buffer, &mut self.stats);
    }
}

#[actix::main]
async fn main() {
    let workers = WorkerCollector::<PoolStats>::new();
    MetricsRegistry::global()
        .register("pool", workers.clone())
        .expect("the name is free");

    let arbiters: Vec<Arbiter> = (0..4).map(|_| Arbiter::new()).collect();
    let addrs: Vec<_> = arbiters
        .iter()
        // Step 3: one line per worker at startup.
        .map(|arbiter| {
            workers.start_in(&arbiter.handle(), PoolStats::new(16), |stats| PoolWorker {
                stats,
                pool: BufferPool::new(16),
            })
        })
        .collect();

    for (i, addr) in addrs.iter().enumerate() {
        for request in 0..100 * (i + 1) {
            addr.do_send(Serve(256 << (request % 4)));
        }
    }

    let snapshot = MetricsRegistry::global().scrape().await;
    let text = String::from_utf8(Format::Prometheus.encode(&snapshot)).expect("UTF-8");
    let ours =
        |line: &&str| line.starts_with("buffer_pool_") || line.starts_with("actorscope_pool_");
    for line in text.lines().filter(ours) {
        println!("{line}");
    }
    for arbiter in &arbiters {
        arbiter.stop();
    }
}
