//! The review workflow of a solicitud.

use serde::{Deserialize, Serialize};

/// Where a solicitud is in its review.
///
/// The workflow is:
///
/// ```text
/// pendiente   → en_revision | cancelada
/// en_revision → aprobada | rechazada | pendiente | cancelada
/// aprobada, rechazada, cancelada: final
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Estado {
    /// Filed, waiting for a reviewer. Every solicitud starts here.
    Pendiente,
    /// A reviewer is looking at it.
    EnRevision,
    /// Approved (final).
    Aprobada,
    /// Rejected, with a comment saying why (final).
    Rechazada,
    /// Withdrawn (final).
    Cancelada,
}

impl Estado {
    /// Every estado, in workflow order.
    pub const TODOS: [Estado; 5] = [
        Estado::Pendiente,
        Estado::EnRevision,
        Estado::Aprobada,
        Estado::Rechazada,
        Estado::Cancelada,
    ];

    /// The labels of [`Estado::TODOS`], in the same order (for schemas and docs).
    pub const ETIQUETAS: [&'static str; 5] = [
        "pendiente",
        "en_revision",
        "aprobada",
        "rechazada",
        "cancelada",
    ];

    /// The wire and database label (`en_revision`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Estado::Pendiente => "pendiente",
            Estado::EnRevision => "en_revision",
            Estado::Aprobada => "aprobada",
            Estado::Rechazada => "rechazada",
            Estado::Cancelada => "cancelada",
        }
    }

    /// The estados this one may move to; empty for a final estado.
    pub const fn siguientes(self) -> &'static [Estado] {
        match self {
            Estado::Pendiente => &[Estado::EnRevision, Estado::Cancelada],
            Estado::EnRevision => &[
                Estado::Aprobada,
                Estado::Rechazada,
                Estado::Pendiente,
                Estado::Cancelada,
            ],
            Estado::Aprobada | Estado::Rechazada | Estado::Cancelada => &[],
        }
    }

    /// Whether a solicitud in this estado can no longer change (neither move nor be edited).
    pub const fn es_final(self) -> bool {
        self.siguientes().is_empty()
    }

    /// Whether the workflow allows moving from `self` to `destino`.
    pub fn puede_pasar_a(self, destino: Estado) -> bool {
        self.siguientes().contains(&destino)
    }

    /// Whether entering this estado requires a non-empty comentario.
    pub const fn requiere_comentario(self) -> bool {
        matches!(self, Estado::Rechazada)
    }

    /// Checks a move against the workflow.
    ///
    /// # Errors
    /// [`TransicionNoPermitida`] naming the estados that *are* allowed from `self`.
    pub fn transicion(self, destino: Estado) -> Result<(), TransicionNoPermitida> {
        if self.puede_pasar_a(destino) {
            Ok(())
        } else {
            Err(TransicionNoPermitida {
                desde: self,
                hacia: destino,
                permitidos: self.siguientes(),
            })
        }
    }
}

etiquetado!(Estado::TODOS, "estado");

/// A move the workflow forbids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no se puede pasar de `{desde}` a `{hacia}`")]
pub struct TransicionNoPermitida {
    /// The current estado.
    pub desde: Estado,
    /// The requested estado.
    pub hacia: Estado,
    /// What the workflow allows from `desde` (empty when `desde` is final).
    pub permitidos: &'static [Estado],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's table, written out pair by pair so a change to `siguientes` that does not
    /// match the contract fails here.
    const PERMITIDAS: &[(Estado, Estado)] = &[
        (Estado::Pendiente, Estado::EnRevision),
        (Estado::Pendiente, Estado::Cancelada),
        (Estado::EnRevision, Estado::Aprobada),
        (Estado::EnRevision, Estado::Rechazada),
        (Estado::EnRevision, Estado::Pendiente),
        (Estado::EnRevision, Estado::Cancelada),
    ];

    #[test]
    fn cada_par_de_estados_sigue_la_tabla_del_contrato() {
        for desde in Estado::TODOS {
            for hacia in Estado::TODOS {
                let esperado = PERMITIDAS.contains(&(desde, hacia));
                assert_eq!(desde.puede_pasar_a(hacia), esperado, "{desde} → {hacia}");
                assert_eq!(
                    desde.transicion(hacia).is_ok(),
                    esperado,
                    "{desde} → {hacia}"
                );
            }
        }
    }

    #[test]
    fn una_transicion_prohibida_nombra_los_permitidos() {
        let err = Estado::Pendiente.transicion(Estado::Aprobada).unwrap_err();
        assert_eq!(err.permitidos, &[Estado::EnRevision, Estado::Cancelada]);
        let err = Estado::Aprobada.transicion(Estado::Pendiente).unwrap_err();
        assert!(err.permitidos.is_empty());
    }

    #[test]
    fn solo_los_estados_sin_salida_son_finales() {
        let finales: Vec<_> = Estado::TODOS.into_iter().filter(|e| e.es_final()).collect();
        assert_eq!(
            finales,
            [Estado::Aprobada, Estado::Rechazada, Estado::Cancelada]
        );
    }

    #[test]
    fn solo_rechazar_exige_comentario() {
        for e in Estado::TODOS {
            assert_eq!(e.requiere_comentario(), e == Estado::Rechazada);
        }
    }

    #[test]
    fn las_etiquetas_siguen_el_orden_de_todos() {
        assert_eq!(Estado::TODOS.map(Estado::as_str), Estado::ETIQUETAS);
    }

    #[test]
    fn etiquetas_ida_y_vuelta() {
        for e in Estado::TODOS {
            assert_eq!(e.as_str().parse::<Estado>(), Ok(e));
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(json, format!("\"{}\"", e.as_str()));
        }
        assert!("Pendiente".parse::<Estado>().is_err());
        assert!("".parse::<Estado>().is_err());
    }
}
