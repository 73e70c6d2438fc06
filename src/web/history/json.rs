//! The `/debug/history` document:
//! `{"range":"5m","resolution_seconds":1,"series":[{"name","labels"}],
//!   "points":[{"t":<unix ms>,"values":[1.5,null,...]}]}`, and for the `10h` range each
//! point also has `"min"` and `"max"` beside `"values"` (then the slot's mean). Non-finite
//! values are null.

use std::collections::VecDeque;

use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

use super::rings::{BandPoint, BandRing, Point, Ring};
use super::SeriesKey;

/// The points of one ring within the range asked for.
pub(super) enum Tier<'a> {
    /// The last reading of each slot.
    Last {
        resolution_ms: u64,
        points: Vec<&'a Point>,
    },
    /// The lowest, highest and mean reading of each slot.
    Band {
        resolution_ms: u64,
        points: Vec<&'a BandPoint>,
    },
}

impl<'a> Tier<'a> {
    /// `ring`'s points from `since_ms` on.
    pub(super) fn last(ring: &'a Ring, since_ms: u64) -> Self {
        let points = within(&ring.points, |p| p.time_ms >= since_ms);
        Self::Last {
            resolution_ms: ring.resolution_ms,
            points,
        }
    }

    /// `ring`'s slots from `since_ms` on.
    pub(super) fn band(ring: &'a BandRing, since_ms: u64) -> Self {
        let points = within(&ring.points, |p| p.time_ms >= since_ms);
        Self::Band {
            resolution_ms: ring.resolution_ms,
            points,
        }
    }
}

/// The points `keep` keeps, oldest first.
fn within<P>(points: &VecDeque<P>, keep: impl Fn(&P) -> bool) -> Vec<&P> {
    points.iter().filter(|p| keep(p)).collect()
}

pub(super) struct HistoryJson<'a> {
    pub(super) range: &'static str,
    pub(super) series: &'a [SeriesKey],
    pub(super) kept: &'a [usize],
    pub(super) tier: Tier<'a>,
}

impl Serialize for HistoryJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut document = serializer.serialize_map(Some(4))?;
        document.serialize_entry("range", self.range)?;
        let resolution_ms = match &self.tier {
            Tier::Last { resolution_ms, .. } | Tier::Band { resolution_ms, .. } => *resolution_ms,
        };
        document.serialize_entry("resolution_seconds", &(resolution_ms / 1000))?;
        let series: Vec<SeriesJson<'_>> = self
            .kept
            .iter()
            .map(|&i| SeriesJson(&self.series[i]))
            .collect();
        document.serialize_entry("series", &series)?;
        match &self.tier {
            Tier::Last { points, .. } => {
                let points: Vec<PointJson<'_>> = points
                    .iter()
                    .map(|point| PointJson {
                        time_ms: point.time_ms,
                        lists: [("values", &point.values)].into(),
                        kept: self.kept,
                    })
                    .collect();
                document.serialize_entry("points", &points)?;
            }
            Tier::Band { points, .. } => {
                let points: Vec<PointJson<'_>> = points
                    .iter()
                    .map(|point| PointJson {
                        time_ms: point.time_ms,
                        lists: vec![
                            ("values", &point.mean),
                            ("min", &point.low),
                            ("max", &point.high),
                        ],
                        kept: self.kept,
                    })
                    .collect();
                document.serialize_entry("points", &points)?;
            }
        }
        document.end()
    }
}

struct SeriesJson<'a>(&'a SeriesKey);

impl Serialize for SeriesJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut series = serializer.serialize_map(Some(2))?;
        series.serialize_entry("name", &self.0.name)?;
        let labels: std::collections::BTreeMap<&str, &str> = self.0.labels.iter().collect();
        series.serialize_entry("labels", &labels)?;
        series.end()
    }
}

/// `{"t":..., "<list>":[...], ...}` with the kept series of each list.
struct PointJson<'a> {
    time_ms: u64,
    lists: Vec<(&'static str, &'a Vec<f64>)>,
    kept: &'a [usize],
}

impl Serialize for PointJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut point = serializer.serialize_map(Some(1 + self.lists.len()))?;
        point.serialize_entry("t", &self.time_ms)?;
        for (name, list) in &self.lists {
            point.serialize_entry(name, &Values(list, self.kept))?;
        }
        point.end()
    }
}

struct Values<'a>(&'a [f64], &'a [usize]);

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut values = serializer.serialize_seq(Some(self.1.len()))?;
        for &i in self.1 {
            let value = self.0.get(i).copied().filter(|v| v.is_finite());
            values.serialize_element(&value)?;
        }
        values.end()
    }
}
