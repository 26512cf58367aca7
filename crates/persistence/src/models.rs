//! Rows as stored, and what is written to create or change them.
//!
//! These are persistence types: the services crate converts them into the API's DTOs.

use diesel::prelude::*;
use std::fmt;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::schema::{personas, sesiones, solicitud_eventos, solicitudes, usuarios};
use crate::types::{EstadoDb, PrioridadDb, RolDb};

/// A row of `personas`.
#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = personas)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Persona {
    /// Primary key.
    pub id: Uuid,
    /// Trimmed name.
    pub nombre: String,
    /// Age in years.
    pub edad: i16,
    /// E-mail as sent, if any.
    pub email: Option<String>,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// A persona to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = personas)]
pub struct NewPersona<'a> {
    /// Primary key (UUIDv7, chosen by the service).
    pub id: Uuid,
    /// Trimmed name.
    pub nombre: &'a str,
    /// Age in years.
    pub edad: i16,
    /// E-mail, if any.
    pub email: Option<&'a str>,
}

/// Changes to a persona; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct PersonaChanges<'a> {
    /// New name.
    pub nombre: Option<&'a str>,
    /// New age.
    pub edad: Option<i16>,
    /// New e-mail: `Some(None)` clears it.
    pub email: Option<Option<&'a str>>,
}

/// A row of `solicitudes`.
#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = solicitudes)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Solicitud {
    /// Primary key.
    pub id: Uuid,
    /// The persona who filed it.
    pub persona_id: Uuid,
    /// Trimmed title.
    pub titulo: String,
    /// Description as sent.
    pub descripcion: String,
    /// Urgency.
    pub prioridad: PrioridadDb,
    /// Workflow state.
    pub estado: EstadoDb,
    /// Optimistic concurrency version, from 1.
    pub version: i32,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// A solicitud to insert (estado and version take their defaults).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = solicitudes)]
pub struct NewSolicitud<'a> {
    /// Primary key (UUIDv7, chosen by the service).
    pub id: Uuid,
    /// The persona filing it.
    pub persona_id: Uuid,
    /// Trimmed title.
    pub titulo: &'a str,
    /// Description.
    pub descripcion: &'a str,
    /// Urgency.
    pub prioridad: PrioridadDb,
}

/// Changes to a solicitud; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct SolicitudChanges<'a> {
    /// New title.
    pub titulo: Option<&'a str>,
    /// New description.
    pub descripcion: Option<&'a str>,
    /// New urgency.
    pub prioridad: Option<PrioridadDb>,
}

/// Version and estado of a solicitud: what a refused conditional write is explained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = solicitudes)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct SolicitudState {
    /// Whose it is (immutable: what the access policy's "own" is decided on).
    pub persona_id: Uuid,
    /// Current version.
    pub version: i32,
    /// Current estado.
    pub estado: EstadoDb,
}

/// A row of `solicitud_eventos`: one change of estado (creation is the first).
#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = solicitud_eventos)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Evento {
    /// Insertion order.
    pub id: i64,
    /// The solicitud it belongs to.
    pub solicitud_id: Uuid,
    /// The estado before (`None` for the creation event).
    pub estado_anterior: Option<EstadoDb>,
    /// The estado after.
    pub estado_nuevo: EstadoDb,
    /// Why, when given.
    pub comentario: Option<String>,
    /// When.
    pub created_at: OffsetDateTime,
    /// The usuario who made the change (`None` for events from before accounts existed).
    pub actor_id: Option<Uuid>,
}

/// A historial event with its actor's e-mail (`LEFT JOIN usuarios`).
#[derive(Debug, Clone, PartialEq)]
pub struct EventoConActor {
    /// The event.
    pub evento: Evento,
    /// The actor's current e-mail, when the event has an actor.
    pub actor_email: Option<String>,
}

/// A row of `usuarios`.
#[derive(Clone, PartialEq, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = usuarios)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Usuario {
    /// Primary key.
    pub id: Uuid,
    /// Login name, as sent.
    pub email: String,
    /// What the account may do.
    pub rol: RolDb,
    /// The persona it files as.
    pub persona_id: Option<Uuid>,
    /// Whether it may log in.
    pub activo: bool,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// A usuario to insert.
#[derive(Clone, Insertable)]
#[diesel(table_name = usuarios)]
pub struct NewUsuario<'a> {
    /// Primary key (UUIDv7, chosen by the service).
    pub id: Uuid,
    /// Login name.
    pub email: &'a str,
    /// Rol.
    pub rol: RolDb,
    /// Persona (required for a solicitante).
    pub persona_id: Option<Uuid>,
    /// Whether it may log in.
    pub activo: bool,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
}

/// Changes to a usuario; `None` leaves a column as it is.
#[derive(Clone, Default)]
pub struct UsuarioChanges<'a> {
    /// New login name.
    pub email: Option<&'a str>,
    /// New rol.
    pub rol: Option<RolDb>,
    /// New persona: `Some(None)` clears it.
    pub persona_id: Option<Option<Uuid>>,
    /// Activate or deactivate.
    pub activo: Option<bool>,
    /// New Argon2id PHC string.
    pub password_hash: Option<&'a str>,
}

/// A row of `sesiones`.
#[derive(Clone, PartialEq, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = sesiones)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Sesion {
    /// Primary key.
    pub id: Uuid,
    /// The account.
    pub usuario_id: Uuid,
    /// SHA-256 of the token.
    pub token_hash: Vec<u8>,
    /// Login time.
    pub created_at: OffsetDateTime,
    /// Last request (to the minute).
    pub last_used_at: OffsetDateTime,
    /// When the token stops working.
    pub expires_at: OffsetDateTime,
    /// The client's `User-Agent` at login.
    pub user_agent: Option<String>,
    /// When it was revoked (logout, password change, revocation).
    pub revoked_at: Option<OffsetDateTime>,
}

/// A session to insert.
#[derive(Clone, Insertable)]
#[diesel(table_name = sesiones)]
pub struct NewSesion<'a> {
    /// Primary key (UUIDv7).
    pub id: Uuid,
    /// The account.
    pub usuario_id: Uuid,
    /// SHA-256 of the token (32 bytes).
    pub token_hash: &'a [u8],
    /// When the token stops working.
    pub expires_at: OffsetDateTime,
    /// The client's `User-Agent`, at most 512 characters.
    pub user_agent: Option<&'a str>,
}

// The rows that hold a password's or a token's hash print without it: a Debug line in a log or
// a panic message never carries one.
impl fmt::Debug for Usuario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Usuario")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("rol", &self.rol)
            .field("persona_id", &self.persona_id)
            .field("activo", &self.activo)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for NewUsuario<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUsuario")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("rol", &self.rol)
            .field("persona_id", &self.persona_id)
            .field("activo", &self.activo)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for UsuarioChanges<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsuarioChanges")
            .field("email", &self.email)
            .field("rol", &self.rol)
            .field("persona_id", &self.persona_id)
            .field("activo", &self.activo)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Sesion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sesion")
            .field("id", &self.id)
            .field("usuario_id", &self.usuario_id)
            .field("created_at", &self.created_at)
            .field("last_used_at", &self.last_used_at)
            .field("expires_at", &self.expires_at)
            .field("user_agent", &self.user_agent)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for NewSesion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSesion")
            .field("id", &self.id)
            .field("usuario_id", &self.usuario_id)
            .field("expires_at", &self.expires_at)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn los_hashes_no_salen_en_debug() {
        let u = NewUsuario {
            id: Uuid::nil(),
            email: "a@b.co",
            rol: RolDb(solicitudes_domain::Rol::Admin),
            persona_id: None,
            activo: true,
            password_hash: "$argon2id$v=19$SECRETO",
        };
        let changes = UsuarioChanges {
            password_hash: Some("$argon2id$v=19$SECRETO"),
            ..UsuarioChanges::default()
        };
        let s = NewSesion {
            id: Uuid::nil(),
            usuario_id: Uuid::nil(),
            token_hash: &[0xAB; 32],
            expires_at: OffsetDateTime::UNIX_EPOCH,
            user_agent: None,
        };
        for text in [format!("{u:?}"), format!("{changes:?}"), format!("{s:?}")] {
            assert!(
                !text.contains("SECRETO") && !text.contains("171, 171"),
                "{text}"
            );
            assert!(!text.contains("hash"), "{text}");
        }
        assert!(format!("{u:?}").contains("a@b.co"));
    }
}
