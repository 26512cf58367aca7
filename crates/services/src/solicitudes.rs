//! Use cases on solicitudes.

use solicitudes_domain::{Estado, SolicitudId, UsuarioId};
use solicitudes_persistence::models::{NewSolicitud, Solicitud, SolicitudChanges};
use solicitudes_persistence::solicitudes::{self as db, PERSONA_FK};
use solicitudes_persistence::{AsyncPgConnection, DbError, DbPool, PrioridadDb};
use solicitudes_schemas::solicitud::{SolicitudCreate, SolicitudResponse, SolicitudUpdate};
use uuid::Uuid;

use crate::error::{Recurso, ServiceError};
use crate::version::ExpectedVersion;

/// Files a new solicitud: estado `pendiente`, version 1.
///
/// # Errors
/// [`ServiceError::PersonaInexistente`] when no such persona exists.
#[tracing::instrument(skip_all)]
pub async fn crear(
    pool: &DbPool,
    dto: &SolicitudCreate,
) -> Result<SolicitudResponse, ServiceError> {
    crear_por(pool, dto, None).await
}

/// [`crear`], recording `actor` (the usuario filing it) in the creation event of the
/// historial, in the same statement.
///
/// # Errors
/// [`ServiceError::PersonaInexistente`] when no such persona exists.
#[tracing::instrument(skip_all)]
pub async fn crear_por(
    pool: &DbPool,
    dto: &SolicitudCreate,
    actor: Option<UsuarioId>,
) -> Result<SolicitudResponse, ServiceError> {
    let new = NewSolicitud {
        id: SolicitudId::new().into(),
        persona_id: dto.persona_id.into(),
        titulo: &dto.titulo,
        descripcion: &dto.descripcion,
        prioridad: PrioridadDb(dto.prioridad),
    };
    let mut conn = pool.get().await?;
    match db::insert(&mut conn, &new, actor.map(Uuid::from)).await {
        Ok(row) => Ok(into_response(row)),
        Err(DbError::ForeignKeyViolation { constraint })
            if constraint.as_deref() == Some(PERSONA_FK) =>
        {
            Err(ServiceError::PersonaInexistente(dto.persona_id))
        }
        Err(e) => Err(e.into()),
    }
}

/// The solicitud with this id.
///
/// # Errors
/// [`ServiceError::NotFound`] when there is none.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn obtener(pool: &DbPool, id: SolicitudId) -> Result<SolicitudResponse, ServiceError> {
    let mut conn = pool.get().await?;
    db::find(&mut conn, id.into())
        .await?
        .map(into_response)
        .ok_or_else(|| not_found(id))
}

/// Edits titulo, descripcion or prioridad of a solicitud that is not final, in one
/// conditional statement. `{}` changes nothing; the version moves only when a value changes.
///
/// # Errors
/// In the contract's order of precedence: [`ServiceError::NotFound`], then
/// [`ServiceError::PreconditionFailed`] when `if_match` names another version, then
/// [`ServiceError::SolicitudFinal`] when the solicitud is final.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn editar(
    pool: &DbPool,
    id: SolicitudId,
    expected: Option<&ExpectedVersion>,
    dto: &SolicitudUpdate,
) -> Result<SolicitudResponse, ServiceError> {
    let changes = SolicitudChanges {
        titulo: dto.titulo.as_deref(),
        descripcion: dto.descripcion.as_deref(),
        prioridad: dto.prioridad.map(PrioridadDb),
    };
    let versions = expected.and_then(ExpectedVersion::versions);
    let mut conn = pool.get().await?;
    match db::update(&mut conn, id.into(), versions, &changes).await? {
        Some(row) => Ok(into_response(row)),
        None => Err(explain_refusal(&mut conn, id, expected, true).await),
    }
}

/// Deletes a solicitud (in any estado), if `if_match` allows.
///
/// # Errors
/// [`ServiceError::NotFound`], then [`ServiceError::PreconditionFailed`].
#[tracing::instrument(skip_all, fields(%id))]
pub async fn borrar(
    pool: &DbPool,
    id: SolicitudId,
    expected: Option<&ExpectedVersion>,
) -> Result<(), ServiceError> {
    let versions = expected.and_then(ExpectedVersion::versions);
    let mut conn = pool.get().await?;
    if db::delete(&mut conn, id.into(), versions).await? {
        Ok(())
    } else {
        Err(explain_refusal(&mut conn, id, expected, false).await)
    }
}

/// Why a conditional write touched no row: 404 wins over 412, and 412 over 409.
pub(crate) async fn explain_refusal(
    conn: &mut AsyncPgConnection,
    id: SolicitudId,
    expected: Option<&ExpectedVersion>,
    final_refuses: bool,
) -> ServiceError {
    let state = match db::state(conn, id.into()).await {
        Ok(Some(state)) => state,
        Ok(None) => return not_found(id),
        Err(e) => return e.into(),
    };
    if let Some(m) = expected
        && !m.matches(state.version)
    {
        return precondition_failed(id, state.version);
    }
    let estado: Estado = state.estado.0;
    if final_refuses && estado.es_final() {
        return ServiceError::SolicitudFinal { id, estado };
    }
    if expected.is_some() {
        // The version moved on between the write and this read, onto the one If-Match
        // named: at the time of the write the precondition did fail.
        return precondition_failed(id, state.version);
    }
    // Without If-Match, only a final estado refuses a write, and a final estado is forever.
    ServiceError::Internal(format!(
        "unconditional write on solicitud {id} touched no row although it exists in {estado}"
    ))
}

fn precondition_failed(id: SolicitudId, version: i32) -> ServiceError {
    ServiceError::PreconditionFailed { id, version }
}

/// The response DTO of a row.
pub fn into_response(s: Solicitud) -> SolicitudResponse {
    SolicitudResponse {
        id: s.id.into(),
        titulo: s.titulo,
        descripcion: s.descripcion,
        prioridad: s.prioridad.0,
        estado: s.estado.0,
        persona_id: s.persona_id.into(),
        version: s.version,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

pub(crate) fn not_found(id: SolicitudId) -> ServiceError {
    ServiceError::NotFound(Recurso::Solicitud(id))
}
