use super::escape::write_prometheus_help;
use super::text::{for_each_sample, write_histogram, write_number, write_summary, BoundText};
use super::Encoder;
use crate::model::{MetricKind, MetricSnapshot, Value};

/// The Prometheus text exposition format, version 0.0.4.
///
/// Families in name order, each `# HELP`, `# TYPE`, then its samples in the order they were added.
/// Info families are written as gauges (0.0.4 has no info type); units are not written;
/// slot maps are left out (JSON carries them).
#[derive(Debug, Clone, Copy, Default)]
pub struct PrometheusText;

impl Encoder for PrometheusText {
    fn content_type(&self) -> &'static str {
        "text/plain; version=0.0.4; charset=utf-8"
    }

    fn encode(&self, snapshot: &MetricSnapshot, out: &mut Vec<u8>) {
        for family in snapshot.families() {
            if family.kind() == MetricKind::Slots {
                continue;
            }
            let name = family.name();
            out.extend_from_slice(b"# HELP ");
            out.extend_from_slice(name.as_bytes());
            out.push(b' ');
            write_prometheus_help(out, family.help());
            out.extend_from_slice(b"\n# TYPE ");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(match family.kind() {
                MetricKind::Counter => b" counter\n",
                MetricKind::Histogram => b" histogram\n",
                MetricKind::Summary => b" summary\n",
                _ => b" gauge\n",
            });
            for_each_sample(family, |labels, value| match value {
                Value::Number(number) => write_number(out, name, "", labels, *number),
                // Text 0.0.4 has no exemplars: the count alone.
                Value::CountWithExemplar(reading) => {
                    write_number(out, name, "", labels, reading.count());
                }
                Value::Info => write_number(out, name, "", labels, 1.0),
                Value::Histogram(histogram) => {
                    write_histogram(out, name, labels, histogram, BoundText::Shortest, true);
                }
                Value::Summary(summary) => {
                    write_summary(out, name, labels, summary, BoundText::Shortest, true);
                }
                Value::Slots(_) => {}
            });
        }
    }
}
