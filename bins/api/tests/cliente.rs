//! The typed client (`solicitudes-client`) against the real binary and a real database.
//!
//! Each test starts `solicitudes-api serve` on a free port over a fresh database
//! (`solicitudes_testkit::service`, shared with the resilience tests), with a bootstrap admin
//! from `auth.bootstrap_admin_*`, creates the other accounts through the client itself, and
//! checks what the client makes of the real answers. They live here, in the binary's package,
//! because cargo builds the binary for its own package's tests and tells them where
//! (`CARGO_BIN_EXE_solicitudes-api`): the binary under test is always the current one.
//!
//! ```sh
//! cargo test -p solicitudes-api --test cliente
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "cliente/concurrencia.rs"]
mod concurrencia;
#[path = "cliente/errores.rs"]
mod errores;
#[path = "cliente/operaciones.rs"]
mod operaciones;

use std::time::Duration;

use solicitudes_client::schemas::auth::Password;
use solicitudes_client::schemas::persona::{PersonaCreate, PersonaResponse};
use solicitudes_client::schemas::usuario::{UsuarioCreate, UsuarioResponse};
use solicitudes_client::{Client, PersonaId, Rol};
use solicitudes_testkit::service::{Launcher, TestService};

/// The bootstrap admin of every service these tests start.
pub const ADMIN: &str = "admin@cliente.example";
/// The password of every account.
pub const CLAVE: &str = "correcto caballo batería";

/// The binary cargo built for these tests; logs in `<target>/cliente/NAME.log`.
pub fn launcher() -> Launcher {
    Launcher::new(env!("CARGO_BIN_EXE_solicitudes-api"), "cliente")
}

/// A fresh database and the service over it, with the bootstrap admin and `extra`
/// environment; ready.
pub async fn servicio(nombre: &str, extra: &[(&str, &str)]) -> TestService {
    let mut env = vec![
        ("APP__AUTH__BOOTSTRAP_ADMIN_EMAIL", ADMIN),
        ("APP__AUTH__BOOTSTRAP_ADMIN_PASSWORD", CLAVE),
    ];
    env.extend_from_slice(extra);
    let svc = launcher().start_fresh(nombre, &env).await;
    esperar_admin(&svc).await;
    svc
}

#[derive(diesel::QueryableByName)]
struct Cuenta {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Waits (up to a minute) until the service has created its bootstrap admin: it does so in
/// the background, after the migrations, so `/readyz` may answer 200 first. Looked up in the
/// database rather than by logging in, since each failed login counts towards the account's
/// throttling.
async fn esperar_admin(svc: &TestService) {
    use diesel_async::RunQueryDsl as _;
    let mut conn = svc.db().connect().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let cuenta: Cuenta = diesel::sql_query(
            "SELECT count(*) AS n FROM usuarios WHERE lower(email) = lower($1) AND activo",
        )
        .bind::<diesel::sql_types::Text, _>(ADMIN)
        .get_result(&mut conn)
        .await
        .unwrap();
        if cuenta.n == 1 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the bootstrap admin did not appear within a minute"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The bootstrap admin, logged in.
pub async fn admin(svc: &TestService) -> Client {
    Client::login(&svc.base_url(), ADMIN, CLAVE).await.unwrap()
}

/// A persona created by `admin`.
pub async fn persona(admin: &Client, nombre: &str) -> PersonaResponse {
    admin
        .crear_persona(&PersonaCreate {
            nombre: nombre.to_owned(),
            edad: 40,
            email: None,
        })
        .await
        .unwrap()
}

/// A usuario created by `admin` (password [`CLAVE`]), and a client logged in as it.
pub async fn cuenta(
    admin: &Client,
    email: &str,
    rol: Rol,
    persona_id: Option<PersonaId>,
) -> (UsuarioResponse, Client) {
    let usuario = admin
        .crear_usuario(&UsuarioCreate {
            email: email.to_owned(),
            rol,
            persona_id,
            password: Password::new(CLAVE),
            activo: true,
        })
        .await
        .unwrap();
    let client = Client::login(admin.base_url(), email, CLAVE).await.unwrap();
    (usuario, client)
}
