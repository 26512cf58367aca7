//! Rows as stored, and what is written to create or change them.
//!
//! These are persistence types: the services crate converts them into the API's DTOs.

use diesel::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::schema::{personas, solicitud_eventos, solicitudes};
use crate::types::{EstadoDb, PrioridadDb};

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
    /// Current version.
    pub version: i32,
    /// Current estado.
    pub estado: EstadoDb,
}

/// A row of `solicitud_eventos`: one change of estado (creation is the first).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
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
}
