//! Property tests: values at the edges of their types, in every field a client controls, get
//! a 2xx or a 4xx in the contract's shape — never a 5xx.
//!
//! Every query parameter, body field, `If-Match` and path id of personas and solicitudes is
//! drawn from a pool of edge values: integers at the i32/i64/u64 bounds and one past them,
//! timestamps at years 0000/9999 with offsets of ±23:59 (which move the instant out of
//! range once in UTC), leap seconds, nine fractional digits, texts one code point either
//! side of each length limit (in one-, two- and four-byte characters), NUL, lone
//! surrogates, `1e309`, and cursors re-signed around real ones with instants past what
//! PostgreSQL or the `time` crate can hold. The requests go through the real app against
//! the real database, as the other HTTP tests do.
//!
//! The case count is modest (`CASOS`); `PROPTEST_CASES` raises it for a longer run.

// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::StatusCode;
use actix_web::rt::System;
use actix_web::test::TestRequest;
use common::{Resp, huella};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseResult, TestRunner};
use serde_json::{Value, json};
use solicitudes_schemas::cursor;
use solicitudes_schemas::timestamp;

/// Cases per property: enough to hit every pool entry several times, small enough for a
/// loaded 2-core machine.
const CASOS: u32 = 96;

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(CASOS);
    TestRunner::new(Config {
        cases,
        // Failures are reported, not written to a regressions file in the source tree.
        failure_persistence: None,
        ..Config::default()
    })
}

/// The property itself: no 5xx; a 4xx is JSON `{"detail": …}`, and a 422's entries say
/// where the problem is.
fn sin_5xx(r: &Resp, peticion: &str) -> TestCaseResult {
    prop_assert!(
        r.status.as_u16() < 500,
        "{peticion} → {} {}",
        r.status,
        r.text
    );
    if r.status.is_client_error() && r.status != StatusCode::METHOD_NOT_ALLOWED {
        prop_assert_eq!(
            r.header("content-type"),
            Some("application/json"),
            "{}",
            peticion
        );
        prop_assert!(
            r.body["detail"].is_string() || r.body["detail"].is_array(),
            "{peticion} → {} {}",
            r.status,
            r.text
        );
    }
    if r.status == StatusCode::UNPROCESSABLE_ENTITY {
        for e in r.body["detail"].as_array().into_iter().flatten() {
            let parte = e["loc"][0].as_str().unwrap_or("");
            prop_assert!(
                ["body", "query", "path", "header"].contains(&parte),
                "{peticion} → {}",
                r.text
            );
            prop_assert!(e["msg"].as_str().is_some_and(|m| !m.is_empty()));
            prop_assert!(e["type"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }
    Ok(())
}

// ---- pools of edge values --------------------------------------------------------------

/// Integers as text: the bounds of i16/i32/i64/u64 and one past them, the contract's own
/// bounds, and spellings that are not integers.
fn entero_texto() -> BoxedStrategy<String> {
    let fijos: Vec<String> = [
        "0",
        "1",
        "-1",
        "-0",
        "+5",
        "007",
        "20",
        "99",
        "100",
        "101",
        "150",
        "151",
        " 5",
        "5 ",
        "1.0",
        "1e3",
        "0x10",
        "abc",
        "32767",
        "32768",
        "-32769",
        "2147483647",
        "2147483648",
        "-2147483648",
        "-2147483649",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "340282366920938463463374607431768211456",
        "1e309",
        "NaN",
        "∞",
    ]
    .map(str::to_owned)
    .to_vec();
    prop_oneof![
        3 => select(fijos),
        1 => any::<i64>().prop_map(|n| n.to_string()),
    ]
    .boxed()
}

/// RFC 3339 timestamps (and near misses) at the edges: years 0000 and 9999 with offsets up
/// to ±23:59, impossible dates and times, nine fractional digits.
fn instante() -> BoxedStrategy<String> {
    let fijos: Vec<String> = [
        "9999-12-31T23:59:59-23:59",
        "0000-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59.999999999Z",
        "9999-12-31T23:59:59.999999999-00:01",
        "0000-01-01T00:00:00Z",
        "0000-01-01T00:00:00-00:00",
        "0001-01-01T00:00:00+00:01",
        "1969-12-31T23:59:59.999999Z",
        "2026-11-01T00:00:00Z",
        "2026-11-01T00:00:00 01:00",
        "2026-12-31T23:59:60Z",
        "2026-02-29T00:00:00Z",
        "2026-11-01",
        "2026-11-01T00:00:00",
        "+10000-01-01T00:00:00Z",
        "-0001-01-01T00:00:00Z",
        "99999-12-31T23:59:59Z",
    ]
    .map(str::to_owned)
    .to_vec();
    // Well-formed, at the edges of the range: which offsets push them out of it in UTC.
    let bordes = (
        select(vec!["0000-01-01", "9999-12-31", "0001-01-01", "1970-01-01"]),
        select(vec!["00:00:00", "00:00:59", "12:00:00", "23:59:59"]),
        select(vec!["", ".000001", ".999999999"]),
        select(vec!["Z", "+23:59", "-23:59", "+00:01", "-00:01", "-00:00"]),
    )
        .prop_map(|(d, t, frac, off)| format!("{d}T{t}{frac}{off}"));
    // Near misses: impossible dates and times, offsets RFC 3339 does not have.
    let casi = (
        select(vec![0_u32, 1969, 2026, 9999]),
        select(vec![
            (1_u32, 1_u32),
            (2, 29),
            (12, 31),
            (2, 30),
            (13, 1),
            (0, 0),
        ]),
        select(vec![0_u32, 23, 24]),
        select(vec![0_u32, 59, 60]),
        select(vec![0_u32, 59, 60]),
        select(vec!["", ".0", ".1234567891"]),
        select(vec!["Z", "z", "+24:00", "+14:00", "-23:60", ""]),
    )
        .prop_map(|(y, (mo, d), h, mi, s, frac, off)| {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{off}")
        });
    prop_oneof![1 => select(fijos), 2 => bordes, 1 => casi].boxed()
}

/// Text around a length limit `max` (and the lower limits the contract has), in characters of
/// one, two and four bytes, plus NUL, white space and characters with a meaning in SQL.
fn texto(max: usize) -> BoxedStrategy<String> {
    let largos = vec![0, 1, 2, 3, max.saturating_sub(1), max, max + 1];
    let letras = vec!["a", "é", "😀", " ", "\u{3000}"];
    let fijos: Vec<String> = [
        "\u{0}",
        "a\u{0}b",
        "%",
        "_",
        "\\",
        "'",
        "\"",
        "' OR 1=1 --",
        "\u{FEFF}",
        "\u{10FFFF}",
        "İ",
        "ß",
        "\r\n",
    ]
    .map(str::to_owned)
    .to_vec();
    prop_oneof![
        3 => (select(largos), select(letras), any::<bool>()).prop_map(|(n, c, rodeado)| {
            let s = c.repeat(n);
            if rodeado { format!("  {s}  ") } else { s }
        }),
        1 => select(fijos),
    ]
    .boxed()
}

/// E-mail addresses around the limits (64 before the `@`, 254 in all) and near misses.
fn email() -> BoxedStrategy<String> {
    let fijos: Vec<String> = vec![
        String::new(),
        "a@b".into(),
        "@b.co".into(),
        "a@".into(),
        "a@@b.co".into(),
        "a@[127.0.0.1]".into(),
        "a@[::1]".into(),
        "\"a b\"@b.co".into(),
        "a\u{0}@b.co".into(),
        "ÉL@ejemplo.es".into(),
        format!("{}@b.co", "a".repeat(64)),
        format!("{}@b.co", "a".repeat(65)),
        format!("a@{}.co", "b".repeat(249)),
        format!("a@{}.co", "b".repeat(250)),
        format!(
            "a@{}",
            ["b".repeat(63), "c".repeat(63), "d".repeat(63)].join(".")
        ),
    ];
    prop_oneof![
        3 => select(fijos),
        1 => any::<u32>().prop_map(|n| format!("p{n}@ejemplo.com")),
    ]
    .boxed()
}

/// UUIDs and things that look like them: nil, max, upper case, braces, URN, simple form,
/// ids that exist (`reales`).
fn uuid_texto(reales: Vec<String>) -> BoxedStrategy<String> {
    let mut fijos: Vec<String> = [
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
        "{0193a3f4-1c2b-7d3e-8f40-123456789abc}",
        "urn:uuid:0193a3f4-1c2b-7d3e-8f40-123456789abc",
        "0193a3f41c2b7d3e8f40123456789abc",
        "0193a3f4-1c2b-7d3e-8f40-123456789ab",
        "0193a3f4-1c2b-7d3e-8f40-123456789abcd",
        "7",
        "",
        "%00",
    ]
    .map(str::to_owned)
    .to_vec();
    for r in reales {
        fijos.push(r.to_uppercase());
        fijos.push(r);
    }
    prop_oneof![
        3 => select(fijos),
        1 => any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string()),
    ]
    .boxed()
}

/// One of `etiquetas`, or a near miss.
fn etiqueta(etiquetas: &[&str]) -> BoxedStrategy<String> {
    let mut v: Vec<String> = etiquetas.iter().map(|s| (*s).to_owned()).collect();
    v.extend(etiquetas.iter().map(|s| s.to_uppercase()));
    v.extend(["", " ", "otro", "\u{0}"].map(str::to_owned));
    select(v).boxed()
}

/// A JSON literal, written as text so that it can also be what `serde_json::Value` cannot
/// hold (`1e309`, a lone surrogate): numbers at the bounds, every JSON type.
fn json_literal() -> BoxedStrategy<String> {
    let fijos: Vec<String> = [
        "null",
        "true",
        "0",
        "-1",
        "150",
        "151",
        "32768",
        "2147483647",
        "2147483648",
        "-2147483649",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "1e309",
        "-1e309",
        "20.0",
        "1E2",
        "-0",
        "0.1",
        "[]",
        "[1]",
        "{}",
        "{\"a\":1}",
        "\"\"",
        "\"20\"",
        "\"\\u0000\"",
        "\"\\ud800\"",
    ]
    .map(str::to_owned)
    .to_vec();
    select(fijos).boxed()
}

/// A value for a body field: a string from `texto` (JSON-encoded) or any JSON literal.
fn campo(texto: BoxedStrategy<String>) -> BoxedStrategy<String> {
    prop_oneof![
        2 => texto.prop_map(|s| Value::String(s).to_string()),
        1 => json_literal(),
    ]
    .boxed()
}

/// A field of a query or body: its name, values that are valid, and its edge values.
struct Campo {
    nombre: &'static str,
    valido: BoxedStrategy<String>,
    borde: BoxedStrategy<String>,
}

fn c(nombre: &'static str, valido: BoxedStrategy<String>, borde: BoxedStrategy<String>) -> Campo {
    Campo {
        nombre,
        valido,
        borde,
    }
}

/// Valid values as a strategy.
fn uno_de(valores: &[&str]) -> BoxedStrategy<String> {
    select(valores.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>()).boxed()
}

/// `(name, value)` pairs where one field, chosen at random, takes an edge value and every
/// other field is valid (present with probability `presente`). An edge value must reach the
/// code that converts it: with several bad fields at once, the first 422 would hide it.
fn uno_en_el_borde(
    campos: Vec<Campo>,
    presente: f64,
) -> BoxedStrategy<Vec<(&'static str, String)>> {
    let nombres: Vec<&'static str> = campos.iter().map(|c| c.nombre).collect();
    let validos: Vec<BoxedStrategy<Option<String>>> = campos
        .iter()
        .map(|c| proptest::option::weighted(presente, c.valido.clone()).boxed())
        .collect();
    let bordes = proptest::strategy::Union::new(
        campos
            .iter()
            .enumerate()
            .map(|(i, c)| (Just(i), c.borde.clone()).boxed()),
    );
    (validos, bordes)
        .prop_map(move |(mut valores, (i, borde))| {
            valores[i] = Some(borde);
            nombres
                .iter()
                .zip(valores)
                .filter_map(|(n, v)| v.map(|v| (*n, v)))
                .collect()
        })
        .boxed()
}

/// A JSON object of `(name, JSON text)` pairs.
fn objeto(pares: Vec<(&'static str, String)>) -> String {
    let campos: Vec<String> = pares
        .into_iter()
        .map(|(k, v)| format!("{}:{v}", Value::from(k)))
        .collect();
    format!("{{{}}}", campos.join(","))
}

/// A JSON string literal of each valid value.
fn json_de(valores: &[&str]) -> BoxedStrategy<String> {
    select(
        valores
            .iter()
            .map(|v| Value::from(*v).to_string())
            .collect::<Vec<_>>(),
    )
    .boxed()
}

/// `If-Match` values: versions at the i32 bounds, weak and malformed tags, `*`, lists.
fn if_match() -> BoxedStrategy<Option<String>> {
    let fijos: Vec<String> = vec![
        "*".into(),
        "\"1\"".into(),
        "\"0\"".into(),
        "\"-1\"".into(),
        "\"2147483647\"".into(),
        "\"2147483648\"".into(),
        "\"-2147483648\"".into(),
        "\"99999999999999999999\"".into(),
        "W/\"1\"".into(),
        "\"\"".into(),
        String::new(),
        " ".into(),
        "1".into(),
        "\"1\", \"2\"".into(),
        "\"1\",".into(),
        "\"a b\"".into(),
        "\"é\"".into(),
        "*, \"1\"".into(),
        vec!["\"1\""; 500].join(","),
    ];
    proptest::option::weighted(0.8, select(fijos)).boxed()
}

// ---- helpers ---------------------------------------------------------------------------

/// Percent-encodes a query value (everything but unreserved characters).
fn codificar(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A query string from optional parameters (repeated names allowed).
fn consulta(pares: Vec<(&'static str, String)>) -> String {
    pares
        .into_iter()
        .map(|(k, v)| format!("{k}={}", codificar(&v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Cursor positions at the edges: instants in microseconds past what PostgreSQL and the
/// `time` crate hold, labels, and positions of the wrong shape.
fn posicion(id: String) -> BoxedStrategy<Value> {
    let micros = vec![
        i64::MIN,
        i64::MIN + 1,
        -210_866_803_200_000_000, // 4713 BC, PostgreSQL's first day
        cursor::micros(timestamp::MIN) - 1,
        cursor::micros(timestamp::MIN),
        -1,
        0,
        cursor::micros(timestamp::MAX),
        cursor::micros(timestamp::MAX) + 1,
        9_223_371_331_199_999_999, // ~294247 AD: within PostgreSQL, far outside `time`
        i64::MAX,
    ];
    let id2 = id.clone();
    prop_oneof![
        3 => select(micros).prop_map(move |m| json!([m, id])),
        1 => select(vec![
            json!("alta"),
            json!("otra"),
            json!(1e300),
            json!(-1.5),
            json!(u64::MAX),
            json!(null),
            json!([1, 2]),
            json!({}),
        ])
        .prop_map(move |k| json!([k, id2])),
        1 => select(vec![json!(null), json!([]), json!([0]), json!([0, "no-uuid"]), json!("x")]),
    ]
    .boxed()
}

/// Ids and cursors of a small fixture: two personas, three solicitudes, a real cursor of
/// each list and sort.
#[derive(Debug, Clone)]
struct Fixture {
    personas: Vec<String>,
    solicitudes: Vec<String>,
    /// `(sort, f of a real cursor of that sort)`; `""` is the default sort.
    huellas_solicitudes: Vec<(&'static str, String)>,
    huella_personas: String,
}

const ORDENES: [&str; 7] = [
    "",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "prioridad",
    "-prioridad",
];

macro_rules! propiedad {
    ($nombre:ident, |$fx:ident| $estrategia:expr, |$app:ident, $valor:ident| $cuerpo:block) => {
        #[test]
        fn $nombre() {
            let sys = System::new();
            let $app = sys.block_on(common::spawn());
            let $fx = sys.block_on(async {
                let mut personas = Vec::new();
                let mut solicitudes = Vec::new();
                for i in 0..2 {
                    let p = $app.persona(&format!("Persona {i}"), None).await;
                    personas.push(p["id"].as_str().unwrap().to_owned());
                }
                for (i, prioridad) in ["baja", "alta", "urgente"].iter().enumerate() {
                    let r = $app
                        .post(
                            "/api/v1/solicitudes",
                            &json!({"titulo": format!("Solicitud {i}"), "persona_id": personas[0],
                                    "prioridad": prioridad}),
                        )
                        .await;
                    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                    solicitudes.push(r.body["id"].as_str().unwrap().to_owned());
                }
                let mut huellas_solicitudes = Vec::new();
                for sort in ORDENES {
                    let uri = if sort.is_empty() {
                        "/api/v1/solicitudes?limit=1".to_owned()
                    } else {
                        format!("/api/v1/solicitudes?limit=1&sort={sort}")
                    };
                    let r = $app.get(&uri).await;
                    let c = r.body["next_cursor"].as_str().unwrap();
                    huellas_solicitudes.push((sort, huella(c)));
                }
                let r = $app.get("/api/v1/personas?limit=1").await;
                let huella_personas = huella(r.body["next_cursor"].as_str().unwrap());
                Fixture {
                    personas,
                    solicitudes,
                    huellas_solicitudes,
                    huella_personas,
                }
            });
            let estrategia = $estrategia;
            runner()
                .run(&estrategia, |$valor| {
                    let peticion: (TestRequest, String) = $cuerpo;
                    let (req, que) = peticion;
                    let r = sys.block_on($app.call(req));
                    sin_5xx(&r, &que)
                })
                .unwrap();
        }
    };
}

fn get(uri: String) -> (TestRequest, String) {
    (TestRequest::get().uri(&uri), format!("GET {uri}"))
}

fn con_cuerpo(req: TestRequest, metodo: &str, uri: &str, cuerpo: String) -> (TestRequest, String) {
    let que = format!("{metodo} {uri} {cuerpo}");
    (
        req.uri(uri)
            .insert_header(("content-type", "application/json"))
            .set_payload(cuerpo),
        que,
    )
}

fn con_if_match(req: TestRequest, if_match: Option<String>, que: String) -> (TestRequest, String) {
    match if_match {
        Some(v) => {
            let que = format!("{que} If-Match: {v}");
            (req.insert_header(("if-match", v)), que)
        }
        None => (req, que),
    }
}

const ESTADOS: [&str; 5] = [
    "pendiente",
    "en_revision",
    "aprobada",
    "rechazada",
    "cancelada",
];
const PRIORIDADES: [&str; 4] = ["baja", "media", "alta", "urgente"];

/// The fields of the list of solicitudes, the cursor aside.
fn campos_lista_solicitudes(personas: &[String]) -> Vec<Campo> {
    let ids: Vec<&str> = personas.iter().map(String::as_str).collect();
    vec![
        c("estado", uno_de(&ESTADOS), etiqueta(&ESTADOS)),
        c("estado", uno_de(&ESTADOS), etiqueta(&ESTADOS)),
        c("prioridad", uno_de(&PRIORIDADES), etiqueta(&PRIORIDADES)),
        c("persona_id", uno_de(&ids), uuid_texto(personas.to_vec())),
        c("q", uno_de(&["Solicitud", "a", "%"]), texto(200)),
        c(
            "created_after",
            uno_de(&["2020-01-01T00:00:00Z"]),
            instante(),
        ),
        c(
            "created_before",
            uno_de(&["2999-01-01T00:00:00+01:00"]),
            instante(),
        ),
        c("sort", uno_de(&ORDENES[1..]), etiqueta(&ORDENES[1..])),
        c("limit", uno_de(&["1", "20", "100"]), entero_texto()),
        c(
            "count",
            uno_de(&["true", "false"]),
            uno_de(&["TRUE", "1", "si", "", "tru"]),
        ),
    ]
}

propiedad!(
    consulta_de_solicitudes_en_los_bordes_nunca_da_5xx,
    |fx| {
        let f = fx.clone();
        prop_oneof![
            3 => uno_en_el_borde(campos_lista_solicitudes(&fx.personas), 0.3).prop_map(consulta),
            // A forged position signed for exactly its sort and no filters, so that it
            // reaches the position's decoding.
            1 => (select(vec![0_usize, 1, 2, 3, 4, 5, 6]), posicion(f.solicitudes[0].clone()))
                .prop_map(move |(i, p)| {
                    let (orden, huella) = &f.huellas_solicitudes[i];
                    let mut pares = vec![("cursor", cursor::encode("solicitudes", huella, &p))];
                    if !orden.is_empty() {
                        pares.push(("sort", (*orden).to_owned()));
                    }
                    consulta(pares)
                }),
        ]
    },
    |app, qs| { get(format!("/api/v1/solicitudes?{qs}")) }
);

propiedad!(
    filtros_de_fecha_en_los_bordes_nunca_dan_5xx,
    |_fx| {
        (
            proptest::option::weighted(0.8, instante()),
            proptest::option::weighted(0.8, instante()),
            proptest::option::of(uno_de(&ORDENES[1..])),
            any::<bool>(),
        )
            .prop_map(|(after, before, sort, count)| {
                let mut pares = Vec::new();
                pares.extend(after.map(|v| ("created_after", v)));
                pares.extend(before.map(|v| ("created_before", v)));
                pares.extend(sort.map(|v| ("sort", v)));
                if count {
                    pares.push(("count", "true".to_owned()));
                }
                consulta(pares)
            })
    },
    |app, qs| { get(format!("/api/v1/solicitudes?{qs}")) }
);

propiedad!(
    consulta_de_personas_en_los_bordes_nunca_da_5xx,
    |fx| {
        let f = fx.clone();
        let campos = vec![
            c("q", uno_de(&["Persona", "a"]), texto(200)),
            c("limit", uno_de(&["1", "20", "100"]), entero_texto()),
            c(
                "count",
                uno_de(&["true", "false"]),
                uno_de(&["quizás", "", "2"]),
            ),
            c(
                "cursor",
                uno_de(&["x"]),
                uno_de(&["", ".", "a.b", "✓", "eyJ2IjoxfQ.AAAAAAAAAAA"]),
            ),
        ];
        prop_oneof![
            2 => uno_en_el_borde(campos, 0.3).prop_map(|pares| {
                // A valid-looking `cursor=x` only when it is the field at the edge.
                consulta(pares.into_iter().filter(|(k, v)| *k != "cursor" || v != "x").collect())
            }),
            1 => (posicion(f.personas[0].clone()), proptest::option::of(uno_de(&["1", "100"])))
                .prop_map(move |(p, limit)| {
                    let mut pares = vec![("cursor", cursor::encode("personas", &f.huella_personas, &p))];
                    pares.extend(limit.map(|l| ("limit", l)));
                    consulta(pares)
                }),
        ]
    },
    |app, qs| { get(format!("/api/v1/personas?{qs}")) }
);

/// The fields of a persona's body (`requeridos`: whether nombre and edad are usually there).
fn campos_persona(requeridos: f64) -> (Vec<Campo>, f64) {
    (
        vec![
            c(
                "nombre",
                json_de(&["Ana", "  Eva  ", "José"]),
                campo(texto(100)),
            ),
            c(
                "edad",
                uno_de(&["0", "34", "150"]),
                prop_oneof![entero_texto(), json_literal()].boxed(),
            ),
            c(
                "email",
                prop_oneof![
                    Just("null".to_owned()),
                    any::<u32>().prop_map(|n| format!("\"p{n}@ejemplo.com\"")),
                ]
                .boxed(),
                campo(email()),
            ),
        ],
        requeridos,
    )
}

propiedad!(
    alta_y_edicion_de_personas_en_los_bordes_nunca_da_5xx,
    |fx| {
        let (campos, presente) = campos_persona(0.9);
        (
            any::<bool>(),
            prop_oneof![3 => uno_de(&fx.personas.iter().map(String::as_str).collect::<Vec<_>>()), 1 => uuid_texto(fx.personas.clone())],
            uno_en_el_borde(campos, presente).prop_map(objeto),
        )
    },
    |app, v| {
        let (crear, id, body) = v;
        if crear {
            con_cuerpo(TestRequest::post(), "POST", "/api/v1/personas", body)
        } else {
            let uri = format!("/api/v1/personas/{}", codificar(&id));
            con_cuerpo(TestRequest::patch(), "PATCH", &uri, body)
        }
    }
);

fn campos_edicion() -> Vec<Campo> {
    vec![
        c(
            "titulo",
            json_de(&["Cambio de turno", "abc"]),
            campo(texto(200)),
        ),
        c("descripcion", json_de(&["", "Detalle"]), campo(texto(5000))),
        c(
            "prioridad",
            json_de(&PRIORIDADES),
            campo(etiqueta(&PRIORIDADES)),
        ),
    ]
}

propiedad!(
    alta_de_solicitudes_en_los_bordes_nunca_da_5xx,
    |fx| {
        let mut campos = campos_edicion();
        let ids: Vec<&str> = fx.personas.iter().map(String::as_str).collect();
        campos.push(c(
            "persona_id",
            json_de(&ids),
            campo(uuid_texto(fx.personas.clone())),
        ));
        uno_en_el_borde(campos, 0.9).prop_map(objeto)
    },
    |app, body| { con_cuerpo(TestRequest::post(), "POST", "/api/v1/solicitudes", body) }
);

propiedad!(
    edicion_transicion_y_borrado_en_los_bordes_nunca_da_5xx,
    |fx| {
        let ids: Vec<&str> = fx.solicitudes.iter().map(String::as_str).collect();
        (
            select(vec![0_u8, 1, 2, 3, 4]),
            prop_oneof![3 => uno_de(&ids), 1 => uuid_texto(fx.solicitudes.clone())],
            if_match(),
            uno_en_el_borde(campos_edicion(), 0.5).prop_map(objeto),
            uno_en_el_borde(
                vec![
                    c("estado", json_de(&ESTADOS[..2]), campo(etiqueta(&ESTADOS))),
                    c("comentario", json_de(&["Revisado"]), campo(texto(2000))),
                ],
                0.9,
            )
            .prop_map(objeto),
        )
    },
    |app, v| {
        let (metodo, id, if_match, edicion, transicion) = v;
        let uri = format!("/api/v1/solicitudes/{}", codificar(&id));
        let (req, que) = match metodo {
            0 => con_cuerpo(TestRequest::patch(), "PATCH", &uri, edicion),
            1 => {
                let uri = format!("{uri}/transiciones");
                con_cuerpo(TestRequest::post(), "POST", &uri, transicion)
            }
            2 => (TestRequest::delete().uri(&uri), format!("DELETE {uri}")),
            3 => get(format!("{uri}/historial")),
            _ => get(uri),
        };
        con_if_match(req, if_match, que)
    }
);

/// The example of issue #10: valid RFC 3339 whose UTC form leaves years 0000–9999 is a 422
/// on the parameter, in the contract's shape; the extremes themselves are accepted.
#[actix_web::test]
async fn fechas_que_en_utc_salen_del_rango_son_422() {
    let app = common::spawn().await;
    for (param, valor) in [
        ("created_after", "9999-12-31T23:59:59-23:59"),
        ("created_before", "0000-01-01T00:00:00%2B23:59"),
        ("created_after", "9999-12-31T23:59:59.999999999-00:01"),
    ] {
        let r = app
            .get(&format!("/api/v1/solicitudes?{param}={valor}"))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{valor}: {}",
            r.text
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(
            r.errors(),
            [common::err(json!(["query", param]), "datetime_parsing")],
            "{valor}"
        );
        let msg = r.body["detail"][0]["msg"].as_str().unwrap();
        assert!(msg.contains("9999-12-31T23:59:59.999999Z"), "{msg}");
    }
    let r = app
        .get(
            "/api/v1/solicitudes?created_after=0000-01-01T00:00:00Z\
             &created_before=9999-12-31T23:59:59.999999999Z&count=true",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["total"], 0);
}
