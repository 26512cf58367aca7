//! Embedded migrations: applied at start-up and by `solicitudes-api migrate`.

use diesel::Connection;
use diesel::migration::MigrationSource;
use diesel::sql_types::Text;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::DbError;

/// The migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Arbitrary, fixed key of the advisory lock that serialises concurrent migration runs
/// (several replicas starting together, parallel test processes).
const LOCK_KEY: i64 = 0x736f_6c69_6369_7475; // "solicitu"

/// Applies every pending migration and returns the versions applied.
///
/// Runs on a blocking thread (diesel's migration harness is synchronous) over its own
/// connection, holding a PostgreSQL advisory lock so concurrent runs wait for each other.
///
/// # Errors
/// [`DbError::Unavailable`] when the database cannot be reached, [`DbError::Other`] when a
/// migration fails.
pub async fn run_pending(database_url: &str) -> Result<Vec<String>, DbError> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || -> Result<Vec<String>, DbError> {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        diesel::RunQueryDsl::execute(
            diesel::sql_query("SELECT pg_advisory_lock($1)")
                .bind::<diesel::sql_types::BigInt, _>(LOCK_KEY),
            &mut conn,
        )?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(|e| DbError::Other(format!("migration failed: {e}")));
        // Closing the connection releases the lock as well; unlock explicitly all the same.
        let _ = diesel::RunQueryDsl::execute(
            diesel::sql_query("SELECT pg_advisory_unlock($1)")
                .bind::<diesel::sql_types::BigInt, _>(LOCK_KEY),
            &mut conn,
        );
        applied
    })
    .await
    .map_err(|e| DbError::Other(format!("migration task failed: {e}")))?
}

/// The versions of the embedded migrations.
///
/// # Errors
/// When the embedded migrations cannot be listed (never for a binary that built).
pub fn expected_versions() -> Result<Vec<String>, DbError> {
    MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
        .map_err(|e| DbError::Other(e.to_string()))
}

#[derive(diesel::QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

/// Whether every embedded migration has been applied to the database behind `conn`.
///
/// # Errors
/// [`DbError`] when the database cannot be asked (including when the migrations table does
/// not exist yet, which is reported as `Ok(false)`).
pub async fn all_applied(
    conn: &mut AsyncPgConnection,
    expected: &[String],
) -> Result<bool, DbError> {
    let exists: Option<String> =
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Nullable<Text>>(
            "to_regclass('__diesel_schema_migrations')::text",
        ))
        .get_result(conn)
        .await?;
    if exists.is_none() {
        return Ok(false);
    }
    let applied: Vec<Version> = diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
        .load(conn)
        .await?;
    Ok(expected
        .iter()
        .all(|v| applied.iter().any(|a| &a.version == v)))
}
