use super::{Counter, Exemplar, ObservedExemplar};

/// A [`Counter`] that also keeps the latest traced increment: its [`Exemplar`] and by
/// how much it added. Written to OpenMetrics and protobuf with the count (`name_total 7
/// # {trace_id="…"} 1 1700000000.5`); the text format 0.0.4 shows the count alone.
///
/// A plain `inc` is the counter's add; a traced one also copies the exemplar in place,
/// with no allocation. Use it where a count should point at a trace (errors, say), and
/// the plain `Counter` everywhere else.
///
/// ```
/// use actorscope::stats::{Exemplar, TraceId, TracedCounter};
///
/// let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
/// let mut errors = TracedCounter::new();
/// errors.inc();
/// errors.inc_with_exemplar(Exemplar::new(trace));
/// assert_eq!(errors.get(), 2);
/// assert_eq!(errors.exemplar().map(|kept| kept.value), Some(1.0));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TracedCounter {
    counter: Counter,
    exemplar: Option<ObservedExemplar>,
}

impl TracedCounter {
    /// A counter at zero, without an exemplar.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            counter: Counter::new(),
            exemplar: None,
        }
    }

    /// Adds one.
    #[inline]
    pub fn inc(&mut self) {
        self.counter.inc();
    }

    /// Adds `n`.
    #[inline]
    pub fn add(&mut self, n: u64) {
        self.counter.add(n);
    }

    /// Adds one and keeps `exemplar` as the latest.
    #[inline]
    pub fn inc_with_exemplar(&mut self, exemplar: Exemplar) {
        self.add_with_exemplar(1, exemplar);
    }

    /// Adds `n` and keeps `exemplar`, with the value `n`, as the latest.
    #[inline]
    pub fn add_with_exemplar(&mut self, n: u64, exemplar: Exemplar) {
        self.counter.add(n);
        // Exact below 2^53, as every count Prometheus reads.
        #[allow(clippy::cast_precision_loss)]
        let value = n as f64;
        self.exemplar = Some(ObservedExemplar { exemplar, value });
    }

    /// The count so far.
    #[inline]
    #[must_use]
    pub fn get(&self) -> u64 {
        self.counter.get()
    }

    /// The latest traced increment, if any.
    #[must_use]
    pub fn exemplar(&self) -> Option<ObservedExemplar> {
        self.exemplar
    }
}
