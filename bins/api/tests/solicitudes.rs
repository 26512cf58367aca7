//! `/api/v1/solicitudes` (create, read, edit, delete) through the real app and a real database.

mod common;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use common::{Resp, err, spawn};
use diesel_async::SimpleAsyncConnection;
use serde_json::{Value, json};
use solicitudes_testkit::TestDb;

const URL: &str = "/api/v1/solicitudes";
/// A well-formed id that names nothing.
const NADIE: &str = "0193a3f4-1c2b-7d3e-8f40-123456789abc";

// Helpers are not `#[test]` functions: they panic explicitly instead of unwrapping.
fn id(s: &Value) -> &str {
    s["id"].as_str().unwrap_or_else(|| panic!("no id in {s}"))
}

fn uri(s: &Value) -> String {
    format!("{URL}/{}", id(s))
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<_> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

/// A 422 in FastAPI's shape with exactly these `(loc, type)` entries, in this order.
fn assert_422(r: &Resp, expected: &[(Value, &str)]) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(keys(&r.body), ["detail"], "{}", r.text);
    let want: Vec<_> = expected
        .iter()
        .map(|(loc, kind)| err(loc.clone(), kind))
        .collect();
    assert_eq!(r.errors(), want, "{}", r.text);
    for e in r.body["detail"].as_array().into_iter().flatten() {
        assert_eq!(keys(e), ["loc", "msg", "type"], "{e}");
        assert!(e["msg"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
    }
}

/// Any other error: `{"detail": "…", "code": "…"}` and nothing else, with this status.
fn assert_detail(r: &Resp, status: StatusCode) {
    assert_eq!(r.status, status, "{}", r.text);
    r.assert_detail_message();
    assert_eq!(keys(&r.body), ["code", "detail"], "{}", r.text);
}

/// A 200 whose `ETag` is `"<version>"`.
fn assert_ok(r: &Resp, version: i32) {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("etag"), Some(format!("\"{version}\"").as_str()));
    assert_eq!(r.body["version"], version, "{}", r.text);
}

/// Runs SQL on the test's database (transitions are not implemented yet).
async fn sql(db: &TestDb, stmt: &str) {
    let mut conn = db.connect().await;
    if let Err(e) = conn.batch_execute(stmt).await {
        panic!("{stmt}: {e}");
    }
}

/// Fails the test unless the SQL condition holds in the test's database.
async fn assert_sql(db: &TestDb, cond: &str) {
    let mut conn = db.connect().await;
    let check =
        format!("DO $$ BEGIN IF NOT ({cond}) THEN RAISE EXCEPTION 'no se cumple'; END IF; END $$");
    if let Err(e) = conn.batch_execute(&check).await {
        panic!("{cond}: {e}");
    }
}

async fn hacer_final(db: &TestDb, s: &Value, estado: &str) {
    let stmt = format!(
        "UPDATE solicitudes SET estado = '{estado}' WHERE id = '{}'",
        id(s)
    );
    sql(db, &stmt).await;
}

fn raw_post(content_type: Option<&str>, body: impl Into<String>) -> TestRequest {
    let mut req = TestRequest::post().uri(URL).set_payload(body.into());
    if let Some(ct) = content_type {
        req = req.insert_header(("content-type", ct));
    }
    req
}

// ---------------------------------------------------------------------------------- POST

#[actix_web::test]
async fn crear_solicitud_devuelve_201_con_location_etag_y_valores_por_defecto() {
    let app = spawn().await;
    let p = app.persona("Ana", None).await;
    let body = json!({"titulo": "Cambio de turno", "persona_id": p["id"]});
    let r = app.post(URL, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(r.header("location"), Some(format!("{URL}/{id}").as_str()));
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let fields = "created_at descripcion estado id persona_id prioridad titulo updated_at version";
    assert_eq!(keys(&r.body), fields.split(' ').collect::<Vec<_>>());
    assert_eq!(r.body["titulo"], "Cambio de turno");
    assert_eq!(r.body["descripcion"], "");
    assert_eq!(r.body["prioridad"], "media");
    assert_eq!(r.body["estado"], "pendiente");
    assert_eq!(r.body["persona_id"], p["id"]);
    assert_eq!(r.body["version"], 1);
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().to_string(), id);
    let created = r.body["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 27, "{created}");
    assert_eq!(r.body["updated_at"], r.body["created_at"]);

    let got = app.get(r.header("location").unwrap()).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, r.body);
}

#[actix_web::test]
async fn crear_solicitud_recorta_el_titulo_y_guarda_la_descripcion_tal_cual() {
    let app = spawn().await;
    let p = app.persona("Ana", None).await;
    let r = app
        .post(
            URL,
            &json!({"titulo": " \t Vacaciones de agosto \n", "descripcion": "  dos espacios  ",
                    "prioridad": "urgente", "persona_id": p["id"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["titulo"], "Vacaciones de agosto");
    assert_eq!(r.body["descripcion"], "  dos espacios  ");
    assert_eq!(r.body["prioridad"], "urgente");
    let id = r.body["id"].as_str().unwrap();
    assert_sql(
        &app.db,
        &format!(
            "(SELECT titulo = 'Vacaciones de agosto' AND descripcion = '  dos espacios  ' \
             FROM solicitudes WHERE id = '{id}')"
        ),
    )
    .await;
}

#[actix_web::test]
async fn los_limites_cuentan_caracteres_unicode_tras_recortar_el_titulo() {
    let app = spawn().await;
    let p = app.persona("Ana", None).await;
    let cases = [
        ("abc".to_owned(), String::new()),
        ("ñ".repeat(200), "ñ".repeat(5000)),
        (format!("  {}  ", "😀".repeat(200)), "😀".repeat(5000)),
    ];
    for (titulo, descripcion) in cases {
        let body = json!({"titulo": titulo, "descripcion": descripcion, "persona_id": p["id"]});
        let r = app.post(URL, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["titulo"], titulo.trim());
        assert_eq!(r.body["descripcion"], descripcion);
    }
}

#[actix_web::test]
async fn crear_con_un_campo_invalido_devuelve_422_en_ese_campo_y_no_guarda_nada() {
    let app = spawn().await;
    let p = app.persona("Ana", None).await;
    let cases = [
        ("titulo", json!("  ab  "), "string_too_short"),
        ("titulo", json!("   "), "string_too_short"),
        ("titulo", json!("ñ".repeat(201)), "string_too_long"),
        (
            "titulo",
            json!(format!(" {} ", "a".repeat(201))),
            "string_too_long",
        ),
        ("titulo", json!("Ho\u{0}la"), "string_nul"),
        ("titulo", json!(null), "string_type"),
        ("titulo", json!(123), "string_type"),
        ("descripcion", json!("ñ".repeat(5001)), "string_too_long"),
        ("descripcion", json!("a\u{0}"), "string_nul"),
        ("descripcion", json!(null), "string_type"),
        ("prioridad", json!(null), "enum"),
        ("prioridad", json!("maxima"), "enum"),
        ("prioridad", json!("MEDIA"), "enum"),
        ("persona_id", json!("123"), "uuid_parsing"),
        ("persona_id", json!(42), "uuid_parsing"),
        ("persona_id", json!(null), "uuid_parsing"),
        ("persona_id", json!(NADIE), "foreign_key"),
        ("estado", json!("aprobada"), "extra_forbidden"),
        ("version", json!(7), "extra_forbidden"),
        ("id", json!(NADIE), "extra_forbidden"),
    ];
    for (field, value, kind) in cases {
        let mut body = json!({"titulo": "Hola", "persona_id": p["id"]});
        body[field] = value;
        let r = app.post(URL, &body).await;
        assert_422(&r, &[(json!(["body", field]), kind)]);
        assert!(!r.text.contains("fkey"), "no SQL internals: {}", r.text);
    }
    assert_sql(&app.db, "(SELECT count(*) FROM solicitudes) = 0").await;
}

#[actix_web::test]
async fn faltan_titulo_y_persona_o_todos_los_problemas_a_la_vez_devuelven_un_422() {
    let app = spawn().await;
    // v1.1: `persona_id` may be omitted (the caller's own persona), so the body alone lacks
    // only the titulo…
    assert_422(
        &app.post(URL, &json!({})).await,
        &[(json!(["body", "titulo"]), "missing")],
    );
    // …and an admin, who files for no persona of their own, must name one.
    assert_422(
        &app.post(URL, &json!({"titulo": "Hola"})).await,
        &[(json!(["body", "persona_id"]), "missing")],
    );
    assert_422(
        &app.post(URL, &json!({"titulo": "Hola", "persona_id": null}))
            .await,
        &[(json!(["body", "persona_id"]), "uuid_parsing")],
    );
    let body = json!({"titulo": "  ab  ", "descripcion": 5, "prioridad": "maxima",
                      "persona_id": "123", "estado": "aprobada"});
    assert_422(
        &app.post(URL, &body).await,
        &[
            (json!(["body", "estado"]), "extra_forbidden"),
            (json!(["body", "titulo"]), "string_too_short"),
            (json!(["body", "descripcion"]), "string_type"),
            (json!(["body", "prioridad"]), "enum"),
            (json!(["body", "persona_id"]), "uuid_parsing"),
        ],
    );
}

#[actix_web::test]
async fn json_mal_formado_o_tipo_de_contenido_incorrecto_devuelven_422() {
    let app = spawn().await;
    let p = app.persona("Ana", None).await;
    let ok = json!({"titulo": "Hola", "persona_id": p["id"]}).to_string();
    let json_ct = Some("application/json");
    // A lone surrogate is not text PostgreSQL (or Rust) can hold: 422, never a 500.
    let surrogate = ok.replace("Hola", r"Hola\ud800");
    for body in [r#"{"titulo":"#, "", &surrogate] {
        let r = app.call(raw_post(json_ct, body)).await;
        assert_422(&r, &[(json!(["body"]), "json_invalid")]);
    }
    let r = app.call(raw_post(json_ct, "[]")).await;
    assert_422(&r, &[(json!(["body"]), "model_attributes_type")]);
    for ct in [Some("text/plain"), None, Some("application/xml")] {
        let r = app.call(raw_post(ct, ok.clone())).await;
        assert_422(&r, &[(json!(["header", "content-type"]), "content_type")]);
    }
    assert_sql(&app.db, "(SELECT count(*) FROM solicitudes) = 0").await;
    let r = app
        .call(raw_post(Some("application/json; charset=utf-8"), ok))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[actix_web::test]
async fn un_cuerpo_de_mas_de_1_mib_devuelve_413() {
    let app = spawn().await;
    let p = app.persona("Ana", None).await;
    let big = format!(
        r#"{{"titulo":"Hola","descripcion":"{}","persona_id":"{}"}}"#,
        "a".repeat(1024 * 1024),
        p["id"].as_str().unwrap()
    );
    let json_ct = Some("application/json");
    let r = app.call(raw_post(json_ct, big.clone())).await;
    assert_detail(&r, StatusCode::PAYLOAD_TOO_LARGE);
    // Also when the declared length lies: the body is measured as it is read.
    let lying = raw_post(json_ct, big.clone()).insert_header(("content-length", "10"));
    assert_detail(&app.call(lying).await, StatusCode::PAYLOAD_TOO_LARGE);
    assert_sql(&app.db, "(SELECT count(*) FROM solicitudes) = 0").await;

    let s = app.solicitud("Pequeña").await;
    let r = app
        .call(
            TestRequest::patch()
                .uri(&uri(&s))
                .insert_header(("content-type", "application/json"))
                .set_payload(big),
        )
        .await;
    assert_detail(&r, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.get(&uri(&s)).await.body, s);
}

// ----------------------------------------------------------------------------------- GET

#[actix_web::test]
async fn obtener_solicitud_devuelve_200_con_etag_de_su_version() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let u = uri(&s);
    let r = app.get(&u).await;
    assert_ok(&r, 1);
    assert_eq!(r.body, s);
    app.patch(&u, &json!({"prioridad": "alta"}), None).await;
    app.patch(&u, &json!({"prioridad": "baja"}), None).await;
    assert_ok(&app.get(&u).await, 3);
}

#[actix_web::test]
async fn obtener_inexistente_devuelve_404_e_id_mal_formado_422() {
    let app = spawn().await;
    let r = app.get(&format!("{URL}/{NADIE}")).await;
    assert_detail(&r, StatusCode::NOT_FOUND);
    assert!(r.header("etag").is_none());
    for id in [
        "no-es-un-uuid",
        "123",
        "0193a3f4-1c2b-7d3e-8f40-123456789abz",
    ] {
        let r = app.get(&format!("{URL}/{id}")).await;
        assert_422(&r, &[(json!(["path", "id"]), "uuid_parsing")]);
    }
}

// --------------------------------------------------------------------------------- PATCH

#[actix_web::test]
async fn patch_cambia_solo_lo_enviado_y_sube_version_etag_y_updated_at() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let u = uri(&s);
    let r = app.patch(&u, &json!({"prioridad": "alta"}), None).await;
    assert_ok(&r, 2);
    assert_eq!(r.body["prioridad"], "alta");
    assert_ne!(r.body["updated_at"], s["updated_at"]);
    for k in [
        "id",
        "titulo",
        "descripcion",
        "estado",
        "persona_id",
        "created_at",
    ] {
        assert_eq!(r.body[k], s[k], "{k}");
    }
    assert_eq!(keys(&r.body), keys(&s));

    let body = json!({"titulo": "  Turno de mañana ", "descripcion": " x "});
    let r2 = app.patch(&u, &body, None).await;
    assert_ok(&r2, 3);
    assert_eq!(r2.body["titulo"], "Turno de mañana");
    assert_eq!(r2.body["descripcion"], " x ");
    assert_eq!(r2.body["prioridad"], "alta");
    assert_ne!(r2.body["updated_at"], r.body["updated_at"]);
    // Only the case changes: that is a change too.
    let r3 = app
        .patch(&u, &json!({"titulo": "TURNO DE MAÑANA"}), None)
        .await;
    assert_ok(&r3, 4);
    let got = app.get(&u).await;
    assert_ok(&got, 4);
    assert_eq!(got.body, r3.body);
}

#[actix_web::test]
async fn patch_vacio_o_con_los_mismos_valores_no_cambia_nada() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let u = uri(&s);
    let r = app.patch(&u, &json!({}), None).await;
    assert_ok(&r, 1);
    assert_eq!(r.body, s, "{{}} changes nothing, not even updated_at");

    let same = json!({"titulo": " Cambio de turno ", "descripcion": "", "prioridad": "media"});
    let r = app.patch(&u, &same, Some("\"1\"")).await;
    assert_ok(&r, 1);
    assert_eq!(r.body, s, "same values: no new version");
    assert_eq!(app.get(&u).await.body, s);
}

#[actix_web::test]
async fn patch_con_if_match_que_coincide_o_asterisco_devuelve_200() {
    let app = spawn().await;
    let u = uri(&app.solicitud("Cambio de turno").await);
    let r = app
        .patch(&u, &json!({"prioridad": "baja"}), Some("\"1\""))
        .await;
    assert_ok(&r, 2);
    let r = app
        .patch(&u, &json!({"prioridad": "alta"}), Some("*"))
        .await;
    assert_ok(&r, 3);
    // A list of tags matches when one of them does.
    let r = app
        .patch(&u, &json!({"prioridad": "urgente"}), Some("\"9\", \"3\""))
        .await;
    assert_ok(&r, 4);
    assert_eq!(r.body["prioridad"], "urgente");
}

#[actix_web::test]
async fn patch_con_if_match_obsoleto_o_debil_devuelve_412_y_no_cambia_nada() {
    let app = spawn().await;
    let u = uri(&app.solicitud("Cambio de turno").await);
    let v2 = app
        .patch(&u, &json!({"titulo": "Versión dos"}), None)
        .await
        .body;
    let body = json!({"titulo": "Pisado", "prioridad": "baja"});
    for if_match in ["\"1\"", "W/\"2\"", "\"3\"", "\"abc\"", "\"99999999999\""] {
        let r = app.patch(&u, &body, Some(if_match)).await;
        assert_detail(&r, StatusCode::PRECONDITION_FAILED);
        assert!(r.header("etag").is_none(), "{if_match}");
        // Even an edit that would change nothing is refused with a stale version.
        let r = app.patch(&u, &json!({}), Some(if_match)).await;
        assert_detail(&r, StatusCode::PRECONDITION_FAILED);
    }
    let got = app.get(&u).await;
    assert_ok(&got, 2);
    assert_eq!(got.body, v2);
    assert_eq!(got.body["titulo"], "Versión dos");
}

#[actix_web::test]
async fn if_match_mal_formado_devuelve_422_en_la_cabecera() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let u = uri(&s);
    let header_422 = [(json!(["header", "if-match"]), "value_error")];
    for if_match in ["1", "\"1", "W/1", "\"1\" \"2\"", "\"1\",", ""] {
        let r = app
            .patch(&u, &json!({"titulo": "Otro"}), Some(if_match))
            .await;
        assert_422(&r, &header_422);
        assert_422(&app.delete(&u, Some(if_match)).await, &header_422);
    }
    assert_eq!(app.get(&u).await.body, s);
}

#[actix_web::test]
async fn patch_inexistente_devuelve_404_aunque_if_match_no_coincida() {
    let app = spawn().await;
    let u = format!("{URL}/{NADIE}");
    for if_match in [
        None,
        Some("\"1\""),
        Some("\"7\""),
        Some("*"),
        Some("W/\"1\""),
    ] {
        let r = app.patch(&u, &json!({"titulo": "Otro"}), if_match).await;
        assert_detail(&r, StatusCode::NOT_FOUND);
        assert_detail(
            &app.patch(&u, &json!({}), if_match).await,
            StatusCode::NOT_FOUND,
        );
    }
    let r = app.patch(&format!("{URL}/nada"), &json!({}), None).await;
    assert_422(&r, &[(json!(["path", "id"]), "uuid_parsing")]);
}

#[actix_web::test]
async fn patch_de_una_solicitud_final_devuelve_409_pero_412_gana_a_409() {
    let app = spawn().await;
    let body = json!({"titulo": "Otro"});
    for estado in ["aprobada", "rechazada", "cancelada"] {
        let s = app.solicitud("Cambio de turno").await;
        let u = uri(&s);
        hacer_final(&app.db, &s, estado).await;
        for if_match in [None, Some("\"1\""), Some("*")] {
            let r = app.patch(&u, &body, if_match).await;
            assert_detail(&r, StatusCode::CONFLICT);
        }
        for if_match in ["\"2\"", "W/\"1\""] {
            let r = app.patch(&u, &body, Some(if_match)).await;
            assert_detail(&r, StatusCode::PRECONDITION_FAILED);
        }
        let got = app.get(&u).await;
        assert_ok(&got, 1);
        assert_eq!(got.body["titulo"], "Cambio de turno");
        assert_eq!(got.body["estado"], estado);
    }
    // en_revision is not final: it can still be edited.
    let s = app.solicitud("En revisión").await;
    hacer_final(&app.db, &s, "en_revision").await;
    let r = app.patch(&uri(&s), &body, Some("\"1\"")).await;
    assert_ok(&r, 2);
    assert_eq!(r.body["estado"], "en_revision");
}

#[actix_web::test]
async fn patch_con_campos_invalidos_devuelve_422_y_no_cambia_nada() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let u = uri(&s);
    let cases = [
        ("titulo", json!(null), "string_type"),
        ("titulo", json!("  ab "), "string_too_short"),
        ("titulo", json!("ñ".repeat(201)), "string_too_long"),
        ("titulo", json!("a\u{0}bc"), "string_nul"),
        ("descripcion", json!(null), "string_type"),
        ("descripcion", json!("x".repeat(5001)), "string_too_long"),
        ("prioridad", json!("maxima"), "enum"),
        ("prioridad", json!(null), "enum"),
        ("estado", json!("aprobada"), "extra_forbidden"),
        ("version", json!(5), "extra_forbidden"),
        ("persona_id", json!(NADIE), "extra_forbidden"),
    ];
    for (field, value, kind) in cases {
        let r = app.patch(&u, &json!({ field: value }), None).await;
        assert_422(&r, &[(json!(["body", field]), kind)]);
    }
    let body = json!({"estado": "aprobada", "titulo": null, "prioridad": 1});
    assert_422(
        &app.patch(&u, &body, Some("\"1\"")).await,
        &[
            (json!(["body", "estado"]), "extra_forbidden"),
            (json!(["body", "titulo"]), "string_type"),
            (json!(["body", "prioridad"]), "enum"),
        ],
    );
    assert_eq!(app.get(&u).await.body, s);
}

#[actix_web::test]
async fn veinte_patch_concurrentes_con_el_mismo_if_match_solo_uno_gana() {
    let app = spawn().await;
    let u = uri(&app.solicitud("Original").await);
    let bodies: Vec<_> = (0..20)
        .map(|i| json!({"titulo": format!("Título {i}")}))
        .collect();
    let patches = bodies.iter().map(|b| app.patch(&u, b, Some("\"1\"")));
    let results = futures_util::future::join_all(patches).await;
    let statuses: Vec<_> = results.iter().map(|r| r.status).collect();
    let ok: Vec<_> = results
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .collect();
    assert_eq!(ok.len(), 1, "{statuses:?}");
    for r in results.iter().filter(|r| r.status != StatusCode::OK) {
        assert_detail(r, StatusCode::PRECONDITION_FAILED);
    }
    assert_ok(ok[0], 2);
    let got = app.get(&u).await;
    assert_ok(&got, 2);
    assert_eq!(got.body, ok[0].body);
    assert_ne!(got.body["titulo"], "Original");
}

// -------------------------------------------------------------------------------- DELETE

#[actix_web::test]
async fn borrar_solicitud_devuelve_204_y_despues_404() {
    let app = spawn().await;
    let u = uri(&app.solicitud("Cambio de turno").await);
    let r = app.delete(&u, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(r.text.is_empty());
    assert!(r.header("content-type").is_none());
    assert_detail(&app.get(&u).await, StatusCode::NOT_FOUND);
    assert_detail(&app.delete(&u, None).await, StatusCode::NOT_FOUND);
    assert_detail(&app.delete(&u, Some("\"1\"")).await, StatusCode::NOT_FOUND);
    assert_detail(
        &app.patch(&u, &json!({}), None).await,
        StatusCode::NOT_FOUND,
    );
    let r = app.delete(&format!("{URL}/nada"), None).await;
    assert_422(&r, &[(json!(["path", "id"]), "uuid_parsing")]);
}

#[actix_web::test]
async fn borrar_con_if_match_obsoleto_devuelve_412_y_con_el_vigente_204() {
    let app = spawn().await;
    let u = uri(&app.solicitud("Cambio de turno").await);
    app.patch(&u, &json!({"prioridad": "alta"}), None).await;
    for if_match in ["\"1\"", "W/\"2\"", "\"3\""] {
        let r = app.delete(&u, Some(if_match)).await;
        assert_detail(&r, StatusCode::PRECONDITION_FAILED);
    }
    assert_ok(&app.get(&u).await, 2);
    let r = app.delete(&u, Some("\"2\"")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(app.get(&u).await.status, StatusCode::NOT_FOUND);

    let u = uri(&app.solicitud("Otra").await);
    let r = app.delete(&u, Some("*")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_detail(&app.delete(&u, Some("*")).await, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn borrar_una_solicitud_final_esta_permitido() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let u = uri(&s);
    hacer_final(&app.db, &s, "aprobada").await;
    let r = app.delete(&u, Some("\"2\"")).await;
    assert_detail(&r, StatusCode::PRECONDITION_FAILED);
    let r = app.delete(&u, Some("\"1\"")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(app.get(&u).await.status, StatusCode::NOT_FOUND);
    let s = app.solicitud("Cancelada").await;
    hacer_final(&app.db, &s, "cancelada").await;
    let r = app.delete(&uri(&s), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_sql(&app.db, "(SELECT count(*) FROM solicitudes) = 0").await;
}

// ------------------------------------------------------------------------------ methods

#[actix_web::test]
async fn otros_metodos_sobre_una_solicitud_devuelven_405_con_allow() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let u = uri(&s);
    for req in [
        TestRequest::put()
            .uri(&u)
            .set_json(json!({"titulo": "Otro"})),
        TestRequest::post().uri(&u).set_json(json!({})),
    ] {
        let r = app.call(req).await;
        assert_detail(&r, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.header("allow"), Some("GET, HEAD, PATCH, DELETE"));
    }
    assert_eq!(app.get(&u).await.body, s);
}
