//! One error type for every call, and the decoding of the contract's error bodies.
//!
//! Decoding never panics and never fails: a body that is not the contract's JSON (an HTML page
//! of a proxy, an empty body, a truncated one) still gives the variant of its status, with the
//! status's reason phrase as `detail`.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize as _;
use serde::de::DeserializeOwned;
use serde_json::Value;
use solicitudes_domain::Estado;
use solicitudes_schemas::{ErrorCode, ErrorEntry, ValidationErrors};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

/// What a call of [`crate::Client`] can fail with.
///
/// Each status of the contract has its variant, so callers branch on the variant, never on
/// `detail`, whose Spanish wording may change; `code` (the body's stable `code`) is there when
/// the server sent one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 422: the request is malformed; every problem at once, as the server listed them.
    #[error("422 validation failed: {}", ValidationErrors(.0.clone()))]
    Validation(Vec<ErrorEntry>),
    /// 401: no token, or one that is unknown, expired or revoked; or a failed login.
    #[error("401 unauthorized: {detail}")]
    Unauthorized {
        /// The server's message.
        detail: String,
    },
    /// 403: the caller may see the object but not do this to it.
    #[error("403 forbidden: {detail}")]
    Forbidden {
        /// The server's message.
        detail: String,
    },
    /// 404: no such object, or one the caller may not see (the same answer), or a route that
    /// is off (open registration).
    #[error("404 not found: {detail}")]
    NotFound {
        /// The server's message.
        detail: String,
    },
    /// 412: the `If-Match` sent names another version: someone changed the solicitud since
    /// it was read. Nothing changed; re-read and decide again (see
    /// [`crate::Client::retry_on_conflict`]).
    #[error("412 precondition failed: {detail}")]
    PreconditionFailed {
        /// The server's message.
        detail: String,
    },
    /// 409: the change contradicts the data: a transition the workflow forbids (`code`
    /// `transition_not_allowed`, `permitidos` the estados allowed now), a final solicitud, an
    /// e-mail taken, a persona with solicitudes, the last admin.
    #[error("409 conflict ({code:?}): {detail}")]
    Conflict {
        /// The body's stable code ([`ErrorCode::Other`] when it sent none the client knows).
        code: ErrorCode,
        /// The server's message.
        detail: String,
        /// For a forbidden transition, the estados the solicitud may move to now.
        permitidos: Vec<Estado>,
    },
    /// 429: too many failed logins for the account or from this address.
    #[error("429 too many requests (retry after {retry_after:?}): {detail}")]
    RateLimited {
        /// `Retry-After`, when the server sent a readable one.
        retry_after: Option<Duration>,
        /// The server's message.
        detail: String,
    },
    /// 503: the database is unreachable (or the request timed out on the server).
    #[error("503 service unavailable (retry after {retry_after:?}): {detail}")]
    Unavailable {
        /// `Retry-After`, when the server sent a readable one.
        retry_after: Option<Duration>,
        /// The server's message.
        detail: String,
    },
    /// Any other error status (400, 405, 413, 500, a proxy's 502…), with what the body said
    /// when it was the contract's `{"detail", "code"}`.
    #[error("unexpected status {status}: {}", .detail.as_deref().unwrap_or("(no detail)"))]
    Status {
        /// The HTTP status.
        status: u16,
        /// The body's `code`, when present and known.
        code: Option<ErrorCode>,
        /// The body's `detail`, when it was a string.
        detail: Option<String>,
    },
    /// A success status whose body or headers are not what the contract promises (not JSON
    /// of the expected shape, no `ETag` where one is due).
    #[error("unexpected response (status {status}): {message}")]
    Decode {
        /// The HTTP status.
        status: u16,
        /// What was wrong.
        message: String,
    },
    /// The request did not get an answer: connection refused or reset, timeout, TLS, DNS.
    #[error("transport: {0}")]
    Transport(#[from] reqwest::Error),
    /// The base URL given to the client is not an absolute `http` or `https` URL.
    #[error("invalid base URL {0:?}")]
    InvalidBaseUrl(String),
}

impl Error {
    /// The HTTP status of an error answered by the server; `None` for [`Error::Transport`],
    /// [`Error::InvalidBaseUrl`].
    pub fn status(&self) -> Option<u16> {
        Some(match self {
            Error::Validation(_) => 422,
            Error::Unauthorized { .. } => 401,
            Error::Forbidden { .. } => 403,
            Error::NotFound { .. } => 404,
            Error::PreconditionFailed { .. } => 412,
            Error::Conflict { .. } => 409,
            Error::RateLimited { .. } => 429,
            Error::Unavailable { .. } => 503,
            Error::Status { status, .. } | Error::Decode { status, .. } => *status,
            Error::Transport(e) => return e.status().map(|s| s.as_u16()),
            Error::InvalidBaseUrl(_) => return None,
        })
    }
}

/// The error a non-success answer stands for. Never panics, whatever `body` holds.
pub fn from_response(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let field = |name: &str| json.get(name).filter(|_| json.is_object());
    let code = field("code").and_then(|c| ErrorCode::deserialize(c.clone()).ok());
    let text = field("detail").and_then(Value::as_str).map(str::to_owned);
    let detail = || {
        text.clone()
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_owned())
    };
    match status.as_u16() {
        422 => match field("detail").map(|d| Vec::<ErrorEntry>::deserialize(d.clone())) {
            Some(Ok(entries)) => Error::Validation(entries),
            _ => Error::Status {
                status: 422,
                code,
                detail: text,
            },
        },
        401 => Error::Unauthorized { detail: detail() },
        403 => Error::Forbidden { detail: detail() },
        404 => Error::NotFound { detail: detail() },
        412 => Error::PreconditionFailed { detail: detail() },
        409 => Error::Conflict {
            code: code.unwrap_or(ErrorCode::Other),
            detail: detail(),
            permitidos: field("permitidos")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|e| Estado::deserialize(e.clone()).ok())
                        .collect()
                })
                .unwrap_or_default(),
        },
        429 => Error::RateLimited {
            retry_after: retry_after(headers),
            detail: detail(),
        },
        503 => Error::Unavailable {
            retry_after: retry_after(headers),
            detail: detail(),
        },
        other => Error::Status {
            status: other,
            code,
            detail: text,
        },
    }
}

/// The body of a success answer as `T`, or [`Error::Decode`].
pub fn decode_body<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        status: status.as_u16(),
        message: format!("the body is not the expected JSON: {e}"),
    })
}

/// `Retry-After` as a wait: delay-seconds, or an HTTP date (then the time until it, zero when
/// past). `None` when absent or unreadable.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = OffsetDateTime::parse(value, &Rfc2822).ok()?;
    let wait = when - OffsetDateTime::now_utc();
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    /// Decodes an answer built as a real `http::Response`, the way the client receives it.
    fn decode(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Error {
        let mut builder = http::Response::builder().status(status);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let response = builder.body(body.to_vec()).unwrap();
        let (parts, body) = response.into_parts();
        from_response(parts.status, &parts.headers, &body)
    }

    const GARBAGE: &[&[u8]] = &[
        b"",
        b"<html><body>502 Bad Gateway</body></html>",
        b"{",
        b"null",
        b"[1,2,3]",
        b"\"detail\"",
        b"{\"detail\": 42, \"code\": [], \"permitidos\": \"no\"}",
        b"{\"detail\": {\"a\": 1}, \"code\": \"no_such_code\"}",
        b"{\"detail\": [1, {\"loc\": 3}]}",
        b"\xff\xfe\x00garbage\x00",
    ];

    #[test]
    fn un_cuerpo_inesperado_da_la_variante_de_su_estado_sin_panico() {
        for body in GARBAGE {
            for status in [
                400, 401, 403, 404, 405, 409, 412, 413, 418, 422, 429, 500, 502, 503,
            ] {
                let e = decode(status, &[("retry-after", "soon")], body);
                assert_eq!(e.status(), Some(status), "{status} {body:?}: {e:?}");
                // Display never panics either.
                let _ = e.to_string();
                match (status, &e) {
                    (401, Error::Unauthorized { .. })
                    | (403, Error::Forbidden { .. })
                    | (404, Error::NotFound { .. })
                    | (412, Error::PreconditionFailed { .. })
                    | (409, Error::Conflict { .. })
                    | (
                        429,
                        Error::RateLimited {
                            retry_after: None, ..
                        },
                    )
                    | (
                        503,
                        Error::Unavailable {
                            retry_after: None, ..
                        },
                    )
                    | (422, Error::Status { .. })
                    | (400 | 405 | 413 | 418 | 500 | 502, Error::Status { .. }) => {}
                    _ => panic!("{status} {body:?} decoded as {e:?}"),
                }
            }
        }
    }

    #[test]
    fn sin_detail_el_mensaje_es_la_frase_del_estado() {
        let Error::NotFound { detail } = decode(404, &[], b"<html>") else {
            panic!()
        };
        assert_eq!(detail, "Not Found");
        let Error::Status {
            status: 502,
            code: None,
            detail: None,
        } = decode(502, &[], b"Bad gateway")
        else {
            panic!()
        };
    }

    #[test]
    fn los_cuerpos_del_contrato() {
        let e = decode(
            422,
            &[],
            br#"{"detail":[{"loc":["body","titulo"],"msg":"Muy corto","type":"string_too_short"},{"loc":["query","limit"],"msg":"x","type":"int_parsing"}]}"#,
        );
        let Error::Validation(entries) = e else {
            panic!("{e:?}")
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].kind, "string_too_short");
        assert_eq!(
            entries[1].loc,
            vec!["query".into(), solicitudes_schemas::Loc::from("limit")]
        );

        let e = decode(
            409,
            &[],
            br#"{"detail":"No se puede","code":"transition_not_allowed","permitidos":["en_revision","cancelada","archivada"]}"#,
        );
        let Error::Conflict {
            code,
            detail,
            permitidos,
        } = e
        else {
            panic!("{e:?}")
        };
        assert_eq!(code, ErrorCode::TransitionNotAllowed);
        assert_eq!(detail, "No se puede");
        // An estado this client does not know (a newer server) is left out, not an error.
        assert_eq!(permitidos, [Estado::EnRevision, Estado::Cancelada]);

        let e = decode(
            409,
            &[],
            br#"{"detail":"Ya existe","code":"a_code_from_the_future"}"#,
        );
        assert!(matches!(
            e,
            Error::Conflict {
                code: ErrorCode::Other,
                ..
            }
        ));

        let e = decode(
            429,
            &[("retry-after", "30")],
            br#"{"detail":"Demasiados intentos","code":"too_many_requests"}"#,
        );
        assert!(matches!(
            e,
            Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(30)
        ));
        let e = decode(500, &[], br#"{"detail":"Error interno","code":"internal"}"#);
        assert!(matches!(
            e,
            Error::Status { status: 500, code: Some(ErrorCode::Internal), detail: Some(ref d) } if d == "Error interno"
        ));
    }

    #[test]
    fn retry_after_en_segundos_o_como_fecha() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static(" 7 "));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO), "a past date");
        h.insert(RETRY_AFTER, HeaderValue::from_static("-3"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn un_cuerpo_de_exito_que_no_es_el_esperado_es_decode() {
        let r: Result<solicitudes_schemas::auth::TokenResponse, _> =
            decode_body(StatusCode::OK, b"<html>");
        assert!(matches!(r, Err(Error::Decode { status: 200, .. })));
    }
}
