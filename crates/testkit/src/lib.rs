//! Test support: every test gets its own freshly migrated PostgreSQL database.
//!
//! `DATABASE_URL` must name a database on a server where its role may create databases
//! (`make test` starts a private cluster and sets it). The first test of a run creates a
//! template database and applies the migrations to it, under an advisory lock so parallel
//! test processes wait for each other; each test then clones the template
//! (`CREATE DATABASE … TEMPLATE …`, a file copy, much faster than migrating) and drops its
//! clone when the [`TestDb`] goes out of scope. Tests therefore run in parallel without
//! seeing each other's rows.
//!
//! [`service`] runs the real `solicitudes-api` binary over such a database (or over a private
//! cluster a test may break), for the tests that talk to it over the network.

// Test support: when setting up a test database fails, the test must fail loudly right
// there, so panicking with a clear message is the intended behaviour of this crate.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod service;

use std::hash::Hasher;

use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use solicitudes_persistence::{DbPool, PoolSettings, build_pool, migrations};

const LOCK_KEY: i64 = 0x7465_7374_6b69_7431; // "testkit1"

/// A database of its own for one test, dropped with this value.
#[derive(Debug)]
pub struct TestDb {
    url: String,
    admin_url: String,
    name: String,
}

impl TestDb {
    /// Creates a database cloned from the migrated template.
    ///
    /// # Panics
    /// When `DATABASE_URL` is not set or the server refuses; the message says what to do.
    pub async fn new() -> Self {
        let admin_url = std::env::var("DATABASE_URL").expect(
            "DATABASE_URL is not set: run the tests with `make test`, which starts a private \
             PostgreSQL cluster, or point DATABASE_URL at a server where you may CREATE DATABASE",
        );
        let template = ensure_template(&admin_url).await;
        let name = format!("test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = connect(&admin_url).await;
        admin
            .batch_execute(&format!(
                r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#
            ))
            .await
            .expect("CREATE DATABASE for a test failed");
        Self {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
        }
    }

    /// The URL of this test's database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A pool over this test's database with small sizes.
    pub fn pool(&self) -> DbPool {
        build_pool(
            &self.url,
            &PoolSettings::new(
                4,
                Some(0),
                std::time::Duration::from_secs(2),
                Some(std::time::Duration::from_secs(5)),
            ),
        )
    }

    /// A single connection to this test's database, for assertions on what was stored.
    pub async fn connect(&self) -> AsyncPgConnection {
        connect(&self.url).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; do the async work on a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut admin = AsyncPgConnection::establish(&admin_url).await.ok()?;
                admin
                    .batch_execute(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("testkit: could not drop test database {}", self.name);
        }
    }
}

async fn connect(url: &str) -> AsyncPgConnection {
    AsyncPgConnection::establish(url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test database server: {e}"))
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Creates the template (once per set of migrations) and returns its name.
async fn ensure_template(admin_url: &str) -> String {
    let versions = migrations::expected_versions().expect("embedded migrations");
    let mut hash = fnv::FnvHasher::default();
    hash.write(versions.join(",").as_bytes());
    let template = format!("tmpl_{:016x}", hash.finish());
    let mut admin = connect(admin_url).await;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(LOCK_KEY)
        .execute(&mut admin)
        .await
        .expect("advisory lock");
    let exists: Exists =
        diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(&template)
            .get_result(&mut admin)
            .await
            .expect("query pg_database");
    if exists.n == 0 {
        let building = format!("{template}_building");
        // Two statements: DROP/CREATE DATABASE cannot share an (implicit) transaction.
        admin
            .batch_execute(&format!(
                r#"DROP DATABASE IF EXISTS "{building}" WITH (FORCE)"#
            ))
            .await
            .expect("drop a half-built template database");
        admin
            .batch_execute(&format!(r#"CREATE DATABASE "{building}""#))
            .await
            .expect("create template database");
        migrations::run_pending(&with_database(admin_url, &building))
            .await
            .expect("migrate the template database");
        // Renamed only once complete: a crashed run never leaves a half-migrated template.
        admin
            .batch_execute(&format!(
                r#"ALTER DATABASE "{building}" RENAME TO "{template}""#
            ))
            .await
            .expect("rename template database");
    }
    sweep_leftovers(&mut admin).await;
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(LOCK_KEY)
        .execute(&mut admin)
        .await
        .expect("advisory unlock");
    template
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// Drops test databases left behind by crashed runs: those whose name (a UUIDv7, so a
/// timestamp) is more than an hour old. A running test is never that old.
async fn sweep_leftovers(admin: &mut AsyncPgConnection) {
    let Ok(names) =
        diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'test\\_%'")
            .load::<Name>(admin)
            .await
    else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for Name { datname } in names {
        let created = datname
            .strip_prefix("test_")
            .and_then(|id| uuid::Uuid::try_parse(id).ok())
            .and_then(|id| id.get_timestamp())
            .map(|ts| ts.to_unix().0);
        if created.is_some_and(|secs| now.saturating_sub(secs) > 3600) {
            let _ = admin
                .batch_execute(&format!(
                    r#"DROP DATABASE IF EXISTS "{datname}" WITH (FORCE)"#
                ))
                .await;
        }
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn cambia_solo_el_nombre_de_la_base() {
        assert_eq!(
            with_database(
                "postgres://u:p@127.0.0.1:5432/solicitudes?sslmode=disable",
                "x"
            ),
            "postgres://u:p@127.0.0.1:5432/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://localhost", "x"),
            "postgres://localhost/x"
        );
    }
}
