//! `solicitudes-api usuarios crear`: the built binary against a database of the test's own,
//! then a login through the service against the same database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use solicitudes_domain::Rol;
use solicitudes_persistence::DbPool;
use solicitudes_schemas::auth::{LoginForm, Password};
use solicitudes_schemas::persona::PersonaCreate;
use solicitudes_services::{Auth, AuthSettings, personas};
use solicitudes_testkit::TestDb;

const CLAVE: &str = "correcto caballo batería";

/// Runs `solicitudes-api usuarios crear ARGS` on `db`, with `stdin` as its standard input and
/// `env` added to its environment.
fn crear(db: &TestDb, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_solicitudes-api"))
        .args(["usuarios", "crear"])
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
}

async fn login(pool: &DbPool, email: &str, password: &str) -> Rol {
    let auth = Auth::new(AuthSettings::default()).unwrap();
    let form = LoginForm {
        username: email.to_owned(),
        password: Password::new(password),
        ..LoginForm::default()
    };
    let t = auth.login(pool, &form, None, None).await.unwrap();
    auth.authenticate(pool, &t.access_token).await.unwrap().rol
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
    let auth = Auth::new(AuthSettings::default()).unwrap();
    let form = LoginForm {
        username: "jefa@example.com".to_owned(),
        password: Password::new(CLAVE),
        ..LoginForm::default()
    };
    let t = auth.login(&pool, &form, None, None).await.unwrap();
    let admin = auth.authenticate(&pool, &t.access_token).await.unwrap();
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
