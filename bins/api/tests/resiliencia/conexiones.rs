//! One pool per worker, and still `pool_max_size` connections for the whole process.

use super::*;

/// Connections of the service's pools: client backends other than this psql, the locking
/// one and the session cache's listener (a connection of its own, outside the pools, whose
/// last statement is its `LISTEN` or its idle check's `SELECT 1`).
const CONEXIONES_DEL_SERVICIO: &str = "SELECT count(*) FROM pg_stat_activity \
     WHERE datname = current_database() AND backend_type = 'client backend' \
     AND pid <> pg_backend_pid() AND query NOT LIKE '%pg_sleep%' \
     AND query NOT LIKE 'LISTEN %' AND query <> 'SELECT 1'";

#[test]
#[ignore = "resiliencia: arranca su propio PostgreSQL; make resilience"]
fn los_workers_reparten_pool_max_size_sin_pasarse() {
    let cluster = Cluster::create("res-conexiones", false);
    let mut svc = harness::start_service(
        "conexiones",
        cluster.url(),
        &[
            ("APP__SERVER__WORKERS", "2"),
            ("APP__DATABASE__POOL_MAX_SIZE", "4"),
            ("APP__DATABASE__POOL_MIN_IDLE", "0"),
            ("APP__DATABASE__CHECKOUT_TIMEOUT_MS", "20000"),
            ("APP__DATABASE__STATEMENT_TIMEOUT_MS", "0"),
        ],
    );
    svc.wait_ready(Duration::from_secs(60));
    let port = svc.port();
    let persona = crear_persona(port, "conexiones");

    // Twelve reads queue behind a lock; actix spreads the twelve connections over both
    // workers, so each worker's whole share ends up waiting on the lock.
    let mut bloqueo = bloquear_personas(&cluster, 3);
    let lecturas = leer_persona_en_paralelo(port, &persona, 12);
    esperar_bloqueadas(&cluster, 4);
    for _ in 0..10 {
        let abiertas = cluster.psql_count(CONEXIONES_DEL_SERVICIO);
        assert!(
            abiertas <= 4,
            "{abiertas} connections open with pool_max_size 4 over two workers"
        );
        thread::sleep(Duration::from_millis(100));
    }
    assert!(bloqueo.wait().unwrap().success(), "the locking psql failed");

    // Once the lock goes, every worker's queue drains through its own connections.
    for (n, lectura) in lecturas.into_iter().enumerate() {
        let r = lectura
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("read {n}: {e}"));
        assert_eq!(r.status, 200, "read {n}: {r}");
        assert_eq!(r.json()["id"], persona.as_str(), "read {n}: {r}");
    }
    assert!(cluster.psql_count(CONEXIONES_DEL_SERVICIO) <= 4);
}
