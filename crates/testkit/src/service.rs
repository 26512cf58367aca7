//! The real service as a child process, for tests that talk to it over the network: the
//! resilience tests (`bins/api/tests/resiliencia.rs`) and the typed client's tests
//! (`bins/api/tests/cliente.rs`).
//!
//! The machinery is the workspace's harness, `solicitudes-xtask` (the library behind
//! `cargo xtask`, which `make fuzz`, `make e2e` and `make bench` use); this module gives it
//! the shape of test support: guards that panic with a clear message instead of returning
//! errors.
//!
//! - [`Launcher`]: which `solicitudes-api` binary to run and where its logs go.
//! - [`Service`]: `solicitudes-api serve` on a free port of 127.0.0.1, killed on drop (and,
//!   where `setpriv --pdeathsig` works, also when the test process is killed outright).
//! - [`TestService`]: a fresh database ([`TestDb`]) plus a service over it, ready
//!   (`/readyz` answered 200); both go away on drop, the service first.
//! - [`Cluster`]: a private PostgreSQL cluster (`solicitudes_xtask::pg`) that a test may stop,
//!   kill and restart, and `psql` to look behind the API.
//!
//! Cargo tells only the tests of the binary's own package where it built the binary
//! (`CARGO_BIN_EXE_solicitudes-api`), so those tests (in `bins/api/tests`) pass that path to
//! [`Launcher::new`]: cargo then guarantees the binary is built and up to date.
//!
//! On a panic, the guards print the last lines of the service's log and the cluster's.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use solicitudes_xtask::{db, pg, service as harness};

use crate::TestDb;

/// The repository root.
pub fn repo_root() -> PathBuf {
    solicitudes_xtask::repo_root()
}

/// The status code `GET path` answers on 127.0.0.1:`port`, or `None` when nothing answers
/// (within 2 s) or the answer is not HTTP.
pub fn status_of(port: u16, path: &str) -> Option<u16> {
    harness::http_status(port, path, Duration::from_secs(2)).ok()
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> u16 {
    harness::free_port().expect("a free port on 127.0.0.1")
}

/// Polls `check` every 100 ms until it returns `Some`, or panics with `what` at `within`.
pub fn wait_for<T>(within: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}"
        );
        thread::sleep(Duration::from_millis(100));
    }
}

/// A private PostgreSQL cluster of this checkout (`.local/postgres/NAME`, see
/// `solicitudes_xtask::pg`) on a port of its own. Destroyed on drop.
pub struct Cluster {
    cluster: pg::Cluster,
    url: String,
}

impl Cluster {
    /// Creates and starts the cluster `name` (`res-…`) on a free port. Leftovers of an
    /// earlier, killed run of the same test are destroyed first. `fsync`: keep fsync,
    /// synchronous_commit and full_page_writes on (otherwise off, like the test cluster).
    pub fn create(name: &str, fsync: bool) -> Cluster {
        let config = pg::ClusterConfig::on_port(name, free_port(), fsync)
            .unwrap_or_else(|e| panic!("cluster {name}: {e}"));
        let cluster = pg::Cluster::new(config);
        cluster
            .destroy()
            .unwrap_or_else(|e| panic!("destroying the leftovers of cluster {name}: {e}"));
        let mut cluster = Cluster {
            cluster,
            url: String::new(),
        };
        cluster.url = cluster.start();
        cluster
    }

    fn start(&self) -> String {
        match self.cluster.up() {
            Ok(up) => up.url,
            Err(e) => panic!("starting cluster {}: {e}", self.cluster.name()),
        }
    }

    /// The URL of its `solicitudes` database, as its superuser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Starts it again (crash recovery after [`kill9`](Self::kill9)).
    pub fn up(&self) {
        let url = self.start();
        assert_eq!(url, self.url, "the cluster came back with another URL");
    }

    /// Stops it cleanly (`pg_ctl stop -m fast`).
    pub fn down(&self) {
        if let Err(e) = self.cluster.down() {
            panic!("stopping cluster {}: {e}", self.cluster.name());
        }
    }

    /// Stops it at once (`pg_ctl stop -m immediate`): no checkpoint, clients cut off.
    pub fn stop_immediate(&self) {
        if let Err(e) = self.cluster.stop_immediate() {
            panic!("stopping cluster {} (immediate): {e}", self.cluster.name());
        }
    }

    /// SIGKILLs the postmaster and waits for its processes to go.
    pub fn kill9(&self) {
        if let Err(e) = self.cluster.kill9() {
            panic!("killing cluster {}: {e}", self.cluster.name());
        }
    }

    /// `psql URL -c SQL`, unaligned and tuples-only; panics on failure; returns stdout.
    pub fn psql(&self, sql: &str) -> String {
        db::psql_exec(&psql(), &self.url, sql).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`psql`](Self::psql) parsed as one integer.
    pub fn psql_count(&self, sql: &str) -> i64 {
        let out = self.psql(sql);
        out.parse()
            .unwrap_or_else(|_| panic!("psql -c {sql:?} printed {out:?}, not a number"))
    }

    /// `psql URL -c SQL` in the background (its output is discarded).
    pub fn psql_background(&self, sql: &str) -> Child {
        db::psql_command(&psql(), &self.url)
            .unwrap_or_else(|e| panic!("{e}"))
            .args(["-c", sql])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn psql")
    }
}

/// The `psql` the harness uses (the server's, else the one on `PATH`).
fn psql() -> PathBuf {
    pg::psql().unwrap_or_else(|e| panic!("{e}"))
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if thread::panicking() {
            let log = self.cluster.server_log();
            eprintln!(
                "--- last lines of {} ---\n{}",
                log.display(),
                solicitudes_xtask::tail(&log, 30)
            );
        }
        if let Err(e) = self.cluster.destroy() {
            eprintln!("destroying cluster {}: {e}", self.cluster.name());
        }
    }
}

/// Which `solicitudes-api` binary to start, and the directory its logs and working
/// directories go to.
#[derive(Debug, Clone)]
pub struct Launcher {
    binary: PathBuf,
    dir: PathBuf,
}

impl Launcher {
    /// Starts `binary`; logs go to `<target>/<logs>/NAME.log`, where `<target>` is the cargo
    /// target directory the binary was built in (`<target>/<profile>/solicitudes-api`).
    pub fn new(binary: impl Into<PathBuf>, logs: &str) -> Self {
        let binary = binary.into();
        let target = binary
            .parent()
            .and_then(Path::parent)
            .map_or_else(|| repo_root().join("target"), Path::to_path_buf);
        Self {
            binary,
            dir: target.join(logs),
        }
    }

    /// The binary it starts.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// Starts the service on a free port against `database_url`, with
    /// `database.checkout_timeout_ms = 1000`, `RUST_LOG=warn` and `extra` environment.
    /// Output goes to `<logs>/<name>.log`. Returns once the process runs; see
    /// [`Service::wait_healthy`] and [`Service::wait_ready`].
    pub fn start(&self, name: &str, database_url: &str, extra: &[(&str, &str)]) -> Service {
        fs::create_dir_all(&self.dir).expect("create the services' log directory");
        let mut config = harness::ServiceConfig::new(
            &self.binary,
            database_url,
            self.dir.join(format!("{name}.log")),
        );
        config.current_dir = Some(self.dir.clone());
        config.env = [
            ("APP__DATABASE__CHECKOUT_TIMEOUT_MS", "1000"),
            ("RUST_LOG", "warn"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let inner = harness::Service::start(&config).unwrap_or_else(|e| panic!("{e}"));
        Service { inner }
    }

    /// A fresh database (cloned from the migrated template, see [`TestDb`]) and the service
    /// over it, started with `extra` environment and ready (`/readyz` answered 200 within
    /// 60 s). Needs `DATABASE_URL`, as [`TestDb::new`] does.
    pub async fn start_fresh(&self, name: &str, extra: &[(&str, &str)]) -> TestService {
        let db = TestDb::new().await;
        let mut service = self.start(name, db.url(), extra);
        service.wait_ready(Duration::from_secs(60));
        TestService { service, db }
    }
}

/// A service over a database of its own ([`Launcher::start_fresh`]). Dropping it kills the
/// service, then drops the database.
pub struct TestService {
    // Declared first: dropped first, so the database is not in use when it is dropped.
    service: Service,
    db: TestDb,
}

impl TestService {
    /// `http://127.0.0.1:PORT`, the service's base URL.
    pub fn base_url(&self) -> String {
        self.service.base_url()
    }

    /// The service.
    pub fn service(&mut self) -> &mut Service {
        &mut self.service
    }

    /// Its database.
    pub fn db(&self) -> &TestDb {
        &self.db
    }

    /// Takes the pair apart (to drop the database under a running service, say).
    pub fn into_parts(self) -> (Service, TestDb) {
        (self.service, self.db)
    }
}

/// The real service, `solicitudes-api serve`, as a child process (the harness'
/// `solicitudes_xtask::service::Service`). Killed on drop.
pub struct Service {
    inner: harness::Service,
}

impl Service {
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.inner.port()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.inner.base_url()
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.inner.pid()
    }

    /// Waits until `/healthz` answers 200 (panics if the process exits first).
    pub fn wait_healthy(&mut self, within: Duration) {
        if let Err(e) = self.inner.wait_for_200("/healthz", within) {
            panic!("{e}");
        }
    }

    /// Waits until `/readyz` answers 200: database reachable, migrations applied.
    pub fn wait_ready(&mut self, within: Duration) {
        if let Err(e) = self.inner.wait_ready(within) {
            panic!("{e}");
        }
    }

    /// Panics when the process has exited.
    pub fn assert_running(&mut self) {
        if let Some(status) = self.try_exit_status() {
            panic!("the service exited unexpectedly: {status}");
        }
    }

    /// Its exit status, once it exited.
    pub fn try_exit_status(&mut self) -> Option<ExitStatus> {
        self.inner.try_exit_status()
    }

    /// Sends SIGTERM.
    pub fn sigterm(&self) {
        if let Err(e) = self.inner.signal("TERM") {
            panic!("{e}");
        }
    }

    /// Waits for the process to exit; `None` when it is still running at `within`.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        self.inner.wait_exit(within)
    }

    /// The last `n` lines of its output.
    pub fn log_tail(&self, n: usize) -> String {
        self.inner.log_tail(n)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // The harness' guard kills the process when `inner` is dropped, right after this.
        if thread::panicking() {
            eprintln!(
                "--- last lines of {} ---\n{}",
                self.inner.log_path().display(),
                self.log_tail(40)
            );
        }
    }
}
