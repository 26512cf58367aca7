//! Helpers shared by the services' database tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use solicitudes_domain::{Caller, PersonaId, Rol};
use solicitudes_persistence::DbPool;
use solicitudes_schemas::auth::{LoginForm, Password};
use solicitudes_schemas::persona::PersonaCreate;
use solicitudes_schemas::usuario::{UsuarioCreate, UsuarioResponse};
use solicitudes_services::auth::{HasherSettings, ListenerEvent};
use solicitudes_services::{Auth, AuthSettings, personas, usuarios};
use tokio::sync::broadcast;

/// The password of every test account.
pub const CLAVE: &str = "correcto caballo batería";

/// Argon2id with tiny costs: the tests exercise the logic, not the cost.
pub fn rapido() -> HasherSettings {
    HasherSettings {
        m_cost_kib: 64,
        t_cost: 1,
        p_cost: 1,
        max_concurrent: Some(2),
    }
}

/// Default settings with the fast hasher.
pub fn settings() -> AuthSettings {
    AuthSettings {
        hasher: rapido(),
        ..AuthSettings::default()
    }
}

/// An `Auth` without listener (its cache bypassed).
pub fn auth() -> Auth {
    Auth::new(settings()).unwrap()
}

/// The e-mail of the admin [`admin`] creates.
pub const ADMIN: &str = "root@test.example";

/// An admin account, created through the operator's path and logged in: the caller of the
/// tests' set-up (creating personas, managing usuarios).
pub async fn admin(pool: &DbPool, auth: &Auth) -> Caller {
    usuario(pool, auth, ADMIN, Rol::Admin, None).await;
    caller(pool, auth, ADMIN).await
}

/// The caller of a real session of the account `email` (password [`CLAVE`]): logged in and
/// authenticated, as a request would be.
pub async fn caller(pool: &DbPool, auth: &Auth, email: &str) -> Caller {
    let t = auth
        .login(pool, &form(email, CLAVE), None, None)
        .await
        .unwrap();
    std::sync::Arc::unwrap_or_clone(auth.authenticate(pool, &t.access_token).await.unwrap())
}

/// A new persona, created by `admin`.
pub async fn persona(pool: &DbPool, admin: &Caller, nombre: &str) -> PersonaId {
    personas::crear(
        pool,
        admin,
        &PersonaCreate {
            nombre: nombre.to_owned(),
            edad: 30,
            email: None,
        },
    )
    .await
    .unwrap()
    .id
}

/// A new account with password [`CLAVE`], through the operator's path (no caller).
pub async fn usuario(
    pool: &DbPool,
    auth: &Auth,
    email: &str,
    rol: Rol,
    persona_id: Option<PersonaId>,
) -> UsuarioResponse {
    usuarios::alta(
        pool,
        auth,
        &UsuarioCreate {
            email: email.to_owned(),
            rol,
            persona_id,
            password: Password::new(CLAVE),
            activo: true,
        },
    )
    .await
    .unwrap()
}

/// A login form.
pub fn form(email: &str, password: &str) -> LoginForm {
    LoginForm {
        username: email.to_owned(),
        password: Password::new(password),
        ..LoginForm::default()
    }
}

/// Waits (at most 10 s: a generous bound, only reached when something is broken) for the
/// listener to report `event`. Waiting for the event itself, not sleeping, makes the test
/// exact on a fast machine and patient on a loaded one.
pub async fn esperar(rx: &mut broadcast::Receiver<ListenerEvent>, event: ListenerEvent) {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match rx.recv().await {
                Ok(e) if e == event => return,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("listener events closed: {e}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the listener did not report {event:?} within 10 s"));
}

/// An `Auth` whose listener is connected.
pub async fn replica(url: &str) -> (Auth, broadcast::Receiver<ListenerEvent>) {
    let auth = auth();
    let mut rx = auth.listener_events();
    auth.spawn_listener(url);
    esperar(&mut rx, ListenerEvent::Conectado).await;
    assert!(auth.cache_online());
    (auth, rx)
}
