//! Opaque, versioned keyset cursors.
//!
//! A cursor is `base64url(JSON payload)` + `.` + `base64url(checksum)`. The payload names the
//! format version, the list it belongs to, a fingerprint of the filters and sort that made it,
//! and the keyset position (the sort key and id of the last row returned). A cursor that does
//! not decode, whose checksum does not match (edited by hand), that belongs to another list,
//! or that was made with other filters or another sort is a 422 on `cursor`.
//!
//! The checksum protects against accidents, not attackers: a forged cursor can only position
//! a list, never reveal a row the caller could not list anyway.
//!
//! Cursors are read with the rest of the query string (see [`crate::query`]), so a request
//! with a bad `limit` *and* a broken cursor hears about both at once. While other parameters
//! are wrong, only the cursor's own integrity is checked (the filters it must match are not
//! known yet).

use std::hash::Hasher;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{ErrorEntry, ValidationErrors};
#[cfg(test)]
use crate::timestamp;

const VERSION: u8 = 1;

#[derive(Serialize, Deserialize)]
struct Payload<K> {
    v: u8,
    k: String,
    f: String,
    p: K,
}

/// A fingerprint of the parameters a cursor is only valid with, e.g. `[("q", "ana")]`.
pub fn fingerprint(params: &[(&str, &str)]) -> String {
    let mut bytes = Vec::new();
    for (k, v) in params {
        bytes.extend_from_slice(k.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(v.as_bytes());
        bytes.push(0);
    }
    format!("{:016x}", fnv1a(&bytes))
}

/// Encodes a position of list `kind` made with filters `fingerprint`.
pub fn encode<K: Serialize>(kind: &str, fingerprint: &str, position: &K) -> String {
    let payload = Payload {
        v: VERSION,
        k: kind.to_owned(),
        f: fingerprint.to_owned(),
        p: position,
    };
    // Serialising plain data to JSON cannot fail.
    let json = serde_json::to_vec(&payload).unwrap_or_default();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&json),
        URL_SAFE_NO_PAD.encode(fnv1a(&json).to_be_bytes())
    )
}

/// Decodes a cursor of list `kind` that must have been made with filters `fingerprint`
/// (`None`: the filters are not known, check only that this is an intact cursor of `kind`).
///
/// # Errors
/// A 422 entry on `["query", "cursor"]` saying what is wrong.
pub fn decode<K: DeserializeOwned>(
    cursor: &str,
    kind: &str,
    fingerprint: Option<&str>,
) -> Result<K, ValidationErrors> {
    let (body, sum) = cursor
        .split_once('.')
        .ok_or_else(|| invalid_because(NOT_A_CURSOR))?;
    let json = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| invalid_because(NOT_A_CURSOR))?;
    let sum = URL_SAFE_NO_PAD
        .decode(sum)
        .map_err(|_| invalid_because(NOT_A_CURSOR))?;
    if sum != fnv1a(&json).to_be_bytes() {
        return Err(invalid_because(
            "Cursor alterado: usa el next_cursor tal como se recibió",
        ));
    }
    let payload: Payload<K> =
        serde_json::from_slice(&json).map_err(|_| invalid_because(NOT_A_CURSOR))?;
    if payload.v != VERSION {
        return Err(invalid_because(
            "Cursor de una versión anterior: vuelve a la primera página",
        ));
    }
    if payload.k != kind {
        return Err(invalid_because("Este cursor pertenece a otra lista"));
    }
    if fingerprint.is_some_and(|f| payload.f != f) {
        return Err(invalid_because(
            "Este cursor se creó con otros filtros u otro orden: vuelve a la primera página",
        ));
    }
    Ok(payload.p)
}

const NOT_A_CURSOR: &str = "Cursor no válido: usa el next_cursor de la página anterior";

/// The 422 of a cursor that does not name a position of this list.
pub fn invalid() -> ValidationErrors {
    invalid_because(NOT_A_CURSOR)
}

fn invalid_because(msg: &str) -> ValidationErrors {
    ValidationErrors::single(ErrorEntry::new(["query", "cursor"], "cursor_invalid", msg))
}

/// An instant as carried in a cursor: microseconds since the Unix epoch (PostgreSQL's
/// precision, so the position is exact).
pub fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

/// The instant of a cursor. Outside the range the API speaks of (UTC years 0000–9999, see
/// [`solicitudes_schemas::timestamp`]) it cannot come from a row, so it is a forged or
/// broken cursor — and must not reach PostgreSQL, whose `timestamptz` refuses some of them.
///
/// # Errors
/// The 422 of [`invalid`].
pub fn from_micros(m: i64) -> Result<OffsetDateTime, ValidationErrors> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(m) * 1000)
        .ok()
        .and_then(crate::timestamp::to_utc_in_range)
        .ok_or_else(invalid)
}

/// Where a page of a newest-first list (`created_at DESC, id DESC`, as personas and usuarios
/// are listed) starts: after the row with this `created_at` and id. Its cursors carry
/// `(microseconds, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewestFirst {
    /// The `created_at` of the last row of the previous page.
    pub created_at: OffsetDateTime,
    /// Its id.
    pub id: Uuid,
}

impl NewestFirst {
    /// The cursor of this position in list `kind`, made with filters `fingerprint`.
    pub fn encode(self, kind: &str, fingerprint: &str) -> String {
        encode(kind, fingerprint, &(micros(self.created_at), self.id))
    }

    /// The position a cursor of list `kind` carries; `fingerprint` as in [`decode`].
    ///
    /// # Errors
    /// The 422 on `cursor` of [`decode`], or of [`from_micros`] for an impossible instant.
    pub fn decode(
        cursor: &str,
        kind: &str,
        fingerprint: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let (m, id) = decode::<(i64, Uuid)>(cursor, kind, fingerprint)?;
        Ok(Self {
            created_at: from_micros(m)?,
            id,
        })
    }
}

/// FNV-1a, 64 bits: the checksum, and the fingerprint's hash.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(bytes);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published FNV-1a 64 vectors: cursors minted before the switch to the `fnv` crate
    /// keep their checksum.
    #[test]
    fn fnv1a_de_64_bits() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn ida_y_vuelta() {
        let f = fingerprint(&[("q", "ana")]);
        let c = encode("personas", &f, &(42_i64, "x".to_owned()));
        let p: (i64, String) = decode(&c, "personas", Some(&f)).unwrap();
        assert_eq!(p, (42, "x".to_owned()));
    }

    #[test]
    fn otra_lista_otros_filtros_o_alterado_es_422() {
        let f = fingerprint(&[("q", "ana")]);
        let c = encode("personas", &f, &1_i64);
        assert!(from_micros(-300_000_000_000_000_000).is_err(), "year -7537");
        for edge in [
            i64::MIN,
            i64::MAX,
            micros(timestamp::MAX) + 1,
            micros(timestamp::MIN) - 1,
        ] {
            assert!(from_micros(edge).is_err(), "{edge}");
        }
        assert!(from_micros(micros(timestamp::MIN)).is_ok());
        assert!(from_micros(micros(timestamp::MAX)).is_ok());
        assert!(from_micros(micros(OffsetDateTime::UNIX_EPOCH)).is_ok());
        assert!(decode::<i64>(&c, "solicitudes", Some(&f)).is_err());
        assert!(decode::<i64>(&c, "personas", Some(&fingerprint(&[("q", "eva")]))).is_err());
        // Filters unknown (other parameters are wrong): only the cursor's integrity counts.
        assert_eq!(decode::<i64>(&c, "personas", None), Ok(1));
        let mut tampered = c.clone();
        tampered.replace_range(0..1, if c.starts_with('e') { "f" } else { "e" });
        assert!(decode::<i64>(&tampered, "personas", None).is_err());
        for junk in ["", "abc", "a.b", "....", "✓"] {
            let err = decode::<i64>(junk, "personas", None).unwrap_err();
            assert_eq!(err.entries()[0].loc, vec!["query".into(), "cursor".into()]);
        }
    }
}
