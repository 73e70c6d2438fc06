//! A key-value shard: an actor that owns its part of the map, its stats and its buffer
//! pool. Everything here runs on the shard's own arbiter thread.

use std::collections::HashMap;
use std::time::Instant;

use actix::{Actor, Context, Handler, Message};
use actorscope::actor::ActorInsight;
use actorscope::prelude::*;

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

/// An operation with the exemplar of the request that asked for it (when the HTTP
/// middleware made one), so the operation's duration points at the same trace.
#[derive(Debug)]
pub(crate) struct Command {
    pub(crate) op: Op,
    pub(crate) exemplar: Option<Exemplar>,
}

impl Message for Command {
    type Result = Outcome;
}

/// What a GET found, as an index into [`ShardStats::lookups`].
const HIT: usize = 0;
const MISS: usize = 1;

/// An operation's kind, as an index into [`ShardStats::ops`].
const GET: usize = 0;
const PUT: usize = 1;
const DELETE: usize = 2;

actorscope::worker_stats! {
    /// The shard's stats: plain fields, updated only by the shard.
    #[derive(Debug)]
    pub(crate) struct ShardStats {
        /// Key-value operations handled, by kind.
        #[metric("kv_operations_total", by = "op", values = ["get", "put", "delete"])]
        ops: [Counter; 3],
        /// GETs by result: hit (key present) or miss.
        #[metric("kv_lookups_total", by = "result", values = ["hit", "miss"])]
        lookups: [TracedCounter; 2],
        /// Value bytes returned by GETs.
        #[metric("kv_read_bytes_total", unit = Bytes)]
        read_bytes: Counter,
        /// Value bytes stored by PUTs.
        #[metric("kv_written_bytes_total", unit = Bytes)]
        written_bytes: Counter,
        /// Keys stored in the shard.
        #[metric("kv_keys")]
        keys: Gauge,
        /// Value bytes stored in the shard.
        #[metric("kv_stored_bytes", unit = Bytes)]
        stored_bytes: Gauge,
        /// Sizes of values PUT.
        #[metric("kv_value_size_bytes", unit = Bytes)]
        value_size: Histogram = Histogram::new(Buckets::exponential(64.0, 4.0, 8).unwrap_or_default()),
        /// Time the shard spent on one operation.
        #[metric("kv_operation_duration_seconds", unit = Seconds)]
        op_seconds: Histogram = Histogram::new(Buckets::exponential(1e-6, 4.0, 10).unwrap_or_default())
            .with_native(NativeConfig::default()),
        /// The shard's buffer pool.
        #[metric(nested)]
        pool: PoolStats = PoolStats::new(POOLED_BUFFERS),
    }
}

/// The shard actor.
pub(crate) struct Shard {
    stats: Tracked<ShardStats>,
    /// Actor insight: per-message counts, handling time, mailbox wait and depth.
    insight: ActorInsight<Self>,
    map: HashMap<String, Vec<u8>>,
    pool: BufferPool,
}

impl Shard {
    /// An empty shard around its tracked stats and its insight counts.
    pub(crate) fn new(stats: Tracked<ShardStats>, insight: ActorInsight<Self>) -> Self {
        Self {
            stats,
            insight,
            map: HashMap::new(),
            pool: BufferPool::new(POOLED_BUFFERS),
        }
    }

    /// Carries out `op`; a lookup keeps `exemplar` as its latest traced increment.
    fn apply(&mut self, op: Op, exemplar: Option<Exemplar>) -> Outcome {
        let stats = &mut *self.stats;
        let count = |counter: &mut TracedCounter| match exemplar {
            Some(exemplar) => counter.inc_with_exemplar(exemplar),
            None => counter.inc(),
        };
        match op {
            Op::Get(key) => {
                stats.ops[GET].inc();
                match self.map.get(&key) {
                    Some(value) => {
                        count(&mut stats.lookups[HIT]);
                        stats.read_bytes.add(value.len() as u64);
                        Outcome::Found(value.clone())
                    }
                    None => {
                        count(&mut stats.lookups[MISS]);
                        Outcome::Missing
                    }
                }
            }
            Op::Put(key, bytes) => {
                stats.ops[PUT].inc();
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
                stats.ops[DELETE].inc();
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

impl Handler<Command> for Shard {
    type Result = actix::MessageResult<Command>;

    fn handle(&mut self, command: Command, _: &mut Context<Self>) -> Self::Result {
        let started = Instant::now();
        let outcome = self.apply(command.op, command.exemplar);
        let seconds = started.elapsed().as_secs_f64();
        match command.exemplar {
            Some(exemplar) => self
                .stats
                .op_seconds
                .observe_with_exemplar(seconds, exemplar),
            None => self.stats.op_seconds.observe(seconds),
        }
        actix::MessageResult(outcome)
    }
}

actorscope::report_stats!(Shard, stats: ShardStats);
actorscope::instrument_messages!(Shard, insight: [Command]);
