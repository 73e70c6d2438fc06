//! The JSON document, written directly (the same bytes serde_json would write: compact,
//! keys in a fixed order, strings escaped as RFC 8259 asks, finite floats by ryu).

use super::number::write_u64;
use super::Encoder;
use crate::model::{
    ExemplarValue, HistogramValue, LabelSet, MetricFamily, MetricSnapshot, NativeValue, Rendering,
    ScrapeError, SummaryValue, Value,
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
///         { "labels": {}, "value": 7, "exemplar": {"trace_id": "4bf9…", "span_id": null,
///           "value": 1.0, "timestamp": null} },                                     // a TracedCounter
///         { "labels": {}, "buckets": [{"le": 0.1, "count": 3}, {"le": "+Inf", "count": 4}],
///           "count": 4, "sum": 1.25,                                              // histogram (cumulative)
///           "native": { "schema": 3, "zero_threshold": 2.9e-39, "zero_count": 0,  // only if it keeps the
///                       "positive": {"offset": -16, "counts": [1, 0, 2]},           // native form: counts
///                       "negative": {"offset": 0, "counts": []} },                  // per bucket from offset
///           "exemplars": [{"le": 0.1, "trace_id": "4bf9…", "span_id": null,          // only if any: the latest
///                          "value": 0.07, "timestamp": 1700000000.5}] },            // per bucket
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
/// `"-Inf"`. Counts are integers. A native bucket `i` at schema `s` holds
/// `(2^((i-1)/2^s), 2^(i/2^s)]` (negated for `negative`). Version 2 moved version 1's top-level `slot_maps` into
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
        out.extend_from_slice(b"{\"version\":");
        write_u64(out, u64::from(JSON_SCHEMA_VERSION));
        out.extend_from_slice(b",\"families\":");
        write_families(out, snapshot);
        out.extend_from_slice(b",\"errors\":");
        write_errors(out, snapshot.errors());
        out.push(b'}');
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
    out.extend_from_slice(b"{\"version\":");
    write_u64(out, u64::from(JSON_SCHEMA_VERSION));
    out.extend_from_slice(b",\"families\":");
    write_families(out, changed);
    out.extend_from_slice(b",\"removed\":");
    write_list(out, b"[]", removed, |out, (name, labels)| {
        out.extend_from_slice(b"{\"name\":");
        write_str(out, name);
        out.extend_from_slice(b",\"labels\":");
        match labels {
            Some(labels) => write_labels(out, labels),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
    });
    out.extend_from_slice(b",\"errors\":");
    write_errors(out, changed.errors());
    out.push(b'}');
}

/// `items` between the two bytes of `brackets`, separated by commas.
fn write_list<T>(
    out: &mut Vec<u8>,
    brackets: &[u8; 2],
    items: impl IntoIterator<Item = T>,
    mut write_item: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(brackets[0]);
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_item(out, item);
    }
    out.push(brackets[1]);
}

fn write_families(out: &mut Vec<u8>, snapshot: &MetricSnapshot) {
    write_list(out, b"[]", snapshot.families(), write_family);
}

fn write_family(out: &mut Vec<u8>, family: &MetricFamily) {
    out.extend_from_slice(b"{\"name\":");
    write_str(out, family.name());
    out.extend_from_slice(b",\"help\":");
    write_str(out, family.help());
    out.extend_from_slice(b",\"type\":");
    write_str(out, family.kind().as_str());
    out.extend_from_slice(b",\"unit\":");
    match family.unit() {
        Some(unit) => write_str(out, unit.as_str()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"samples\":[");
    let mut first = true;
    family.for_each_rendered(
        Rendering::Json,
        &render_labels,
        |labels, rendered, value| {
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(b"{\"labels\":");
            match rendered {
                Some(text) => out.extend_from_slice(text),
                None => write_labels(out, labels),
            }
            write_value(out, value);
            out.push(b'}');
        },
    );
    out.extend_from_slice(b"]}");
}

/// `{"a":"x","b":"y"}`.
fn write_labels(out: &mut Vec<u8>, labels: &LabelSet) {
    write_list(out, b"{}", labels.iter(), |out, (name, value)| {
        write_str(out, name);
        out.push(b':');
        write_str(out, value);
    });
}

fn render_labels(labels: &LabelSet) -> Box<[u8]> {
    let mut out = Vec::new();
    write_labels(&mut out, labels);
    out.into_boxed_slice()
}

/// The keys after `labels`: `"value"`, or the distribution's, or `"states"`.
fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Number(number) => {
            out.extend_from_slice(b",\"value\":");
            write_float(out, *number);
        }
        Value::CountWithExemplar(reading) => {
            out.extend_from_slice(b",\"value\":");
            write_float(out, reading.count());
            out.extend_from_slice(b",\"exemplar\":");
            write_exemplar(out, reading.exemplar());
        }
        Value::Info => out.extend_from_slice(b",\"value\":1"),
        Value::Histogram(histogram) => write_histogram(out, histogram),
        Value::Summary(summary) => write_summary(out, summary),
        Value::Slots(states) => {
            out.extend_from_slice(b",\"states\":");
            write_str(out, states.as_str());
        }
    }
}

fn write_histogram(out: &mut Vec<u8>, histogram: &HistogramValue) {
    out.extend_from_slice(b",\"buckets\":");
    write_list(out, b"[]", histogram.buckets(), |out, (bound, count)| {
        out.extend_from_slice(b"{\"le\":");
        write_float(out, bound);
        out.extend_from_slice(b",\"count\":");
        write_u64(out, count);
        out.push(b'}');
    });
    out.extend_from_slice(b",\"count\":");
    write_u64(out, histogram.count());
    out.extend_from_slice(b",\"sum\":");
    write_float(out, histogram.sum());
    if let Some(native) = histogram.native() {
        write_native(out, native);
    }
    if histogram.exemplars().iter().any(Option::is_some) {
        write_exemplars(out, histogram);
    }
}

/// `,"native":{"schema":3,"zero_threshold":…,"zero_count":…,"positive":{…},"negative":{…}}`
fn write_native(out: &mut Vec<u8>, native: &NativeValue) {
    out.extend_from_slice(b",\"native\":{\"schema\":");
    out.extend_from_slice(itoa::Buffer::new().format(native.schema()).as_bytes());
    out.extend_from_slice(b",\"zero_threshold\":");
    write_float(out, native.zero_threshold());
    out.extend_from_slice(b",\"zero_count\":");
    write_u64(out, native.zero_count());
    for (key, (offset, counts)) in [
        ("positive", native.positive()),
        ("negative", native.negative()),
    ] {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":{\"offset\":");
        out.extend_from_slice(itoa::Buffer::new().format(offset).as_bytes());
        out.extend_from_slice(b",\"counts\":");
        write_list(out, b"[]", counts, |out, count| write_u64(out, *count));
        out.push(b'}');
    }
    out.push(b'}');
}

/// `,"exemplars":[{"le":…,"trace_id":"…","span_id":"…","value":…,"timestamp":…}]`, the
/// buckets that have one; `span_id` and `timestamp` are `null` when not given.
fn write_exemplars(out: &mut Vec<u8>, histogram: &HistogramValue) {
    let kept = histogram
        .buckets()
        .zip(histogram.exemplars())
        .filter_map(|((bound, _), kept)| kept.map(|kept| (bound, kept)));
    out.extend_from_slice(b",\"exemplars\":");
    write_list(out, b"[]", kept, |out, (bound, kept)| {
        out.extend_from_slice(b"{\"le\":");
        write_float(out, bound);
        out.push(b',');
        write_exemplar_fields(out, &kept);
        out.push(b'}');
    });
}

/// `{"trace_id":"…","span_id":"…","value":…,"timestamp":…}`.
fn write_exemplar(out: &mut Vec<u8>, exemplar: &ExemplarValue) {
    out.push(b'{');
    write_exemplar_fields(out, exemplar);
    out.push(b'}');
}

/// An exemplar's keys, `span_id` and `timestamp` `null` when not given.
fn write_exemplar_fields(out: &mut Vec<u8>, kept: &ExemplarValue) {
    use std::io::Write;
    // Hex digits need no escaping.
    let _ = write!(out, "\"trace_id\":\"{}\",\"span_id\":", kept.trace_id_hex());
    match kept.span_id_hex() {
        Some(span) => {
            let _ = write!(out, "\"{span}\"");
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"value\":");
    write_float(out, kept.value());
    out.extend_from_slice(b",\"timestamp\":");
    match kept.timestamp() {
        Some(time) => write_float(out, time),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_summary(out: &mut Vec<u8>, summary: &SummaryValue) {
    out.extend_from_slice(b",\"quantiles\":");
    write_list(out, b"[]", summary.quantiles(), |out, (quantile, value)| {
        out.extend_from_slice(b"{\"quantile\":");
        write_float(out, *quantile);
        out.extend_from_slice(b",\"value\":");
        write_float(out, *value);
        out.push(b'}');
    });
    out.extend_from_slice(b",\"count\":");
    write_u64(out, summary.count());
    out.extend_from_slice(b",\"sum\":");
    write_float(out, summary.sum());
}

fn write_errors(out: &mut Vec<u8>, errors: &[ScrapeError]) {
    write_list(out, b"[]", errors, |out, error| {
        out.extend_from_slice(b"{\"collector\":");
        write_str(out, error.collector());
        out.extend_from_slice(b",\"kind\":");
        write_str(out, error.kind().as_str());
        out.extend_from_slice(b",\"message\":");
        write_str(out, error.message());
        out.push(b'}');
    });
}

/// A finite float as a JSON number (the shortest form that reads back exactly, `1.0` for
/// integers, `1e+300` with its exponent's sign, as serde_json writes it); the others as
/// the strings `"NaN"`, `"+Inf"` and `"-Inf"`.
fn write_float(out: &mut Vec<u8>, value: f64) {
    /// Below this, ryu writes an integral float as its digits and `.0`.
    const PLAIN_INTEGERS: f64 = 1e15;
    if value.fract() == 0.0 && value.abs() < PLAIN_INTEGERS {
        // Exact: integral and within i64. `-0.0` keeps its sign, as ryu writes it.
        #[allow(clippy::cast_possible_truncation)]
        let integer = value as i64;
        if integer == 0 && value.is_sign_negative() {
            out.push(b'-');
        }
        out.extend_from_slice(itoa::Buffer::new().format(integer).as_bytes());
        out.extend_from_slice(b".0");
    } else if value.is_finite() {
        let mut buffer = ryu::Buffer::new();
        let number = buffer.format_finite(value).as_bytes();
        match number.iter().position(|b| *b == b'e') {
            Some(at) if number.get(at + 1) != Some(&b'-') => {
                out.extend_from_slice(&number[..=at]);
                out.push(b'+');
                out.extend_from_slice(&number[at + 1..]);
            }
            _ => out.extend_from_slice(number),
        }
    } else if value.is_nan() {
        out.extend_from_slice(b"\"NaN\"");
    } else if value > 0.0 {
        out.extend_from_slice(b"\"+Inf\"");
    } else {
        out.extend_from_slice(b"\"-Inf\"");
    }
}

/// A JSON string: `"` and `\` escaped, control characters as `\n`-style or `\u00XX`.
fn write_str(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let mut rest = text.as_bytes();
    while let Some(at) = rest
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
    {
        out.extend_from_slice(&rest[..at]);
        let byte = rest[at];
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xf)]);
            }
        }
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        write(&mut out);
        String::from_utf8(out).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// serde_json is the reference for strings and floats: the dashboard, the tests
        /// and every JSON reader parse what it writes.
        #[test]
        fn strings_are_written_as_serde_json_writes_them(value in any::<String>()) {
            let ours = text(|out| write_str(out, &value));
            prop_assert_eq!(&ours, &serde_json::to_string(&value).unwrap());
            let back: String = serde_json::from_str(&ours).unwrap();
            prop_assert_eq!(back, value);
        }

        #[test]
        fn finite_floats_are_written_as_serde_json_writes_them(value in any::<f64>()) {
            prop_assume!(value.is_finite());
            prop_assert_eq!(text(|out| write_float(out, value)), serde_json::to_string(&value).unwrap());
        }

        #[test]
        fn integral_floats_are_written_as_serde_json_writes_them(
            value in -2e16..2e16f64,
            digits in 0..17i32,
        ) {
            let value = (value / 10f64.powi(16 - digits)).trunc();
            prop_assert_eq!(text(|out| write_float(out, value)), serde_json::to_string(&value).unwrap());
        }
    }

    #[test]
    fn control_characters_and_specials() {
        let cases = [
            ("\u{0}\u{1f}\u{7f}", r#""\u0000\u001f""#),
            ("\u{8}\u{c}", r#""\b\f""#),
        ];
        assert_eq!(text(|out| write_str(out, cases[1].0)), cases[1].1);
        assert_eq!(
            text(|out| write_str(out, cases[0].0)),
            "\"\\u0000\\u001f\u{7f}\""
        );
        let specials =
            [f64::NAN, f64::INFINITY, f64::NEG_INFINITY].map(|v| text(|out| write_float(out, v)));
        assert_eq!(specials, ["\"NaN\"", "\"+Inf\"", "\"-Inf\""]);
        for value in [
            0.0,
            -0.0,
            1.0,
            -7.0,
            999_999_999_999_999.0,
            1e15,
            1e16,
            -1e15,
        ] {
            assert_eq!(
                text(|out| write_float(out, value)),
                serde_json::to_string(&value).unwrap()
            );
        }
    }
}
