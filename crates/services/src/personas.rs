//! Use cases on personas.

use solicitudes_domain::{Alcance, PersonaId};
use solicitudes_persistence::models::{NewPersona, Persona, PersonaChanges};
use solicitudes_persistence::personas::{self as db, EMAIL_UNIQUE, PersonaFilter};
use solicitudes_persistence::{DbError, DbPool};
use solicitudes_schemas::Page;
use solicitudes_schemas::persona::{
    PersonaCreate, PersonaListQuery, PersonaPosition, PersonaResponse, PersonaUpdate,
};

use crate::error::{Recurso, ServiceError};
use crate::page::split_page;

/// Files a new persona.
///
/// # Errors
/// [`ServiceError::EmailTaken`] when the e-mail is taken (case-insensitively).
#[tracing::instrument(skip_all)]
pub async fn crear(pool: &DbPool, dto: &PersonaCreate) -> Result<PersonaResponse, ServiceError> {
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
/// [`ServiceError::NotFound`] when there is none.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn obtener(pool: &DbPool, id: PersonaId) -> Result<PersonaResponse, ServiceError> {
    let mut conn = pool.get().await?;
    db::find(&mut conn, id.into())
        .await?
        .map(into_response)
        .ok_or_else(|| not_found(id))
}

/// Changes the fields present in `dto`; absent fields stay, `email: null` clears it.
///
/// # Errors
/// [`ServiceError::NotFound`], or [`ServiceError::EmailTaken`] when the new e-mail is taken.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn editar(
    pool: &DbPool,
    id: PersonaId,
    dto: &PersonaUpdate,
) -> Result<PersonaResponse, ServiceError> {
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
/// [`ServiceError::NotFound`], or [`ServiceError::PersonaConSolicitudes`] while it still has solicitudes.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn borrar(pool: &DbPool, id: PersonaId) -> Result<(), ServiceError> {
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

/// A page of personas, newest first, after the query's cursor.
///
/// # Errors
/// [`ServiceError::Unavailable`] when the database cannot be reached.
#[tracing::instrument(skip_all)]
pub async fn listar(
    pool: &DbPool,
    query: &PersonaListQuery,
) -> Result<Page<PersonaResponse>, ServiceError> {
    listar_en(pool, query, &Alcance::Todas).await
}

/// [`listar`] within `alcance` (a solicitante: only their own persona), in the same
/// statements: the list, its `total` and its cursors never include another persona.
///
/// # Errors
/// [`ServiceError::Unavailable`] when the database cannot be reached.
#[tracing::instrument(skip_all)]
pub async fn listar_en(
    pool: &DbPool,
    query: &PersonaListQuery,
    alcance: &Alcance,
) -> Result<Page<PersonaResponse>, ServiceError> {
    let after = query.cursor.map(|p| (p.created_at, p.id));
    let filter = PersonaFilter {
        q: query.q.as_deref(),
    };
    let mut conn = pool.get().await?;
    let rows = db::list(&mut conn, &filter, alcance, after, query.limit + 1).await?;
    let (rows, next_cursor) = split_page(rows, query.limit, |last| {
        query.next_cursor(PersonaPosition {
            created_at: last.created_at,
            id: last.id,
        })
    });
    let total = if query.count {
        Some(db::count(&mut conn, &filter, alcance).await?)
    } else {
        None
    };
    Ok(Page {
        items: rows.into_iter().map(into_response).collect(),
        next_cursor,
        total,
    })
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
