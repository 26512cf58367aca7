//! Clients that hang up mid-request leave no transaction (or lock) behind.

use super::*;

#[test]
#[ignore = "resiliencia: arranca su propio PostgreSQL; make resilience"]
fn colgar_a_mitad_de_una_escritura_no_deja_transacciones_abiertas() {
    let cluster = Cluster::create("res-cancelacion", false);
    let mut svc = harness::start_service("cancelacion", cluster.url(), &[]);
    svc.wait_ready(Duration::from_secs(60));
    let port = svc.port();
    let persona = crear_persona(port, "cancelacion");
    let solicitud = crear_solicitud(port, &persona, "Objetivo de los cortes");

    for n in 0..200u32 {
        let (method, path, body) = match n % 4 {
            0 => (
                "POST",
                "/api/v1/solicitudes".to_owned(),
                json!({"titulo": format!("Cortada {n}"), "persona_id": persona}),
            ),
            1 => (
                "PATCH",
                format!("/api/v1/solicitudes/{solicitud}"),
                json!({"titulo": format!("Editada {n}")}),
            ),
            2 => (
                "POST",
                format!("/api/v1/solicitudes/{solicitud}/transiciones"),
                json!({"estado": if n % 8 == 2 { "en_revision" } else { "pendiente" }}),
            ),
            _ => (
                "POST",
                "/api/v1/personas".to_owned(),
                json!({"nombre": format!("Cortada {n}"), "edad": 3, "email": format!("c-{n}@example.com")}),
            ),
        };
        let espera = [0, 1, 3, 8][(n as usize / 4) % 4];
        // With `Expect: 100-continue` the server answers "100 Continue" before the handler
        // runs; closing with that unread makes the kernel send a reset instead of a FIN.
        let extra: &[(&str, &str)] = if n % 8 >= 4 {
            &[("Expect", "100-continue")]
        } else {
            &[]
        };
        let bytes = http::request_bytes(port, method, &path, extra, Some(&body.to_string()));
        let mut s = http::connect(port, http::TIMEOUT).unwrap();
        s.write_all(&bytes).unwrap();
        if espera > 0 {
            thread::sleep(Duration::from_millis(espera));
        }
        http::hang_up(s);
    }

    // Let whatever still runs finish: no session of the service active.
    let asentar = || {
        wait_for(
            Duration::from_secs(15),
            "the service's sessions to settle (none active)",
            || {
                (cluster.psql_count(
                    "SELECT count(*) FROM pg_stat_activity \
                     WHERE datname = current_database() AND pid <> pg_backend_pid() \
                     AND backend_type = 'client backend' AND state = 'active'",
                ) == 0)
                    .then_some(())
            },
        );
    };
    let version_de = || {
        cluster.psql_count(&format!(
            "SELECT version FROM solicitudes WHERE id = '{solicitud}'"
        ))
    };
    asentar();
    let version_antes = version_de();

    // Hang-ups while the statements are inside PostgreSQL: psql holds the solicitud's row
    // lock, eight writes queue behind it, and their clients go away: four with a FIN, four
    // with a reset (an unread "100 Continue"), which makes actix drop the handler's future
    // while its statement is still running.
    let mut bloqueo = cluster.psql_background(&format!(
        "BEGIN; SELECT id FROM solicitudes WHERE id = '{solicitud}' FOR UPDATE; \
         SELECT pg_sleep(3); COMMIT;"
    ));
    wait_for(Duration::from_secs(10), "psql to hold the row lock", || {
        (cluster.psql_count("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")
            == 1)
            .then_some(())
    });
    let colgadas: Vec<_> = (0..8u32)
        .map(|n| {
            let (path, body) = if n % 2 == 0 {
                (
                    format!("/api/v1/solicitudes/{solicitud}"),
                    json!({"titulo": format!("Bloqueada {n}")}),
                )
            } else {
                (
                    format!("/api/v1/solicitudes/{solicitud}/transiciones"),
                    // Never a final estado: the PATCH at the end must still be allowed.
                    json!({"estado": if n % 4 == 1 { "en_revision" } else { "pendiente" }}),
                )
            };
            let method = if n % 2 == 0 { "PATCH" } else { "POST" };
            let reset = n % 4 < 2;
            let extra: &[(&str, &str)] = if reset {
                &[("Expect", "100-continue")]
            } else {
                &[]
            };
            let mut s = http::connect(port, http::TIMEOUT).unwrap();
            s.write_all(&http::request_bytes(
                port,
                method,
                &path,
                extra,
                Some(&body.to_string()),
            ))
            .unwrap();
            (s, reset)
        })
        .collect();
    wait_for(
        Duration::from_secs(10),
        "the writes to wait on the row lock",
        || {
            (cluster.psql_count(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            ) >= 8)
                .then_some(())
        },
    );
    for (s, reset) in colgadas {
        if reset {
            drop(s);
        } else {
            http::hang_up(s);
        }
    }
    let fin = bloqueo.wait().unwrap();
    assert!(fin.success(), "the psql holding the row lock failed: {fin}");

    asentar();
    let version_bloqueo = version_de();
    for _ in 0..3 {
        let abiertas = cluster.psql(
            "SELECT coalesce(string_agg(pid || ' ' || state || ': ' || left(query, 80), E'\\n'), '') \
             FROM pg_stat_activity WHERE datname = current_database() \
             AND state LIKE 'idle in transaction%'",
        );
        assert!(
            abiertas.is_empty(),
            "sessions left idle in transaction:\n{abiertas}"
        );
        thread::sleep(Duration::from_millis(300));
    }

    // Later writes go through (no lock left behind) and are what a fresh connection reads.
    let r = http::patch(
        port,
        &format!("/api/v1/solicitudes/{solicitud}"),
        &json!({"titulo": "Después de los cortes"}),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{r}");
    let version = r.json()["version"].as_i64().unwrap();
    assert_eq!(
        cluster.psql(&format!(
            "SELECT titulo || '|' || version FROM solicitudes WHERE id = '{solicitud}'"
        )),
        format!("Después de los cortes|{version}")
    );
    let nueva = crear_persona(port, "despues");
    assert_eq!(
        cluster.psql_count(&format!(
            "SELECT count(*) FROM personas WHERE id = '{nueva}'"
        )),
        1
    );
    // Every pooled connection still works.
    for _ in 0..20 {
        let r = http::get(port, &format!("/api/v1/solicitudes/{solicitud}")).unwrap();
        assert_eq!(r.status, 200, "{r}");
    }
    // What landed is whole: every solicitud has its creation event.
    assert_eq!(
        cluster.psql_count(
            "SELECT count(*) FROM solicitudes s WHERE NOT EXISTS \
             (SELECT 1 FROM solicitud_eventos e WHERE e.solicitud_id = s.id)"
        ),
        0
    );
    println!(
        "8 hang-ups behind a row lock: version {version_antes} -> {version_bloqueo} once \
         the lock was released"
    );
    println!(
        "200 hang-ups: {} solicitudes and {} personas landed; solicitud at version {version}",
        cluster.psql_count("SELECT count(*) FROM solicitudes"),
        cluster.psql_count("SELECT count(*) FROM personas")
    );
}
