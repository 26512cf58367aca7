//! A typed async client of the solicitudes API (`../shared/API.md`, v1.1), for Rust services.
//!
//! - Built on the types of [`solicitudes_schemas`] (re-exported as [`schemas`]) and
//!   [`solicitudes_domain`] ([`domain`]): the same DTOs the server parses and answers.
//! - Over `reqwest` with rustls (ring), no OpenSSL; no diesel and no actix in its dependency
//!   tree (`scripts/check-deps.sh` checks).
//! - [`Client::login`] with a password, or [`Client::with_token`]; every endpoint of the
//!   contract is a method.
//! - Lists are [`Stream`](futures_util::Stream)s that follow `next_cursor`
//!   ([`Client::solicitudes`]); single pages too ([`Client::solicitudes_page`]).
//! - Reads of solicitudes return a [`Versioned`] (the value and its [`ETag`]); edits,
//!   transitions and deletes take the tag back as `If-Match`. [`Client::retry_on_conflict`]
//!   re-reads and retries on a 412 when the caller asks for it.
//! - Every failure is one [`Error`], a variant per status of the contract (422 entries, 401,
//!   403, 404, 409 with `permitidos`, 412, 429 and 503 with `Retry-After`), decoded without
//!   panicking whatever the body.
//! - The token never shows in `Debug` output.
//!
//! ```no_run
//! use futures_util::TryStreamExt as _;
//! use solicitudes_client::schemas::workflow::TransicionCreate;
//! use solicitudes_client::{Client, Error, Estado, SolicitudFilter};
//!
//! # async fn run() -> Result<(), Error> {
//! let client = Client::login("http://127.0.0.1:8000", "eva@example.com", "correcto caballo").await?;
//! let filter = SolicitudFilter { estado: vec![Estado::Pendiente], ..Default::default() };
//! let pendientes: Vec<_> = client.solicitudes(&filter).try_collect().await?;
//! for s in pendientes {
//!     let actual = client.solicitud(s.id).await?; // the value and its ETag
//!     let a_revision = TransicionCreate { estado: Estado::EnRevision, comentario: None };
//!     match client.transicionar(s.id, &actual.etag, &a_revision).await {
//!         Ok(movida) => println!("{} → {} (ETag {})", movida.value.id, movida.value.estado, movida.etag),
//!         Err(Error::PreconditionFailed { .. }) => println!("{}: changed meanwhile", s.id),
//!         Err(Error::Conflict { permitidos, .. }) => println!("{}: only {permitidos:?}", s.id),
//!         Err(Error::Forbidden { .. }) => println!("{}: your own: someone else reviews it", s.id),
//!         Err(e) => return Err(e),
//!     }
//! }
//! client.logout().await?;
//! # Ok(()) }
//! ```

mod client;
mod error;
mod etag;
mod query;
pub mod triaje;

pub use client::{Client, Result};
pub use error::{Error, decode_body, from_response, retry_after};
pub use etag::{ETag, Versioned};
pub use query::{PersonaFilter, SolicitudFilter, UsuarioFilter, rfc3339};

/// The request and response types (`solicitudes-schemas`).
pub use solicitudes_schemas as schemas;

/// The domain types (`solicitudes-domain`): ids, estados, prioridades, roles.
pub use solicitudes_domain as domain;

pub use solicitudes_domain::{Estado, PersonaId, Prioridad, Rol, SesionId, SolicitudId, UsuarioId};
