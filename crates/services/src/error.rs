//! The services' error.

use solicitudes_persistence::DbError;
use solicitudes_schemas::ValidationErrors;

/// What went wrong in a use case. Each variant's doc names the HTTP status it becomes.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// 401: no valid credentials (unknown, expired or revoked token; wrong e-mail or
    /// password; inactive account — all alike, so nothing is revealed).
    #[error("no autenticado")]
    Unauthorized,
    /// 403: the caller may see the resource but not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 429: too many failed logins for this account or client address; retry after the
    /// given time (the `Retry-After` header, in whole seconds rounded up).
    #[error("demasiados intentos fallidos; reintenta en {} s", retry_after.as_secs_f64().ceil())]
    RateLimited {
        /// How long until a login may be attempted again.
        retry_after: std::time::Duration,
    },
    /// 404: the resource does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 409: the request conflicts with the resource's current state.
    #[error("{0}")]
    Conflict(String),
    /// 409 with the allowed next estados: the workflow forbids this move.
    #[error("{detail}")]
    TransicionNoPermitida {
        /// What was refused.
        detail: String,
        /// Where the solicitud can go from its current estado.
        permitidos: Vec<solicitudes_domain::Estado>,
    },
    /// 412: `If-Match` names a version the resource no longer has.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 422: the input is invalid (in the contract's shape).
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// 503: the database cannot be reached right now.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected database state; the detail is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbError> for ServiceError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable(m) => ServiceError::Unavailable(m),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl From<ValidationErrors> for ServiceError {
    fn from(e: ValidationErrors) -> Self {
        ServiceError::Invalid(e)
    }
}
