//! The machinery: a private PostgreSQL cluster per test (through `scripts/pg.sh`), the real
//! `solicitudes-api` binary as a child process, and `psql` for looking behind the API.
//!
//! Both guards clean up in `Drop`, also when the test panics: the service is killed and
//! the cluster destroyed, and on a panic the last lines of both logs are printed.

use std::fs::{self, File};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use crate::http;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
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

/// The service binary cargo built for this test.
pub fn service_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_solicitudes-api"))
}

/// `<target>/resiliencia`: service logs and working directories.
fn work_dir() -> PathBuf {
    // <target>/<profile>/solicitudes-api
    let bin = service_binary();
    let target = bin
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| repo_root().join("target"), Path::to_path_buf);
    let dir = target.join("resiliencia");
    fs::create_dir_all(&dir).expect("create target/resiliencia");
    dir
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

/// The bootstrap admin every [`Service`] is started with (`auth.bootstrap_admin_*`).
pub const ADMIN_EMAIL: &str = "admin@resiliencia.example";
/// Its password.
pub const ADMIN_PASSWORD: &str = "resiliencia resistente";

/// The real service, `solicitudes-api serve`, as a child process. Killed on drop.
pub struct Service {
    child: Child,
    port: u16,
    log: PathBuf,
    exited: Option<ExitStatus>,
    /// The bootstrap admin's token, once [`wait_ready`](Self::wait_ready) logged in.
    token: Option<String>,
}

impl Service {
    /// Starts the service on a free port against `database_url`, with
    /// `database.checkout_timeout_ms = 1000`, `RUST_LOG=warn`, the bootstrap admin
    /// [`ADMIN_EMAIL`] and `extra` environment.
    /// Output goes to `<target>/resiliencia/<name>.log`. Returns once the process runs;
    /// see [`wait_healthy`](Self::wait_healthy).
    pub fn start(name: &str, database_url: &str, extra: &[(&str, &str)]) -> Service {
        let dir = work_dir();
        let log = dir.join(format!("{name}.log"));
        let out = File::create(&log).expect("create service log");
        let err = out.try_clone().expect("clone log handle");
        let port = free_port();
        // setpriv --pdeathsig: the service dies with this test even when the test process
        // is killed outright (no Drop runs then).
        let mut command = if has_pdeathsig() {
            let mut c = Command::new("setpriv");
            c.args(["--pdeathsig", "KILL", "--"]).arg(service_binary());
            c
        } else {
            Command::new(service_binary())
        };
        command
            .arg("serve")
            .current_dir(&dir)
            .env("DATABASE_URL", database_url)
            .env_remove("APP__DATABASE__URL")
            .env("APP__SERVER__HOST", "127.0.0.1")
            .env("APP__SERVER__PORT", port.to_string())
            .env("APP__DATABASE__CHECKOUT_TIMEOUT_MS", "1000")
            .env("RUST_LOG", "warn")
            .env("APP__AUTH__BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("APP__AUTH__BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
            // The login of `wait_ready` is retried until the bootstrap admin exists; those
            // 401s must not add up to a throttled account.
            .env("APP__AUTH__THROTTLE_ACCOUNT_FAILURES", "1000")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (k, v) in extra {
            command.env(k, v);
        }
        let child = command.spawn().expect("start solicitudes-api");
        Service {
            child,
            port,
            log,
            exited: None,
            token: None,
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
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
            http::get(port, "/healthz")
                .ok()
                .filter(|r| r.status == 200)
                .map(|_| ())
        });
    }

    /// Waits until `/readyz` answers 200: database reachable, migrations applied; then, the
    /// first time, logs in as the bootstrap admin ([`log_in`](Self::log_in)).
    pub fn wait_ready(&mut self, within: Duration) {
        let port = self.port;
        wait_for(within, "/readyz to answer 200", || {
            self.assert_running();
            http::get(port, "/readyz")
                .ok()
                .filter(|r| r.status == 200)
                .map(|_| ())
        });
        if self.token.is_none() {
            self.log_in(within);
        }
    }

    /// Logs in as [`ADMIN_EMAIL`] (`POST /api/v1/auth/token`, retried until the bootstrap
    /// admin exists, which happens just after the migrations), checks the token with
    /// `GET /api/v1/auth/me` (which also puts its session in the service's cache), and sends
    /// it on every later `/api/v1` request to this service ([`http::set_token`]).
    pub fn log_in(&mut self, within: Duration) {
        let port = self.port;
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
        // Another test's service may get this port later.
        http::set_token(self.port, None);
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
