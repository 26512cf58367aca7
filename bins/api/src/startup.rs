//! Building and running the server.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpServer;
use actix_web::dev::Server;
use anyhow::Context;
use solicitudes_persistence::{build_pool, migrations};

use crate::app::{HttpSettings, build_app};
use crate::config::Settings;
use crate::spa::SpaDir;
use crate::state::AppState;

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds the listener and prepares the server (port 0 picks a free port, see [`port`]).
    ///
    /// Migrations are applied first when `database.migrate_on_start` is set. If the database
    /// is not reachable yet, the server starts anyway — `/healthz` answers, `/readyz` and the
    /// API answer 503 — and the migrations are retried in the background until they succeed.
    ///
    /// # Errors
    /// When the database URL is missing or the address cannot be bound.
    ///
    /// [`port`]: Application::port
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let url = settings
            .database_url()
            .map_err(anyhow::Error::msg)?
            .to_owned();
        let pool = build_pool(&url, &settings.pool());
        let expected = migrations::expected_versions().context("listing embedded migrations")?;
        if settings.database.migrate_on_start {
            migrate_or_retry_in_background(url);
        }
        let state = AppState {
            pool,
            expected_migrations: Arc::new(expected),
        };
        let http = HttpSettings {
            body_limit_bytes: settings.server.body_limit_bytes,
            cors_origins: settings.server.cors_origins.clone(),
            request_timeout: Duration::from_millis(settings.server.request_timeout_ms),
            spa: SpaDir::existing(Path::new(&settings.server.static_dir)),
        };
        match &http.spa {
            Some(dir) => tracing::info!(dir = %dir.0.display(), "serving the web application at /"),
            None => tracing::info!(
                dir = %settings.server.static_dir,
                "no built web application there (make web builds it); / answers JSON"
            ),
        }
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
            .with_context(|| {
                format!(
                    "cannot listen on {}:{} (server.host / server.port)",
                    settings.server.host, settings.server.port
                )
            })?;
        let port = listener.local_addr()?.port();
        let mut server = HttpServer::new(move || build_app(state.clone(), http.clone()))
            .listen(listener)?
            .client_request_timeout(Duration::from_millis(
                settings.server.client_request_timeout_ms,
            ))
            .shutdown_timeout(settings.server.shutdown_timeout_secs);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        Ok(Self {
            port,
            server: server.run(),
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM, then lets in-flight requests finish.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn migrate_or_retry_in_background(url: String) {
    actix_web::rt::spawn(async move {
        let mut delay = Duration::from_millis(250);
        loop {
            match migrations::run_pending(&url).await {
                Ok(applied) => {
                    if applied.is_empty() {
                        tracing::info!("database schema is up to date");
                    } else {
                        tracing::info!(?applied, "migrations applied");
                    }
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_ms = delay.as_millis(), "migrations not applied yet");
                    actix_web::rt::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    });
}
