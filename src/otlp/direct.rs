//! The request body written field by field for counter, gauge and info families (most
//! series), with each series' attributes encoded once and kept; other families go
//! through the `opentelemetry-proto` messages. The result decodes to the same request as
//! building every message would (tested below).

use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::metrics::v1::AggregationTemporality;
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::encoding::{encode_key, encode_varint, encoded_len_varint, WireType};
use prost::Message;

use super::convert::{attributes, metric, otlp_exemplar, otlp_name, otlp_unit, StartTimes};
use crate::model::{LabelSet, MetricFamily, MetricKind, MetricSnapshot, Value};

// Field numbers, from opentelemetry/proto/{collector/metrics,metrics}/v1.
const REQUEST_RESOURCE_METRICS: u32 = 1;
const RESOURCE_METRICS_RESOURCE: u32 = 1;
const RESOURCE_METRICS_SCOPE_METRICS: u32 = 2;
const SCOPE_METRICS_SCOPE: u32 = 1;
const SCOPE_METRICS_METRICS: u32 = 2;
const METRIC_NAME: u32 = 1;
const METRIC_DESCRIPTION: u32 = 2;
const METRIC_UNIT: u32 = 3;
const METRIC_GAUGE: u32 = 5;
const METRIC_SUM: u32 = 7;
const POINTS: u32 = 1;
const SUM_TEMPORALITY: u32 = 2;
const SUM_MONOTONIC: u32 = 3;
const POINT_START: u32 = 2;
const POINT_TIME: u32 = 3;
const POINT_DOUBLE: u32 = 4;
const POINT_EXEMPLARS: u32 = 5;
const POINT_ATTRIBUTES: u32 = 7;

/// Appends a length-delimited field: key, length, then `body`.
fn field(tag: u32, body: &[u8], out: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(body.len() as u64, out);
    out.extend_from_slice(body);
}

/// A string field; proto3 leaves an empty one out.
fn string(tag: u32, value: &str, out: &mut Vec<u8>) {
    if !value.is_empty() {
        field(tag, value.as_bytes(), out);
    }
}

fn fixed64(tag: u32, value: u64, out: &mut Vec<u8>) {
    if value != 0 {
        encode_key(tag, WireType::SixtyFourBit, out);
        out.extend_from_slice(&value.to_le_bytes());
    }
}

/// A series' labels as a number point's attributes, encoded.
fn number_attributes(labels: &LabelSet) -> Box<[u8]> {
    let mut out = Vec::new();
    for attribute in attributes(labels) {
        prost::encoding::message::encode(POINT_ATTRIBUTES, &attribute, &mut out);
    }
    out.into_boxed_slice()
}

/// The parts of a request that do not change between exports, encoded once.
#[derive(Debug)]
pub(crate) struct Envelope {
    resource: Vec<u8>,
    scope: Vec<u8>,
}

impl Envelope {
    pub(crate) fn new(resource: &Resource, scope: &InstrumentationScope) -> Self {
        Self {
            resource: resource.encode_to_vec(),
            scope: scope.encode_to_vec(),
        }
    }
}

/// Reused buffers.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    scope_metrics: Vec<u8>,
    metric: Vec<u8>,
    points: Vec<u8>,
    point: Vec<u8>,
}

/// `snapshot`, gathered at `time` (ns since the Unix epoch), as an
/// `ExportMetricsServiceRequest` body; and how many points it holds.
pub(crate) fn encode_request(
    snapshot: &MetricSnapshot,
    time: u64,
    starts: &mut StartTimes,
    envelope: &Envelope,
    buffers: &mut Buffers,
) -> (Vec<u8>, usize) {
    let mut points = 0;
    let scope_metrics = &mut buffers.scope_metrics;
    scope_metrics.clear();
    field(SCOPE_METRICS_SCOPE, &envelope.scope, scope_metrics);
    for family in snapshot.families() {
        let mut family_starts = starts.family(family.name());
        match family.kind() {
            MetricKind::Counter | MetricKind::Gauge | MetricKind::Info => {
                number_metric(
                    family,
                    time,
                    &mut family_starts,
                    &mut buffers.metric,
                    &mut buffers.points,
                    &mut buffers.point,
                );
                field(SCOPE_METRICS_METRICS, &buffers.metric, scope_metrics);
            }
            _ => {
                let Some(metric) = metric(family, time, &mut family_starts) else {
                    continue;
                };
                prost::encoding::message::encode(SCOPE_METRICS_METRICS, &metric, scope_metrics);
            }
        }
        points += family.len();
    }
    starts.finish(time);
    let resource_metrics_len = 1
        + encoded_len_varint(envelope.resource.len() as u64)
        + envelope.resource.len()
        + 1
        + encoded_len_varint(scope_metrics.len() as u64)
        + scope_metrics.len();
    let mut body = Vec::with_capacity(resource_metrics_len + 11);
    encode_key(
        REQUEST_RESOURCE_METRICS,
        WireType::LengthDelimited,
        &mut body,
    );
    encode_varint(resource_metrics_len as u64, &mut body);
    field(RESOURCE_METRICS_RESOURCE, &envelope.resource, &mut body);
    field(RESOURCE_METRICS_SCOPE_METRICS, scope_metrics, &mut body);
    (body, points)
}

/// A counter, gauge or info family as a Metric message body in `metric`.
fn number_metric(
    family: &MetricFamily,
    time: u64,
    starts: &mut super::convert::FamilyStarts<'_>,
    metric: &mut Vec<u8>,
    points: &mut Vec<u8>,
    point: &mut Vec<u8>,
) {
    let cumulative = family.kind() == MetricKind::Counter;
    points.clear();
    for (labels, value) in family.samples() {
        let (number, exemplar) = match value {
            Value::CountWithExemplar(counted) => (counted.count(), Some(counted.exemplar())),
            other => match other.as_f64() {
                Some(number) => (number, None),
                None => continue,
            },
        };
        let series = starts.series(labels, number);
        let attributes = series
            .number_attributes
            .get_or_insert_with(|| number_attributes(labels));
        point.clear();
        point.extend_from_slice(attributes);
        if cumulative {
            fixed64(POINT_START, series.start, point);
        }
        fixed64(POINT_TIME, time, point);
        encode_key(POINT_DOUBLE, WireType::SixtyFourBit, point);
        point.extend_from_slice(&number.to_le_bytes());
        if let Some(kept) = exemplar {
            prost::encoding::message::encode(POINT_EXEMPLARS, &otlp_exemplar(kept, time), point);
        }
        field(POINTS, point, points);
    }
    if cumulative {
        encode_key(SUM_TEMPORALITY, WireType::Varint, points);
        encode_varint(AggregationTemporality::Cumulative as u64, points);
        encode_key(SUM_MONOTONIC, WireType::Varint, points);
        encode_varint(1, points);
    }
    metric.clear();
    string(METRIC_NAME, otlp_name(family), metric);
    string(METRIC_DESCRIPTION, family.help(), metric);
    string(METRIC_UNIT, &otlp_unit(family.unit()), metric);
    field(
        if cumulative { METRIC_SUM } else { METRIC_GAUGE },
        points,
        metric,
    );
}

#[cfg(test)]
mod tests {
    use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
    use opentelemetry_proto::tonic::metrics::v1::{ResourceMetrics, ScopeMetrics};

    use super::*;
    use crate::stats::{
        Buckets, Counter, Exemplar, Histogram, NativeConfig, SpanId, TraceId, TracedCounter,
    };
    use crate::write::Writer;

    /// Every kind, labels with and without values, a counter with an exemplar, an empty
    /// family.
    fn snapshot(count: u64) -> MetricSnapshot {
        let mut snapshot = MetricSnapshot::new();
        let mut out = Writer::new(&mut snapshot);
        let mut counter = Counter::new();
        counter.add(count);
        let mut family = out.counter("jobs_total", "Jobs.").declare().unwrap();
        family.add([("queue", "a")], &counter).unwrap();
        family
            .add([("queue", "b"), ("zone", "")], count / 2)
            .unwrap();
        let mut traced = TracedCounter::new();
        let trace = TraceId::from_bytes([7; 16]).unwrap();
        let span = SpanId::from_bytes([9; 8]).unwrap();
        traced.add_with_exemplar(3, Exemplar::new(trace).with_span(span).at(1.7e9));
        out.counter("traced_total", "Traced.")
            .add((), &traced)
            .unwrap();
        out.gauge("queue_bytes", "Bytes queued.")
            .unit(crate::model::Unit::Bytes)
            .add((), 0.0)
            .unwrap();
        out.gauge("empty", "Nothing.").declare().unwrap();
        let mut classic = Histogram::new(Buckets::new(vec![0.1, 1.0]).unwrap());
        classic.observe(0.5);
        out.histogram("wait_seconds", "Wait.")
            .add((), &classic)
            .unwrap();
        let mut native = Histogram::native(NativeConfig::new(0, 1e-9, 160).unwrap());
        native.observe(1.5);
        out.histogram("size_bytes", "Size.")
            .add((), &native)
            .unwrap();
        out.info("build_info", "Build.")
            .add([("version", "1.2")], ())
            .unwrap();
        snapshot
    }

    #[test]
    fn written_field_by_field_it_decodes_to_the_request_the_messages_make() {
        let resource = Resource {
            attributes: vec![super::super::convert::string_attribute("service.name", "x")],
            ..Resource::default()
        };
        let scope = InstrumentationScope {
            name: "actorscope".into(),
            ..InstrumentationScope::default()
        };
        let envelope = Envelope::new(&resource, &scope);
        let (mut direct_starts, mut message_starts) = (StartTimes::new(10), StartTimes::new(10));
        let mut buffers = Buffers::default();
        // Three exports, the second a reset: start times must agree too.
        for (export, count) in [(100, 5), (200, 2), (300, 9)] {
            let snapshot = snapshot(count);
            let (body, points) = encode_request(
                &snapshot,
                export,
                &mut direct_starts,
                &envelope,
                &mut buffers,
            );
            let (metrics, expected_points) =
                super::super::convert::convert(&snapshot, export, &mut message_starts);
            let expected = ExportMetricsServiceRequest {
                resource_metrics: vec![ResourceMetrics {
                    resource: Some(resource.clone()),
                    scope_metrics: vec![ScopeMetrics {
                        scope: Some(scope.clone()),
                        metrics,
                        schema_url: String::new(),
                    }],
                    schema_url: String::new(),
                }],
            };
            let decoded = ExportMetricsServiceRequest::decode(body.as_slice()).expect("decodes");
            assert_eq!(decoded, expected, "export at {export}");
            assert_eq!(points, expected_points);
        }
    }
}
