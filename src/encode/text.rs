//! Sample lines shared by the Prometheus and OpenMetrics text formats.

use super::escape::write_label_value;
use super::number::{write_canonical_f64, write_f64, write_u64};
use crate::model::{HistogramValue, LabelSet, SummaryValue};

/// A sample's labels: the set, or its text as [`render_labels`] made it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Labels<'a> {
    Set(&'a LabelSet),
    Rendered(&'a str),
}

impl<'a> Labels<'a> {
    pub(crate) fn new(set: &'a LabelSet, rendered: Option<&'a str>) -> Self {
        match rendered {
            Some(text) => Self::Rendered(text),
            None => Self::Set(set),
        }
    }

    fn is_empty(self) -> bool {
        match self {
            Self::Set(set) => set.is_empty(),
            Self::Rendered(text) => text.is_empty(),
        }
    }

    /// Appends `a="x",b="y"` (no braces).
    fn write(self, out: &mut Vec<u8>) {
        match self {
            Self::Rendered(text) => out.extend_from_slice(text.as_bytes()),
            Self::Set(set) => {
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
pub(crate) fn render_labels(set: &LabelSet) -> Box<str> {
    let mut out = Vec::new();
    Labels::Set(set).write(&mut out);
    // Names are ASCII and values were `str`: escaping keeps it UTF-8.
    String::from_utf8(out).unwrap_or_default().into_boxed_str()
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
    write_series(out, name, suffix, labels, None);
    write_f64(out, value);
    out.push(b'\n');
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
/// `_sum` and `_count`.
pub(crate) fn write_histogram(
    out: &mut Vec<u8>,
    name: &str,
    labels: Labels<'_>,
    histogram: &HistogramValue,
    bounds: BoundText,
    with_sum_and_count: bool,
) {
    for (bound, count) in histogram.buckets() {
        let le = Some(("le", bound, bounds));
        write_count(out, name, "_bucket", labels, le, count);
    }
    if with_sum_and_count {
        write_number(out, name, "_sum", labels, histogram.sum());
        write_count(out, name, "_count", labels, None, histogram.count());
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
