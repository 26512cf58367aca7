//! `GET /api/v1/solicitudes`: filters, the six sorts, keyset cursors, `count` and the 422s.

// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use common::{Resp, TestApp, err, huella, spawn};
use diesel_async::SimpleAsyncConnection;
use serde_json::{Value, json};
use solicitudes_schemas::cursor;
use solicitudes_testkit::TestDb;

const URL: &str = "/api/v1/solicitudes";
const NADIE: &str = "0193a3f4-1c2b-7d3e-8f40-123456789abc";
const PRIORIDADES: [&str; 4] = ["baja", "media", "alta", "urgente"];
const ESTADOS: &str = "pendiente en_revision aprobada rechazada cancelada";
const ORDENES: &str = "created_at -created_at updated_at -updated_at prioridad -prioridad";
/// The fixture is filed in this order, so ids (UUIDv7, time-ordered) do not follow `i`.
const ORDEN_CREACION: [usize; 13] = [7, 2, 11, 0, 9, 4, 12, 1, 5, 10, 3, 8, 6];
const CAMPOS: &str =
    "created_at descripcion estado id persona_id prioridad titulo updated_at version";
/// Filters to walk the cursors with (`{a}`: the first persona).
const RECORRIDOS: [&str; 4] = [
    "",
    "estado=pendiente&estado=aprobada",
    "persona_id={a}&prioridad=baja&prioridad=urgente",
    "created_after=2020-01-01T00:00:00Z&created_before=2020-01-01T03:00:00Z",
];

/// The service a [`TestApp`] wraps (shortens the helpers' bounds).
trait Api<B>:
    Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>
{
}
impl<T, B> Api<B> for T where
    T: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>
{
}

/// One solicitud of the fixture, with the values it was given.
#[derive(Debug)]
struct Fila {
    i: usize,
    id: String,
    persona: String,
    prioridad: &'static str,
    estado: &'static str,
    creada: String,
    actualizada: String,
}

/// The test's own model of the filters: whether row `f` matches `query` (`q` in ASCII,
/// instants in whole seconds with `Z`). Other parameters are ignored.
fn pasa(f: &Fila, query: &str) -> bool {
    let pares: Vec<_> = query.split('&').filter_map(|p| p.split_once('=')).collect();
    let vals = |k: &'static str| pares.iter().filter(move |(n, _)| *n == k).map(|(_, v)| *v);
    let alguno = |k: &'static str, c: &str| vals(k).next().is_none() || vals(k).any(|v| v == c);
    let instante = |t: &str| t.replace('Z', ".000000Z");
    let texto = format!("Solicitud {:02}\nFila número {}", f.i, f.i).to_lowercase();
    alguno("estado", f.estado)
        && alguno("prioridad", f.prioridad)
        && alguno("persona_id", &f.persona)
        && vals("q").all(|q| texto.contains(&q.to_lowercase()))
        && vals("created_after").all(|t| f.creada > instante(t))
        && vals("created_before").all(|t| f.creada < instante(t))
}

/// The ids of the rows matching `query`, in the order `sort` documents: `(key, id)`, both in
/// the same direction; prioridad by rank.
fn esperado(filas: &[Fila], sort: &str, query: &str) -> Vec<String> {
    let mut v: Vec<(String, String)> = filas
        .iter()
        .filter(|f| pasa(f, query))
        .map(|f| {
            let k = match sort.trim_start_matches('-') {
                "created_at" => f.creada.clone(),
                "updated_at" => f.actualizada.clone(),
                _ => rango(f.prioridad).to_string(),
            };
            (k, f.id.clone())
        })
        .collect();
    v.sort();
    if sort.starts_with('-') {
        v.reverse();
    }
    v.into_iter().map(|(_, id)| id).collect()
}

async fn sql(db: &TestDb, stmt: &str) {
    let mut conn = db.connect().await;
    if let Err(e) = conn.batch_execute(stmt).await {
        panic!("{stmt}: {e}");
    }
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn cadena(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

/// Field `campo` of every item of a page.
fn campo(page: &Value, campo: &str) -> Vec<String> {
    let items = page["items"].as_array().unwrap_or_else(|| panic!("{page}"));
    items.iter().map(|s| cadena(&s[campo])).collect()
}

fn ids(page: &Value) -> Vec<String> {
    campo(page, "id")
}

fn rango(prioridad: &str) -> usize {
    PRIORIDADES.iter().position(|p| *p == prioridad).unwrap()
}

/// A 422 with exactly these `(loc, type)` entries, in this order.
fn assert_422(r: &Resp, expected: &[(Value, &str)]) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(keys(&r.body), ["detail"], "{}", r.text);
    let want: Vec<_> = expected.iter().map(|(l, k)| err(l.clone(), k)).collect();
    assert_eq!(r.errors(), want, "{}", r.text);
}

fn q(name: &str) -> Value {
    json!(["query", name])
}

/// A 200 page.
async fn pagina<S: Api<B>, B: MessageBody>(app: &TestApp<S>, query: &str) -> Value {
    let r = app.get(&format!("{URL}?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text);
    r.body
}

/// Walks every page of `query` following `next_cursor`. With `persona` given, files a new
/// solicitud of that persona after every page (with the prioridades in turn). Returns the ids
/// seen, in order, and the ids filed during the walk.
async fn recorrer<S: Api<B>, B: MessageBody>(
    app: &TestApp<S>,
    query: &str,
    persona: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    let (mut vistos, mut nuevas) = (Vec::new(), Vec::new());
    let mut uri = query.to_owned();
    for _ in 0..100 {
        let page = pagina(app, &uri).await;
        assert_eq!(keys(&page), ["items", "next_cursor"], "{page}");
        vistos.extend(ids(&page));
        if let Some(p) = persona {
            let prioridad = PRIORIDADES[nuevas.len() % 4];
            let body = json!({"titulo": "Nueva", "prioridad": prioridad, "persona_id": p});
            let r = app.post(URL, &body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            nuevas.push(cadena(&r.body["id"]));
        }
        match page["next_cursor"].as_str() {
            Some(c) => uri = format!("{query}&cursor={c}"),
            None => return (vistos, nuevas),
        }
    }
    panic!("{query}: the cursors never end");
}

/// Thirteen solicitudes of two personas with every estado and prioridad, groups of three
/// sharing `created_at` and others sharing `updated_at`. Returns them (by `i`) and the
/// personas.
async fn sembrar<S: Api<B>, B: MessageBody>(app: &TestApp<S>) -> (Vec<Fila>, [String; 2]) {
    let a = cadena(&app.persona("Ana", None).await["id"]);
    let b = cadena(&app.persona("Luis", None).await["id"]);
    let estados: Vec<&'static str> = ESTADOS.split(' ').collect();
    let mut filas: Vec<Fila> = Vec::new();
    let mut stmt = String::new();
    for i in ORDEN_CREACION {
        let persona = if i % 3 == 1 { &b } else { &a };
        let prioridad = PRIORIDADES[i % 4];
        let body = json!({"titulo": format!("Solicitud {i:02}"), "prioridad": prioridad,
                          "descripcion": format!("Fila número {i}"), "persona_id": persona});
        let r = app.post(URL, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let f = Fila {
            i,
            id: cadena(&r.body["id"]),
            persona: persona.clone(),
            prioridad,
            estado: estados[i % 5],
            creada: format!("2020-01-01T{:02}:00:00.000000Z", i / 3),
            actualizada: format!("2020-02-{:02}T00:00:00.000000Z", 1 + (i * i) % 7),
        };
        stmt += &format!(
            "UPDATE solicitudes SET estado = '{}', created_at = '{}', updated_at = '{}' \
             WHERE id = '{}';",
            f.estado, f.creada, f.actualizada, f.id
        );
        filas.push(f);
    }
    sql(&app.db, &stmt).await;
    filas.sort_by_key(|f| f.i);
    (filas, [a, b])
}

// ---------------------------------------------------------------------------------- order

#[actix_web::test]
async fn por_defecto_las_mas_nuevas_primero_con_empates_por_id_y_los_campos_de_la_solicitud() {
    let app = spawn().await;
    let (filas, _) = sembrar(&app).await;
    let page = pagina(&app, "").await;
    assert_eq!(keys(&page), ["items", "next_cursor"]);
    assert_eq!(page["next_cursor"], Value::Null);
    let want = esperado(&filas, "-created_at", "");
    assert_eq!(ids(&page), want);
    // Spelled out: row 12 (hour 4) first, then hour 3 (rows 9, 10, 11) by id, descending.
    assert_eq!(want[0], filas[12].id);
    let mut hora3: Vec<_> = filas[9..12].iter().map(|f| f.id.clone()).collect();
    hora3.sort_by(|x, y| y.cmp(x));
    assert_eq!(want[1..4], hora3[..]);
    assert_eq!(pagina(&app, "sort=-created_at").await, page);
    for s in page["items"].as_array().unwrap() {
        assert_eq!(keys(s), CAMPOS.split(' ').collect::<Vec<_>>());
        let got = app.get(&format!("{URL}/{}", cadena(&s["id"]))).await;
        assert_eq!(&got.body, s);
        let f = filas.iter().find(|f| f.id == s["id"]).unwrap();
        assert_eq!(s["created_at"], f.creada.as_str());
        assert_eq!(s["updated_at"], f.actualizada.as_str());
        assert_eq!(s["estado"], f.estado);
        assert_eq!(s["prioridad"], f.prioridad);
        assert_eq!(s["persona_id"], f.persona.as_str());
    }
}

#[actix_web::test]
async fn cada_orden_devuelve_las_filas_en_el_orden_documentado() {
    let app = spawn().await;
    let (filas, _) = sembrar(&app).await;
    for sort in ORDENES.split(' ') {
        let page = pagina(&app, &format!("sort={sort}&limit=100")).await;
        assert_eq!(ids(&page), esperado(&filas, sort, ""), "{sort}");
        assert_eq!(page["next_cursor"], Value::Null);
    }
    // By rank, not alphabetically (that would be alta < baja < media < urgente).
    let mut vistas = campo(&pagina(&app, "sort=prioridad").await, "prioridad");
    vistas.dedup();
    assert_eq!(vistas, PRIORIDADES);
    let mut vistas = campo(&pagina(&app, "sort=-prioridad").await, "prioridad");
    vistas.dedup();
    assert_eq!(vistas, ["urgente", "alta", "media", "baja"]);
}

// ------------------------------------------------------------------------------- cursors

#[actix_web::test]
async fn recorrer_los_cursores_devuelve_cada_fila_una_vez_en_todos_los_ordenes_y_filtros() {
    let app = spawn().await;
    let (filas, [a, _]) = sembrar(&app).await;
    for filtro in RECORRIDOS.map(|f| f.replace("{a}", &a)) {
        assert!(
            esperado(&filas, "", &filtro).len() >= 5,
            "{filtro}: several pages"
        );
        for sort in ORDENES.split(' ') {
            for limit in [1, 2, 5] {
                let query = format!("sort={sort}&limit={limit}&{filtro}");
                let (vistos, _) = recorrer(&app, &query, None).await;
                assert_eq!(vistos, esperado(&filas, sort, &filtro), "{query}");
            }
        }
    }
}

#[actix_web::test]
async fn recorrer_los_cursores_mientras_se_insertan_filas_no_pierde_ni_repite_ninguna() {
    let app = spawn().await;
    let (filas, [a, _]) = sembrar(&app).await;
    for filtro in RECORRIDOS[..3].iter().map(|f| f.replace("{a}", &a)) {
        for sort in ORDENES.split(' ') {
            let query = format!("sort={sort}&limit=2&{filtro}");
            let want = esperado(&filas, sort, &filtro);
            let (vistos, nuevas) = recorrer(&app, &query, Some(&a)).await;
            let unicos: HashSet<_> = vistos.iter().collect();
            assert_eq!(unicos.len(), vistos.len(), "{query}: a row seen twice");
            let viejas: Vec<_> = vistos.iter().filter(|id| !nuevas.contains(id)).collect();
            assert_eq!(viejas, want.iter().collect::<Vec<_>>(), "{query}");
            match sort {
                // The new ones are the newest: before the cursor, never returned.
                "-created_at" | "-updated_at" => assert_eq!(vistos, want, "{query}"),
                // The new ones are the latest: they can only come after every old row.
                "created_at" | "updated_at" => assert_eq!(vistos[..want.len()], want[..]),
                _ => {}
            }
            for id in &nuevas {
                assert_eq!(app.delete(&format!("{URL}/{id}"), None).await.status, 204);
            }
        }
    }
}

#[actix_web::test]
async fn la_pagina_por_defecto_tiene_20_limit_admite_de_1_a_100_y_count_cuenta_todas() {
    let app = spawn().await;
    let p = cadena(&app.persona("Ana", None).await["id"]);
    let stmt = format!(
        "INSERT INTO solicitudes (id, persona_id, titulo, created_at) \
         SELECT gen_random_uuid(), '{p}', 'Masiva ' || n, \
                '2020-01-01T00:00:00Z'::timestamptz + n * interval '1 second' \
         FROM generate_series(1, 105) AS n"
    );
    sql(&app.db, &stmt).await;
    let page = pagina(&app, "").await;
    assert_eq!(
        keys(&page),
        ["items", "next_cursor"],
        "no total without count=true"
    );
    assert_eq!(ids(&page).len(), 20);
    assert_eq!(page["items"][0]["titulo"], "Masiva 105");
    let c = cadena(&page["next_cursor"]);
    assert_eq!(
        pagina(&app, &format!("cursor={c}")).await["items"][0]["titulo"],
        "Masiva 85"
    );
    let page = pagina(&app, "limit=100&count=true").await;
    assert_eq!(ids(&page).len(), 100);
    assert_eq!(page["total"], 105);
    // The limit is not part of what a cursor is bound to.
    let c = cadena(&page["next_cursor"]);
    let rest = pagina(&app, &format!("limit=3&cursor={c}&count=true")).await;
    assert_eq!(campo(&rest, "titulo"), ["Masiva 5", "Masiva 4", "Masiva 3"]);
    assert_eq!(rest["total"], 105, "every match, not what is left");
    for off in ["count=false", "count=0", "limit=5"] {
        assert_eq!(
            keys(&pagina(&app, off).await),
            ["items", "next_cursor"],
            "{off}"
        );
    }
    assert_eq!(ids(&pagina(&app, "limit=1").await).len(), 1);
}

// ------------------------------------------------------------------------------- filters

#[actix_web::test]
async fn cada_filtro_solo_y_combinado_devuelve_exactamente_lo_que_coincide() {
    let app = spawn().await;
    let (filas, [a, b]) = sembrar(&app).await;
    let casos: [(&str, &[usize]); 13] = [
        ("estado=en_revision", &[1, 6, 11]),
        ("estado=aprobada&estado=cancelada", &[2, 4, 7, 9, 12]),
        ("prioridad=urgente", &[3, 7, 11]),
        ("prioridad=baja&prioridad=alta", &[0, 2, 4, 6, 8, 10, 12]),
        ("persona_id={b}", &[1, 4, 7, 10]),
        (
            "persona_id={a}&estado=pendiente&estado=rechazada&prioridad=baja",
            &[0, 8],
        ),
        ("estado=pendiente&persona_id={b}", &[10]),
        ("q=1", &[1, 10, 11, 12]),
        ("q=1&prioridad=media", &[1]),
        ("q=N%C3%9AMERO%201", &[1, 10, 11, 12]),
        ("created_after=2020-01-01T02:00:00Z", &[9, 10, 11, 12]),
        ("created_before=2020-01-01T01:00:00Z", &[0, 1, 2]),
        (
            "q=1&estado=aprobada&created_after=2020-01-01T03:00:00Z",
            &[12],
        ),
    ];
    for (query, filas_i) in casos {
        let query = query.replace("{a}", &a).replace("{b}", &b);
        let mut want: Vec<_> = filas_i.iter().map(|i| &filas[*i]).collect();
        want.sort_by(|x, y| (&y.creada, &y.id).cmp(&(&x.creada, &x.id)));
        let want: Vec<_> = want.into_iter().map(|f| f.id.clone()).collect();
        if !query.contains('%') {
            assert_eq!(esperado(&filas, "-created_at", &query), want, "{query}");
        }
        let page = pagina(&app, &format!("{query}&count=true&limit=100")).await;
        assert_eq!(ids(&page), want, "{query}");
        assert_eq!(page["total"], want.len(), "{query}");
        let page = pagina(&app, &format!("{query}&count=true&limit=1")).await;
        assert_eq!(page["total"], want.len(), "{query}: all, not the page");
    }
    // A well-formed persona_id of nobody: an empty page, not a 404 or 422.
    let page = pagina(&app, &format!("persona_id={NADIE}&count=true")).await;
    assert_eq!(page, json!({"items": [], "next_cursor": null, "total": 0}));
    let page = pagina(&app, &format!("persona_id={b}&estado=rechazada")).await;
    assert_eq!(page, json!({"items": [], "next_cursor": null}));
}

#[actix_web::test]
async fn q_busca_en_titulo_y_descripcion_sin_distinguir_mayusculas_en_todo_unicode() {
    let app = spawn().await;
    let p = app.persona("Ana", None).await;
    let filas = [
        ("Cambio de turno", ""),
        ("Vacaciones", "Lo pidió josé el lunes"),
        ("Descuento 50% comedor", ""),
        ("Descuento 50 comedor", ""),
        ("Archivo mi_nota", ""),
        ("Archivo mixnota", ""),
        ("ÁRBOL caído", ""),
        ("Turnos nocturnos", "TURNO de noche"),
        ("Ruta C:\\temp", ""),
        ("Ruta C:temp", ""),
    ];
    for (titulo, descripcion) in filas {
        let body = json!({"titulo": titulo, "descripcion": descripcion, "persona_id": p["id"]});
        assert_eq!(app.post(URL, &body).await.status, StatusCode::CREATED);
    }
    let casos: [(&str, &[&str]); 13] = [
        ("TURNO", &["Cambio de turno", "Turnos nocturnos"]),
        ("turno", &["Cambio de turno", "Turnos nocturnos"]),
        ("JOS%C3%89", &["Vacaciones"]),
        ("Jos%C3%A9%20EL", &["Vacaciones"]),
        ("%C3%A1rbol", &["ÁRBOL caído"]),
        ("CA%C3%8DDO", &["ÁRBOL caído"]),
        ("50%25", &["Descuento 50% comedor"]),
        ("%25", &["Descuento 50% comedor"]),
        ("i_n", &["Archivo mi_nota"]),
        ("_", &["Archivo mi_nota"]),
        ("C%3A%5Ct", &["Ruta C:\\temp"]),
        ("noche", &["Turnos nocturnos"]),
        ("no%20existe", &[]),
    ];
    for (q, want) in casos {
        let page = pagina(&app, &format!("q={q}&count=true")).await;
        let mut got = campo(&page, "titulo");
        got.sort();
        let mut want = want.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "q={q}");
        assert_eq!(page["total"], want.len(), "q={q}");
    }
}

#[actix_web::test]
async fn las_fechas_son_exclusivas_y_aceptan_cualquier_desplazamiento() {
    let app = spawn().await;
    let p = app.persona("Ana", None).await;
    let mut stmt = String::new();
    for (titulo, t) in [
        ("a", "2020-01-01T00:00:00Z"),
        ("b", "2020-01-01T00:00:00.000001Z"),
        ("c", "2020-01-01T12:00:00Z"),
        ("d", "2020-01-02T00:00:00Z"),
    ] {
        let s = app.solicitud_de(&p["id"], &format!("Día {titulo}")).await;
        let id = cadena(&s["id"]);
        stmt += &format!("UPDATE solicitudes SET created_at = '{t}' WHERE id = '{id}';");
    }
    sql(&app.db, &stmt).await;
    let casos = [
        ("created_after=2020-01-01T00:00:00Z", "d c b"),
        ("created_after=2020-01-01T01:00:00%2B01:00", "d c b"),
        // An unencoded `+` arrives as a space and is read as the `+` it was.
        ("created_after=2020-01-01T01:00:00+01:00", "d c b"),
        ("created_after=2019-12-31T19:00:00-05:00", "d c b"),
        ("created_after=2020-01-01T00:00:00.000001Z", "d c"),
        ("created_before=2020-01-02T00:00:00Z", "c b a"),
        ("created_before=2020-01-01T00:00:00.000001Z", "a"),
        (
            "created_after=2020-01-01T00:00:00Z&created_before=2020-01-02T00:00:00Z",
            "c b",
        ),
        (
            "created_after=2020-01-01T12:00:00Z&created_before=2020-01-02T00:00:00Z",
            "",
        ),
    ];
    for (query, want) in casos {
        let got = campo(&pagina(&app, query).await, "titulo").join(" ");
        assert_eq!(got.replace("Día ", ""), want, "{query}");
    }
}

// ----------------------------------------------------------------------------------- 422

#[actix_web::test]
async fn valores_vacios_o_malos_devuelven_422_en_su_parametro() {
    let app = spawn().await;
    app.solicitud("Cambio de turno").await;
    let casos = [
        ("estado=", "missing"),
        ("prioridad=", "missing"),
        ("limit=", "missing"),
        ("cursor=", "missing"),
        ("sort=", "missing"),
        ("persona_id=", "missing"),
        ("q=", "missing"),
        ("created_after=", "missing"),
        ("estado=abierta", "enum"),
        ("estado=pendiente&estado=PENDIENTE", "enum"),
        ("prioridad=maxima", "enum"),
        ("sort=titulo", "enum"),
        ("sort=%2Bcreated_at", "enum"),
        ("sort=created_at&sort=-created_at", "value_error"),
        ("persona_id=123", "uuid_parsing"),
        ("created_after=2026-11-01", "datetime_parsing"),
        ("created_before=2026-11-01T00:00:00", "datetime_parsing"),
        ("created_before=ayer", "datetime_parsing"),
        ("limit=0", "greater_than_equal"),
        ("limit=101", "less_than_equal"),
        ("limit=abc", "int_parsing"),
        ("count=quizas", "bool_parsing"),
    ];
    for (query, kind) in casos {
        let name = query.split('=').next().unwrap();
        assert_422(
            &app.get(&format!("{URL}?{query}")).await,
            &[(q(name), kind)],
        );
    }
}

#[actix_web::test]
async fn un_cursor_basura_o_de_otro_orden_u_otros_filtros_devuelve_422() {
    let app = spawn().await;
    let (_, [a, b]) = sembrar(&app).await;
    let invalido = [(q("cursor"), "cursor_invalid")];
    for junk in [
        "basura",
        "abc.def",
        "....",
        "eyJ2IjoxfQ.AAAAAAAAAAA",
        "%E2%9C%93",
    ] {
        assert_422(&app.get(&format!("{URL}?cursor={junk}")).await, &invalido);
    }
    let filtros = format!("estado=pendiente&estado=aprobada&persona_id={a}&q=fila");
    let base = format!("sort=prioridad&{filtros}");
    let c = cadena(&pagina(&app, &format!("{base}&limit=1")).await["next_cursor"]);
    // Edited by hand: one character changed.
    let mut editado = c.clone();
    editado.replace_range(0..1, if c.starts_with('e') { "f" } else { "e" });
    let otros = [
        format!("{base}&cursor={editado}"),
        format!("sort=-prioridad&{filtros}&cursor={c}"),
        format!("sort=created_at&{filtros}&cursor={c}"),
        format!("{filtros}&cursor={c}"),
        format!("sort=prioridad&estado=pendiente&persona_id={a}&q=fila&cursor={c}"),
        format!("sort=prioridad&{}&cursor={c}", filtros.replace(&a, &b)),
        format!(
            "sort=prioridad&{}&cursor={c}",
            filtros.replace("q=fila", "q=fil")
        ),
        format!("sort=prioridad&estado=pendiente&estado=aprobada&q=fila&cursor={c}"),
        format!("{base}&prioridad=baja&cursor={c}"),
        format!("{base}&created_after=2019-01-01T00:00:00Z&cursor={c}"),
        format!("cursor={c}"),
    ];
    for query in otros {
        assert_422(&app.get(&format!("{URL}?{query}")).await, &invalido);
    }
    // The same filters written in another order are the same filters.
    let same = format!("q=fila&persona_id={a}&estado=aprobada&estado=pendiente&sort=prioridad");
    pagina(&app, &format!("{same}&cursor={c}&limit=5&count=true")).await;
    // A cursor of the personas list is not one of this list.
    app.persona("Eva", None).await;
    let pc = cadena(&app.get("/api/v1/personas?limit=1").await.body["next_cursor"]);
    assert_422(&app.get(&format!("{URL}?cursor={pc}")).await, &invalido);
}

#[actix_web::test]
async fn todos_los_problemas_a_la_vez_y_los_parametros_desconocidos_se_ignoran() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let query = "estado=&estado=abierta&prioridad=maxima&persona_id=7&q=&created_after=2026-11-01\
                 &created_before=2026-11-01T00:00:00&sort=titulo&limit=0&count=quizas&foo=bar";
    assert_422(
        &app.get(&format!("{URL}?{query}")).await,
        &[
            (q("estado"), "missing"),
            (q("estado"), "enum"),
            (q("prioridad"), "enum"),
            (q("persona_id"), "uuid_parsing"),
            (q("q"), "missing"),
            (q("created_after"), "datetime_parsing"),
            (q("created_before"), "datetime_parsing"),
            (q("sort"), "enum"),
            (q("limit"), "greater_than_equal"),
            (q("count"), "bool_parsing"),
        ],
    );
    let page = pagina(&app, "foo=bar&page=3&offset=10&ordenar=titulo&estado[]=x").await;
    assert_eq!(ids(&page), [cadena(&s["id"])]);
}

#[actix_web::test]
async fn un_cursor_con_un_instante_que_postgresql_no_admite_es_422_y_no_500() {
    let app = spawn().await;
    app.solicitud("Cambio de turno").await;
    app.solicitud("Cambio de horario").await;
    // Signed with the fingerprint of a cursor the service minted for the same query
    // (`sort=-created_at`, no filters).
    let real = pagina(&app, "limit=1").await;
    let f = huella(real["next_cursor"].as_str().unwrap());
    let forja = |micros: i64| cursor::encode("solicitudes", &f, &(micros, NADIE));
    // In range: the service accepts the forged cursor, so the forgery is faithful.
    let page = pagina(&app, &format!("cursor={}", forja(4_102_444_800_000_000))).await;
    assert_eq!(ids(&page).len(), 2);
    // Year -7537: a valid `time` instant, before PostgreSQL's 4713 BC.
    let r = app
        .get(&format!("{URL}?cursor={}", forja(-300_000_000_000_000_000)))
        .await;
    assert_422(&r, &[(q("cursor"), "cursor_invalid")]);
}
