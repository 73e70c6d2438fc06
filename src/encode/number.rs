//! Numbers as both text formats write them: `NaN`, `+Inf`, `-Inf`, integers without a
//! fraction, other floats in shortest round-trip form (exponent when large or small).

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
}
