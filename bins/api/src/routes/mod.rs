//! Thin handlers: extract and validate (see [`crate::extract`]), call one use case, answer.

pub mod meta;
pub mod personas;
pub mod solicitudes;

use actix_web::web;

use crate::middleware::method_not_allowed;

/// Registers the `/api/v1` resources.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/personas")
            .route(web::get().to(personas::listar))
            .route(web::post().to(personas::crear))
            .default_service(web::to(|| async { method_not_allowed("GET, POST") })),
    )
    .service(
        web::resource("/personas/{id}")
            .route(web::get().to(personas::obtener))
            .route(web::patch().to(personas::editar))
            .route(web::delete().to(personas::borrar))
            .default_service(web::to(|| async {
                method_not_allowed("GET, PATCH, DELETE")
            })),
    )
    .service(
        web::resource("/solicitudes")
            .route(web::post().to(solicitudes::crear))
            .default_service(web::to(|| async { method_not_allowed("POST") })),
    )
    .service(
        web::resource("/solicitudes/{id}")
            .route(web::get().to(solicitudes::obtener))
            .route(web::patch().to(solicitudes::editar))
            .route(web::delete().to(solicitudes::borrar))
            .default_service(web::to(|| async {
                method_not_allowed("GET, PATCH, DELETE")
            })),
    );
}
