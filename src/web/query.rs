//! Query strings, decoded strictly: a value that is not percent-encoded UTF-8 is an
//! error naming its parameter, never silently replaced.

use percent_encoding::percent_decode_str;

use super::error::{shown, WebError};

/// More parameters than this is refused.
const MAX_PARAMETERS: usize = 64;

/// The `(name, value)` pairs of `query`, in order; `+` is a space, `a` alone is `a=`.
pub(crate) fn parse(query: &str) -> Result<Vec<(String, String)>, WebError> {
    let mut params = Vec::new();
    for piece in query.split('&').filter(|piece| !piece.is_empty()) {
        if params.len() == MAX_PARAMETERS {
            return Err(WebError::TooManyParameters {
                limit: MAX_PARAMETERS,
            });
        }
        let (raw_name, raw_value) = piece.split_once('=').unwrap_or((piece, ""));
        let name = decode(raw_name).ok_or_else(|| WebError::BadEncoding {
            parameter: shown(raw_name),
        })?;
        let value = decode(raw_value).ok_or_else(|| WebError::BadEncoding {
            parameter: shown(&name),
        })?;
        params.push((name, value));
    }
    Ok(params)
}

fn decode(raw: &str) -> Option<String> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_plus_and_bare_names() {
        let params = parse("label=route%3A%2Fkv%2F%7Bkey%7D&name=kv_&&flag&q=a+b").unwrap();
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("label", "route:/kv/{key}"),
                ("name", "kv_"),
                ("flag", ""),
                ("q", "a b")
            ]
        );
    }

    #[test]
    fn refuses_invalid_utf8_naming_the_parameter() {
        assert_eq!(
            parse("worker=%FF"),
            Err(WebError::BadEncoding {
                parameter: "worker".into()
            })
        );
        assert!(matches!(parse("%C3=1"), Err(WebError::BadEncoding { .. })));
    }

    #[test]
    fn refuses_too_many_parameters() {
        let query = vec!["a=1"; MAX_PARAMETERS + 1].join("&");
        assert_eq!(
            parse(&query),
            Err(WebError::TooManyParameters {
                limit: MAX_PARAMETERS
            })
        );
        assert!(parse(&vec!["a=1"; MAX_PARAMETERS].join("&")).is_ok());
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::parse;
    use crate::web::filter::{DebugFilter, NameFilter};

    /// Query-ish text: plausible names, `=`, `&`, `%` escapes (valid or not) and junk.
    fn query() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just("name".to_owned()),
                Just("worker".to_owned()),
                Just("label".to_owned()),
                Just("name[]".to_owned()),
                Just("=".to_owned()),
                Just("&".to_owned()),
                Just(":".to_owned()),
                any::<u8>().prop_map(|b| format!("%{b:02X}")),
                Just("%".to_owned()),
                any::<String>(),
            ],
            0..12,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_query_parses_or_is_refused_by_name(query in query()) {
            match parse(&query) {
                Ok(params) => {
                    for filter in [DebugFilter::from_query(&params).err(), NameFilter::from_query(&params).err()].into_iter().flatten() {
                        prop_assert!(filter.culprit().is_some(), "{filter}");
                        prop_assert_eq!(filter.status(), actix_web::http::StatusCode::BAD_REQUEST);
                    }
                }
                Err(error) => prop_assert_eq!(error.status(), actix_web::http::StatusCode::BAD_REQUEST),
            }
        }
    }
}
