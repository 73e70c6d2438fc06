use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;

use crate::registry::RegisterError;

/// Why [`Routes::new`](super::Routes::new) could not make the routes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MountError {
    /// Another `Routes` of this registry is alive.
    #[error("this registry's routes exist already (a `Routes` owns its live stream and history): clone that `Routes` to serve it from several servers")]
    AlreadyMounted,
    /// The live stream's collector could not be registered.
    #[error(transparent)]
    Register(#[from] RegisterError),
}

/// Why a request to the ActorScope routes was refused. Every message names the
/// parameter or header and quotes the bad value; nothing counted is affected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebError {
    /// A query parameter is not percent-encoded UTF-8.
    #[error("query parameter {parameter:?} is not valid percent-encoded UTF-8")]
    BadEncoding {
        /// The parameter's name, as far as it could be read.
        parameter: String,
    },
    /// The endpoint does not take this parameter.
    #[error("unknown query parameter {parameter:?}; this endpoint takes {known}")]
    UnknownParameter {
        /// The parameter's name.
        parameter: String,
        /// The parameters it does take.
        known: &'static str,
    },
    /// A parameter's value cannot be used.
    #[error("query parameter {parameter} has a bad value {value:?}: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        parameter: &'static str,
        /// The value, as sent (cut to 100 characters).
        value: String,
        /// What would be accepted.
        reason: &'static str,
    },
    /// More parameters than any honest request needs.
    #[error("too many query parameters (more than {limit})")]
    TooManyParameters {
        /// The limit.
        limit: usize,
    },
    /// A header's value cannot be used.
    #[error("header {header} has a bad value {value:?}: {reason}")]
    InvalidHeader {
        /// The header's name.
        header: &'static str,
        /// The value, as sent (cut to 100 characters).
        value: String,
        /// What would be accepted.
        reason: &'static str,
    },
    /// Too many scrapes are being served already.
    #[error("{limit} scrapes are being served already (the limit); retry in a second")]
    Busy {
        /// [`RouteOptions::max_concurrent_scrapes`](super::RouteOptions::max_concurrent_scrapes).
        limit: usize,
    },
}

/// `value` cut to 100 characters, for messages.
pub(crate) fn shown(value: &str) -> String {
    value.chars().take(100).collect()
}

impl WebError {
    /// The HTTP status this error answers with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The parameter or header at fault, if one is.
    #[must_use]
    pub fn culprit(&self) -> Option<&str> {
        match self {
            Self::BadEncoding { parameter } | Self::UnknownParameter { parameter, .. } => {
                Some(parameter)
            }
            Self::InvalidParameter { parameter, .. } => Some(parameter),
            Self::InvalidHeader { header, .. } => Some(header),
            Self::TooManyParameters { .. } | Self::Busy { .. } => None,
        }
    }

    fn builder(&self) -> actix_web::HttpResponseBuilder {
        let mut response = HttpResponse::build(self.status());
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if matches!(self, Self::Busy { .. }) {
            response.insert_header((header::RETRY_AFTER, "1"));
        }
        response
    }

    /// The error as `text/plain`, for `/metrics` (read by people with curl).
    #[must_use]
    pub fn text_response(&self) -> HttpResponse {
        self.builder()
            .content_type("text/plain; charset=utf-8")
            .body(format!("{self}\n"))
    }

    /// The error as JSON `{"error": "...", "culprit": "..."}`, for `/debug/*`.
    #[must_use]
    pub fn json_response(&self) -> HttpResponse {
        let body = serde_json::json!({ "error": self.to_string(), "culprit": self.culprit() });
        self.builder()
            .content_type("application/json")
            .body(body.to_string())
    }
}
