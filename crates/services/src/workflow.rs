//! The review workflow: moving a solicitud between estados, and its historial.

use solicitudes_domain::policy::Accion;
use solicitudes_domain::{Alcance, Caller, Estado, SolicitudId};
use solicitudes_persistence::models::EventoConActor;
use solicitudes_persistence::solicitudes as db;
use solicitudes_persistence::{DbPool, EstadoDb};
use solicitudes_schemas::solicitud::SolicitudResponse;
use solicitudes_schemas::workflow::{ActorResponse, EventoResponse, TransicionCreate};

use crate::error::ServiceError;
use crate::solicitudes::{autorizar, into_response, not_found};
use crate::version::ExpectedVersion;

/// Moves a solicitud to `dto.estado` if the caller may and the workflow allows it from its
/// current estado, in one statement that also bumps the version and writes the historial
/// event with the caller as its actor.
///
/// # Errors
/// In the contract's order: [`ServiceError::NotFound`] (also for one the caller may not
/// see), [`ServiceError::Forbidden`] (the policy: reviewing is for revisores, never on their
/// own solicitud; withdrawing for its owner), [`ServiceError::PreconditionFailed`] (If-Match
/// names another version), [`ServiceError::TransicionNoPermitida`] (409, naming the allowed
/// next estados).
#[tracing::instrument(skip_all, fields(%id, destino = %dto.estado))]
pub async fn transicionar(
    pool: &DbPool,
    caller: &Caller,
    id: SolicitudId,
    expected: Option<&ExpectedVersion>,
    dto: &TransicionCreate,
) -> Result<SolicitudResponse, ServiceError> {
    let destino = dto.estado;
    let desde: Vec<EstadoDb> = Estado::TODOS
        .into_iter()
        .filter(|e| e.puede_pasar_a(destino))
        .map(EstadoDb)
        .collect();
    let comentario = dto.comentario.as_deref().filter(|c| !c.trim().is_empty());
    let versions = expected.and_then(ExpectedVersion::versions);
    let mut conn = pool.get().await?;
    autorizar(&mut conn, caller, Accion::Transicionar(destino), id).await?;
    if let Some(row) = db::transicionar(
        &mut conn,
        id.into(),
        versions,
        &desde,
        EstadoDb(destino),
        comentario,
        Some(caller.usuario_id.into()),
    )
    .await?
    {
        return Ok(into_response(row));
    }
    // Nothing moved: say why, 404 before 412 before 409.
    let state = match db::state(&mut conn, id.into()).await? {
        Some(state) => state,
        None => return Err(not_found(id)),
    };
    if let Some(m) = expected
        && !m.matches(state.version)
    {
        return Err(crate::solicitudes::explain_refusal(&mut conn, id, expected, false).await);
    }
    let estado = state.estado.0;
    Err(match estado.transicion(destino) {
        Err(refused) => ServiceError::TransicionNoPermitida(refused),
        // The estado changed between the two statements into one that allows the move: the
        // caller's view was stale. Still a 409 naming where it can go now; retrying works.
        Ok(()) => ServiceError::TransicionConcurrente { id, estado },
    })
}

/// The historial of a solicitud the caller may see, oldest first; creation is the first
/// event. One statement with the caller's scope: one they may not see is a
/// [`ServiceError::NotFound`], exactly like one that does not exist.
///
/// # Errors
/// [`ServiceError::NotFound`] when there is no such solicitud the caller may see.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn historial(
    pool: &DbPool,
    caller: &Caller,
    id: SolicitudId,
) -> Result<Vec<EventoResponse>, ServiceError> {
    let alcance = &caller.alcance();
    let eventos = if *alcance == Alcance::Ninguna {
        Vec::new()
    } else {
        let mut conn = pool.get().await?;
        db::historial(&mut conn, id.into(), alcance).await?
    };
    if eventos.is_empty() {
        // Every solicitud has its creation event: no events means no solicitud.
        return Err(not_found(id));
    }
    Ok(eventos
        .into_iter()
        .map(
            |EventoConActor {
                 evento: e,
                 actor_email,
             }| EventoResponse {
                estado_anterior: e.estado_anterior.map(|x| x.0),
                estado_nuevo: e.estado_nuevo.0,
                comentario: e.comentario,
                actor: e
                    .actor_id
                    .zip(actor_email)
                    .map(|(id, email)| ActorResponse {
                        id: id.into(),
                        email,
                    }),
                created_at: e.created_at,
            },
        )
        .collect())
}
