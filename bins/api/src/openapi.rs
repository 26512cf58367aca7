//! The OpenAPI 3.1 document (`/openapi.json`), Swagger UI (`/docs`) and ReDoc (`/redoc`).

use actix_web::{HttpResponse, web};
use utoipa::OpenApi;
use utoipa_redoc::{Redoc, Servable};
use utoipa_swagger_ui::SwaggerUi;

use crate::routes::{estadisticas, meta, personas, solicitudes};

/// The document, generated from the handlers' `#[utoipa::path]` attributes and the schemas'
/// `ToSchema` derives: it cannot drift from the code. `openapi.snap` holds a snapshot, so every
/// change to the contract shows in review.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Solicitudes API",
        description = "File, review and track *solicitudes*: requests that personas submit and \
reviewers approve or reject.\n\n\
**Errors.** A 422 has FastAPI's shape — `{\"detail\": [{\"loc\": [\"body\", \"titulo\"], \"msg\": \"…\", \"type\": \"…\"}]}` \
with one entry per problem, all problems at once; `loc` starts with `body`, `query`, `path` or `header`. \
Every other error is `{\"detail\": \"…\"}`. A 503 (database unavailable) carries `Retry-After`.\n\n\
**Lists** use keyset pagination: pass `next_cursor` back as `cursor`, with the same filters.\n\n\
**Concurrency.** A solicitud's `ETag` is its version; send it back in `If-Match` when changing it \
to get a 412 instead of overwriting someone else's change.\n\n\
Every response carries `X-Request-Id` (yours, if it is 1–128 characters of `[A-Za-z0-9._:-]`).",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        meta::root,
        meta::healthz,
        meta::readyz,
        personas::crear,
        personas::listar,
        personas::obtener,
        personas::editar,
        personas::borrar,
        solicitudes::crear,
        solicitudes::listar,
        solicitudes::obtener,
        solicitudes::editar,
        solicitudes::borrar,
        solicitudes::transicionar,
        solicitudes::historial,
        estadisticas::obtener,
    ),
    tags(
        (name = "personas", description = "The people who file solicitudes"),
        (name = "solicitudes", description = "Requests: filing, lists, edits with optimistic concurrency, the review workflow and its historial"),
        (name = "estadisticas", description = "Counts for the dashboard"),
        (name = "meta", description = "Service information and probes"),
    )
)]
pub struct ApiDoc;

/// The document as pretty JSON (what `solicitudes-api openapi` prints).
pub fn to_pretty_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Registers `/openapi.json`, `/docs` and `/redoc`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/docs").route(web::get().to(|| async {
        HttpResponse::PermanentRedirect()
            .insert_header(("Location", "/docs/"))
            .finish()
    })))
    .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", ApiDoc::openapi()))
    .service(Redoc::with_url("/redoc", ApiDoc::openapi()));
}
