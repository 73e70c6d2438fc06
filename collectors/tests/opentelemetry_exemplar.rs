//! The `opentelemetry` feature: the exemplar of the current span is its trace and span
//! id, and there is none without a valid current span.

use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry::Context;

#[test]
fn the_current_spans_ids_become_the_exemplar() {
    assert!(
        actorscope::otel::current_exemplar().is_none(),
        "no span yet"
    );
    let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").expect("a trace id");
    let span = SpanId::from_hex("00f067aa0ba902b7").expect("a span id");
    let remote = SpanContext::new(
        trace,
        span,
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let context = Context::current().with_remote_span_context(remote);
    let guard = context.attach();
    let exemplar = actorscope::otel::current_exemplar().expect("a current span");
    assert_eq!(
        exemplar.trace_id().to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert_eq!(
        exemplar.span_id().map(|id| id.to_string()).as_deref(),
        Some("00f067aa0ba902b7")
    );
    drop(guard);
    assert!(
        actorscope::otel::current_exemplar().is_none(),
        "the span ended"
    );
    let invalid = Context::current().with_remote_span_context(SpanContext::empty_context());
    assert!(actorscope::otel::exemplar_of(&invalid).is_none());
}
