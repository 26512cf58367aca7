//! Timestamps on the wire: RFC 3339, UTC, always six fractional digits and a `Z`
//! (`2026-11-22T10:15:30.123456Z`), which is PostgreSQL's precision.

use serde::{Deserialize, Deserializer, Serializer};
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

const FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Formats `t` the way every response does.
pub fn format(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(FORMAT)
        // Formatting a UTC OffsetDateTime with this description cannot fail (years outside
        // 0..=9999 aside, which PostgreSQL's timestamptz range never hands us); fall back to
        // the general RFC 3339 writer rather than panic.
        .or_else(|_| t.format(&Rfc3339))
        .unwrap_or_default()
}

/// `#[serde(with = "timestamp")]` for response fields.
pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*t))
}

/// Accepts any RFC 3339 timestamp with an offset (clients may send what they received).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
    let s = String::deserialize(d)?;
    OffsetDateTime::parse(&s, &Rfc3339).map_err(serde::de::Error::custom)
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
}
