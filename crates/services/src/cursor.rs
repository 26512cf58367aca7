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

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use solicitudes_schemas::{ErrorEntry, ValidationErrors};

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

/// Decodes a cursor of list `kind` that must have been made with filters `fingerprint`.
///
/// # Errors
/// A 422 entry on `["query", "cursor"]` saying what is wrong.
pub fn decode<K: DeserializeOwned>(
    cursor: &str,
    kind: &str,
    fingerprint: &str,
) -> Result<K, ValidationErrors> {
    let invalid = |msg: &str| {
        ValidationErrors::single(ErrorEntry::new(["query", "cursor"], "cursor_invalid", msg))
    };
    let (body, sum) = cursor
        .split_once('.')
        .ok_or_else(|| invalid("Cursor no válido: usa el next_cursor de la página anterior"))?;
    let json = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| invalid("Cursor no válido: usa el next_cursor de la página anterior"))?;
    let sum = URL_SAFE_NO_PAD
        .decode(sum)
        .map_err(|_| invalid("Cursor no válido: usa el next_cursor de la página anterior"))?;
    if sum != fnv1a(&json).to_be_bytes() {
        return Err(invalid(
            "Cursor alterado: usa el next_cursor tal como se recibió",
        ));
    }
    let payload: Payload<K> = serde_json::from_slice(&json)
        .map_err(|_| invalid("Cursor no válido: usa el next_cursor de la página anterior"))?;
    if payload.v != VERSION {
        return Err(invalid(
            "Cursor de una versión anterior: vuelve a la primera página",
        ));
    }
    if payload.k != kind {
        return Err(invalid("Este cursor pertenece a otra lista"));
    }
    if payload.f != fingerprint {
        return Err(invalid(
            "Este cursor se creó con otros filtros u otro orden: vuelve a la primera página",
        ));
    }
    Ok(payload.p)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ida_y_vuelta() {
        let f = fingerprint(&[("q", "ana")]);
        let c = encode("personas", &f, &(42_i64, "x".to_owned()));
        let p: (i64, String) = decode(&c, "personas", &f).unwrap();
        assert_eq!(p, (42, "x".to_owned()));
    }

    #[test]
    fn otra_lista_otros_filtros_o_alterado_es_422() {
        let f = fingerprint(&[("q", "ana")]);
        let c = encode("personas", &f, &1_i64);
        assert!(decode::<i64>(&c, "solicitudes", &f).is_err());
        assert!(decode::<i64>(&c, "personas", &fingerprint(&[("q", "eva")])).is_err());
        let mut tampered = c.clone();
        tampered.replace_range(0..1, if c.starts_with('e') { "f" } else { "e" });
        assert!(decode::<i64>(&tampered, "personas", &f).is_err());
        for junk in ["", "abc", "a.b", "....", "✓"] {
            let err = decode::<i64>(junk, "personas", &f).unwrap_err();
            assert_eq!(err.entries()[0].loc, vec!["query".into(), "cursor".into()]);
        }
    }
}
