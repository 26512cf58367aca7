//! The machinery — a private PostgreSQL cluster per test (through `scripts/pg.sh`), the real
//! `solicitudes-api` binary as a child process, `psql` for looking behind the API — lives in
//! `solicitudes_testkit::service`, shared with the typed client's tests (`tests/cliente.rs`).
//! This module only names the binary cargo built for these tests.
//!
//! Both guards clean up in `Drop`, also when the test panics: the service is killed and
//! the cluster destroyed, and on a panic the last lines of both logs are printed.

pub use solicitudes_testkit::service::{Cluster, Launcher, Service, free_port, wait_for};

/// The service binary cargo built for this test; logs in `<target>/resiliencia/NAME.log`.
pub fn launcher() -> Launcher {
    Launcher::new(env!("CARGO_BIN_EXE_solicitudes-api"), "resiliencia")
}

/// Starts the service on a free port against `database_url`, with
/// `database.checkout_timeout_ms = 1000`, `RUST_LOG=warn` and `extra` environment
/// ([`Launcher::start`]).
pub fn start_service(name: &str, database_url: &str, extra: &[(&str, &str)]) -> Service {
    launcher().start(name, database_url, extra)
}
