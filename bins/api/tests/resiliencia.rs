//! Resilience: the real binary against a real PostgreSQL that the test owns and breaks.
//!
//! Each test starts a private cluster with the workspace's harness (`solicitudes_xtask::pg`: `res-…`, on a free port), runs
//! `solicitudes-api serve` as a child process on another free port, and talks to it over
//! raw TCP (`resiliencia/http.rs`). The tests stop, kill and restart databases, so they are
//! `#[ignore]`d (plain `make test` stays fast) and run one at a time by `make resilience`:
//!
//! ```sh
//! cargo test -p solicitudes-api --test resiliencia -- --ignored --test-threads=1
//! ```
//!
//! Each service is started with a bootstrap admin and, once ready, logs in as it
//! (`Service::wait_ready`); its token then goes with every `/api/v1` request (`http.rs`).
//!
//! Time limits tell a hang from an answer. One test measures speed, because that is the
//! promise: during an outage the 503s come at once (far below the checkout timeout) and the
//! service notices the database's return within about a second (`caida.rs`).

// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "resiliencia/harness.rs"]
mod harness;
#[path = "resiliencia/http.rs"]
mod http;

#[path = "resiliencia/apagado.rs"]
mod apagado;
#[path = "resiliencia/arranque.rs"]
mod arranque;
#[path = "resiliencia/caida.rs"]
mod caida;
#[path = "resiliencia/cancelacion.rs"]
mod cancelacion;
#[path = "resiliencia/clientes_lentos.rs"]
mod clientes_lentos;
#[path = "resiliencia/conexiones.rs"]
mod conexiones;
#[path = "resiliencia/durabilidad.rs"]
mod durabilidad;
#[path = "resiliencia/registro.rs"]
mod registro;
#[path = "resiliencia/validacion.rs"]
mod validacion;

use std::collections::BTreeMap;
use std::io::Write;
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use harness::{Cluster, Service, wait_for};
use http::{Ending, Response};
use serde_json::{Value, json};

/// Files a persona and returns its id.
fn crear_persona(port: u16, n: &str) -> String {
    let r = http::post(
        port,
        "/api/v1/personas",
        &json!({"nombre": format!("Persona {n}"), "edad": 30, "email": format!("p-{n}@example.com")}),
    )
    .unwrap_or_else(|e| panic!("POST /api/v1/personas: {e}"));
    assert_eq!(r.status, 201, "{r}");
    r.json()["id"].as_str().unwrap().to_owned()
}

/// Files a solicitud for `persona` and returns its id.
fn crear_solicitud(port: u16, persona: &str, titulo: &str) -> String {
    let r = http::post(
        port,
        "/api/v1/solicitudes",
        &json!({"titulo": titulo, "persona_id": persona}),
    )
    .unwrap_or_else(|e| panic!("POST /api/v1/solicitudes: {e}"));
    assert_eq!(r.status, 201, "{r}");
    r.json()["id"].as_str().unwrap().to_owned()
}

/// Counts locks on `personas` (add `AND …` conditions on `l`).
const LOCKS_PERSONAS: &str = "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
                              WHERE c.relname = 'personas'";

/// Locks `personas` (ACCESS EXCLUSIVE) from a background psql for `segundos`; returns once
/// the lock is held. Every statement on the table waits meanwhile.
fn bloquear_personas(cluster: &Cluster, segundos: u32) -> Child {
    let psql = cluster.psql_background(&format!(
        "BEGIN; LOCK TABLE personas IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({segundos}); COMMIT;"
    ));
    wait_for(Duration::from_secs(10), "psql to lock personas", || {
        (cluster.psql_count(&format!(
            "{LOCKS_PERSONAS} AND l.granted AND l.mode = 'AccessExclusiveLock'"
        )) == 1)
            .then_some(())
    });
    psql
}

/// `n` reads of the persona, each on a connection of its own, in threads (they queue behind
/// [`bloquear_personas`] when the lock is held); join them for the answers.
fn leer_persona_en_paralelo(
    port: u16,
    persona: &str,
    n: usize,
) -> Vec<thread::JoinHandle<Result<Response, http::Failure>>> {
    (0..n)
        .map(|_| {
            let path = format!("/api/v1/personas/{persona}");
            thread::spawn(move || {
                http::request(port, "GET", &path, &[], None, Duration::from_secs(30))
            })
        })
        .collect()
}

/// Waits until at least `n` statements wait for a lock on `personas`.
fn esperar_bloqueadas(cluster: &Cluster, n: i64) {
    wait_for(
        Duration::from_secs(10),
        &format!("{n} statements of the service to wait on the lock"),
        || (cluster.psql_count(&format!("{LOCKS_PERSONAS} AND NOT l.granted")) >= n).then_some(()),
    );
}

/// Asserts the contract's 503: `Retry-After` and JSON `{"detail": "…"}`.
fn assert_503(what: &str, r: &Result<Response, http::Failure>) {
    match r {
        Ok(r) => assert!(
            r.is_contract_503(),
            "{what}: expected 503 with Retry-After and {{\"detail\": \"…\"}}, got {r} (headers {:?})",
            r.headers
        ),
        Err(e) => panic!("{what}: expected a 503, got no answer: {e}"),
    }
}

/// Asserts the contract's 401: `WWW-Authenticate: Bearer` and JSON `{"detail": "…"}`.
fn assert_401(what: &str, r: &Result<Response, http::Failure>) {
    match r {
        Ok(r) => assert!(
            r.is_contract_401(),
            "{what}: expected 401 with WWW-Authenticate: Bearer and {{\"detail\": \"…\"}}, got {r} \
             (headers {:?})",
            r.headers
        ),
        Err(e) => panic!("{what}: expected a 401, got no answer: {e}"),
    }
}

/// The authentication gate while the database is away. Without credentials, or with a token
/// that cannot be one, the request is a 401 — even with an invalid body, since an
/// unauthenticated request is a 401 whatever else is wrong with it — and deciding that needs
/// no database. A well-formed token must be looked up: the contract's 503. With `sesion`, the
/// service's logged-in admin (whose session the cache no longer vouches for once its
/// listener lost the database) gets a 503 for a request that needs the database, and a 422
/// or a 503 for an invalid body: a 422 only in the moment before the listener noticed.
fn assert_puerta_sin_base(port: u16, when: &str, sesion: bool) {
    let t = http::TIMEOUT;
    let invalido = json!({}).to_string();
    assert_401(
        &format!("GET without credentials {when}"),
        &http::request_anonima(port, "GET", "/api/v1/personas", &[], None, t),
    );
    assert_401(
        &format!("POST {{}} without credentials {when}"),
        &http::request_anonima(port, "POST", "/api/v1/personas", &[], Some(&invalido), t),
    );
    assert_401(
        &format!("GET with a malformed token {when}"),
        &http::request(
            port,
            "GET",
            "/api/v1/personas",
            &[("Authorization", "Bearer no-es-un-token")],
            None,
            t,
        ),
    );
    let desconocido = format!("Bearer {}", http::TOKEN_DESCONOCIDO);
    for (method, body) in [("GET", None), ("POST", Some(invalido.as_str()))] {
        assert_503(
            &format!("{method} /api/v1/personas with an unknown token {when}"),
            &http::request(
                port,
                method,
                "/api/v1/personas",
                &[("Authorization", &desconocido)],
                body,
                t,
            ),
        );
    }
    if sesion {
        assert_503(
            &format!("GET /api/v1/personas as the admin {when}"),
            &http::get(port, "/api/v1/personas"),
        );
        let r = http::post(port, "/api/v1/personas", &json!({}))
            .unwrap_or_else(|e| panic!("POST {{}} as the admin {when}: {e}"));
        assert!(
            r.is_contract_503() || (r.status == 422 && r.json()["detail"].is_array()),
            "POST {{}} as the admin {when}: {r}"
        );
    }
}

/// A service with no database: DATABASE_URL points at a port nobody listens on. These
/// tests are about the HTTP layer only.
fn servicio_sin_base(nombre: &str, extra: &[(&str, &str)]) -> Service {
    let url = format!(
        "postgres://nadie:nada@127.0.0.1:{}/nada",
        harness::free_port()
    );
    let mut svc = harness::start_service(nombre, &url, extra);
    svc.wait_healthy(Duration::from_secs(60));
    svc
}

/// Headers with `Content-Length`, then half the body, and nothing more. To the login, which
/// is public and reads its body: a protected route would answer 401 (or 503 without its
/// database) before reading any body.
fn enviar_medio_cuerpo(port: u16) -> std::net::TcpStream {
    let body = json!({"username": "cuerpo@example.com", "password": "a medias"}).to_string();
    let bytes = http::request_bytes(port, "POST", "/api/v1/auth/token", &[], Some(&body));
    let mut s = http::connect(port, http::TIMEOUT).unwrap();
    s.write_all(&bytes[..bytes.len() - body.len() / 2]).unwrap();
    s
}
