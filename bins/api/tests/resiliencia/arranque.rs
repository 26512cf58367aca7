//! The service starts before its database.

use super::*;

#[test]
#[ignore = "resiliencia: arranca su propio PostgreSQL; make resilience"]
fn el_servicio_arranca_antes_que_la_base_y_queda_listo_cuando_la_base_llega() {
    // Create the cluster to learn its URL, then stop it: nothing listens on that port.
    let cluster = Cluster::create("res-arranque", false);
    cluster.down();
    let mut svc = harness::start_service("arranque", cluster.url(), &[]);
    svc.wait_healthy(Duration::from_secs(60));
    let port = svc.port();

    // Alive, not ready; the API says "come back later", not "I broke" — to a token it cannot
    // check yet. Without credentials it needs no database to say 401. Nobody can log in yet.
    let desconocido = format!("Bearer {}", http::TOKEN_DESCONOCIDO);
    let con_token = |method: &str, path: &str, body: Option<&str>| {
        http::request(
            port,
            method,
            path,
            &[("Authorization", &desconocido)],
            body,
            http::TIMEOUT,
        )
    };
    for _ in 0..2 {
        let r = http::get(port, "/healthz").unwrap();
        assert_eq!(r.status, 200, "{r}");
        assert_503(
            "GET /readyz before the database",
            &http::get(port, "/readyz"),
        );
        assert_puerta_sin_base(port, "before the database", false);
        assert_503(
            "POST /api/v1/personas with a token before the database",
            &con_token(
                "POST",
                "/api/v1/personas",
                Some(&json!({"nombre": "Temprana", "edad": 1}).to_string()),
            ),
        );
        let login = json!({"username": harness::ADMIN_EMAIL, "password": harness::ADMIN_PASSWORD});
        assert_503(
            "POST /api/v1/auth/token before the database",
            &http::post(port, "/api/v1/auth/token", &login),
        );
        thread::sleep(Duration::from_secs(1));
    }

    cluster.up();
    let t = Instant::now();
    let mut vistos: BTreeMap<String, usize> = BTreeMap::new();
    wait_for(
        Duration::from_secs(30),
        "/readyz 200 once the database is up (migrations applied in the background)",
        || {
            // 503 until the token can be looked up, then the 401 an unknown token gets.
            let api = con_token("GET", "/api/v1/personas", None);
            match &api {
                Ok(r) if r.is_contract_401() || r.is_contract_503() => {}
                _ => assert_503("GET /api/v1/personas while the database comes up", &api),
            }
            *vistos
                .entry(format!("GET {}", api.as_ref().unwrap().status))
                .or_default() += 1;
            let ready = http::get(port, "/readyz").unwrap_or_else(|e| panic!("/readyz: {e}"));
            assert!(
                ready.status == 200 || ready.is_contract_503(),
                "/readyz: {ready}"
            );
            (ready.status == 200).then_some(())
        },
    );
    println!(
        "ready {:.2}s after the database came up; API meanwhile: {vistos:?}",
        t.elapsed().as_secs_f64()
    );
    // The bootstrap admin was created once the migrations were applied.
    svc.log_in(Duration::from_secs(30));
    let id = crear_persona(port, "tardia");
    let r = http::get(port, &format!("/api/v1/personas/{id}")).unwrap();
    assert_eq!(r.status, 200, "{r}");
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "POST worked only {:?} after the database came up",
        t.elapsed()
    );
}
