//! The history's rings: one keeps the last reading of each slot, the other the lowest,
//! highest and mean reading of each slot, so a spike between two slots' ends survives.

use std::collections::VecDeque;

/// One point: when, and a value per series (NaN where the series had none).
#[derive(Debug, Clone)]
pub(super) struct Point {
    pub(super) time_ms: u64,
    pub(super) values: Vec<f64>,
}

/// Last readings at one resolution, oldest first, at most `capacity` points.
#[derive(Debug)]
pub(super) struct Ring {
    pub(super) resolution_ms: u64,
    capacity: usize,
    pub(super) points: VecDeque<Point>,
}

impl Ring {
    pub(super) fn new(resolution_ms: u64, capacity: usize) -> Self {
        Self {
            resolution_ms,
            capacity,
            points: VecDeque::with_capacity(capacity),
        }
    }

    /// Adds `point`, or replaces the last one if it falls in the same slot (or, the
    /// clock having stepped back, in an earlier one).
    pub(super) fn record(&mut self, mut point: Point) {
        let slot = point.time_ms / self.resolution_ms;
        if let Some(last) = self.points.back_mut() {
            if slot <= last.time_ms / self.resolution_ms {
                point.time_ms = point.time_ms.max(last.time_ms);
                *last = point;
                return;
            }
        }
        if self.points.len() == self.capacity {
            self.points.pop_front();
        }
        self.points.push_back(point);
    }

    /// The bytes its points' values take (what grows with series and time).
    #[cfg(test)]
    pub(super) fn value_bytes(&self) -> usize {
        self.points
            .iter()
            .map(|point| point.values.capacity() * std::mem::size_of::<f64>())
            .sum()
    }
}

/// One slot's summary of every series: the lowest, highest and mean of the readings
/// that fell in it (NaN where the series had none), and the time of the last of them.
#[derive(Debug, Clone)]
pub(super) struct BandPoint {
    pub(super) time_ms: u64,
    pub(super) low: Vec<f64>,
    pub(super) high: Vec<f64>,
    pub(super) mean: Vec<f64>,
}

/// Slot summaries at one resolution, oldest first, at most `capacity` points.
#[derive(Debug)]
pub(super) struct BandRing {
    pub(super) resolution_ms: u64,
    capacity: usize,
    pub(super) points: VecDeque<BandPoint>,
    /// Readings of each series in the newest slot so far (for its running mean).
    counts: Vec<u32>,
}

impl BandRing {
    pub(super) fn new(resolution_ms: u64, capacity: usize) -> Self {
        Self {
            resolution_ms,
            capacity,
            points: VecDeque::with_capacity(capacity),
            counts: Vec::new(),
        }
    }

    /// Folds one reading of every series (`values`, NaN for none) taken at `time_ms`
    /// into its slot, opening a new slot when `time_ms` is past the newest one.
    pub(super) fn record(&mut self, time_ms: u64, values: &[f64]) {
        let slot = time_ms / self.resolution_ms;
        let open = self
            .points
            .back()
            .is_some_and(|last| slot <= last.time_ms / self.resolution_ms);
        if !open {
            if self.points.len() == self.capacity {
                self.points.pop_front();
            }
            let none = vec![f64::NAN; values.len()];
            self.points.push_back(BandPoint {
                time_ms,
                low: none.clone(),
                high: none.clone(),
                mean: none,
            });
            self.counts.clear();
        }
        let Some(point) = self.points.back_mut() else {
            return;
        };
        point.time_ms = point.time_ms.max(time_ms);
        for list in [&mut point.low, &mut point.high, &mut point.mean] {
            if list.len() < values.len() {
                list.resize(values.len(), f64::NAN);
            }
        }
        self.counts.resize(self.counts.len().max(values.len()), 0);
        for (i, &value) in values.iter().enumerate() {
            if !value.is_finite() {
                continue;
            }
            self.counts[i] += 1;
            if self.counts[i] == 1 {
                point.low[i] = value;
                point.high[i] = value;
                point.mean[i] = value;
            } else {
                point.low[i] = point.low[i].min(value);
                point.high[i] = point.high[i].max(value);
                point.mean[i] += (value - point.mean[i]) / f64::from(self.counts[i]);
            }
        }
    }

    /// The bytes its points' values take (what grows with series and time).
    #[cfg(test)]
    pub(super) fn value_bytes(&self) -> usize {
        let per_point = |point: &BandPoint| {
            (point.low.capacity() + point.high.capacity() + point.mean.capacity())
                * std::mem::size_of::<f64>()
        };
        self.points.iter().map(per_point).sum::<usize>()
            + self.counts.capacity() * std::mem::size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_keeps_its_lowest_highest_and_mean_reading() {
        let mut ring = BandRing::new(1_000, 3);
        ring.record(0, &[5.0]);
        ring.record(300, &[100.0, 1.0]); // a spike, and a series first seen mid-slot
        ring.record(600, &[f64::NAN, 3.0]); // no reading of the first
        ring.record(900, &[3.0, 2.0]);
        assert_eq!(ring.points.len(), 1);
        let slot = &ring.points[0];
        assert_eq!(slot.time_ms, 900);
        assert_eq!(
            (slot.low[0], slot.high[0], slot.mean[0]),
            (3.0, 100.0, 36.0)
        );
        assert_eq!((slot.low[1], slot.high[1], slot.mean[1]), (1.0, 3.0, 2.0));
    }

    #[test]
    fn slots_past_the_capacity_leave_oldest_first() {
        let mut ring = BandRing::new(1_000, 2);
        for second in 0..5u32 {
            ring.record(u64::from(second) * 1_000, &[f64::from(second)]);
        }
        let means: Vec<f64> = ring.points.iter().map(|p| p.mean[0]).collect();
        assert_eq!(means, [3.0, 4.0]);
    }

    #[test]
    fn a_clock_that_steps_back_folds_into_the_newest_slot() {
        let mut ring = BandRing::new(1_000, 4);
        ring.record(5_000, &[1.0]);
        ring.record(2_000, &[3.0]);
        assert_eq!(ring.points.len(), 1);
        assert_eq!(ring.points[0].time_ms, 5_000);
        assert_eq!(ring.points[0].mean[0], 2.0);
        let mut last = Ring::new(1_000, 4);
        last.record(Point {
            time_ms: 5_000,
            values: vec![1.0],
        });
        last.record(Point {
            time_ms: 2_000,
            values: vec![3.0],
        });
        assert_eq!(last.points.len(), 1);
        assert_eq!(last.points[0].time_ms, 5_000, "time never runs backwards");
        assert_eq!(last.points[0].values, [3.0], "the later reading wins");
    }
}
