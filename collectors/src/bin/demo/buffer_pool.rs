//! A per-worker buffer pool and its stats: the worker that owns it reuses freed buffers
//! instead of allocating, and counts how often that worked.

use actorscope::prelude::*;
use actorscope::stats::SlotState;

/// Buffers kept for reuse, at most one per slot, owned by one worker (no locks).
///
/// Its stats live in the worker's own stats struct and are passed in, so the worker
/// reports one struct and nothing is copied per operation. The slots are a
/// [`Pool`]: a slot holding a pooled buffer is `idle` (ready for reuse), an empty one
/// `free`; a buffer released into a full pool is dropped and counted as an overflow.
#[derive(Debug)]
pub(crate) struct BufferPool {
    slots: Vec<Option<Vec<u8>>>,
}

/// A lookup's result, as an index into [`PoolStats::lookups`].
const HIT: usize = 0;
const MISS: usize = 1;

actorscope::worker_stats! {
    /// What one worker's pool has done: plain fields, updated only by that worker.
    #[derive(Debug)]
    pub(crate) struct PoolStats {
        /// Buffers handed out by the pool.
        #[metric("buffer_pool_acquires_total")]
        acquires: Counter,
        /// Acquisitions by result: hit (a pooled buffer was reused) or miss (allocated).
        #[metric("buffer_pool_lookups_total", by = "result", values = ["hit", "miss"])]
        lookups: [Counter; 2],
        /// Capacity of the buffers waiting in the pool.
        #[metric("buffer_pool_pooled_bytes", unit = Bytes)]
        pooled_bytes: Gauge,
        /// The slots: capacity, buffers pooled now (in use), high-water mark, buffers
        /// dropped because the pool was full (overflows), and the grid for the dashboard.
        #[metric(pool = "value_buffers", owner = "kv")]
        slots: Pool,
    }
}

impl PoolStats {
    /// Stats for a pool of `capacity` slots.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            slots: Pool::with_slots(capacity),
            ..Self::default()
        }
    }
}

impl BufferPool {
    /// A pool with room for `capacity` freed buffers (give its stats the same capacity).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            slots: (0..capacity).map(|_| None).collect(),
        }
    }

    /// An empty buffer with room for `len` bytes: a pooled one if one is big enough.
    pub(crate) fn acquire(&mut self, len: usize, stats: &mut PoolStats) -> Vec<u8> {
        stats.acquires.inc();
        let found = self
            .slots
            .iter()
            .position(|slot| slot.as_ref().is_some_and(|buffer| buffer.capacity() >= len));
        match found.and_then(|at| Some((at, self.slots[at].take()?))) {
            Some((at, buffer)) => {
                stats.lookups[HIT].inc();
                stats.pooled_bytes.sub(buffer.capacity() as f64);
                stats.slots.release_slot(at);
                buffer
            }
            None => {
                stats.lookups[MISS].inc();
                Vec::with_capacity(len)
            }
        }
    }

    /// Gives `buffer` back for reuse (dropped, and counted as an overflow, if the pool is
    /// full).
    pub(crate) fn release(&mut self, mut buffer: Vec<u8>, stats: &mut PoolStats) {
        let Some(at) = stats.slots.acquire_slot() else {
            return;
        };
        buffer.clear();
        stats.pooled_bytes.add(buffer.capacity() as f64);
        stats.slots.set_state(at, SlotState::Idle);
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = Some(buffer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn released_buffers_are_reused_and_counted() {
        let mut pool = BufferPool::new(2);
        let mut stats = PoolStats::new(2);
        let first = pool.acquire(100, &mut stats);
        pool.release(first, &mut stats);
        let again = pool.acquire(50, &mut stats);
        assert!(again.capacity() >= 100, "the pooled buffer came back");
        assert_eq!(
            (stats.lookups[HIT].get(), stats.lookups[MISS].get()),
            (1, 1)
        );
        assert_eq!(stats.pooled_bytes.get(), 0.0);
        pool.release(again, &mut stats);
        pool.release(Vec::with_capacity(8), &mut stats);
        pool.release(Vec::with_capacity(8), &mut stats);
        assert_eq!(stats.slots.in_use(), 2);
        assert_eq!(stats.slots.overflows(), 1, "full pools drop extra buffers");
        assert_eq!(stats.slots.slot_letters().collect::<String>(), "ii");
    }
}
