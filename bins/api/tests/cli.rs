//! `solicitudes-api usuarios crear` and `seed --accounts-file`: the built binary against a
//! database of the test's own, then logins through the service against the same database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use solicitudes_domain::{Caller, Rol};
use solicitudes_persistence::DbPool;
use solicitudes_schemas::auth::{LoginForm, Password};
use solicitudes_schemas::persona::PersonaCreate;
use solicitudes_services::{Auth, AuthSettings, personas};
use solicitudes_testkit::TestDb;

const CLAVE: &str = "correcto caballo batería";

/// Runs `solicitudes-api usuarios crear ARGS` on `db`, with `stdin` as its standard input and
/// `env` added to its environment.
fn crear(db: &TestDb, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut all = vec!["usuarios", "crear"];
    all.extend_from_slice(args);
    run(db, &all, env, stdin)
}

/// Runs `solicitudes-api ARGS` on `db`.
fn run(db: &TestDb, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_solicitudes-api"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .env_remove("APP__DATABASE__URL")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The created usuario a successful run prints.
fn creado(out: &Output) -> Value {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {:?}, stderr {stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// A failed run: exit code 1, nothing on stdout, `message` on stderr.
fn fallo(out: &Output, message: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "{:?}", out.stdout);
    assert!(stderr.contains(message), "expected {message:?} in {stderr}");
    assert_eq!(
        stderr.matches(message).count(),
        1,
        "said once, not as a log line and again: {stderr}"
    );
}

async fn login(pool: &DbPool, email: &str, password: &str) -> Rol {
    entrar(pool, email, password).await.rol
}

/// The caller of a real login.
async fn entrar(pool: &DbPool, email: &str, password: &str) -> Caller {
    let auth = Auth::new(AuthSettings::default()).unwrap();
    let form = LoginForm {
        username: email.to_owned(),
        password: Password::new(password),
        ..LoginForm::default()
    };
    let t = auth
        .login(pool, &form, None, None)
        .await
        .unwrap_or_else(|e| panic!("{email}: {e}"));
    std::sync::Arc::unwrap_or_clone(auth.authenticate(pool, &t.access_token).await.unwrap())
}

#[actix_web::test]
async fn usuarios_crear_hace_cuentas_que_pueden_entrar() {
    let db = TestDb::new().await;
    let pool = db.pool();

    // The password from an environment variable.
    let out = crear(
        &db,
        &[
            "--email",
            "Jefa@Example.com",
            "--rol",
            "admin",
            "--password-env",
            "CLAVE_JEFA",
        ],
        &[("CLAVE_JEFA", CLAVE)],
        "",
    );
    let jefa = creado(&out);
    assert_eq!(jefa["email"], "Jefa@Example.com");
    assert_eq!(jefa["rol"], "admin");
    assert_eq!(jefa["activo"], true);
    assert_eq!(jefa["persona_id"], Value::Null);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(CLAVE) && !text.contains("argon"), "{text}");
    assert_eq!(login(&pool, "jefa@example.com", CLAVE).await, Rol::Admin);

    // From standard input: only the line ending goes, the spaces are the password's.
    let out = crear(
        &db,
        &["--email", "rev@example.com", "--rol", "revisor"],
        &[],
        "  clave con espacios \r\nsegunda línea\n",
    );
    assert_eq!(creado(&out)["rol"], "revisor");
    assert_eq!(
        login(&pool, "rev@example.com", "  clave con espacios ").await,
        Rol::Revisor
    );

    // A solicitante files as an existing persona.
    let admin = entrar(&pool, "jefa@example.com", CLAVE).await;
    let p = personas::crear(
        &pool,
        &admin,
        &PersonaCreate {
            nombre: "Ana".into(),
            edad: 30,
            email: None,
        },
    )
    .await
    .unwrap()
    .id;
    let out = crear(
        &db,
        &[
            "--email",
            "ana@example.com",
            "--rol",
            "solicitante",
            "--persona-id",
            &p.to_string(),
        ],
        &[],
        &format!("{CLAVE}\n"),
    );
    assert_eq!(creado(&out)["persona_id"], p.to_string());
    assert_eq!(
        login(&pool, "ana@example.com", CLAVE).await,
        Rol::Solicitante
    );
}

#[actix_web::test]
async fn usuarios_crear_explica_lo_que_rechaza() {
    let db = TestDb::new().await;
    let args = ["--email", "eva@example.com", "--rol", "admin"];
    creado(&crear(&db, &args, &[], CLAVE));
    fallo(
        &crear(
            &db,
            &["--email", "EVA@example.com", "--rol", "revisor"],
            &[],
            CLAVE,
        ),
        "an account with the e-mail EVA@example.com exists already",
    );
    fallo(
        &crear(
            &db,
            &["--email", "otra@example.com", "--rol", "admin"],
            &[],
            "corta\n",
        ),
        "password: La contraseña debe tener al menos 8 caracteres",
    );
    let larga = "x".repeat(129);
    fallo(
        &crear(
            &db,
            &["--email", "otra@example.com", "--rol", "admin"],
            &[],
            &larga,
        ),
        "password: La contraseña debe tener como máximo 128 caracteres",
    );
    fallo(
        &crear(
            &db,
            &["--email", "no-es-un-email", "--rol", "admin"],
            &[],
            CLAVE,
        ),
        "--email: ",
    );
    fallo(
        &crear(
            &db,
            &["--email", "sol@example.com", "--rol", "solicitante"],
            &[],
            CLAVE,
        ),
        "a solicitante needs --persona-id",
    );
    fallo(
        &crear(
            &db,
            &[
                "--email",
                "sol@example.com",
                "--rol",
                "solicitante",
                "--persona-id",
                "0190c7a0-0000-7000-8000-000000000000",
            ],
            &[],
            CLAVE,
        ),
        "--persona-id: no persona 0190c7a0-0000-7000-8000-000000000000",
    );
    fallo(
        &crear(
            &db,
            &["--email", "otra@example.com", "--rol", "admin"],
            &[],
            "",
        ),
        "no password on standard input",
    );
    fallo(
        &crear(
            &db,
            &[
                "--email",
                "otra@example.com",
                "--rol",
                "admin",
                "--password-env",
                "NO_HAY_TAL_VARIABLE",
            ],
            &[],
            CLAVE,
        ),
        "--password-env NO_HAY_TAL_VARIABLE",
    );
}

/// The credentials file of `seed --accounts-file`: (email, rol, password) per account.
fn cuentas(file: &std::path::Path) -> Vec<(String, String, String)> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(c.len(), 3, "{l}");
            (c[0].to_owned(), c[1].to_owned(), c[2].to_owned())
        })
        .collect()
}

#[actix_web::test]
async fn seed_crea_el_admin_de_arranque_y_las_cuentas_demo_una_sola_vez() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "seed-accounts-{}.txt",
        uuid::Uuid::now_v7().simple()
    ));
    let env = [
        ("APP__AUTH__BOOTSTRAP_ADMIN_EMAIL", "admin@localhost"),
        ("APP__AUTH__BOOTSTRAP_ADMIN_PASSWORD", CLAVE),
    ];
    let args = [
        "seed",
        "--personas",
        "5",
        "--solicitudes",
        "10",
        "--accounts-file",
        file.to_str().unwrap(),
    ];
    let out = run(&db, &args, &env, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("bootstrap admin admin@localhost ready"),
        "{stdout}"
    );
    // The bootstrap admin was made although the demo admin exists too.
    assert_eq!(login(&pool, "admin@localhost", CLAVE).await, Rol::Admin);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let primera = cuentas(&file);
    let roles: Vec<&str> = primera.iter().map(|(_, r, _)| r.as_str()).collect();
    assert_eq!(
        roles,
        [
            "admin",
            "revisor",
            "revisor",
            "solicitante",
            "solicitante",
            "solicitante"
        ]
    );
    let mut personas = Vec::new();
    for (email, rol, clave) in &primera {
        assert_eq!(clave.chars().count(), 24);
        let c = entrar(&pool, email, clave).await;
        assert_eq!(c.rol.as_str(), rol);
        if c.rol == Rol::Solicitante {
            personas.push(c.persona_id.unwrap());
        } else {
            assert_eq!(c.persona_id, None);
        }
    }
    personas.sort();
    personas.dedup();
    assert_eq!(
        personas.len(),
        3,
        "each solicitante files as a persona of its own"
    );

    // Again: nothing new, the same credentials.
    let out = run(&db, &args, &env, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("exists already").count(), 6, "{stdout}");
    assert!(!stdout.contains("bootstrap admin"), "{stdout}");
    assert_eq!(cuentas(&file), primera);

    // A fresh database with the same file: the accounts come back with the same passwords.
    let otra = TestDb::new().await;
    let out = run(&otra, &args, &[], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(cuentas(&file), primera);
    let (email, _, clave) = &primera[1];
    assert_eq!(login(&otra.pool(), email, clave).await, Rol::Revisor);
    std::fs::remove_file(&file).unwrap();
}

/// `serve` runs the housekeeping by itself: with `auth.purge_interval_secs = 1` and
/// `auth.purge_after_secs = 0`, a dead session and a finished run of login failures are
/// gone within seconds, and a live session is kept.
#[tokio::test]
async fn serve_purga_sesiones_muertas_y_fallos_viejos_cada_intervalo() {
    use diesel_async::SimpleAsyncConnection;
    use solicitudes_testkit::service::Launcher;

    let launcher = Launcher::new(env!("CARGO_BIN_EXE_solicitudes-api"), "cli");
    let svc = launcher
        .start_fresh(
            "purga",
            &[
                ("APP__AUTH__PURGE_INTERVAL_SECS", "1"),
                ("APP__AUTH__PURGE_AFTER_SECS", "0"),
            ],
        )
        .await;
    let mut conn = svc.db().connect().await;
    conn.batch_execute(
        "INSERT INTO usuarios (id, email, rol, password_hash) \
           VALUES ('00000000-0000-7000-8000-000000000001', 'purga@test.example', 'admin', '$argon2id$no-es-un-hash'); \
         INSERT INTO sesiones (id, usuario_id, token_hash, created_at, expires_at) VALUES \
           ('00000000-0000-7000-8000-0000000000a1', '00000000-0000-7000-8000-000000000001', \
            decode(repeat('a1', 32), 'hex'), now() - interval '2 days', now() - interval '1 day'), \
           ('00000000-0000-7000-8000-0000000000a2', '00000000-0000-7000-8000-000000000001', \
            decode(repeat('a2', 32), 'hex'), now(), now() + interval '1 day'); \
         INSERT INTO login_fallos (clave, fallos, ventana_inicio, ultimo_fallo) \
           VALUES ('viejo', 3, now() - interval '2 hours', now() - interval '1 hour');",
    )
    .await
    .unwrap();
    #[derive(diesel::QueryableByName)]
    struct Quedan {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sesiones: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        fallos: i64,
    }
    // Polled, not timed: the bound only keeps a broken purge from hanging the suite.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let quedan = loop {
        let q: Quedan = diesel_async::RunQueryDsl::get_result(
            diesel::sql_query(
                "SELECT coalesce(string_agg(id::text, ','), '') AS sesiones, \
                        (SELECT count(*) FROM login_fallos) AS fallos FROM sesiones",
            ),
            &mut conn,
        )
        .await
        .unwrap();
        if q.fallos == 0 && !q.sesiones.contains("a1") {
            break q.sesiones;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no purge within 30 s: sesiones {}, login_fallos {}",
            q.sesiones,
            q.fallos
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(quedan, "00000000-0000-7000-8000-0000000000a2");
}
