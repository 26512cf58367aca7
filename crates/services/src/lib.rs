//! The use cases of solicitudes, between the HTTP edge and the database.
//!
//! Each function takes the pool and already-validated DTOs from `solicitudes-schemas`, does
//! its work in as few statements as the contract allows, and answers with response DTOs or a
//! [`ServiceError`] that says in domain terms what went wrong; the HTTP binary turns that
//! into a status code. Nothing here knows about HTTP, and nothing here writes SQL.
//!
//! Error policy: constraint violations the caller can cause (a taken e-mail, a persona that
//! does not exist, a persona that still has solicitudes) are recognised by the constraint's
//! name and become 409/422 — no check-then-write race. An unreachable database is
//! [`ServiceError::Unavailable`]; anything else is [`ServiceError::Internal`], whose detail
//! is logged and never shown to the client.

mod acceso;
pub mod auth;
pub mod error;
pub mod estadisticas;
mod page;
pub mod personas;
pub mod solicitud_list;
pub mod solicitudes;
pub mod usuarios;
mod version;
pub mod workflow;

pub use auth::{Auth, AuthSettings};
pub use error::{Recurso, ServiceError};
pub use solicitudes_persistence::DbPool;
pub use version::ExpectedVersion;
