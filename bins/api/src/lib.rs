//! The solicitudes HTTP service.
//!
//! `main.rs` is a shim over this library so tests can build the very same [`app::build_app`]
//! in-process, or start the real server on port 0 with [`startup::Application`].
//!
//! - [`config`]: layered configuration, validated at start-up.
//! - [`demo`]: the demo accounts of `seed --accounts-file`.
//! - [`routes`]: thin handlers, one module per resource.
//! - [`auth`]: credentials, the authentication gate, the caller extractor.
//! - [`extract`]: extractors that validate before any database work.
//! - [`error`]: service errors → HTTP in the contract's shape.
//! - [`middleware`]: request ids, access log, JSON error bodies.
//! - [`head_limits`]: 414/431 for oversized request lines and headers, below actix.
//! - [`openapi`]: `/openapi.json`, `/docs`, `/redoc`.
//! - [`precondition`]: `If-Match` and `ETag`.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod extract;
pub mod guard;
pub mod head_limits;
pub mod middleware;
pub mod openapi;
pub mod precondition;
pub mod routes;
pub mod spa;
pub mod startup;
pub mod state;
pub mod telemetry;
