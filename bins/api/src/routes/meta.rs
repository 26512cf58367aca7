//! `/`, `/healthz`, `/readyz`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use solicitudes_persistence::migrations;
use solicitudes_schemas::{ErrorCode, ErrorMessage};
use utoipa::ToSchema;

use crate::spa::{self, SpaDir};
use crate::state::AppState;

/// What `/` answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceInfo {
    /// Service name.
    #[schema(example = "solicitudes")]
    pub name: &'static str,
    /// Service version.
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    /// Swagger UI.
    #[schema(example = "/docs")]
    pub docs: &'static str,
    /// ReDoc.
    #[schema(example = "/redoc")]
    pub redoc: &'static str,
    /// The OpenAPI document.
    #[schema(example = "/openapi.json")]
    pub openapi: &'static str,
    /// Where the resources live.
    #[schema(example = "/api/v1")]
    pub api: &'static str,
}

/// Status body of the probes.
#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Where to go from here.
///
/// Browsers (`Accept: text/html`) get the web application when it is built and served
/// (`server.static_dir`); everyone else gets this description.
#[utoipa::path(get, path = "/", tag = "meta",
    responses((status = 200, description = "Name, version and links (or the web application, for browsers)", body = ServiceInfo)))]
pub async fn root(req: HttpRequest, spa: Option<web::Data<SpaDir>>) -> HttpResponse {
    if let Some(dir) = spa
        && spa::wants_html(&req)
    {
        return spa::index(&dir, &req);
    }
    HttpResponse::Ok().json(ServiceInfo {
        name: "solicitudes",
        version: env!("CARGO_PKG_VERSION"),
        docs: "/docs",
        redoc: "/redoc",
        openapi: "/openapi.json",
        api: "/api/v1",
    })
}

/// Liveness: the process answers. Does not touch the database.
#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, description = "The process is alive", body = Status, example = json!({"status": "ok"}))))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Status { status: "ok" })
}

/// Readiness: the database answers and every migration is applied.
#[utoipa::path(get, path = "/readyz", tag = "meta",
    responses(
        (status = 200, description = "Ready to serve", body = Status, example = json!({"status": "ok"})),
        (status = 503, description = "Database unreachable or migrations pending", body = ErrorMessage,
            example = json!({"detail": "La base de datos no responde", "code": "database_unavailable"})),
    ))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let unavailable = |detail: &str| {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "1"))
            .json(ErrorMessage::new(ErrorCode::DatabaseUnavailable, detail))
    };
    let mut conn = match state.pool.get().await {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!(error = %e, "readyz: no database connection");
            return unavailable("La base de datos no responde");
        }
    };
    match migrations::all_applied(&mut conn, &state.expected_migrations).await {
        Ok(true) => HttpResponse::Ok().json(Status { status: "ok" }),
        Ok(false) => unavailable("Hay migraciones pendientes de aplicar"),
        Err(e) => {
            tracing::warn!(error = %e, "readyz: migration check failed");
            unavailable("La base de datos no responde")
        }
    }
}
