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
//!
//! Two refinements of RFC 3339 make the accepted set one that JSON Schema's `format: date-time`
//! and a `pattern` state exactly ([`Instant`], [`pattern`]): the date and the time are
//! separated by `T` or `t` (the grammar of RFC 3339 §5.6; the `time` crate would take any
//! byte), and a leap second (`:60`) is refused (PostgreSQL's instants have none; the `time`
//! crate read it as `:59.999999999`, and only on the last day of a month in UTC).

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serializer};
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::{datetime, format_description};
use time::{OffsetDateTime, UtcOffset};
use utoipa::openapi::RefOr;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};

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
    // Parsed, so the layout is `YYYY-MM-DD?hh:mm:ss…`: byte 10 is the separator, 17–18 the
    // seconds.
    let bytes = s.as_bytes();
    if !matches!(bytes.get(10), Some(b'T' | b't')) || bytes.get(17..19) == Some(b"60".as_slice()) {
        return Err(TimestampError::Format);
    }
    to_utc_in_range(t).ok_or(TimestampError::OutOfRange)
}

/// `t` in UTC, if that lies in [`MIN`]..=[`MAX`] (`None` also where the `time` crate cannot
/// represent it, instead of its panic).
pub fn to_utc_in_range(t: OffsetDateTime) -> Option<OffsetDateTime> {
    t.checked_to_offset(UtcOffset::UTC)
        .filter(|utc| (MIN..=MAX).contains(utc))
}

/// The `pattern` that, beside `format: date-time`, says which client instants [`parse_utc`]
/// accepts: exactly the `date-time` strings (as JSON Schema reads them: RFC 3339, `T` or `t`,
/// any offset up to ±23:59) whose second is not `60` and whose UTC form lies in
/// [`MIN`]..=[`MAX`].
///
/// Only two local dates can leave that range through their offset, so the pattern is three
/// negative lookaheads over a `date-time`: no leap second; not `0000-01-01` with a positive
/// offset larger than the local time of day (`0000-01-01T00:30:00+01:00` is in year -1); not
/// `9999-12-31` with a negative offset that takes the time of day to 24:00 or past it
/// (`9999-12-31T23:00:00-01:00` is in year 10000). Comparing two times, or adding them, is
/// spelled digit by digit (a regex cannot do arithmetic), with lookaheads and `[0-9]` only, so
/// ECMA-262, Python's `re` and Rust's `fancy-regex` (which schemathesis and the `jsonschema`
/// crate use) read it alike. On a string that is not a `date-time` the pattern says nothing
/// useful; it is only meant together with the format.
pub fn pattern() -> String {
    let time = "[0-9]{2}:[0-9]{2}:60";
    format!(
        "^(?![0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[Tt]{time})\
         (?!0000-01-01[Tt]{before})\
         (?!9999-12-31[Tt]{after})",
        before = time_before_offset(),
        after = time_plus_offset_reaches_midnight(),
    )
}

const DD: &str = "[0-9]{2}";

/// From the hour to the offset's minute: `hh:mm:ss[.f…]`, then the offset `sign hh:mm`. In a
/// `date-time` only digits, `:` and `.` come between the minute and the sign, so
/// `[0-9:.]*` stands for them, and for a minute that may be anything.
fn time_and_offset(hh: &str, mm: &str, sign: char, offset_hh: &str, offset_mm: &str) -> String {
    // `\+` and a bare `-`: ECMA-262's unicode mode forbids `\-` outside a class.
    let sign = if sign == '+' { "\\+" } else { "-" };
    let mm = if mm == DD {
        String::new()
    } else {
        mm.to_owned()
    };
    let offset_mm = if offset_mm == DD {
        String::new()
    } else {
        format!(":{offset_mm}")
    };
    format!("{hh}:{mm}[0-9:.]*{sign}{offset_hh}{offset_mm}")
}

fn any_of(alternatives: impl IntoIterator<Item = String>) -> String {
    let alternatives: Vec<String> = alternatives.into_iter().collect();
    format!("(?:{})", alternatives.join("|"))
}

/// One digit from `lo` to `hi`.
fn digits(lo: u32, hi: u32) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("[{lo}-{hi}]")
    }
}

/// A two-digit number from `lo` to `hi` (`lo <= hi <= 99`).
fn two_digits(lo: u32, hi: u32) -> String {
    any_of((lo / 10..=hi / 10).map(|tens| {
        let from = lo.max(tens * 10) % 10;
        let to = hi.min(tens * 10 + 9) % 10;
        format!("{tens}{}", digits(from, to))
    }))
}

/// `hh:mm … +HH:MM` with `hh:mm` earlier than `HH:MM`: the hour is smaller, or it is the same
/// and the minute is smaller (the same tens and smaller units, or smaller tens).
fn time_before_offset() -> String {
    let plus = |hh: &str, mm: &str, ohh: &str, omm: &str| time_and_offset(hh, mm, '+', ohh, omm);
    let smaller_hour = (0..=22).map(|h| plus(&format!("{h:02}"), DD, &two_digits(h + 1, 23), DD));
    let same_hour = any_of((0..=23).map(|h| plus(&format!("{h:02}"), DD, &format!("{h:02}"), DD)));
    let smaller_tens = (0..=4).map(|t| {
        plus(
            DD,
            &format!("{t}[0-9]"),
            DD,
            &format!("{}[0-9]", digits(t + 1, 5)),
        )
    });
    let same_tens =
        any_of((0..=5).map(|t| plus(DD, &format!("{t}[0-9]"), DD, &format!("{t}[0-9]"))));
    let smaller_units = any_of((0..=8).map(|u| {
        plus(
            DD,
            &format!("[0-9]{u}"),
            DD,
            &format!("[0-9]{}", digits(u + 1, 9)),
        )
    }));
    let smaller_minute = any_of(smaller_tens.chain([format!("(?={same_tens}){smaller_units}")]));
    any_of(smaller_hour.chain([format!("(?={same_hour}){smaller_minute}")]))
}

/// `hh:mm … -HH:MM` with `hh:mm + HH:MM >= 24:00`: the hours add up to 24 or more, or to 23
/// and the minutes to 60 or more (tens adding up to 6 or more, or to 5 with units adding up
/// to 10 or more).
fn time_plus_offset_reaches_midnight() -> String {
    let minus = |hh: &str, mm: &str, ohh: &str, omm: &str| time_and_offset(hh, mm, '-', ohh, omm);
    let hours_24 = (1..=23).map(|h| minus(&format!("{h:02}"), DD, &two_digits(24 - h, 23), DD));
    let hours_23 =
        any_of((0..=23).map(|h| minus(&format!("{h:02}"), DD, &format!("{:02}", 23 - h), DD)));
    let tens_6 = (1..=5).map(|t| {
        minus(
            DD,
            &format!("{t}[0-9]"),
            DD,
            &format!("{}[0-9]", digits(6 - t, 5)),
        )
    });
    let tens_5 =
        any_of((0..=5).map(|t| minus(DD, &format!("{t}[0-9]"), DD, &format!("{}[0-9]", 5 - t))));
    let units_10 = any_of((1..=9).map(|u| {
        minus(
            DD,
            &format!("[0-9]{u}"),
            DD,
            &format!("[0-9]{}", digits(10 - u, 9)),
        )
    }));
    let minutes_60 = any_of(tens_6.chain([format!("(?={tens_5}){units_10}")]));
    any_of(hours_24.chain([format!("(?={hours_23}){minutes_60}")]))
}

/// The OpenAPI schema of an instant a client sends (`created_after`, `created_before`):
/// `format: date-time` and [`pattern`], which together admit exactly what [`parse_utc`]
/// accepts, and the range in UTC under `x-utc-range` for people and tools that read it.
pub struct Instant;

impl utoipa::PartialSchema for Instant {
    fn schema() -> RefOr<Schema> {
        let range: Extensions = [(
            "x-utc-range",
            serde_json::json!({
                "minimum": "0000-01-01T00:00:00Z",
                "maximum": "9999-12-31T23:59:59.999999999Z",
            }),
        )]
        .into_iter()
        .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .pattern(Some(pattern()))
            .description(Some(
                "An instant: RFC 3339 with an offset (`Z` or ±hh:mm up to ±23:59), `T` between \
                 date and time, no leap second, whose UTC form lies in years 0000–9999 \
                 (`x-utc-range`); `pattern` states that range for the two local dates an \
                 offset can take out of it (`0000-01-01T00:30:00+01:00` and \
                 `9999-12-31T23:00:00-01:00` are outside: a 422).",
            ))
            .extensions(Some(range))
            .into()
    }
}

impl utoipa::ToSchema for Instant {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Instant")
    }
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
    fn separador_t_y_sin_segundo_intercalar() {
        assert!(parse_utc("2026-11-01t00:00:00z").is_ok());
        for input in [
            "2026-11-01 00:00:00Z",
            "2026-11-01x00:00:00Z",
            "2026-11-01+00:00:00Z",
            "2026-06-30T23:59:60Z",
            "2026-07-01T01:59:60+02:00",
        ] {
            assert_eq!(parse_utc(input), Err(TimestampError::Format), "{input}");
        }
    }

    #[test]
    fn formatear_fuera_de_rango_no_entra_en_panico() {
        let lejos = datetime!(9999-12-31 23:59:59 -23:59);
        assert_eq!(format(lejos), "9999-12-31T23:59:59-23:59");
        assert_eq!(format(datetime!(-9999-01-01 00:00:00 UTC)), "");
    }
}
