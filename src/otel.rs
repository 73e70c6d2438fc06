//! The exemplar of the current OpenTelemetry span (cargo feature `opentelemetry`).
//!
//! With `tracing`, the current span's OpenTelemetry context comes from
//! `tracing-opentelemetry` (`tracing::Span::current().context()`); attach it, or call
//! [`exemplar_of`] with it directly. Without the feature this module is not compiled,
//! and nothing of OpenTelemetry is built.

use opentelemetry::trace::TraceContextExt;
use opentelemetry::Context;

use crate::stats::{Exemplar, SpanId, TraceId};

/// The exemplar of the span current in this thread's OpenTelemetry context, without a
/// time (add one with [`Exemplar::now`]); `None` when no valid span is current.
///
/// ```
/// # #[cfg(feature = "opentelemetry")] {
/// // No span is current here.
/// assert!(actorscope::otel::current_exemplar().is_none());
/// # }
/// ```
#[must_use]
pub fn current_exemplar() -> Option<Exemplar> {
    exemplar_of(&Context::current())
}

/// The exemplar of the span in `context`, if it is valid.
#[must_use]
pub fn exemplar_of(context: &Context) -> Option<Exemplar> {
    let span = context.span();
    let span_context = span.span_context();
    if !span_context.is_valid() {
        return None;
    }
    let trace = TraceId::from_bytes(span_context.trace_id().to_bytes())?;
    let exemplar = Exemplar::new(trace);
    Some(
        match SpanId::from_bytes(span_context.span_id().to_bytes()) {
            Some(span_id) => exemplar.with_span(span_id),
            None => exemplar,
        },
    )
}
