//! The actix `App`: the same one the server runs and the tests drive in-process.

use std::time::Duration;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, Error, web};

use crate::extract::{BodyLimit, BodyTimeout};
use crate::head_limits;
use crate::middleware::{self, X_REQUEST_ID};
use crate::openapi;
use crate::routes;
use crate::spa::{self, SpaDir};
use crate::state::AppState;

/// Where the resources live; their responses are never cached.
const API: &str = "/api/v1";

/// What the app needs from the configuration ([`crate::config::Settings::http`]).
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest accepted body, in bytes.
    pub body_limit_bytes: usize,
    /// Origins CORS admits.
    pub cors_origins: Vec<String>,
    /// How long a handler may run before it is abandoned with a 503.
    pub request_timeout: Duration,
    /// The built SPA to serve at `/`, if any.
    pub spa: Option<SpaDir>,
}

/// Builds the application.
pub fn build_app(
    state: AppState,
    http: HttpSettings,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let spa = http.spa.clone();
    App::new()
        .app_data(web::Data::new(state))
        .app_data(BodyLimit(http.body_limit_bytes))
        .app_data(BodyTimeout(http.request_timeout))
        .wrap(cors(&http.cors_origins))
        // Outside CORS, so a refused preflight's plain-text 400 becomes JSON too.
        .wrap(from_fn(middleware::json_errors))
        .wrap(
            DefaultHeaders::new()
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .add((header::X_FRAME_OPTIONS, "DENY"))
                .add((header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'")),
        )
        .wrap(from_fn(middleware::request_id))
        .configure(|cfg| routes::configure(cfg, http.request_timeout, "", &[API]))
        .route(head_limits::PATH, web::get().to(head_limits::responder))
        .configure(openapi::configure)
        .service(
            web::scope(API)
                .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
                .configure(|cfg| routes::configure(cfg, http.request_timeout, API, &[])),
        )
        .configure(|cfg| {
            if let Some(dir) = &spa {
                cfg.app_data(web::Data::new(dir.clone()));
                spa::configure(cfg, dir);
            }
        })
        .default_service(web::to(middleware::not_found))
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allowed_headers([
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::AUTHORIZATION,
            X_REQUEST_ID,
            header::HeaderName::from_static(crate::auth::CSRF_HEADER),
        ])
        .expose_headers([header::ETAG, header::LOCATION, X_REQUEST_ID])
        .max_age(3600)
        // The web application's dev server (another origin) sends the session cookie.
        .supports_credentials()
        // A request from an origin not on the list is served without CORS headers (the
        // browser then withholds the response) rather than refused: curl and server-to-server
        // callers send no Origin, and proxies may add one.
        .block_on_origin_mismatch(false);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}
