//! `/api/v1/personas`

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use solicitudes_domain::PersonaId;
use solicitudes_schemas::persona::{
    PersonaCreate, PersonaListQuery, PersonaResponse, PersonaUpdate,
};
use solicitudes_schemas::{ErrorMessage, HttpValidationError, Page};
use solicitudes_services::personas;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Id, Json, Parts, Query};
use crate::state::AppState;

/// Files a persona.
///
/// `nombre` is trimmed then must be 1–100 characters; `edad` is a JSON integer 0–150; `email`
/// is optional, unique case-insensitively. Unknown fields are refused.
#[utoipa::path(post, path = "/api/v1/personas", tag = "personas",
    request_body(content = PersonaCreate, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = PersonaResponse,
            headers(("Location" = String, description = "URL of the new persona"))),
        (status = 403, description = "Only an admin creates personas", body = ErrorMessage),
        (status = 409, description = "The e-mail is already registered", body = ErrorMessage,
            example = json!({"detail": "Ese email ya está registrado"})),
        (status = 413, description = "Body larger than the limit", body = ErrorMessage),
        (status = 422, description = "Invalid body: every problem, one entry each", body = HttpValidationError),
        (status = 503, description = "Database unavailable; retry after `Retry-After` seconds", body = ErrorMessage),
    ))]
pub async fn crear(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    Json(dto): Json<PersonaCreate>,
) -> Result<HttpResponse, ApiError> {
    let persona = personas::crear(&state.pool, &caller, &dto).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/personas/{}", persona.id)))
        .json(persona))
}

/// Lists personas, newest first. A solicitante sees only their own persona.
///
/// Keyset pagination: pass `next_cursor` back as `cursor` for the next page (with the same
/// `q`); `next_cursor` is `null` on the last page. `count=true` adds `total`.
#[utoipa::path(get, path = "/api/v1/personas", tag = "personas",
    params(PersonaListQuery),
    responses(
        (status = 200, description = "A page of personas", body = Page<PersonaResponse>),
        (status = 422, description = "Bad parameter (empty value, out of range, foreign or altered cursor)", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn listar(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    Query(query): Query<PersonaListQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(personas::listar(&state.pool, &caller, &query).await?))
}

/// Reads a persona.
#[utoipa::path(get, path = "/api/v1/personas/{id}", tag = "personas",
    params(("id" = uuid::Uuid, Path, description = "The persona's id")),
    responses(
        (status = 200, description = "The persona", body = PersonaResponse),
        (status = 404, description = "No such persona, or one you may not see", body = ErrorMessage),
        (status = 422, description = "Malformed id", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn obtener(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: Id<PersonaId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(personas::obtener(&state.pool, &caller, id.into_inner()).await?))
}

/// Changes a persona.
///
/// Absent fields stay as they are; `"email": null` clears the e-mail; `{}` changes nothing.
#[utoipa::path(patch, path = "/api/v1/personas/{id}", tag = "personas",
    params(("id" = uuid::Uuid, Path, description = "The persona's id")),
    request_body(content = PersonaUpdate, content_type = "application/json"),
    responses(
        (status = 200, description = "The persona after the change", body = PersonaResponse),
        (status = 403, description = "Not your persona (only an admin edits others)", body = ErrorMessage),
        (status = 404, description = "No such persona, or one you may not see", body = ErrorMessage),
        (status = 409, description = "The e-mail is already registered", body = ErrorMessage),
        (status = 413, description = "Body larger than the limit", body = ErrorMessage),
        (status = 422, description = "Invalid body or id", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn editar(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    Parts((id, Json(dto))): Parts<(Id<PersonaId>, Json<PersonaUpdate>)>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(personas::editar(&state.pool, &caller, id.into_inner(), &dto).await?))
}

/// Deletes a persona that has no solicitudes.
#[utoipa::path(delete, path = "/api/v1/personas/{id}", tag = "personas",
    params(("id" = uuid::Uuid, Path, description = "The persona's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only an admin deletes personas", body = ErrorMessage),
        (status = 404, description = "No such persona, or one you may not see", body = ErrorMessage),
        (status = 409, description = "The persona still has solicitudes; nothing was deleted", body = ErrorMessage),
        (status = 422, description = "Malformed id", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn borrar(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: Id<PersonaId>,
) -> Result<HttpResponse, ApiError> {
    personas::borrar(&state.pool, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
