//! The routes, each registered once.
//!
//! [`operations`] lists every handler. The server's resources ([`configure`]) and the OpenAPI
//! document's paths ([`crate::openapi::document`]) are both derived from that list, so a route
//! cannot be served undocumented or documented unserved: a handler's `#[utoipa::path]` gives
//! its method and path, and nothing else repeats them. For each path, `HEAD` is answered
//! wherever `GET` is, and any other method gets a 405 whose `Allow` lists the methods the
//! list has for that path. Every handler runs [`guarded`]: a panic is a 500, a handler slower
//! than the request timeout a 503.
//!
//! Thin handlers: extract and validate (see [`crate::extract`]), call one use case, answer.

pub mod auth;
pub mod estadisticas;
pub mod meta;
pub mod personas;
pub mod solicitudes;
pub mod usuarios;

use std::collections::BTreeMap;
use std::time::Duration;

use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::web;
use utoipa::openapi::HttpMethod;
use utoipa_actix_web::OpenApiFactory;

use crate::guard::guarded;
use crate::middleware::method_not_allowed;

/// One operation: a handler, its method and path, and its OpenAPI description.
pub struct Operation {
    /// The path as the document writes it (`/api/v1/solicitudes/{id}`).
    pub path: String,
    /// The method (from the handler's `#[utoipa::path]`).
    pub method: Method,
    /// Served without credentials. Everything else is behind [`crate::auth::require`] and
    /// documented with the OAuth2 security requirement and its 401: deny by default.
    pub public: bool,
    /// The handler, guarded, as an actix route without a method guard.
    route: fn(Duration) -> actix_web::Route,
    /// The handler's `#[utoipa::path]`: its operation and the schemas it refers to.
    pub doc: Box<dyn OpenApiFactory>,
}

impl Operation {
    /// The operation of the handler whose `#[utoipa::path]` is `doc` (its `__path_…` type).
    fn of<P: utoipa::Path + OpenApiFactory + 'static>(
        doc: P,
        public: bool,
        route: fn(Duration) -> actix_web::Route,
    ) -> Self {
        let method = match P::methods().first() {
            Some(HttpMethod::Get) | None => Method::GET,
            Some(HttpMethod::Post) => Method::POST,
            Some(HttpMethod::Put) => Method::PUT,
            Some(HttpMethod::Patch) => Method::PATCH,
            Some(HttpMethod::Delete) => Method::DELETE,
            Some(HttpMethod::Head) => Method::HEAD,
            Some(HttpMethod::Options) => Method::OPTIONS,
            Some(HttpMethod::Trace) => Method::TRACE,
        };
        Self {
            path: P::path(),
            method,
            public,
            route,
            doc: Box::new(doc),
        }
    }
}

/// `operation!(module::handler)`: the [`Operation`] of a handler with a `#[utoipa::path]`,
/// protected; `operation!(module::handler, public)` for one served without credentials.
macro_rules! operation {
    ($module:ident :: $handler:ident) => {
        operation!(@ $module :: $handler, false)
    };
    ($module:ident :: $handler:ident, public) => {
        operation!(@ $module :: $handler, true)
    };
    (@ $module:ident :: $handler:ident, $public:expr) => {
        pastey::paste! {
            Operation::of($module::[<__path_ $handler>], $public, |timeout| {
                web::route().to(guarded($module::$handler, timeout))
            })
        }
    };
}

/// Every operation of the service: the one list the server and the document are made from.
pub fn operations() -> Vec<Operation> {
    vec![
        operation!(meta::root, public),
        operation!(meta::healthz, public),
        operation!(meta::readyz, public),
        operation!(auth::token, public),
        operation!(auth::cookie, public),
        operation!(auth::registro, public),
        operation!(auth::logout),
        operation!(auth::me),
        operation!(auth::sesiones),
        operation!(auth::revocar_sesion),
        operation!(auth::password),
        operation!(usuarios::crear),
        operation!(usuarios::listar),
        operation!(usuarios::obtener),
        operation!(usuarios::editar),
        operation!(personas::crear),
        operation!(personas::listar),
        operation!(personas::obtener),
        operation!(personas::editar),
        operation!(personas::borrar),
        operation!(solicitudes::crear),
        operation!(solicitudes::listar),
        operation!(solicitudes::obtener),
        operation!(solicitudes::editar),
        operation!(solicitudes::borrar),
        operation!(solicitudes::transicionar),
        operation!(solicitudes::historial),
        operation!(estadisticas::obtener),
    ]
}

/// The order methods are listed in `Allow`.
const METHOD_ORDER: [Method; 6] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// Registers the resources of the operations whose path starts with `prefix` (the prefix
/// stripped: they go inside a scope of that name), or, with `prefix` `""`, of those whose
/// path starts with no other scope in `scopes`.
pub fn configure(cfg: &mut web::ServiceConfig, timeout: Duration, prefix: &str, scopes: &[&str]) {
    let mut by_path: BTreeMap<String, Vec<Operation>> = BTreeMap::new();
    for op in operations() {
        let mine = if prefix.is_empty() {
            !scopes.iter().any(|s| op.path.starts_with(s))
        } else {
            op.path.starts_with(prefix)
        };
        if mine {
            let local = op.path[prefix.len()..].to_owned();
            by_path.entry(local).or_default().push(op);
        }
    }
    for (path, ops) in by_path {
        let mut methods: Vec<Method> = ops.iter().map(|op| op.method.clone()).collect();
        if methods.contains(&Method::GET) {
            methods.push(Method::HEAD);
        }
        let allow = METHOD_ORDER
            .iter()
            .filter(|m| methods.contains(m))
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        // A path is public only if all its operations are (none mixes them today).
        let public = ops.iter().all(|op| op.public);
        let mut resource = web::resource(path.as_str()).default_service(web::to(move || {
            let allow = allow.clone();
            async move { method_not_allowed(&allow) }
        }));
        for op in ops {
            if op.method == Method::GET {
                resource = resource.route((op.route)(timeout).method(Method::HEAD));
            }
            resource = resource.route((op.route)(timeout).method(op.method));
        }
        if public {
            cfg.service(resource);
        } else {
            cfg.service(resource.wrap(from_fn(crate::auth::require)));
        }
    }
}
