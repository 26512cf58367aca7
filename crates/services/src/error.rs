//! The services' error: what went wrong, in domain terms. The HTTP binary chooses the status,
//! the stable `code` and the Spanish wording; nothing here knows about either.

use solicitudes_domain::policy::Accion;
use solicitudes_domain::{
    Estado, PersonaId, SesionId, SolicitudId, TransicionNoPermitida, UsuarioId,
};
use solicitudes_persistence::DbError;

/// A resource that was looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurso {
    /// A persona.
    Persona(PersonaId),
    /// A solicitud.
    Solicitud(SolicitudId),
    /// A usuario (account).
    Usuario(UsuarioId),
    /// One of the caller's sessions.
    Sesion(SesionId),
    /// A route that exists only when a setting turns it on (`auth.open_registration`).
    Registro,
}

/// What went wrong in a use case. Each variant's doc names the HTTP status it becomes.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// 401: no valid credentials (unknown, expired or revoked token; wrong e-mail or
    /// password; inactive account — all alike, so nothing is revealed).
    #[error("no autenticado")]
    Unauthorized,
    /// 403: the caller may see the resource but the access policy does not let them do this.
    #[error("forbidden: {0:?}")]
    Forbidden(Accion),
    /// 429: too many failed logins for this account or client address; retry after the
    /// given time (the `Retry-After` header, in whole seconds rounded up).
    #[error("demasiados intentos fallidos; reintenta en {} s", retry_after.as_secs_f64().ceil())]
    RateLimited {
        /// How long until a login may be attempted again.
        retry_after: std::time::Duration,
    },
    /// 404: the resource does not exist.
    #[error("{0:?} not found")]
    NotFound(Recurso),
    /// 409: the e-mail is already registered (compared case-insensitively).
    #[error("e-mail taken")]
    EmailTaken,
    /// 409: the persona still has solicitudes, so it cannot be deleted.
    #[error("persona {0} still has solicitudes")]
    PersonaConSolicitudes(PersonaId),
    /// 409: the persona is linked to a usuario account, so it cannot be deleted.
    #[error("persona {0} has a usuario account")]
    PersonaConUsuario(PersonaId),
    /// 409: the change would leave no active admin account.
    #[error("last active admin")]
    UltimoAdmin,
    /// 409: the solicitud is final, so it cannot be edited.
    #[error("solicitud {id} is final ({estado})")]
    SolicitudFinal {
        /// The solicitud.
        id: SolicitudId,
        /// Its (final) estado.
        estado: Estado,
    },
    /// 409: the workflow forbids this move from the solicitud's estado.
    #[error("transition {} -> {} not allowed", .0.desde, .0.hacia)]
    TransicionNoPermitida(TransicionNoPermitida),
    /// 409: the solicitud changed estado while the transition was being made (into one that
    /// would allow it): the caller's view was stale; retrying works.
    #[error("solicitud {id} moved to {estado} concurrently")]
    TransicionConcurrente {
        /// The solicitud.
        id: SolicitudId,
        /// Its estado now.
        estado: Estado,
    },
    /// 412: `If-Match` names a version the solicitud no longer has.
    #[error("solicitud {id} is at version {version}")]
    PreconditionFailed {
        /// The solicitud.
        id: SolicitudId,
        /// Its current version.
        version: i32,
    },
    /// 422 on the body's `persona_id`: no persona has that id.
    #[error("no persona {0}")]
    PersonaInexistente(PersonaId),
    /// 422 on the body's `persona_id`: it is required here (a solicitante account; a
    /// solicitud filed by a caller who has no persona of their own).
    #[error("persona_id required")]
    PersonaRequerida,
    /// 422 on the body's `actual`: the current password is not the account's.
    #[error("wrong current password")]
    PasswordActualIncorrecta,
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
