//! Queries on `solicitudes`.
//!
//! Writes that depend on the current version are single conditional statements
//! (`… WHERE id = $1 AND version = ANY($2)`), so there is no window between checking and
//! writing; when such a write touches no row, [`state`] tells the caller why.

use diesel::prelude::*;
use diesel::sql_types::{Array, Int4, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use solicitudes_domain::Alcance;
use uuid::Uuid;

use crate::error::DbError;
use crate::models::{
    Evento, EventoConActor, NewSolicitud, Solicitud, SolicitudChanges, SolicitudState,
};
use crate::schema::{solicitudes, sql_types};
use crate::sql::cached_sql;
use crate::types::EstadoDb;
use solicitudes_domain::Estado;

/// Name of the foreign key to `personas`.
pub const PERSONA_FK: &str = "solicitudes_persona_id_fkey";

/// Inserts a solicitud and its creation event (historial, with `actor` as the usuario who
/// filed it) in one statement, and returns the stored row.
///
/// # Errors
/// [`DbError::ForeignKeyViolation`] with [`PERSONA_FK`] when the persona does not exist.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewSolicitud<'_>,
    actor: Option<Uuid>,
) -> Result<Solicitud, DbError> {
    Ok(cached_sql(
        "WITH s AS ( \
             INSERT INTO solicitudes (id, persona_id, titulo, descripcion, prioridad) \
             VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, persona_id, titulo, descripcion, prioridad, estado, version, \
                       created_at, updated_at), \
         e AS ( \
             INSERT INTO solicitud_eventos (solicitud_id, estado_anterior, estado_nuevo, created_at, actor_id) \
             SELECT id, NULL, estado, created_at, $6 FROM s) \
         SELECT * FROM s",
    )
    .bind::<SqlUuid, _>(new.id)
    .bind::<SqlUuid, _>(new.persona_id)
    .bind::<Text, _>(new.titulo)
    .bind::<Text, _>(new.descripcion)
    .bind::<sql_types::Prioridad, _>(new.prioridad)
    .bind::<Nullable<SqlUuid>, _>(actor)
    .get_result(conn)
    .await?)
}

/// The solicitud with this id, if any within `alcance` — one statement, so a solicitud the
/// caller may not see is answered exactly like one that does not exist.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    alcance: &Alcance,
) -> Result<Option<Solicitud>, DbError> {
    // Static queries (prepared once per connection), not a boxed one.
    let query = solicitudes::table.find(id).select(Solicitud::as_select());
    Ok(match alcance {
        Alcance::Todas => query.first(conn).await.optional()?,
        Alcance::DePersona(p) => query
            .filter(solicitudes::persona_id.eq(Uuid::from(*p)))
            .first(conn)
            .await
            .optional()?,
        Alcance::Ninguna => None,
    })
}

/// Version and estado of a solicitud, if it exists.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn state(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<SolicitudState>, DbError> {
    Ok(solicitudes::table
        .find(id)
        .select(SolicitudState::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Applies `changes` to a solicitud that is not final and, when `versions` is given, whose
/// version is one of them — in one statement. `version` and `updated_at` move only when a
/// value really changes.
///
/// Returns the updated row, or `None` when no row qualified (missing, other version, or
/// final: ask [`state`]).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    versions: Option<&[i32]>,
    changes: &SolicitudChanges<'_>,
) -> Result<Option<Solicitud>, DbError> {
    // Every expression reads the row being updated — after PostgreSQL has locked it and
    // re-checked the WHERE clause — never an earlier snapshot, so concurrent writers cannot
    // make the "did anything change" test stale.
    Ok(cached_sql(
        "UPDATE solicitudes AS s SET \
             titulo = COALESCE($3, s.titulo), \
             descripcion = COALESCE($4, s.descripcion), \
             prioridad = COALESCE($5, s.prioridad), \
             version = s.version + CASE WHEN \
                 (COALESCE($3, s.titulo), COALESCE($4, s.descripcion), COALESCE($5, s.prioridad)) \
                 IS DISTINCT FROM (s.titulo, s.descripcion, s.prioridad) THEN 1 ELSE 0 END, \
             updated_at = CASE WHEN \
                 (COALESCE($3, s.titulo), COALESCE($4, s.descripcion), COALESCE($5, s.prioridad)) \
                 IS DISTINCT FROM (s.titulo, s.descripcion, s.prioridad) THEN now() ELSE s.updated_at END \
         WHERE s.id = $1 \
           AND ($2::int4[] IS NULL OR s.version = ANY($2)) \
           AND s.estado = ANY($6) \
         RETURNING s.id, s.persona_id, s.titulo, s.descripcion, s.prioridad, s.estado, \
                   s.version, s.created_at, s.updated_at",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<Array<Int4>>, _>(versions)
    .bind::<Nullable<Text>, _>(changes.titulo)
    .bind::<Nullable<Text>, _>(changes.descripcion)
    .bind::<Nullable<sql_types::Prioridad>, _>(changes.prioridad)
    // Editable means not final: the domain's rule, not a list written here.
    .bind::<Array<sql_types::Estado>, _>(
        Estado::TODOS
            .into_iter()
            .filter(|e| !e.es_final())
            .map(EstadoDb)
            .collect::<Vec<_>>(),
    )
    .get_result(conn)
    .await
    .optional()?)
}

/// Deletes a solicitud whose version is one of `versions` (any version when `None`).
/// `false` when no row qualified (ask [`state`] why).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    versions: Option<&[i32]>,
) -> Result<bool, DbError> {
    let n = match versions {
        None => {
            diesel::delete(solicitudes::table.find(id))
                .execute(conn)
                .await?
        }
        Some(v) => {
            diesel::delete(
                solicitudes::table
                    .find(id)
                    .filter(solicitudes::version.eq_any(v)),
            )
            .execute(conn)
            .await?
        }
    };
    Ok(n > 0)
}

/// Moves a solicitud to `destino` when its estado is one of `desde` (the estados the workflow
/// allows `destino` from) and, when `versions` is given, its version is one of them; bumps the
/// version and records the historial event with `actor` as the usuario who made the move —
/// all in one statement.
///
/// Returns the updated row, or `None` when no row qualified (ask [`state`] why).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn transicionar(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    versions: Option<&[i32]>,
    desde: &[EstadoDb],
    destino: EstadoDb,
    comentario: Option<&str>,
    actor: Option<Uuid>,
) -> Result<Option<Solicitud>, DbError> {
    // `prev` locks the row first, so the estado recorded as estado_anterior is the one the
    // update replaced, even under concurrent transitions.
    Ok(cached_sql(
        "WITH prev AS ( \
             SELECT id, estado FROM solicitudes WHERE id = $1 FOR UPDATE), \
         upd AS ( \
             UPDATE solicitudes AS s \
             SET estado = $4, version = s.version + 1, updated_at = now() \
             FROM prev \
             WHERE s.id = prev.id \
               AND ($2::int4[] IS NULL OR s.version = ANY($2)) \
               AND prev.estado = ANY($3) \
             RETURNING s.id, s.persona_id, s.titulo, s.descripcion, s.prioridad, s.estado, \
                       s.version, s.created_at, s.updated_at, prev.estado AS anterior), \
         ev AS ( \
             INSERT INTO solicitud_eventos (solicitud_id, estado_anterior, estado_nuevo, comentario, created_at, actor_id) \
             SELECT id, anterior, estado, $5, updated_at, $6 FROM upd) \
         SELECT id, persona_id, titulo, descripcion, prioridad, estado, version, created_at, updated_at \
         FROM upd",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<Array<Int4>>, _>(versions)
    .bind::<Array<sql_types::Estado>, _>(desde)
    .bind::<sql_types::Estado, _>(destino)
    .bind::<Nullable<Text>, _>(comentario)
    .bind::<Nullable<SqlUuid>, _>(actor)
    .get_result(conn)
    .await
    .optional()?)
}

/// The historial's statement up to its WHERE clause on the solicitud.
macro_rules! historial_sql {
    () => {
        "SELECT e.id, e.solicitud_id, e.estado_anterior, e.estado_nuevo, e.comentario, \
                e.created_at, e.actor_id, u.email AS actor_email \
         FROM solicitud_eventos e \
         JOIN solicitudes s ON s.id = e.solicitud_id \
         LEFT JOIN usuarios u ON u.id = e.actor_id \
         WHERE e.solicitud_id = $1"
    };
}

/// The historial of a solicitud within `alcance`, oldest first, each event with its actor's
/// e-mail — one statement. Empty when the solicitud does not exist or is outside `alcance`
/// (every solicitud has at least its creation event), so a caller who may not see it gets
/// the same answer as for one that does not exist.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn historial(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    alcance: &Alcance,
) -> Result<Vec<EventoConActor>, DbError> {
    // Two static statements (prepared once per connection) rather than one boxed query,
    // which diesel would prepare anew at every execution.
    let rows: Vec<HistorialRow> = match alcance {
        Alcance::Todas => {
            cached_sql(concat!(historial_sql!(), " ORDER BY e.id"))
                .bind::<SqlUuid, _>(id)
                .load(conn)
                .await?
        }
        Alcance::DePersona(p) => {
            cached_sql(concat!(
                historial_sql!(),
                " AND s.persona_id = $2 ORDER BY e.id"
            ))
            .bind::<SqlUuid, _>(id)
            .bind::<SqlUuid, _>(Uuid::from(*p))
            .load(conn)
            .await?
        }
        Alcance::Ninguna => return Ok(Vec::new()),
    };
    Ok(rows
        .into_iter()
        .map(|r| EventoConActor {
            evento: r.evento,
            actor_email: r.actor_email,
        })
        .collect())
}

#[derive(QueryableByName)]
struct HistorialRow {
    #[diesel(embed)]
    evento: Evento,
    #[diesel(sql_type = Nullable<Text>)]
    actor_email: Option<String>,
}
