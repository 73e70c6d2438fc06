//! What an instrumented actor counts on its own thread: plain integers, no atomics.

use once_cell::sync::Lazy;

use super::clock;
use crate::model::{HistogramValue, ModelError};

/// Upper bounds of the duration buckets, in seconds: 1 µs to 10 s, 1-2.5-5 steps.
/// Fine below a millisecond, where message handling and mailbox waits mostly fall.
pub(crate) const BOUNDS_SECONDS: [f64; 22] = [
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2,
    5e-2, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const BUCKETS: usize = BOUNDS_SECONDS.len() + 1;

/// The same bounds in clock ticks, computed once.
pub(crate) static BOUNDS_TICKS: Lazy<[u64; BOUNDS_SECONDS.len()]> = Lazy::new(|| {
    BOUNDS_SECONDS.map(|bound| clock::ticks(std::time::Duration::from_secs_f64(bound)))
});

/// A histogram of durations in ticks: a count per bucket and the sum.
#[derive(Clone, Debug)]
pub(crate) struct TickHistogram {
    counts: [u64; BUCKETS],
    sum: u64,
}

impl Default for TickHistogram {
    fn default() -> Self {
        Self {
            counts: [0; BUCKETS],
            sum: 0,
        }
    }
}

impl TickHistogram {
    /// Counts one duration. Most fall in the first few buckets, so the scan is short.
    #[inline]
    pub(crate) fn observe(&mut self, ticks: u64, bounds: &[u64; BOUNDS_SECONDS.len()]) {
        let bucket = bounds
            .iter()
            .position(|&bound| ticks <= bound)
            .unwrap_or(BUCKETS - 1);
        self.counts[bucket] += 1;
        self.sum = self.sum.wrapping_add(ticks);
    }

    /// Adds `other`'s counts to these.
    pub(crate) fn add(&mut self, other: &Self) {
        for (count, more) in self.counts.iter_mut().zip(other.counts) {
            *count += more;
        }
        self.sum = self.sum.wrapping_add(other.sum);
    }

    /// The total of the durations, in seconds.
    pub(crate) fn sum_seconds(&self) -> f64 {
        clock::seconds(self.sum)
    }

    /// As the model's histogram, in seconds.
    pub(crate) fn value(&self) -> Result<HistogramValue, ModelError> {
        HistogramValue::from_bucket_counts(&BOUNDS_SECONDS, &self.counts, self.sum_seconds())
    }
}

/// One message type's counts in one actor.
#[derive(Clone, Debug, Default)]
pub(crate) struct MessageStats {
    /// Messages handled (a handler that panicked included).
    pub(crate) handled: u64,
    /// Handlings that took longer than the slow threshold.
    pub(crate) slow: u64,
    /// Handlers that panicked.
    pub(crate) panics: u64,
    /// From the handler's start to its return, in ticks.
    pub(crate) handling: TickHistogram,
    /// From the send to the handler's start, in ticks.
    pub(crate) waiting: TickHistogram,
}

impl MessageStats {
    /// Adds `other`'s counts to these.
    pub(crate) fn add(&mut self, other: &Self) {
        self.handled += other.handled;
        self.slow += other.slow;
        self.panics += other.panics;
        self.handling.add(&other.handling);
        self.waiting.add(&other.waiting);
    }
}

/// An actor's counts, as a scrape copies them: one entry per instrumented message type
/// (in the order the actor declared them), and its restarts.
#[derive(Clone, Debug, Default)]
pub struct InsightCopy {
    pub(crate) messages: Vec<MessageStats>,
    pub(crate) restarts: u64,
}

impl InsightCopy {
    pub(crate) fn new(message_types: usize) -> Self {
        Self {
            messages: vec![MessageStats::default(); message_types],
            restarts: 0,
        }
    }

    /// Adds `other`'s counts to these (the same actor type, so the same messages).
    pub(crate) fn add(&mut self, other: &Self) {
        for (mine, theirs) in self.messages.iter_mut().zip(&other.messages) {
            mine.add(theirs);
        }
        self.restarts += other.restarts;
    }

    /// Time spent in handlers, over all message types, in seconds.
    pub(crate) fn busy_seconds(&self) -> f64 {
        self.messages.iter().map(|m| m.handling.sum_seconds()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_fall_in_the_bucket_of_their_bound() {
        let bounds = &*BOUNDS_TICKS;
        let mut histogram = TickHistogram::default();
        histogram.observe(0, bounds);
        histogram.observe(bounds[5], bounds); // exactly 50 µs: that bucket
        histogram.observe(bounds[5] + 1, bounds);
        histogram.observe(u64::MAX / 2, bounds); // past 10 s: +Inf only
        let value = histogram.value().expect("valid buckets");
        let cumulative: Vec<u64> = value.buckets().map(|(_, count)| count).collect();
        assert_eq!(cumulative[0], 1);
        assert_eq!(cumulative[5], 2);
        assert_eq!(cumulative[6], 3);
        assert_eq!(cumulative[BOUNDS_SECONDS.len() - 1], 3);
        assert_eq!(value.count(), 4);
    }
}
