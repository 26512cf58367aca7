//! Oversized request heads against the real server (`startup::Application` on a free port,
//! raw HTTP over TCP): a request line over `server.max_request_line_bytes` is a 414, headers
//! over `server.max_header_bytes` or more than `server.max_headers` of them a 431, each with
//! the contract's `{"detail": "…"}` — not actix-http's bare 400/431 — and requests within the
//! limits, whole or in pieces, pipelined or with bodies, are served as before.

// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "resiliencia/http.rs"]
#[allow(dead_code)]
mod http;

use std::io::Write;
use std::time::{Duration, Instant};

use http::{Ending, Response, TIMEOUT};
use secrecy::SecretString;
use solicitudes_api::config::Settings;
use solicitudes_api::startup::Application;
use solicitudes_testkit::TestDb;

/// The real server over a database of the test's own, with the default limits (8 KiB
/// request line, 32 KiB of headers, 64 headers).
async fn servidor() -> (TestDb, u16) {
    let db = TestDb::new().await;
    let mut settings = Settings::load(None).unwrap();
    settings.server.port = 0;
    settings.server.workers = 1;
    settings.server.shutdown_timeout_secs = 1;
    // The test database is cloned from a migrated template.
    settings.database.migrate_on_start = false;
    settings.database.url = Some(SecretString::from(db.url().to_owned()));
    let app = Application::build(&settings).await.unwrap();
    let port = app.port();
    actix_web::rt::spawn(app.run_until_stopped());
    (db, port)
}

/// Runs blocking socket code off the runtime that serves.
async fn bloqueante<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    actix_web::rt::task::spawn_blocking(f).await.unwrap()
}

/// Sends `bytes` (in one write) and reads one response.
fn enviar(port: u16, bytes: &[u8]) -> Response {
    let deadline = Instant::now() + TIMEOUT;
    let mut s = http::connect(port, TIMEOUT).unwrap();
    s.write_all(bytes).unwrap();
    http::read_response(&mut s, deadline).unwrap()
}

fn cabecera(port: u16, linea: &str, cabeceras: &str) -> Vec<u8> {
    format!("{linea}\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{cabeceras}\r\n")
        .into_bytes()
}

/// The contract's error: this status, JSON `{"detail": "…"}`, a request id, and the
/// connection closed after it.
fn assert_error(r: &Response, status: u16, menciona: &str) {
    assert_eq!(r.status, status, "{r}");
    assert_eq!(r.header("content-type"), Some("application/json"), "{r}");
    let detail = r.json()["detail"].as_str().unwrap_or_default().to_owned();
    assert!(
        detail.contains(menciona),
        "{detail:?} should mention {menciona}"
    );
    assert!(r.header("x-request-id").is_some(), "{r}");
    assert_eq!(r.header("connection"), Some("close"), "{r}");
}

#[actix_web::test]
async fn una_linea_de_peticion_demasiado_larga_es_414_con_detail() {
    let (_db, port) = servidor().await;
    // The issue's case: thousands of repeated filters, an 85 KB URL.
    let filtros = vec!["estado=pendiente"; 5000].join("&");
    let bytes = cabecera(
        port,
        &format!("GET /api/v1/solicitudes?{filtros} HTTP/1.1"),
        "",
    );
    assert!(bytes.len() > 80_000);
    let r = bloqueante(move || enviar(port, &bytes)).await;
    assert_error(&r, 414, "8192 bytes");

    // Just over the limit, and a URL the `http` crate itself refuses (over 64 KiB).
    for largo in [8193 - "GET  HTTP/1.1".len(), 70_000] {
        let ruta = format!("/{}", "a".repeat(largo - 1));
        let bytes = cabecera(port, &format!("GET {ruta} HTTP/1.1"), "");
        let r = bloqueante(move || enviar(port, &bytes)).await;
        assert_error(&r, 414, "bytes");
    }
}

#[actix_web::test]
async fn en_el_limite_la_peticion_se_atiende() {
    let (_db, port) = servidor().await;
    // A request line of exactly 8192 bytes: an unknown path, so the app's 404.
    let ruta = format!("/{}", "a".repeat(8192 - "GET  HTTP/1.1".len() - 1));
    let linea = format!("GET {ruta} HTTP/1.1");
    assert_eq!(linea.len(), 8192);
    let bytes = cabecera(port, &linea, "");
    let r = bloqueante(move || enviar(port, &bytes)).await;
    assert_eq!(r.status, 404, "{r}");
    assert_eq!(r.json()["detail"], "Not Found");

    // 64 headers in all (Host and Connection included), of 32 KiB in all.
    let mut extra = String::new();
    for i in 0..61 {
        extra.push_str(&format!("X-Relleno-{i:02}: x\r\n"));
    }
    let usados = format!("Host: 127.0.0.1:{port}\r\nConnection: close\r\n").len() + extra.len();
    let valor = "v".repeat(32 * 1024 - usados - "X-Grande: \r\n".len());
    extra.push_str(&format!("X-Grande: {valor}\r\n"));
    let bytes = cabecera(port, "GET /healthz HTTP/1.1", &extra);
    let r = bloqueante(move || enviar(port, &bytes)).await;
    assert_eq!(r.status, 200, "{r}");
    assert_eq!(r.json()["status"], "ok");
}

#[actix_web::test]
async fn una_cabecera_enorme_es_431_con_detail() {
    let (_db, port) = servidor().await;
    for tam in [32 * 1024, 200 * 1024] {
        let bytes = cabecera(
            port,
            "GET /healthz HTTP/1.1",
            &format!("X-Relleno: {}\r\n", "a".repeat(tam)),
        );
        let r = bloqueante(move || enviar(port, &bytes)).await;
        assert_error(&r, 431, "32768 bytes");
    }
}

#[actix_web::test]
async fn demasiadas_cabeceras_es_431_con_detail() {
    let (_db, port) = servidor().await;
    // 65 and 200 headers: over this service's 64, and over actix-http's own 96.
    for n in [63, 198] {
        let extra: String = (0..n).map(|i| format!("X-H{i}: 1\r\n")).collect();
        let bytes = cabecera(port, "GET /healthz HTTP/1.1", &extra);
        let r = bloqueante(move || enviar(port, &bytes)).await;
        assert_error(&r, 431, "64 cabeceras");
    }
}

#[actix_web::test]
async fn peticiones_normales_en_trozos_con_cuerpo_y_en_cadena() {
    let (_db, port) = servidor().await;
    let r = bloqueante(move || {
        // A head in three pieces, with pauses between them.
        let deadline = Instant::now() + TIMEOUT;
        let mut s = http::connect(port, TIMEOUT).unwrap();
        let bytes = cabecera(
            port,
            "GET /healthz HTTP/1.1",
            "Accept: application/json\r\n",
        );
        for trozo in bytes.chunks(bytes.len() / 3 + 1) {
            s.write_all(trozo).unwrap();
            std::thread::sleep(Duration::from_millis(30));
        }
        http::read_response(&mut s, deadline).unwrap()
    })
    .await;
    assert_eq!(r.status, 200, "{r}");

    // On one keep-alive connection: a POST whose body looks like a huge header block, a
    // GET, then an oversized head. The body is skipped by its length, the GET answered,
    // then the 431 — in order — and the connection closed.
    let salida = bloqueante(move || {
        // Valid JSON whose white space is 20 000 CRLFs: empty lines, as at the end of a head.
        // (A login, which needs no credentials: its 422 comes from the body.)
        let cuerpo = format!(
            "{{\"username\": \"{}\",{}\"password\": \"x\"}}",
            "a".repeat(300),
            "\r\n".repeat(20_000)
        );
        let mut bytes = format!(
            "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{cuerpo}",
            cuerpo.len()
        )
        .into_bytes();
        bytes.extend_from_slice(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        bytes.extend_from_slice(
            format!(
                "GET /healthz HTTP/1.1\r\nHost: x\r\nX-R: {}\r\n\r\n",
                "a".repeat(40_000)
            )
            .as_bytes(),
        );
        let mut s = http::connect(port, TIMEOUT).unwrap();
        s.write_all(&bytes).unwrap();
        match http::read_until_closed(&mut s, Instant::now() + TIMEOUT) {
            Ending::Closed(b) => String::from_utf8_lossy(&b).into_owned(),
            other => panic!("connection not closed: {other:?}"),
        }
    })
    .await;
    let estados: Vec<&str> = salida
        .match_indices("HTTP/1.1 ")
        .map(|(i, _)| &salida[i + 9..i + 12])
        .collect();
    assert_eq!(estados, ["422", "200", "431"], "{salida}");
    assert!(salida.contains("string_too_long"), "{salida}");
    assert!(
        salida.ends_with(r#"bytes","code":"headers_too_large"}"#),
        "{salida}"
    );
}

#[actix_web::test]
async fn la_ruta_sustituta_no_existe_para_los_clientes() {
    let (_db, port) = servidor().await;
    let r = bloqueante(move || http::get(port, "/_limite-de-cabecera").unwrap()).await;
    assert_eq!(r.status, 404, "{r}");
    assert_eq!(r.json()["detail"], "Not Found");
}
