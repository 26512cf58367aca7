//! The error bodies of the contract.
//!
//! A 422 is `{"detail": [{"loc": [...], "msg": "...", "type": "..."}, ...]}` exactly as FastAPI
//! sends it, so an SPA written against FastAPI keeps working; every other error is
//! `{"detail": "human readable message"}`.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One element of an error location: a name (`"body"`, `"titulo"`) or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Loc {
    /// A part of the request or a field name.
    Key(String),
    /// A position in a list.
    Index(usize),
}

impl From<&str> for Loc {
    fn from(s: &str) -> Self {
        Loc::Key(s.to_owned())
    }
}

impl From<String> for Loc {
    fn from(s: String) -> Self {
        Loc::Key(s)
    }
}

impl From<usize> for Loc {
    fn from(i: usize) -> Self {
        Loc::Index(i)
    }
}

/// One problem with a request, the way FastAPI reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"loc": ["body", "titulo"], "msg": "Debe tener al menos 3 caracteres", "type": "string_too_short"}))]
pub struct ErrorEntry {
    /// Where the problem is: starts with `body`, `query`, `path` or `header`, then the field.
    #[schema(example = json!(["body", "titulo"]))]
    pub loc: Vec<Loc>,
    /// What is wrong, in Spanish, ready to show beside the field.
    pub msg: String,
    /// A stable machine-readable code (`missing`, `string_too_short`, `extra_forbidden`, …).
    #[serde(rename = "type")]
    pub kind: String,
}

impl ErrorEntry {
    /// A new entry.
    pub fn new<L: Into<Loc>>(
        loc: impl IntoIterator<Item = L>,
        kind: impl Into<String>,
        msg: impl Into<String>,
    ) -> Self {
        Self {
            loc: loc.into_iter().map(Into::into).collect(),
            msg: msg.into(),
            kind: kind.into(),
        }
    }
}

/// Every problem found in one request. Never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<ErrorEntry>);

impl ValidationErrors {
    /// A single problem.
    pub fn single(entry: ErrorEntry) -> Self {
        Self(vec![entry])
    }

    /// Adds a problem.
    pub fn push(&mut self, entry: ErrorEntry) {
        self.0.push(entry);
    }

    /// Adds every problem of `other`, after this one's.
    pub fn extend(&mut self, other: ValidationErrors) {
        self.0.extend(other.0);
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems.
    pub fn entries(&self) -> &[ErrorEntry] {
        &self.0
    }

    /// `Ok(value)` when no problem was found, else `Err(self)`.
    ///
    /// # Errors
    /// `self`, when it holds at least one problem.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// The 422 body.
    pub fn into_body(self) -> HttpValidationError {
        HttpValidationError { detail: self.0 }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            let loc: Vec<String> = e
                .loc
                .iter()
                .map(|l| match l {
                    Loc::Key(k) => k.clone(),
                    Loc::Index(i) => i.to_string(),
                })
                .collect();
            write!(f, "{}: {} ({})", loc.join("."), e.msg, e.kind)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Body of a 422 response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"detail": [
    {"loc": ["body", "titulo"], "msg": "Debe tener al menos 3 caracteres", "type": "string_too_short"},
    {"loc": ["body", "persona_id"], "msg": "Campo obligatorio", "type": "missing"}
]}))]
pub struct HttpValidationError {
    /// One entry per problem, all problems at once.
    pub detail: Vec<ErrorEntry>,
}

/// The stable, machine-readable code of an error that is not a 422 (a 422's codes are its
/// entries' `type`). Clients branch on this, never on `detail`, whose Spanish wording may
/// change. Each variant's doc names the status it comes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the request could not be read (broken transfer encoding, a malformed request).
    BadRequest,
    /// 401: no credentials, or a token that is unknown, expired or revoked; or a failed
    /// login (unknown e-mail, wrong password and inactive account alike).
    Unauthorized,
    /// 403: the access policy does not let the caller do this.
    Forbidden,
    /// 403: a state-changing request authenticated by the session cookie came without the
    /// CSRF header (`X-Requested-With: XMLHttpRequest`) or from another origin.
    CsrfRejected,
    /// 404: no such resource, or no such path.
    NotFound,
    /// 405: the path exists, the method does not (`Allow` lists those that do).
    MethodNotAllowed,
    /// 408: the body did not arrive in time.
    BodyTimeout,
    /// 409: the e-mail is already registered.
    EmailTaken,
    /// 409: the persona still has solicitudes, so it cannot be deleted.
    PersonaHasSolicitudes,
    /// 409: the persona has a usuario account, so it cannot be deleted.
    PersonaHasUsuario,
    /// 409: the change would leave no active admin account.
    LastAdmin,
    /// 409: the solicitud is in a final estado and cannot be edited.
    SolicitudFinal,
    /// 409: the workflow forbids this transition; `permitidos` names the allowed ones.
    TransitionNotAllowed,
    /// 412: `If-Match` names another version.
    PreconditionFailed,
    /// 413: the body is larger than the limit.
    PayloadTooLarge,
    /// 414: the request line (method, path, query) is longer than the limit.
    UriTooLong,
    /// 431: the header block is larger than the limit, or has too many lines.
    HeadersTooLarge,
    /// 429: too many failed logins for the account or the client address; `Retry-After`
    /// says when to try again.
    TooManyRequests,
    /// 500: a bug; the cause is in the log, under the request id.
    Internal,
    /// 503: the database cannot be reached, or the schema is not migrated yet.
    DatabaseUnavailable,
    /// 503: the request took longer than the request timeout and was abandoned.
    Timeout,
    /// Any other status produced outside the service's own handlers.
    Other,
}

impl ErrorCode {
    /// The code of a status produced outside the service's handlers (actix's own errors).
    pub fn of_status(status: u16) -> Self {
        match status {
            400 => ErrorCode::BadRequest,
            404 => ErrorCode::NotFound,
            405 => ErrorCode::MethodNotAllowed,
            408 => ErrorCode::BodyTimeout,
            412 => ErrorCode::PreconditionFailed,
            413 => ErrorCode::PayloadTooLarge,
            414 => ErrorCode::UriTooLong,
            431 => ErrorCode::HeadersTooLarge,
            500 => ErrorCode::Internal,
            503 => ErrorCode::DatabaseUnavailable,
            _ => ErrorCode::Other,
        }
    }
}

/// Body of every error other than a 422.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"detail": "No existe la solicitud 0193a3f4-1c2b-7d3e-8f40-123456789abc", "code": "not_found"}))]
pub struct ErrorMessage {
    /// What went wrong, for a person (Spanish).
    pub detail: String,
    /// What went wrong, for a program: stable across versions.
    pub code: ErrorCode,
}

impl ErrorMessage {
    /// A new message.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            detail: detail.into(),
            code,
        }
    }
}
