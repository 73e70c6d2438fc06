//! The recent past, for a freshly opened dashboard: a bounded ring of readings fed by the
//! gathers that happen anyway (Prometheus scrapes through `/metrics`, `/debug/metrics`,
//! and the live stream's ticks). Nothing is gathered for it alone, so its resolution is
//! that of whatever scrapes the registry.
//!
//! Two tiers: one point per second for the last 5 minutes (ranges `1m` and `5m`) and one
//! per 10 seconds for the last hour (`1h`). A point holds the value of every counter
//! and gauge series, and the count and sum of every histogram and summary series (as
//! `<name>_count` and `<name>_sum`), for at most `max_series` series (the first seen);
//! with the defaults that is at most 5,000 series x 660 points x 8 bytes, about 26 MB,
//! and far less for a typical server.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

use super::filter::DebugFilter;
use crate::model::{LabelSet, MetricKind, MetricSnapshot, Value};

/// A time range the history answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Range {
    OneMinute,
    FiveMinutes,
    OneHour,
}

impl Range {
    /// Parses `1m`, `5m` or `1h`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "1m" => Some(Self::OneMinute),
            "5m" => Some(Self::FiveMinutes),
            "1h" => Some(Self::OneHour),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::OneMinute => "1m",
            Self::FiveMinutes => "5m",
            Self::OneHour => "1h",
        }
    }

    fn span_ms(self) -> u64 {
        match self {
            Self::OneMinute => 60_000,
            Self::FiveMinutes => 300_000,
            Self::OneHour => 3_600_000,
        }
    }
}

/// One point: when, and a value per series (NaN where the series had none).
#[derive(Debug, Clone)]
struct Point {
    time_ms: u64,
    values: Vec<f64>,
}

/// Points at one resolution, oldest first, at most `capacity`.
#[derive(Debug)]
struct Ring {
    resolution_ms: u64,
    capacity: usize,
    points: VecDeque<Point>,
}

impl Ring {
    fn new(resolution_ms: u64, capacity: usize) -> Self {
        Self {
            resolution_ms,
            capacity,
            points: VecDeque::with_capacity(capacity),
        }
    }

    /// Adds `point`, or replaces the last one if it falls in the same slot.
    fn record(&mut self, point: Point) {
        let slot = point.time_ms / self.resolution_ms;
        if let Some(last) = self.points.back_mut() {
            if last.time_ms / self.resolution_ms == slot {
                *last = point;
                return;
            }
        }
        if self.points.len() == self.capacity {
            self.points.pop_front();
        }
        self.points.push_back(point);
    }
}

/// A series the history tracks: its name (the family's, or `<family>_count` / `_sum`)
/// and labels.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SeriesKey {
    name: String,
    labels: LabelSet,
}

#[derive(Debug)]
struct Rings {
    series: Vec<SeriesKey>,
    index: HashMap<SeriesKey, usize>,
    fine: Ring,
    coarse: Ring,
}

/// The history of one registry.
#[derive(Debug)]
pub(crate) struct History {
    max_series: usize,
    rings: Mutex<Rings>,
}

impl History {
    /// A history tracking at most `max_series` series.
    pub(crate) fn new(max_series: usize) -> Self {
        Self {
            max_series,
            rings: Mutex::new(Rings {
                series: Vec::new(),
                index: HashMap::new(),
                fine: Ring::new(1_000, 300),
                coarse: Ring::new(10_000, 360),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rings> {
        self.rings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records `snapshot` as read at `time_ms` (Unix milliseconds).
    pub(crate) fn record(&self, snapshot: &MetricSnapshot, time_ms: u64) {
        let mut rings = self.lock();
        let mut values = vec![f64::NAN; rings.series.len()];
        for family in snapshot.families() {
            for (labels, value) in family.samples() {
                for (suffix, number) in readings(family.kind(), value) {
                    let key = SeriesKey {
                        name: format!("{}{suffix}", family.name()),
                        labels: labels.clone(),
                    };
                    let place = match rings.index.get(&key) {
                        Some(place) => *place,
                        None if rings.series.len() < self.max_series => {
                            let place = rings.series.len();
                            rings.series.push(key.clone());
                            rings.index.insert(key, place);
                            values.push(f64::NAN);
                            place
                        }
                        None => continue,
                    };
                    values[place] = number;
                }
            }
        }
        let point = Point { time_ms, values };
        rings.fine.record(point.clone());
        rings.coarse.record(point);
    }

    /// The JSON answer for `range`, ending at `now_ms`, with only the series `filter`
    /// keeps.
    pub(crate) fn to_json(&self, range: Range, filter: &DebugFilter, now_ms: u64) -> Vec<u8> {
        let rings = self.lock();
        let ring = match range {
            Range::OneHour => &rings.coarse,
            Range::OneMinute | Range::FiveMinutes => &rings.fine,
        };
        let kept: Vec<usize> = (0..rings.series.len())
            .filter(|&i| {
                let key = &rings.series[i];
                filter.keeps_name(&key.name) && filter.keeps_labels(&key.labels)
            })
            .collect();
        let since = now_ms.saturating_sub(range.span_ms());
        let points: Vec<&Point> = ring.points.iter().filter(|p| p.time_ms >= since).collect();
        let document = HistoryJson {
            range,
            resolution_ms: ring.resolution_ms,
            series: &rings.series,
            kept: &kept,
            points: &points,
        };
        serde_json::to_vec(&document).expect("serializing into memory cannot fail")
    }
}

/// The numbers a sample contributes: its value, or a distribution's count and sum.
fn readings(kind: MetricKind, value: &Value) -> Vec<(&'static str, f64)> {
    match (kind, value) {
        (MetricKind::Info, _) => Vec::new(),
        (_, Value::Histogram(histogram)) => {
            #[allow(clippy::cast_precision_loss)] // counts far below 2^53
            let count = histogram.count() as f64;
            vec![("_count", count), ("_sum", histogram.sum())]
        }
        (_, Value::Summary(summary)) => {
            #[allow(clippy::cast_precision_loss)]
            let count = summary.count() as f64;
            vec![("_count", count), ("_sum", summary.sum())]
        }
        (_, other) => other.as_f64().map(|v| vec![("", v)]).unwrap_or_default(),
    }
}

/// `{"range":"5m","resolution_seconds":1,"series":[{"name","labels"}],
///   "points":[{"t":<unix ms>,"values":[1.5,null,...]}]}`; non-finite values are null.
struct HistoryJson<'a> {
    range: Range,
    resolution_ms: u64,
    series: &'a [SeriesKey],
    kept: &'a [usize],
    points: &'a [&'a Point],
}

impl Serialize for HistoryJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut document = serializer.serialize_map(Some(4))?;
        document.serialize_entry("range", self.range.as_str())?;
        document.serialize_entry("resolution_seconds", &(self.resolution_ms / 1000))?;
        let series: Vec<SeriesJson<'_>> = self
            .kept
            .iter()
            .map(|&i| SeriesJson(&self.series[i]))
            .collect();
        document.serialize_entry("series", &series)?;
        let points: Vec<PointJson<'_>> = self
            .points
            .iter()
            .map(|point| PointJson {
                point,
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

struct PointJson<'a> {
    point: &'a Point,
    kept: &'a [usize],
}

impl Serialize for PointJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut point = serializer.serialize_map(Some(2))?;
        point.serialize_entry("t", &self.point.time_ms)?;
        point.serialize_entry("values", &Values(self.point, self.kept))?;
        point.end()
    }
}

struct Values<'a>(&'a Point, &'a [usize]);

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut values = serializer.serialize_seq(Some(self.1.len()))?;
        for &i in self.1 {
            let value = self.0.values.get(i).copied().filter(|v| v.is_finite());
            values.serialize_element(&value)?;
        }
        values.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(requests: f64, latency_count: u64) -> MetricSnapshot {
        let mut snapshot = MetricSnapshot::new();
        snapshot
            .family("requests_total", "Requests.", MetricKind::Counter)
            .unwrap()
            .add([("worker", "0")], requests)
            .unwrap();
        let histogram =
            crate::model::HistogramValue::from_bucket_counts(&[1.0], &[latency_count, 0], 0.5)
                .unwrap();
        snapshot
            .family("latency_seconds", "Latency.", MetricKind::Histogram)
            .unwrap()
            .add((), histogram)
            .unwrap();
        snapshot
    }

    fn document(history: &History, range: &str, now: u64) -> serde_json::Value {
        let filter = DebugFilter::default();
        serde_json::from_slice(&history.to_json(Range::parse(range).unwrap(), &filter, now))
            .unwrap()
    }

    #[test]
    fn one_point_per_second_and_per_ten_seconds() {
        let history = History::new(100);
        for second in 0..30u32 {
            // Two readings within the same second: the later one wins.
            history.record(&snapshot(f64::from(second), 1), u64::from(second) * 1000);
            history.record(
                &snapshot(f64::from(second) + 0.5, 1),
                u64::from(second) * 1000 + 400,
            );
        }
        let fine = document(&history, "1m", 29_999);
        assert_eq!(fine["resolution_seconds"], 1);
        assert_eq!(fine["points"].as_array().unwrap().len(), 30);
        assert_eq!(
            fine["points"][29]["values"][2], 29.5,
            "requests_total, the later reading"
        );
        let names: Vec<&str> = fine["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "latency_seconds_count",
                "latency_seconds_sum",
                "requests_total"
            ]
        );
        let coarse = document(&history, "1h", 29_999);
        assert_eq!(coarse["resolution_seconds"], 10);
        assert_eq!(coarse["points"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn old_points_leave_the_range_and_the_ring() {
        let history = History::new(100);
        for second in 0..400u64 {
            history.record(&snapshot(1.0, 1), second * 1000);
        }
        assert_eq!(
            document(&history, "5m", 399_000)["points"]
                .as_array()
                .unwrap()
                .len(),
            300
        );
        assert_eq!(
            document(&history, "1m", 399_000)["points"]
                .as_array()
                .unwrap()
                .len(),
            61
        );
    }

    #[test]
    fn series_past_the_limit_are_not_tracked() {
        let history = History::new(1);
        history.record(&snapshot(1.0, 1), 0);
        let doc = document(&history, "1m", 0);
        assert_eq!(doc["series"].as_array().unwrap().len(), 1);
        assert_eq!(doc["points"][0]["values"].as_array().unwrap().len(), 1);
    }
}
