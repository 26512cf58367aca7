//! The real service as a child process, for tests that talk to it over the network: the
//! resilience tests (`bins/api/tests/resiliencia.rs`) and the typed client's tests
//! (`bins/api/tests/cliente.rs`).
//!
//! - [`Launcher`]: which `solicitudes-api` binary to run and where its logs go.
//! - [`Service`]: `solicitudes-api serve` on a free port of 127.0.0.1, killed on drop (and,
//!   where `setpriv --pdeathsig` works, also when the test process is killed outright).
//! - [`TestService`]: a fresh database ([`TestDb`]) plus a service over it, ready
//!   (`/readyz` answered 200); both go away on drop, the service first.
//! - [`Cluster`]: a private PostgreSQL cluster (`scripts/pg.sh`) that a test may stop, kill and
//!   restart, and `psql` to look behind the API.
//!
//! Cargo tells only the tests of the binary's own package where it built the binary
//! (`CARGO_BIN_EXE_solicitudes-api`), so those tests (in `bins/api/tests`) pass that path to
//! [`Launcher::new`]: cargo then guarantees the binary is built and up to date.
//!
//! On a panic, the guards print the last lines of the service's log and the cluster's.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use crate::TestDb;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// The status code `GET path` answers on 127.0.0.1:`port`, or `None` when nothing answers
/// (within 2 s) or the answer is not HTTP.
pub fn status_of(port: u16, path: &str) -> Option<u16> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let timeout = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    // "HTTP/1.1 200"
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// Whether `setpriv --pdeathsig` works here (util-linux 2.33 or later).
fn has_pdeathsig() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| {
        Command::new("setpriv")
            .args(["--pdeathsig", "KILL", "--", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// The last `n` lines of a file (or why it cannot be read).
fn tail(path: &Path, n: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(n)..].join("\n")
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

fn describe(out: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout).trim_end(),
        String::from_utf8_lossy(&out.stderr).trim_end()
    )
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

/// A private PostgreSQL cluster, `scripts/pg.sh`'s cluster `name`. Destroyed on drop.
pub struct Cluster {
    name: String,
    port: u16,
    fsync: bool,
    url: String,
}

impl Cluster {
    /// Creates and starts the cluster `name` (`res-…`) on a free port. Leftovers of an
    /// earlier, killed run of the same test are destroyed first. `fsync`: keep fsync,
    /// synchronous_commit and full_page_writes on (otherwise off, like the test cluster).
    pub fn create(name: &str, fsync: bool) -> Cluster {
        let mut cluster = Cluster {
            name: name.to_owned(),
            port: free_port(),
            fsync,
            url: String::new(),
        };
        cluster.pg("destroy");
        cluster.url = cluster.pg("up");
        cluster
    }

    /// The URL `scripts/pg.sh up` printed.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Starts it again (crash recovery after [`kill9`](Self::kill9)).
    pub fn up(&self) {
        let url = self.pg("up");
        assert_eq!(url, self.url, "the cluster came back with another URL");
    }

    /// Stops it cleanly (`pg_ctl stop -m fast`).
    pub fn down(&self) {
        self.pg("down");
    }

    /// Stops it at once (`pg_ctl stop -m immediate`): no checkpoint, clients cut off.
    pub fn stop_immediate(&self) {
        self.pg("stop-immediate");
    }

    /// SIGKILLs the postmaster and waits for its processes to go.
    pub fn kill9(&self) {
        self.pg("kill9");
    }

    /// Runs `scripts/pg.sh CMD NAME`; panics with its output on failure; returns stdout.
    fn pg(&self, cmd: &str) -> String {
        let mut command = Command::new(repo_root().join("scripts/pg.sh"));
        command
            .args([cmd, &self.name])
            .env("PGPORT", self.port.to_string())
            .stdin(Stdio::null());
        if self.fsync {
            command.env("PG_FSYNC", "on");
        } else {
            command.env_remove("PG_FSYNC");
        }
        let out = command.output().expect("run scripts/pg.sh");
        assert!(
            out.status.success(),
            "scripts/pg.sh {cmd} {} failed: {}",
            self.name,
            describe(&out)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// `psql URL -c SQL`, unaligned and tuples-only; panics on failure; returns stdout.
    pub fn psql(&self, sql: &str) -> String {
        let out = self.psql_command(sql).output().expect("run psql");
        assert!(out.status.success(), "psql -c {sql:?}: {}", describe(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// [`psql`](Self::psql) parsed as one integer.
    pub fn psql_count(&self, sql: &str) -> i64 {
        let out = self.psql(sql);
        out.parse()
            .unwrap_or_else(|_| panic!("psql -c {sql:?} printed {out:?}, not a number"))
    }

    /// `psql URL -c SQL` in the background (its output is discarded).
    pub fn psql_background(&self, sql: &str) -> Child {
        self.psql_command(sql)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn psql")
    }

    fn psql_command(&self, sql: &str) -> Command {
        let mut command = Command::new("psql");
        command
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(&self.url)
            .args(["-c", sql])
            .env("PGCONNECT_TIMEOUT", "10")
            .env_remove("PGOPTIONS")
            .stdin(Stdio::null());
        command
    }

    fn server_log(&self) -> PathBuf {
        repo_root()
            .join(".local/postgres")
            .join(&self.name)
            .join("server.log")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!(
                "--- last lines of {} ---\n{}",
                self.server_log().display(),
                tail(&self.server_log(), 30)
            );
        }
        let out = Command::new(repo_root().join("scripts/pg.sh"))
            .args(["destroy", &self.name])
            .stdin(Stdio::null())
            .output();
        match out {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!(
                "scripts/pg.sh destroy {} failed: {}",
                self.name,
                describe(&out)
            ),
            Err(e) => eprintln!("cannot run scripts/pg.sh destroy {}: {e}", self.name),
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
        let log = self.dir.join(format!("{name}.log"));
        let out = File::create(&log).expect("create service log");
        let err = out.try_clone().expect("clone log handle");
        let port = free_port();
        // setpriv --pdeathsig: the service dies with this test even when the test process
        // is killed outright (no Drop runs then).
        let mut command = if has_pdeathsig() {
            let mut c = Command::new("setpriv");
            c.args(["--pdeathsig", "KILL", "--"]).arg(&self.binary);
            c
        } else {
            Command::new(&self.binary)
        };
        command
            .arg("serve")
            .current_dir(&self.dir)
            .env("DATABASE_URL", database_url)
            .env_remove("APP__DATABASE__URL")
            .env("APP__SERVER__HOST", "127.0.0.1")
            .env("APP__SERVER__PORT", port.to_string())
            .env("APP__DATABASE__CHECKOUT_TIMEOUT_MS", "1000")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (k, v) in extra {
            command.env(k, v);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", self.binary.display()));
        Service {
            child,
            port,
            log,
            exited: None,
        }
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

/// The real service, `solicitudes-api serve`, as a child process. Killed on drop.
pub struct Service {
    child: Child,
    port: u16,
    log: PathBuf,
    exited: Option<ExitStatus>,
}

impl Service {
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `/healthz` answers 200 (panics if the process exits first).
    pub fn wait_healthy(&mut self, within: Duration) {
        let port = self.port;
        wait_for(within, "/healthz to answer 200", || {
            self.assert_running();
            (status_of(port, "/healthz") == Some(200)).then_some(())
        });
    }

    /// Waits until `/readyz` answers 200: database reachable, migrations applied.
    pub fn wait_ready(&mut self, within: Duration) {
        let port = self.port;
        wait_for(within, "/readyz to answer 200", || {
            self.assert_running();
            (status_of(port, "/readyz") == Some(200)).then_some(())
        });
    }

    /// Panics when the process has exited.
    pub fn assert_running(&mut self) {
        if let Some(status) = self.try_exit_status() {
            panic!("the service exited unexpectedly: {status}");
        }
    }

    /// Its exit status, once it exited.
    pub fn try_exit_status(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().expect("try_wait");
        }
        self.exited
    }

    /// Sends SIGTERM.
    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }

    /// Waits for the process to exit; `None` when it is still running at `within`.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.try_exit_status() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// The last `n` lines of its output.
    pub fn log_tail(&self, n: usize) -> String {
        tail(&self.log, n)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if self.exited.is_none() && !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if thread::panicking() {
            eprintln!(
                "--- last lines of {} ---\n{}",
                self.log.display(),
                self.log_tail(40)
            );
        }
    }
}
