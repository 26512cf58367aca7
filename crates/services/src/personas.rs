//! Use cases on personas.

use solicitudes_domain::policy::{Accion, Decision};
use solicitudes_domain::{Caller, PersonaId};
use solicitudes_persistence::models::{NewPersona, Persona, PersonaChanges};
use solicitudes_persistence::personas::{self as db, EMAIL_UNIQUE, PersonaFilter};
use solicitudes_persistence::{DbError, DbPool};
use solicitudes_schemas::Page;
use solicitudes_schemas::cursor::NewestFirst;
use solicitudes_schemas::persona::{
    PersonaCreate, PersonaListQuery, PersonaResponse, PersonaUpdate,
};

use crate::acceso::{decidido, exigir_sin_objeto};
use crate::error::{Recurso, ServiceError};
use crate::page;

/// Files a new persona (admin).
///
/// # Errors
/// [`ServiceError::Forbidden`] unless the caller may; [`ServiceError::EmailTaken`] when the
/// e-mail is taken (case-insensitively).
#[tracing::instrument(skip_all)]
pub async fn crear(
    pool: &DbPool,
    caller: &Caller,
    dto: &PersonaCreate,
) -> Result<PersonaResponse, ServiceError> {
    exigir_sin_objeto(caller, Accion::PersonasCrear)?;
    let new = NewPersona {
        id: PersonaId::new().into(),
        nombre: &dto.nombre,
        edad: edad(dto.edad)?,
        email: dto.email.as_deref(),
    };
    let mut conn = pool.get().await?;
    db::insert(&mut conn, &new)
        .await
        .map(into_response)
        .map_err(email_taken)
}

/// The persona with this id.
///
/// # Errors
/// [`ServiceError::NotFound`] when there is none, or the caller may not see it.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn obtener(
    pool: &DbPool,
    caller: &Caller,
    id: PersonaId,
) -> Result<PersonaResponse, ServiceError> {
    decidido(
        caller.puede(Accion::PersonasLeer, Some(id)),
        Accion::PersonasLeer,
        Recurso::Persona(id),
    )?;
    let mut conn = pool.get().await?;
    db::find(&mut conn, id.into())
        .await?
        .map(into_response)
        .ok_or_else(|| not_found(id))
}

/// Changes the fields present in `dto`; absent fields stay, `email: null` clears it.
///
/// # Errors
/// [`ServiceError::NotFound`], then [`ServiceError::Forbidden`] (someone else's persona, for
/// all but an admin), or [`ServiceError::EmailTaken`] when the new e-mail is taken.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn editar(
    pool: &DbPool,
    caller: &Caller,
    id: PersonaId,
    dto: &PersonaUpdate,
) -> Result<PersonaResponse, ServiceError> {
    permitido_sobre(pool, caller, Accion::PersonasEditar, id).await?;
    let changes = PersonaChanges {
        nombre: dto.nombre.as_deref(),
        edad: dto.edad.map(edad).transpose()?,
        email: dto.email.as_ref().map(Option::as_deref),
    };
    let mut conn = pool.get().await?;
    db::update(&mut conn, id.into(), &changes)
        .await
        .map_err(email_taken)?
        .map(into_response)
        .ok_or_else(|| not_found(id))
}

/// Deletes a persona that has no solicitudes.
///
/// # Errors
/// [`ServiceError::NotFound`], then [`ServiceError::Forbidden`] (admin only), or
/// [`ServiceError::PersonaConSolicitudes`] / [`ServiceError::PersonaConUsuario`] while it
/// still has solicitudes or an account.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn borrar(pool: &DbPool, caller: &Caller, id: PersonaId) -> Result<(), ServiceError> {
    permitido_sobre(pool, caller, Accion::PersonasBorrar, id).await?;
    let mut conn = pool.get().await?;
    match db::delete(&mut conn, id.into()).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(not_found(id)),
        Err(DbError::ForeignKeyViolation { constraint })
            if constraint.as_deref() == Some(solicitudes_persistence::usuarios::PERSONA_FK) =>
        {
            Err(ServiceError::PersonaConUsuario(id))
        }
        Err(DbError::ForeignKeyViolation { .. }) => Err(ServiceError::PersonaConSolicitudes(id)),
        Err(e) => Err(e.into()),
    }
}

/// A page of personas, newest first, after the query's cursor, within what the caller may
/// see (a solicitante: only their own persona) — in the same statements: the list, its
/// `total` and its cursors never include another persona.
///
/// # Errors
/// [`ServiceError::Unavailable`] when the database cannot be reached.
#[tracing::instrument(skip_all)]
pub async fn listar(
    pool: &DbPool,
    caller: &Caller,
    query: &PersonaListQuery,
) -> Result<Page<PersonaResponse>, ServiceError> {
    exigir_sin_objeto(caller, Accion::PersonasListar)?;
    let alcance = &caller.alcance();
    let after = query.cursor.map(|p| (p.created_at, p.id));
    let filter = PersonaFilter {
        q: query.q.as_deref(),
    };
    let mut conn = pool.get().await?;
    let rows = db::list(&mut conn, &filter, alcance, after, query.limit + 1).await?;
    let total = page::total(query.count, db::count(&mut conn, &filter, alcance)).await?;
    Ok(Page::from_rows(
        rows,
        query.limit,
        total,
        |last| {
            query.next_cursor(NewestFirst {
                created_at: last.created_at,
                id: last.id,
            })
        },
        into_response,
    ))
}

/// Whether `caller` may do `accion` on persona `id`: a 404 for one they may not see or that
/// does not exist, a 403 for one that exists but is not theirs to change. Reads the persona
/// only when the answer depends on whether it exists.
async fn permitido_sobre(
    pool: &DbPool,
    caller: &Caller,
    accion: Accion,
    id: PersonaId,
) -> Result<(), ServiceError> {
    match caller.puede(accion, Some(id)) {
        Decision::Prohibida => {
            let mut conn = pool.get().await?;
            if db::find(&mut conn, id.into()).await?.is_none() {
                return Err(not_found(id));
            }
            Err(ServiceError::Forbidden(accion))
        }
        d => decidido(d, accion, Recurso::Persona(id)),
    }
}

/// The response DTO of a row.
pub fn into_response(p: Persona) -> PersonaResponse {
    PersonaResponse {
        id: p.id.into(),
        nombre: p.nombre,
        edad: i32::from(p.edad),
        email: p.email,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

fn not_found(id: PersonaId) -> ServiceError {
    ServiceError::NotFound(Recurso::Persona(id))
}

fn email_taken(e: DbError) -> ServiceError {
    match e {
        DbError::UniqueViolation { constraint } if constraint.as_deref() == Some(EMAIL_UNIQUE) => {
            ServiceError::EmailTaken
        }
        other => other.into(),
    }
}

/// The validated age as stored (the schema guarantees 0–150).
fn edad(edad: i64) -> Result<i16, ServiceError> {
    i16::try_from(edad)
        .map_err(|_| ServiceError::Internal(format!("edad {edad} escaped validation")))
}
