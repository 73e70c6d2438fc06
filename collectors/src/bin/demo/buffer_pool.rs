//! A per-worker buffer pool and its stats: the worker that owns it reuses freed buffers
//! instead of allocating, and counts how often that worked.
//!
//! Shared by the demo's shards and `examples/buffer_pool.rs` (which includes this file).

use actorscope::actor::{StatsWriter, WorkerStats};
use actorscope::model::{MetricKind, ModelError};
use actorscope::stats::{Counter, Gauge};

/// Buffers kept for reuse, at most `max_buffers`, owned by one worker (no locks).
///
/// Its stats live in the worker's own stats struct and are passed in, so the worker
/// reports one struct and nothing is copied per operation.
#[derive(Debug)]
pub(crate) struct BufferPool {
    free: Vec<Vec<u8>>,
    max_buffers: usize,
}

/// What one worker's pool has done: plain fields, updated only by that worker.
#[derive(Debug, Clone, Default)]
pub(crate) struct PoolStats {
    acquires: Counter,
    hits: Counter,
    misses: Counter,
    pooled_bytes: Gauge,
    pooled_buffers: Gauge,
}

impl BufferPool {
    /// A pool that keeps at most `max_buffers` freed buffers.
    pub(crate) fn new(max_buffers: usize) -> Self {
        Self {
            free: Vec::new(),
            max_buffers,
        }
    }

    /// An empty buffer with room for `len` bytes: a pooled one if one is big enough.
    pub(crate) fn acquire(&mut self, len: usize, stats: &mut PoolStats) -> Vec<u8> {
        stats.acquires.inc();
        match self.free.iter().position(|buffer| buffer.capacity() >= len) {
            Some(at) => {
                stats.hits.inc();
                let buffer = self.free.swap_remove(at);
                stats.pooled_bytes.sub(buffer.capacity() as f64);
                stats.pooled_buffers.dec();
                buffer
            }
            None => {
                stats.misses.inc();
                Vec::with_capacity(len)
            }
        }
    }

    /// Gives `buffer` back for reuse (dropped if the pool is full).
    pub(crate) fn release(&mut self, mut buffer: Vec<u8>, stats: &mut PoolStats) {
        if self.free.len() < self.max_buffers {
            buffer.clear();
            stats.pooled_bytes.add(buffer.capacity() as f64);
            stats.pooled_buffers.inc();
            self.free.push(buffer);
        }
    }
}

impl WorkerStats for PoolStats {
    fn write(&self, out: &mut StatsWriter<'_>) -> Result<(), ModelError> {
        out.counter(
            "buffer_pool_acquires_total",
            "Buffers handed out by the pool.",
            &self.acquires,
        )?;
        let lookups =
            "Acquisitions by result: hit (a pooled buffer was reused) or miss (allocated).";
        out.add(
            "buffer_pool_lookups_total",
            lookups,
            MetricKind::Counter,
            [("result", "hit")],
            &self.hits,
        )?;
        out.add(
            "buffer_pool_lookups_total",
            lookups,
            MetricKind::Counter,
            [("result", "miss")],
            &self.misses,
        )?;
        out.gauge(
            "buffer_pool_pooled_bytes",
            "Capacity of the buffers waiting in the pool.",
            &self.pooled_bytes,
        )?;
        out.gauge(
            "buffer_pool_pooled_buffers",
            "Buffers waiting in the pool.",
            &self.pooled_buffers,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn released_buffers_are_reused_and_counted() {
        let mut pool = BufferPool::new(2);
        let mut stats = PoolStats::default();
        let first = pool.acquire(100, &mut stats);
        pool.release(first, &mut stats);
        let again = pool.acquire(50, &mut stats);
        assert!(again.capacity() >= 100, "the pooled buffer came back");
        assert_eq!((stats.hits.get(), stats.misses.get()), (1, 1));
        assert_eq!(stats.pooled_bytes.get(), 0.0);
        pool.release(again, &mut stats);
        pool.release(Vec::with_capacity(8), &mut stats);
        pool.release(Vec::with_capacity(8), &mut stats);
        assert_eq!(
            stats.pooled_buffers.get(),
            2.0,
            "full pools drop extra buffers"
        );
    }
}
