//! `/api/v1/usuarios`: accounts (admin only).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use solicitudes_domain::UsuarioId;
use solicitudes_schemas::usuario::{
    UsuarioCreate, UsuarioListQuery, UsuarioResponse, UsuarioUpdate,
};
use solicitudes_schemas::{ErrorMessage, HttpValidationError, Page};
use solicitudes_services::usuarios;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::extract::{Id, Json, Parts, Query};
use crate::state::AppState;

/// Creates an account (admin).
///
/// `rol` is `solicitante`, `revisor` or `admin`; a solicitante needs `persona_id` (the persona
/// they file as). The password (8–128 characters) is stored only as an Argon2id hash. The
/// account can log in at once (unless `activo` is false).
#[utoipa::path(post, path = "/api/v1/usuarios", tag = "usuarios",
    request_body(content = UsuarioCreate, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = UsuarioResponse,
            headers(("Location" = String, description = "URL of the new usuario"))),
        (status = 403, description = "Not an admin", body = ErrorMessage),
        (status = 409, description = "The e-mail is taken", body = ErrorMessage),
        (status = 413, description = "Body larger than the limit", body = ErrorMessage),
        (status = 422, description = "Invalid body; a solicitante without `persona_id`; no such persona", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn crear(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    Json(dto): Json<UsuarioCreate>,
) -> Result<HttpResponse, ApiError> {
    let u = usuarios::crear(&state.pool, &state.auth, &caller, &dto).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/usuarios/{}", u.id)))
        .json(u))
}

/// Lists accounts, newest first (admin): `q` on the e-mail, `rol`, `activo`; keyset
/// pagination as the other lists.
#[utoipa::path(get, path = "/api/v1/usuarios", tag = "usuarios",
    params(UsuarioListQuery),
    responses(
        (status = 200, description = "A page of usuarios", body = Page<UsuarioResponse>),
        (status = 403, description = "Not an admin", body = ErrorMessage),
        (status = 422, description = "Bad parameter or cursor", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn listar(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    Query(query): Query<UsuarioListQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(usuarios::listar(&state.pool, &caller, &query).await?))
}

/// Reads an account (admin).
#[utoipa::path(get, path = "/api/v1/usuarios/{id}", tag = "usuarios",
    params(("id" = uuid::Uuid, Path, description = "The usuario's id")),
    responses(
        (status = 200, description = "The usuario", body = UsuarioResponse),
        (status = 403, description = "Not an admin", body = ErrorMessage),
        (status = 404, description = "No such usuario", body = ErrorMessage),
        (status = 422, description = "Malformed id", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn obtener(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: Id<UsuarioId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(usuarios::obtener(&state.pool, &caller, id.into_inner()).await?))
}

/// Changes an account (admin): `email`, `rol`, `activo`, `password`, `persona_id`.
///
/// A change of rol or a deactivation takes effect on the account's very next request, on
/// every replica. Deactivating or setting a password closes every session of the account.
/// Accounts are never deleted (the historial keeps its actors). Demoting or deactivating the
/// last active admin is a 409.
#[utoipa::path(patch, path = "/api/v1/usuarios/{id}", tag = "usuarios",
    params(("id" = uuid::Uuid, Path, description = "The usuario's id")),
    request_body(content = UsuarioUpdate, content_type = "application/json"),
    responses(
        (status = 200, description = "The usuario after the change", body = UsuarioResponse),
        (status = 403, description = "Not an admin", body = ErrorMessage),
        (status = 404, description = "No such usuario", body = ErrorMessage),
        (status = 409, description = "The e-mail is taken, or it is the last active admin", body = ErrorMessage),
        (status = 413, description = "Body larger than the limit", body = ErrorMessage),
        (status = 422, description = "Invalid body or id", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn editar(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    Parts((id, Json(dto))): Parts<(Id<UsuarioId>, Json<UsuarioUpdate>)>,
) -> Result<HttpResponse, ApiError> {
    let u = usuarios::editar(&state.pool, &state.auth, &caller, id.into_inner(), &dto).await?;
    Ok(HttpResponse::Ok().json(u))
}
