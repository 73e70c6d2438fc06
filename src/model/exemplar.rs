//! An exemplar as a scrape carries it: plain data, copied from a histogram's bucket.

use std::fmt;

/// The trace of one observation, with its value: what a histogram bucket keeps as its
/// latest exemplar (`stats::Histogram::observe_with_exemplar`), as the model holds it.
///
/// ```
/// use actorscope::model::ExemplarValue;
///
/// let mut trace = [0u8; 16];
/// trace[15] = 0xab;
/// let exemplar = ExemplarValue::new(trace, None, 0.25, Some(1_700_000_000.5));
/// assert_eq!(exemplar.trace_id_hex().to_string(), "000000000000000000000000000000ab");
/// assert_eq!((exemplar.value(), exemplar.timestamp()), (0.25, Some(1_700_000_000.5)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExemplarValue {
    trace_id: [u8; 16],
    span_id: Option<[u8; 8]>,
    value: f64,
    timestamp: Option<f64>,
}

/// Bytes written as lower-case hex digits.
#[derive(Debug, Clone, Copy)]
pub struct Hex<'a>(&'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl ExemplarValue {
    /// An exemplar of trace `trace_id` (and span `span_id`) observed as `value`, at
    /// `timestamp` seconds since the Unix epoch if known.
    #[must_use]
    pub fn new(
        trace_id: [u8; 16],
        span_id: Option<[u8; 8]>,
        value: f64,
        timestamp: Option<f64>,
    ) -> Self {
        Self {
            trace_id,
            span_id,
            value,
            timestamp,
        }
    }

    /// The trace id's bytes.
    #[must_use]
    pub fn trace_id(&self) -> [u8; 16] {
        self.trace_id
    }

    /// The trace id as 32 hex digits.
    #[must_use]
    pub fn trace_id_hex(&self) -> Hex<'_> {
        Hex(&self.trace_id)
    }

    /// The span id's bytes, if there is one.
    #[must_use]
    pub fn span_id(&self) -> Option<[u8; 8]> {
        self.span_id
    }

    /// The span id as 16 hex digits, if there is one.
    #[must_use]
    pub fn span_id_hex(&self) -> Option<Hex<'_>> {
        self.span_id.as_ref().map(|span| Hex(span))
    }

    /// The observed value.
    #[must_use]
    pub fn value(&self) -> f64 {
        self.value
    }

    /// When it was observed, in seconds since the Unix epoch, if known.
    #[must_use]
    pub fn timestamp(&self) -> Option<f64> {
        self.timestamp
    }

    /// The later of two exemplars (`other` when the times tie or neither is known), as
    /// workers' readings of one series merge.
    pub(crate) fn later(self, other: Self) -> Self {
        let time = |exemplar: &Self| exemplar.timestamp.unwrap_or(f64::MIN);
        if time(&other) >= time(&self) {
            other
        } else {
            self
        }
    }
}

/// A counter's reading with the exemplar of its latest traced increment.
///
/// ```
/// use actorscope::model::{CountWithExemplar, ExemplarValue};
///
/// let exemplar = ExemplarValue::new([7; 16], None, 1.0, None);
/// let reading = CountWithExemplar::new(12.0, exemplar);
/// assert_eq!((reading.count(), reading.exemplar().value()), (12.0, 1.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountWithExemplar {
    count: f64,
    exemplar: ExemplarValue,
}

impl CountWithExemplar {
    /// A count and its exemplar.
    #[must_use]
    pub fn new(count: f64, exemplar: ExemplarValue) -> Self {
        Self { count, exemplar }
    }

    /// The count.
    #[must_use]
    pub fn count(&self) -> f64 {
        self.count
    }

    /// The exemplar.
    #[must_use]
    pub fn exemplar(&self) -> &ExemplarValue {
        &self.exemplar
    }
}
