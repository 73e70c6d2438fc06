use std::fmt;
use std::sync::Arc;

/// The upper bounds of a histogram's buckets, fixed when the histogram is created.
///
/// Bounds are finite and strictly increasing; the `+Inf` bucket is always implied (a
/// trailing `f64::INFINITY` is accepted and dropped). Cloning is cheap, so every worker
/// can share one set.
///
/// ```
/// use actorscope::stats::Buckets;
///
/// let sizes = Buckets::exponential(64.0, 4.0, 4).unwrap();
/// assert_eq!(sizes.bounds(), &[64.0, 256.0, 1024.0, 4096.0]);
///
/// let bad = Buckets::new([1.0, 0.5]).unwrap_err();
/// assert_eq!(
///     bad.to_string(),
///     "histogram bucket bounds must be strictly increasing, but 0.5 follows 1"
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Buckets {
    bounds: Arc<[f64]>,
}

/// Why a set of bucket bounds was refused.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum InvalidBuckets {
    /// A bound is NaN or `-Inf` (or `+Inf` anywhere but last).
    NotFinite {
        /// The bad bound.
        bound: f64,
    },
    /// A bound is not greater than the one before it.
    NotIncreasing {
        /// The earlier bound.
        previous: f64,
        /// The bound that should have been greater.
        bound: f64,
    },
    /// A builder was asked for something it cannot make.
    BadParameters {
        /// What was wrong, naming the parameter.
        reason: &'static str,
    },
}

impl fmt::Display for InvalidBuckets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFinite { bound } => write!(
                f,
                "histogram bucket bound {bound} is not finite; the +Inf bucket is implied"
            ),
            Self::NotIncreasing { previous, bound } => write!(
                f,
                "histogram bucket bounds must be strictly increasing, but {bound} follows {previous}"
            ),
            Self::BadParameters { reason } => write!(f, "invalid bucket parameters: {reason}"),
        }
    }
}

impl std::error::Error for InvalidBuckets {}

/// client_golang's `DefBuckets`, in seconds.
const PROMETHEUS_DEFAULT: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The OpenTelemetry default for HTTP server durations, in seconds.
const HTTP_SECONDS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

impl Buckets {
    /// Checks and takes `bounds`.
    ///
    /// # Errors
    /// [`InvalidBuckets`] names the first bound that is not finite or not increasing.
    pub fn new(bounds: impl Into<Vec<f64>>) -> Result<Self, InvalidBuckets> {
        let mut bounds = bounds.into();
        if bounds.last() == Some(&f64::INFINITY) {
            bounds.pop();
        }
        let mut previous: Option<f64> = None;
        for &bound in &bounds {
            if !bound.is_finite() {
                return Err(InvalidBuckets::NotFinite { bound });
            }
            if let Some(previous) = previous.filter(|previous| bound <= *previous) {
                return Err(InvalidBuckets::NotIncreasing { previous, bound });
            }
            previous = Some(bound);
        }
        Ok(Self {
            bounds: bounds.into(),
        })
    }

    /// Prometheus' default buckets: `.005 .01 .025 .05 .1 .25 .5 1 2.5 5 10` (seconds).
    #[must_use]
    pub fn prometheus_default() -> Self {
        Self {
            bounds: PROMETHEUS_DEFAULT.as_slice().into(),
        }
    }

    /// No finite bounds: only the implied `+Inf` bucket (for a native-only histogram).
    #[must_use]
    pub fn none() -> Self {
        Self {
            bounds: Arc::from(Vec::new()),
        }
    }

    /// OpenTelemetry's buckets for HTTP request durations, 5 ms to 10 s.
    #[must_use]
    pub fn http_seconds() -> Self {
        Self {
            bounds: HTTP_SECONDS.as_slice().into(),
        }
    }

    /// `count` bounds starting at `start`, each `factor` times the one before.
    ///
    /// # Errors
    /// When `start` is not positive, `factor` is not above 1 or `count` is 0.
    pub fn exponential(start: f64, factor: f64, count: usize) -> Result<Self, InvalidBuckets> {
        let bad = |reason| Err(InvalidBuckets::BadParameters { reason });
        if start.is_nan() || start <= 0.0 {
            return bad("exponential buckets need start > 0");
        }
        if factor.is_nan() || factor <= 1.0 {
            return bad("exponential buckets need factor > 1");
        }
        if count == 0 {
            return bad("exponential buckets need count >= 1");
        }
        let bounds: Vec<f64> = std::iter::successors(Some(start), |bound| Some(bound * factor))
            .take(count)
            .collect();
        Self::from_generated(bounds)
    }

    /// `count` bounds starting at `start`, `width` apart.
    ///
    /// # Errors
    /// When `width` is not positive or `count` is 0.
    pub fn linear(start: f64, width: f64, count: usize) -> Result<Self, InvalidBuckets> {
        if width.is_nan() || width <= 0.0 {
            return Err(InvalidBuckets::BadParameters {
                reason: "linear buckets need width > 0",
            });
        }
        if count == 0 {
            return Err(InvalidBuckets::BadParameters {
                reason: "linear buckets need count >= 1",
            });
        }
        Self::from_generated((0..count).map(|i| start + width * i as f64).collect())
    }

    /// Like [`Self::new`], but a generated bound that overflowed to infinity is an error
    /// rather than the implied `+Inf` bucket.
    fn from_generated(bounds: Vec<f64>) -> Result<Self, InvalidBuckets> {
        if let Some(&bound) = bounds.iter().find(|bound| !bound.is_finite()) {
            return Err(InvalidBuckets::NotFinite { bound });
        }
        Self::new(bounds)
    }

    /// The finite upper bounds, increasing; the `+Inf` bucket is not listed.
    #[must_use]
    pub fn bounds(&self) -> &[f64] {
        &self.bounds
    }
}

impl Default for Buckets {
    /// [`Buckets::prometheus_default`].
    fn default() -> Self {
        Self::prometheus_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_infinity_is_implied_and_dropped() {
        let buckets = Buckets::new([1.0, 2.0, f64::INFINITY]).unwrap();
        assert_eq!(buckets.bounds(), &[1.0, 2.0]);
    }

    #[test]
    fn nan_and_infinite_bounds_are_refused_by_value() {
        assert_eq!(
            Buckets::new([f64::NAN]).unwrap_err().to_string(),
            "histogram bucket bound NaN is not finite; the +Inf bucket is implied"
        );
        assert!(matches!(
            Buckets::new([f64::NEG_INFINITY, 1.0]),
            Err(InvalidBuckets::NotFinite { .. })
        ));
        assert!(matches!(
            Buckets::new([f64::INFINITY, f64::INFINITY]),
            Err(InvalidBuckets::NotFinite { .. })
        ));
    }

    #[test]
    fn equal_bounds_are_not_increasing() {
        assert_eq!(
            Buckets::new([1.0, 1.0]),
            Err(InvalidBuckets::NotIncreasing {
                previous: 1.0,
                bound: 1.0
            })
        );
    }

    #[test]
    fn builders_make_the_documented_series() {
        assert_eq!(
            Buckets::linear(0.0, 0.5, 3).unwrap().bounds(),
            &[0.0, 0.5, 1.0]
        );
        assert_eq!(
            Buckets::exponential(1.0, 2.0, 4).unwrap().bounds(),
            &[1.0, 2.0, 4.0, 8.0]
        );
        assert_eq!(Buckets::default().bounds().len(), 11);
        assert_eq!(Buckets::http_seconds().bounds().len(), 14);
    }

    #[test]
    fn builders_name_the_bad_parameter() {
        for result in [
            Buckets::exponential(0.0, 2.0, 3),
            Buckets::exponential(1.0, 1.0, 3),
            Buckets::exponential(1.0, 2.0, 0),
            Buckets::linear(0.0, 0.0, 3),
            Buckets::linear(0.0, 1.0, 0),
        ] {
            assert!(matches!(result, Err(InvalidBuckets::BadParameters { .. })));
        }
        // Overflow to infinity is caught by the bound check, not silently kept.
        assert!(matches!(
            Buckets::exponential(1.0, 1e300, 3),
            Err(InvalidBuckets::NotFinite { .. })
        ));
    }
}
