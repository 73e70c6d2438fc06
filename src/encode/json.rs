use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use serde::Serialize;

use super::Encoder;
use crate::model::{
    HistogramValue, LabelSet, MetricFamily, MetricSnapshot, ScrapeError, SummaryValue, Value,
};

/// ActorScope's JSON document, the dashboard's only data source.
///
/// The schema (version 2); keys always appear in this order, families in name order and
/// samples in the order collectors added them:
///
/// ```text
/// {
///   "version": 2,
///   "families": [
///     { "name": "http_requests_total",      // as in Prometheus text (counters with _total)
///       "help": "...",
///       "type": "counter",                  // counter | gauge | histogram | summary | info | slots
///       "unit": null,                       // or "seconds", "bytes", ...
///       "samples": [
///         { "labels": {"route": "/kv/{key}"}, "value": 12 },                       // counter, gauge, info (1)
///         { "labels": {}, "buckets": [{"le": 0.1, "count": 3}, {"le": "+Inf", "count": 4}],
///           "count": 4, "sum": 1.25 },                                            // histogram (cumulative)
///         { "labels": {}, "quantiles": [{"quantile": 0.5, "value": 0.2}],
///           "count": 9, "sum": 2.5 },                                             // summary
///         { "labels": {"pool": "connections", "worker": "0"}, "states": "aaiff" } // slots: one letter per
///       ] }                                                                       // slot: f free, a active,
///   ],                                                                            // i idle, c closing
///   "errors": [ { "collector": "db", "kind": "timeout", "message": "..." } ]
/// }
/// ```
///
/// A float is a JSON number when finite, else one of the strings `"NaN"`, `"+Inf"`,
/// `"-Inf"`. Counts are integers. Version 2 moved version 1's top-level `slot_maps` into
/// ordinary `slots` families (`actorscope_pool_slots`), which the text formats leave out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

/// The schema version written as `"version"`.
pub const JSON_SCHEMA_VERSION: u32 = 2;

impl Encoder for Json {
    fn content_type(&self) -> &'static str {
        "application/json"
    }

    fn encode(&self, snapshot: &MetricSnapshot, out: &mut Vec<u8>) {
        // Writing our own `Serialize` types into memory has no failure path: every map key
        // is a string and `Vec<u8>` never refuses a write.
        serde_json::to_writer(out, &SnapshotJson(snapshot))
            .expect("serializing a snapshot into memory cannot fail");
    }
}

/// Writes a delta document for the live stream (`/debug/stream`): the same shape as a
/// snapshot, where `families` holds only new and changed samples (each family with its
/// full declaration), and `removed` lists series (`labels` an object) and whole families
/// (`labels` null) that went away:
///
/// ```text
/// {"version":2,"families":[...],"removed":[{"name":"kv_keys","labels":{"worker":"3"}}],"errors":[...]}
/// ```
pub(crate) fn encode_delta(
    changed: &MetricSnapshot,
    removed: &[(String, Option<LabelSet>)],
    out: &mut Vec<u8>,
) {
    let delta = DeltaJson { changed, removed };
    serde_json::to_writer(out, &delta).expect("serializing a delta into memory cannot fail");
}

struct DeltaJson<'a> {
    changed: &'a MetricSnapshot,
    removed: &'a [(String, Option<LabelSet>)],
}

impl Serialize for DeltaJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut document = serializer.serialize_map(None)?;
        document.serialize_entry("version", &JSON_SCHEMA_VERSION)?;
        document.serialize_entry("families", &FamiliesJson(self.changed))?;
        document.serialize_entry("removed", &RemovedJson(self.removed))?;
        document.serialize_entry("errors", &ErrorsJson(self.changed.errors()))?;
        document.end()
    }
}

struct RemovedJson<'a>(&'a [(String, Option<LabelSet>)]);

impl Serialize for RemovedJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|(name, labels)| RemovedSeries {
            name,
            labels: labels.as_ref().map(LabelsJson),
        }))
    }
}

#[derive(Serialize)]
struct RemovedSeries<'a> {
    name: &'a str,
    labels: Option<LabelsJson<'a>>,
}

struct SnapshotJson<'a>(&'a MetricSnapshot);
struct FamiliesJson<'a>(&'a MetricSnapshot);
struct FamilyJson<'a>(&'a MetricFamily);
struct SamplesJson<'a>(&'a MetricFamily);
struct SampleJson<'a>(&'a LabelSet, &'a Value);
struct LabelsJson<'a>(&'a LabelSet);
struct BucketsJson<'a>(&'a HistogramValue);
struct QuantilesJson<'a>(&'a SummaryValue);
struct ErrorsJson<'a>(&'a [ScrapeError]);
/// A float: a number when finite, else `"NaN"`, `"+Inf"` or `"-Inf"`.
struct Float(f64);

impl Serialize for SnapshotJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut document = serializer.serialize_struct("Snapshot", 3)?;
        document.serialize_field("version", &JSON_SCHEMA_VERSION)?;
        document.serialize_field("families", &FamiliesJson(self.0))?;
        document.serialize_field("errors", &ErrorsJson(self.0.errors()))?;
        document.end()
    }
}

impl Serialize for FamiliesJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.families().map(FamilyJson))
    }
}

impl Serialize for FamilyJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let family = self.0;
        let mut object = serializer.serialize_struct("Family", 5)?;
        object.serialize_field("name", family.name())?;
        object.serialize_field("help", family.help())?;
        object.serialize_field("type", family.kind().as_str())?;
        object.serialize_field("unit", &family.unit().map(|unit| unit.as_str()))?;
        object.serialize_field("samples", &SamplesJson(family))?;
        object.end()
    }
}

impl Serialize for SamplesJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.0
                .samples()
                .map(|(labels, value)| SampleJson(labels, value)),
        )
    }
}

impl Serialize for SampleJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = serializer.serialize_map(None)?;
        object.serialize_entry("labels", &LabelsJson(self.0))?;
        match self.1 {
            Value::Number(number) => object.serialize_entry("value", &Float(*number))?,
            Value::Info => object.serialize_entry("value", &1)?,
            Value::Histogram(histogram) => {
                object.serialize_entry("buckets", &BucketsJson(histogram))?;
                object.serialize_entry("count", &histogram.count())?;
                object.serialize_entry("sum", &Float(histogram.sum()))?;
            }
            Value::Summary(summary) => {
                object.serialize_entry("quantiles", &QuantilesJson(summary))?;
                object.serialize_entry("count", &summary.count())?;
                object.serialize_entry("sum", &Float(summary.sum()))?;
            }
            Value::Slots(states) => object.serialize_entry("states", states.as_str())?,
        }
        object.end()
    }
}

impl Serialize for LabelsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter())
    }
}

impl Serialize for BucketsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buckets = serializer.serialize_seq(None)?;
        for (bound, count) in self.0.buckets() {
            buckets.serialize_element(&Bucket {
                le: Float(bound),
                count,
            })?;
        }
        buckets.end()
    }
}

#[derive(Serialize)]
struct Bucket {
    le: Float,
    count: u64,
}

#[derive(Serialize)]
struct Quantile {
    quantile: Float,
    value: Float,
}

impl Serialize for QuantilesJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.quantiles().iter().map(|(quantile, value)| Quantile {
            quantile: Float(*quantile),
            value: Float(*value),
        }))
    }
}

impl Serialize for ErrorsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut errors = serializer.serialize_seq(Some(self.0.len()))?;
        for error in self.0 {
            errors.serialize_element(&ErrorJson {
                collector: error.collector(),
                kind: error.kind().as_str(),
                message: error.message(),
            })?;
        }
        errors.end()
    }
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    collector: &'a str,
    kind: &'a str,
    message: &'a str,
}

impl Serialize for Float {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = self.0;
        if value.is_finite() {
            serializer.serialize_f64(value)
        } else if value.is_nan() {
            serializer.serialize_str("NaN")
        } else if value > 0.0 {
            serializer.serialize_str("+Inf")
        } else {
            serializer.serialize_str("-Inf")
        }
    }
}
