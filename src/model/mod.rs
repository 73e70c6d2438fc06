//! The metric model: what a scrape produces and every serializer reads.
//!
//! A [`MetricSnapshot`] is made fresh for every scrape. Collectors add
//! [`MetricFamily`]s and their samples to it through a [`Writer`](crate::write::Writer).
//! Everything is validated on the way in (names, label names, suffixes, units, values,
//! name clashes, duplicate series), so the encoders can never write malformed output:
//! invalid input becomes a [`ModelError`] that quotes it.

mod error;
mod exemplar;
mod family;
mod label_hash;
mod labels;
mod name;
mod native;
mod samples;
mod scrape_error;
mod slots;
mod snapshot;
mod unit;
mod value;

pub use error::ModelError;
pub use exemplar::{CountWithExemplar, ExemplarValue, Hex};
pub use family::{MetricFamily, MetricKind};
pub(crate) use label_hash::LabelHashSeed;
pub use labels::{IntoLabels, LabelSet};
pub use name::{is_valid_label_name, is_valid_metric_name};
pub use native::NativeValue;
pub(crate) use samples::{RenderedLabels, Rendering};
pub use scrape_error::{FailureKind, ScrapeError};
pub use slots::SlotStates;
pub use snapshot::MetricSnapshot;
pub use unit::Unit;
pub use value::{HistogramValue, SummaryValue, Value};
