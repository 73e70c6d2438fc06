//! The Prometheus naming rules.

/// Whether `name` is a valid metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
///
/// ```
/// use actorscope::model::is_valid_metric_name;
///
/// assert!(is_valid_metric_name("http_requests_total"));
/// assert!(!is_valid_metric_name("1st_metric"));
/// assert!(!is_valid_metric_name("requests-total"));
/// ```
#[must_use]
pub fn is_valid_metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'A'..=b'Z' | b'_' | b':'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

/// Whether `name` is a valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
///
/// Names starting with `__` are valid but reserved for Prometheus itself; the model
/// refuses them separately.
///
/// ```
/// use actorscope::model::is_valid_label_name;
///
/// assert!(is_valid_label_name("worker"));
/// assert!(!is_valid_label_name("worker:id"));
/// ```
#[must_use]
pub fn is_valid_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'A'..=b'Z' | b'_'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_follow_the_prometheus_rule() {
        for good in ["a", "_", ":", "a:b_c9", "Z"] {
            assert!(is_valid_metric_name(good), "{good:?}");
        }
        for bad in ["", "9a", "a-b", "a b", "é", "a.b", "a\n"] {
            assert!(!is_valid_metric_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn label_names_do_not_allow_colons() {
        assert!(is_valid_label_name("_a9"));
        for bad in ["", "a:b", "9", "a-b", "ü"] {
            assert!(!is_valid_label_name(bad), "{bad:?}");
        }
    }
}
