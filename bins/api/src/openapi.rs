//! The OpenAPI 3.1 document (`/openapi.json`), Swagger UI (`/docs`) and ReDoc (`/redoc`).

use actix_web::{HttpResponse, web};
use solicitudes_domain::Estado;
use utoipa::openapi::content::Content;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::Paths;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, Schema, Type};
use utoipa::openapi::security::{
    Flow, OAuth2, Password, Scopes, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Ref, RefOr, extensions::Extensions};
use utoipa::{Modify, OpenApi};
use utoipa_redoc::{Redoc, Servable};
use utoipa_swagger_ui::SwaggerUi;

use crate::routes;

/// The document's frame: information, tags. Its paths and schemas are added by [`document`]
/// from the same list of operations the server registers ([`routes::operations`]).
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
**Identity and access.** Every operation under `/api/v1` needs a caller, except logging in \
(`POST /api/v1/auth/token`, which the **Authorize** button uses) and open registration. Without \
valid credentials: 401 with `WWW-Authenticate: Bearer`. What the caller may do depends on their \
`rol` (solicitante, revisor, admin): what they may not see is a 404, what they may see but not \
do a 403; a solicitante's lists, counts and cursors only ever include their own persona's rows. \
Precedence: 401, 404, 403, 412, 409; a malformed request (422) comes right after 401.\n\n\
Every response carries `X-Request-Id` (yours, if it is 1–128 characters of `[A-Za-z0-9._:-]`).",
        license(name = "MIT OR Apache-2.0"),
    ),
    tags(
        (name = "personas", description = "The people who file solicitudes"),
        (name = "solicitudes", description = "Requests: filing, lists, edits with optimistic concurrency, the review workflow and its historial"),
        (name = "estadisticas", description = "Counts for the dashboard"),
        (name = "auth", description = "Logging in and out, the caller's account and sessions"),
        (name = "usuarios", description = "Accounts and their roles (admin only)"),
        (name = "meta", description = "Service information and probes"),
    )
)]
pub struct ApiDoc;

use solicitudes_schemas::text::WHITE_SPACE;

/// Rules the derives cannot state, added to the generated document.
///
/// - The string rules of `solicitudes_schemas::openapi::string_rules` (patterns and lengths
///   taken from the constants garde checks).
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
        for rule in solicitudes_schemas::openapi::string_rules() {
            if let Some(RefOr::T(Schema::Object(schema))) = components.schemas.get_mut(rule.schema)
                && let Some(RefOr::T(Schema::Object(property))) =
                    schema.properties.get_mut(rule.property)
            {
                property.pattern = Some(rule.pattern);
                // A rule that says nothing of a length leaves the derive's.
                if rule.min_length.is_some() {
                    property.min_length = rule.min_length;
                }
                if rule.max_length.is_some() {
                    property.max_length = rule.max_length;
                }
            }
        }
        if let Some(RefOr::T(Schema::Object(transicion))) =
            components.schemas.get_mut("TransicionCreate")
        {
            let no_en_blanco = format!(r"^[^\u0000]*[^\u0000{WHITE_SPACE}][^\u0000]*$");
            // The estados the domain says need a comentario (today only `rechazada`).
            let estados: Vec<&str> = Estado::TODOS
                .into_iter()
                .filter(|e| e.requiere_comentario())
                .map(Estado::as_str)
                .collect();
            let con_comentario = match estados.as_slice() {
                [one] => serde_json::json!({ "const": one }),
                many => serde_json::json!({ "enum": many }),
            };
            // One key (`allOf`): the extension map is a HashMap, so two keys (`if`, `then`)
            // would come out in a different order on every run.
            let rule: Extensions = [(
                "allOf",
                serde_json::json!([{
                    "if": {
                        "properties": {"estado": con_comentario},
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

/// The OpenAPI document, generated from the handlers' `#[utoipa::path]` attributes and the
/// schemas' `ToSchema` derives, for exactly the operations the server registers: it cannot
/// drift from the code. `openapi.snap` holds a snapshot, so every change to the contract shows
/// in review.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let mut schemas = Vec::new();
    let unauthorized = unauthorized_response();
    for op in routes::operations() {
        let mut paths = op.doc.paths();
        if !op.public {
            protect(&mut paths, &unauthorized);
        }
        doc.paths.merge(paths);
        op.doc.schemas(&mut schemas);
    }
    schemas.extend(solicitudes_schemas::openapi::parameter_schemas());
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
    components.add_security_scheme(SECURITY_SCHEME, security_scheme());
    Refinements.modify(&mut doc);
    doc
}

/// The name of the document's security scheme (FastAPI's, so clients generated for a FastAPI
/// service find the same one).
pub const SECURITY_SCHEME: &str = "OAuth2PasswordBearer";

/// OAuth2's password flow against `POST /api/v1/auth/token`: what Swagger UI's **Authorize**
/// button fills in (e-mail as username, password) and then sends as `Authorization: Bearer`.
fn security_scheme() -> SecurityScheme {
    SecurityScheme::OAuth2(OAuth2::with_description(
        [Flow::Password(Password::new(
            "/api/v1/auth/token",
            Scopes::new(),
        ))],
        "Log in with your e-mail (as `username`) and password. The token answered is sent \
             as `Authorization: Bearer <token>`. The web application uses an HttpOnly session \
             cookie instead (`POST /api/v1/auth/cookie`).",
    ))
}

/// The 401 every protected operation can answer.
fn unauthorized_response() -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(
                "No credentials, or a token that is unknown, expired or revoked, or an inactive \
                 account; also before any other problem of the request",
            )
            .header(
                "WWW-Authenticate",
                Header::builder()
                    .schema(Some(Object::with_type(Type::String)))
                    .description(Some("`Bearer`"))
                    .build(),
            )
            .content(
                "application/json",
                Content::new(Some(RefOr::<Schema>::Ref(Ref::from_schema_name(
                    "ErrorMessage",
                )))),
            )
            .build(),
    )
}

/// Puts the security requirement and the 401 on every operation of `paths`, and the CSRF
/// 403 on those that change state.
fn protect(paths: &mut Paths, unauthorized: &RefOr<Response>) {
    let csrf = RefOr::T(
        ResponseBuilder::new()
            .description(
                "Authenticated by the session cookie without `X-Requested-With: XMLHttpRequest` \
                 (CSRF protection); or the access policy forbids it",
            )
            .content(
                "application/json",
                Content::new(Some(RefOr::<Schema>::Ref(Ref::from_schema_name(
                    "ErrorMessage",
                )))),
            )
            .build(),
    );
    for item in paths.paths.values_mut() {
        for op in [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            op.responses
                .responses
                .entry("403".to_owned())
                .or_insert_with(|| csrf.clone());
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for op in operations.into_iter().flatten() {
            op.security = Some(vec![SecurityRequirement::new(
                SECURITY_SCHEME,
                Vec::<String>::new(),
            )]);
            op.responses
                .responses
                .entry("401".to_owned())
                .or_insert_with(|| unauthorized.clone());
        }
    }
}

/// The document as pretty JSON (what `solicitudes-api openapi` prints).
///
/// # Errors
/// When the document cannot be serialised (it is built from static data, so only a bug in a
/// schema could cause this).
pub fn to_pretty_json() -> Result<String, serde_json::Error> {
    document().to_pretty_json()
}

/// The ReDoc version embedded in the binary (see `bins/api/vendor/redoc/README.md`).
pub const REDOC_VERSION: &str = "2.5.4";

/// ReDoc's standalone bundle, served at [`REDOC_JS_PATH`] so `/redoc` needs no network.
const REDOC_JS: &[u8] = include_bytes!("../vendor/redoc/redoc.standalone.js");

/// Where the page loads the bundle from.
pub const REDOC_JS_PATH: &str = "/redoc/redoc.standalone.js";

/// The ReDoc page: the upstream quick-start template with the bundle served by this binary and
/// no web fonts (the system's sans-serif instead), so it renders offline and behind proxies
/// that block CDNs. `$spec` and `$config` are filled in by `utoipa-redoc`.
const REDOC_HTML: &str = r#"<!DOCTYPE html>
<html lang="es">
  <head>
    <title>Solicitudes API — ReDoc</title>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <style>
      body { margin: 0; padding: 0; }
    </style>
  </head>
  <body>
    <div id="redoc-container"></div>
    <script src="/redoc/redoc.standalone.js"></script>
    <script>
      Redoc.init($spec, $config, document.getElementById("redoc-container"));
    </script>
  </body>
</html>
"#;

/// Swagger UI's `index.html` made to work at `/docs` as well as `/docs/`: its asset links are
/// relative (`./swagger-ui.css`), so a `<base href="/docs/">` makes them resolve under `/docs/`
/// whichever of the two URLs loaded the page. FastAPI answers `/docs` with a 200, and so do we.
fn swagger_index() -> Option<String> {
    let config = std::sync::Arc::new(utoipa_swagger_ui::Config::new(["/openapi.json"]));
    let file = utoipa_swagger_ui::serve("index.html", config).ok()??;
    if file.gzpipped {
        return None;
    }
    let html = String::from_utf8(file.bytes.into_owned()).ok()?;
    html.contains("<head>")
        .then(|| html.replacen("<head>", "<head>\n    <base href=\"/docs/\" />", 1))
}

/// Registers `/openapi.json`, `/docs` (and everything under `/docs/`), `/redoc` and ReDoc's
/// bundle.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let docs = match swagger_index() {
        Some(html) => {
            let html = web::Bytes::from(html);
            web::resource("/docs").route(web::get().to(move || {
                let html = html.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .body(html)
                }
            }))
        }
        // Only if a future utoipa-swagger-ui shipped its index differently: still usable.
        None => web::resource("/docs").route(web::get().to(|| async {
            HttpResponse::PermanentRedirect()
                .insert_header(("Location", "/docs/"))
                .finish()
        })),
    };
    cfg.service(docs)
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", document()))
        .service(web::resource(REDOC_JS_PATH).route(web::get().to(|| async {
            HttpResponse::Ok()
                .content_type("text/javascript; charset=utf-8")
                // The bundle changes only with the binary; a day's caching is safe.
                .insert_header(("Cache-Control", "public, max-age=86400"))
                .body(REDOC_JS)
        })))
        .service(Redoc::with_url("/redoc", document()).custom_html(REDOC_HTML));
}
