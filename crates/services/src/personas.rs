//! Use cases on personas.

use solicitudes_domain::PersonaId;
use solicitudes_persistence::models::{NewPersona, Persona, PersonaChanges};
use solicitudes_persistence::personas::{self as db, EMAIL_UNIQUE, PersonaFilter};
use solicitudes_persistence::{DbError, DbPool};
use solicitudes_schemas::Page;
use solicitudes_schemas::persona::{
    PersonaCreate, PersonaListQuery, PersonaResponse, PersonaUpdate,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::cursor;
use crate::error::ServiceError;

const LIST: &str = "personas";

/// Files a new persona.
///
/// # Errors
/// [`ServiceError::Conflict`] when the e-mail is taken (case-insensitively).
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
/// [`ServiceError::NotFound`], or [`ServiceError::Conflict`] when the new e-mail is taken.
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
/// [`ServiceError::NotFound`], or [`ServiceError::Conflict`] while it still has solicitudes.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn borrar(pool: &DbPool, id: PersonaId) -> Result<(), ServiceError> {
    let mut conn = pool.get().await?;
    match db::delete(&mut conn, id.into()).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(not_found(id)),
        Err(DbError::ForeignKeyViolation { .. }) => Err(ServiceError::Conflict(format!(
            "La persona {id} tiene solicitudes: no se puede borrar mientras existan"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// A page of personas, newest first.
///
/// # Errors
/// [`ServiceError::Invalid`] for a cursor that is not this list's, or was made with another
/// `q`.
#[tracing::instrument(skip_all)]
pub async fn listar(
    pool: &DbPool,
    query: &PersonaListQuery,
) -> Result<Page<PersonaResponse>, ServiceError> {
    let fingerprint = cursor::fingerprint(&[("q", query.q.as_deref().unwrap_or(""))]);
    let after = match &query.cursor {
        Some(c) => Some(position(cursor::decode::<(i64, Uuid)>(
            c,
            LIST,
            &fingerprint,
        )?)?),
        None => None,
    };
    let filter = PersonaFilter {
        q: query.q.as_deref(),
    };
    let mut conn = pool.get().await?;
    let rows = db::list(&mut conn, &filter, after, query.limit + 1).await?;
    let (rows, next_cursor) = cursor::split_page(rows, query.limit, |last| {
        cursor::encode(
            LIST,
            &fingerprint,
            &(cursor::micros(last.created_at), last.id),
        )
    });
    let total = if query.count {
        Some(db::count(&mut conn, &filter).await?)
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
    ServiceError::NotFound(format!("No existe la persona {id}"))
}

fn email_taken(e: DbError) -> ServiceError {
    match e {
        DbError::UniqueViolation { constraint } if constraint.as_deref() == Some(EMAIL_UNIQUE) => {
            ServiceError::Conflict("Ese email ya está registrado para otra persona".to_owned())
        }
        other => other.into(),
    }
}

/// The validated age as stored (the schema guarantees 0–150).
fn edad(edad: i64) -> Result<i16, ServiceError> {
    i16::try_from(edad)
        .map_err(|_| ServiceError::Internal(format!("edad {edad} escaped validation")))
}

fn position((m, id): (i64, Uuid)) -> Result<(OffsetDateTime, Uuid), ServiceError> {
    Ok((cursor::from_micros(m)?, id))
}
