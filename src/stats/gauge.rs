/// A value that goes up and down (a level, or the last reading), owned by one worker.
///
/// Stored as an `f64`, as Prometheus does: whole numbers are exact up to 2^53.
///
/// ```
/// use actorscope::stats::Gauge;
///
/// let mut in_flight = Gauge::new();
/// in_flight.inc();
/// in_flight.inc();
/// in_flight.dec();
/// assert_eq!(in_flight.get(), 1.0);
/// in_flight.set(7.5);
/// assert_eq!(in_flight.get(), 7.5);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gauge {
    value: f64,
}

impl Gauge {
    /// A gauge at zero.
    #[must_use]
    pub const fn new() -> Self {
        Self { value: 0.0 }
    }

    /// Replaces the value.
    #[inline]
    pub fn set(&mut self, value: f64) {
        self.value = value;
    }

    /// Adds `delta` (which may be negative).
    #[inline]
    pub fn add(&mut self, delta: f64) {
        self.value += delta;
    }

    /// Subtracts `delta`.
    #[inline]
    pub fn sub(&mut self, delta: f64) {
        self.value -= delta;
    }

    /// Adds one.
    #[inline]
    pub fn inc(&mut self) {
        self.value += 1.0;
    }

    /// Subtracts one.
    #[inline]
    pub fn dec(&mut self) {
        self.value -= 1.0;
    }

    /// The current value.
    #[inline]
    #[must_use]
    pub fn get(&self) -> f64 {
        self.value
    }
}
