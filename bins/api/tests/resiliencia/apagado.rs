//! SIGTERM: stop taking connections, finish what is in flight, exit 0.

use super::*;

/// What a new connection gets: `None` when refused or unanswered, else the status.
fn nueva_conexion(port: u16) -> Option<u16> {
    let Ok(mut s) = http::connect(port, Duration::from_millis(500)) else {
        return None;
    };
    if s.write_all(&http::request_bytes(port, "GET", "/healthz", &[], None))
        .is_err()
    {
        return None;
    }
    http::read_response(&mut s, Instant::now() + Duration::from_secs(1))
        .ok()
        .map(|r| r.status)
}

#[test]
#[ignore = "resiliencia: arranca su propio PostgreSQL; make resilience"]
fn sigterm_deja_de_aceptar_conexiones_termina_la_peticion_en_vuelo_y_sale_con_0() {
    let cluster = Cluster::create("res-apagado", false);
    let mut svc = harness::start_service(
        "apagado",
        cluster.url(),
        &[("APP__SERVER__SHUTDOWN_TIMEOUT_SECS", "10")],
    );
    svc.wait_ready(Duration::from_secs(60));
    let port = svc.port();

    // A POST whose body arrives slowly: headers and half the body now, the rest later.
    let body =
        json!({"nombre": "En vuelo", "edad": 40, "email": "en-vuelo@example.com"}).to_string();
    let (primera, segunda) = body.split_at(body.len() / 2);
    let bytes = http::request_bytes(port, "POST", "/api/v1/personas", &[], Some(&body));
    let cabecera_y_mitad = bytes.len() - segunda.len();
    assert_eq!(
        &bytes[cabecera_y_mitad - primera.len()..cabecera_y_mitad],
        primera.as_bytes()
    );
    let mut en_vuelo = http::connect(port, http::TIMEOUT).unwrap();
    en_vuelo.write_all(&bytes[..cabecera_y_mitad]).unwrap();
    thread::sleep(Duration::from_millis(500));

    svc.sigterm();
    let t = Instant::now();
    let cerrado = loop {
        match nueva_conexion(port) {
            None => break t.elapsed(),
            Some(status) => assert!(
                t.elapsed() < Duration::from_secs(2),
                "2 s after SIGTERM a new connection still gets answers ({status})"
            ),
        }
        thread::sleep(Duration::from_millis(100));
    };
    assert!(
        svc.try_exit_status().is_none(),
        "the service exited with a request in flight"
    );

    en_vuelo.write_all(segunda.as_bytes()).unwrap();
    let r = http::read_response(&mut en_vuelo, Instant::now() + Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("the in-flight POST got no answer after SIGTERM: {e}"));
    assert_eq!(r.status, 201, "the in-flight POST: {r}");
    let id = r.json()["id"].as_str().unwrap().to_owned();
    drop(en_vuelo);

    let status = svc
        .wait_exit(Duration::from_secs(15))
        .unwrap_or_else(|| panic!("still running 15 s after SIGTERM (shutdown timeout 10 s)"));
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGTERM: {status}"
    );
    assert_eq!(
        cluster.psql_count(&format!("SELECT count(*) FROM personas WHERE id = '{id}'")),
        1
    );
    println!(
        "listener closed {:.2}s after SIGTERM; in-flight POST 201; exit 0",
        cerrado.as_secs_f64()
    );
}

#[test]
#[ignore = "resiliencia: arranca el binario; make resilience"]
fn sigterm_con_un_cuerpo_que_nunca_termina_sale_con_0_al_agotar_shutdown_timeout() {
    let mut svc = servicio_sin_base(
        "apagado-cuerpo-lento",
        &[("APP__SERVER__SHUTDOWN_TIMEOUT_SECS", "3")],
    );
    let mut s = enviar_medio_cuerpo(svc.port());
    thread::sleep(Duration::from_millis(300));
    svc.sigterm();
    let t = Instant::now();
    let status = svc
        .wait_exit(Duration::from_secs(13))
        .unwrap_or_else(|| panic!("still running 13 s after SIGTERM (shutdown timeout 3 s)"));
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGTERM: {status}"
    );
    let salio = t.elapsed();
    match http::read_until_closed(&mut s, Instant::now() + Duration::from_secs(2)) {
        Ending::StillOpen(b) => panic!(
            "the stalled connection is still open after the process exited ({} bytes)",
            b.len()
        ),
        Ending::Closed(_) | Ending::Reset(_) => {}
    }
    println!(
        "exited with 0 {:.2}s after SIGTERM, a stalled body notwithstanding",
        salio.as_secs_f64()
    );
}
