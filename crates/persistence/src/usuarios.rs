//! Queries on `usuarios` (accounts).
//!
//! Every write that can change what authenticating a token yields (rol, activo, persona,
//! e-mail, password) also sends `NOTIFY` on [`crate::notify::CANAL`] with the usuario's id,
//! in the same transaction, so every replica's session cache forgets that usuario when the
//! change commits (see `docs/auth.md`).

use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::DbError;
use crate::models::{NewPersona, NewUsuario, Persona, Usuario, UsuarioChanges};
use crate::notify::CANAL;
use crate::schema::{sql_types, usuarios};
use crate::sql::{Beyond, ContainsIcu, NewestFirstKey, cached_sql};
use crate::types::RolDb;

/// Name of the unique index on `lower(email)`.
pub const EMAIL_UNIQUE: &str = "usuarios_email_key";
/// Name of the foreign key to `personas`.
pub const PERSONA_FK: &str = "usuarios_persona_id_fkey";
/// Name of the CHECK that a solicitante has a persona.
pub const SOLICITANTE_PERSONA: &str = "usuarios_solicitante_persona_check";

/// Fixed key of the transaction-level advisory lock every change of rol or activo takes, so
/// "is there another active admin?" is answered on a snapshot no concurrent demotion can
/// invalidate (two admins demoting each other at once: the second sees the first's result).
const ADMINS_LOCK: i64 = 0x7573_7561_7269_6f73; // "usuarios"

/// Inserts a usuario and returns the stored row.
///
/// # Errors
/// [`DbError::UniqueViolation`] with [`EMAIL_UNIQUE`] when the e-mail is taken,
/// [`DbError::ForeignKeyViolation`] with [`PERSONA_FK`] when the persona does not exist,
/// [`DbError::CheckViolation`] with [`SOLICITANTE_PERSONA`] for a solicitante without persona.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewUsuario<'_>,
) -> Result<Usuario, DbError> {
    Ok(diesel::insert_into(usuarios::table)
        .values(new)
        .returning(Usuario::as_returning())
        .get_result(conn)
        .await?)
}

/// A persona and its account, in one transaction (open registration).
///
/// # Errors
/// As [`insert`] and [`crate::personas::insert`]; nothing is stored when either fails.
pub async fn insert_with_persona(
    conn: &mut AsyncPgConnection,
    persona: &NewPersona<'_>,
    usuario: &NewUsuario<'_>,
) -> Result<(Persona, Usuario), DbError> {
    conn.transaction::<_, DbError, _>(async |conn| {
        let p = crate::personas::insert(conn, persona).await?;
        let u = insert(conn, usuario).await?;
        Ok((p, u))
    })
    .await
}

/// The usuario with this id, if any.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Usuario>, DbError> {
    Ok(usuarios::table
        .find(id)
        .select(Usuario::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The usuario whose e-mail is `email`, compared case-insensitively (as the unique index
/// does, with the column's ICU collation, so the index serves it).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn find_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<Option<Usuario>, DbError> {
    Ok(cached_sql(
        "SELECT id, email, rol, persona_id, activo, password_hash, created_at, updated_at \
         FROM usuarios WHERE lower(email) = lower($1 COLLATE \"und-x-icu\")",
    )
    .bind::<Text, _>(email)
    .get_result(conn)
    .await
    .optional()?)
}

/// What happens to an account's sessions along with a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocarSesiones {
    /// Leave them.
    Ninguna,
    /// Revoke every live session (deactivation, a password reset by an admin).
    Todas,
    /// Revoke every live session but this one (the usuario changed their own password).
    Salvo(Uuid),
}

/// The outcome of [`update`].
#[derive(Debug, Clone, PartialEq)]
pub enum UsuarioUpdate {
    /// The row after the change.
    Updated(Usuario),
    /// No such usuario.
    NotFound,
    /// The change would leave no active admin: nothing was changed.
    LastAdmin,
}

/// Applies `changes` and the session revocation `revocar` in one transaction, notifying
/// every replica. The rule "at least one active admin remains" is a condition of the UPDATE
/// itself, evaluated under a transaction-level advisory lock that every such change takes,
/// so there is no check-then-write window.
///
/// # Errors
/// As [`insert`] for the e-mail, the persona and a solicitante without persona.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &UsuarioChanges<'_>,
    revocar: RevocarSesiones,
) -> Result<UsuarioUpdate, DbError> {
    let (set_persona, persona) = match changes.persona_id {
        Some(p) => (true, p),
        None => (false, None),
    };
    conn.transaction::<_, DbError, _>(async |conn| {
        if changes.rol.is_some() || changes.activo.is_some() {
            cached_sql("SELECT pg_advisory_xact_lock($1)::text AS bloqueado")
                .bind::<diesel::sql_types::BigInt, _>(ADMINS_LOCK)
                .execute(conn)
                .await?;
        }
        let row: Option<Usuario> = cached_sql(
            "WITH cambiado AS ( \
                 UPDATE usuarios AS u SET \
                     email = COALESCE($2, u.email), \
                     rol = COALESCE($3, u.rol), \
                     persona_id = CASE WHEN $4 THEN $5 ELSE u.persona_id END, \
                     activo = COALESCE($6, u.activo), \
                     password_hash = COALESCE($7, u.password_hash), \
                     updated_at = CASE WHEN \
                         (COALESCE($2, u.email), COALESCE($3, u.rol), \
                          CASE WHEN $4 THEN $5 ELSE u.persona_id END, COALESCE($6, u.activo), \
                          COALESCE($7, u.password_hash)) \
                         IS DISTINCT FROM (u.email, u.rol, u.persona_id, u.activo, u.password_hash) \
                         THEN now() ELSE u.updated_at END \
                 WHERE u.id = $1 \
                   AND ((COALESCE($3, u.rol) = 'admin' AND COALESCE($6, u.activo)) \
                        OR NOT (u.rol = 'admin' AND u.activo) \
                        OR EXISTS (SELECT 1 FROM usuarios o \
                                   WHERE o.rol = 'admin' AND o.activo AND o.id <> u.id)) \
                 RETURNING u.id, u.email, u.rol, u.persona_id, u.activo, u.password_hash, \
                           u.created_at, u.updated_at) \
             SELECT c.*, pg_notify($8, c.id::text)::text AS notificado FROM cambiado c",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Nullable<Text>, _>(changes.email)
        .bind::<Nullable<sql_types::Rol>, _>(changes.rol)
        .bind::<Bool, _>(set_persona)
        .bind::<Nullable<SqlUuid>, _>(persona)
        .bind::<Nullable<Bool>, _>(changes.activo)
        .bind::<Nullable<Text>, _>(changes.password_hash)
        .bind::<Text, _>(CANAL)
        .get_result(conn)
        .await
        .optional()?;
        let Some(row) = row else {
            return Ok(if find(conn, id).await?.is_some() {
                UsuarioUpdate::LastAdmin
            } else {
                UsuarioUpdate::NotFound
            });
        };
        let salvo = match revocar {
            RevocarSesiones::Ninguna => return Ok(UsuarioUpdate::Updated(row)),
            RevocarSesiones::Todas => None,
            RevocarSesiones::Salvo(s) => Some(s),
        };
        crate::sesiones::revocar_todas(conn, id, salvo).await?;
        Ok(UsuarioUpdate::Updated(row))
    })
    .await
}

/// The outcome of [`bootstrap_admin`].
#[derive(Debug, Clone, PartialEq)]
pub enum Bootstrap {
    /// An active admin already exists: nothing was changed.
    AdminExists,
    /// The account was created, or made an active admin with the given password.
    Done(Usuario),
}

/// When no active admin exists: creates the account `email` as an active admin, or makes
/// the existing account with that e-mail one, with `password_hash`. Under the same advisory
/// lock as [`update`], so replicas starting together bootstrap once.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn bootstrap_admin(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    email: &str,
    password_hash: &str,
) -> Result<Bootstrap, DbError> {
    conn.transaction::<_, DbError, _>(async |conn| {
        cached_sql("SELECT pg_advisory_xact_lock($1)::text AS bloqueado")
            .bind::<diesel::sql_types::BigInt, _>(ADMINS_LOCK)
            .execute(conn)
            .await?;
        let hay: bool = diesel::select(diesel::dsl::exists(
            usuarios::table
                .filter(usuarios::rol.eq(RolDb(solicitudes_domain::Rol::Admin)))
                .filter(usuarios::activo),
        ))
        .get_result(conn)
        .await?;
        if hay {
            return Ok(Bootstrap::AdminExists);
        }
        let row: Usuario = cached_sql(
            "WITH hecho AS ( \
                 INSERT INTO usuarios AS u (id, email, rol, persona_id, activo, password_hash) \
                 VALUES ($1, $2, 'admin', NULL, true, $3) \
                 ON CONFLICT ((lower(email))) DO UPDATE \
                 SET rol = 'admin', activo = true, password_hash = EXCLUDED.password_hash, \
                     updated_at = now() \
                 RETURNING u.id, u.email, u.rol, u.persona_id, u.activo, u.password_hash, \
                           u.created_at, u.updated_at) \
             SELECT h.*, pg_notify($4, h.id::text)::text AS notificado FROM hecho h",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<Text, _>(email)
        .bind::<Text, _>(password_hash)
        .bind::<Text, _>(CANAL)
        .get_result(conn)
        .await?;
        Ok(Bootstrap::Done(row))
    })
    .await
}

/// Filters of the list of usuarios.
#[derive(Debug, Clone, Default)]
pub struct UsuarioFilter<'a> {
    /// Case-insensitive substring of the e-mail (matched literally).
    pub q: Option<&'a str>,
    /// Only this rol.
    pub rol: Option<RolDb>,
    /// Only active (or only inactive) accounts.
    pub activo: Option<bool>,
}

/// The columns `q` searches.
const Q_COLUMNS: &[&str] = &["usuarios.email"];

fn filtered<'a, ST>(
    mut query: usuarios::BoxedQuery<'a, diesel::pg::Pg, ST>,
    filter: &UsuarioFilter<'_>,
) -> usuarios::BoxedQuery<'a, diesel::pg::Pg, ST> {
    if let Some(q) = filter.q {
        query = query.filter(ContainsIcu::new(Q_COLUMNS, q));
    }
    if let Some(rol) = filter.rol {
        query = query.filter(usuarios::rol.eq(rol));
    }
    if let Some(activo) = filter.activo {
        query = query.filter(usuarios::activo.eq(activo));
    }
    query
}

/// One page of usuarios, newest first (ties by id), strictly after `after`.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &UsuarioFilter<'_>,
    after: Option<NewestFirstKey>,
    limit: i64,
) -> Result<Vec<Usuario>, DbError> {
    let query = usuarios::table
        .select(Usuario::as_select())
        .order((usuarios::created_at.desc(), usuarios::id.desc()))
        .limit(limit)
        .into_boxed();
    let mut query = filtered(query, filter);
    if let Some(key) = after {
        query = query.filter(Beyond::newest_first(
            "(usuarios.created_at, usuarios.id)",
            key,
        ));
    }
    Ok(query.load(conn).await?)
}

/// How many usuarios match `filter`.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn count(
    conn: &mut AsyncPgConnection,
    filter: &UsuarioFilter<'_>,
) -> Result<i64, DbError> {
    Ok(filtered(usuarios::table.count().into_boxed(), filter)
        .get_result(conn)
        .await?)
}
