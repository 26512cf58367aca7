//! Invalid requests are refused without waiting for a database connection — the
//! authentication gate included: a cached session, or none at all, needs no connection.

use super::*;

#[test]
#[ignore = "resiliencia: arranca su propio PostgreSQL; make resilience"]
fn validar_no_toma_conexion_de_la_base_aunque_el_pool_este_agotado() {
    let cluster = Cluster::create("res-validacion", false);
    let mut svc = harness::start_service(
        "validacion",
        cluster.url(),
        &[
            ("APP__DATABASE__POOL_MAX_SIZE", "1"),
            ("APP__DATABASE__POOL_MIN_IDLE", "0"),
            ("APP__DATABASE__CHECKOUT_TIMEOUT_MS", "1000"),
            ("APP__DATABASE__STATEMENT_TIMEOUT_MS", "0"),
        ],
    );
    svc.wait_ready(Duration::from_secs(60));
    let port = svc.port();

    // Hold `personas` locked from psql; the service's only connection will wait on it.
    let mut bloqueo = bloquear_personas(&cluster, 8);
    let (tx, rx) = mpsc::channel();
    let ocupada = thread::spawn(move || {
        let t = Instant::now();
        let r = http::request(
            port,
            "GET",
            "/api/v1/personas",
            &[],
            None,
            Duration::from_secs(30),
        );
        tx.send(()).unwrap();
        (r, t.elapsed())
    });
    esperar_bloqueadas(&cluster, 1);

    let invalidas: [(&str, &str, Option<Value>); 5] = [
        ("POST", "/api/v1/personas", Some(json!({}))),
        ("POST", "/api/v1/solicitudes", Some(json!({"titulo": "x"}))),
        ("GET", "/api/v1/personas/no-es-un-uuid", None),
        ("PATCH", "/api/v1/solicitudes/123", Some(json!({}))),
        ("GET", "/api/v1/personas?limit=0", None),
    ];
    // The admin's session is in the service's cache (wait_ready checked the token): the gate
    // lets these through without a connection, and validation refuses them.
    for (method, path, body) in &invalidas {
        let t = Instant::now();
        let body = body.as_ref().map(Value::to_string);
        let r = http::request(port, method, path, &[], body.as_deref(), http::TIMEOUT)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let tardo = t.elapsed();
        assert_eq!(r.status, 422, "{method} {path}: {r}");
        assert!(r.json()["detail"].is_array(), "{method} {path}: {r}");
        assert!(
            tardo < Duration::from_secs(1),
            "{method} {path} took {tardo:?}: it waited for the busy pool"
        );
    }
    // Without credentials the gate answers at once too.
    for (method, path, body) in &invalidas {
        let t = Instant::now();
        let body = body.as_ref().map(Value::to_string);
        let r = http::request_anonima(port, method, path, &[], body.as_deref(), http::TIMEOUT);
        let tardo = t.elapsed();
        assert_401(&format!("{method} {path} without credentials"), &r);
        assert!(
            tardo < Duration::from_secs(1),
            "{method} {path} without credentials took {tardo:?}: it waited for the busy pool"
        );
    }
    // A valid request does need the connection: it waits for it and gets a 503.
    let t = Instant::now();
    let r = http::get(
        port,
        "/api/v1/personas/0193a3f4-1c2b-7d3e-8f40-123456789abc",
    )
    .unwrap();
    let espero = t.elapsed();
    assert!(
        r.is_contract_503(),
        "valid GET with the pool exhausted: {r}"
    );
    assert!(
        espero >= Duration::from_millis(900),
        "the 503 came after {espero:?}, before the 1 s checkout timeout"
    );
    assert!(
        rx.try_recv().is_err(),
        "the GET holding the connection finished early: the pool was not exhausted"
    );

    let fin = bloqueo.wait().unwrap();
    assert!(fin.success(), "the psql holding the lock failed: {fin}");
    let (r, tardo) = ocupada.join().unwrap();
    let r = r.unwrap_or_else(|e| panic!("the GET that waited on the lock: {e}"));
    assert_eq!(r.status, 200, "the GET that waited on the lock: {r}");
    println!(
        "5 invalid requests answered 422 (and 401 without credentials) while the only connection waited {:.2}s on a lock; \
         a valid one got 503 after {:.2}s",
        tardo.as_secs_f64(),
        espero.as_secs_f64()
    );
}
