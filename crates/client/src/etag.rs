//! Entity tags: what a read of a solicitud returns beside it, and what a write sends back as
//! `If-Match`.

use std::fmt;

use solicitudes_schemas::solicitud::SolicitudResponse;

/// An entity tag as the server sent it in `ETag` (for a solicitud, its version in quotes:
/// `"3"`), sent back verbatim as `If-Match`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag(String);

impl ETag {
    /// The tag exactly as sent (quotes included).
    pub fn new(tag: impl Into<String>) -> Self {
        Self(tag.into())
    }

    /// `*`: the write applies to whatever version exists (no protection against a concurrent
    /// change; a missing solicitud is still a 404).
    pub fn any() -> Self {
        Self("*".to_owned())
    }

    /// The tag of a solicitud at `version`, as the contract defines it (`"<version>"`): what
    /// a list item's [`SolicitudResponse::version`] stands for.
    pub fn of_version(version: i32) -> Self {
        Self(format!("\"{version}\""))
    }

    /// The tag as a header value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A value read together with its entity tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    /// The value.
    pub value: T,
    /// Its `ETag`: pass it to the next write of the same object.
    pub etag: ETag,
}

impl Versioned<SolicitudResponse> {
    /// A solicitud seen in a list, with the tag of the version it shows. A write with it
    /// succeeds only if nobody changed the solicitud since the list was read.
    pub fn from_listed(solicitud: SolicitudResponse) -> Self {
        Self {
            etag: ETag::of_version(solicitud.version),
            value: solicitud,
        }
    }
}
