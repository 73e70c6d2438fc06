//! The clock of actor insight: raw ticks on the hot path, seconds only at scrape time.
//!
//! `quanta` reads the CPU's time-stamp counter where it is invariant (synchronised across
//! cores, so a stamp taken by a sender on one core compares with a read on another), and
//! falls back to the OS's monotonic clock elsewhere. Durations are kept in ticks and
//! converted once per scrape.

use std::time::Duration;

use once_cell::sync::Lazy;
use quanta::Clock;

static CLOCK: Lazy<Clock> = Lazy::new(Clock::new);

/// Seconds per tick, measured once against the OS clock by `quanta`'s calibration.
static SECONDS_PER_TICK: Lazy<f64> = Lazy::new(|| {
    const SPAN: u64 = 1 << 40;
    // A whole number of nanoseconds for 2^40 ticks: exact to about 1e-12 relative.
    #[allow(clippy::cast_precision_loss)]
    let nanos = CLOCK.delta_as_nanos(0, SPAN) as f64;
    #[allow(clippy::cast_precision_loss)]
    let per_tick = nanos / SPAN as f64 / 1e9;
    per_tick
});

/// Calibrates the clock now, if it is not yet: `quanta` measures the TSC against the OS
/// clock for up to 200 ms the first time the clock is used. Called where actor insight
/// is set up (the cold path), so no message send pays for it.
pub(crate) fn calibrate() {
    Lazy::force(&CLOCK);
    Lazy::force(&SECONDS_PER_TICK);
}

/// The clock now, in ticks.
#[inline]
pub(crate) fn now() -> u64 {
    CLOCK.raw()
}

/// `ticks` as seconds.
pub(crate) fn seconds(ticks: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let ticks = ticks as f64;
    ticks * *SECONDS_PER_TICK
}

/// The number of ticks at or above `duration` (the smallest tick count that lasts at
/// least as long), so a bound in ticks never puts a longer duration in a shorter bucket.
pub(crate) fn ticks(duration: Duration) -> u64 {
    let ticks = (duration.as_secs_f64() / *SECONDS_PER_TICK).ceil();
    // Saturates: a bound beyond 2^64 ticks (centuries) is as good as infinite.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let ticks = ticks as u64;
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_and_seconds_agree_with_the_os_clock() {
        // Calibration first: it takes up to 200 ms, and timed inside the span below it
        // made ticks read 3 µs over a 45 ms span whenever this test used the clock first.
        calibrate();
        let started = std::time::Instant::now();
        let from = now();
        while started.elapsed() < Duration::from_millis(20) {}
        let measured = seconds(now() - from);
        let reference = started.elapsed().as_secs_f64();
        assert!(
            (measured - reference).abs() < reference * 0.05 + 1e-4,
            "{measured} s by ticks, {reference} s by the OS clock"
        );
        let bound = ticks(Duration::from_micros(50));
        assert!(seconds(bound) >= 50e-6 && seconds(bound - 1) < 50e-6);
    }
}
