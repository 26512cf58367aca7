//! Triaje: every `urgente` solicitud still `pendiente` after a while goes to `en_revision`.
//!
//! The logic of `examples/triaje.rs`, here so that the tests run the real thing. Several
//! processes may run it at once over the same service: each solicitud is moved by exactly one
//! of them, because every move carries the `If-Match` of the version it decided on. A loser
//! gets a 412, reads the solicitud again and, seeing it no longer `pendiente`, skips it.

use futures_util::TryStreamExt as _;
use solicitudes_domain::{Estado, Prioridad, SolicitudId};
use solicitudes_schemas::solicitud::SolicitudResponse;
use solicitudes_schemas::solicitud_list::SolicitudSort;
use solicitudes_schemas::workflow::TransicionCreate;
use time::OffsetDateTime;

use crate::{Client, Error, Result, Versioned, rfc3339};

/// How many times one solicitud is re-read after a 412 before giving up on it for this run.
pub const MAX_ATTEMPTS: u32 = 5;

/// Why a candidate was left as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Motivo {
    /// Someone (another triaje, a person) moved it first: it is in this estado now.
    YaNoPendiente(Estado),
    /// Its prioridad was lowered in the meantime.
    YaNoUrgente(Prioridad),
    /// It was deleted, or this account may no longer see it.
    Desaparecida,
    /// The policy forbids this account to review it (403: it is this revisor's own).
    Prohibida(String),
    /// The workflow refused the move (409), with the server's message.
    Conflicto(String),
    /// It kept changing: [`MAX_ATTEMPTS`] writes in a row got a 412.
    SigueCambiando,
}

/// A candidate left as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omitida {
    /// The solicitud.
    pub id: SolicitudId,
    /// Why it was not moved.
    pub motivo: Motivo,
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Informe {
    /// Moved to `en_revision` by this run, as they are now.
    pub movidas: Vec<SolicitudResponse>,
    /// Candidates left as they were, and why.
    pub omitidas: Vec<Omitida>,
}

enum Paso {
    Movida(SolicitudResponse),
    Omitida(Motivo),
}

/// The comentario of the historial event a move writes.
pub fn comentario(corte: OffsetDateTime) -> String {
    format!(
        "Triaje automático: urgente y pendiente desde antes de {}",
        rfc3339(corte)
    )
}

/// Moves every `urgente` solicitud that is `pendiente` and was created before `corte` to
/// `en_revision`, oldest first, as the usuario `client` acts for (a revisor or an admin).
///
/// # Errors
/// What stops the whole run: the list cannot be read, or a move fails for a reason that is
/// not about that one solicitud (401, 503, transport). Running it again is safe.
pub async fn triar(client: &Client, corte: OffsetDateTime) -> Result<Informe> {
    let filter = crate::SolicitudFilter {
        estado: vec![Estado::Pendiente],
        prioridad: vec![Prioridad::Urgente],
        created_before: Some(corte),
        sort: Some(SolicitudSort::CreatedAt),
        limit: Some(100),
        ..Default::default()
    };
    let candidatas: Vec<SolicitudResponse> = client.solicitudes(&filter).try_collect().await?;
    let transicion = TransicionCreate {
        estado: Estado::EnRevision,
        comentario: Some(comentario(corte)),
    };
    let mut informe = Informe::default();
    for candidata in candidatas {
        let id = candidata.id;
        let paso = client
            .retry_on_conflict_from(Versioned::from_listed(candidata), MAX_ATTEMPTS, |actual| {
                let transicion = &transicion;
                async move {
                    if actual.value.estado != Estado::Pendiente {
                        return Ok(Paso::Omitida(Motivo::YaNoPendiente(actual.value.estado)));
                    }
                    if actual.value.prioridad != Prioridad::Urgente {
                        return Ok(Paso::Omitida(Motivo::YaNoUrgente(actual.value.prioridad)));
                    }
                    let movida = client.transicionar(id, &actual.etag, transicion).await?;
                    Ok(Paso::Movida(movida.value))
                }
            })
            .await;
        let motivo = match paso {
            Ok(Paso::Movida(s)) => {
                informe.movidas.push(s);
                continue;
            }
            Ok(Paso::Omitida(motivo)) => motivo,
            Err(Error::NotFound { .. }) => Motivo::Desaparecida,
            Err(Error::Forbidden { detail }) => Motivo::Prohibida(detail),
            Err(Error::Conflict { detail, .. }) => Motivo::Conflicto(detail),
            Err(Error::PreconditionFailed { .. }) => Motivo::SigueCambiando,
            Err(other) => return Err(other),
        };
        informe.omitidas.push(Omitida { id, motivo });
    }
    Ok(informe)
}
