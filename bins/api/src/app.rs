//! The actix `App`: the same one the server runs and the tests drive in-process.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, Error, web};

use crate::extract::BodyLimit;
use crate::middleware::{self, X_REQUEST_ID};
use crate::routes;
use crate::state::AppState;
use crate::{openapi, routes::meta};

/// What the app needs from the configuration.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest accepted body, in bytes.
    pub body_limit_bytes: usize,
    /// Origins CORS admits.
    pub cors_origins: Vec<String>,
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
    App::new()
        .app_data(web::Data::new(state))
        .app_data(BodyLimit(http.body_limit_bytes))
        .wrap(cors(&http.cors_origins))
        // Outside CORS, so a refused preflight's plain-text 400 becomes JSON too.
        .wrap(from_fn(middleware::json_errors))
        .wrap(
            DefaultHeaders::new()
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .add((header::X_FRAME_OPTIONS, "DENY")),
        )
        .wrap(from_fn(middleware::request_id))
        .service(web::resource("/").route(web::get().to(meta::root)))
        .service(web::resource("/healthz").route(web::get().to(meta::healthz)))
        .service(web::resource("/readyz").route(web::get().to(meta::readyz)))
        .configure(openapi::configure)
        .service(
            web::scope("/api/v1")
                .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
                .configure(routes::configure),
        )
        .default_service(web::to(middleware::not_found))
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allowed_headers([header::CONTENT_TYPE, header::IF_MATCH, X_REQUEST_ID])
        .expose_headers([header::ETAG, header::LOCATION, X_REQUEST_ID])
        .max_age(3600)
        // A request from an origin not on the list is served without CORS headers (the
        // browser then withholds the response) rather than refused: curl and server-to-server
        // callers send no Origin, and proxies may add one.
        .block_on_origin_mismatch(false);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}
