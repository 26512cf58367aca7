//! Timestamps on the wire: RFC 3339, UTC, always six fractional digits and a `Z`
//! (`2026-11-22T10:15:30.123456Z`), which is PostgreSQL's precision.
//!
//! RFC 3339 has four-digit years, so the instants the API speaks of are those whose UTC form
//! lies in years 0000–9999 ([`MIN`]..=[`MAX`]). A client's timestamp may carry any offset up
//! to ±23:59, which can move it across those edges (`9999-12-31T23:59:59-23:59` is in year
//! 10000 in UTC): [`parse_utc`] refuses such an instant, so nothing downstream (the `time`
//! crate's offset conversion, which panics out of its range; diesel; PostgreSQL, whose
//! `timestamptz` spans 4713 BC–294276 AD) ever sees one, and anything a client can filter on
//! can be written back in the same format.

use serde::{Deserialize, Deserializer, Serializer};
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::{datetime, format_description};
use time::{OffsetDateTime, UtcOffset};

/// The earliest instant the API accepts: the start of year 0000, UTC.
pub const MIN: OffsetDateTime = datetime!(0000-01-01 00:00:00 UTC);
/// The latest instant the API accepts: the end of year 9999, UTC.
pub const MAX: OffsetDateTime = datetime!(9999-12-31 23:59:59.999_999_999 UTC);

/// Why a client's timestamp was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampError {
    /// Not RFC 3339 with an offset.
    Format,
    /// RFC 3339, but in UTC it falls outside [`MIN`]..=[`MAX`].
    OutOfRange,
}

/// Reads a client's RFC 3339 timestamp (any offset) as an instant in UTC.
///
/// # Errors
/// [`TimestampError::Format`] when `s` is not RFC 3339 with an offset;
/// [`TimestampError::OutOfRange`] when its UTC form is outside [`MIN`]..=[`MAX`].
pub fn parse_utc(s: &str) -> Result<OffsetDateTime, TimestampError> {
    let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| TimestampError::Format)?;
    to_utc_in_range(t).ok_or(TimestampError::OutOfRange)
}

/// `t` in UTC, if that lies in [`MIN`]..=[`MAX`] (`None` also where the `time` crate cannot
/// represent it, instead of its panic).
pub fn to_utc_in_range(t: OffsetDateTime) -> Option<OffsetDateTime> {
    t.checked_to_offset(UtcOffset::UTC)
        .filter(|utc| (MIN..=MAX).contains(utc))
}

const FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Formats `t` the way every response does.
pub fn format(t: OffsetDateTime) -> String {
    // In range, formatting a UTC instant with this description cannot fail. Rows only hold
    // instants PostgreSQL's now() made, but a row edited by hand could hold year 10000 or
    // more: then fall back to the general RFC 3339 writer of the original offset (which
    // refuses too, giving ""), rather than panic in the offset conversion.
    to_utc_in_range(t)
        .and_then(|utc| utc.format(FORMAT).ok())
        .or_else(|| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// `#[serde(with = "timestamp")]` for response fields.
pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*t))
}

/// Accepts any RFC 3339 timestamp with an offset (clients may send what they received)
/// whose UTC form is in range (see [`parse_utc`]).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
    let s = String::deserialize(d)?;
    parse_utc(&s).map_err(|e| match e {
        TimestampError::Format => serde::de::Error::custom("not an RFC 3339 timestamp"),
        TimestampError::OutOfRange => {
            serde::de::Error::custom("outside 0000-01-01T00:00:00Z..=9999-12-31T23:59:59Z")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn siempre_utc_con_seis_decimales_y_z() {
        assert_eq!(
            format(datetime!(2026-11-22 10:15:30.123456 UTC)),
            "2026-11-22T10:15:30.123456Z"
        );
        assert_eq!(
            format(datetime!(2026-11-22 10:15:30 UTC)),
            "2026-11-22T10:15:30.000000Z"
        );
        assert_eq!(
            format(datetime!(2026-11-22 11:15:30.5 +01:00)),
            "2026-11-22T10:15:30.500000Z"
        );
    }

    #[test]
    fn los_extremos_del_rango_se_aceptan_y_se_escriben_igual() {
        for (input, utc) in [
            ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000000Z"),
            ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"),
            ("0000-01-01T23:59:00+23:58", "0000-01-01T00:01:00.000000Z"),
            ("9999-12-31T00:00:00-23:59", "9999-12-31T23:59:00.000000Z"),
        ] {
            let t = parse_utc(input).unwrap();
            assert_eq!(t.offset(), UtcOffset::UTC, "{input}");
            assert_eq!(format(t), utc, "{input}");
            assert_eq!(parse_utc(&format(t)), Ok(t), "{input}");
        }
    }

    #[test]
    fn fuera_del_rango_en_utc_es_un_error_no_un_panico() {
        for input in [
            "9999-12-31T23:59:59-23:59",
            "9999-12-31T23:59:59.999999999-00:01",
            "0000-01-01T00:00:00+23:59",
            "0000-01-01T00:00:00+00:01",
        ] {
            assert_eq!(parse_utc(input), Err(TimestampError::OutOfRange), "{input}");
        }
        assert_eq!(parse_utc("2026-11-01"), Err(TimestampError::Format));
        assert_eq!(
            parse_utc("2026-11-01T00:00:00"),
            Err(TimestampError::Format)
        );
    }

    #[test]
    fn formatear_fuera_de_rango_no_entra_en_panico() {
        let lejos = datetime!(9999-12-31 23:59:59 -23:59);
        assert_eq!(format(lejos), "9999-12-31T23:59:59-23:59");
        assert_eq!(format(datetime!(-9999-01-01 00:00:00 UTC)), "");
    }
}
