//! Thin handlers: extract and validate (see [`crate::extract`]), call one use case, answer.

pub mod estadisticas;
pub mod meta;
pub mod personas;
pub mod solicitudes;

use std::time::Duration;

use actix_web::web;

use crate::guard::guarded;
use crate::middleware::method_not_allowed;

/// A resource that answers 405, with `Allow`, to any method it has no route for.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move { method_not_allowed(allow) }))
}

/// Registers the `/api/v1` resources. `HEAD` is answered wherever `GET` is. Every handler
/// runs [`guarded`]: a panic is a 500, a handler slower than `timeout` a 503.
pub fn configure(cfg: &mut web::ServiceConfig, timeout: Duration) {
    cfg.service(
        resource("/personas", "GET, HEAD, POST")
            .route(web::get().to(guarded(personas::listar, timeout)))
            .route(web::head().to(guarded(personas::listar, timeout)))
            .route(web::post().to(guarded(personas::crear, timeout))),
    )
    .service(
        resource("/personas/{id}", "GET, HEAD, PATCH, DELETE")
            .route(web::get().to(guarded(personas::obtener, timeout)))
            .route(web::head().to(guarded(personas::obtener, timeout)))
            .route(web::patch().to(guarded(personas::editar, timeout)))
            .route(web::delete().to(guarded(personas::borrar, timeout))),
    )
    .service(
        resource("/solicitudes", "GET, HEAD, POST")
            .route(web::get().to(guarded(solicitudes::listar, timeout)))
            .route(web::head().to(guarded(solicitudes::listar, timeout)))
            .route(web::post().to(guarded(solicitudes::crear, timeout))),
    )
    .service(
        resource("/solicitudes/{id}", "GET, HEAD, PATCH, DELETE")
            .route(web::get().to(guarded(solicitudes::obtener, timeout)))
            .route(web::head().to(guarded(solicitudes::obtener, timeout)))
            .route(web::patch().to(guarded(solicitudes::editar, timeout)))
            .route(web::delete().to(guarded(solicitudes::borrar, timeout))),
    )
    .service(
        resource("/solicitudes/{id}/transiciones", "POST")
            .route(web::post().to(guarded(solicitudes::transicionar, timeout))),
    )
    .service(
        resource("/solicitudes/{id}/historial", "GET, HEAD")
            .route(web::get().to(guarded(solicitudes::historial, timeout)))
            .route(web::head().to(guarded(solicitudes::historial, timeout))),
    )
    .service(
        resource("/estadisticas", "GET, HEAD")
            .route(web::get().to(guarded(estadisticas::obtener, timeout)))
            .route(web::head().to(guarded(estadisticas::obtener, timeout))),
    );
}
