//! The services' error.

use solicitudes_persistence::DbError;
use solicitudes_schemas::ValidationErrors;

/// What went wrong in a use case. Each variant's doc names the HTTP status it becomes.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
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
