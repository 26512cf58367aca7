//! Use cases on solicitudes.

use solicitudes_domain::policy::{Accion, Decision};
use solicitudes_domain::{Caller, Estado, Rol, SolicitudId};
use solicitudes_persistence::models::{NewSolicitud, Solicitud, SolicitudChanges};
use solicitudes_persistence::solicitudes::{self as db, PERSONA_FK};
use solicitudes_persistence::{AsyncPgConnection, DbError, DbPool, PrioridadDb};
use solicitudes_schemas::solicitud::{SolicitudCreate, SolicitudResponse, SolicitudUpdate};

use crate::acceso::{exigir, sin_dueno};
use crate::error::{Recurso, ServiceError};
use crate::version::ExpectedVersion;

/// Files a new solicitud for the caller: estado `pendiente`, version 1, the caller recorded
/// as the actor of the creation event in the same statement. Without `persona_id` it is the
/// caller's own persona.
///
/// # Errors
/// [`ServiceError::PersonaRequerida`] when `persona_id` is absent and the caller has no
/// persona (an admin must name one); [`ServiceError::Forbidden`] for another persona than the
/// caller's own (except for an admin); [`ServiceError::PersonaInexistente`] when no such
/// persona exists.
#[tracing::instrument(skip_all)]
pub async fn crear(
    pool: &DbPool,
    caller: &Caller,
    dto: &SolicitudCreate,
) -> Result<SolicitudResponse, ServiceError> {
    let persona = match dto.persona_id {
        Some(p) => p,
        None if caller.rol == Rol::Admin => return Err(ServiceError::PersonaRequerida),
        None => caller.persona_id.ok_or(ServiceError::PersonaRequerida)?,
    };
    if caller.puede(Accion::SolicitudesCrear, Some(persona)) != Decision::Permitida {
        // Naming a persona is not seeing it: a 403 whether or not it exists, revealing nothing.
        return Err(ServiceError::Forbidden(Accion::SolicitudesCrear));
    }
    let new = NewSolicitud {
        id: SolicitudId::new().into(),
        persona_id: persona.into(),
        titulo: &dto.titulo,
        descripcion: &dto.descripcion,
        prioridad: PrioridadDb(dto.prioridad),
    };
    let mut conn = pool.get().await?;
    match db::insert(&mut conn, &new, Some(caller.usuario_id.into())).await {
        Ok(row) => Ok(into_response(row)),
        Err(DbError::ForeignKeyViolation { constraint })
            if constraint.as_deref() == Some(PERSONA_FK) =>
        {
            Err(ServiceError::PersonaInexistente(persona))
        }
        Err(e) => Err(e.into()),
    }
}

/// The solicitud with this id, if the caller may see it — one statement, the caller's scope
/// in its WHERE clause.
///
/// # Errors
/// [`ServiceError::NotFound`] when there is none the caller may see.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn obtener(
    pool: &DbPool,
    caller: &Caller,
    id: SolicitudId,
) -> Result<SolicitudResponse, ServiceError> {
    let mut conn = pool.get().await?;
    db::find(&mut conn, id.into(), &caller.alcance())
        .await?
        .map(into_response)
        .ok_or_else(|| not_found(id))
}

/// Edits titulo, descripcion or prioridad of a solicitud that is not final, in one
/// conditional statement. `{}` changes nothing; the version moves only when a value changes.
///
/// # Errors
/// In the contract's order of precedence: [`ServiceError::NotFound`] (also for one the caller
/// may not see), [`ServiceError::Forbidden`] (not theirs to edit), then
/// [`ServiceError::PreconditionFailed`] when `expected` names another version, then
/// [`ServiceError::SolicitudFinal`] when the solicitud is final.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn editar(
    pool: &DbPool,
    caller: &Caller,
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
    autorizar(&mut conn, caller, Accion::SolicitudesEditar, id).await?;
    match db::update(&mut conn, id.into(), versions, &changes).await? {
        Some(row) => Ok(into_response(row)),
        None => Err(explain_refusal(&mut conn, id, expected, true).await),
    }
}

/// Deletes a solicitud (in any estado), if `expected` allows (admin).
///
/// # Errors
/// [`ServiceError::NotFound`], [`ServiceError::Forbidden`], then
/// [`ServiceError::PreconditionFailed`].
#[tracing::instrument(skip_all, fields(%id))]
pub async fn borrar(
    pool: &DbPool,
    caller: &Caller,
    id: SolicitudId,
    expected: Option<&ExpectedVersion>,
) -> Result<(), ServiceError> {
    let versions = expected.and_then(ExpectedVersion::versions);
    let mut conn = pool.get().await?;
    autorizar(&mut conn, caller, Accion::SolicitudesBorrar, id).await?;
    if db::delete(&mut conn, id.into(), versions).await? {
        Ok(())
    } else {
        Err(explain_refusal(&mut conn, id, expected, false).await)
    }
}

/// Whether `caller` may do `accion` on solicitud `id`: 404 when it does not exist or they may
/// not see it, 403 when they see it but may not do this. The owner (immutable) is read only
/// when the policy's answer depends on it — never for an admin.
pub(crate) async fn autorizar(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    accion: Accion,
    id: SolicitudId,
) -> Result<(), ServiceError> {
    if sin_dueno(caller, accion) == Some(Decision::Permitida) {
        return Ok(());
    }
    match db::state(conn, id.into()).await? {
        Some(state) => exigir(
            caller,
            accion,
            state.persona_id.into(),
            Recurso::Solicitud(id),
        ),
        None => Err(not_found(id)),
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
