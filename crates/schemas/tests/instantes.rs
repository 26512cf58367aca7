//! The OpenAPI schema of a client's instant (`timestamp::Instant`: `format: date-time` plus
//! `timestamp::pattern()`) admits exactly what the service accepts (`timestamp::parse_utc`),
//! as the JSON Schema validator schemathesis runs (`jsonschema`, with formats asserted) reads
//! it: a value the schema admits must be accepted, and one it refuses must be refused, or
//! `make fuzz`'s `positive_data_acceptance` / `negative_data_rejection` checks would fail on a
//! correct service (or pass on a wrong one).

// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jsonschema::Validator;
use proptest::prelude::*;
use serde_json::{Value, json};
use solicitudes_schemas::timestamp::{self, Instant};
use utoipa::PartialSchema;

fn validator() -> Validator {
    let schema = serde_json::to_value(Instant::schema()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn agree(v: &Validator, s: &str) -> Result<(), String> {
    let accepted = timestamp::parse_utc(s).is_ok();
    let admitted = v.is_valid(&Value::String(s.to_owned()));
    if accepted == admitted {
        Ok(())
    } else {
        Err(format!(
            "{s:?}: the service {} it, the schema {} it",
            if accepted { "accepts" } else { "refuses" },
            if admitted { "admits" } else { "refuses" }
        ))
    }
}

#[test]
fn el_esquema_declara_formato_patron_y_rango() {
    let schema = serde_json::to_value(Instant::schema()).unwrap();
    assert_eq!(schema["type"], "string");
    assert_eq!(schema["format"], "date-time");
    assert_eq!(schema["pattern"], json!(timestamp::pattern()));
    assert_eq!(
        schema["x-utc-range"],
        json!({"minimum": "0000-01-01T00:00:00Z", "maximum": "9999-12-31T23:59:59.999999999Z"})
    );
}

#[test]
fn los_ejemplos_de_la_documentacion() {
    let v = validator();
    for s in [
        "2026-11-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "0000-01-01T01:00:00+01:00",
        "0000-01-01T23:59:00+23:59",
        "9999-12-31T23:59:59.999999999Z",
        "9999-12-31T00:00:00-23:59",
        "9999-12-31T22:59:59.999-01:00",
        "2024-02-29T12:00:00.5+05:30",
    ] {
        assert!(v.is_valid(&json!(s)), "{s}");
        assert!(timestamp::parse_utc(s).is_ok(), "{s}");
    }
    for s in [
        "0000-01-01T00:30:00+01:00",
        "0000-01-01T23:58:59.999+23:59",
        "9999-12-31T23:00:00-01:00",
        "9999-12-31T23:59:59-23:59",
        "9999-12-31T00:01:00-23:59",
        "2026-06-30T23:59:60Z",
        "2026-11-01 00:00:00Z",
        "2026-11-01x00:00:00Z",
        "2026-02-29T00:00:00Z",
    ] {
        assert!(!v.is_valid(&json!(s)), "{s}");
        assert!(timestamp::parse_utc(s).is_err(), "{s}");
    }
}

/// Every offset on both edge dates, with local times at, just before and just after the
/// point where the instant leaves the range.
#[test]
fn cada_desfase_en_las_dos_fechas_del_borde() {
    let v = validator();
    let mut failures = Vec::new();
    for sign in ['+', '-'] {
        for offset in 0..24 * 60 {
            let (oh, om) = (offset / 60, offset % 60);
            // The local minute of the day where the UTC form crosses an edge.
            let edge = if sign == '+' {
                offset
            } else {
                24 * 60 - offset
            };
            for date in ["0000-01-01", "9999-12-31"] {
                for minute in [edge - 1, edge, edge + 1, 0, 24 * 60 - 1] {
                    if !(0..24 * 60).contains(&minute) {
                        continue;
                    }
                    let (h, m) = (minute / 60, minute % 60);
                    for seconds in ["00", "59.999999999", "30.5"] {
                        let s = format!("{date}T{h:02}:{m:02}:{seconds}{sign}{oh:02}:{om:02}");
                        if let Err(e) = agree(&v, &s) {
                            failures.push(e);
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

fn two(range: std::ops::RangeInclusive<u32>) -> impl Strategy<Value = String> {
    range.prop_map(|n| format!("{n:02}"))
}

/// RFC 3339-shaped strings, biased to the edges: years 0000 and 9999, month ends and 29
/// February, the last second, long fractions, offsets up to ±23:59, and the near misses
/// (month 13, hour 24, minute 60, second 60, another separator, no offset, `+0100`).
fn casi_rfc3339() -> impl Strategy<Value = String> {
    let year = prop_oneof![
        prop::sample::select(vec![
            "0000", "0001", "1900", "2000", "2024", "2026", "9998", "9999"
        ])
        .prop_map(str::to_owned),
        (0u32..=9999).prop_map(|y| format!("{y:04}")),
    ];
    let month = prop_oneof![
        prop::sample::select(vec!["01", "02", "12"]).prop_map(str::to_owned),
        two(0..=13)
    ];
    let day = prop_oneof![
        prop::sample::select(vec!["01", "28", "29", "30", "31"]).prop_map(str::to_owned),
        two(0..=32)
    ];
    let separator = prop::sample::select(vec!["T", "T", "T", "t", " ", "x", "+"]);
    let hour = prop_oneof![
        prop::sample::select(vec!["00", "23"]).prop_map(str::to_owned),
        two(0..=24)
    ];
    let minute = prop_oneof![
        prop::sample::select(vec!["00", "59"]).prop_map(str::to_owned),
        two(0..=60)
    ];
    let second = prop_oneof![
        prop::sample::select(vec!["00", "59", "60"]).prop_map(str::to_owned),
        two(0..=61)
    ];
    let fraction = prop_oneof![
        Just(String::new()),
        Just(".".to_owned()),
        prop::collection::vec(prop::sample::select(vec!['0', '5', '9']), 1..=12)
            .prop_map(|d| format!(".{}", d.into_iter().collect::<String>())),
    ];
    let offset = prop_oneof![
        prop::sample::select(vec![
            "Z", "z", "", "+00:00", "-00:00", "+23:59", "-23:59", "+0100"
        ])
        .prop_map(str::to_owned),
        (
            prop::sample::select(vec!['+', '-']),
            two(0..=24),
            two(0..=60)
        )
            .prop_map(|(s, h, m)| format!("{s}{h}:{m}")),
    ];
    (
        year, month, day, separator, hour, minute, second, fraction, offset,
    )
        .prop_map(|(y, mo, d, sep, h, mi, s, f, o)| format!("{y}-{mo}-{d}{sep}{h}:{mi}:{s}{f}{o}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn el_esquema_admite_lo_que_el_servicio_acepta(s in casi_rfc3339()) {
        static V: std::sync::LazyLock<Validator> = std::sync::LazyLock::new(validator);
        let result = agree(&V, &s);
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }
}
