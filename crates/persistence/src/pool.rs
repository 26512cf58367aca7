//! The connection pool.
//!
//! ## Recycling
//! A connection handed back to the pool is checked with diesel-async's
//! [`RecyclingMethod::Fast`]: no query, only "is a transaction left open or broken, and is
//! the socket closed?" (`AsyncPgConnection::is_broken`). The alternative, `Verified`, runs a
//! `SELECT 1` on every checkout, which doubles the round trips of a one-statement request.
//! A connection that died while idle (server restart) is detected by the closed socket, or
//! fails its first statement with an error that marks it broken, so it is dropped and the
//! request gets a 503 instead of a hang. The reasoning is in `docs/database.md`.

use std::time::Duration;

use diesel::ConnectionError;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::future::BoxFuture;

/// The pool type.
pub type DbPool = bb8::Pool<AsyncDieselConnectionManager<AsyncPgConnection>>;
/// A connection checked out of the pool.
pub type DbConn<'a> = bb8::PooledConnection<'a, AsyncDieselConnectionManager<AsyncPgConnection>>;

/// Pool sizes and time limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSettings {
    /// Most connections open at once.
    pub max_size: u32,
    /// Connections kept open while idle (`None`: as many as `max_size`).
    pub min_idle: Option<u32>,
    /// How long a request waits for a connection before it gets a 503.
    pub checkout_timeout: Duration,
    /// Server-side `statement_timeout` set on every new connection (`None`: the server's).
    pub statement_timeout: Option<Duration>,
    /// Close connections idle for this long.
    pub idle_timeout: Option<Duration>,
    /// Close connections older than this.
    pub max_lifetime: Option<Duration>,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 10,
            min_idle: Some(1),
            checkout_timeout: Duration::from_secs(2),
            statement_timeout: Some(Duration::from_secs(5)),
            idle_timeout: Some(Duration::from_secs(600)),
            max_lifetime: Some(Duration::from_secs(1800)),
        }
    }
}

/// Builds the pool without connecting: the service starts (and answers `/healthz`, and 503s)
/// even while the database is down, and connects when it comes up.
pub fn build_pool(database_url: &str, settings: &PoolSettings) -> DbPool {
    let statement_timeout = settings.statement_timeout;
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| establish(url, statement_timeout));
    let manager = AsyncDieselConnectionManager::new_with_config(database_url, config);
    bb8::Pool::builder()
        .max_size(settings.max_size.max(1))
        .min_idle(settings.min_idle)
        .connection_timeout(settings.checkout_timeout)
        .idle_timeout(settings.idle_timeout)
        .max_lifetime(settings.max_lifetime)
        // With RecyclingMethod::Fast the check is free, but there is nothing to gain from it.
        .test_on_check_out(false)
        .error_sink(Box::new(LogErrors))
        .build_unchecked(manager)
}

fn establish(
    url: &str,
    statement_timeout: Option<Duration>,
) -> BoxFuture<'_, Result<AsyncPgConnection, ConnectionError>> {
    Box::pin(async move {
        let mut conn = AsyncPgConnection::establish(url).await?;
        if let Some(t) = statement_timeout {
            conn.batch_execute(&format!("SET statement_timeout = {}", t.as_millis()))
                .await
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
        }
        Ok(conn)
    })
}

/// Logs connection failures of the pool's background work (they never reach a request).
#[derive(Debug, Clone, Copy)]
struct LogErrors;

impl<E: std::fmt::Display> bb8::ErrorSink<E> for LogErrors {
    fn sink(&self, error: E) {
        tracing::warn!(%error, "database connection failed");
    }

    fn boxed_clone(&self) -> Box<dyn bb8::ErrorSink<E>> {
        Box::new(*self)
    }
}

/// A single connection outside the pool (for commands such as `seed`).
///
/// # Errors
/// [`crate::DbError::Unavailable`] when the database cannot be reached.
pub async fn connect(database_url: &str) -> Result<AsyncPgConnection, crate::DbError> {
    AsyncPgConnection::establish(database_url)
        .await
        .map_err(|e| crate::DbError::Unavailable(e.to_string()))
}
