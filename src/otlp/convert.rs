//! A snapshot as OTLP metrics: every family one `Metric`, every sample one point, with
//! start times that say when each cumulative series began counting.

use std::collections::HashMap;

use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{
    exemplar, exponential_histogram_data_point::Buckets, metric::Data, number_data_point,
    summary_data_point::ValueAtQuantile, AggregationTemporality, Exemplar, ExponentialHistogram,
    ExponentialHistogramDataPoint, Gauge, Histogram, HistogramDataPoint, Metric, NumberDataPoint,
    Sum, Summary, SummaryDataPoint,
};

use crate::model::{
    ExemplarValue, HistogramValue, LabelHashSeed, LabelSet, MetricFamily, MetricKind, NativeValue,
    Unit, Value,
};

const CUMULATIVE: i32 = AggregationTemporality::Cumulative as i32;

/// The OTLP (UCUM) unit of a Prometheus unit.
pub(crate) fn otlp_unit(unit: Option<Unit>) -> String {
    match unit {
        None => String::new(),
        Some(Unit::Seconds) => "s".to_owned(),
        Some(Unit::Bytes) => "By".to_owned(),
        Some(Unit::Ratio) => "1".to_owned(),
        Some(Unit::Celsius) => "Cel".to_owned(),
        Some(Unit::Meters) => "m".to_owned(),
        Some(Unit::Volts) => "V".to_owned(),
        Some(Unit::Amperes) => "A".to_owned(),
        Some(Unit::Joules) => "J".to_owned(),
        Some(Unit::Grams) => "g".to_owned(),
        Some(other) => other.as_str().to_owned(),
    }
}

/// When each cumulative series began counting, kept from one export to the next.
///
/// A series at the first export began when the registry was made. One that appears
/// later began after the export before it (it was not there then). A series whose count
/// went down was reset (a worker that stopped and whose label a new worker took, a
/// restarted component): it began again after the export before. So a start time is
/// never earlier than the truth, and later by at most one export interval. A reset whose
/// new count has already passed the old one by the next export is not seen (nor would
/// Prometheus' `rate()` see it).
type SeriesStarts = HashMap<LabelSet, Series, LabelHashSeed>;

/// What is kept of one series from one export to the next.
#[derive(Debug)]
pub(crate) struct Series {
    /// When it began counting (ns since the Unix epoch).
    pub(crate) start: u64,
    /// Its latest count.
    count: f64,
    /// The export that last saw it.
    export: u64,
    /// Its labels as a number point's encoded attributes (made on first use).
    pub(crate) number_attributes: Option<Box<[u8]>>,
}

#[derive(Debug, Default)]
pub(crate) struct StartTimes {
    /// Per family, per series, hashed with the model's fast label-set hasher.
    series: HashMap<String, SeriesStarts>,
    previous_export: Option<u64>,
    origin: u64,
    export: u64,
}

impl StartTimes {
    /// Start times for a registry made at `origin` (ns since the Unix epoch).
    pub(crate) fn new(origin: u64) -> Self {
        Self {
            origin,
            ..Self::default()
        }
    }

    /// The series of `family`, to look start times up in.
    pub(crate) fn family(&mut self, family: &str) -> FamilyStarts<'_> {
        if !self.series.contains_key(family) {
            self.series.insert(
                family.to_owned(),
                HashMap::with_hasher(LabelHashSeed::new()),
            );
        }
        let fresh = self.previous_export.unwrap_or(self.origin);
        let export = self.export;
        FamilyStarts {
            series: self.series.get_mut(family).expect("inserted above"),
            fresh,
            export,
        }
    }

    /// Forgets series that were not in this export, and remembers when it was.
    pub(crate) fn finish(&mut self, now: u64) {
        let export = self.export;
        for series in self.series.values_mut() {
            series.retain(|_, kept| kept.export == export);
        }
        self.series.retain(|_, series| !series.is_empty());
        self.previous_export = Some(now);
        self.export += 1;
    }
}

/// One family's start times, during one export.
pub(crate) struct FamilyStarts<'a> {
    series: &'a mut SeriesStarts,
    fresh: u64,
    export: u64,
}

impl FamilyStarts<'_> {
    /// The start time of series `labels`, now counting `count`.
    fn start(&mut self, labels: &LabelSet, count: f64) -> u64 {
        self.series(labels, count).start
    }

    /// What is kept of series `labels`, now counting `count` (a gauge's reading counts
    /// too: it only matters for cumulative series).
    pub(crate) fn series(&mut self, labels: &LabelSet, count: f64) -> &mut Series {
        let (fresh, export) = (self.fresh, self.export);
        // A label set is shared: the clone is a reference count.
        let entry = self.series.entry(labels.clone()).or_insert(Series {
            start: fresh,
            count,
            export,
            number_attributes: None,
        });
        if count < entry.count {
            entry.start = fresh;
        }
        entry.count = count;
        entry.export = export;
        entry
    }
}

/// An attribute of `key` with a string, or any other value.
pub(crate) fn attribute(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        ..KeyValue::default()
    }
}

/// An attribute of `key` with a string value.
pub(crate) fn string_attribute(key: &str, value: impl Into<String>) -> KeyValue {
    attribute(key, any_value::Value::StringValue(value.into()))
}

/// The attributes of a series: its labels.
pub(crate) fn attributes(labels: &LabelSet) -> Vec<KeyValue> {
    labels
        .iter()
        .map(|(key, value)| string_attribute(key, value))
        .collect()
}

/// Seconds since the Unix epoch as nanoseconds (0 for a time before it).
fn nanos(seconds: f64) -> u64 {
    // Saturating casts: a time before 1970 or past 2554 is not a time we write.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let nanos = (seconds * 1e9) as u64;
    nanos
}

pub(crate) fn otlp_exemplar(kept: &ExemplarValue, time: u64) -> Exemplar {
    Exemplar {
        filtered_attributes: Vec::new(),
        time_unix_nano: kept.timestamp().map_or(time, nanos),
        span_id: kept.span_id().map(|id| id.to_vec()).unwrap_or_default(),
        trace_id: kept.trace_id().to_vec(),
        value: Some(exemplar::Value::AsDouble(kept.value())),
    }
}

/// Converts `snapshot`, gathered at `time` (ns since the Unix epoch), into OTLP metrics,
/// updating `starts`. Counters lose their `_total` suffix (the OpenMetrics name, as the
/// OpenTelemetry Prometheus translators expect), info families become gauges of 1 whose
/// attributes are the information, and a histogram with a native form is written as an
/// exponential histogram (else as explicit buckets). Slot maps are left out (JSON only).
/// Returns the metrics and the number of points.
#[cfg(test)]
pub(crate) fn convert(
    snapshot: &crate::model::MetricSnapshot,
    time: u64,
    starts: &mut StartTimes,
) -> (Vec<Metric>, usize) {
    let mut metrics = Vec::with_capacity(snapshot.len());
    let mut points = 0;
    for family in snapshot.families() {
        let Some(metric) = metric(family, time, &mut starts.family(family.name())) else {
            continue;
        };
        points += family.len();
        metrics.push(metric);
    }
    starts.finish(time);
    (metrics, points)
}

/// The OTLP name of a family: counters without `_total`.
pub(crate) fn otlp_name(family: &MetricFamily) -> &str {
    match family.kind() {
        MetricKind::Counter => family.openmetrics_name(),
        _ => family.name(),
    }
}

/// One family as an OTLP metric (`None` for slot maps).
pub(crate) fn metric(
    family: &MetricFamily,
    time: u64,
    starts: &mut FamilyStarts<'_>,
) -> Option<Metric> {
    Some(Metric {
        name: otlp_name(family).to_owned(),
        description: family.help().to_owned(),
        unit: otlp_unit(family.unit()),
        metadata: Vec::new(),
        data: Some(data(family, time, starts)?),
    })
}

/// The data of one family. Exports write counter, gauge and info families field by
/// field (`direct.rs`); their branches here are the reference that writer is tested
/// against, and the path of every other kind.
fn data(family: &MetricFamily, time: u64, starts: &mut FamilyStarts<'_>) -> Option<Data> {
    let mut start = |labels: &LabelSet, count: f64| starts.start(labels, count);
    let number =
        |labels: &LabelSet, value: f64, start: u64, exemplars: Vec<Exemplar>| NumberDataPoint {
            attributes: attributes(labels),
            start_time_unix_nano: start,
            time_unix_nano: time,
            exemplars,
            flags: 0,
            value: Some(number_data_point::Value::AsDouble(value)),
        };
    match family.kind() {
        MetricKind::Counter => {
            let data_points = family
                .samples()
                .filter_map(|(labels, value)| {
                    let (count, exemplars) = match value {
                        Value::CountWithExemplar(counted) => (
                            counted.count(),
                            vec![otlp_exemplar(counted.exemplar(), time)],
                        ),
                        other => (other.as_f64()?, Vec::new()),
                    };
                    Some(number(labels, count, start(labels, count), exemplars))
                })
                .collect();
            Some(Data::Sum(Sum {
                data_points,
                aggregation_temporality: CUMULATIVE,
                is_monotonic: true,
            }))
        }
        MetricKind::Gauge | MetricKind::Info => {
            let data_points = family
                .samples()
                .filter_map(|(labels, value)| Some(number(labels, value.as_f64()?, 0, Vec::new())))
                .collect();
            Some(Data::Gauge(Gauge { data_points }))
        }
        MetricKind::Histogram => histogram(family, time, &mut start),
        MetricKind::Summary => {
            let data_points = family
                .samples()
                .filter_map(|(labels, value)| {
                    let Value::Summary(summary) = value else {
                        return None;
                    };
                    #[allow(clippy::cast_precision_loss)]
                    let count = summary.count() as f64;
                    Some(SummaryDataPoint {
                        attributes: attributes(labels),
                        start_time_unix_nano: start(labels, count),
                        time_unix_nano: time,
                        count: summary.count(),
                        sum: summary.sum(),
                        quantile_values: summary
                            .quantiles()
                            .iter()
                            .map(|&(quantile, value)| ValueAtQuantile { quantile, value })
                            .collect(),
                        flags: 0,
                    })
                })
                .collect();
            Some(Data::Summary(Summary { data_points }))
        }
        _ => None,
    }
}

fn histogram(
    family: &MetricFamily,
    time: u64,
    start: &mut dyn FnMut(&LabelSet, f64) -> u64,
) -> Option<Data> {
    let readings: Vec<(&LabelSet, &HistogramValue)> = family
        .samples()
        .filter_map(|(labels, value)| Some((labels, value.as_histogram()?)))
        .collect();
    let exemplars = |value: &HistogramValue| -> Vec<Exemplar> {
        value
            .exemplars()
            .iter()
            .flatten()
            .map(|kept| otlp_exemplar(kept, time))
            .collect()
    };
    #[allow(clippy::cast_precision_loss)]
    let count_of = |value: &HistogramValue| value.count() as f64;
    if !readings.is_empty() && readings.iter().all(|(_, value)| value.native().is_some()) {
        let data_points = readings
            .iter()
            .filter_map(|(labels, value)| {
                let native = value.native()?;
                Some(exponential_point(
                    labels,
                    value,
                    native,
                    start(labels, count_of(value)),
                    time,
                    exemplars(value),
                ))
            })
            .collect();
        return Some(Data::ExponentialHistogram(ExponentialHistogram {
            data_points,
            aggregation_temporality: CUMULATIVE,
        }));
    }
    let data_points = readings
        .iter()
        .map(|(labels, value)| {
            let mut below = 0;
            let bucket_counts = value
                .buckets()
                .map(|(_, cumulative)| {
                    let count = cumulative.saturating_sub(below);
                    below = cumulative;
                    count
                })
                .collect();
            HistogramDataPoint {
                attributes: attributes(labels),
                start_time_unix_nano: start(labels, count_of(value)),
                time_unix_nano: time,
                count: value.count(),
                sum: Some(value.sum()),
                bucket_counts,
                explicit_bounds: value.bounds().to_vec(),
                exemplars: exemplars(value),
                flags: 0,
                min: None,
                max: None,
            }
        })
        .collect();
    Some(Data::Histogram(Histogram {
        data_points,
        aggregation_temporality: CUMULATIVE,
    }))
}

/// A native histogram as an OTLP exponential one: the same scale (Prometheus' schema),
/// and bucket indexes one lower (OTLP's bucket `i` is `(base^i, base^(i+1)]`,
/// Prometheus' is `(base^(i-1), base^i]`).
fn exponential_point(
    labels: &LabelSet,
    value: &HistogramValue,
    native: &NativeValue,
    start: u64,
    time: u64,
    exemplars: Vec<Exemplar>,
) -> ExponentialHistogramDataPoint {
    let buckets = |(offset, counts): (i32, &[u64])| {
        Some(Buckets {
            offset: offset.saturating_sub(1),
            bucket_counts: counts.to_vec(),
        })
    };
    ExponentialHistogramDataPoint {
        attributes: attributes(labels),
        start_time_unix_nano: start,
        time_unix_nano: time,
        count: value.count(),
        sum: Some(value.sum()),
        scale: i32::from(native.schema()),
        zero_count: native.zero_count(),
        positive: buckets(native.positive()),
        negative: buckets(native.negative()),
        flags: 0,
        exemplars,
        min: None,
        max: None,
        zero_threshold: native.zero_threshold(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MetricSnapshot, SummaryValue};
    use crate::stats::{Buckets, Counter, Histogram, NativeConfig};
    use crate::write::Writer;

    fn snapshot(count: u64) -> MetricSnapshot {
        let mut snapshot = MetricSnapshot::new();
        let mut out = Writer::new(&mut snapshot);
        let mut counter = Counter::new();
        counter.add(count);
        out.counter("jobs_total", "Jobs.")
            .add([("queue", "a")], &counter)
            .unwrap();
        out.gauge("queue_depth", "Depth.").add((), 3.5).unwrap();
        let mut classic = Histogram::new(Buckets::new(vec![0.1, 1.0]).unwrap());
        classic.observe(0.05);
        classic.observe(0.5);
        classic.observe(5.0);
        out.histogram("wait_seconds", "Wait.")
            .unit(Unit::Seconds)
            .add((), &classic)
            .unwrap();
        let mut native = Histogram::native(NativeConfig::new(0, 1e-9, 160).unwrap());
        native.observe(1.5); // (1, 2]: Prometheus index 1, OTLP index 0
        native.observe(3.0); // (2, 4]
        out.histogram("size_bytes", "Size.")
            .unit(Unit::Bytes)
            .add((), &native)
            .unwrap();
        let summary = SummaryValue::new(&[(0.5, 2.0)], 4, 9.0).unwrap();
        out.summary("latency_seconds", "Latency.")
            .add((), summary)
            .unwrap();
        out.info("build_info", "Build.")
            .add([("version", "1.2")], ())
            .unwrap();
        snapshot
    }

    fn metric<'a>(metrics: &'a [Metric], name: &str) -> &'a Metric {
        metrics
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    }

    #[test]
    fn every_kind_becomes_its_otlp_data_type() {
        let mut starts = StartTimes::new(1_000);
        let (metrics, points) = convert(&snapshot(7), 5_000, &mut starts);
        assert_eq!(points, 6);
        let Some(Data::Sum(sum)) = &metric(&metrics, "jobs").data else {
            panic!("a sum")
        };
        assert!(sum.is_monotonic);
        assert_eq!(sum.aggregation_temporality, CUMULATIVE);
        let point = &sum.data_points[0];
        assert_eq!(point.value, Some(number_data_point::Value::AsDouble(7.0)));
        assert_eq!(
            (point.start_time_unix_nano, point.time_unix_nano),
            (1_000, 5_000)
        );
        assert_eq!(point.attributes, vec![string_attribute("queue", "a")]);

        let Some(Data::Gauge(gauge)) = &metric(&metrics, "queue_depth").data else {
            panic!()
        };
        assert_eq!(
            gauge.data_points[0].value,
            Some(number_data_point::Value::AsDouble(3.5))
        );

        let wait = metric(&metrics, "wait_seconds");
        assert_eq!(wait.unit, "s");
        let Some(Data::Histogram(classic)) = &wait.data else {
            panic!("explicit buckets")
        };
        let point = &classic.data_points[0];
        assert_eq!(point.explicit_bounds, vec![0.1, 1.0]);
        assert_eq!(
            point.bucket_counts,
            vec![1, 1, 1],
            "per bucket, not cumulative"
        );
        assert_eq!((point.count, point.sum), (3, Some(5.55)));

        let size = metric(&metrics, "size_bytes");
        assert_eq!(size.unit, "By");
        let Some(Data::ExponentialHistogram(native)) = &size.data else {
            panic!("exponential")
        };
        let point = &native.data_points[0];
        assert_eq!(point.scale, 0);
        let positive = point.positive.as_ref().expect("positive buckets");
        assert_eq!(positive.offset, 0, "OTLP bucket 0 is (1, 2] at scale 0");
        assert_eq!(positive.bucket_counts, vec![1, 1]);

        let Some(Data::Summary(summary)) = &metric(&metrics, "latency_seconds").data else {
            panic!()
        };
        assert_eq!(summary.data_points[0].quantile_values[0].value, 2.0);
        let Some(Data::Gauge(info)) = &metric(&metrics, "build_info").data else {
            panic!("info")
        };
        assert_eq!(
            info.data_points[0].value,
            Some(number_data_point::Value::AsDouble(1.0))
        );
        assert_eq!(
            info.data_points[0].attributes,
            vec![string_attribute("version", "1.2")]
        );
    }

    #[test]
    fn start_times_hold_until_a_reset_and_new_series_start_after_the_export_before() {
        let mut starts = StartTimes::new(1_000);
        let start_of = |metrics: &[Metric]| {
            let Some(Data::Sum(sum)) = &metric(metrics, "jobs").data else {
                panic!()
            };
            sum.data_points[0].start_time_unix_nano
        };
        let (metrics, _) = convert(&snapshot(5), 2_000, &mut starts);
        assert_eq!(start_of(&metrics), 1_000, "there from the start");
        let (metrics, _) = convert(&snapshot(9), 3_000, &mut starts);
        assert_eq!(start_of(&metrics), 1_000, "stable while counting up");
        let (metrics, _) = convert(&snapshot(2), 4_000, &mut starts);
        assert_eq!(
            start_of(&metrics),
            3_000,
            "a reset began after the export before"
        );
        let (metrics, _) = convert(&snapshot(3), 5_000, &mut starts);
        assert_eq!(start_of(&metrics), 3_000);
        // A series that goes away and comes back is new.
        let (_, _) = convert(&MetricSnapshot::new(), 6_000, &mut starts);
        let (metrics, _) = convert(&snapshot(3), 7_000, &mut starts);
        assert_eq!(start_of(&metrics), 6_000);
    }
}
