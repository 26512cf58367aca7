//! Who is calling: credentials, the authentication gate and the [`Authenticated`] extractor.
//!
//! Deny by default. Every operation in [`crate::routes::operations`] is protected unless the
//! list marks it public, and each protected resource is wrapped in [`require`]: a request
//! without valid credentials never reaches the handler (a 401 whatever else is wrong with
//! it, as the contract says), and the handler gets the caller from [`Authenticated`]. What
//! the caller may then do is the services' business: each use case takes the
//! [`Caller`] and asks the domain's policy.
//!
//! Credentials, in this order:
//! 1. `Authorization: Bearer <token>` — Swagger UI, curl, other services.
//! 2. The cookie [`SESSION_COOKIE`] that `POST /api/v1/auth/cookie` sets for the web
//!    application: `HttpOnly` (no page script can read it), `SameSite=Strict`, `Path=/`,
//!    `Secure` when the request came over HTTPS. A cookie is sent by the browser on its own,
//!    so a cookie-authenticated request that changes state (any method but GET, HEAD and
//!    OPTIONS) must also carry [`CSRF_HEADER`]` : XMLHttpRequest` — a header another site
//!    cannot add without a CORS preflight, which only the configured origins pass. Without it:
//!    403 `csrf_rejected`.

use std::net::IpAddr;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::{Ready, ready};
use solicitudes_domain::Caller;
use solicitudes_services::ServiceError;

use crate::error::ApiError;
use crate::state::AppState;

/// The web application's session cookie.
pub const SESSION_COOKIE: &str = "solicitudes_sesion";

/// The header a cookie-authenticated state-changing request must carry (with the value
/// [`CSRF_VALUE`]): axios and fetch callers add it; a cross-site form or image cannot.
pub const CSRF_HEADER: &str = "x-requested-with";

/// The value of [`CSRF_HEADER`].
pub const CSRF_VALUE: &str = "XMLHttpRequest";

/// Where a request's token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `Authorization: Bearer`.
    Bearer,
    /// The [`SESSION_COOKIE`].
    Cookie,
}

/// The token of a request and where it came from. `None` when it sent none (an
/// `Authorization` header of another scheme counts as none). A bearer token is borrowed
/// from the header (the hot path: no copy); the cookie's is parsed out of `Cookie`.
fn credential(req: &HttpRequest) -> Option<(std::borrow::Cow<'_, str>, Via)> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.trim().split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| (token.trim().into(), Via::Bearer));
    }
    req.cookie(SESSION_COOKIE)
        .map(|c| (c.value().to_owned().into(), Via::Cookie))
}

/// Whether the method changes state (so a cookie needs the CSRF header).
fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the request carries [`CSRF_HEADER`]` : `[`CSRF_VALUE`].
pub fn csrf_ok(req: &HttpRequest) -> bool {
    req.headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == CSRF_VALUE)
}

/// The gate in front of every protected resource (middleware): authenticates the request's
/// token and puts the [`Caller`] (and [`Via`]) in its extensions, or answers 401 (no, unknown,
/// expired or revoked token; inactive account) or 403 (a cookie without the CSRF header on a
/// request that changes state) before the handler's extractors run.
///
/// # Errors
/// As said; 503 when the token must be looked up and the database is down.
pub async fn require<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    match authenticate(&req).await {
        Ok((caller, via)) => {
            {
                let mut extensions = req.extensions_mut();
                extensions.insert(caller);
                extensions.insert(via);
            }
            Ok(next.call(req).await?.map_into_left_body())
        }
        // Answered here, as a response rather than an `Err`, so the outer middleware (request
        // id, security headers, CORS) treat it like any other response.
        Err(e) => Ok(req.error_response(e).map_into_right_body()),
    }
}

async fn authenticate(req: &ServiceRequest) -> Result<(Arc<Caller>, Via), ApiError> {
    let Some((token, via)) = credential(req.request()) else {
        return Err(ApiError::Service(ServiceError::Unauthorized));
    };
    if via == Via::Cookie && changes_state(req.method()) && !csrf_ok(req.request()) {
        return Err(ApiError::CsrfRejected);
    }
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(ApiError::Service(ServiceError::Internal(
            "AppState missing from the app data".to_owned(),
        )));
    };
    let caller = state.auth.authenticate(&state.pool, &token).await?;
    Ok((caller, via))
}

/// The authenticated caller of a protected operation (put there by [`require`]), shared
/// with the session cache (`&caller` is a `&Caller`).
#[derive(Debug, Clone)]
pub struct Authenticated(pub Arc<Caller>);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Missing only if a handler that needs a caller were listed as public: deny.
        ready(
            req.extensions()
                .get::<Arc<Caller>>()
                .cloned()
                .map(Authenticated)
                .ok_or(ApiError::Service(ServiceError::Unauthorized)),
        )
    }
}

/// Where the request came from and with what, for login throttling and the sessions list.
#[derive(Debug, Clone)]
pub struct Client {
    /// The peer's address (the TCP connection's: a proxy's `X-Forwarded-For` is not trusted,
    /// so no client can pick the address it is throttled under).
    pub ip: Option<IpAddr>,
    /// Its `User-Agent`, if readable.
    pub user_agent: Option<String>,
    /// Whether the request arrived over HTTPS (so the session cookie is `Secure`).
    pub https: bool,
    /// Whether the token came from the session cookie.
    pub via_cookie: bool,
    /// Whether the request carries the CSRF header.
    pub csrf_ok: bool,
}

impl FromRequest for Client {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Client {
            ip: req.peer_addr().map(|a| a.ip()),
            user_agent: req
                .headers()
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            https: req.connection_info().scheme() == "https",
            via_cookie: req.extensions().get::<Via>() == Some(&Via::Cookie),
            csrf_ok: csrf_ok(req),
        }))
    }
}

/// The session cookie carrying `token` for `max_age_secs`.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(CookieDuration::seconds(max_age_secs))
        .finish()
}

/// The cookie that makes the browser forget the session cookie.
pub fn expired_session_cookie(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie("", 0, secure);
    c.make_removal();
    c
}
