//! The `/debug/history` document:
//! `{"range":"5m","resolution_seconds":1,"series":[{"name","labels"}],
//!   "points":[{"t":<unix ms>,"values":[1.5,null,...]}]}`, and for the `10h` range each
//! point also has `"min"` and `"max"` beside `"values"` (then the slot's mean). Non-finite
//! values are null.

use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

use super::rings::{BandPoint, BandRing, Ring};
use super::SeriesKey;

/// A point's named lists of values, one value per series.
type Lists<'a> = Vec<(&'static str, &'a [f64])>;

/// The points of one ring within the range asked for: each point's time and lists.
pub(super) struct Tier<'a> {
    resolution_ms: u64,
    points: Vec<(u64, Lists<'a>)>,
}

impl<'a> Tier<'a> {
    /// `ring`'s points from `since_ms` on: the last reading of each slot, as `values`.
    pub(super) fn last(ring: &'a Ring, since_ms: u64) -> Self {
        let points = ring.points.iter().filter(|p| p.time_ms >= since_ms);
        Self {
            resolution_ms: ring.resolution_ms,
            points: points
                .map(|p| (p.time_ms, vec![("values", p.values.as_slice())]))
                .collect(),
        }
    }

    /// `ring`'s slots from `since_ms` on: the mean of each as `values`, beside `min` and
    /// `max`.
    pub(super) fn band(ring: &'a BandRing, since_ms: u64) -> Self {
        let points = ring.points.iter().filter(|p| p.time_ms >= since_ms);
        let lists = |p: &'a BandPoint| {
            vec![
                ("values", p.mean.as_slice()),
                ("min", p.low.as_slice()),
                ("max", p.high.as_slice()),
            ]
        };
        Self {
            resolution_ms: ring.resolution_ms,
            points: points.map(|p| (p.time_ms, lists(p))).collect(),
        }
    }
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
        document.serialize_entry("resolution_seconds", &(self.tier.resolution_ms / 1000))?;
        let series: Vec<SeriesJson<'_>> = self
            .kept
            .iter()
            .map(|&i| SeriesJson(&self.series[i]))
            .collect();
        document.serialize_entry("series", &series)?;
        let points: Vec<PointJson<'_>> = self
            .tier
            .points
            .iter()
            .map(|(time_ms, lists)| PointJson {
                time_ms: *time_ms,
                lists,
                kept: self.kept,
            })
            .collect();
        document.serialize_entry("points", &points)?;
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
    lists: &'a [(&'static str, &'a [f64])],
    kept: &'a [usize],
}

impl Serialize for PointJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut point = serializer.serialize_map(Some(1 + self.lists.len()))?;
        point.serialize_entry("t", &self.time_ms)?;
        for (name, list) in self.lists {
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
