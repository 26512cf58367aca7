//! Building and running the server.

use std::net::TcpListener;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actix_http::error::DispatchError;
use actix_http::{Extensions, HttpServiceBuilder, KeepAlive};
use actix_service::{ServiceFactoryExt, fn_service, map_config};
use actix_web::dev::{AppConfig, Server};
use actix_web::rt::net::TcpStream;
use anyhow::Context;
use futures_util::future::ready;
use solicitudes_persistence::{DbHealth, DbPool, PoolSettings, migrations};

use solicitudes_schemas::auth::Password;
use solicitudes_services::auth::{ListenerEvent, Purga};
use solicitudes_services::{Auth, usuarios};

use crate::app::build_app;
use crate::config::Settings;
use crate::head_limits::LimitedIo;
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
        let workers = match settings.server.workers {
            0 => std::thread::available_parallelism().map_or(2, NonZeroUsize::get),
            n => n,
        };
        let pools = WorkerPools::new(&url, &settings.pool(), workers);
        let expected =
            Arc::new(migrations::expected_versions().context("listing embedded migrations")?);
        let auth = Auth::new(settings.auth()).map_err(|e| anyhow::anyhow!("auth settings: {e}"))?;
        // Keeps the session cache right across replicas; until it connects (and whenever it
        // is down) every request reads its session from the database.
        let mut events = auth.listener_events();
        actix_web::rt::spawn(auth.listener(url.clone()));
        // Serve once the listener has had its first try (bounded: a database that does not
        // answer must not hold the start-up), so the cache is in use from the first request.
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            while let Ok(e) = events.recv().await {
                if matches!(e, ListenerEvent::Conectado | ListenerEvent::Caido) {
                    break;
                }
            }
        })
        .await;
        prepare_database_in_background(
            url.clone(),
            settings.database.migrate_on_start,
            auth.clone(),
            settings.pool(),
        );
        purge_periodically(&url, &auth, &settings.pool());
        let http = settings.http();
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
        let addr = listener.local_addr()?;
        let port = addr.port();
        let limits = settings.server.head_limits();
        let client_request_timeout =
            Duration::from_millis(settings.server.client_request_timeout_ms);
        // What `actix_web::HttpServer::listen` assembles, but with each connection wrapped in
        // `LimitedIo` (head_limits.rs: actix-http answers oversized heads itself, with an empty
        // body, before any middleware). The HTTP settings are HttpServer's defaults except the
        // client request timeout, as before.
        let builder = actix_server::Server::build();
        let shutdown = builder.graceful_shutdown_signal();
        let server = builder
            .workers(workers)
            .shutdown_timeout(settings.server.shutdown_timeout_secs)
            .listen("solicitudes-api", listener, move || {
                // actix calls this once on each worker thread, inside that worker's runtime.
                let state = AppState {
                    pool: pools.for_this_worker(),
                    auth: auth.clone(),
                    expected_migrations: Arc::clone(&expected),
                };
                let app = build_app(state, http.clone());
                let shutdown = shutdown.clone();
                let http_service = HttpServiceBuilder::<LimitedIo<TcpStream>, _>::default()
                    .graceful_shutdown_signal(move || {
                        let shutdown = shutdown.clone();
                        async move { shutdown.notified().await }
                    })
                    .keep_alive(KeepAlive::default())
                    .client_request_timeout(client_request_timeout)
                    .client_disconnect_timeout(Duration::from_secs(1))
                    .h1_allow_half_closed(true)
                    .local_addr(addr)
                    .on_connect_ext(|io: &LimitedIo<TcpStream>, ext: &mut Extensions| {
                        ext.insert(io.connection_limit());
                    })
                    .h1(map_config(app, |()| AppConfig::default()));
                fn_service(move |io: TcpStream| {
                    let peer = io.peer_addr().ok();
                    ready(Ok::<_, DispatchError>((LimitedIo::new(io, limits), peer)))
                })
                .and_then(http_service)
            })?;
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

/// The workers' connection pools: one per worker, opened on that worker so that its
/// connections' tasks run on the thread that uses them (see `solicitudes_persistence::pool`),
/// or a single shared one when there are fewer connections than workers. All of them share
/// one [`DbHealth`]: once one finds the database down, every worker answers 503 at once.
#[derive(Clone)]
enum WorkerPools {
    Shared(DbPool),
    PerWorker {
        url: Arc<str>,
        shares: Arc<[PoolSettings]>,
        next: Arc<AtomicUsize>,
        health: DbHealth,
    },
}

impl WorkerPools {
    fn new(url: &str, settings: &PoolSettings, workers: usize) -> Self {
        let health = DbHealth::new(url, settings.checkout_timeout);
        match settings.per_worker(workers) {
            Some(shares) => {
                tracing::debug!(workers, "one connection pool per worker");
                Self::PerWorker {
                    url: url.into(),
                    shares: shares.into(),
                    next: Arc::new(AtomicUsize::new(0)),
                    health,
                }
            }
            None => {
                tracing::info!(
                    workers,
                    pool_max_size = settings.max_size,
                    "fewer connections than workers: one pool shared by all workers"
                );
                Self::Shared(DbPool::new(url, settings, health))
            }
        }
    }

    /// The pool of the worker calling this: each call takes the next share in turn. (actix
    /// restarts a worker only when its thread dies; the replacement takes the next share, so
    /// with uneven shares the total can then exceed `max_size` by one.)
    fn for_this_worker(&self) -> DbPool {
        match self {
            Self::Shared(pool) => pool.clone(),
            Self::PerWorker {
                url,
                shares,
                next,
                health,
            } => {
                let i = next.fetch_add(1, Ordering::Relaxed) % shares.len();
                DbPool::new(url, &shares[i], health.clone())
            }
        }
    }
}

/// Every `auth.purge_interval_secs` (the first time one interval after start-up), deletes the
/// dead sessions and stale login failures ([`Auth::purgar`]) on a pool of its own (one
/// connection, opened when needed); on the main arbiter, so it stops with the server. A
/// failure is logged and waits for the next interval.
fn purge_periodically(url: &str, auth: &Auth, pool: &PoolSettings) {
    let Some(every) = auth.settings().purge_interval else {
        return;
    };
    let auth = auth.clone();
    let settings = PoolSettings {
        max_size: 1,
        min_idle: None,
        ..pool.clone()
    };
    let pool = DbPool::new(
        url,
        &settings,
        DbHealth::new(url, settings.checkout_timeout),
    );
    actix_web::rt::spawn(async move {
        loop {
            actix_web::rt::time::sleep(every).await;
            match auth.purgar(&pool).await {
                Ok(p) if p == Purga::default() => tracing::debug!("purge: nothing to delete"),
                Ok(p) => tracing::info!(
                    sesiones = p.sesiones,
                    login_fallos = p.login_fallos,
                    "purge: dead sessions and stale login failures deleted"
                ),
                Err(e) => tracing::warn!(error = %e, "purge failed; next try in one interval"),
            }
        }
    });
}

/// In the background, so the server answers (503) while the database is not there yet:
/// applies the migrations (when `migrate`), then creates the bootstrap admin (when
/// `auth.bootstrap_admin_*` are set and no active admin exists), each retried until it
/// succeeds.
fn prepare_database_in_background(url: String, migrate: bool, auth: Auth, pool: PoolSettings) {
    actix_web::rt::spawn(async move {
        let mut delay = Duration::from_millis(250);
        if migrate {
            loop {
                match migrations::run_pending(&url).await {
                    Ok(applied) => {
                        if applied.is_empty() {
                            tracing::info!("database schema is up to date");
                        } else {
                            tracing::info!(?applied, "migrations applied");
                        }
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, retry_in_ms = delay.as_millis(), "migrations not applied yet");
                        actix_web::rt::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_secs(5));
                    }
                }
            }
        }
        let (Some(email), Some(password)) = (
            auth.settings().bootstrap_admin_email.clone(),
            auth.settings().bootstrap_admin_password.clone(),
        ) else {
            return;
        };
        let password = Password::from_secret(password);
        let pool = DbPool::new(&url, &pool, DbHealth::new(&url, pool.checkout_timeout));
        loop {
            match usuarios::bootstrap_admin(&pool, &auth, &email, &password).await {
                Ok(Some(u)) => {
                    tracing::info!(email = %u.email, "bootstrap admin ready (auth.bootstrap_admin_email)");
                    return;
                }
                Ok(None) => {
                    tracing::debug!("an active admin exists: bootstrap admin not needed");
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_ms = delay.as_millis(), "bootstrap admin not created yet");
                    actix_web::rt::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    });
}
