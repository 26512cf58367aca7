//! Domain vocabulary of *solicitudes*: what a request is, the states it moves through, the
//! rules of that movement, and who may do what ([`policy`]).
//!
//! This crate is deliberately small and pure: serde, uuid and time only — no I/O, no diesel, no
//! actix — so any Rust service can depend on it to speak the same language as the API.
//! Everything in it is valid by construction ("parse, don't validate").

mod caller;
mod estado;
mod ids;
pub mod policy;
mod prioridad;
mod rol;

pub use caller::Caller;
pub use estado::{Estado, TransicionNoPermitida};
pub use ids::{PersonaId, SesionId, SolicitudId, UsuarioId};
pub use policy::{Accion, Alcance, Decision};
pub use prioridad::Prioridad;
pub use rol::Rol;

/// The value of a label that did not name any variant of a domain enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{valor}` no es un valor de {tipo}")]
pub struct ValorDesconocido {
    /// Which enum was being parsed (`estado`, `prioridad`).
    pub tipo: &'static str,
    /// The label that was given.
    pub valor: String,
}
