//! Queries on `personas`.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, SmallInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use solicitudes_domain::Alcance;
use uuid::Uuid;

use crate::error::DbError;
use crate::models::{NewPersona, Persona, PersonaChanges};
use crate::schema::personas;
use crate::sql::{Beyond, ContainsIcu, NewestFirstKey, cached_sql};

/// Name of the unique index on `lower(email)`.
pub const EMAIL_UNIQUE: &str = "personas_email_key";

/// Inserts a persona and returns the stored row.
///
/// # Errors
/// [`DbError::UniqueViolation`] with [`EMAIL_UNIQUE`] when the e-mail is taken.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewPersona<'_>,
) -> Result<Persona, DbError> {
    Ok(diesel::insert_into(personas::table)
        .values(new)
        .returning(Persona::as_returning())
        .get_result(conn)
        .await?)
}

/// The persona with this id, if any.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Persona>, DbError> {
    Ok(personas::table
        .find(id)
        .select(Persona::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Applies `changes` in one statement; `updated_at` moves only when a value really changes.
/// Returns the row after the update, or `None` when there is no such persona.
///
/// # Errors
/// [`DbError::UniqueViolation`] with [`EMAIL_UNIQUE`] when the new e-mail is taken.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &PersonaChanges<'_>,
) -> Result<Option<Persona>, DbError> {
    let (set_email, email) = match changes.email {
        Some(email) => (true, email),
        None => (false, None),
    };
    // Every new value is computed from the row being updated (not from an earlier read), so
    // two concurrent PATCHes of different fields both take effect.
    Ok(cached_sql(
        "UPDATE personas AS p SET \
             nombre = COALESCE($2, p.nombre), \
             edad = COALESCE($3, p.edad), \
             email = CASE WHEN $4 THEN $5 ELSE p.email END, \
             updated_at = CASE \
                 WHEN (COALESCE($2, p.nombre), COALESCE($3, p.edad), CASE WHEN $4 THEN $5 ELSE p.email END) \
                      IS DISTINCT FROM (p.nombre, p.edad, p.email) \
                 THEN now() ELSE p.updated_at END \
         WHERE p.id = $1 \
         RETURNING p.id, p.nombre, p.edad, p.email, p.created_at, p.updated_at",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<Text>, _>(changes.nombre)
    .bind::<Nullable<SmallInt>, _>(changes.edad)
    .bind::<Bool, _>(set_email)
    .bind::<Nullable<Text>, _>(email)
    .get_result(conn)
    .await
    .optional()?)
}

/// Deletes a persona; `false` when there was none.
///
/// # Errors
/// [`DbError::ForeignKeyViolation`] while the persona still has solicitudes.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> Result<bool, DbError> {
    let n = diesel::delete(personas::table.find(id))
        .execute(conn)
        .await?;
    Ok(n > 0)
}

/// The columns `q` searches.
const Q_COLUMNS: &[&str] = &["personas.nombre", "personas.email"];

/// Filters of a persona list.
#[derive(Debug, Clone, Default)]
pub struct PersonaFilter<'a> {
    /// Case-insensitive substring of `nombre` or `email` (matched literally).
    pub q: Option<&'a str>,
}

/// `query` narrowed to the personas `alcance` admits (a solicitante: only their own) that
/// match `filter`.
fn filtered<'a, ST>(
    query: personas::BoxedQuery<'a, diesel::pg::Pg, ST>,
    filter: &PersonaFilter<'_>,
    alcance: &Alcance,
) -> personas::BoxedQuery<'a, diesel::pg::Pg, ST> {
    let mut query = match alcance {
        Alcance::Todas => query,
        Alcance::DePersona(p) => query.filter(personas::id.eq(Uuid::from(*p))),
        Alcance::Ninguna => query.filter(diesel::dsl::sql::<Bool>("FALSE")),
    };
    if let Some(q) = filter.q {
        query = query.filter(ContainsIcu::new(Q_COLUMNS, q));
    }
    query
}

/// One page of personas within `alcance`, newest first (ties by id), strictly after `after`.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &PersonaFilter<'_>,
    alcance: &Alcance,
    after: Option<NewestFirstKey>,
    limit: i64,
) -> Result<Vec<Persona>, DbError> {
    let query = personas::table
        .select(Persona::as_select())
        .order((personas::created_at.desc(), personas::id.desc()))
        .limit(limit)
        .into_boxed();
    let mut query = filtered(query, filter, alcance);
    if let Some(key) = after {
        query = query.filter(Beyond::newest_first(
            "(personas.created_at, personas.id)",
            key,
        ));
    }
    Ok(query.load(conn).await?)
}

/// How many personas within `alcance` match `filter`.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn count(
    conn: &mut AsyncPgConnection,
    filter: &PersonaFilter<'_>,
    alcance: &Alcance,
) -> Result<i64, DbError> {
    Ok(
        filtered(personas::table.count().into_boxed(), filter, alcance)
            .get_result(conn)
            .await?,
    )
}
