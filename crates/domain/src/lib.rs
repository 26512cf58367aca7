//! Domain vocabulary of *solicitudes*: what a request is, the states it moves through, the
//! rules of that movement, and who may do what ([`policy`]).
//!
//! This crate is deliberately small and pure: serde, uuid and time only — no I/O, no diesel, no
//! actix — so any Rust service can depend on it to speak the same language as the API.
//! Everything in it is valid by construction ("parse, don't validate").

/// `etiquetado!(Tipo::TODOS, "tipo")`: `Display` and `FromStr` of a domain enum by its label
/// (`Tipo::as_str`, over the array of every variant); an unknown label is a
/// [`ValorDesconocido`] of `"tipo"`.
macro_rules! etiquetado {
    ($ty:ident :: $todos:ident, $tipo:literal) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::ValorDesconocido;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::$todos
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::ValorDesconocido {
                        tipo: $tipo,
                        valor: s.to_owned(),
                    })
            }
        }
    };
}

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
