//! `/api/v1/solicitudes`

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use solicitudes_domain::SolicitudId;
use solicitudes_schemas::solicitud::{SolicitudCreate, SolicitudResponse, SolicitudUpdate};
use solicitudes_schemas::solicitud_list::SolicitudListQuery;
use solicitudes_schemas::workflow::{EventoResponse, TransicionConflict, TransicionCreate};
use solicitudes_schemas::{ErrorMessage, HttpValidationError, Page};
use solicitudes_services::{solicitud_list, solicitudes, workflow};

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Id, IfMatchHeader, Json, Parts, Query};
use crate::precondition;
use crate::state::AppState;

/// A solicitud with its `ETag`.
fn with_etag(mut res: actix_web::HttpResponseBuilder, s: &SolicitudResponse) -> HttpResponse {
    res.insert_header((header::ETAG, precondition::etag(s.version)))
        .json(s)
}

/// Files a solicitud.
///
/// Without `persona_id`, for the caller's own persona; a solicitante (or revisor) filing for
/// another persona gets a 403; an admin must name the persona (422 if absent). The caller is
/// recorded as the actor of the creation event in the historial.
///
/// It starts `pendiente` at version 1. `persona_id` must name an existing persona (else 422
/// on `persona_id`). `estado`, `version` and timestamps are the server's: sending them is a
/// 422.
#[utoipa::path(post, path = "/api/v1/solicitudes", tag = "solicitudes",
    request_body(content = SolicitudCreate, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = SolicitudResponse, headers(
            ("Location" = String, description = "URL of the new solicitud"),
            ("ETag" = String, description = "Its version in quotes: `\"1\"`"))),
        (status = 403, description = "Filing for another persona than your own (only an admin may)", body = ErrorMessage),
        (status = 413, description = "Body larger than the limit", body = ErrorMessage),
        (status = 422, description = "Invalid body, or no such persona", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn crear(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    Json(dto): Json<SolicitudCreate>,
) -> Result<HttpResponse, ApiError> {
    let s = solicitudes::crear(&state.pool, &caller, &dto).await?;
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, format!("/api/v1/solicitudes/{}", s.id)));
    Ok(with_etag(res, &s))
}

/// Reads a solicitud. Its `ETag` is the version to send back in `If-Match`.
#[utoipa::path(get, path = "/api/v1/solicitudes/{id}", tag = "solicitudes",
    params(("id" = uuid::Uuid, Path, description = "The solicitud's id")),
    responses(
        (status = 200, description = "The solicitud", body = SolicitudResponse,
            headers(("ETag" = String, description = "Its version in quotes, e.g. `\"3\"`"))),
        (status = 404, description = "No such solicitud, or one you may not see", body = ErrorMessage),
        (status = 422, description = "Malformed id", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn obtener(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: Id<SolicitudId>,
) -> Result<HttpResponse, ApiError> {
    let s = solicitudes::obtener(&state.pool, &caller, id.into_inner()).await?;
    Ok(with_etag(HttpResponse::Ok(), &s))
}

/// Edits titulo, descripcion or prioridad.
///
/// Send the `ETag` you read as `If-Match` so a concurrent edit is not overwritten (412). Absent
/// fields stay; `{}` changes nothing; the version moves only when a value changes. Final
/// solicitudes (aprobada, rechazada, cancelada) cannot be edited (409). When several things
/// are wrong, 404 wins over 412, and 412 over 409.
#[utoipa::path(patch, path = "/api/v1/solicitudes/{id}", tag = "solicitudes",
    params(
        ("id" = uuid::Uuid, Path, description = "The solicitud's id"),
        IfMatchHeader,
    ),
    request_body(content = SolicitudUpdate, content_type = "application/json"),
    responses(
        (status = 200, description = "The solicitud after the change", body = SolicitudResponse,
            headers(("ETag" = String, description = "The new version in quotes"))),
        (status = 403, description = "Not your solicitud (only an admin edits others)", body = ErrorMessage),
        (status = 404, description = "No such solicitud, or one you may not see", body = ErrorMessage),
        (status = 409, description = "The solicitud is final", body = ErrorMessage),
        (status = 412, description = "If-Match names another version; nothing changed", body = ErrorMessage),
        (status = 413, description = "Body larger than the limit", body = ErrorMessage),
        (status = 422, description = "Invalid body, id or If-Match", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn editar(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    Parts((id, IfMatchHeader(if_match), Json(dto))): Parts<(
        Id<SolicitudId>,
        IfMatchHeader,
        Json<SolicitudUpdate>,
    )>,
) -> Result<HttpResponse, ApiError> {
    let s = solicitudes::editar(
        &state.pool,
        &caller,
        id.into_inner(),
        if_match.as_ref(),
        &dto,
    )
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &s))
}

/// Deletes a solicitud (with `If-Match`, only at that version).
#[utoipa::path(delete, path = "/api/v1/solicitudes/{id}", tag = "solicitudes",
    params(
        ("id" = uuid::Uuid, Path, description = "The solicitud's id"),
        IfMatchHeader,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only an admin deletes solicitudes", body = ErrorMessage),
        (status = 404, description = "No such solicitud, or one you may not see", body = ErrorMessage),
        (status = 412, description = "If-Match names another version; nothing deleted", body = ErrorMessage),
        (status = 422, description = "Malformed id or If-Match", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn borrar(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    Parts((id, IfMatchHeader(if_match))): Parts<(Id<SolicitudId>, IfMatchHeader)>,
) -> Result<HttpResponse, ApiError> {
    solicitudes::borrar(&state.pool, &caller, id.into_inner(), if_match.as_ref()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lists solicitudes: filters, sort and keyset pagination.
///
/// A solicitante sees only their own persona's solicitudes: the restriction is in the query,
/// so `total` and the cursors never count or reach anyone else's.
///
/// Pass `next_cursor` back as `cursor`, with the same `sort` and filters, for the next page;
/// walking the cursors returns every matching solicitud exactly once, even while new ones are
/// filed. `count=true` adds `total`.
#[utoipa::path(get, path = "/api/v1/solicitudes", tag = "solicitudes",
    params(SolicitudListQuery),
    responses(
        (status = 200, description = "A page of solicitudes", body = Page<SolicitudResponse>),
        (status = 422, description = "Bad filter, sort, limit or cursor (never a silent default)", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn listar(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    Query(query): Query<SolicitudListQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(solicitud_list::listar(&state.pool, &caller, &query).await?))
}

/// Moves a solicitud through the review workflow.
///
/// `pendiente → en_revision | cancelada`; `en_revision → aprobada | rechazada | pendiente |
/// cancelada`; `aprobada`, `rechazada` and `cancelada` are final. Rejecting requires a
/// comentario. Every move bumps the version (new `ETag`) and adds a historial event.
#[utoipa::path(post, path = "/api/v1/solicitudes/{id}/transiciones", tag = "solicitudes",
    params(
        ("id" = uuid::Uuid, Path, description = "The solicitud's id"),
        IfMatchHeader,
    ),
    request_body(content = TransicionCreate, content_type = "application/json"),
    responses(
        (status = 200, description = "The solicitud in its new estado", body = SolicitudResponse,
            headers(("ETag" = String, description = "The new version in quotes"))),
        (status = 403, description = "The policy forbids this move to you: reviewing (en_revision, aprobada, rechazada, back to pendiente) is for revisores and never on their own solicitud; cancelling is for its owner", body = ErrorMessage),
        (status = 404, description = "No such solicitud, or one you may not see", body = ErrorMessage),
        (status = 409, description = "The workflow forbids this move; `permitidos` lists the allowed next estados", body = TransicionConflict),
        (status = 412, description = "If-Match names another version; nothing changed", body = ErrorMessage),
        (status = 413, description = "Body larger than the limit", body = ErrorMessage),
        (status = 422, description = "Invalid body (unknown estado, rechazada without comentario), id or If-Match", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn transicionar(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    Parts((id, IfMatchHeader(if_match), Json(dto))): Parts<(
        Id<SolicitudId>,
        IfMatchHeader,
        Json<TransicionCreate>,
    )>,
) -> Result<HttpResponse, ApiError> {
    let s = workflow::transicionar(
        &state.pool,
        &caller,
        id.into_inner(),
        if_match.as_ref(),
        &dto,
    )
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &s))
}

/// The historial of a solicitud: every change of estado, oldest first; creation is first.
#[utoipa::path(get, path = "/api/v1/solicitudes/{id}/historial", tag = "solicitudes",
    params(("id" = uuid::Uuid, Path, description = "The solicitud's id")),
    responses(
        (status = 200, description = "The events, oldest first", body = Vec<EventoResponse>),
        (status = 404, description = "No such solicitud, or one you may not see", body = ErrorMessage),
        (status = 422, description = "Malformed id", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn historial(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: Id<SolicitudId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(workflow::historial(&state.pool, &caller, id.into_inner()).await?))
}
