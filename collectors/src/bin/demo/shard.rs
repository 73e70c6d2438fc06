//! A key-value shard: an actor that owns its part of the map, its stats and its buffer
//! pool. Everything here runs on the shard's own arbiter thread.

use std::collections::HashMap;
use std::time::Instant;

use actix::{Actor, Context, Handler, Message};
use actorscope::actor::{StatsWriter, Tracked, WorkerStats};
use actorscope::model::{MetricKind, ModelError};
use actorscope::stats::{Buckets, Counter, Gauge, Histogram};

use crate::buffer_pool::{BufferPool, PoolStats};

/// Freed value buffers each shard keeps for reuse.
const POOLED_BUFFERS: usize = 256;

/// One operation on a shard.
#[derive(Debug)]
pub(crate) enum Op {
    /// Read a value.
    Get(String),
    /// Store a value, replacing any.
    Put(String, actix_web::web::Bytes),
    /// Remove a value.
    Delete(String),
}

/// What an operation found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The value read.
    Found(Vec<u8>),
    /// No such key.
    Missing,
    /// Stored; `true` if the key was new.
    Stored(bool),
    /// Removed.
    Deleted,
}

impl Message for Op {
    type Result = Outcome;
}

/// The shard's stats: plain fields, updated only by the shard.
#[derive(Debug, Clone)]
pub(crate) struct ShardStats {
    gets: Counter,
    puts: Counter,
    deletes: Counter,
    hits: Counter,
    misses: Counter,
    read_bytes: Counter,
    written_bytes: Counter,
    keys: Gauge,
    stored_bytes: Gauge,
    value_size: Histogram,
    op_seconds: Histogram,
    pool: PoolStats,
}

impl Default for ShardStats {
    fn default() -> Self {
        let sizes = Buckets::exponential(64.0, 4.0, 8).unwrap_or_default();
        let latency = Buckets::exponential(1e-6, 4.0, 10).unwrap_or_default();
        Self {
            gets: Counter::new(),
            puts: Counter::new(),
            deletes: Counter::new(),
            hits: Counter::new(),
            misses: Counter::new(),
            read_bytes: Counter::new(),
            written_bytes: Counter::new(),
            keys: Gauge::new(),
            stored_bytes: Gauge::new(),
            value_size: Histogram::new(sizes),
            op_seconds: Histogram::new(latency),
            pool: PoolStats::new(POOLED_BUFFERS),
        }
    }
}

impl WorkerStats for ShardStats {
    fn write(&self, out: &mut StatsWriter<'_>) -> Result<(), ModelError> {
        let ops = "Key-value operations handled, by kind.";
        for (op, count) in [
            ("get", &self.gets),
            ("put", &self.puts),
            ("delete", &self.deletes),
        ] {
            out.add(
                "kv_operations_total",
                ops,
                MetricKind::Counter,
                [("op", op)],
                count,
            )?;
        }
        let lookups = "GETs by result: hit (key present) or miss.";
        out.add(
            "kv_lookups_total",
            lookups,
            MetricKind::Counter,
            [("result", "hit")],
            &self.hits,
        )?;
        out.add(
            "kv_lookups_total",
            lookups,
            MetricKind::Counter,
            [("result", "miss")],
            &self.misses,
        )?;
        out.counter(
            "kv_read_bytes_total",
            "Value bytes returned by GETs.",
            &self.read_bytes,
        )?;
        out.counter(
            "kv_written_bytes_total",
            "Value bytes stored by PUTs.",
            &self.written_bytes,
        )?;
        out.gauge("kv_keys", "Keys stored in the shard.", &self.keys)?;
        out.gauge(
            "kv_stored_bytes",
            "Value bytes stored in the shard.",
            &self.stored_bytes,
        )?;
        out.histogram(
            "kv_value_size_bytes",
            "Sizes of values PUT.",
            &self.value_size,
        )?;
        out.histogram(
            "kv_operation_duration_seconds",
            "Time the shard spent on one operation.",
            &self.op_seconds,
        )?;
        self.pool.write(out)
    }
}

/// The shard actor.
pub(crate) struct Shard {
    stats: Tracked<ShardStats>,
    map: HashMap<String, Vec<u8>>,
    pool: BufferPool,
}

impl Shard {
    /// An empty shard around its tracked stats.
    pub(crate) fn new(stats: Tracked<ShardStats>) -> Self {
        Self {
            stats,
            map: HashMap::new(),
            pool: BufferPool::new(POOLED_BUFFERS),
        }
    }

    fn apply(&mut self, op: Op) -> Outcome {
        let stats = &mut *self.stats;
        match op {
            Op::Get(key) => {
                stats.gets.inc();
                match self.map.get(&key) {
                    Some(value) => {
                        stats.hits.inc();
                        stats.read_bytes.add(value.len() as u64);
                        Outcome::Found(value.clone())
                    }
                    None => {
                        stats.misses.inc();
                        Outcome::Missing
                    }
                }
            }
            Op::Put(key, bytes) => {
                stats.puts.inc();
                stats.written_bytes.add(bytes.len() as u64);
                stats.value_size.observe(bytes.len() as f64);
                let mut value = self.pool.acquire(bytes.len(), &mut stats.pool);
                value.extend_from_slice(&bytes);
                stats.stored_bytes.add(bytes.len() as f64);
                let created = match self.map.insert(key, value) {
                    Some(old) => {
                        stats.stored_bytes.sub(old.len() as f64);
                        self.pool.release(old, &mut stats.pool);
                        false
                    }
                    None => {
                        stats.keys.inc();
                        true
                    }
                };
                Outcome::Stored(created)
            }
            Op::Delete(key) => {
                stats.deletes.inc();
                match self.map.remove(&key) {
                    Some(old) => {
                        stats.keys.dec();
                        stats.stored_bytes.sub(old.len() as f64);
                        self.pool.release(old, &mut stats.pool);
                        Outcome::Deleted
                    }
                    None => Outcome::Missing,
                }
            }
        }
    }
}

impl Actor for Shard {
    type Context = Context<Self>;
}

impl Handler<Op> for Shard {
    type Result = actix::MessageResult<Op>;

    fn handle(&mut self, op: Op, _: &mut Context<Self>) -> Self::Result {
        let started = Instant::now();
        let outcome = self.apply(op);
        self.stats
            .op_seconds
            .observe(started.elapsed().as_secs_f64());
        actix::MessageResult(outcome)
    }
}

actorscope::report_stats!(Shard, stats: ShardStats);
