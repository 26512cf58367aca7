//! The machinery — a private PostgreSQL cluster per test (the harness, `solicitudes_xtask`), the real
//! `solicitudes-api` binary as a child process, `psql` for looking behind the API — lives in
//! `solicitudes_testkit::service`, shared with the typed client's tests (`tests/cliente.rs`).
//! This module names the binary cargo built for these tests, and adds what only these tests
//! need: every service starts with a bootstrap admin, and [`Service::wait_ready`] logs it in
//! so that its token goes with every `/api/v1` request of the raw-socket client (`http.rs`).
//!
//! Both guards clean up in `Drop`, also when the test panics: the service is killed and
//! the cluster destroyed, and on a panic the last lines of both logs are printed.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

pub use solicitudes_testkit::service::{Cluster, Launcher, free_port, wait_for};

use crate::http;

/// The bootstrap admin every [`Service`] is started with (`auth.bootstrap_admin_*`).
pub const ADMIN_EMAIL: &str = "admin@resiliencia.example";
/// Its password.
pub const ADMIN_PASSWORD: &str = "resiliencia resistente";

/// The service binary cargo built for this test; logs in `<target>/resiliencia/NAME.log`.
pub fn launcher() -> Launcher {
    Launcher::new(env!("CARGO_BIN_EXE_solicitudes-api"), "resiliencia")
}

/// Starts the service on a free port against `database_url`, with
/// `database.checkout_timeout_ms = 1000`, `RUST_LOG=warn` ([`Launcher::start`]), the
/// bootstrap admin [`ADMIN_EMAIL`] and `extra` environment. Returns once the process runs;
/// see [`Service::wait_ready`].
pub fn start_service(name: &str, database_url: &str, extra: &[(&str, &str)]) -> Service {
    let mut env = vec![
        ("APP__AUTH__BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL),
        ("APP__AUTH__BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD),
        // The login of `wait_ready` is retried until the bootstrap admin exists; those
        // 401s must not add up to a throttled account.
        ("APP__AUTH__THROTTLE_ACCOUNT_FAILURES", "1000"),
    ];
    env.extend_from_slice(extra);
    Service {
        inner: launcher().start(name, database_url, &env),
        token: None,
    }
}

/// The service of `solicitudes_testkit::service` (all its methods, through `Deref`), plus
/// the bootstrap admin's token once [`wait_ready`](Self::wait_ready) logged in.
pub struct Service {
    inner: solicitudes_testkit::service::Service,
    token: Option<String>,
}

impl Deref for Service {
    type Target = solicitudes_testkit::service::Service;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl DerefMut for Service {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

impl Service {
    /// Waits until `/readyz` answers 200: database reachable, migrations applied; then, the
    /// first time, logs in as the bootstrap admin ([`log_in`](Self::log_in)).
    pub fn wait_ready(&mut self, within: Duration) {
        self.inner.wait_ready(within);
        if self.token.is_none() {
            self.log_in(within);
        }
    }

    /// Logs in as [`ADMIN_EMAIL`] (`POST /api/v1/auth/token`, retried until the bootstrap
    /// admin exists, which happens just after the migrations), checks the token with
    /// `GET /api/v1/auth/me` (which also puts its session in the service's cache), and sends
    /// it on every later `/api/v1` request to this service ([`http::set_token`]).
    pub fn log_in(&mut self, within: Duration) {
        let port = self.port();
        let body = serde_json::json!({
            "grant_type": "password",
            "username": ADMIN_EMAIL,
            "password": ADMIN_PASSWORD,
        })
        .to_string();
        let token = wait_for(within, "the bootstrap admin to log in", || {
            self.assert_running();
            let r = http::request_anonima(
                port,
                "POST",
                "/api/v1/auth/token",
                &[],
                Some(&body),
                http::TIMEOUT,
            )
            .ok()
            .filter(|r| r.status == 200)?;
            r.json()["access_token"].as_str().map(str::to_owned)
        });
        let bearer = format!("Bearer {token}");
        let me = http::request(
            port,
            "GET",
            "/api/v1/auth/me",
            &[("Authorization", &bearer)],
            None,
            http::TIMEOUT,
        )
        .unwrap_or_else(|e| panic!("GET /api/v1/auth/me: {e}"));
        assert_eq!(
            me.status, 200,
            "GET /api/v1/auth/me with the new token: {me}"
        );
        assert_eq!(me.json()["rol"], "admin", "{me}");
        http::set_token(port, Some(&token));
        self.token = Some(token);
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // Another test's service may get this port later. (`inner` is killed right after.)
        http::set_token(self.port(), None);
    }
}
