//! Cross-cutting request handling: request ids and the access log, security headers, and
//! making sure every error body is JSON in the contract's shape.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse};
use solicitudes_schemas::{ErrorCode, ErrorMessage};
use tracing::Instrument;
use uuid::Uuid;

/// `X-Request-Id`.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request (request extension).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Whether a caller's request id is "sane": 1–128 characters of `[A-Za-z0-9._:-]`.
pub fn is_sane_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Outermost middleware: gives every request an id (the caller's when sane, else a new
/// UUIDv7), puts it on the response, and logs one line per request.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane_request_id(v))
        .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.path().to_owned();
    let span = tracing::info_span!("request", request_id = %id);
    // Handlers and extractors turn their errors into responses themselves; an `Err` here
    // could only come from a middleware and is rendered by actix (still as JSON: ApiError).
    let mut res = next.call(req).instrument(span).await?.map_into_boxed_body();
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(X_REQUEST_ID, value);
    }
    let status = res.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(request_id = %id, %method, %path, status, latency_ms, "request");
    Ok(res)
}

/// Makes every 4xx/5xx body JSON: responses produced outside our handlers (unknown route,
/// wrong method, actix's own errors) get `{"detail": "<reason>"}`; JSON bodies pass through.
pub async fn json_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(res.headers()) {
        return Ok(res);
    }
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(status).json(ErrorMessage::new(
        ErrorCode::of_status(status.as_u16()),
        status.canonical_reason().unwrap_or("Error"),
    ));
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, new))
}

fn is_json(headers: &header::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"))
}

/// A 404 for paths that name nothing.
pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(ErrorMessage::new(ErrorCode::NotFound, "Not Found"))
}

/// A 405 naming the allowed methods.
pub fn method_not_allowed(allow: &str) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, allow))
        .json(ErrorMessage::new(
            ErrorCode::MethodNotAllowed,
            "Method Not Allowed",
        ))
}

#[cfg(test)]
mod tests {
    use super::is_sane_request_id;

    #[test]
    fn ids_de_peticion_sensatos() {
        assert!(is_sane_request_id("abc-123_x.y:z"));
        assert!(is_sane_request_id(&"a".repeat(128)));
        assert!(!is_sane_request_id(&"a".repeat(129)));
        assert!(!is_sane_request_id(""));
        assert!(!is_sane_request_id("con espacio"));
        assert!(!is_sane_request_id("ñ"));
    }
}
