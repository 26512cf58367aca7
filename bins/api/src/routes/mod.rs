//! Thin handlers: extract and validate (see [`crate::extract`]), call one use case, answer.

pub mod estadisticas;
pub mod meta;
pub mod personas;
pub mod solicitudes;

use actix_web::web;

use crate::middleware::method_not_allowed;

/// A resource that answers 405, with `Allow`, to any method it has no route for.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move { method_not_allowed(allow) }))
}

/// Registers the `/api/v1` resources. `HEAD` is answered wherever `GET` is.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/personas", "GET, HEAD, POST")
            .route(web::get().to(personas::listar))
            .route(web::head().to(personas::listar))
            .route(web::post().to(personas::crear)),
    )
    .service(
        resource("/personas/{id}", "GET, HEAD, PATCH, DELETE")
            .route(web::get().to(personas::obtener))
            .route(web::head().to(personas::obtener))
            .route(web::patch().to(personas::editar))
            .route(web::delete().to(personas::borrar)),
    )
    .service(
        resource("/solicitudes", "GET, HEAD, POST")
            .route(web::get().to(solicitudes::listar))
            .route(web::head().to(solicitudes::listar))
            .route(web::post().to(solicitudes::crear)),
    )
    .service(
        resource("/solicitudes/{id}", "GET, HEAD, PATCH, DELETE")
            .route(web::get().to(solicitudes::obtener))
            .route(web::head().to(solicitudes::obtener))
            .route(web::patch().to(solicitudes::editar))
            .route(web::delete().to(solicitudes::borrar)),
    )
    .service(
        resource("/solicitudes/{id}/transiciones", "POST")
            .route(web::post().to(solicitudes::transicionar)),
    )
    .service(
        resource("/solicitudes/{id}/historial", "GET, HEAD")
            .route(web::get().to(solicitudes::historial))
            .route(web::head().to(solicitudes::historial)),
    )
    .service(
        resource("/estadisticas", "GET, HEAD")
            .route(web::get().to(estadisticas::obtener))
            .route(web::head().to(estadisticas::obtener)),
    );
}
