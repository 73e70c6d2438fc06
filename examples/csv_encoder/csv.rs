//! CSV for spreadsheets (RFC 4180): one row per sample, `name,type,labels,value`.

use actorscope::encode::Encoder;
use actorscope::model::{LabelSet, MetricSnapshot, Value};

/// Writes a snapshot as CSV: a header row, then one row per sample. Labels are one field,
/// `key=value` pairs joined by `;`; a histogram is a row per bucket (`name_bucket`, with
/// `le` among its labels) and a `_sum` and a `_count` row, a summary the same with
/// `quantile`. Slot maps are left out, as in the text formats.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Csv;

impl Encoder for Csv {
    fn content_type(&self) -> &'static str {
        "text/csv; charset=utf-8; header=present"
    }

    fn encode(&self, snapshot: &MetricSnapshot, out: &mut Vec<u8>) {
        out.extend_from_slice(b"name,type,labels,value\r\n");
        for family in snapshot.families() {
            let kind = family.kind().as_str();
            for (labels, value) in family.samples() {
                let mut row = |suffix: &str, extra: Option<(&str, f64)>, number: f64| {
                    let name = format!("{}{suffix}", family.name());
                    write_row(out, &name, kind, &labels_field(labels, extra), number);
                };
                match value {
                    Value::Number(number) => row("", None, *number),
                    Value::Info => row("", None, 1.0),
                    Value::Histogram(histogram) => {
                        for (bound, count) in histogram.buckets() {
                            row("_bucket", Some(("le", bound)), count as f64);
                        }
                        row("_sum", None, histogram.sum());
                        row("_count", None, histogram.count() as f64);
                    }
                    Value::Summary(summary) => {
                        for (quantile, number) in summary.quantiles() {
                            row("", Some(("quantile", *quantile)), *number);
                        }
                        row("_sum", None, summary.sum());
                        row("_count", None, summary.count() as f64);
                    }
                    _ => {}
                }
            }
        }
    }
}

/// `a=x;b=y`, with the extra label (`le`, `quantile`) last.
fn labels_field(labels: &LabelSet, extra: Option<(&str, f64)>) -> String {
    let mut pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if let Some((name, number)) = extra {
        pairs.push(format!("{name}={number}"));
    }
    pairs.join(";")
}

fn write_row(out: &mut Vec<u8>, name: &str, kind: &str, labels: &str, value: f64) {
    for (i, field) in [name, kind, labels].into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_field(out, field);
    }
    out.push(b',');
    out.extend_from_slice(value.to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// A field, quoted (and its quotes doubled) when it holds `,`, `"`, `\r` or `\n`.
fn write_field(out: &mut Vec<u8>, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push(b'"');
        out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}
