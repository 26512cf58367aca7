//! The Vue SPA (`web/dist`), served by the same binary.
//!
//! - `/assets/…` are content-hashed by Vite: cached for a year (`immutable`).
//! - Any other path no route claims (a client-side route such as `/solicitudes/…`) gets
//!   `index.html`, uncached, so the router in the browser takes over. Unknown paths under
//!   `/api/v1` still get the API's JSON 404: that scope answers them itself.
//! - `GET /` gives the SPA to browsers (`Accept: text/html`) and the service's JSON
//!   description to everyone else.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, web};

/// Where the built SPA is (app data), when it is served.
#[derive(Debug, Clone)]
pub struct SpaDir(pub PathBuf);

impl SpaDir {
    /// `dir` when it holds a built SPA (`index.html`), else `None`.
    pub fn existing(dir: &Path) -> Option<Self> {
        dir.join("index.html")
            .is_file()
            .then(|| SpaDir(dir.to_path_buf()))
    }

    fn index(&self) -> PathBuf {
        self.0.join("index.html")
    }
}

/// Whether the client asked for a page rather than data.
pub fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// `index.html`, never cached (it names the current hashed assets).
pub fn index(dir: &SpaDir, req: &HttpRequest) -> HttpResponse {
    match NamedFile::open(dir.index()) {
        Ok(file) => {
            let mut res = file
                .use_etag(true)
                .use_last_modified(true)
                .into_response(req);
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-cache"),
            );
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "the SPA's index.html cannot be read");
            HttpResponse::NotFound().json(solicitudes_schemas::ErrorMessage::new(
                solicitudes_schemas::ErrorCode::NotFound,
                "Not Found",
            ))
        }
    }
}

/// Registers `/assets` and the catch-all that serves files or falls back to `index.html`.
/// Must be the last registration: it claims every path nothing else did.
pub fn configure(cfg: &mut web::ServiceConfig, dir: &SpaDir) {
    let fallback = dir.clone();
    cfg.service(
        web::scope("/assets")
            .wrap(
                actix_web::middleware::DefaultHeaders::new().add(CacheControl(vec![
                    CacheDirective::Public,
                    CacheDirective::MaxAge(31_536_000),
                    CacheDirective::Extension("immutable".to_owned(), None),
                ])),
            )
            .service(Files::new("", dir.0.join("assets"))),
    )
    .service(
        Files::new("/", &dir.0)
            .index_file("index.html")
            .default_handler(fn_service(move |req: ServiceRequest| {
                let dir = fallback.clone();
                async move {
                    let (req, _) = req.into_parts();
                    let res = index(&dir, &req);
                    Ok(ServiceResponse::new(req, res))
                }
            })),
    );
}
