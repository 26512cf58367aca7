//! The OpenAPI 3.1 document (`/openapi.json`), Swagger UI (`/docs`) and ReDoc (`/redoc`).

use actix_web::{HttpResponse, web};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{RefOr, extensions::Extensions};
use utoipa::{Modify, OpenApi};
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
    modifiers(&Refinements),
    tags(
        (name = "personas", description = "The people who file solicitudes"),
        (name = "solicitudes", description = "Requests: filing, lists, edits with optimistic concurrency, the review workflow and its historial"),
        (name = "estadisticas", description = "Counts for the dashboard"),
        (name = "meta", description = "Service information and probes"),
    )
)]
pub struct ApiDoc;

/// White space as Rust's `str::trim` (and so the service) sees it: Unicode `White_Space`.
const WHITE_SPACE: &str =
    r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// Rules the derives cannot state, added to the generated document.
///
/// - `TransicionCreate`: moving to `rechazada` requires a `comentario` with at least one
///   character that is not white space: `allOf: [{if: …, then: …}]` next to the properties.
///   utoipa has no type for `if`/`then` beside `properties`, so it goes in through the object's
///   extension map, which is serialised flat.
struct Refinements;

impl Modify for Refinements {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        if let Some(RefOr::T(Schema::Object(transicion))) =
            components.schemas.get_mut("TransicionCreate")
        {
            let no_en_blanco = format!(r"^[^\u0000]*[^\u0000{WHITE_SPACE}][^\u0000]*$");
            // One key (`allOf`): the extension map is a HashMap, so two keys (`if`, `then`)
            // would come out in a different order on every run.
            let rule: Extensions = [(
                "allOf",
                serde_json::json!([{
                    "if": {
                        "properties": {"estado": {"const": "rechazada"}},
                        "required": ["estado"]
                    },
                    "then": {
                        "required": ["comentario"],
                        "properties": {"comentario": {"type": "string", "pattern": no_en_blanco}}
                    }
                }]),
            )]
            .into_iter()
            .collect();
            transicion
                .extensions
                .get_or_insert_with(Extensions::default)
                .merge(rule);
        }
    }
}

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
