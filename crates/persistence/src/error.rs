//! The persistence layer's error.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What went wrong talking to PostgreSQL, in the terms callers react to.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique constraint or index was violated (e.g. `personas_email_key`).
    #[error("unique violation on {constraint:?}")]
    UniqueViolation {
        /// The constraint's (or unique index's) name.
        constraint: Option<String>,
    },
    /// A foreign key was violated (e.g. `solicitudes_persona_id_fkey`).
    #[error("foreign key violation on {constraint:?}")]
    ForeignKeyViolation {
        /// The constraint's name.
        constraint: Option<String>,
    },
    /// A CHECK constraint was violated: the service let through what the schema refuses.
    #[error("check violation on {constraint:?}")]
    CheckViolation {
        /// The constraint's name.
        constraint: Option<String>,
    },
    /// No connection could be had in time, or the connection broke: retrying later may work.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else (a bug, or an unexpected database state).
    #[error("database error: {0}")]
    Other(String),
}

impl From<DieselError> for DbError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().map(str::to_owned);
                match kind {
                    DatabaseErrorKind::UniqueViolation => DbError::UniqueViolation { constraint },
                    DatabaseErrorKind::ForeignKeyViolation => {
                        DbError::ForeignKeyViolation { constraint }
                    }
                    DatabaseErrorKind::CheckViolation => DbError::CheckViolation { constraint },
                    DatabaseErrorKind::ClosedConnection => {
                        DbError::Unavailable(info.message().to_owned())
                    }
                    _ if is_transient(info.message()) => {
                        DbError::Unavailable(info.message().to_owned())
                    }
                    _ => DbError::Other(info.message().to_owned()),
                }
            }
            DieselError::BrokenTransactionManager => {
                DbError::Unavailable("broken transaction manager".to_owned())
            }
            other => DbError::Other(other.to_string()),
        }
    }
}

/// Messages of errors caused by the server going away or shutting down rather than by the
/// statement (tokio-postgres reports them without a SQLSTATE diesel maps).
fn is_transient(message: &str) -> bool {
    const MARKERS: &[&str] = &[
        "connection closed",
        "terminating connection",
        "the database system is",
        "error communicating with the server",
        "canceling statement due to statement timeout",
    ];
    // A table or type missing: the schema is not migrated yet (start-up against a fresh
    // database, migrations retrying in the background), which /readyz reports too.
    let schema_missing = message.starts_with("relation \"") || message.starts_with("type \"");
    MARKERS.iter().any(|m| message.contains(m))
        || (schema_missing && message.ends_with("does not exist"))
}

impl<E: std::fmt::Display> From<bb8::RunError<E>> for DbError {
    fn from(e: bb8::RunError<E>) -> Self {
        match e {
            bb8::RunError::TimedOut => {
                DbError::Unavailable("timed out waiting for a database connection".to_owned())
            }
            bb8::RunError::User(e) => DbError::Unavailable(e.to_string()),
        }
    }
}
