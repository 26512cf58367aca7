//! `/api/v1/auth`: logging in and out, the caller's account and sessions.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use solicitudes_domain::SesionId;
use solicitudes_schemas::auth::{
    LoginForm, PasswordChange, Registro, SesionResponse, TokenResponse,
};
use solicitudes_schemas::usuario::UsuarioResponse;
use solicitudes_schemas::{ErrorMessage, HttpValidationError};
use solicitudes_services::usuarios;

use crate::auth::{Authenticated, Client, expired_session_cookie, session_cookie};
use crate::error::ApiError;
use crate::extract::{Id, Json, LoginBody};
use crate::state::AppState;

/// Logs in: the OAuth2 password grant.
///
/// Form-encoded (`grant_type=password&username=…&password=…`, what Swagger UI's
/// **Authorize** dialog sends) or JSON with the same fields. Answers a bearer token for
/// `Authorization: Bearer <token>`, valid `expires_in` seconds unless revoked. An unknown
/// e-mail, a wrong password and a deactivated account get the same 401 in the same time.
/// Repeated failures for one account (5) or from one client address (100) within 15 minutes
/// are answered 429 with `Retry-After`, for a wait that doubles with each further failure, up
/// to 15 minutes.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth",
    request_body(
        content(
            (LoginForm = "application/x-www-form-urlencoded"),
            (LoginForm = "application/json"),
        ),
        description = "The OAuth2 password grant"),
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong e-mail or password, or a deactivated account (the same answer)", body = ErrorMessage,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 413, description = "Body larger than the limit", body = ErrorMessage),
        (status = 422, description = "Malformed form or body", body = HttpValidationError),
        (status = 429, description = "Too many failed logins for this account or address", body = ErrorMessage,
            headers(("Retry-After" = String, description = "Seconds to wait"))),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn token(
    state: web::Data<AppState>,
    client: Client,
    LoginBody(form): LoginBody,
) -> Result<HttpResponse, ApiError> {
    let token = state
        .auth
        .login(&state.pool, &form, client.ip, client.user_agent.as_deref())
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::PRAGMA, "no-cache"))
        .json(token))
}

/// Logs the web application in: like `POST /auth/token`, but the token goes into the
/// `HttpOnly`, `SameSite=Strict` session cookie `solicitudes_sesion` (`Secure` over HTTPS),
/// where no page script can read it, and the answer is the usuario.
///
/// Requires `X-Requested-With: XMLHttpRequest` (403 without), like every cookie request that
/// changes state: a page on another site cannot log a browser into an account of its choosing.
#[utoipa::path(post, path = "/api/v1/auth/cookie", tag = "auth",
    params(("X-Requested-With" = String, Header, pattern = "^XMLHttpRequest$", example = "XMLHttpRequest",
        description = "Exactly `XMLHttpRequest` (CSRF protection; axios and the web application send it)")),
    request_body(
        content(
            (LoginForm = "application/json"),
            (LoginForm = "application/x-www-form-urlencoded"),
        ),
        description = "The same fields as `POST /auth/token`"),
    responses(
        (status = 200, description = "Logged in; the cookie is set", body = UsuarioResponse,
            headers(("Set-Cookie" = String, description = "`solicitudes_sesion=…; HttpOnly; SameSite=Strict; Path=/`"))),
        (status = 401, description = "Wrong e-mail or password, or a deactivated account", body = ErrorMessage),
        (status = 403, description = "Without `X-Requested-With: XMLHttpRequest`", body = ErrorMessage),
        (status = 413, description = "Body larger than the limit", body = ErrorMessage),
        (status = 422, description = "Malformed body", body = HttpValidationError),
        (status = 429, description = "Too many failed logins", body = ErrorMessage,
            headers(("Retry-After" = String, description = "Seconds to wait"))),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn cookie(
    state: web::Data<AppState>,
    client: Client,
    LoginBody(form): LoginBody,
) -> Result<HttpResponse, ApiError> {
    if !client.csrf_ok {
        return Err(ApiError::CsrfRejected);
    }
    let token: TokenResponse = state
        .auth
        .login(&state.pool, &form, client.ip, client.user_agent.as_deref())
        .await?;
    let caller = state
        .auth
        .authenticate(&state.pool, &token.access_token)
        .await?;
    let usuario = usuarios::yo(&state.pool, &caller).await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(
            &token.access_token,
            token.expires_in,
            client.https,
        ))
        .json(usuario))
}

/// Logs out: this request's token (or session cookie) stops working at once, on every
/// replica. The session cookie, if any, is cleared.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Logged out"),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn logout(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    client: Client,
) -> Result<HttpResponse, ApiError> {
    state.auth.logout(&state.pool, &caller).await?;
    let mut res = HttpResponse::NoContent();
    if client.via_cookie {
        res.cookie(expired_session_cookie(client.https));
    }
    Ok(res.finish())
}

/// The caller's own account, as it is now.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses(
        (status = 200, description = "The caller's usuario", body = UsuarioResponse),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn me(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(usuarios::yo(&state.pool, &caller).await?))
}

/// The caller's live sessions (not expired, not revoked), newest first; `actual` marks the
/// one making this request.
#[utoipa::path(get, path = "/api/v1/auth/sesiones", tag = "auth",
    responses(
        (status = 200, description = "The caller's live sessions", body = Vec<SesionResponse>),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn sesiones(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.auth.sesiones(&state.pool, &caller).await?))
}

/// Closes one of the caller's sessions (its token stops working at once). Another account's
/// session is a 404, like one that does not exist.
#[utoipa::path(delete, path = "/api/v1/auth/sesiones/{id}", tag = "auth",
    params(("id" = uuid::Uuid, Path, description = "The session's id")),
    responses(
        (status = 204, description = "Closed"),
        (status = 404, description = "The caller has no such live session", body = ErrorMessage),
        (status = 422, description = "Malformed id", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn revocar_sesion(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    id: Id<SesionId>,
) -> Result<HttpResponse, ApiError> {
    state
        .auth
        .revocar_sesion(&state.pool, &caller, id.into_inner())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes the caller's password; every other session of the account is closed (this one
/// stays). A wrong `actual` is a 422 on `["body","actual"]` and counts as a failed login.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth",
    request_body(content = PasswordChange, content_type = "application/json"),
    responses(
        (status = 204, description = "Changed"),
        (status = 413, description = "Body larger than the limit", body = ErrorMessage),
        (status = 422, description = "Wrong `actual`, or a `nueva` outside 8–128 characters", body = HttpValidationError),
        (status = 429, description = "Too many failed attempts", body = ErrorMessage,
            headers(("Retry-After" = String, description = "Seconds to wait"))),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn password(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    client: Client,
    Json(dto): Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    state
        .auth
        .cambiar_password(&state.pool, &caller, &dto, client.ip)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Open registration: creates a persona and its solicitante account in one transaction.
///
/// Served only when `auth.open_registration` is on (default off: 404, whatever the body).
/// The e-mail is the login and the persona's address; log in afterwards with
/// `POST /auth/token`.
#[utoipa::path(post, path = "/api/v1/auth/registro", tag = "auth",
    request_body(content = Registro, content_type = "application/json"),
    responses(
        (status = 201, description = "Registered", body = UsuarioResponse,
            headers(("Location" = String, description = "URL of the new usuario"))),
        (status = 404, description = "Open registration is off", body = ErrorMessage),
        (status = 409, description = "The e-mail is taken", body = ErrorMessage),
        (status = 413, description = "Body larger than the limit", body = ErrorMessage),
        (status = 422, description = "Invalid body", body = HttpValidationError),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn registro(
    state: web::Data<AppState>,
    dto: RegistroBody,
) -> Result<HttpResponse, ApiError> {
    let u = usuarios::registro(&state.pool, &state.auth, &dto.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/usuarios/{}", u.id)))
        .json(u))
}

/// The body of `POST /auth/registro`, read only when open registration is on: otherwise the
/// route does not exist (404), whatever was sent.
pub struct RegistroBody(Registro);

impl actix_web::FromRequest for RegistroBody {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let open = req
            .app_data::<web::Data<AppState>>()
            .is_some_and(|s| s.auth.settings().open_registration);
        if !open {
            return Box::pin(futures_util::future::ready(Err(ApiError::Service(
                solicitudes_services::ServiceError::NotFound(
                    solicitudes_services::Recurso::Registro,
                ),
            ))));
        }
        let body = Json::<Registro>::from_request(req, payload);
        Box::pin(async move { body.await.map(|Json(r)| RegistroBody(r)) })
    }
}
