//! The single home of escaping rules.
//!
//! | where | escaped |
//! | --- | --- |
//! | label values, both text formats | `\` → `\\`, `"` → `\"`, newline → `\n` |
//! | Prometheus 0.0.4 HELP | `\` → `\\`, newline → `\n` (a quote stays as it is) |
//! | OpenMetrics HELP | `\` → `\\`, `"` → `\"`, newline → `\n` |
//!
//! Nothing else needs escaping: names are validated to `[a-zA-Z0-9_:]`, and every other
//! character, including `\r` and non-ASCII, is written as UTF-8.

/// Appends a label value, quotes escaped.
pub(crate) fn write_label_value(out: &mut Vec<u8>, value: &str) {
    write_escaped(out, value, true);
}

/// Appends a HELP text for the Prometheus 0.0.4 format.
pub(crate) fn write_prometheus_help(out: &mut Vec<u8>, help: &str) {
    write_escaped(out, help, false);
}

/// Appends a HELP text for OpenMetrics.
pub(crate) fn write_openmetrics_help(out: &mut Vec<u8>, help: &str) {
    write_escaped(out, help, true);
}

fn write_escaped(out: &mut Vec<u8>, text: &str, escape_quote: bool) {
    let needs = |b: u8| b == b'\\' || b == b'\n' || (escape_quote && b == b'"');
    let bytes = text.as_bytes();
    if !bytes.iter().any(|b| needs(*b)) {
        out.extend_from_slice(bytes);
        return;
    }
    for &b in bytes {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'"' if escape_quote => out.extend_from_slice(b"\\\""),
            _ => out.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Writer = fn(&mut Vec<u8>, &str);

    #[test]
    fn known_cases_per_context() {
        let cases: &[(Writer, &str, &str)] = &[
            (write_label_value, "plain", "plain"),
            (write_label_value, r"a\b", r"a\\b"),
            (write_label_value, "say \"hi\"", r#"say \"hi\""#),
            (write_label_value, "two\nlines", r"two\nlines"),
            (write_label_value, "tab\tand\rcr", "tab\tand\rcr"),
            (write_label_value, "ünïcode ✓", "ünïcode ✓"),
            (write_label_value, r#"\"\n"#, r#"\\\"\\n"#),
            (write_prometheus_help, "say \"hi\"", "say \"hi\""),
            (write_prometheus_help, "a\\b\nc", r"a\\b\nc"),
            (write_openmetrics_help, "say \"hi\"", r#"say \"hi\""#),
            (write_openmetrics_help, "a\\b\nc", r"a\\b\nc"),
        ];
        for (write, input, expected) in cases {
            let mut out = Vec::new();
            write(&mut out, input);
            assert_eq!(String::from_utf8(out).unwrap(), *expected, "{input:?}");
        }
    }
}
