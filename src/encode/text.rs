//! Sample lines shared by the Prometheus and OpenMetrics text formats.

use super::escape::write_label_value;
use super::number::{write_canonical_f64, write_f64, write_u64};
use crate::model::{
    ExemplarValue, HistogramValue, LabelSet, MetricFamily, MetricKind, Rendering, SummaryValue,
    Value,
};

/// A sample's labels: the set, its text as [`render_labels`] made it, or (for a plain
/// number sample) its whole line up to the value, as [`render_line`] made it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Labels<'a> {
    Set(&'a LabelSet),
    Rendered(&'a [u8]),
    Line(&'a LabelSet, &'a [u8]),
}

/// Calls `each` with every sample of `family` and its labels, rendered once for the
/// series a worker declared (and kept with them for later scrapes).
pub(crate) fn for_each_sample(family: &MetricFamily, mut each: impl FnMut(Labels<'_>, &Value)) {
    let name = family.name();
    match family.kind() {
        MetricKind::Counter | MetricKind::Gauge | MetricKind::Info => {
            let render = |set: &LabelSet| render_line(name, set);
            family.for_each_rendered(Rendering::TextLine, &render, |set, line, value| {
                let labels = line.map_or(Labels::Set(set), |line| Labels::Line(set, line));
                each(labels, value);
            });
        }
        MetricKind::Histogram | MetricKind::Summary | MetricKind::Slots => {
            family.for_each_rendered(Rendering::Text, &render_labels, |set, text, value| {
                let labels = text.map_or(Labels::Set(set), Labels::Rendered);
                each(labels, value);
            });
        }
    }
}

impl Labels<'_> {
    fn is_empty(self) -> bool {
        match self {
            Self::Set(set) | Self::Line(set, _) => set.is_empty(),
            Self::Rendered(text) => text.is_empty(),
        }
    }

    /// Appends `a="x",b="y"` (no braces).
    fn write(self, out: &mut Vec<u8>) {
        match self {
            Self::Rendered(text) => out.extend_from_slice(text),
            Self::Set(set) | Self::Line(set, _) => {
                for (i, (label, value)) in set.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(label.as_bytes());
                    out.extend_from_slice(b"=\"");
                    write_label_value(out, value);
                    out.push(b'"');
                }
            }
        }
    }
}

/// `a="x",b="y"`: a label set as both text formats write it between the braces.
fn render_labels(set: &LabelSet) -> Box<[u8]> {
    let mut out = Vec::new();
    Labels::Set(set).write(&mut out);
    out.into_boxed_slice()
}

/// `name{a="x",b="y"} `: a number sample's line up to its value, the same in both text
/// formats.
fn render_line(name: &str, set: &LabelSet) -> Box<[u8]> {
    let mut out = Vec::new();
    write_series(&mut out, name, "", Labels::Set(set), None);
    out.into_boxed_slice()
}

/// How a format writes the numbers in `le` and `quantile` label values.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BoundText {
    /// The shortest text that reads back exactly (`64`, `1e-6`): Prometheus text 0.0.4.
    Shortest,
    /// OpenMetrics' canonical numbers (`64.0`, `1e-06`).
    Canonical,
}

impl BoundText {
    fn write(self, out: &mut Vec<u8>, bound: f64) {
        match self {
            Self::Shortest => write_f64(out, bound),
            Self::Canonical => write_canonical_f64(out, bound),
        }
    }
}

/// The extra label of a bucket or quantile line: its name, number and how to write it.
type Extra<'a> = Option<(&'a str, f64, BoundText)>;

/// Appends `name{labels,extra="x"} ` (with the trailing space), ready for the value.
fn write_series(out: &mut Vec<u8>, name: &str, suffix: &str, labels: Labels<'_>, extra: Extra<'_>) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(suffix.as_bytes());
    if !labels.is_empty() || extra.is_some() {
        out.push(b'{');
        labels.write(out);
        if let Some((label, bound, style)) = extra {
            if !labels.is_empty() {
                out.push(b',');
            }
            out.extend_from_slice(label.as_bytes());
            out.extend_from_slice(b"=\"");
            style.write(out, bound);
            out.push(b'"');
        }
        out.push(b'}');
    }
    out.push(b' ');
}

/// Appends one sample with a float value.
pub(crate) fn write_number(
    out: &mut Vec<u8>,
    name: &str,
    suffix: &str,
    labels: Labels<'_>,
    value: f64,
) {
    write_number_value(out, name, suffix, labels, value);
    out.push(b'\n');
}

/// Appends a counter sample and its exemplar (OpenMetrics only).
pub(crate) fn write_number_with_exemplar(
    out: &mut Vec<u8>,
    name: &str,
    labels: Labels<'_>,
    value: f64,
    exemplar: &ExemplarValue,
) {
    write_number_value(out, name, "", labels, value);
    write_exemplar(out, exemplar);
    out.push(b'\n');
}

fn write_number_value(out: &mut Vec<u8>, name: &str, suffix: &str, labels: Labels<'_>, value: f64) {
    match labels {
        Labels::Line(_, line) if suffix.is_empty() => out.extend_from_slice(line),
        _ => write_series(out, name, suffix, labels, None),
    }
    write_f64(out, value);
}

fn write_count(
    out: &mut Vec<u8>,
    name: &str,
    suffix: &str,
    labels: Labels<'_>,
    extra: Extra<'_>,
    count: u64,
) {
    write_series(out, name, suffix, labels, extra);
    write_u64(out, count);
    out.push(b'\n');
}

/// Appends `_bucket` lines (ending with `le="+Inf"`) and, if `with_sum_and_count`,
/// `_sum` and `_count`. OpenMetrics (canonical bounds) also gets each bucket's exemplar.
pub(crate) fn write_histogram(
    out: &mut Vec<u8>,
    name: &str,
    labels: Labels<'_>,
    histogram: &HistogramValue,
    bounds: BoundText,
    with_sum_and_count: bool,
) {
    let exemplars = match bounds {
        BoundText::Canonical => histogram.exemplars(),
        BoundText::Shortest => &[],
    };
    for (index, (bound, count)) in histogram.buckets().enumerate() {
        let le = Some(("le", bound, bounds));
        write_series(out, name, "_bucket", labels, le);
        write_u64(out, count);
        if let Some(Some(kept)) = exemplars.get(index) {
            write_exemplar(out, kept);
        }
        out.push(b'\n');
    }
    if with_sum_and_count {
        write_number(out, name, "_sum", labels, histogram.sum());
        write_count(out, name, "_count", labels, None, histogram.count());
    }
}

/// Appends ` # {trace_id="…",span_id="…"} value timestamp` (OpenMetrics' exemplar).
fn write_exemplar(out: &mut Vec<u8>, exemplar: &ExemplarValue) {
    use std::io::Write;
    // Hex digits only: nothing to escape.
    let _ = write!(out, " # {{trace_id=\"{}\"", exemplar.trace_id_hex());
    if let Some(span) = exemplar.span_id_hex() {
        let _ = write!(out, ",span_id=\"{span}\"");
    }
    out.extend_from_slice(b"} ");
    write_f64(out, exemplar.value());
    if let Some(timestamp) = exemplar.timestamp() {
        out.push(b' ');
        write_f64(out, timestamp);
    }
}

/// Appends the quantile lines and, if `with_sum_and_count`, `_sum` and `_count`.
pub(crate) fn write_summary(
    out: &mut Vec<u8>,
    name: &str,
    labels: Labels<'_>,
    summary: &SummaryValue,
    bounds: BoundText,
    with_sum_and_count: bool,
) {
    for (quantile, value) in summary.quantiles() {
        write_series(out, name, "", labels, Some(("quantile", *quantile, bounds)));
        write_f64(out, *value);
        out.push(b'\n');
    }
    if with_sum_and_count {
        write_number(out, name, "_sum", labels, summary.sum());
        write_count(out, name, "_count", labels, None, summary.count());
    }
}
