//! The review workflow: `POST /api/v1/solicitudes/{id}/transiciones`, the historial and
//! `GET /api/v1/estadisticas`, including races across two server instances.

// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use common::{Resp, TestApp, err, spawn};
use diesel_async::SimpleAsyncConnection;
use futures_util::future::join_all;
use serde_json::{Value, json};
use solicitudes_api::app::build_app;
use solicitudes_api::state::AppState;
use solicitudes_persistence::migrations;
use solicitudes_testkit::TestDb;

const URL: &str = "/api/v1/solicitudes";
const NADIE: &str = "0193a3f4-1c2b-7d3e-8f40-123456789abc";
const ESTADOS: &str = "pendiente en_revision aprobada rechazada cancelada";
const EVENTO: &str = "actor comentario created_at estado_anterior estado_nuevo";

/// The service a [`TestApp`] wraps (shortens the helpers' bounds).
trait Api<B>:
    Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>
{
}
impl<T, B> Api<B> for T where
    T: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>
{
}

/// The contract's workflow: the estados allowed from `desde`, in the domain's order.
fn permitidos(desde: &str) -> Vec<&'static str> {
    match desde {
        "pendiente" => vec!["en_revision", "cancelada"],
        "en_revision" => vec!["aprobada", "rechazada", "pendiente", "cancelada"],
        _ => vec![],
    }
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn uri(s: &Value) -> String {
    format!("{URL}/{}", s["id"].as_str().unwrap())
}

fn assert_422(r: &Resp, loc: Value, kind: &str) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(keys(&r.body), ["detail"], "{}", r.text);
    assert_eq!(r.errors(), [err(loc, kind)], "{}", r.text);
}

/// `{"detail": "…", "code": "…"}` and nothing else, with this status.
fn assert_detail(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "{}", r.text);
    r.assert_detail_message();
    assert_eq!(keys(&r.body), ["code", "detail"], "{}", r.text);
    assert!(r.header("etag").is_none());
}

/// A 200 in `estado` at `version`, with `ETag: "<version>"`.
fn assert_movida(r: &Resp, estado: &str, version: i64) {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["estado"], estado, "{}", r.text);
    assert_eq!(r.body["version"], version, "{}", r.text);
    assert_eq!(r.header("etag"), Some(format!("\"{version}\"").as_str()));
}

/// A 409 naming exactly the estados allowed from `desde`.
fn assert_prohibida(r: &Resp, desde: &str) {
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        keys(&r.body),
        ["code", "detail", "permitidos"],
        "{}",
        r.text
    );
    assert_eq!(r.body["code"], "transition_not_allowed", "{}", r.text);
    assert!(r.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    assert_eq!(r.body["permitidos"], json!(permitidos(desde)), "{}", r.text);
    assert!(r.header("etag").is_none());
}

/// `POST {u}/transiciones` with this body.
fn req(u: &str, body: &Value, if_match: Option<&str>) -> TestRequest {
    let req = TestRequest::post().uri(&format!("{u}/transiciones"));
    let req = req.set_json(body);
    match if_match {
        Some(m) => req.insert_header(("If-Match", m)),
        None => req,
    }
}

/// `POST {u}/transiciones` with a raw body.
fn crudo(u: &str, content_type: &str, body: &'static str) -> TestRequest {
    let req = TestRequest::post().uri(&format!("{u}/transiciones"));
    req.insert_header(("content-type", content_type))
        .set_payload(body)
}

/// Moves the solicitud at `u` to `estado` (with a comentario when rejecting).
async fn mover<S: Api<B>, B: MessageBody>(
    app: &TestApp<S>,
    u: &str,
    estado: &str,
    if_match: Option<&str>,
) -> Resp {
    let body = match estado {
        "rechazada" => json!({"estado": estado, "comentario": "Falta la firma"}),
        _ => json!({"estado": estado}),
    };
    app.call(req(u, &body, if_match)).await
}

/// A new solicitud brought to `estado` through allowed transitions.
async fn en_estado<S: Api<B>, B: MessageBody>(app: &TestApp<S>, estado: &str) -> Value {
    let camino: &[&str] = match estado {
        "pendiente" => &[],
        "en_revision" => &["en_revision"],
        "cancelada" => &["cancelada"],
        _ => &["en_revision", estado],
    };
    let mut s = app.solicitud(&format!("Camino a {estado}")).await;
    for (version, paso) in (2..).zip(camino) {
        let r = mover(app, &uri(&s), paso, None).await;
        assert_movida(&r, paso, version);
        s = r.body;
    }
    s
}

async fn historial<S: Api<B>, B: MessageBody>(app: &TestApp<S>, s: &Value) -> Vec<Value> {
    let r = app.get(&format!("{}/historial", uri(s))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    r.body.as_array().unwrap().clone()
}

fn evento(anterior: Option<&str>, nuevo: &str, comentario: Option<&str>) -> Value {
    json!({"estado_anterior": anterior, "estado_nuevo": nuevo, "comentario": comentario})
}

/// The events without their timestamps (checked separately) and actors (null until the
/// routes pass the caller), after checking their fields.
fn sin_fecha(eventos: &[Value]) -> Vec<Value> {
    let sin = |e: &Value| {
        assert_eq!(keys(e), EVENTO.split(' ').collect::<Vec<_>>(), "{e}");
        let mut e = e.clone();
        e.as_object_mut().unwrap().remove("created_at");
        e.as_object_mut().unwrap().remove("actor");
        e
    };
    eventos.iter().map(sin).collect()
}

fn cuantos(results: &[Resp], status: u16) -> usize {
    results.iter().filter(|r| r.status == status).count()
}

// ----------------------------------------------------------------------------- the table

#[actix_web::test]
async fn cada_par_de_estados_sigue_la_tabla_del_workflow() {
    let app = spawn().await;
    let mut permitidas = 0;
    for desde in ESTADOS.split(' ') {
        for hacia in ESTADOS.split(' ') {
            let s = en_estado(&app, desde).await;
            let (u, v) = (uri(&s), s["version"].as_i64().unwrap());
            let antes = historial(&app, &s).await;
            let r = mover(&app, &u, hacia, None).await;
            if permitidos(desde).contains(&hacia) {
                permitidas += 1;
                assert_movida(&r, hacia, v + 1);
                for k in "id titulo descripcion prioridad persona_id created_at".split(' ') {
                    assert_eq!(r.body[k], s[k], "{desde} → {hacia}: {k}");
                }
                assert_ne!(r.body["updated_at"], s["updated_at"]);
                let got = app.get(&u).await;
                assert_eq!(got.body, r.body, "{desde} → {hacia}");
                assert_eq!(got.header("etag"), r.header("etag"));
                let despues = historial(&app, &s).await;
                assert_eq!(despues[..antes.len()], antes[..], "{desde} → {hacia}");
                let nuevo = &despues[antes.len()..];
                let comentario = (hacia == "rechazada").then_some("Falta la firma");
                assert_eq!(sin_fecha(nuevo), [evento(Some(desde), hacia, comentario)]);
                assert_eq!(nuevo[0]["created_at"], r.body["updated_at"]);
            } else {
                assert_prohibida(&r, desde);
                assert_eq!(
                    app.get(&u).await.body,
                    s,
                    "{desde} → {hacia}: nothing changed"
                );
                assert_eq!(historial(&app, &s).await, antes);
            }
        }
    }
    assert_eq!(permitidas, 6);
}

#[actix_web::test]
async fn los_estados_finales_no_admiten_patch_tras_llegar_por_transiciones() {
    let app = spawn().await;
    for estado in ["aprobada", "rechazada", "cancelada"] {
        let s = en_estado(&app, estado).await;
        let tag = format!("\"{}\"", s["version"]);
        for if_match in [None, Some(tag.as_str()), Some("*")] {
            let r = app
                .patch(&uri(&s), &json!({"titulo": "Otro"}), if_match)
                .await;
            assert_detail(&r, 409);
        }
        assert_eq!(app.get(&uri(&s)).await.body, s);
    }
    // en_revision is not final: it can still be edited, and editing leaves the estado be.
    let s = en_estado(&app, "en_revision").await;
    let body = json!({"titulo": "Otro"});
    assert_movida(
        &app.patch(&uri(&s), &body, Some("\"2\"")).await,
        "en_revision",
        3,
    );
    assert_eq!(historial(&app, &s).await.len(), 2, "editing adds no event");
}

// ----------------------------------------------------------------------------- comentario

#[actix_web::test]
async fn rechazar_exige_un_comentario_no_vacio_y_los_demas_lo_guardan_si_lo_hay() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let u = uri(&s);
    let body = json!({"estado": "en_revision", "comentario": "  Lo miro yo "});
    assert_movida(&app.call(req(&u, &body, None)).await, "en_revision", 2);
    for body in [
        json!({"estado": "rechazada"}),
        json!({"estado": "rechazada", "comentario": null}),
        json!({"estado": "rechazada", "comentario": "   "}),
        json!({"estado": "rechazada", "comentario": "\n\t"}),
    ] {
        let r = app.call(req(&u, &body, None)).await;
        assert_422(&r, json!(["body", "comentario"]), "missing");
    }
    assert_movida(&app.get(&u).await, "en_revision", 2);
    let body = json!({"estado": "rechazada", "comentario": "Falta la firma"});
    let r = app.call(req(&u, &body, Some("\"2\""))).await;
    assert_movida(&r, "rechazada", 3);
    let firma = Some("Falta la firma");
    assert_eq!(
        sin_fecha(&historial(&app, &s).await),
        [
            evento(None, "pendiente", None),
            evento(Some("pendiente"), "en_revision", Some("  Lo miro yo ")),
            evento(Some("en_revision"), "rechazada", firma),
        ]
    );
    // Other moves take no comentario, or null.
    let s = en_estado(&app, "en_revision").await;
    let body = json!({"estado": "aprobada", "comentario": null});
    assert_movida(&app.call(req(&uri(&s), &body, None)).await, "aprobada", 3);
    let ultimo = sin_fecha(&historial(&app, &s).await).pop().unwrap();
    assert_eq!(ultimo, evento(Some("en_revision"), "aprobada", None));
}

// --------------------------------------------------------------------------------- 422/404

#[actix_web::test]
async fn cuerpos_invalidos_ids_mal_formados_e_inexistentes() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let u = uri(&s);
    let json = "application/json";
    // `body field type`.
    let casos = [
        r#"{"estado":"archivada"} estado enum"#,
        r#"{"estado":"EN_REVISION"} estado enum"#,
        r#"{"estado":null} estado enum"#,
        r#"{} estado missing"#,
        r#"{"estado":"cancelada","motivo":"x"} motivo extra_forbidden"#,
        r#"{"estado":"cancelada","version":2} version extra_forbidden"#,
        r#"{"estado":"cancelada","comentario":7} comentario string_type"#,
        r#"{"estado":"cancelada","comentario":"a\u0000"} comentario string_nul"#,
    ];
    for caso in casos {
        let mut partes = caso.rsplitn(3, ' ');
        let (kind, field) = (partes.next().unwrap(), partes.next().unwrap());
        let r = app.call(crudo(&u, json, partes.next().unwrap())).await;
        assert_422(&r, json!(["body", field]), kind);
    }
    let largo = json!({"estado": "cancelada", "comentario": "ñ".repeat(2001)});
    let r = app.call(req(&u, &largo, None)).await;
    assert_422(&r, json!(["body", "comentario"]), "string_too_long");
    for body in [r#"{"estado":"#, "", "no es json"] {
        let r = app.call(crudo(&u, json, body)).await;
        assert_422(&r, json!(["body"]), "json_invalid");
    }
    let r = app.call(crudo(&u, json, "[]")).await;
    assert_422(&r, json!(["body"]), "model_attributes_type");
    let texto = crudo(&u, "text/plain", r#"{"estado":"cancelada"}"#);
    let r = app.call(texto).await;
    assert_422(&r, json!(["header", "content-type"]), "content_type");
    let r = mover(&app, &u, "cancelada", Some("2")).await;
    assert_422(&r, json!(["header", "if-match"]), "value_error");
    assert_eq!(app.get(&u).await.body, s, "nothing moved");
    assert_eq!(historial(&app, &s).await.len(), 1);

    let r = mover(&app, &format!("{URL}/nada"), "cancelada", None).await;
    assert_422(&r, json!(["path", "id"]), "uuid_parsing");
    // 404 wins over 412 (and over 409: nothing is allowed from nowhere).
    let nadie = format!("{URL}/{NADIE}");
    for if_match in ["\"1\"", "\"7\"", "*", "W/\"1\""]
        .map(Some)
        .into_iter()
        .chain([None])
    {
        assert_detail(&mover(&app, &nadie, "en_revision", if_match).await, 404);
        assert_detail(&mover(&app, &nadie, "aprobada", if_match).await, 404);
    }
    // Other methods on the resource: 405 with Allow.
    let r = app.get(&format!("{u}/transiciones")).await;
    assert_detail(&r, 405);
    assert_eq!(r.header("allow"), Some("POST"));
}

// ------------------------------------------------------------------------------- If-Match

#[actix_web::test]
async fn if_match_en_transiciones_coincide_o_da_412_y_412_gana_a_409() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let u = uri(&s);
    let r = mover(&app, &u, "en_revision", Some("\"1\"")).await;
    assert_movida(&r, "en_revision", 2);
    let v2 = r.body;
    // Stale, weak or not a version: 412 and nothing changes.
    for if_match in ["\"1\"", "\"3\"", "W/\"2\"", "\"abc\""] {
        assert_detail(&mover(&app, &u, "aprobada", Some(if_match)).await, 412);
        assert_detail(&mover(&app, &u, "rechazada", Some(if_match)).await, 412);
        // A forbidden move with a stale If-Match: 412 wins over 409.
        assert_detail(&mover(&app, &u, "en_revision", Some(if_match)).await, 412);
    }
    assert_eq!(app.get(&u).await.body, v2);
    assert_eq!(historial(&app, &s).await.len(), 2);
    // The current version but a forbidden move: 409.
    let r = mover(&app, &u, "en_revision", Some("\"2\"")).await;
    assert_prohibida(&r, "en_revision");
    let r = mover(&app, &u, "pendiente", Some("\"9\", \"2\"")).await;
    assert_movida(&r, "pendiente", 3);
    let r = mover(&app, &u, "cancelada", Some("*")).await;
    assert_movida(&r, "cancelada", 4);
    // Final: stale still says 412; current or * say 409 with no way out.
    assert_detail(&mover(&app, &u, "pendiente", Some("\"3\"")).await, 412);
    for if_match in ["\"4\"", "*"] {
        let r = mover(&app, &u, "pendiente", Some(if_match)).await;
        assert_prohibida(&r, "cancelada");
    }
    assert_eq!(app.get(&u).await.body["version"], 4);
    assert_eq!(historial(&app, &s).await.len(), 4);
}

// ------------------------------------------------------------------------------ historial

#[actix_web::test]
async fn el_historial_empieza_con_la_creacion_y_sigue_cada_transicion_en_orden() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let u = uri(&s);
    let h = historial(&app, &s).await;
    assert_eq!(sin_fecha(&h), [evento(None, "pendiente", None)]);
    assert_eq!(h[0]["created_at"], s["created_at"]);
    // Edits are not events.
    let body = json!({"titulo": "Turno de tarde", "prioridad": "alta"});
    assert_eq!(app.patch(&u, &body, None).await.status, StatusCode::OK);
    assert_eq!(historial(&app, &s).await, h);

    let r = mover(&app, &u, "en_revision", None).await;
    assert_movida(&r, "en_revision", 3);
    let body = json!({"estado": "rechazada", "comentario": "No procede este mes"});
    let r = app.call(req(&u, &body, None)).await;
    assert_movida(&r, "rechazada", 4);
    let h = historial(&app, &s).await;
    let motivo = Some("No procede este mes");
    assert_eq!(
        sin_fecha(&h),
        [
            evento(None, "pendiente", None),
            evento(Some("pendiente"), "en_revision", None),
            evento(Some("en_revision"), "rechazada", motivo),
        ]
    );
    let fechas: Vec<_> = h.iter().map(|e| &e["created_at"]).collect();
    let fechas: Vec<_> = fechas.into_iter().map(|f| f.as_str().unwrap()).collect();
    for f in &fechas {
        assert!(f.ends_with('Z') && f.len() == 27, "{f}");
    }
    assert!(fechas.windows(2).all(|w| w[0] <= w[1]), "{fechas:?}");
    assert_eq!(fechas[2], r.body["updated_at"]);
}

#[actix_web::test]
async fn historial_404_422_y_head() {
    let app = spawn().await;
    let s = app.solicitud("Cambio de turno").await;
    let h = format!("{}/historial", uri(&s));
    assert_detail(&app.get(&format!("{URL}/{NADIE}/historial")).await, 404);
    let r = app.get(&format!("{URL}/nada/historial")).await;
    assert_422(&r, json!(["path", "id"]), "uuid_parsing");
    let head = || TestRequest::default().method(Method::HEAD);
    let r = app.call(head().uri(&h)).await;
    // In-process the body is still there: the HTTP server drops it for HEAD on the wire.
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let r = app
        .call(head().uri(&format!("{URL}/{NADIE}/historial")))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_detail(&app.call(TestRequest::post().uri(&h)).await, 405);
    // Deleting the solicitud takes its historial with it.
    assert_eq!(app.delete(&uri(&s), None).await.status, 204);
    assert_detail(&app.get(&h).await, 404);
}

// --------------------------------------------------------------------------- estadisticas

fn ceros() -> Value {
    json!({
        "total": 0,
        "por_estado": {"pendiente": 0, "en_revision": 0, "aprobada": 0, "rechazada": 0,
                       "cancelada": 0},
        "por_prioridad": {"baja": 0, "media": 0, "alta": 0, "urgente": 0},
    })
}

#[actix_web::test]
async fn estadisticas_empiezan_en_cero_y_cuentan_cada_solicitud_por_estado_y_prioridad() {
    let app = spawn().await;
    let r = app.get("/api/v1/estadisticas").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.body, ceros(), "every counter present, all zero");
    let head = TestRequest::default().method(Method::HEAD);
    assert_eq!(app.call(head.uri("/api/v1/estadisticas")).await.status, 200);
    let p = app.persona("Ana", None).await;
    let prioridades = ["baja", "media", "media", "alta", "urgente", "urgente"];
    let caminos: [&[&str]; 6] = [
        &["en_revision"],
        &["en_revision", "aprobada"],
        &["cancelada"],
        &["en_revision", "rechazada"],
        &["en_revision", "pendiente"],
        &[],
    ];
    let mut creadas = Vec::new();
    for (prioridad, camino) in prioridades.iter().zip(caminos) {
        let body = json!({"titulo": "Solicitud", "prioridad": prioridad, "persona_id": p["id"]});
        let s = app.post(URL, &body).await.body;
        for paso in camino {
            assert_eq!(mover(&app, &uri(&s), paso, None).await.status, 200);
        }
        creadas.push(s);
    }
    // A refused move changes no count.
    let r = mover(&app, &uri(&creadas[2]), "pendiente", None).await;
    assert_eq!(r.status, 409);
    let mut want = ceros();
    want["total"] = json!(6);
    want["por_estado"] = json!({"pendiente": 2, "en_revision": 1, "aprobada": 1,
                                "rechazada": 1, "cancelada": 1});
    want["por_prioridad"] = json!({"baja": 1, "media": 2, "alta": 1, "urgente": 2});
    assert_eq!(app.get("/api/v1/estadisticas").await.body, want);
    // An edit moves a prioridad count; a delete lowers the total.
    let body = json!({"prioridad": "urgente"});
    let r = app.patch(&uri(&creadas[0]), &body, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.delete(&uri(&creadas[1]), None).await.status, 204);
    want["total"] = json!(5);
    want["por_estado"]["aprobada"] = json!(0);
    want["por_prioridad"] = json!({"baja": 0, "media": 1, "alta": 1, "urgente": 3});
    assert_eq!(app.get("/api/v1/estadisticas").await.body, want);
}

// --------------------------------------------------------------- two instances, one database

type Llamada<'a> = Pin<Box<dyn Future<Output = Resp> + 'a>>;

/// A second app with a pool of its own over the same database, as another server process.
async fn otra_instancia<S>(
    app: &TestApp<S>,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    let state = AppState {
        pool: app.db.pool(),
        // Another replica: its own authentication service and session cache.
        auth: solicitudes_services::Auth::new(
            solicitudes_api::config::Settings::defaults()
                .unwrap()
                .auth(),
        )
        .unwrap(),
        expected_migrations: Arc::new(migrations::expected_versions().unwrap()),
    };
    let http = common::http_defaults();
    test::init_service(build_app(state, http)).await
}

/// What [`TestApp::call`] does (as the test admin, with `token`), for the second instance.
async fn llamar<S: Api<B>, B: MessageBody>(svc: &S, token: &str, req: TestRequest) -> Resp {
    let req = req.insert_header(("Authorization", format!("Bearer {token}")));
    let res = test::call_service(svc, req.to_request()).await;
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = test::read_body(res).await;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        body,
        text,
    }
}

/// Runs `llamadas` at once while a transaction of the test holds the solicitud's row lock, and
/// commits it only once more than four requests wait behind it — more than one pool of four
/// can hold, so both instances are in the race — then returns every answer.
async fn en_carrera(db: &TestDb, s: &Value, llamadas: Vec<Llamada<'_>>) -> Vec<Resp> {
    let mut cerrojo = db.connect().await;
    let id = s["id"].as_str().unwrap();
    let bloquear = format!("BEGIN; SELECT 1 FROM solicitudes WHERE id = '{id}' FOR UPDATE");
    cerrojo.batch_execute(&bloquear).await.unwrap();
    let soltar = async move {
        let mut espia = db.connect().await;
        let cola = "DO $$ BEGIN IF (SELECT count(*) FROM pg_stat_activity \
                    WHERE datname = current_database() AND wait_event_type = 'Lock') < 5 \
                    THEN RAISE EXCEPTION 'todavía no'; END IF; END $$";
        let mut en_cola = false;
        for _ in 0..500 {
            en_cola = espia.batch_execute(cola).await.is_ok();
            if en_cola {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
        cerrojo.batch_execute("COMMIT").await.unwrap();
        en_cola
    };
    let (results, en_cola) = futures_util::future::join(join_all(llamadas), soltar).await;
    assert!(en_cola, "the two instances never queued together");
    results
}

#[actix_web::test]
async fn veinte_patch_concurrentes_en_dos_instancias_solo_uno_gana() {
    let app = spawn().await;
    let otra = otra_instancia(&app).await;
    let s = app.solicitud("Original").await;
    let u = uri(&s);
    let titulo = |i| json!({"titulo": format!("Título {i}")});
    let bodies: Vec<_> = (0..20).map(titulo).collect();
    let llamadas = bodies.iter().enumerate().map(|(i, b)| -> Llamada<'_> {
        if i % 2 == 0 {
            Box::pin(app.patch(&u, b, Some("\"1\"")))
        } else {
            let patch = TestRequest::patch().uri(&u).set_json(b);
            Box::pin(llamar(
                &otra,
                &app.admin_token,
                patch.insert_header(("If-Match", "\"1\"")),
            ))
        }
    });
    let results = en_carrera(&app.db, &s, llamadas.collect()).await;
    let statuses: Vec<_> = results.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(cuantos(&results, 200), 1, "{statuses:?}");
    assert_eq!(cuantos(&results, 412), 19, "{statuses:?}");
    let ok = results.iter().find(|r| r.status == StatusCode::OK).unwrap();
    assert_eq!(ok.header("etag"), Some("\"2\""));
    let got = llamar(&otra, &app.admin_token, TestRequest::get().uri(&u)).await;
    assert_eq!(got.body["version"], 2);
    assert_eq!(got.body, ok.body);
}

#[actix_web::test]
async fn diez_transiciones_concurrentes_en_dos_instancias_solo_una_pasa() {
    let app = spawn().await;
    let otra = otra_instancia(&app).await;
    let s = app.solicitud("Original").await;
    let u = uri(&s);
    let body = json!({"estado": "en_revision"});
    let llamadas = (0..10).map(|i| -> Llamada<'_> {
        match i % 2 {
            0 => Box::pin(app.call(req(&u, &body, None))),
            _ => Box::pin(llamar(&otra, &app.admin_token, req(&u, &body, None))),
        }
    });
    let results = en_carrera(&app.db, &s, llamadas.collect()).await;
    let statuses: Vec<_> = results.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(cuantos(&results, 200), 1, "{statuses:?}");
    for r in results.iter().filter(|r| r.status != StatusCode::OK) {
        // Already en_revision, and en_revision → en_revision is not a move.
        assert_prohibida(r, "en_revision");
    }
    assert_movida(&app.get(&u).await, "en_revision", 2);
    let h = sin_fecha(&historial(&app, &s).await);
    let revision = evento(Some("pendiente"), "en_revision", None);
    assert_eq!(h, [evento(None, "pendiente", None), revision]);

    // Approvals and rejections racing with the same If-Match: one wins, the rest are 412.
    let llamadas = (0..10).map(|i| -> Llamada<'_> {
        let destino = if i % 2 == 0 { "aprobada" } else { "rechazada" };
        let r = req(
            &u,
            &json!({"estado": destino, "comentario": "Decidido"}),
            Some("\"2\""),
        );
        match i % 3 {
            0 => Box::pin(app.call(r)),
            _ => Box::pin(llamar(&otra, &app.admin_token, r)),
        }
    });
    let results = en_carrera(&app.db, &s, llamadas.collect()).await;
    let statuses: Vec<_> = results.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(cuantos(&results, 200), 1, "{statuses:?}");
    assert_eq!(cuantos(&results, 412), 9, "{statuses:?}");
    let ok = results.iter().find(|r| r.status == StatusCode::OK).unwrap();
    assert_eq!(app.get(&u).await.body, ok.body);
    assert_eq!(historial(&app, &s).await.len(), 3);
}
