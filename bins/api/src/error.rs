//! HTTP errors in the contract's shape.
//!
//! Policy: a 422 is FastAPI's `{"detail": [{loc, msg, type}, …]}`; every other error is
//! `{"detail": "message", "code": "stable_code"}` ([`ErrorCode`]), with the status, the code
//! and the Spanish wording all chosen here, at the edge: the services say what went wrong in
//! domain terms ([`ServiceError`]). A 503 carries `Retry-After`. A 500 says only
//! "Internal Server Error": its cause goes to the log with the request id, never to the client.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use solicitudes_domain::Estado;
use solicitudes_domain::policy::Accion;
use solicitudes_schemas::workflow::TransicionConflict;
use solicitudes_schemas::{ErrorCode, ErrorEntry, ErrorMessage, ValidationErrors};
use solicitudes_services::{Recurso, ServiceError};

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
    /// 403: a state-changing request authenticated by the session cookie without the CSRF
    /// header, or from another origin (see `auth::csrf`).
    #[error("cookie request without CSRF protection")]
    CsrfRejected,
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

/// What a 503 for an unreachable database says.
pub const UNAVAILABLE: &str =
    "El servicio no puede acceder a la base de datos en este momento; reinténtalo en unos segundos";

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Service(e) => match e {
                ServiceError::Unauthorized => StatusCode::UNAUTHORIZED,
                ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
                ServiceError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
                ServiceError::EmailTaken
                | ServiceError::PersonaConSolicitudes(_)
                | ServiceError::PersonaConUsuario(_)
                | ServiceError::UltimoAdmin
                | ServiceError::SolicitudFinal { .. }
                | ServiceError::TransicionNoPermitida(_)
                | ServiceError::TransicionConcurrente { .. } => StatusCode::CONFLICT,
                ServiceError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
                ServiceError::PersonaInexistente(_)
                | ServiceError::PersonaRequerida
                | ServiceError::PasswordActualIncorrecta => StatusCode::UNPROCESSABLE_ENTITY,
                ServiceError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::CsrfRejected => StatusCode::FORBIDDEN,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BadPayload(_) => StatusCode::BAD_REQUEST,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        let (code, detail) = match self {
            ApiError::Invalid(errors) => return res.json(errors.clone().into_body()),
            ApiError::Service(e) => match e {
                ServiceError::NotFound(Recurso::Persona(id)) => {
                    (ErrorCode::NotFound, format!("No existe la persona {id}"))
                }
                ServiceError::NotFound(Recurso::Solicitud(id)) => {
                    (ErrorCode::NotFound, format!("No existe la solicitud {id}"))
                }
                ServiceError::NotFound(Recurso::Usuario(id)) => {
                    (ErrorCode::NotFound, format!("No existe el usuario {id}"))
                }
                ServiceError::NotFound(Recurso::Sesion(id)) => {
                    (ErrorCode::NotFound, format!("No tienes ninguna sesión abierta {id}"))
                }
                ServiceError::NotFound(Recurso::Registro) => (
                    ErrorCode::NotFound,
                    "El registro abierto no está activado en este servicio".to_owned(),
                ),
                ServiceError::Unauthorized => {
                    res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
                    (
                        ErrorCode::Unauthorized,
                        "No autenticado: inicia sesión (credenciales ausentes, incorrectas o caducadas)"
                            .to_owned(),
                    )
                }
                ServiceError::Forbidden(accion) => (ErrorCode::Forbidden, prohibido(*accion)),
                ServiceError::RateLimited { retry_after } => {
                    let secs = retry_after_secs(*retry_after);
                    res.insert_header((header::RETRY_AFTER, secs));
                    (
                        ErrorCode::TooManyRequests,
                        format!(
                            "Demasiados intentos fallidos de inicio de sesión; vuelve a intentarlo dentro de {secs} s"
                        ),
                    )
                }
                ServiceError::PersonaConUsuario(id) => (
                    ErrorCode::PersonaHasUsuario,
                    format!(
                        "La persona {id} tiene una cuenta de usuario: no se puede borrar mientras exista"
                    ),
                ),
                ServiceError::UltimoAdmin => (
                    ErrorCode::LastAdmin,
                    "Es la última cuenta admin activa: antes de quitarle el rol o desactivarla, activa otra cuenta admin"
                        .to_owned(),
                ),
                // A body field the use case refused: a 422 like the extractors'.
                ServiceError::PersonaRequerida => {
                    return ApiError::invalid(
                        ["body", "persona_id"],
                        "missing",
                        "Falta persona_id: indica la persona por la que se presenta",
                    )
                    .error_response();
                }
                ServiceError::PasswordActualIncorrecta => {
                    return ApiError::invalid(
                        ["body", "actual"],
                        "password_mismatch",
                        "La contraseña actual no es correcta",
                    )
                    .error_response();
                }
                ServiceError::EmailTaken => (
                    ErrorCode::EmailTaken,
                    "Ese email ya está registrado".to_owned(),
                ),
                ServiceError::PersonaConSolicitudes(id) => (
                    ErrorCode::PersonaHasSolicitudes,
                    format!(
                        "La persona {id} tiene solicitudes: no se puede borrar mientras existan"
                    ),
                ),
                ServiceError::SolicitudFinal { id, estado } => (
                    ErrorCode::SolicitudFinal,
                    format!(
                        "La solicitud {id} está {estado} (estado final): ya no se puede modificar"
                    ),
                ),
                ServiceError::TransicionNoPermitida(refused) => {
                    return res.json(TransicionConflict {
                        detail: format!(
                            "No se puede pasar de «{}» a «{}»",
                            refused.desde, refused.hacia
                        ),
                        code: ErrorCode::TransitionNotAllowed,
                        permitidos: refused.permitidos.to_vec(),
                    });
                }
                ServiceError::TransicionConcurrente { id, estado } => {
                    return res.json(TransicionConflict {
                        detail: format!(
                            "La solicitud {id} cambió a «{estado}» mientras se procesaba la transición; vuelve a intentarlo"
                        ),
                        code: ErrorCode::TransitionNotAllowed,
                        permitidos: estado.siguientes().to_vec(),
                    });
                }
                ServiceError::PreconditionFailed { id, version } => (
                    ErrorCode::PreconditionFailed,
                    format!(
                        "La solicitud {id} está en la versión {version}: If-Match no coincide; vuelve a leerla"
                    ),
                ),
                ServiceError::PersonaInexistente(id) => {
                    return ApiError::invalid(
                        ["body", "persona_id"],
                        "foreign_key",
                        format!("No existe ninguna persona con id {id}"),
                    )
                    .error_response();
                }
                ServiceError::Unavailable(cause) => {
                    tracing::warn!(%cause, "database unavailable");
                    res.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
                    (ErrorCode::DatabaseUnavailable, UNAVAILABLE.to_owned())
                }
                ServiceError::Internal(cause) => {
                    tracing::error!(%cause, "internal error");
                    (ErrorCode::Internal, INTERNAL.to_owned())
                }
            },
            ApiError::CsrfRejected => (
                ErrorCode::CsrfRejected,
                "Petición con la cookie de sesión sin la cabecera X-Requested-With: XMLHttpRequest (protección CSRF)"
                    .to_owned(),
            ),
            ApiError::PayloadTooLarge(limit) => (
                ErrorCode::PayloadTooLarge,
                format!("El cuerpo de la petición supera el límite de {limit} bytes"),
            ),
            ApiError::BadPayload(cause) => (
                ErrorCode::BadRequest,
                format!("No se pudo leer el cuerpo de la petición: {cause}"),
            ),
            ApiError::BodyTimeout => {
                // The rest of the body may still come: this connection cannot be reused.
                res.force_close();
                (
                    ErrorCode::BodyTimeout,
                    "El cuerpo de la petición no llegó a tiempo".to_owned(),
                )
            }
        };
        res.json(ErrorMessage::new(code, detail))
    }
}

/// `Retry-After` in whole seconds, rounded up and at least 1.
fn retry_after_secs(d: std::time::Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

/// The 403's wording for each action the policy can refuse.
fn prohibido(accion: Accion) -> String {
    let que = match accion {
        Accion::PersonasListar | Accion::PersonasLeer => "ver esta persona",
        Accion::PersonasCrear => "crear personas",
        Accion::PersonasBorrar => "borrar personas",
        Accion::PersonasEditar => "editar una persona que no es la tuya",
        Accion::SolicitudesCrear => "presentar solicitudes en nombre de otra persona",
        Accion::SolicitudesListar | Accion::SolicitudesLeer | Accion::SolicitudesHistorial => {
            "ver esta solicitud"
        }
        Accion::SolicitudesEditar => "editar una solicitud que no es tuya",
        Accion::SolicitudesBorrar => "borrar solicitudes",
        Accion::Transicionar(Estado::Cancelada) => "cancelar una solicitud que no es tuya",
        Accion::Transicionar(_) => {
            return "Tu rol no te permite decidir sobre esta solicitud: revisar es cosa de un \
                    revisor, y nunca sobre una solicitud propia"
                .to_owned();
        }
        Accion::Estadisticas => "ver las estadísticas",
        Accion::Usuarios => "gestionar cuentas de usuario (solo admin)",
    };
    format!("Tu rol no te permite {que}")
}
