//! The protobuf exposition format: length-delimited `io.prometheus.client.MetricFamily`
//! messages, the only format that carries native histograms to Prometheus.

use prost::encoding::{encode_key, encode_varint, WireType};

use super::proto;
use super::Encoder;
use crate::model::{
    ExemplarValue, HistogramValue, LabelSet, MetricFamily, MetricKind, MetricSnapshot, NativeValue,
    Rendering, SummaryValue, Value,
};

/// Prometheus' protobuf format (`io.prometheus.client.MetricFamily`, length-delimited).
///
/// Counters are named with their `_total`, as client_golang names them; info families
/// become gauges of value 1 (the format has no info type); slot maps are left out.
/// Histograms carry their classic buckets (cumulative, `+Inf` implied by the count, or
/// written when it holds an exemplar), their native form when they have one, and their
/// exemplars: per classic bucket, and with a timestamp also in the native form's list.
///
/// ```
/// use actorscope::encode::{Encoder, Protobuf};
/// use actorscope::model::MetricSnapshot;
/// use actorscope::write::Writer;
///
/// let mut snapshot = MetricSnapshot::new();
/// Writer::new(&mut snapshot).counter("jobs_total", "Jobs done.").add((), 3)?;
/// let mut body = Vec::new();
/// Protobuf.encode(&snapshot, &mut body);
/// // A varint length, then the family: field 1 (the name) comes first.
/// assert_eq!(body[1], 0x0a);
/// assert_eq!(&body[3..13], b"jobs_total");
/// # Ok::<(), actorscope::model::ModelError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Protobuf;

/// The media type and parameters Prometheus asks for.
pub(crate) const PROTOBUF_MEDIA: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

impl Encoder for Protobuf {
    fn content_type(&self) -> &'static str {
        PROTOBUF_MEDIA
    }

    /// Each family's message is written field by field with prost's encoders into a
    /// reused buffer, then framed; each metric's size is worked out first, so it is
    /// written in place. A declared series' label pairs are encoded once and kept for
    /// later scrapes, as the text formats keep their label text.
    fn encode(&self, snapshot: &MetricSnapshot, out: &mut Vec<u8>) {
        let mut family_body = Vec::new();
        for family in snapshot.families() {
            let Some(kind) = family_type(family) else {
                continue;
            };
            family_body.clear();
            write_str_field(&mut family_body, 1, family.name());
            write_str_field(&mut family_body, 2, family.help());
            prost::encoding::int32::encode(3, &(kind as i32), &mut family_body);
            family.for_each_rendered(
                Rendering::Protobuf,
                &render_label_pairs,
                |labels, rendered, value| {
                    // Sizes first, so the metric is written straight into its family.
                    let value = ValueField::of(kind, value);
                    let labels_len = rendered.map_or_else(|| label_pairs_len(labels), <[u8]>::len);
                    encode_key(4, WireType::LengthDelimited, &mut family_body);
                    encode_varint((labels_len + value.encoded_len()) as u64, &mut family_body);
                    match rendered {
                        Some(pairs) => family_body.extend_from_slice(pairs),
                        None => write_label_pairs(&mut family_body, labels),
                    }
                    value.encode(&mut family_body);
                },
            );
            if let Some(unit) = family.unit() {
                write_str_field(&mut family_body, 5, unit.as_str());
            }
            encode_varint(family_body.len() as u64, out);
            out.extend_from_slice(&family_body);
        }
    }
}

/// The protobuf type of a family, or `None` for one the format leaves out (slot maps,
/// and families without samples: a `MetricFamily` needs at least one `Metric`).
fn family_type(family: &MetricFamily) -> Option<proto::MetricType> {
    if family.is_empty() {
        return None;
    }
    match family.kind() {
        MetricKind::Counter => Some(proto::MetricType::Counter),
        MetricKind::Gauge | MetricKind::Info => Some(proto::MetricType::Gauge),
        MetricKind::Histogram => Some(proto::MetricType::Histogram),
        MetricKind::Summary => Some(proto::MetricType::Summary),
        _ => None,
    }
}

/// A length-delimited field: key, length, bytes.
fn write_bytes_field(out: &mut Vec<u8>, tag: u32, bytes: &[u8]) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

fn write_str_field(out: &mut Vec<u8>, tag: u32, text: &str) {
    write_bytes_field(out, tag, text.as_bytes());
}

/// The length of a string field with a one-byte key.
fn str_field_len(text: &str) -> usize {
    1 + prost::encoding::encoded_len_varint(text.len() as u64) + text.len()
}

/// `Metric.label` (field 1): one framed `LabelPair { name = 1, value = 2 }` per label.
fn write_label_pairs(out: &mut Vec<u8>, labels: &LabelSet) {
    for (name, value) in labels.iter() {
        encode_key(1, WireType::LengthDelimited, out);
        encode_varint((str_field_len(name) + str_field_len(value)) as u64, out);
        write_str_field(out, 1, name);
        write_str_field(out, 2, value);
    }
}

/// What [`write_label_pairs`] writes, in bytes.
fn label_pairs_len(labels: &LabelSet) -> usize {
    labels
        .iter()
        .map(|(name, value)| {
            let pair = str_field_len(name) + str_field_len(value);
            1 + prost::encoding::encoded_len_varint(pair as u64) + pair
        })
        .sum()
}

fn render_label_pairs(labels: &LabelSet) -> Box<[u8]> {
    let mut out = Vec::new();
    write_label_pairs(&mut out, labels);
    out.into_boxed_slice()
}

/// A `Counter` or `Gauge` message of one `double`: its key and eight bytes.
const NUMBER_MESSAGE_LEN: usize = 9;

/// The value field of a `Metric`: the message its family's type names, with its tag.
enum ValueField {
    /// A plain counter (tag 3) or gauge (tag 2): one `double` field, written without
    /// building a message.
    Number {
        tag: u32,
        value: f64,
    },
    Counter(proto::Counter),
    Summary(proto::Summary),
    Histogram(Box<proto::Histogram>),
    None,
}

impl ValueField {
    fn of(kind: proto::MetricType, value: &Value) -> Self {
        let counter = |value: f64, exemplar: Option<proto::Exemplar>| {
            Self::Counter(proto::Counter {
                value: Some(value),
                exemplar,
                ..proto::Counter::default()
            })
        };
        match value {
            Value::CountWithExemplar(reading) => {
                counter(reading.count(), Some(exemplar(reading.exemplar())))
            }
            Value::Number(number) if kind == proto::MetricType::Counter => Self::Number {
                tag: 3,
                value: *number,
            },
            Value::Number(number) => Self::Number {
                tag: 2,
                value: *number,
            },
            Value::Info => Self::Number { tag: 2, value: 1.0 },
            Value::Histogram(histogram) => Self::Histogram(Box::new(histogram_message(histogram))),
            Value::Summary(summary) => Self::Summary(summary_message(summary)),
            _ => Self::None,
        }
    }

    /// Its length with key and length prefix (`Metric` fields 3, 2, 4 and 7).
    fn encoded_len(&self) -> usize {
        use prost::encoding::message::encoded_len;
        match self {
            Self::Number { .. } => 2 + NUMBER_MESSAGE_LEN,
            Self::Counter(message) => encoded_len(3, message),
            Self::Summary(message) => encoded_len(4, message),
            Self::Histogram(message) => encoded_len(7, message),
            Self::None => 0,
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        use prost::encoding::message::encode;
        match self {
            Self::Number { tag, value } => {
                encode_key(*tag, WireType::LengthDelimited, out);
                encode_varint(NUMBER_MESSAGE_LEN as u64, out);
                prost::encoding::double::encode(1, value, out);
            }
            Self::Counter(message) => encode(3, message, out),
            Self::Summary(message) => encode(4, message, out),
            Self::Histogram(message) => encode(7, message, out),
            Self::None => {}
        }
    }
}

fn summary_message(summary: &SummaryValue) -> proto::Summary {
    proto::Summary {
        sample_count: Some(summary.count()),
        sample_sum: Some(summary.sum()),
        quantile: summary
            .quantiles()
            .iter()
            .map(|(quantile, value)| proto::Quantile {
                quantile: Some(*quantile),
                value: Some(*value),
            })
            .collect(),
        created_timestamp: None,
    }
}

fn histogram_message(histogram: &HistogramValue) -> proto::Histogram {
    let exemplars = histogram.exemplars();
    let kept = |index: usize| exemplars.get(index).copied().flatten();
    let exemplar_of = |index: usize| kept(index).map(|kept| exemplar(&kept));
    let bucket: Vec<proto::Bucket> = histogram
        .buckets()
        .enumerate()
        .filter(|(index, (bound, _))| bound.is_finite() || kept(*index).is_some())
        .map(|(index, (bound, count))| proto::Bucket {
            cumulative_count: Some(count),
            upper_bound: Some(bound),
            exemplar: exemplar_of(index),
            ..proto::Bucket::default()
        })
        .collect();
    let mut message = proto::Histogram {
        sample_count: Some(histogram.count()),
        sample_sum: Some(histogram.sum()),
        bucket,
        ..proto::Histogram::default()
    };
    if let Some(native) = histogram.native() {
        add_native(&mut message, native);
        message.exemplars = exemplars
            .iter()
            .flatten()
            .filter(|kept| kept.timestamp().is_some())
            .map(exemplar)
            .collect();
    }
    message
}

fn add_native(message: &mut proto::Histogram, native: &NativeValue) {
    message.schema = Some(i32::from(native.schema()));
    message.zero_threshold = Some(native.zero_threshold());
    message.zero_count = Some(native.zero_count());
    let (offset, counts) = native.positive();
    (message.positive_span, message.positive_delta) = spans_and_deltas(offset, counts);
    let (offset, counts) = native.negative();
    (message.negative_span, message.negative_delta) = spans_and_deltas(offset, counts);
    if message.positive_span.is_empty() && message.negative_span.is_empty() {
        // An empty native histogram still has to look like one (client_golang's
        // no-op span), or a reader with a zero threshold of 0 takes it for classic.
        message.positive_span.push(proto::BucketSpan {
            offset: Some(0),
            length: Some(0),
        });
    }
}

/// The longest run of empty buckets kept inside a span: cheaper than a new span
/// (client_golang's choice).
const MAX_GAP_IN_SPAN: i32 = 2;

/// Spans and deltas of the buckets from index `offset`: empty buckets are left out
/// (but for short gaps), and each count is written as the difference from the one
/// before it, across spans.
fn spans_and_deltas(offset: i32, counts: &[u64]) -> (Vec<proto::BucketSpan>, Vec<i64>) {
    let mut spans: Vec<proto::BucketSpan> = Vec::new();
    let mut deltas = Vec::new();
    let mut previous_count: i64 = 0;
    // The index after the last bucket written.
    let mut end: Option<i32> = None;
    for (key, count) in (offset..).zip(counts) {
        if *count == 0 {
            continue;
        }
        let count = i64::try_from(*count).unwrap_or(i64::MAX);
        match (end, spans.last_mut()) {
            (Some(end_key), Some(span)) if key - end_key <= MAX_GAP_IN_SPAN => {
                let gap = key - end_key;
                for _ in 0..gap {
                    deltas.push(-previous_count);
                    previous_count = 0;
                }
                span.length = Some(span.length.unwrap_or(0) + u32::try_from(gap).unwrap_or(0) + 1);
            }
            _ => spans.push(proto::BucketSpan {
                offset: Some(end.map_or(key, |end_key| key - end_key)),
                length: Some(1),
            }),
        }
        deltas.push(count - previous_count);
        previous_count = count;
        end = Some(key + 1);
    }
    (spans, deltas)
}

fn exemplar(kept: &ExemplarValue) -> proto::Exemplar {
    let label = |name: &str, value: String| proto::LabelPair {
        name: Some(name.to_owned()),
        value: Some(value),
    };
    let mut labels = vec![label("trace_id", kept.trace_id_hex().to_string())];
    if let Some(span) = kept.span_id_hex() {
        labels.push(label("span_id", span.to_string()));
    }
    proto::Exemplar {
        label: labels,
        value: Some(kept.value()),
        timestamp: kept.timestamp().map(timestamp),
    }
}

#[allow(clippy::cast_possible_truncation)]
fn timestamp(unix_seconds: f64) -> proto::Timestamp {
    let seconds = unix_seconds.floor();
    proto::Timestamp {
        seconds: seconds as i64,
        nanos: ((unix_seconds - seconds) * 1e9) as i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HistogramValue;
    use proptest::prelude::*;
    use prost::Message;

    /// `(index, count)` of every non-empty bucket a span list and its deltas describe.
    fn decoded_buckets(spans: &[proto::BucketSpan], deltas: &[i64]) -> Vec<(i32, u64)> {
        let mut buckets = Vec::new();
        let (mut index, mut count, mut deltas) = (0i32, 0i64, deltas.iter());
        for span in spans {
            index += span.offset.unwrap_or(0);
            for _ in 0..span.length.unwrap_or(0) {
                count += deltas.next().copied().unwrap_or(0);
                if count != 0 {
                    buckets.push((index, u64::try_from(count).unwrap_or(0)));
                }
                index += 1;
            }
        }
        buckets
    }

    fn nonzero((offset, counts): (i32, &[u64])) -> Vec<(i32, u64)> {
        (offset..)
            .zip(counts)
            .filter(|(_, count)| **count > 0)
            .map(|(index, count)| (index, *count))
            .collect()
    }

    /// A window of buckets with runs of zeros of any length, as observations leave them.
    fn window() -> impl Strategy<Value = (i32, Vec<u64>)> {
        (
            -300i32..300,
            prop::collection::vec(prop_oneof![Just(0u64), 0u64..5, 0u64..1 << 40], 0..60),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any native reading, encoded and decoded with prost: the spans and deltas give
        /// back every non-empty bucket, and the schema, zero bucket and count.
        #[test]
        fn native_buckets_round_trip(
            schema in -4i8..=8,
            zero_threshold in prop_oneof![Just(0.0), 1e-9f64..1e-3],
            zero_count in 0u64..10,
            positive in window(),
            negative in window(),
        ) {
            let native = NativeValue::new(schema, zero_threshold, zero_count, positive, negative).unwrap();
            let histogram = HistogramValue::from_bucket_counts(&[], &[native.total()], 1.0)
                .and_then(|value| value.with_native(native.clone()))
                .unwrap();
            let mut snapshot = MetricSnapshot::new();
            snapshot
                .family("h", "H.", MetricKind::Histogram)
                .and_then(|family| family.add((), Value::from(histogram)))
                .unwrap();
            let mut body = Vec::new();
            Protobuf.encode(&snapshot, &mut body);
            let family = proto::MetricFamily::decode_length_delimited(body.as_slice()).unwrap();
            let decoded = family.metric[0].histogram.clone().unwrap();
            prop_assert_eq!(decoded.schema, Some(i32::from(schema)));
            prop_assert_eq!(decoded.zero_threshold, Some(zero_threshold));
            prop_assert_eq!(decoded.zero_count, Some(zero_count));
            prop_assert_eq!(decoded.sample_count, Some(native.total()));
            prop_assert_eq!(
                decoded_buckets(&decoded.positive_span, &decoded.positive_delta),
                nonzero(native.positive())
            );
            prop_assert_eq!(
                decoded_buckets(&decoded.negative_span, &decoded.negative_delta),
                nonzero(native.negative())
            );
            // A reader tells a native histogram from a classic one by its spans or
            // threshold: an empty one still has a (no-op) span.
            prop_assert!(!decoded.positive_span.is_empty() || !decoded.negative_span.is_empty());
        }
    }

    #[test]
    fn spans_skip_long_gaps_and_keep_short_ones() {
        let (spans, deltas) = spans_and_deltas(-2, &[1, 0, 3, 0, 0, 0, 2]);
        let spans: Vec<_> = spans
            .iter()
            .map(|span| (span.offset.unwrap(), span.length.unwrap()))
            .collect();
        // Buckets -2, (-1 empty), 0; then a gap of 3; then bucket 4.
        assert_eq!(spans, vec![(-2, 3), (3, 1)]);
        assert_eq!(deltas, vec![1, -1, 3, -1]);
    }
}
