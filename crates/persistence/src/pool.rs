//! The connection pool.
//!
//! ## Checking connections without a query
//! A connection is checked when it is handed back *and* when it is handed out, both times
//! with diesel-async's `is_broken`: no query, only "is a transaction left open or broken, and
//! is the socket closed?" (the connection's task ends when PostgreSQL closes the socket). The
//! alternative, `RecyclingMethod::Verified`, runs a `SELECT 1` on every checkout, which
//! doubles the round trips of a one-statement request. So a connection whose server went
//! away while it sat idle (a restart, a crash) is replaced at checkout and costs no request
//! anything; one that dies without the socket saying so fails its first statement with an
//! error that marks it broken, and that request gets a 503 instead of a hang. The reasoning is
//! in `docs/database.md`.
//!
//! ## One pool per worker thread
//! A connection is driven by a task (diesel-async spawns it with `tokio::spawn`) on the
//! runtime that opened it. actix-web runs one single-threaded runtime per worker, so a
//! request on worker A that checks out a connection opened by worker B (or by the main
//! thread) hands every statement and every answer across threads: two wake-ups through an
//! eventfd and two context switches per statement. [`PoolSettings::per_worker`] splits the
//! configured pool into one share per worker, each opened on its own worker, so a request's
//! statements never leave its thread; `docs/benchmarks.md` has the measurement.
//!
//! ## Failing fast while the database is down
//! Every pool of a process shares one [`DbHealth`]: once opening a connection fails because
//! the server cannot be reached, [`DbPool::get`] answers [`DbError::Unavailable`] at once
//! instead of waiting `checkout_timeout` for a connection that cannot come, until a probe
//! connects again (see [`crate::health`]).

use std::time::Duration;

use diesel::ConnectionError;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolableConnection, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::future::BoxFuture;

use crate::DbError;
use crate::health::DbHealth;

type Manager = AsyncDieselConnectionManager<AsyncPgConnection>;

/// A connection checked out of the pool.
pub type DbConn<'a> = bb8::PooledConnection<'a, Manager>;

/// What a request gets instead of a connection while the database is known to be down.
const KNOWN_DOWN: &str = "the database is known to be down (a probe checks for its return)";

/// The connection pool: bb8's, behind the process's [`DbHealth`]. Cheap to clone (the
/// clones share the pool).
#[derive(Clone)]
pub struct DbPool {
    pool: bb8::Pool<Manager>,
    health: DbHealth,
}

impl std::fmt::Debug for DbPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbPool")
            .field("state", &self.pool.state())
            .field("health", &self.health)
            .finish()
    }
}

impl DbPool {
    /// Builds the pool without connecting (see [`build_pool`]); its connection failures and
    /// successes are reported to `health`, which any number of pools may share.
    #[must_use]
    pub fn new(database_url: &str, settings: &PoolSettings, health: DbHealth) -> Self {
        Self {
            pool: bb8_pool(database_url, settings, &health),
            health,
        }
    }

    /// A connection, within `checkout_timeout`.
    ///
    /// While the database is known to be down this fails at once, without touching the pool;
    /// a request already waiting fails as soon as it is found down. Healthy, it costs one
    /// atomic load more than bb8's `get`.
    ///
    /// # Errors
    /// [`DbError::Unavailable`] when the database is known to be down, or no connection
    /// could be had in time.
    pub async fn get(&self) -> Result<DbConn<'_>, DbError> {
        let Ok(seen) = self.health.gate() else {
            return Err(DbError::Unavailable(KNOWN_DOWN.to_owned()));
        };
        tokio::select! {
            // The pool first: when it has an idle connection, the other branch is never
            // polled, so it costs nothing.
            biased;
            conn = self.pool.get() => conn.map_err(DbError::from),
            () = self.health.went_down_after(seen) => {
                Err(DbError::Unavailable(KNOWN_DOWN.to_owned()))
            }
        }
    }

    /// The shared health state this pool reports to.
    #[must_use]
    pub fn health(&self) -> &DbHealth {
        &self.health
    }
}

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

/// A connection idle this long is closed (fixed: no configuration key).
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// Every connection is closed after this long (fixed: no configuration key).
const MAX_LIFETIME: Duration = Duration::from_secs(1800);

impl PoolSettings {
    /// A pool of at most `max_size` connections, keeping `min_idle` open, whose checkouts wait
    /// at most `checkout_timeout`. Its configurable values come from the service's
    /// configuration (its defaults are in one table, `solicitudes_api::config::DEFAULTS`);
    /// connections are recycled after [`IDLE_TIMEOUT`] idle and [`MAX_LIFETIME`] in all.
    pub fn new(
        max_size: u32,
        min_idle: Option<u32>,
        checkout_timeout: Duration,
        statement_timeout: Option<Duration>,
    ) -> Self {
        Self {
            max_size,
            min_idle,
            checkout_timeout,
            statement_timeout,
            idle_timeout: Some(IDLE_TIMEOUT),
            max_lifetime: Some(MAX_LIFETIME),
        }
    }

    /// Splits this pool into `workers` pools whose sizes add up to `max_size` (and whose
    /// `min_idle` add up to `min_idle`), one per worker thread, or `None` when there are fewer
    /// connections than workers: then some worker would own none, and one shared pool keeps
    /// the limit exact.
    #[must_use]
    pub fn per_worker(&self, workers: usize) -> Option<Vec<PoolSettings>> {
        let workers = u32::try_from(workers).ok().filter(|&w| w > 0)?;
        if self.max_size < workers {
            return None;
        }
        let share = |total: u32, i: u32| total / workers + u32::from(i < total % workers);
        Some(
            (0..workers)
                .map(|i| {
                    let max_size = share(self.max_size, i);
                    PoolSettings {
                        max_size,
                        min_idle: self.min_idle.map(|m| share(m, i).min(max_size)),
                        ..self.clone()
                    }
                })
                .collect(),
        )
    }
}

/// Builds the pool without connecting: the service starts (and answers `/healthz`, and 503s)
/// even while the database is down, and connects when it comes up. The pool has a health
/// state of its own; [`DbPool::new`] shares one between pools.
#[must_use]
pub fn build_pool(database_url: &str, settings: &PoolSettings) -> DbPool {
    DbPool::new(
        database_url,
        settings,
        DbHealth::new(database_url, settings.checkout_timeout),
    )
}

fn bb8_pool(database_url: &str, settings: &PoolSettings, health: &DbHealth) -> bb8::Pool<Manager> {
    let statement_timeout = settings.statement_timeout;
    let health = health.clone();
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::CustomFunction(Box::new(|conn| {
        Box::pin(async move {
            if PoolableConnection::is_broken(conn) {
                Err(diesel::result::Error::BrokenTransactionManager)
            } else {
                Ok(())
            }
        })
    }));
    config.custom_setup = Box::new(move |url| establish(url, statement_timeout, health.clone()));
    let manager = AsyncDieselConnectionManager::new_with_config(database_url, config);
    bb8::Pool::builder()
        .max_size(settings.max_size.max(1))
        .min_idle(settings.min_idle)
        .connection_timeout(settings.checkout_timeout)
        .idle_timeout(settings.idle_timeout)
        .max_lifetime(settings.max_lifetime)
        // The check above sends nothing; it only looks at the connection's state.
        .test_on_check_out(true)
        .error_sink(Box::new(LogErrors))
        .build_unchecked(manager)
}

/// Opens a connection for the pool, within the health state's connection timeout, and tells
/// the health state how it went.
fn establish(
    url: &str,
    statement_timeout: Option<Duration>,
    health: DbHealth,
) -> BoxFuture<'_, Result<AsyncPgConnection, ConnectionError>> {
    Box::pin(async move {
        let attempt =
            tokio::time::timeout(health.connect_timeout(), set_up(url, statement_timeout)).await;
        match attempt {
            Ok(Ok(conn)) => {
                health.connected();
                Ok(conn)
            }
            Ok(Err(e)) => {
                health.connect_failed(&e);
                Err(e)
            }
            Err(_) => {
                health.connect_timed_out();
                Err(ConnectionError::BadConnection(format!(
                    "no connection within {:?}",
                    health.connect_timeout()
                )))
            }
        }
    })
}

async fn set_up(
    url: &str,
    statement_timeout: Option<Duration>,
) -> Result<AsyncPgConnection, ConnectionError> {
    let mut conn = AsyncPgConnection::establish(url).await?;
    if let Some(t) = statement_timeout {
        conn.batch_execute(&format!("SET statement_timeout = {}", t.as_millis()))
            .await
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
    }
    Ok(conn)
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

#[cfg(test)]
mod tests {
    use super::PoolSettings;

    fn sizes(total: u32, min_idle: Option<u32>, workers: usize) -> Option<Vec<(u32, Option<u32>)>> {
        let settings = PoolSettings::new(total, min_idle, std::time::Duration::from_secs(2), None);
        settings
            .per_worker(workers)
            .map(|v| v.iter().map(|s| (s.max_size, s.min_idle)).collect())
    }

    #[test]
    fn el_pool_se_reparte_entre_workers_sin_pasar_del_total() {
        assert_eq!(
            sizes(10, Some(1), 2),
            Some(vec![(5, Some(1)), (5, Some(0))])
        );
        assert_eq!(
            sizes(10, Some(3), 3),
            Some(vec![(4, Some(1)), (3, Some(1)), (3, Some(1))])
        );
        assert_eq!(sizes(7, None, 2), Some(vec![(4, None), (3, None)]));
        assert_eq!(sizes(2, Some(9), 2), Some(vec![(1, Some(1)), (1, Some(1))]));
        assert_eq!(sizes(4, Some(1), 1), Some(vec![(4, Some(1))]));
    }

    #[test]
    fn con_menos_conexiones_que_workers_queda_un_pool_compartido() {
        assert_eq!(sizes(1, Some(1), 2), None);
        assert_eq!(sizes(10, Some(1), 0), None);
    }
}
