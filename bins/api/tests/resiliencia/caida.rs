//! The database goes away under load, or with statements in flight, and comes back.

use super::*;

/// One request of a load loop.
#[derive(Debug)]
struct Intento {
    que: &'static str,
    /// When it started, since the test's t0.
    desde: Duration,
    tardo: Duration,
    resultado: Result<Response, String>,
}

impl Intento {
    fn hasta(&self) -> Duration {
        self.desde + self.tardo
    }

    fn status(&self) -> Option<u16> {
        self.resultado.as_ref().ok().map(|r| r.status)
    }

    fn es_2xx(&self) -> bool {
        self.status().is_some_and(|s| (200..300).contains(&s))
    }

    fn resumen(&self) -> String {
        let r = match &self.resultado {
            Ok(r) => r.to_string(),
            Err(e) => format!("NO ANSWER: {e}"),
        };
        format!(
            "{} at {:.2}s took {:.2}s: {r}",
            self.que,
            self.desde.as_secs_f64(),
            self.tardo.as_secs_f64()
        )
    }
}

/// Counts per outcome ("200", "503", "no answer").
fn contar<'a>(intentos: impl Iterator<Item = &'a Intento>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for i in intentos {
        let k = match &i.resultado {
            Ok(r) => format!("{} {}", i.que, r.status),
            Err(_) => format!("{} no answer", i.que),
        };
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// The pool's checkout timeout in the outage test: the default, what a request would wait
/// for its 503 without the "known down" state.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(2);
/// Slowest 503 allowed while the database is known down: a quarter of [`CHECKOUT_TIMEOUT`],
/// generous for a loaded 2-core machine (they take about a millisecond).
const MAX_503_CAIDA: Duration = Duration::from_millis(500);
/// Longest wait for `/readyz` 200 after the database is back: the probe's 200 ms period
/// within the 1 s the issue asks for, plus slack for a loaded machine.
const MAX_RECUPERACION: Duration = Duration::from_millis(1500);

/// The `q`-quantile of `v` (sorted here).
fn cuantil(v: &mut [Duration], q: f64) -> Duration {
    v.sort_unstable();
    if v.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((v.len() - 1) as f64 * q).round() as usize;
    v[i]
}

#[test]
#[ignore = "resiliencia: arranca su propio PostgreSQL; make resilience"]
fn con_la_base_caida_la_api_responde_503_con_retry_after_y_se_recupera_sin_reiniciar() {
    let cluster = Cluster::create("res-caida", false);
    let checkout_ms = CHECKOUT_TIMEOUT.as_millis().to_string();
    let mut svc = harness::start_service(
        "caida",
        cluster.url(),
        &[("APP__DATABASE__CHECKOUT_TIMEOUT_MS", checkout_ms.as_str())],
    );
    svc.wait_ready(Duration::from_secs(60));
    let port = svc.port();

    let t0 = Instant::now();
    let parar = Arc::new(AtomicBool::new(false));
    let intentos: Arc<Mutex<Vec<Intento>>> = Arc::default();
    let carga = thread::spawn({
        let parar = Arc::clone(&parar);
        let intentos = Arc::clone(&intentos);
        move || {
            let mut n = 0u32;
            while !parar.load(Ordering::Relaxed) {
                let desde = t0.elapsed();
                let t = Instant::now();
                let (que, r) = if n.is_multiple_of(2) {
                    ("GET", http::get(port, "/api/v1/personas?limit=5"))
                } else {
                    let body = json!({"nombre": format!("Carga {n}"), "edad": 20,
                                      "email": format!("carga-{n}@example.com")});
                    ("POST", http::post(port, "/api/v1/personas", &body))
                };
                intentos.lock().unwrap().push(Intento {
                    que,
                    desde,
                    tardo: t.elapsed(),
                    resultado: r.map_err(|e| e.to_string()),
                });
                n += 1;
                thread::sleep(Duration::from_millis(50));
            }
        }
    });

    thread::sleep(Duration::from_millis(1500));
    let corte_inicio = t0.elapsed();
    cluster.stop_immediate();
    let corte_fin = t0.elapsed();

    // About five seconds without a database; /readyz says so (at once, like the API), and
    // the authentication gate answers 401 to whoever brings no credentials, 503 to a token it
    // would have to look up.
    let mut readyz_tardo = Vec::new();
    while t0.elapsed() < corte_fin + Duration::from_secs(5) {
        let t = Instant::now();
        let r = http::get(port, "/readyz");
        readyz_tardo.push(t.elapsed());
        assert_503("GET /readyz with the database down", &r);
        assert_puerta_sin_base(port, "with the database down", true);
        thread::sleep(Duration::from_millis(250));
    }
    let readyz = readyz_tardo.len();

    let vuelta_inicio = t0.elapsed();
    cluster.up();
    // The cluster's `up` returns once psql got in: the database is back by now.
    let vuelta_fin = t0.elapsed();
    let limite = vuelta_fin + Duration::from_secs(15);
    let restante = || limite.saturating_sub(t0.elapsed());

    // /readyz polled every 20 ms: when the service noticed.
    let listo = loop {
        let r = http::get(port, "/readyz");
        if r.as_ref().is_ok_and(|r| r.status == 200) {
            break t0.elapsed();
        }
        assert!(
            restante() > Duration::ZERO,
            "/readyz not 200 within 15 s of the database's return: {:?}",
            r.map(|r| r.to_string())
        );
        thread::sleep(Duration::from_millis(20));
    };
    let recuperado = wait_for(
        restante(),
        "a 2xx GET and a 2xx POST after the database came back",
        || {
            let v = intentos.lock().unwrap();
            let ok = |que: &str| {
                v.iter()
                    .any(|i| i.que == que && i.desde >= vuelta_fin && i.es_2xx())
            };
            (ok("GET") && ok("POST")).then(|| t0.elapsed())
        },
    );
    thread::sleep(Duration::from_secs(2));
    parar.store(true, Ordering::Relaxed);
    carga.join().unwrap();
    svc.assert_running();

    let intentos = intentos.lock().unwrap();
    let antes: Vec<&Intento> = intentos
        .iter()
        .filter(|i| i.hasta() < corte_inicio)
        .collect();
    let caida: Vec<&Intento> = intentos
        .iter()
        .filter(|i| i.desde >= corte_fin && i.hasta() <= vuelta_inicio)
        .collect();
    let despues: Vec<&Intento> = intentos.iter().filter(|i| i.desde >= recuperado).collect();
    let mut tardo_caida: Vec<Duration> = caida.iter().map(|i| i.tardo).collect();
    let (p50, p99, max) = (
        cuantil(&mut tardo_caida, 0.5),
        cuantil(&mut tardo_caida, 0.99),
        cuantil(&mut tardo_caida, 1.0),
    );
    let readyz_max = cuantil(&mut readyz_tardo, 1.0);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "outage: stop {:.2}-{:.2}s, up {:.2}-{:.2}s, /readyz 200 at {:.2}s, 2xx GET and POST at \
         {:.2}s; /readyz 503 {readyz} times",
        corte_inicio.as_secs_f64(),
        corte_fin.as_secs_f64(),
        vuelta_inicio.as_secs_f64(),
        vuelta_fin.as_secs_f64(),
        listo.as_secs_f64(),
        recuperado.as_secs_f64()
    );
    println!(
        "  503 while down (checkout timeout {} ms): {} API requests, p50 {:.1} ms, p99 {:.1} ms, \
         max {:.1} ms; /readyz max {:.1} ms",
        CHECKOUT_TIMEOUT.as_millis(),
        tardo_caida.len(),
        ms(p50),
        ms(p99),
        ms(max),
        ms(readyz_max)
    );
    println!(
        "  recovery: /readyz 200 {:.0} ms after the cluster's `up` returned ({:.0} ms after it started)",
        ms(listo.saturating_sub(vuelta_fin)),
        ms(listo.saturating_sub(vuelta_inicio))
    );
    println!("  before: {:?}", contar(antes.iter().copied()));
    println!("  down:   {:?}", contar(caida.iter().copied()));
    println!("  after:  {:?}", contar(despues.iter().copied()));
    println!("  all:    {:?}", contar(intentos.iter()));

    let malos: Vec<String> = intentos
        .iter()
        .filter(|i| match &i.resultado {
            Ok(r) => !((200..300).contains(&r.status) || r.is_contract_503()),
            Err(_) => true,
        })
        .map(Intento::resumen)
        .collect();
    assert!(
        malos.is_empty(),
        "every request must answer within 5 s with a 2xx or the contract's 503 (never a 500, \
         never a hang or a connection error); these did not:\n{}",
        malos.join("\n")
    );
    assert!(
        !antes.is_empty() && antes.iter().all(|i| i.es_2xx()),
        "before the outage every request is 2xx"
    );
    // The measured bounds (issue #10, item 7): a 503 while the database is known down does not
    // wait for the pool, and the service notices the database's return within about a second.
    assert!(
        max < MAX_503_CAIDA && readyz_max < MAX_503_CAIDA,
        "while the database is down a 503 comes at once, not after the {CHECKOUT_TIMEOUT:?} \
         checkout timeout: slowest API 503 {max:?}, slowest /readyz {readyz_max:?} (limit \
         {MAX_503_CAIDA:?})"
    );
    let recuperacion = listo.saturating_sub(vuelta_fin);
    assert!(
        recuperacion <= MAX_RECUPERACION,
        "/readyz answered 200 only {recuperacion:?} after the database was back (limit \
         {MAX_RECUPERACION:?})"
    );
    assert!(
        caida.len() >= 3,
        "too few requests while the database was down to judge: {caida:#?}"
    );
    let no_503: Vec<String> = caida
        .iter()
        .filter(|i| !i.resultado.as_ref().is_ok_and(Response::is_contract_503))
        .map(|i| i.resumen())
        .collect();
    assert!(
        no_503.is_empty(),
        "while the database is down every API request is a 503:\n{}",
        no_503.join("\n")
    );
    let no_2xx: Vec<String> = despues
        .iter()
        .filter(|i| !i.es_2xx())
        .map(|i| i.resumen())
        .collect();
    assert!(
        !despues.is_empty() && no_2xx.is_empty(),
        "once recovered, requests are 2xx again:\n{}",
        no_2xx.join("\n")
    );
}

/// `n` requests in threads (GET list and POST personas), each allowed 20 s.
fn lanzar(
    port: u16,
    ronda: u32,
    n: u32,
) -> Vec<thread::JoinHandle<(String, Result<Response, http::Failure>)>> {
    (0..n)
        .map(|k| {
            thread::spawn(move || {
                let limite = Duration::from_secs(20);
                if k % 3 == 2 {
                    let body = json!({"nombre": "En vuelo", "edad": 9,
                                      "email": format!("vuelo-{ronda}-{k}@example.com")});
                    let body = body.to_string();
                    let r =
                        http::request(port, "POST", "/api/v1/personas", &[], Some(&body), limite);
                    ("POST /api/v1/personas".to_owned(), r)
                } else {
                    let r = http::request(port, "GET", "/api/v1/personas", &[], None, limite);
                    ("GET /api/v1/personas".to_owned(), r)
                }
            })
        })
        .collect()
}

#[test]
#[ignore = "resiliencia: arranca su propio PostgreSQL; make resilience"]
fn las_peticiones_en_vuelo_cuando_la_base_cae_o_no_contesta_reciben_503() {
    let cluster = Cluster::create("res-en-vuelo", false);
    let mut svc = harness::start_service(
        "en-vuelo",
        cluster.url(),
        &[("APP__DATABASE__STATEMENT_TIMEOUT_MS", "4000")],
    );
    svc.wait_ready(Duration::from_secs(60));
    let port = svc.port();
    crear_persona(port, "antes");

    // A statement cancelled by statement_timeout is a 503 (docs/database.md).
    let mut bloqueo = bloquear_personas(&cluster, 60);
    let t = Instant::now();
    let r = http::request(
        port,
        "GET",
        "/api/v1/personas",
        &[],
        None,
        Duration::from_secs(15),
    );
    let tardo = t.elapsed();
    assert_503("GET cancelled by statement_timeout", &r);
    assert!(
        tardo >= Duration::from_millis(3500),
        "the 503 came after {tardo:?}, before the 4 s statement timeout: not the case under test"
    );

    // Requests waiting on the lock, inside PostgreSQL, when it stops or crashes.
    for (ronda, como) in [(1, "stop-immediate"), (2, "kill -9")] {
        if ronda == 2 {
            cluster.up();
            svc.wait_ready(Duration::from_secs(30));
            bloqueo = bloquear_personas(&cluster, 60);
        }
        let t = Instant::now();
        let hilos = lanzar(port, ronda, 6);
        esperar_bloqueadas(&cluster, 6);
        let esperando = t.elapsed();
        if ronda == 1 {
            cluster.stop_immediate();
        } else {
            cluster.kill9();
        }
        let caida = Instant::now();
        for h in hilos {
            let (que, r) = h.join().unwrap();
            assert_503(&format!("{que} in flight at {como}"), &r);
        }
        let _ = bloqueo.wait();
        println!(
            "{como}: 6 requests waiting on a lock for {:.2}s all got 503, the last {:.2}s after",
            esperando.as_secs_f64(),
            caida.elapsed().as_secs_f64()
        );
    }

    cluster.up();
    svc.wait_ready(Duration::from_secs(15));
    crear_persona(port, "despues");
}

#[test]
#[ignore = "resiliencia: arranca su propio PostgreSQL; make resilience"]
fn tras_reiniciar_la_base_las_conexiones_ociosas_muertas_no_cuestan_ningun_503() {
    let cluster = Cluster::create("res-ociosas", false);
    let mut svc = harness::start_service(
        "ociosas",
        cluster.url(),
        &[
            ("APP__SERVER__WORKERS", "2"),
            ("APP__DATABASE__CHECKOUT_TIMEOUT_MS", "10000"),
        ],
    );
    svc.wait_ready(Duration::from_secs(60));
    let port = svc.port();
    let persona = crear_persona(port, "ociosas");

    // Fill both workers' pools: reads queued behind a lock each take a connection of their own.
    let mut bloqueo = bloquear_personas(&cluster, 2);
    let lecturas = leer_persona_en_paralelo(port, &persona, 12);
    esperar_bloqueadas(&cluster, 10);
    assert!(bloqueo.wait().unwrap().success());
    for lectura in lecturas {
        assert_eq!(lectura.join().unwrap().unwrap().status, 200);
    }

    // A clean restart closes every one of those (now idle) connections from the server's side.
    cluster.down();
    cluster.up();
    thread::sleep(Duration::from_millis(500));
    for n in 0..20 {
        let r = http::get(port, &format!("/api/v1/personas/{persona}")).unwrap();
        assert_eq!(
            r.status, 200,
            "request {n} after the restart got {r}: a dead idle connection was handed out"
        );
    }
}
