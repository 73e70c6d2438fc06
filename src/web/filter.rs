//! What a request asks to see: `/debug/metrics?name=&worker=&server=&client=&label=` and
//! `/metrics?name[]=`.

use std::collections::BTreeMap;

use super::error::{shown, WebError};
use crate::model::{is_valid_label_name, is_valid_metric_name, LabelSet, MetricSnapshot};

/// The parameters `/debug/metrics` takes, for error messages.
const DEBUG_PARAMETERS: &str =
    "name (family name prefix), worker, server, client and label (key:value); each may repeat";

/// `/debug/metrics` filters. Values given for the same label are alternatives; different
/// labels must all match. `worker=3` is `label=worker:3`, and so are `server=` and
/// `client=` (an outgoing client's name, given to `ClientMetrics`). Name prefixes are
/// alternatives.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct DebugFilter {
    prefixes: Vec<String>,
    labels: BTreeMap<String, Vec<String>>,
}

impl DebugFilter {
    /// Reads the filters from decoded query parameters.
    pub(crate) fn from_query(params: &[(String, String)]) -> Result<Self, WebError> {
        let mut filter = Self::default();
        for (name, value) in params {
            let bad = |parameter, reason| WebError::InvalidParameter {
                parameter,
                value: shown(value),
                reason,
            };
            match name.as_str() {
                "name" => {
                    let valid = !value.is_empty()
                        && value
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':');
                    if !valid {
                        return Err(bad(
                            "name",
                            "a family name prefix is made of [a-zA-Z0-9_:] and is not empty",
                        ));
                    }
                    filter.prefixes.push(value.clone());
                }
                "worker" | "server" | "client" => {
                    if value.is_empty() {
                        let parameter = match name.as_str() {
                            "worker" => "worker",
                            "server" => "server",
                            _ => "client",
                        };
                        return Err(bad(
                            parameter,
                            "give the label value to keep, e.g. worker=0",
                        ));
                    }
                    filter.require(name, value);
                }
                "label" => {
                    let (key, wanted) = value.split_once(':').ok_or_else(|| {
                        bad("label", "write it as key:value, e.g. label=route:/kv/{key}")
                    })?;
                    if !is_valid_label_name(key) {
                        return Err(bad(
                            "label",
                            "the key before ':' must be a label name ([a-zA-Z_][a-zA-Z0-9_]*)",
                        ));
                    }
                    filter.require(key, wanted);
                }
                _ => {
                    return Err(WebError::UnknownParameter {
                        parameter: shown(name),
                        known: DEBUG_PARAMETERS,
                    })
                }
            }
        }
        Ok(filter)
    }

    fn require(&mut self, label: &str, value: &str) {
        self.labels
            .entry(label.to_owned())
            .or_default()
            .push(value.to_owned());
    }

    /// Whether it keeps everything.
    pub(crate) fn is_empty(&self) -> bool {
        self.prefixes.is_empty() && self.labels.is_empty()
    }

    /// What the filters keep of `snapshot` (its errors always). A label a sample lacks
    /// counts as the empty value, as in Prometheus.
    pub(crate) fn apply(&self, snapshot: &MetricSnapshot) -> MetricSnapshot {
        snapshot.filtered(
            |family| self.keeps_name(family.name()),
            |_, labels, _| self.keeps_labels(labels),
        )
    }

    /// Whether a family with this name passes the name filters.
    pub(crate) fn keeps_name(&self, name: &str) -> bool {
        self.prefixes.is_empty() || self.prefixes.iter().any(|p| name.starts_with(p.as_str()))
    }

    /// Whether a series with these labels passes the label filters.
    pub(crate) fn keeps_labels(&self, labels: &LabelSet) -> bool {
        self.labels.iter().all(|(label, wanted)| {
            let value = labels.get(label).unwrap_or("");
            wanted.iter().any(|w| w == value)
        })
    }
}

/// `/metrics?name[]=a&name[]=b`: only the families that write a series with one of these
/// names (as the Python client does), e.g. `http_request_duration_seconds_bucket`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct NameFilter {
    names: Vec<String>,
}

impl NameFilter {
    /// Reads `name[]` parameters; any other parameter is refused.
    pub(crate) fn from_query(params: &[(String, String)]) -> Result<Self, WebError> {
        let mut filter = Self::default();
        for (name, value) in params {
            if name != "name[]" {
                return Err(WebError::UnknownParameter {
                    parameter: shown(name),
                    known: "name[] (a metric name; may repeat)",
                });
            }
            if !is_valid_metric_name(value) {
                return Err(WebError::InvalidParameter {
                    parameter: "name[]",
                    value: shown(value),
                    reason: "a metric name matches [a-zA-Z_:][a-zA-Z0-9_:]*",
                });
            }
            filter.names.push(value.clone());
        }
        Ok(filter)
    }

    /// The families of `snapshot` it keeps, or `None` when it keeps everything.
    pub(crate) fn apply(&self, snapshot: &MetricSnapshot) -> Option<MetricSnapshot> {
        if self.names.is_empty() {
            return None;
        }
        Some(snapshot.filtered(
            |family| {
                family
                    .series_names()
                    .iter()
                    .chain(std::iter::once(&family.name().to_owned()))
                    .any(|series| self.names.contains(series))
            },
            |_, _, _| true,
        ))
    }
}

#[cfg(test)]
mod tests;
