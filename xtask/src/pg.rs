//! Private, per-checkout PostgreSQL clusters.
//!
//! A cluster is named `dev`, `test` or any other `[a-z0-9-]{1,40}` (the resilience tests use
//! `res-…`, the benchmark `bench`); each is a separate server listening on 127.0.0.1 only:
//!
//! | name  | port                                   | durability                            |
//! |-------|----------------------------------------|---------------------------------------|
//! | dev   | 54329 (`PGPORT_DEV`)                   | fsync on                              |
//! | test  | 54328 (`PGPORT_TEST`)                  | fsync, synchronous_commit, full_page_writes off |
//! | other | `PGPORT` (first start; later the last) | off like test, unless `PG_FSYNC=on`   |
//!
//! When `PGPORT_DEV`/`PGPORT_TEST` is unset and the default port is taken by something else,
//! a free port in 54400–54499 is used instead (and said on stderr). A running cluster is
//! reused on whatever port it runs on, unless a port was asked for explicitly and differs.
//!
//! Layout (`<repo>/.local/` is git-ignored):
//!
//! - `<repo>/.local/postgres/NAME`: the data directory (or a symlink to it, see below);
//! - `<repo>/.local/postgres/NAME.password`: the role's password, mode 600;
//! - `<repo>/.local/postgres/NAME.lock`: serialises concurrent up/down/destroy.
//!
//! The superuser role is `solicitudes`, the database `solicitudes`. initdb, pg_ctl and
//! postgres refuse to run as root, so as root they run as the `postgres` system user (from
//! Debian's package) and the data directory belongs to it; when that user cannot reach
//! `<repo>/.local/postgres` (a checkout under /root), the data directory lives in
//! `/var/tmp/solicitudes-pg/<sha1(repo):12>/NAME`, symlinked from the repo. No other server
//! on the machine is ever contacted.

use std::env;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use crate::{Error, Result, bail, note, repo_root};

/// The cluster's superuser role.
pub const DB_USER: &str = "solicitudes";
/// The database `up` creates and the URL names.
pub const DB_NAME: &str = "solicitudes";
/// The major version used when several are installed.
pub const PREFERRED_MAJOR: &str = "15";
/// Ports tried, in order, when a default port is taken and no port was asked for.
pub const FALLBACK_PORTS: std::ops::RangeInclusive<u16> = 54400..=54499;
/// How long `up`, `down` and `destroy` wait for another caller holding the cluster's lock.
const LOCK_WAIT: Duration = Duration::from_secs(120);
/// libpq's environment: scrubbed for every `psql` the harness runs, so that only the
/// server named on the command line is ever contacted.
pub const LIBPQ_ENV: &[&str] = &[
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGDATABASE",
    "PGUSER",
    "PGPASSWORD",
    "PGPASSFILE",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGOPTIONS",
    "PGSSLMODE",
    "PGREQUIRESSL",
    "PGTARGETSESSIONATTRS",
    "PGCONNECT_TIMEOUT",
    "PGAPPNAME",
];

// ---------------------------------------------------------------------------------------------
// Who we are
// ---------------------------------------------------------------------------------------------

/// Whether this process runs as root (effective uid 0, from `/proc/self/status`).
pub fn is_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| effective_uid(&s))
            .map_or_else(
                || {
                    Command::new("id")
                        .arg("-u")
                        .output()
                        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
                },
                |uid| uid == 0,
            )
    })
}

/// The effective uid in the text of `/proc/PID/status` (`Uid: real effective saved fs`).
pub fn effective_uid(status: &str) -> Option<u32> {
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// The OS user that owns the clusters and runs the server: `postgres` as root, else us.
pub fn server_user() -> String {
    if is_root() {
        return "postgres".to_owned();
    }
    env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(|| {
            Command::new("id")
                .arg("-un")
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The uid of a user name (`id -u NAME`), or `None` when there is no such user.
fn uid_of(user: &str) -> Option<u32> {
    let out = Command::new("id")
        .args(["-u", user])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn command_exists(name: &str) -> bool {
    env::var_os("PATH").is_some_and(|path| {
        env::split_paths(&path).any(|dir| {
            fs::metadata(dir.join(name)).is_ok_and(|m| m.is_file() && m.mode() & 0o111 != 0)
        })
    })
}

/// A command run as the server user: through `runuser` as root (from `/`, which every user
/// can reach: PostgreSQL programs complain about an unreadable working directory).
fn as_server(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"])
            .arg(program)
            .current_dir("/");
        c
    } else {
        Command::new(program)
    }
}

/// Runs `command` with stdin closed; its stdout and stderr are captured. Fails with `what`
/// and the output when it exits non-zero.
fn run_checked(mut command: Command, what: &str) -> Result<String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::new(format!("{what}: cannot run {command:?}: {e}")))?;
    if !out.status.success() {
        bail!("{what} failed: {}", crate::describe(&out));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Is something accepting TCP connections on 127.0.0.1:`port`?
pub fn port_in_use(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_secs(3)).is_ok()
}

/// 48 hex characters from the kernel's CSPRNG: URL- and SQL-literal-safe.
fn random_password() -> Result<String> {
    let mut bytes = [0u8; 24];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| Error::new(format!("cannot read /dev/urandom: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes `contents` to a new file of mode 600 (replacing one that exists).
fn write_private(path: &Path, contents: &str) -> Result<()> {
    let _ = fs::remove_file(path);
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(contents.as_bytes()))
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))
}

// ---------------------------------------------------------------------------------------------
// The server binaries
// ---------------------------------------------------------------------------------------------

/// The programs a usable bin directory has.
const TOOLS: &[&str] = &["initdb", "pg_ctl", "postgres", "psql"];

fn bin_dir_ok(dir: &Path) -> bool {
    TOOLS
        .iter()
        .all(|t| fs::metadata(dir.join(t)).is_ok_and(|m| m.is_file() && m.mode() & 0o111 != 0))
}

/// Orders PostgreSQL major versions as numbers (`9.6` < `13` < `15`).
fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// Which of the installed majors to use: `want` when given (the version an existing cluster
/// was made by; `None` when it is not installed), else [`PREFERRED_MAJOR`], else the newest.
pub fn choose_major<'a>(installed: &[&'a str], want: Option<&str>) -> Option<&'a str> {
    if let Some(want) = want {
        return installed.iter().copied().find(|v| *v == want);
    }
    if let Some(v) = installed.iter().copied().find(|v| *v == PREFERRED_MAJOR) {
        return Some(v);
    }
    installed.iter().copied().max_by_key(|v| version_key(v))
}

/// The PostgreSQL server programs: a directory with initdb, pg_ctl, postgres and psql.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBin {
    dir: PathBuf,
}

impl PgBin {
    /// `$PG_BIN` when set (an error when it lacks a program), else the Debian layout
    /// `/usr/lib/postgresql/<major>/bin` chosen by [`choose_major`]; `Ok(None)` when none.
    pub fn find(want_major: Option<&str>) -> Result<Option<PgBin>> {
        if let Some(dir) = env::var_os("PG_BIN").filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            if !bin_dir_ok(&dir) {
                bail!(
                    "PG_BIN={} does not contain initdb, pg_ctl, postgres and psql",
                    dir.display()
                );
            }
            return Ok(Some(PgBin { dir }));
        }
        let mut installed = Vec::new();
        if let Ok(entries) = fs::read_dir("/usr/lib/postgresql") {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if bin_dir_ok(&entry.path().join("bin")) {
                    installed.push(name);
                }
            }
        }
        let refs: Vec<&str> = installed.iter().map(String::as_str).collect();
        Ok(choose_major(&refs, want_major).map(|v| PgBin {
            dir: Path::new("/usr/lib/postgresql").join(v).join("bin"),
        }))
    }

    /// [`find`](Self::find), installing Debian's `postgresql` when nothing is found: with
    /// apt-get as root, with `sudo -n` when that works, else an error saying what to do.
    pub fn ensure() -> Result<PgBin> {
        if let Some(bin) = PgBin::find(None)? {
            return Ok(bin);
        }
        install_postgresql()?;
        match PgBin::find(None)? {
            Some(bin) => Ok(bin),
            None => {
                bail!("installed 'postgresql' but still found no /usr/lib/postgresql/*/bin/initdb")
            }
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// One of its programs (`initdb`, `psql`, `pgbench`, …).
    pub fn tool(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// `postgres --version`, e.g. `postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)`.
    pub fn version(&self) -> Result<String> {
        let mut c = Command::new(self.tool("postgres"));
        c.arg("--version");
        Ok(run_checked(c, "postgres --version")?.trim().to_owned())
    }

    /// Where `pg_stat_statements.so` lives (`pg_config --pkglibdir`, else the Debian layout).
    fn pkglibdir(&self) -> PathBuf {
        let pg_config = self.tool("pg_config");
        if pg_config.exists() {
            let mut c = Command::new(pg_config);
            c.arg("--pkglibdir");
            if let Ok(out) = run_checked(c, "pg_config --pkglibdir") {
                return PathBuf::from(out.trim());
            }
        }
        self.dir
            .parent()
            .map_or_else(|| self.dir.clone(), |p| p.join("lib"))
    }
}

/// A `psql` to talk to any server with: the server binaries' when installed, else the first
/// on `PATH` (Debian's postgresql-client alone).
pub fn psql() -> Result<PathBuf> {
    if let Some(bin) = PgBin::find(None)? {
        return Ok(bin.tool("psql"));
    }
    if command_exists("psql") {
        return Ok(PathBuf::from("psql"));
    }
    bail!("psql not found (Debian: apt-get install postgresql-client, or `cargo xtask pg deps`)")
}

fn install_postgresql() -> Result<()> {
    if !command_exists("apt-get") {
        bail!(
            "PostgreSQL server binaries not found and this is not a Debian-like system: install \
             the PostgreSQL server (initdb, pg_ctl, postgres) and set PG_BIN to its bin directory"
        );
    }
    let sudo = if is_root() {
        note("PostgreSQL server binaries not found; installing Debian's 'postgresql' package");
        false
    } else if command_exists("sudo")
        && Command::new("sudo")
            .args(["-n", "true"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    {
        note(
            "PostgreSQL server binaries not found; installing Debian's 'postgresql' package with sudo",
        );
        true
    } else {
        bail!(
            "PostgreSQL server binaries not found and cannot install them: run `sudo apt-get \
             install postgresql` (or set PG_BIN to a directory with initdb, pg_ctl and postgres)"
        );
    };
    for args in [
        &["apt-get", "update", "-qq"][..],
        &["apt-get", "install", "-y", "-qq", "postgresql"][..],
    ] {
        let mut c = if sudo {
            let mut c = Command::new("sudo");
            c.arg("-n").args(args);
            c
        } else {
            let mut c = Command::new(args[0]);
            c.args(&args[1..]);
            c
        };
        // stdout to stderr: only results go to stdout.
        let status = c
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .stdout(std::io::stderr())
            .status()
            .map_err(|e| Error::new(format!("cannot run apt-get: {e}")))?;
        if !status.success() {
            bail!("installing 'postgresql' with apt-get failed (see above)");
        }
    }
    Ok(())
}

/// Checks that, as root, the server can be run as `postgres` at all.
fn check_server_user() -> Result<()> {
    if !is_root() {
        return Ok(());
    }
    if uid_of("postgres").is_none() {
        bail!(
            "running as root, but there is no 'postgres' system user to run the server as \
             (Debian's postgresql package creates it): install postgresql, or run as an \
             ordinary user"
        );
    }
    if !command_exists("runuser") {
        bail!(
            "running as root, but 'runuser' (util-linux) is missing; it is needed to run the \
             server as 'postgres'"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Pure parts: names, ports, files
// ---------------------------------------------------------------------------------------------

/// Checks a cluster name: `dev`, `test` or 1 to 40 of `[a-z0-9-]`.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        bail!("bad cluster name '{name}' (expected 'dev', 'test' or up to 40 of [a-z0-9-])");
    }
    Ok(())
}

/// Parses the value of a port variable: 4 or 5 digits, 1024 to 65535.
pub fn parse_port(var: &str, value: &str) -> Result<u16> {
    let digits = (4..=5).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit());
    match value.parse::<u32>() {
        Ok(p) if digits && (1024..=65535).contains(&p) => Ok(p as u16),
        _ => bail!("{var}={value} is not a port number between 1024 and 65535"),
    }
}

/// The cluster's URL: `postgres://solicitudes:PASSWORD@127.0.0.1:PORT/solicitudes`.
pub fn cluster_url(password: &str, port: u16) -> String {
    format!("postgres://{DB_USER}:{password}@127.0.0.1:{port}/{DB_NAME}")
}

/// The port in `solicitudes.conf` (the one the cluster last started on).
pub fn saved_port(conf: &str) -> Option<u16> {
    conf.lines()
        .find_map(|l| l.strip_prefix("port = "))
        .filter(|p| (4..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|p| p.parse().ok())
}

/// PID (line 1) and port (line 4) of a `postmaster.pid`.
pub fn parse_postmaster_pid(text: &str) -> (Option<u32>, Option<u16>) {
    let mut lines = text.lines().map(str::trim);
    let pid = lines.next().and_then(|l| l.parse().ok());
    let port = lines.nth(2).and_then(|l| l.parse().ok());
    (pid, port)
}

/// What `solicitudes.conf` says; it is rewritten at every start.
#[derive(Debug, Clone)]
pub struct Settings<'a> {
    /// The cluster's name.
    pub name: &'a str,
    /// The checkout it belongs to (named in the header).
    pub repo: &'a Path,
    /// Where it listens on 127.0.0.1.
    pub port: u16,
    /// Its Unix socket directory.
    pub socket_dir: &'a Path,
    /// `pg_stat_statements.so` when it is installed (then preloaded), else where it was looked for.
    pub pg_stat_statements: std::result::Result<&'a Path, &'a Path>,
    /// Keep fsync, synchronous_commit and full_page_writes on.
    pub fsync: bool,
}

impl Settings<'_> {
    /// The file's text.
    pub fn render(&self) -> String {
        let sock = self.socket_dir.to_string_lossy().replace('\'', "''");
        let preload = match self.pg_stat_statements {
            Ok(_) => "shared_preload_libraries = 'pg_stat_statements'".to_owned(),
            Err(so) => format!(
                "# pg_stat_statements not enabled: {} not found",
                so.display()
            ),
        };
        let durability = if self.fsync {
            ""
        } else {
            "# Throwaway cluster: trade durability for speed.\nfsync = off\n\
             synchronous_commit = off\nfull_page_writes = off\n"
        };
        format!(
            "# Written by `cargo xtask pg` for the '{name}' cluster of {repo}.\n\
             # Do not edit: it is rewritten at every `cargo xtask pg up {name}`.\n\
             listen_addresses = '127.0.0.1'\n\
             port = {port}\n\
             unix_socket_directories = '{sock}'\n\
             unix_socket_permissions = 0700\n\
             max_connections = 200\n\
             shared_buffers = 128MB\n\
             {preload}\n\
             logging_collector = off\n\
             {durability}",
            name = self.name,
            repo = self.repo.display(),
            port = self.port,
        )
    }
}

/// `sha1sum` of the repository path, first 12 hex digits (names the /var/tmp fallback).
fn repo_hash(repo: &Path) -> Result<String> {
    let mut child = Command::new("sha1sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Error::new(format!("cannot run sha1sum: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(repo.as_os_str().as_encoded_bytes())
            .map_err(|e| Error::new(format!("sha1sum: {e}")))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| Error::new(format!("sha1sum: {e}")))?;
    let hex = String::from_utf8_lossy(&out.stdout);
    match hex.get(..12) {
        Some(h) if out.status.success() => Ok(h.to_owned()),
        _ => bail!("sha1sum printed {hex:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// A cluster
// ---------------------------------------------------------------------------------------------

/// Which cluster, on which port, how durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// `dev`, `test` or another `[a-z0-9-]{1,40}`.
    pub name: String,
    /// The port asked for (`None`: the one it last started on; only for other names).
    pub port: Option<u16>,
    /// The port was asked for explicitly: a cluster running on another one is an error.
    pub port_explicit: bool,
    /// The variable that sets the port, for messages.
    pub port_var: &'static str,
    /// fsync, synchronous_commit and full_page_writes on (always for `dev`).
    pub fsync: bool,
}

impl ClusterConfig {
    /// The configuration the environment gives `name`: `PGPORT_DEV` (default 54329) for dev,
    /// `PGPORT_TEST` (default 54328) for test, `PGPORT` for others; `PG_FSYNC=on` keeps a
    /// non-dev cluster durable.
    pub fn from_env(name: &str) -> Result<ClusterConfig> {
        check_name(name)?;
        let (port_var, default) = match name {
            "dev" => ("PGPORT_DEV", Some(54329)),
            "test" => ("PGPORT_TEST", Some(54328)),
            _ => ("PGPORT", None),
        };
        let set = env::var(port_var).ok().filter(|v| !v.is_empty());
        let port = match &set {
            Some(v) => Some(parse_port(port_var, v)?),
            None => default,
        };
        Ok(ClusterConfig {
            name: name.to_owned(),
            port,
            port_explicit: set.is_some(),
            port_var,
            fsync: name == "dev" || env::var("PG_FSYNC").is_ok_and(|v| v == "on"),
        })
    }

    /// A cluster on exactly `port` (the resilience tests: `res-…` on a free port).
    pub fn on_port(name: &str, port: u16, fsync: bool) -> Result<ClusterConfig> {
        check_name(name)?;
        Ok(ClusterConfig {
            name: name.to_owned(),
            port: Some(port),
            port_explicit: true,
            port_var: "PGPORT",
            fsync: fsync || name == "dev",
        })
    }

    /// Whether a taken default port may be swapped for a free one.
    fn may_fall_back(&self) -> bool {
        !self.port_explicit && matches!(self.name.as_str(), "dev" | "test")
    }
}

/// Whether a cluster runs, and where its data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The server runs, listening on 127.0.0.1:`port`.
    Running {
        /// Its port.
        port: u16,
        /// Its data directory.
        data: PathBuf,
    },
    /// Not running; `data` is `None` when it has never been created.
    Stopped {
        /// Its data directory, if it exists.
        data: Option<PathBuf>,
    },
}

impl Status {
    /// The line `cargo xtask pg status` prints.
    pub fn line(&self) -> String {
        match self {
            Status::Running { port, data } => {
                format!("running (127.0.0.1:{port}, data {})", data.display())
            }
            Status::Stopped { data: Some(d) } => format!("stopped (data {})", d.display()),
            Status::Stopped { data: None } => "stopped (not created)".to_owned(),
        }
    }
}

/// What `up` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Up {
    /// The URL of the `solicitudes` database, as the superuser role.
    pub url: String,
    /// The port it listens on.
    pub port: u16,
    /// This call started it (it was not running before).
    pub started: bool,
}

/// The state of a data directory's server.
enum Running {
    Yes,
    No,
    /// `postmaster.pid` names a dead process, or one that is not a postgres (or a zombie).
    Stale,
}

/// A private cluster of this checkout. Creating the value touches nothing.
#[derive(Debug, Clone)]
pub struct Cluster {
    cfg: ClusterConfig,
    repo: PathBuf,
    local: PathBuf,
}

impl Cluster {
    /// The cluster `cfg` names, in this checkout's `.local/postgres`.
    pub fn new(cfg: ClusterConfig) -> Cluster {
        let repo = repo_root();
        let local = repo.join(".local/postgres");
        Cluster { cfg, repo, local }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.cfg.name
    }

    /// `<repo>/.local/postgres/NAME`: the data directory or a symlink to it.
    pub fn data_link(&self) -> PathBuf {
        self.local.join(&self.cfg.name)
    }

    fn pw_file(&self) -> PathBuf {
        self.local.join(format!("{}.password", self.cfg.name))
    }

    fn lock_file(&self) -> PathBuf {
        self.local.join(format!("{}.lock", self.cfg.name))
    }

    fn fallback_base() -> PathBuf {
        PathBuf::from("/var/tmp/solicitudes-pg")
    }

    fn fallback_dir(&self) -> Result<PathBuf> {
        Ok(Cluster::fallback_base()
            .join(repo_hash(&self.repo)?)
            .join(&self.cfg.name))
    }

    /// The server's log, `<data>/server.log`.
    pub fn server_log(&self) -> PathBuf {
        self.data_link().join("server.log")
    }

    /// The real data directory if one exists (following the symlink).
    fn existing_data_dir(&self) -> Option<PathBuf> {
        let link = self.data_link();
        let meta = fs::symlink_metadata(&link).ok()?;
        if meta.file_type().is_symlink() {
            let target = fs::read_link(&link).ok()?;
            Some(if target.is_absolute() {
                target
            } else {
                self.local.join(target)
            })
        } else if meta.is_dir() {
            Some(link)
        } else {
            None
        }
    }

    fn pg_version(dir: &Path) -> Option<String> {
        fs::read_to_string(dir.join("PG_VERSION"))
            .ok()
            .map(|v| v.trim().to_owned())
    }

    fn is_initialized(dir: Option<&Path>) -> bool {
        dir.is_some_and(|d| d.join("PG_VERSION").is_file())
    }

    fn postmaster_pid(dir: &Path) -> (Option<u32>, Option<u16>) {
        fs::read_to_string(dir.join("postmaster.pid"))
            .map(|t| parse_postmaster_pid(&t))
            .unwrap_or((None, None))
    }

    /// Is the cluster in `dir` running? pg_ctl checks postmaster.pid and that its process is
    /// alive. After a reboot the PID may belong to an unrelated process of the same user, and
    /// a postmaster that was killed but not yet reaped is a zombie: both count as stale.
    fn running(bin: &PgBin, dir: &Path) -> Running {
        if !Cluster::is_initialized(Some(dir)) || !dir.join("postmaster.pid").is_file() {
            return Running::No;
        }
        let ok = as_server(&bin.tool("pg_ctl"))
            .args(["-D"])
            .arg(dir)
            .arg("status")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Running::No;
        }
        if let (Some(pid), _) = Cluster::postmaster_pid(dir)
            && let Ok(comm) = fs::read_to_string(format!("/proc/{pid}/comm"))
        {
            let zombie = fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("State:"))
                        .map(|st| st.trim_start().starts_with('Z'))
                })
                .unwrap_or(false);
            if !comm.starts_with("postgres") || zombie {
                return Running::Stale;
            }
        }
        Running::Yes
    }

    /// Socket directory: inside the data directory when its path is short enough for a Unix
    /// socket name (108 bytes, of which the file name takes ~15), else a private /tmp one.
    fn socket_dir_for(&self, dir: &Path) -> Result<PathBuf> {
        if dir.as_os_str().len() < 90 {
            Ok(dir.to_path_buf())
        } else {
            Ok(PathBuf::from(format!(
                "/tmp/solicitudes-pg-{}-{}-{}",
                repo_hash(&self.repo)?,
                server_user(),
                self.cfg.name
            )))
        }
    }

    fn ensure_socket_dir(sock: &Path, dir: &Path) -> Result<()> {
        if sock == dir {
            return Ok(());
        }
        if fs::symlink_metadata(sock).is_err() {
            let mut c = as_server(Path::new("mkdir"));
            c.args(["-m", "700", "--"]).arg(sock);
            run_checked(c, "mkdir (socket directory)")?;
        }
        let owner = uid_of(&server_user());
        let ok = fs::symlink_metadata(sock)
            .is_ok_and(|m| m.is_dir() && !m.file_type().is_symlink() && Some(m.uid()) == owner);
        if !ok {
            bail!(
                "{} exists but is not a directory owned by {}; remove it and retry",
                sock.display(),
                server_user()
            );
        }
        Ok(())
    }

    /// Takes the cluster's lock (waiting up to two minutes); held until the file is dropped.
    fn lock(&self) -> Result<File> {
        fs::create_dir_all(&self.local)
            .map_err(|e| Error::new(format!("cannot create {}: {e}", self.local.display())))?;
        let path = self.lock_file();
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::new(format!("cannot open {}: {e}", path.display())))?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(50));
                }
                Err(fs::TryLockError::WouldBlock) => bail!(
                    "timed out waiting for another `cargo xtask pg` on the {} cluster ({})",
                    self.cfg.name,
                    path.display()
                ),
                Err(fs::TryLockError::Error(e)) => {
                    bail!("cannot lock {}: {e}", path.display())
                }
            }
        }
    }

    /// The server binaries for the data directory (the major version it was made by).
    fn bin_for(&self, dir: Option<&Path>) -> Result<Option<PgBin>> {
        match dir.and_then(Cluster::pg_version) {
            Some(major) => PgBin::find(Some(&major)),
            None => PgBin::find(None),
        }
    }

    /// `psql` over TCP as the superuser, libpq's environment scrubbed.
    fn psql_tcp(&self, bin: &PgBin, port: u16, dbname: &str) -> Result<Command> {
        let pw = fs::read_to_string(self.pw_file())
            .map_err(|e| Error::new(format!("cannot read {}: {e}", self.pw_file().display())))?;
        let mut c = Command::new(bin.tool("psql"));
        for var in LIBPQ_ENV {
            c.env_remove(var);
        }
        c.env("PGPASSWORD", pw.trim())
            .env("PGCONNECT_TIMEOUT", "10")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(format!(
                "host=127.0.0.1 port={port} user={DB_USER} dbname={dbname} sslmode=disable"
            ));
        Ok(c)
    }

    /// Makes the (empty) data directory, owned by the server user, mode 700.
    fn create_data_dir(&self) -> Result<PathBuf> {
        let link = self.data_link();
        // A dangling symlink (its target was cleaned away) is decided afresh.
        if fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()) {
            let _ = fs::remove_file(&link);
        }
        let reachable = !is_root()
            || Command::new("runuser")
                .args(["-u", "postgres", "--", "test", "-x"])
                .arg(&self.local)
                .current_dir("/")
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        let dir = if reachable {
            fs::create_dir_all(&link)
                .map_err(|e| Error::new(format!("cannot create {}: {e}", link.display())))?;
            link
        } else {
            let dir = self.fallback_dir()?;
            note(format!(
                "the 'postgres' user cannot reach {}; keeping the {} cluster in {} (symlinked from the repo)",
                self.local.display(),
                self.cfg.name,
                dir.display()
            ));
            // /var/tmp is world-writable: refuse a directory someone else made.
            let base = Cluster::fallback_base();
            for d in [base.clone(), base.join(repo_hash(&self.repo)?)] {
                if fs::symlink_metadata(&d).is_err() {
                    fs::create_dir(&d)
                        .and_then(|()| fs::set_permissions(&d, fs::Permissions::from_mode(0o755)))
                        .map_err(|e| Error::new(format!("cannot create {}: {e}", d.display())))?;
                }
                let ok = fs::symlink_metadata(&d)
                    .is_ok_and(|m| m.is_dir() && !m.file_type().is_symlink() && m.uid() == 0);
                if !ok {
                    bail!(
                        "{} is not a root-owned directory; remove it and retry",
                        d.display()
                    );
                }
            }
            if !Cluster::is_initialized(Some(&dir))
                && fs::read_dir(&dir).is_ok_and(|mut e| e.next().is_some())
            {
                bail!(
                    "{} exists, is not empty and holds no cluster; remove it and retry",
                    dir.display()
                );
            }
            fs::create_dir_all(&dir)
                .map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
            std::os::unix::fs::symlink(&dir, &link)
                .map_err(|e| Error::new(format!("cannot link {}: {e}", link.display())))?;
            dir
        };
        if is_root() {
            let mut c = Command::new("chown");
            c.arg("postgres:").arg("--").arg(&dir);
            run_checked(c, "chown")?;
        }
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::new(format!("cannot chmod {}: {e}", dir.display())))?;
        Ok(dir)
    }

    /// Writes `contents` to `path` as the server user (so that it owns the file).
    fn server_write(path: &Path, contents: &str, append: bool) -> Result<()> {
        let mut c = as_server(Path::new("tee"));
        if append {
            c.arg("-a");
        }
        let mut child = c
            .arg("--")
            .arg(path)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| Error::new(format!("cannot run tee: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(contents.as_bytes())
                .map_err(|e| Error::new(format!("writing {}: {e}", path.display())))?;
        }
        let status = child
            .wait()
            .map_err(|e| Error::new(format!("writing {}: {e}", path.display())))?;
        if !status.success() {
            bail!("could not write {}", path.display());
        }
        Ok(())
    }

    fn initdb(&self, bin: &PgBin, dir: &Path) -> Result<()> {
        // The password is made once and kept; reused if the data was lost.
        let pw_file = self.pw_file();
        if fs::metadata(&pw_file).map_or(true, |m| m.len() == 0) {
            write_private(&pw_file, &random_password()?)?;
        }
        let _ = fs::set_permissions(&pw_file, fs::Permissions::from_mode(0o600));
        let pw = fs::read_to_string(&pw_file)
            .map_err(|e| Error::new(format!("cannot read {}: {e}", pw_file.display())))?;

        // initdb reads the password from a file the server user can read: a private copy,
        // in /tmp as root ($TMPDIR may be root's own).
        let tmp = if is_root() {
            PathBuf::from("/tmp")
        } else {
            env::temp_dir()
        };
        let copy = PwCopy(tmp.join(format!(
            "solicitudes-pg-pw.{}.{}",
            std::process::id(),
            &random_password()?[..8]
        )));
        write_private(&copy.0, pw.trim())?;
        if is_root() {
            let mut c = Command::new("chown");
            c.arg("postgres:").arg("--").arg(&copy.0);
            run_checked(c, "chown")?;
        }

        // C.UTF-8 is built into glibc >= 2.35 (Debian 12); fall back to C.
        let locales = Command::new("locale")
            .arg("-a")
            .stderr(Stdio::null())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).to_lowercase())
            .unwrap_or_default();
        let locale = if locales
            .lines()
            .any(|l| l.trim() == "c.utf8" || l.trim() == "c.utf-8")
        {
            "C.UTF-8"
        } else {
            note("locale C.UTF-8 not available; using --locale=C (encoding is still UTF8)");
            "C"
        };

        note(format!(
            "initialising the {} cluster in {}",
            self.cfg.name,
            dir.display()
        ));
        let mut c = as_server(&bin.tool("initdb"));
        c.arg("-D")
            .arg(dir)
            .args(["-U", DB_USER, "--encoding=UTF8"])
            .arg(format!("--locale={locale}"))
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", copy.0.display()));
        run_checked(c, &format!("initdb for the {} cluster", self.cfg.name))?;

        // Our settings live in their own file, rewritten at every start (a changed port or a
        // moved checkout is picked up); it comes last in postgresql.conf, so it wins.
        Cluster::server_write(
            &dir.join("postgresql.conf"),
            "\n# Settings managed by `cargo xtask pg` (rewritten at every start).\n\
             include_if_exists = 'solicitudes.conf'\n",
            true,
        )
    }

    fn write_settings(&self, bin: &PgBin, dir: &Path, sock: &Path, port: u16) -> Result<()> {
        let so = bin.pkglibdir().join("pg_stat_statements.so");
        let found = so.is_file();
        if !found {
            note(format!(
                "pg_stat_statements.so not found in {}; not preloading it",
                so.parent().unwrap_or(&so).display()
            ));
        }
        let settings = Settings {
            name: &self.cfg.name,
            repo: &self.repo,
            port,
            socket_dir: sock,
            pg_stat_statements: if found { Ok(&so) } else { Err(&so) },
            fsync: self.cfg.fsync,
        };
        Cluster::server_write(&dir.join("solicitudes.conf"), &settings.render(), false)
    }

    /// `pg_ctl start`, with no descriptor but stdin, stdout and stderr passed on: the server
    /// lives on and must not keep a caller's pipe (a `$(…)`, a CI runner's, make's jobserver)
    /// open, or the caller would hang. Rust opens its own files close-on-exec; bash closes
    /// whatever was inherited.
    fn start_server(bin: &PgBin, dir: &Path) -> Result<()> {
        let mut inner = as_server(&bin.tool("pg_ctl"));
        inner
            .arg("-D")
            .arg(dir)
            .arg("-l")
            .arg(dir.join("server.log"))
            .args(["-w", "-t", "60", "start"]);
        let mut c = Command::new("bash");
        c.arg("-c")
            .arg(
                "for fd in /proc/self/fd/*; do fd=${fd##*/}; \
                 if ((fd > 2)); then eval \"exec ${fd}>&-\" 2>/dev/null || true; fi; done; \
                 exec \"$@\"",
            )
            .arg("pg-start")
            .arg(inner.get_program())
            .args(inner.get_args());
        if let Some(cwd) = inner.get_current_dir() {
            c.current_dir(cwd);
        }
        let status = c
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .map_err(|e| Error::new(format!("cannot run pg_ctl start: {e}")))?;
        if !status.success() {
            bail!("pg_ctl start failed ({status})");
        }
        Ok(())
    }

    /// Starts the cluster (creating it on first use) and returns its URL.
    pub fn up(&self) -> Result<Up> {
        // The server user must be able to traverse .local/postgres whatever the umask.
        for d in [self.repo.join(".local"), self.local.clone()] {
            if fs::symlink_metadata(&d).is_err() {
                fs::create_dir_all(&d)
                    .and_then(|()| fs::set_permissions(&d, fs::Permissions::from_mode(0o755)))
                    .map_err(|e| Error::new(format!("cannot create {}: {e}", d.display())))?;
            }
        }
        let _lock = self.lock()?;
        let name = &self.cfg.name;

        let mut dir = self.existing_data_dir();
        let major = dir.as_deref().and_then(Cluster::pg_version);
        let bin = match &major {
            Some(m) => PgBin::find(Some(m))?.ok_or_else(|| {
                Error::new(format!(
                    "cluster {name} was created by PostgreSQL {m}, whose binaries are not \
                     installed: install postgresql-{m}, set PG_BIN, or run `cargo xtask pg \
                     destroy {name}` to start over"
                ))
            })?,
            None => PgBin::ensure()?,
        };
        check_server_user()?;

        if !Cluster::is_initialized(dir.as_deref()) {
            if let Some(d) = &dir
                && fs::read_dir(d).is_ok_and(|mut e| e.next().is_some())
            {
                bail!(
                    "{} is not empty but holds no cluster (an interrupted initdb?): run \
                         `cargo xtask pg destroy {name}` and retry",
                    d.display()
                );
            }
            let d = self.create_data_dir()?;
            self.initdb(&bin, &d)?;
            dir = Some(d);
        }
        let Some(dir) = dir else {
            bail!("no data directory for the {name} cluster");
        };
        let sock = self.socket_dir_for(&dir)?;

        let state = Cluster::running(&bin, &dir);
        let mut started = false;
        let port = if let Running::Yes = state {
            let (_, running) = Cluster::postmaster_pid(&dir);
            let Some(running) = running else {
                bail!("no port in {}/postmaster.pid", dir.display());
            };
            if self.cfg.port_explicit && self.cfg.port != Some(running) {
                bail!(
                    "the {name} cluster is already running on port {running}, but {} asks for {}: \
                     run `cargo xtask pg down {name}` first",
                    self.cfg.port_var,
                    self.cfg.port.map_or_else(String::new, |p| p.to_string())
                );
            }
            note(format!(
                "the {name} cluster is already running on 127.0.0.1:{running}"
            ));
            running
        } else {
            let mut port = self.port_to_start_on(Some(&dir))?;
            if port_in_use(port) {
                match FALLBACK_PORTS.clone().find(|p| !port_in_use(*p)) {
                    Some(free) if self.cfg.may_fall_back() => {
                        note(format!(
                            "port {port} is taken by another process; starting the {name} \
                             cluster on {free} instead (set {} to choose)",
                            self.cfg.port_var
                        ));
                        port = free;
                    }
                    _ => bail!(
                        "port {port} on 127.0.0.1 is taken by another process (not the {name} \
                         cluster of this checkout): stop it, or choose another port with {}=<port>",
                        self.cfg.port_var
                    ),
                }
            }
            if let Running::Stale = state {
                self.remove_stale_pid(&dir, &sock)?;
            }
            Cluster::ensure_socket_dir(&sock, &dir)?;
            self.write_settings(&bin, &dir, &sock, port)?;
            note(format!(
                "starting the {name} cluster on 127.0.0.1:{port} (log: {}/server.log)",
                dir.display()
            ));
            // pg_ctl copes with a stale postmaster.pid left by a crash: the server checks
            // whether the recorded process is still alive.
            if let Err(e) = Cluster::start_server(&bin, &dir) {
                eprintln!(
                    "--- last lines of {}/server.log ---\n{}",
                    dir.display(),
                    crate::tail(&dir.join("server.log"), 20)
                );
                bail!("could not start the {name} cluster: {e}");
            }
            started = true;
            port
        };

        // A lost password file (data kept): set a new password over the Unix socket, where
        // local connections are trusted.
        let pw_file = self.pw_file();
        if fs::metadata(&pw_file).map_or(true, |m| m.len() == 0) {
            note(format!(
                "password file {} is missing; setting a new password",
                pw_file.display()
            ));
            let pw = random_password()?;
            write_private(&pw_file, &pw)?;
            let mut c = as_server(&bin.tool("psql"));
            c.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h"])
                .arg(&sock)
                .args([
                    "-p",
                    &port.to_string(),
                    "-U",
                    DB_USER,
                    "-d",
                    "postgres",
                    "-c",
                ])
                .arg(format!("ALTER ROLE {DB_USER} PASSWORD '{pw}'"));
            run_checked(c, &format!("resetting the password of role {DB_USER}"))?;
        }
        let _ = fs::set_permissions(&pw_file, fs::Permissions::from_mode(0o600));

        let exists_sql = format!("SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'");
        let mut check = self.psql_tcp(&bin, port, "postgres")?;
        check.args(["-tAc", &exists_sql]);
        let exists = run_checked(check, "psql").map_err(|e| {
            Error::new(format!(
                "cannot connect to the {name} cluster at 127.0.0.1:{port} as {DB_USER} (if the \
                 password file no longer matches, run `cargo xtask pg destroy {name}`): {e}"
            ))
        })?;
        if exists.trim() != "1" {
            note(format!("creating database {DB_NAME}"));
            let mut create = self.psql_tcp(&bin, port, "postgres")?;
            create.args(["-c", &format!("CREATE DATABASE {DB_NAME}")]);
            if let Err(e) = run_checked(create, "CREATE DATABASE") {
                // Lost a race with a concurrent creator? Then it exists now.
                let mut again = self.psql_tcp(&bin, port, "postgres")?;
                again.args(["-tAc", &exists_sql]);
                if run_checked(again, "psql")?.trim() != "1" {
                    bail!("could not create database {DB_NAME}: {e}");
                }
            }
        }
        let pw = fs::read_to_string(&pw_file)
            .map_err(|e| Error::new(format!("cannot read {}: {e}", pw_file.display())))?;
        Ok(Up {
            url: cluster_url(pw.trim(), port),
            port,
            started,
        })
    }

    fn remove_stale_pid(&self, dir: &Path, sock: &Path) -> Result<()> {
        note(format!(
            "removing stale {}/postmaster.pid (its PID is dead or belongs to another program)",
            dir.display()
        ));
        let (stale, _) = Cluster::postmaster_pid(dir);
        let mut rm = as_server(Path::new("rm"));
        rm.arg("-f").arg("--").arg(dir.join("postmaster.pid"));
        run_checked(rm, "rm postmaster.pid")?;
        // The socket's lock file names the same PID and would stop the server too.
        if let (Some(stale), Ok(entries)) = (stale, fs::read_dir(sock)) {
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                if file.starts_with(".s.PGSQL.") && file.ends_with(".lock") {
                    let path = entry.path();
                    let owner = fs::read_to_string(&path)
                        .ok()
                        .and_then(|t| t.lines().next().and_then(|l| l.trim().parse::<u32>().ok()));
                    if owner == Some(stale) {
                        let mut rm = as_server(Path::new("rm"));
                        rm.arg("-f")
                            .arg("--")
                            .arg(&path)
                            .arg(path.with_extension(""));
                        run_checked(rm, "rm socket lock")?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The port the cluster starts on: the configured one, else the one saved in its data
    /// directory `dir` (`solicitudes.conf`) when it was created.
    fn port_to_start_on(&self, dir: Option<&Path>) -> Result<u16> {
        match self.cfg.port {
            Some(p) => Ok(p),
            None => dir
                .and_then(|d| fs::read_to_string(d.join("solicitudes.conf")).ok())
                .and_then(|c| saved_port(&c))
                .ok_or_else(|| {
                    Error::new(format!(
                        "no port for the {} cluster: set {}=<port>",
                        self.cfg.name, self.cfg.port_var
                    ))
                }),
        }
    }

    /// The URL, starting nothing (the port it runs on, else the one it would start on).
    pub fn url(&self) -> Result<String> {
        let name = &self.cfg.name;
        let pw = fs::read_to_string(self.pw_file())
            .ok()
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| {
                Error::new(format!(
                    "the {name} cluster has not been created yet: run `cargo xtask pg up {name}`"
                ))
            })?;
        let dir = self.existing_data_dir();
        if let Status::Running { port, .. } = self.status()? {
            return Ok(cluster_url(pw.trim(), port));
        }
        let port = self.port_to_start_on(dir.as_deref())?;
        Ok(cluster_url(pw.trim(), port))
    }

    /// Running or not.
    pub fn status(&self) -> Result<Status> {
        let dir = self.existing_data_dir();
        if !Cluster::is_initialized(dir.as_deref()) {
            return Ok(Status::Stopped { data: None });
        }
        let Some(dir) = dir else {
            return Ok(Status::Stopped { data: None });
        };
        if let Some(bin) = self.bin_for(Some(&dir))?
            && let Running::Yes = Cluster::running(&bin, &dir)
            && let (_, Some(port)) = Cluster::postmaster_pid(&dir)
        {
            return Ok(Status::Running { port, data: dir });
        }
        Ok(Status::Stopped { data: Some(dir) })
    }

    fn pg_ctl_stop(&self, mode: &str) -> Result<()> {
        let name = &self.cfg.name;
        let dir = self.existing_data_dir();
        let bin = self.bin_for(dir.as_deref())?;
        match (dir, bin) {
            (Some(dir), Some(bin)) if matches!(Cluster::running(&bin, &dir), Running::Yes) => {
                let how = if mode == "fast" { "" } else { " (immediate)" };
                note(format!("stopping the {name} cluster{how}"));
                let mut c = as_server(&bin.tool("pg_ctl"));
                c.arg("-D")
                    .arg(&dir)
                    .args(["-m", mode, "-w", "-t", "60", "stop"])
                    .stdout(Stdio::null());
                run_checked(c, "pg_ctl stop").map_err(|e| {
                    Error::new(format!(
                        "could not stop the {name} cluster (see {}/server.log): {e}",
                        dir.display()
                    ))
                })?;
            }
            _ => note(format!("the {name} cluster is not running")),
        }
        Ok(())
    }

    /// The cluster's lock, or `None` (said on stderr) when this checkout has no clusters at
    /// all, so there is nothing to stop.
    fn lock_if_any(&self) -> Result<Option<File>> {
        if !self.local.is_dir() {
            note(format!("the {} cluster is not running", self.cfg.name));
            return Ok(None);
        }
        self.lock().map(Some)
    }

    /// Stops it (`pg_ctl stop -m fast`); nothing to do when it is not running.
    pub fn down(&self) -> Result<()> {
        match self.lock_if_any()? {
            Some(_lock) => self.pg_ctl_stop("fast"),
            None => Ok(()),
        }
    }

    /// Stops it without a shutdown checkpoint, like a power cut for its clients: the next
    /// `up` runs crash recovery.
    pub fn stop_immediate(&self) -> Result<()> {
        match self.lock_if_any()? {
            Some(_lock) => self.pg_ctl_stop("immediate"),
            None => Ok(()),
        }
    }

    /// SIGKILLs the postmaster, as a crash would (postmaster.pid stays behind), and waits for
    /// it and its children to go: a new postmaster refuses to start while they hold its
    /// shared memory. `up` then recovers.
    pub fn kill9(&self) -> Result<()> {
        let name = &self.cfg.name;
        let Some(_lock) = self.lock_if_any()? else {
            return Ok(());
        };
        let Status::Running { data, .. } = self.status()? else {
            note(format!("the {name} cluster is not running"));
            return Ok(());
        };
        let (Some(pid), _) = Cluster::postmaster_pid(&data) else {
            bail!("no PID in {}/postmaster.pid", data.display());
        };
        // Each process with its start time, so that a PID reused later is not waited for.
        let mut procs = Vec::new();
        if let Some((_, start)) = proc_info(pid) {
            procs.push((pid, start));
        }
        if let Ok(entries) = fs::read_dir("/proc") {
            for entry in entries.flatten() {
                if let Ok(p) = entry.file_name().to_string_lossy().parse::<u32>()
                    && let Some((ppid, start)) = proc_info(p)
                    && ppid == pid
                {
                    procs.push((p, start));
                }
            }
        }
        note(format!(
            "killing the postmaster of the {name} cluster (PID {pid}) with SIGKILL"
        ));
        let status = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .map_err(|e| Error::new(format!("cannot run kill: {e}")))?;
        if !status.success() {
            bail!("could not kill PID {pid}");
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        for (p, start) in procs {
            while proc_info(p).is_some_and(|(_, s)| s == start) {
                if Instant::now() > deadline {
                    bail!("PID {p} of the {name} cluster is still alive 60 s after SIGKILL");
                }
                thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(())
    }

    /// Stops it and deletes its data, password and lock.
    pub fn destroy(&self) -> Result<()> {
        let name = &self.cfg.name;
        let link = self.data_link();
        let link_meta = fs::symlink_metadata(&link).ok();
        if !self.local.is_dir() && link_meta.is_none() {
            note(format!("the {name} cluster does not exist"));
            return Ok(());
        }
        let lock = self.lock()?;
        self.pg_ctl_stop("fast")?;
        let dir = self.existing_data_dir();
        // Only ever delete the two places data directories are made in.
        if link_meta
            .as_ref()
            .is_some_and(|m| m.file_type().is_symlink())
        {
            let target = fs::read_link(&link).unwrap_or_default();
            if target == self.fallback_dir()? {
                remove_tree(&target)?;
                if let Some(parent) = target.parent() {
                    let _ = fs::remove_dir(parent);
                }
                let _ = fs::remove_dir(Cluster::fallback_base());
            } else {
                note(format!(
                    "not deleting {} (unexpected symlink target); removing only the link",
                    target.display()
                ));
            }
            let _ = fs::remove_file(&link);
        } else if link_meta.is_some_and(|m| m.is_dir()) {
            remove_tree(&link)?;
        }
        if let Some(dir) = dir {
            let sock = self.socket_dir_for(&dir)?;
            if sock != dir && sock.is_dir() {
                remove_tree(&sock)?;
            }
        }
        let _ = fs::remove_file(self.pw_file());
        drop(lock);
        let _ = fs::remove_file(self.lock_file());
        note(format!("destroyed the {name} cluster"));
        Ok(())
    }

    /// The names of this checkout's clusters that start with `prefix` (from the data
    /// directories, passwords and locks in `.local/postgres`).
    pub fn names_with_prefix(prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(repo_root().join(".local/postgres"))
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| {
                        let file = e.file_name().to_string_lossy().into_owned();
                        let name = file.split('.').next().unwrap_or_default().to_owned();
                        (name.starts_with(prefix) && check_name(&name).is_ok()).then_some(name)
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names.dedup();
        names
    }
}

/// `rm -rf`, as root or as us (the data directory belongs to the server user, root can
/// remove it anyway).
fn remove_tree(path: &Path) -> Result<()> {
    fs::remove_dir_all(path)
        .map_err(|e| Error::new(format!("cannot remove {}: {e}", path.display())))
}

/// The temporary password copy for initdb, removed when dropped.
struct PwCopy(PathBuf);

impl Drop for PwCopy {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// (parent PID, start time) of a live, non-zombie process, from `/proc/PID/stat`.
fn proc_info(pid: u32) -> Option<(u32, u64)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_proc_stat(&stat)
}

/// (parent PID, start time) from the text of `/proc/PID/stat`; `None` for a zombie. The
/// name in parentheses may hold spaces and parentheses: fields count from the last `)`.
pub fn parse_proc_stat(stat: &str) -> Option<(u32, u64)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] = state (field 3), [1] = ppid (4), [19] = starttime (22)
    if *fields.first()? == "Z" {
        return None;
    }
    Some((fields.get(1)?.parse().ok()?, fields.get(19)?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_parsed_strictly() {
        assert_eq!(parse_port("PGPORT_TEST", "54328"), Ok(54328));
        assert_eq!(parse_port("P", "1024"), Ok(1024));
        assert_eq!(parse_port("P", "65535"), Ok(65535));
        for bad in [
            "", "80", "1023", "65536", "99999", "5432a", " 5432", "+5432", "123456",
        ] {
            let err = parse_port("PGPORT_TEST", bad).unwrap_err().to_string();
            assert!(err.contains("PGPORT_TEST"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn names_are_checked() {
        for ok in ["dev", "test", "res-caida-1", "bench", &"a".repeat(40)] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Dev", "a_b", "a.b", "../x", &"a".repeat(41)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_name_the_role_port_and_database() {
        assert_eq!(
            cluster_url("abc", 54328),
            "postgres://solicitudes:abc@127.0.0.1:54328/solicitudes"
        );
    }

    #[test]
    fn settings_file_says_port_socket_and_durability() {
        let so = PathBuf::from("/usr/lib/postgresql/15/lib/pg_stat_statements.so");
        let sock = PathBuf::from("/repo/.local/postgres/it's");
        let mut s = Settings {
            name: "test",
            repo: Path::new("/repo"),
            port: 54328,
            socket_dir: &sock,
            pg_stat_statements: Ok(&so),
            fsync: false,
        };
        let text = s.render();
        assert!(text.contains("\nport = 54328\n"), "{text}");
        assert!(text.contains("listen_addresses = '127.0.0.1'"), "{text}");
        assert!(
            text.contains("unix_socket_directories = '/repo/.local/postgres/it''s'"),
            "{text}"
        );
        assert!(text.contains("shared_preload_libraries = 'pg_stat_statements'"));
        assert!(text.contains("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"));
        assert_eq!(saved_port(&text), Some(54328));

        s.fsync = true;
        s.pg_stat_statements = Err(&so);
        let text = s.render();
        assert!(!text.contains("fsync"), "{text}");
        assert!(text.contains("# pg_stat_statements not enabled: /usr/lib/postgresql/15/lib/pg_stat_statements.so not found"));
        assert!(!text.contains("shared_preload_libraries"));
    }

    #[test]
    fn saved_port_wants_a_whole_port_line() {
        assert_eq!(saved_port("a = 1\nport = 54400\n"), Some(54400));
        assert_eq!(saved_port("port = 54400x\n"), None);
        assert_eq!(saved_port("#port = 54400\n"), None);
        assert_eq!(saved_port(""), None);
    }

    #[test]
    fn postmaster_pid_gives_pid_and_port() {
        let text = "12345\n/data\n1700000000\n54328\n/data\n127.0.0.1\n  1 2\nready\n";
        assert_eq!(parse_postmaster_pid(text), (Some(12345), Some(54328)));
        assert_eq!(parse_postmaster_pid("12\n"), (Some(12), None));
        assert_eq!(parse_postmaster_pid(""), (None, None));
    }

    #[test]
    fn proc_stat_counts_fields_after_the_name() {
        let stat = "42 (post gres) (x)) S 7 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 2";
        assert_eq!(parse_proc_stat(stat), Some((7, 987654)));
        let zombie = "42 (postgres) Z 7 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 2";
        assert_eq!(parse_proc_stat(zombie), None);
        assert_eq!(parse_proc_stat("garbage"), None);
    }

    #[test]
    fn the_preferred_major_wins_then_the_newest() {
        assert_eq!(choose_major(&["13", "15", "17"], None), Some("15"));
        assert_eq!(choose_major(&["9.6", "13", "17"], None), Some("17"));
        assert_eq!(choose_major(&["9.6", "10"], None), Some("10"));
        assert_eq!(choose_major(&[], None), None);
        assert_eq!(choose_major(&["15", "17"], Some("17")), Some("17"));
        assert_eq!(choose_major(&["15"], Some("16")), None);
    }

    #[test]
    fn the_effective_uid_is_the_second_number() {
        assert_eq!(effective_uid("Name:\tx\nUid:\t1000\t0\t0\t0\n"), Some(0));
        assert_eq!(effective_uid("Uid:\t1000\t1000\t1000\t1000\n"), Some(1000));
        assert_eq!(effective_uid("Name: x\n"), None);
    }

    #[test]
    fn the_environment_names_ports_and_durability() {
        // Only the pure part: no variable is read for an explicit port.
        let cfg = ClusterConfig::on_port("res-x", 54555, false).unwrap();
        assert_eq!(cfg.port, Some(54555));
        assert!(cfg.port_explicit && !cfg.fsync && !cfg.may_fall_back());
        assert!(ClusterConfig::on_port("dev", 54555, false).unwrap().fsync);
        assert!(ClusterConfig::on_port("Bad", 54555, false).is_err());
    }
}
