//! Queries on `sesiones`: one row per login, found by the SHA-256 of its token.
//!
//! Revocations send `NOTIFY` on [`crate::notify::CANAL`] with the usuario's id in the same
//! statement, so every replica's session cache forgets that usuario's sessions when the
//! revocation commits.

use diesel::prelude::*;
use diesel::sql_types::{Binary, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::DbError;
use crate::models::{NewSesion, Sesion};
use crate::notify::CANAL;
use crate::schema::sesiones;
use crate::sql::cached_sql;
use crate::types::RolDb;

/// Inserts a session and returns the stored row.
///
/// # Errors
/// [`DbError`] when the database fails (a foreign key violation when the usuario is gone).
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewSesion<'_>) -> Result<Sesion, DbError> {
    Ok(diesel::insert_into(sesiones::table)
        .values(new)
        .returning(Sesion::as_returning())
        .get_result(conn)
        .await?)
}

/// A live session and its usuario as they are now: what authenticating a token yields.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct SesionViva {
    /// The session.
    #[diesel(sql_type = SqlUuid)]
    pub sesion_id: Uuid,
    /// Its usuario.
    #[diesel(sql_type = SqlUuid)]
    pub usuario_id: Uuid,
    /// The usuario's current e-mail.
    #[diesel(sql_type = Text)]
    pub email: String,
    /// The usuario's current rol.
    #[diesel(sql_type = crate::schema::sql_types::Rol)]
    pub rol: RolDb,
    /// The usuario's current persona.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub persona_id: Option<Uuid>,
    /// When the token stops working.
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: OffsetDateTime,
    /// Last recorded use.
    #[diesel(sql_type = Timestamptz)]
    pub last_used_at: OffsetDateTime,
}

/// The session whose token hashes to `token_hash`, if it is neither revoked nor expired and
/// its usuario is active — one indexed statement, reading the usuario's current rol, persona
/// and e-mail (never anything remembered from the login).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn autenticar(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> Result<Option<SesionViva>, DbError> {
    Ok(cached_sql(
        "SELECT s.id AS sesion_id, s.usuario_id, u.email, u.rol, u.persona_id, s.expires_at, \
                s.last_used_at \
         FROM sesiones s JOIN usuarios u ON u.id = s.usuario_id \
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.activo",
    )
    .bind::<Binary, _>(token_hash)
    .get_result(conn)
    .await
    .optional()?)
}

/// Records a use of the session, unless one was recorded less than `min_interval_secs` ago
/// (several replicas may try at once: only the first writes).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn touch(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    min_interval_secs: f64,
) -> Result<bool, DbError> {
    let n = cached_sql(
        "UPDATE sesiones SET last_used_at = now() \
         WHERE id = $1 AND revoked_at IS NULL \
           AND last_used_at < now() - make_interval(secs => $2)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Double, _>(min_interval_secs)
    .execute(conn)
    .await?;
    Ok(n > 0)
}

#[derive(QueryableByName)]
struct Revocada {
    #[diesel(sql_type = SqlUuid)]
    #[allow(dead_code)] // Only counted.
    id: Uuid,
}

/// Revokes the session `id` if it belongs to `usuario_id` and is live; `false` when there is
/// no such session (or it is someone else's: the same answer).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn revocar(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    usuario_id: Uuid,
) -> Result<bool, DbError> {
    let rows: Vec<Revocada> = cached_sql(
        "WITH r AS ( \
             UPDATE sesiones SET revoked_at = now() \
             WHERE id = $1 AND usuario_id = $2 AND revoked_at IS NULL AND expires_at > now() \
             RETURNING id, usuario_id) \
         SELECT r.id, pg_notify($3, r.usuario_id::text)::text AS notificado FROM r",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(usuario_id)
    .bind::<Text, _>(CANAL)
    .load(conn)
    .await?;
    Ok(!rows.is_empty())
}

/// Revokes every live session of `usuario_id` except `salvo`, and returns how many; notifies
/// every replica when there were any (PostgreSQL delivers identical notifications of one
/// transaction once).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn revocar_todas(
    conn: &mut AsyncPgConnection,
    usuario_id: Uuid,
    salvo: Option<Uuid>,
) -> Result<usize, DbError> {
    let rows: Vec<Revocada> = cached_sql(
        "WITH r AS ( \
             UPDATE sesiones SET revoked_at = now() \
             WHERE usuario_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2 \
             RETURNING id) \
         SELECT r.id, pg_notify($3, $1::text)::text AS notificado FROM r",
    )
    .bind::<SqlUuid, _>(usuario_id)
    .bind::<Nullable<SqlUuid>, _>(salvo)
    .bind::<Text, _>(CANAL)
    .load(conn)
    .await?;
    Ok(rows.len())
}

/// The live (neither revoked nor expired) sessions of `usuario_id`, newest first.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn vivas(conn: &mut AsyncPgConnection, usuario_id: Uuid) -> Result<Vec<Sesion>, DbError> {
    Ok(sesiones::table
        .filter(sesiones::usuario_id.eq(usuario_id))
        .filter(sesiones::revoked_at.is_null())
        .filter(sesiones::expires_at.gt(diesel::dsl::now))
        .order((sesiones::created_at.desc(), sesiones::id.desc()))
        .select(Sesion::as_select())
        .load(conn)
        .await?)
}

/// Deletes the sessions that expired or were revoked before `antes` (housekeeping: they can
/// never authenticate again), and returns how many.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn purgar(conn: &mut AsyncPgConnection, antes: OffsetDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(
        sesiones::table.filter(
            sesiones::expires_at
                .lt(antes)
                .or(sesiones::revoked_at.lt(antes)),
        ),
    )
    .execute(conn)
    .await?)
}
