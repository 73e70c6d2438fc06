use super::escape::write_openmetrics_help;
use super::text::{
    for_each_sample, write_histogram, write_number, write_number_with_exemplar, write_summary,
    BoundText,
};
use super::Encoder;
use crate::model::{MetricKind, MetricSnapshot, Value};

/// OpenMetrics 1.0 text.
///
/// The family name in `# TYPE`, `# UNIT` and `# HELP` drops the counter's `_total` (and
/// the info's `_info`), which the samples keep; the output ends with `# EOF`.
/// Slot maps are left out (JSON carries them). `le` and `quantile` label values are the spec's canonical numbers (`le="64.0"`,
/// `le="1e-06"`, as client_golang writes them), where Prometheus text writes the shortest
/// form (`le="64"`, `le="1e-6"`): a scraper that switches formats sees other series.
/// OpenMetrics treats `_sum` as a counter, so a histogram or summary whose sum is
/// negative or NaN, or whose buckets go below zero, is written without `_sum` and
/// `_count` (its buckets and quantiles are still there).
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenMetricsText;

impl Encoder for OpenMetricsText {
    fn content_type(&self) -> &'static str {
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    }

    fn encode(&self, snapshot: &MetricSnapshot, out: &mut Vec<u8>) {
        for family in snapshot.families() {
            if family.kind() == MetricKind::Slots {
                continue;
            }
            let base = family.openmetrics_name();
            write_metadata(out, "TYPE", base, family.kind().as_str().as_bytes());
            if let Some(unit) = family.unit() {
                write_metadata(out, "UNIT", base, unit.as_str().as_bytes());
            }
            out.extend_from_slice(b"# HELP ");
            out.extend_from_slice(base.as_bytes());
            out.push(b' ');
            write_openmetrics_help(out, family.help());
            out.push(b'\n');
            let name = family.name();
            for_each_sample(family, |labels, value| match value {
                Value::Number(number) => write_number(out, name, "", labels, *number),
                Value::CountWithExemplar(reading) => write_number_with_exemplar(
                    out,
                    name,
                    labels,
                    reading.count(),
                    reading.exemplar(),
                ),
                Value::Info => write_number(out, name, "", labels, 1.0),
                Value::Histogram(histogram) => {
                    let countable = histogram.sum() >= 0.0
                        && histogram.bounds().first().is_none_or(|bound| *bound >= 0.0);
                    write_histogram(
                        out,
                        name,
                        labels,
                        histogram,
                        BoundText::Canonical,
                        countable,
                    );
                }
                Value::Summary(summary) => {
                    let countable = summary.sum() >= 0.0;
                    write_summary(out, name, labels, summary, BoundText::Canonical, countable);
                }
                Value::Slots(_) => {}
            });
        }
        out.extend_from_slice(b"# EOF\n");
    }
}

fn write_metadata(out: &mut Vec<u8>, keyword: &str, name: &str, text: &[u8]) {
    out.extend_from_slice(b"# ");
    out.extend_from_slice(keyword.as_bytes());
    out.push(b' ');
    out.extend_from_slice(name.as_bytes());
    out.push(b' ');
    out.extend_from_slice(text);
    out.push(b'\n');
}
