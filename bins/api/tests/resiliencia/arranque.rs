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

    // Alive, not ready; the API says "come back later", not "I broke".
    for _ in 0..2 {
        let r = http::get(port, "/healthz").unwrap();
        assert_eq!(r.status, 200, "{r}");
        assert_503(
            "GET /readyz before the database",
            &http::get(port, "/readyz"),
        );
        assert_503(
            "GET /api/v1/personas before the database",
            &http::get(port, "/api/v1/personas"),
        );
        assert_422_sin_base(port, "before the database");
        assert_503(
            "POST /api/v1/personas before the database",
            &http::post(
                port,
                "/api/v1/personas",
                &json!({"nombre": "Temprana", "edad": 1}),
            ),
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
            let api = http::get(port, "/api/v1/personas");
            match &api {
                Ok(r) if r.status == 200 || r.is_contract_503() => {}
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
    let id = crear_persona(port, "tardia");
    let r = http::get(port, &format!("/api/v1/personas/{id}")).unwrap();
    assert_eq!(r.status, 200, "{r}");
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "POST worked only {:?} after the database came up",
        t.elapsed()
    );
}
