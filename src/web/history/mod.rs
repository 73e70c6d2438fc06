//! The recent past, for a freshly opened dashboard: bounded rings of readings fed by the
//! gathers that happen anyway (Prometheus scrapes through `/metrics`, `/debug/metrics`,
//! and the live stream's ticks). Nothing is gathered for it alone, so its resolution is
//! that of whatever scrapes the registry.
//!
//! Three tiers: one point per second for the last 5 minutes (ranges `1m` and `5m`), one
//! per 10 seconds for the last hour (`1h`), both the last reading of their slot; and one
//! per 5 minutes for the last 10 hours (`10h`), each the lowest, highest and mean reading
//! of its slot, so a spike between two slots' ends still shows. A point holds the value
//! of every counter and gauge series, and the count and sum of every histogram and
//! summary series (as `<name>_count` and `<name>_sum`), for at most `max_series` series
//! (the first seen). Per series that is 300 + 360 points of 8 bytes and 120 of 24 bytes,
//! 8,160 bytes: 16.3 MB at 2,000 series, 40.8 MB at the default limit of 5,000, plus each
//! series' name and labels once (checked by `the_bytes_held_are_bounded_as_stated`).

mod json;
mod rings;

use std::collections::HashMap;
use std::sync::Mutex;

use super::filter::DebugFilter;
use crate::model::{LabelHashSeed, LabelSet, MetricKind, MetricSnapshot, Value};
use json::{HistoryJson, Tier};
use rings::{BandRing, Point, Ring};

/// A time range the history answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Range {
    OneMinute,
    FiveMinutes,
    OneHour,
    TenHours,
}

impl Range {
    /// The ranges, as the query parameter spells them.
    pub(crate) const NAMES: &'static str = "one of 1m, 5m, 1h, 10h";

    /// Parses `1m`, `5m`, `1h` or `10h`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "1m" => Some(Self::OneMinute),
            "5m" => Some(Self::FiveMinutes),
            "1h" => Some(Self::OneHour),
            "10h" => Some(Self::TenHours),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::OneMinute => "1m",
            Self::FiveMinutes => "5m",
            Self::OneHour => "1h",
            Self::TenHours => "10h",
        }
    }

    fn span_ms(self) -> u64 {
        match self {
            Self::OneMinute => 60_000,
            Self::FiveMinutes => 300_000,
            Self::OneHour => 3_600_000,
            Self::TenHours => 36_000_000,
        }
    }
}

/// A series the history tracks: its name (the family's, or `<family>_count` / `_sum`)
/// and labels.
#[derive(Debug)]
struct SeriesKey {
    name: String,
    labels: LabelSet,
}

/// What a series' name adds to its family's: a sample's value, or a distribution's
/// count and sum.
const SUFFIXES: [&str; 3] = ["", "_count", "_sum"];
const VALUE: usize = 0;
const COUNT: usize = 1;
const SUM: usize = 2;

/// Where each tracked series of one family and reading (one of [`SUFFIXES`]) is in
/// [`Rings::series`], by labels.
type Places = HashMap<LabelSet, usize, LabelHashSeed>;

#[derive(Debug)]
struct Rings {
    series: Vec<SeriesKey>,
    /// By family name, each reading suffix's places: a scrape looks a family up once and
    /// each sample by its labels, with nothing built for the lookup.
    index: HashMap<String, [Places; SUFFIXES.len()]>,
    fine: Ring,
    coarse: Ring,
    long: BandRing,
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
                long: BandRing::new(300_000, 120),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rings> {
        self.rings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records `snapshot` as read at `time_ms` (Unix milliseconds); nothing when the
    /// history tracks no series (`max_series` 0: the history is off).
    pub(crate) fn record(&self, snapshot: &MetricSnapshot, time_ms: u64) {
        if self.max_series == 0 {
            return;
        }
        let mut rings = self.lock();
        let mut values = vec![f64::NAN; rings.series.len()];
        let Rings { series, index, .. } = &mut *rings;
        for family in snapshot.families() {
            let name = family.name();
            if !index.contains_key(name) {
                let places = || Places::with_hasher(LabelHashSeed::new());
                index.insert(name.to_owned(), [places(), places(), places()]);
            }
            let by_reading = index.get_mut(name).expect("inserted above");
            for (labels, value) in family.samples() {
                for (reading, number) in readings(family.kind(), value) {
                    let places = &mut by_reading[reading];
                    let place = match places.get(labels) {
                        Some(place) => *place,
                        None if series.len() < self.max_series => {
                            let place = series.len();
                            series.push(SeriesKey {
                                name: format!("{name}{}", SUFFIXES[reading]),
                                labels: labels.clone(),
                            });
                            places.insert(labels.clone(), place);
                            values.push(f64::NAN);
                            place
                        }
                        None => continue,
                    };
                    values[place] = number;
                }
            }
        }
        rings.long.record(time_ms, &values);
        let point = Point { time_ms, values };
        rings.fine.record(point.clone());
        rings.coarse.record(point);
    }

    /// The JSON answer for `range`, ending at `now_ms`, with only the series `filter`
    /// keeps.
    pub(crate) fn to_json(&self, range: Range, filter: &DebugFilter, now_ms: u64) -> Vec<u8> {
        let rings = self.lock();
        let kept: Vec<usize> = (0..rings.series.len())
            .filter(|&i| {
                let key = &rings.series[i];
                filter.keeps_name(&key.name) && filter.keeps_labels(&key.labels)
            })
            .collect();
        let since = now_ms.saturating_sub(range.span_ms());
        let tier = match range {
            Range::OneMinute | Range::FiveMinutes => Tier::last(&rings.fine, since),
            Range::OneHour => Tier::last(&rings.coarse, since),
            Range::TenHours => Tier::band(&rings.long, since),
        };
        let document = HistoryJson {
            range: range.as_str(),
            series: &rings.series,
            kept: &kept,
            tier,
        };
        serde_json::to_vec(&document).expect("serializing into memory cannot fail")
    }

    /// The bytes the rings' values take.
    #[cfg(test)]
    fn value_bytes(&self) -> usize {
        let rings = self.lock();
        rings.fine.value_bytes() + rings.coarse.value_bytes() + rings.long.value_bytes()
    }
}

/// The numbers a sample contributes, each with its index in [`SUFFIXES`]: its value, or
/// a distribution's count and sum.
fn readings(kind: MetricKind, value: &Value) -> impl Iterator<Item = (usize, f64)> {
    let pair = match (kind, value) {
        (MetricKind::Info, _) => [None, None],
        (_, Value::Histogram(histogram)) => {
            #[allow(clippy::cast_precision_loss)] // counts far below 2^53
            let count = histogram.count() as f64;
            [Some((COUNT, count)), Some((SUM, histogram.sum()))]
        }
        (_, Value::Summary(summary)) => {
            #[allow(clippy::cast_precision_loss)]
            let count = summary.count() as f64;
            [Some((COUNT, count)), Some((SUM, summary.sum()))]
        }
        (_, other) => [other.as_f64().map(|v| (VALUE, v)), None],
    };
    pair.into_iter().flatten()
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
    fn ten_hours_keep_each_slots_lowest_highest_and_mean() {
        let history = History::new(100);
        // Two 5-minute slots, one reading per second; a one-second spike in the first.
        for second in 0..600u32 {
            let requests = if second == 100 { 1_000.0 } else { 10.0 };
            history.record(&snapshot(requests, 1), u64::from(second) * 1000);
        }
        let long = document(&history, "10h", 599_000);
        assert_eq!(long["range"], "10h");
        assert_eq!(long["resolution_seconds"], 300);
        let points = long["points"].as_array().unwrap();
        assert_eq!(points.len(), 2);
        // requests_total is the third series.
        assert_eq!(points[0]["max"][2], 1_000.0, "the spike survives");
        assert_eq!(points[0]["min"][2], 10.0);
        let mean = points[0]["values"][2].as_f64().unwrap();
        assert!(
            (mean - (10.0 + 990.0 / 300.0)).abs() < 1e-9,
            "the mean: {mean}"
        );
        assert_eq!(points[1]["max"][2], 10.0);
        assert_eq!(
            points[0]["t"], 299_000,
            "a slot is stamped with its last reading"
        );
        // The 1 h tier keeps last readings only: the spike is gone there.
        let coarse = document(&history, "1h", 599_000);
        let peak = coarse["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["values"][2].as_f64().unwrap())
            .fold(0.0, f64::max);
        assert_eq!(peak, 10.0);
        assert!(coarse["points"][0].get("max").is_none());
    }

    #[test]
    fn the_bytes_held_are_bounded_as_stated() {
        // 2,000 series read every 30 seconds for 11 hours fill every ring (a ring keeps
        // its newest points however far apart).
        let mut wide = MetricSnapshot::new();
        let family = wide.family("wide", "Wide.", MetricKind::Gauge).unwrap();
        for i in 0..2_000u32 {
            family.add([("i", i.to_string())], f64::from(i)).unwrap();
        }
        let history = History::new(5_000);
        for second in (0..11 * 3_600u64).step_by(30) {
            history.record(&wide, second * 1000);
        }
        let bytes = history.value_bytes();
        let stated = 2_000 * ((300 + 360) * 8 + 120 * 24) + 2_000 * 4;
        assert!(bytes <= stated, "{bytes} bytes held, {stated} stated");
        assert!(
            bytes >= stated * 9 / 10,
            "{bytes} bytes: the rings are full"
        );
        let long = document(&history, "10h", 11 * 3_600_000);
        assert_eq!(long["points"].as_array().unwrap().len(), 120);
    }

    #[test]
    fn series_past_the_limit_are_not_tracked() {
        let history = History::new(1);
        history.record(&snapshot(1.0, 1), 0);
        let doc = document(&history, "1m", 0);
        assert_eq!(doc["series"].as_array().unwrap().len(), 1);
        assert_eq!(doc["points"][0]["values"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn a_history_of_no_series_is_off() {
        let history = History::new(0);
        history.record(&snapshot(1.0, 1), 0);
        for range in ["1m", "10h"] {
            let doc = document(&history, range, 0);
            assert_eq!(doc["series"].as_array().unwrap().len(), 0, "{range}");
            assert_eq!(doc["points"].as_array().unwrap().len(), 0, "{range}");
        }
    }
}
