//! Request and response shapes of the solicitudes API, and the rules every request must meet.
//!
//! The types here are the contract of `../shared/API.md` in Rust: the HTTP binary uses them to
//! parse and answer requests, and other Rust services can use them to call the API — so the
//! crate depends on neither diesel nor actix.
//!
//! - [`persona`] and [`solicitud`]: `*Create`, `*Update` (PATCH) and `*Response` DTOs.
//! - [`body`]: turns a JSON body into a DTO, reporting **every** problem at once (missing and
//!   unknown fields, wrong types, then each garde rule) in the FastAPI-compatible shape of
//!   [`error::ValidationErrors`].
//! - [`query`]: the same for query strings (empty values, repeated parameters, ranges).
//! - [`cursor`]: the opaque keyset cursors of the lists, read with the rest of the query.
//! - [`page`]: the list page envelope.
//! - [`auth`] and [`usuario`]: logins, tokens, sessions, registration and accounts; passwords
//!   are [`auth::Password`], which neither `Debug` nor serialisation ever reveals.

pub mod auth;
pub mod body;
pub mod cursor;
pub mod error;
pub mod page;
pub mod persona;
pub mod query;
pub mod solicitud;
pub mod solicitud_list;
pub mod timestamp;
pub mod usuario;
pub mod workflow;

mod i18n;
pub mod openapi;
pub mod text;

pub use error::{ErrorCode, ErrorEntry, ErrorMessage, HttpValidationError, Loc, ValidationErrors};
pub use page::Page;
