//! Numbers as the text formats write them.
//!
//! - Sample values, both formats, and `le`/`quantile` in Prometheus text 0.0.4:
//!   [`write_f64`], the shortest text that reads back exactly: `NaN`, `+Inf`, `-Inf`,
//!   integers without a fraction, other floats in shortest round-trip form (`0.25`,
//!   `1e-6`, `1e300`).
//! - `le` and `quantile` label values in OpenMetrics: [`write_canonical_f64`], the
//!   spec's *canonical number* (what client_golang and Python `prometheus_client` write):
//!   Go's `%g` with `.0` added when there is no point or exponent: `64.0`, `0.001`,
//!   `1.6e-05`, `1.048576e+06`. Label values are compared as text, so the two formats
//!   name the same bucket differently (`le="64"` against `le="64.0"`).

/// Below this, every integer-valued `f64` is an exact integer (2^53).
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Appends `value`.
pub(crate) fn write_f64(out: &mut Vec<u8>, value: f64) {
    if value.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if value.is_infinite() {
        out.extend_from_slice(if value > 0.0 { b"+Inf" } else { b"-Inf" });
    } else if value.fract() == 0.0 && value.abs() < EXACT_INTEGER_LIMIT {
        // Exact: the guard above keeps the value within i64 and integral.
        #[allow(clippy::cast_possible_truncation)]
        write_i64(out, value as i64);
    } else {
        out.extend_from_slice(ryu::Buffer::new().format_finite(value).as_bytes());
    }
}

/// Scientific notation below 1e-4 and from 1e6 on, as Go's shortest `%g` decides.
const FIXED_EXPONENTS: std::ops::Range<i32> = -4..6;

/// Appends `value` as an OpenMetrics canonical number (see the module docs).
pub(crate) fn write_canonical_f64(out: &mut Vec<u8>, value: f64) {
    if !value.is_finite() {
        return write_f64(out, value);
    }
    let mut buffer = ryu::Buffer::new();
    let Decimal {
        negative,
        digits,
        len,
        point,
    } = Decimal::parse(buffer.format_finite(value));
    if negative {
        out.push(b'-');
    }
    let digits = &digits[..len];
    if digits.is_empty() {
        out.extend_from_slice(b"0.0");
        return;
    }
    let exponent = point - 1;
    if !FIXED_EXPONENTS.contains(&exponent) {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.extend_from_slice(if exponent < 0 { b"e-" } else { b"e+" });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            out.push(b'0');
        }
        write_u64(out, u64::from(magnitude));
    } else if point <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', point.unsigned_abs() as usize));
        out.extend_from_slice(digits);
    } else {
        // 0 < point < 7 here, so the cast is exact.
        let point = point as usize;
        if digits.len() <= point {
            out.extend_from_slice(digits);
            out.extend(std::iter::repeat_n(b'0', point - digits.len()));
            out.extend_from_slice(b".0");
        } else {
            out.extend_from_slice(&digits[..point]);
            out.push(b'.');
            out.extend_from_slice(&digits[point..]);
        }
    }
}

/// A finite number as significant digits `0.d1d2d3… × 10^point`, without leading or
/// trailing zeros (no digits at all for zero).
struct Decimal {
    negative: bool,
    digits: [u8; 24],
    len: usize,
    point: i32,
}

impl Decimal {
    /// Reads ryu's output (`-12.5`, `1e-7`, `1.5e300`, `0.001`), which is at most 24 bytes.
    fn parse(text: &str) -> Self {
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent) = match text.split_once('e') {
            Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or(0)),
            None => (text, 0),
        };
        let mut decimal = Self {
            negative,
            digits: [0; 24],
            len: 0,
            point: exponent,
        };
        let mut before_point = true;
        for byte in mantissa.bytes() {
            match byte {
                b'.' => before_point = false,
                b'0' if decimal.len == 0 => {
                    // A leading zero moves the point, not the digits.
                    if !before_point {
                        decimal.point -= 1;
                    }
                }
                digit => {
                    if before_point {
                        decimal.point += 1;
                    }
                    if let Some(slot) = decimal.digits.get_mut(decimal.len) {
                        *slot = digit;
                        decimal.len += 1;
                    }
                }
            }
        }
        while decimal.len > 0 && decimal.digits[decimal.len - 1] == b'0' {
            decimal.len -= 1;
        }
        decimal
    }
}

/// Appends `value`.
pub(crate) fn write_u64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn write_i64(out: &mut Vec<u8>, value: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: f64) -> String {
        let mut out = Vec::new();
        write_f64(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_written_the_way_prometheus_parses_them() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (3.0, "3"),
            (-7.0, "-7"),
            (0.1, "0.1"),
            (2.5e-7, "2.5e-7"),
            (1e300, "1e300"),
            (9_007_199_254_740_992.0, "9007199254740992.0"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
            (f64::MAX, "1.7976931348623157e308"),
        ];
        for (value, expected) in cases {
            assert_eq!(text(*value), *expected, "{value:?}");
            if value.is_finite() {
                assert_eq!(text(*value).parse::<f64>().unwrap(), *value, "round trip");
            }
        }
    }

    fn canonical(value: f64) -> String {
        let mut out = Vec::new();
        write_canonical_f64(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn canonical_numbers_follow_the_openmetrics_examples() {
        // The spec's own lists ("Considerations: Canonical Numbers"), then the demo's
        // buckets the issue found written wrongly, then edge cases (Go's `%g` + `.0`).
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (0.001, "0.001"),
            (0.002, "0.002"),
            (0.01, "0.01"),
            (0.1, "0.1"),
            (0.9, "0.9"),
            (0.95, "0.95"),
            (0.99, "0.99"),
            (0.999, "0.999"),
            (1.0, "1.0"),
            (1.7, "1.7"),
            (10.0, "10.0"),
            (1e-10, "1e-10"),
            (1e-9, "1e-09"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (1e5, "100000.0"),
            (1e6, "1e+06"),
            (1e10, "1e+10"),
            (64.0, "64.0"),
            (1024.0, "1024.0"),
            (1_048_576.0, "1.048576e+06"),
            (0.000_016, "1.6e-05"),
            (1e-6, "1e-06"),
            (0.000_05, "5e-05"),
            (123_456.5, "123456.5"),
            (-10.0, "-10.0"),
            (-0.25, "-0.25"),
            (-0.0, "-0.0"),
            (1e300, "1e+300"),
            (2.5e-300, "2.5e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
        ];
        for (value, expected) in cases {
            assert_eq!(canonical(*value), *expected, "{value:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 5000, failure_persistence: None, ..Default::default() })]

        #[test]
        fn canonical_numbers_read_back_exactly_and_always_show_a_float(value in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO) {
            let text = canonical(value);
            proptest::prop_assert_eq!(text.parse::<f64>().ok(), Some(value), "{}", text);
            proptest::prop_assert!(text.contains('.') || text.contains('e'), "{}", text);
            if let Some((_, exponent)) = text.split_once('e') {
                proptest::prop_assert!(exponent.len() >= 3 && (exponent.starts_with('+') || exponent.starts_with('-')), "{}", text);
            }
        }
    }
}
