//! HTTP errors in the contract's shape.
//!
//! Policy: a 422 is FastAPI's `{"detail": [{loc, msg, type}, …]}`; every other error is
//! `{"detail": "message"}`. A 503 carries `Retry-After`. A 500 says only
//! "Internal Server Error": its cause goes to the log with the request id, never to the client.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use solicitudes_schemas::workflow::TransicionConflict;
use solicitudes_schemas::{ErrorEntry, ErrorMessage, ValidationErrors};
use solicitudes_services::ServiceError;

/// An error answered to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// From a use case (status per variant, see [`ServiceError`]).
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// 422: the request's parameters, headers or body are invalid.
    #[error("{0}")]
    Invalid(#[from] ValidationErrors),
    /// 413: the body exceeds the configured limit.
    #[error("request body larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 408: the client stopped sending its body; the connection is closed.
    #[error("the request body did not arrive in time")]
    BodyTimeout,
    /// 400: the body could not be read (broken transfer encoding, client gone).
    #[error("could not read the request body: {0}")]
    BadPayload(String),
}

impl ApiError {
    /// A single 422 entry.
    pub fn invalid<L: Into<solicitudes_schemas::Loc>>(
        loc: impl IntoIterator<Item = L>,
        kind: &str,
        msg: impl Into<String>,
    ) -> Self {
        ApiError::Invalid(ValidationErrors::single(ErrorEntry::new(loc, kind, msg)))
    }
}

/// What a 500 says, whatever went wrong.
pub const INTERNAL: &str = "Internal Server Error";

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Service(e) => match e {
                // Added with the variants (auth branch); WWW-Authenticate and Retry-After
                // are the lead's to add with the error-code restructuring.
                ServiceError::Unauthorized => StatusCode::UNAUTHORIZED,
                ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
                ServiceError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
                ServiceError::Conflict(_) | ServiceError::TransicionNoPermitida { .. } => {
                    StatusCode::CONFLICT
                }
                ServiceError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
                ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                ServiceError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BadPayload(_) => StatusCode::BAD_REQUEST,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let mut res = HttpResponse::build(status);
        match self {
            ApiError::Invalid(errors) | ApiError::Service(ServiceError::Invalid(errors)) => {
                return res.json(errors.clone().into_body());
            }
            ApiError::Service(ServiceError::TransicionNoPermitida { detail, permitidos }) => {
                return res.json(TransicionConflict {
                    detail: detail.clone(),
                    permitidos: permitidos.clone(),
                });
            }
            ApiError::Service(ServiceError::Unavailable(cause)) => {
                tracing::warn!(%cause, "database unavailable");
                res.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
                return res.json(ErrorMessage::new(
                    "El servicio no puede acceder a la base de datos en este momento; reinténtalo en unos segundos",
                ));
            }
            ApiError::Service(ServiceError::Internal(cause)) => {
                tracing::error!(%cause, "internal error");
                return res.json(ErrorMessage::new(INTERNAL));
            }
            _ => {}
        }
        let detail = match self {
            ApiError::PayloadTooLarge(limit) => {
                format!("El cuerpo de la petición supera el límite de {limit} bytes")
            }
            ApiError::BadPayload(cause) => {
                format!("No se pudo leer el cuerpo de la petición: {cause}")
            }
            ApiError::BodyTimeout => {
                // The rest of the body may still come: this connection cannot be reused.
                res.force_close();
                "El cuerpo de la petición no llegó a tiempo".to_owned()
            }
            other => other.to_string(),
        };
        res.json(ErrorMessage::new(detail))
    }
}
