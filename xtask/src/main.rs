//! `cargo xtask`: the project's harness on the command line (see the library's docs).
//!
//! Only results (URLs, status lines, JSON) go to stdout; diagnostics go to stderr, so that
//! `DATABASE_URL=$(cargo xtask pg up dev)` works.

use std::io::{BufRead, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, ExitCode, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use solicitudes_xtask::db::{self, FreshDb};
use solicitudes_xtask::pg::{self, Cluster, ClusterConfig, PgBin, Status};
use solicitudes_xtask::service::{Service, ServiceConfig};
use solicitudes_xtask::{Error, Result, bail, json_object, note, repo_root, target_dir};

const USAGE: &str = "\
cargo xtask: the project's harness (xtask/): PostgreSQL clusters and the running service

  cargo xtask pg deps [--json]         the PostgreSQL server binaries (Debian's postgresql is
                                       installed when they are missing)
  cargo xtask pg up NAME [--json]      start the cluster (created on first use); print its URL
  cargo xtask pg url NAME              print its URL, starting nothing
  cargo xtask pg status NAME...        running (exit 0) or stopped (exit 3)
  cargo xtask pg down NAME...          stop (no error when not running)
  cargo xtask pg destroy NAME...       stop and delete data and password
  cargo xtask pg destroy --prefix P    ... every cluster of this checkout named P*
  cargo xtask pg stop-immediate NAME   stop without a shutdown checkpoint
  cargo xtask pg kill9 NAME            SIGKILL the postmaster (a crash), wait for its processes

  cargo xtask service [OPTIONS] [-- COMMAND ARGS...]
      A fresh database, the service on a free port of 127.0.0.1, ready on /readyz; then
      COMMAND runs with SERVICE_BASE_URL, SERVICE_PORT, SERVICE_PID, SERVICE_DATABASE_URL
      and SERVICE_LOG set. Without COMMAND, one JSON line with the same goes to stdout and
      the service runs until stdin closes. Afterwards (also on SIGINT, SIGTERM, SIGHUP) the
      service is stopped, the database dropped, and a test cluster this run started stopped.
      The exit status is COMMAND's, or 1 when the service died during the run.
    --fresh-db PREFIX    name of the fresh database: PREFIX_<time>_<pid> (default svc)
    --admin-url URL      server of the fresh database (default $TEST_DATABASE_URL, else
                         this checkout's test cluster)
    --database-url URL   use this database as it is (no fresh one, no cluster)
    --keep-db            keep the fresh database (its URL is printed)
    --bin PATH           the service binary (default: cargo build -p solicitudes-api)
    --static-dir DIR     serve the built web app from DIR (APP__SERVER__STATIC_DIR)
    --log FILE           the service's output (default .local/service/PREFIX.log)
    --process-name NAME  the service's argv[0], so that ps tells it from a dev server
    --env KEY=VALUE      more environment for the service (repeatable)
    --ready-timeout S    seconds to wait for /readyz (default 60)

Clusters: dev on 127.0.0.1:54329 (PGPORT_DEV), test on 54328 (PGPORT_TEST), any other
[a-z0-9-]{1,40} on PGPORT; PG_FSYNC=on keeps a non-dev cluster durable; PG_BIN names the
server's bin directory. Data in .local/postgres/ (docs/database.md).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("pg") => pg_command(&args[1..]),
        Some("service") => ServiceArgs::parse(&args[1..]).and_then(service_command),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!("{USAGE}");
            Ok(ExitCode::from(2))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_stdout(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| Error::new(format!("cannot write to stdout: {e}")))
}

fn cluster(name: &str) -> Result<Cluster> {
    Ok(Cluster::new(ClusterConfig::from_env(name)?))
}

/// Splits `args` into `--json` (when `json_ok`) and the names; at least `min` names, at most
/// `max`.
fn names_and_json(
    cmd: &str,
    args: &[String],
    json_ok: bool,
    (min, max): (usize, usize),
) -> Result<(Vec<String>, bool)> {
    let mut names = Vec::new();
    let mut json = false;
    for a in args {
        match a.as_str() {
            "--json" if json_ok => json = true,
            s if s.starts_with('-') => bail!("pg {cmd}: unknown option {s} (cargo xtask help)"),
            s => names.push(s.to_owned()),
        }
    }
    if names.len() < min || names.len() > max {
        bail!("pg {cmd}: expected {min} to {max} cluster names (cargo xtask help)");
    }
    Ok((names, json))
}

fn pg_command(args: &[String]) -> Result<ExitCode> {
    let Some((cmd, rest)) = args.split_first() else {
        bail!("pg: which command? (cargo xtask help)");
    };
    let one = (1, 1);
    let many = (1, usize::MAX);
    match cmd.as_str() {
        "deps" => {
            let (_, json) = names_and_json(cmd, rest, true, (0, 0))?;
            let bin = PgBin::ensure()?;
            let version = bin.version()?;
            note(format!(
                "PostgreSQL server binaries: {} ({version})",
                bin.dir().display()
            ));
            if json {
                let dir = bin.dir().display().to_string();
                print_stdout(&json_object(&[("bin_dir", &dir), ("version", &version)]))?;
            }
        }
        "up" => {
            let (names, json) = names_and_json(cmd, rest, true, one)?;
            let up = cluster(&names[0])?.up()?;
            if json {
                print_stdout(&json_object(&[
                    ("name", &names[0]),
                    ("url", &up.url),
                    ("port", &up.port),
                    ("started", &up.started),
                ]))?;
            } else {
                print_stdout(&up.url)?;
            }
        }
        "url" => {
            let (names, _) = names_and_json(cmd, rest, false, one)?;
            print_stdout(&cluster(&names[0])?.url()?)?;
        }
        "status" => {
            let (names, _) = names_and_json(cmd, rest, false, many)?;
            let mut all_running = true;
            for name in names {
                let status = cluster(&name)?.status()?;
                print_stdout(&format!("{name}: {}", status.line()))?;
                all_running &= matches!(status, Status::Running { .. });
            }
            if !all_running {
                return Ok(ExitCode::from(3));
            }
        }
        "down" => {
            for name in names_and_json(cmd, rest, false, many)?.0 {
                cluster(&name)?.down()?;
            }
        }
        "destroy" => {
            let names = match rest {
                [flag, prefix] if flag == "--prefix" => Cluster::names_with_prefix(prefix),
                _ => names_and_json(cmd, rest, false, many)?.0,
            };
            let mut failed = None;
            for name in names {
                // One that cannot be destroyed does not keep the others.
                if let Err(e) = cluster(&name).and_then(|c| c.destroy()) {
                    eprintln!("xtask: error: {e}");
                    failed = Some(e);
                }
            }
            if let Some(e) = failed {
                return Err(e);
            }
        }
        "stop-immediate" => {
            let (names, _) = names_and_json(cmd, rest, false, one)?;
            cluster(&names[0])?.stop_immediate()?;
        }
        "kill9" => {
            let (names, _) = names_and_json(cmd, rest, false, one)?;
            cluster(&names[0])?.kill9()?;
        }
        other => bail!("pg: unknown command {other} (cargo xtask help)"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The options of `cargo xtask service`.
struct ServiceArgs {
    database_url: Option<String>,
    fresh_db: String,
    admin_url: Option<String>,
    keep_db: bool,
    bin: Option<PathBuf>,
    static_dir: Option<PathBuf>,
    log: Option<PathBuf>,
    process_name: Option<String>,
    env: Vec<(String, String)>,
    ready_timeout: u64,
    command: Vec<String>,
}

impl ServiceArgs {
    fn parse(args: &[String]) -> Result<ServiceArgs> {
        let mut parsed = ServiceArgs {
            database_url: None,
            fresh_db: "svc".to_owned(),
            admin_url: None,
            keep_db: false,
            bin: None,
            static_dir: None,
            log: None,
            process_name: None,
            env: Vec::new(),
            ready_timeout: 60,
            command: Vec::new(),
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            // `--opt value` or `--opt=value`.
            let (opt, inline) = match arg.split_once('=') {
                Some((o, v)) if o.starts_with("--") => (o, Some(v.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = || -> Result<String> {
                match inline.clone().or_else(|| it.next().cloned()) {
                    Some(v) => Ok(v),
                    None => bail!("service: {opt} needs a value (cargo xtask help)"),
                }
            };
            match opt {
                "--" => {
                    parsed.command = it.by_ref().cloned().collect();
                    break;
                }
                "--database-url" => parsed.database_url = Some(value()?),
                "--fresh-db" => parsed.fresh_db = value()?,
                "--admin-url" => parsed.admin_url = Some(value()?),
                "--keep-db" => parsed.keep_db = true,
                "--bin" => parsed.bin = Some(value()?.into()),
                "--static-dir" => parsed.static_dir = Some(value()?.into()),
                "--log" => parsed.log = Some(value()?.into()),
                "--process-name" => parsed.process_name = Some(value()?),
                "--env" => {
                    let kv = value()?;
                    match kv.split_once('=') {
                        Some((k, v)) if !k.is_empty() => {
                            parsed.env.push((k.to_owned(), v.to_owned()));
                        }
                        _ => bail!("service: --env wants KEY=VALUE, got {kv:?}"),
                    }
                }
                "--ready-timeout" => {
                    let v = value()?;
                    parsed.ready_timeout = v.parse().map_err(|_| {
                        Error::new(format!("service: --ready-timeout {v:?} is not seconds"))
                    })?;
                }
                other => bail!("service: unknown option {other} (cargo xtask help)"),
            }
        }
        db::check_prefix(&parsed.fresh_db)?;
        Ok(parsed)
    }
}

/// The signal (2, 15, 1) received since they were registered, or 0. SIGINT, SIGTERM and
/// SIGHUP no longer end this process: the service command cleans up first.
fn watch_signals() -> Result<Arc<AtomicUsize>> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let received = Arc::new(AtomicUsize::new(0));
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        let value = usize::try_from(sig).unwrap_or(1);
        signal_hook::flag::register_usize(sig, Arc::clone(&received), value)
            .map_err(|e| Error::new(format!("cannot handle signal {sig}: {e}")))?;
    }
    Ok(received)
}

/// The test cluster, started for this run; stopped again on drop if this run started it.
struct StartedCluster {
    cluster: Cluster,
    started: bool,
}

impl Drop for StartedCluster {
    fn drop(&mut self) {
        if self.started
            && let Err(e) = self.cluster.down()
        {
            note(format!(
                "could not stop the {} cluster: {e}",
                self.cluster.name()
            ));
        }
    }
}

fn build_service() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    note("building the API (cargo build -p solicitudes-api)");
    let status = Command::new(&cargo)
        .args(["build", "-p", "solicitudes-api"])
        .current_dir(repo_root())
        .status()
        .map_err(|e| Error::new(format!("cannot run {cargo}: {e}")))?;
    if !status.success() {
        bail!("cargo build -p solicitudes-api failed");
    }
    let bin = target_dir().join("debug/solicitudes-api");
    if !bin.is_file() {
        bail!("{} was not built", bin.display());
    }
    Ok(bin)
}

/// The exit code for a child's status: its code, or 128 + the signal that ended it.
fn code_of(status: ExitStatus) -> u8 {
    match (status.code(), status.signal()) {
        (Some(c), _) => u8::try_from(c).unwrap_or(1),
        (None, Some(s)) => u8::try_from(128 + s).unwrap_or(1),
        _ => 1,
    }
}

/// 128 + the signal number, the shell's exit status for "ended by that signal".
fn signal_code(sig: usize) -> u8 {
    u8::try_from(128 + sig).unwrap_or(1)
}

fn service_command(args: ServiceArgs) -> Result<ExitCode> {
    let signals = watch_signals()?;
    let interrupted = || signals.load(Ordering::SeqCst);
    let binary = match &args.bin {
        Some(b) => b.clone(),
        None => build_service()?,
    };
    if interrupted() != 0 {
        return Ok(ExitCode::from(signal_code(interrupted())));
    }

    // The database: as given, or a fresh one on the admin server or the test cluster.
    // (Declared in this order so that they are dropped in reverse: service, database, cluster.)
    let mut _cluster = None;
    let mut _fresh = None;
    let database_url = match &args.database_url {
        Some(url) => url.clone(),
        None => {
            let admin = match args
                .admin_url
                .clone()
                .or_else(|| std::env::var("TEST_DATABASE_URL").ok())
                .filter(|u| !u.is_empty())
            {
                Some(url) => url,
                None => {
                    let cluster = cluster("test")?;
                    let up = cluster.up()?;
                    let url = up.url.clone();
                    _cluster = Some(StartedCluster {
                        cluster,
                        started: up.started,
                    });
                    url
                }
            };
            let mut db = FreshDb::create(&pg::psql()?, &admin, &args.fresh_db)?;
            if args.keep_db {
                db.keep();
                note(format!("--keep-db: the database stays: {}", db.url()));
            }
            let url = db.url().to_owned();
            _fresh = Some(db);
            url
        }
    };

    let log = args.log.clone().unwrap_or_else(|| {
        repo_root()
            .join(".local/service")
            .join(format!("{}.log", args.fresh_db))
    });
    let mut cfg = ServiceConfig::new(&binary, &database_url, log);
    cfg.static_dir = args.static_dir.clone();
    cfg.env = args.env.clone();
    cfg.process_name = args.process_name.clone();
    let mut service = Service::start(&cfg)?;
    note(format!(
        "the service starts on {} (log: {})",
        service.base_url(),
        service.log_path().display()
    ));
    service.wait_ready(Duration::from_secs(args.ready_timeout))?;
    note(format!("the service is ready on {}", service.base_url()));

    let port = service.port().to_string();
    let pid = service.pid().to_string();
    let log = service.log_path().display().to_string();
    let vars = [
        ("SERVICE_BASE_URL", service.base_url()),
        ("SERVICE_PORT", port.clone()),
        ("SERVICE_PID", pid.clone()),
        ("SERVICE_DATABASE_URL", database_url.clone()),
        ("SERVICE_LOG", log.clone()),
    ];
    let code = if let Some((program, rest)) = args.command.split_first() {
        let mut child = Command::new(program)
            .args(rest)
            .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
            .spawn()
            .map_err(|e| Error::new(format!("cannot run {program}: {e}")))?;
        let mut code = loop {
            if let Some(status) = child
                .try_wait()
                .map_err(|e| Error::new(format!("waiting for {program}: {e}")))?
            {
                break code_of(status);
            }
            let sig = interrupted();
            if sig != 0 {
                // Forward it (a Ctrl-C from the terminal reached the command already), give
                // the command 10 s, then end it.
                let _ = Command::new("kill")
                    .arg(format!("-{sig}"))
                    .arg(child.id().to_string())
                    .status();
                let deadline = Instant::now() + Duration::from_secs(10);
                while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                    thread::sleep(Duration::from_millis(50));
                }
                let _ = child.kill();
                let _ = child.wait();
                break signal_code(sig);
            }
            thread::sleep(Duration::from_millis(50));
        };
        // A service that died during the run shows in the command's output only as network
        // errors: say so, and never pass.
        if let Some(status) = service.try_exit_status() {
            eprintln!(
                "--- last lines of {} ---\n{}",
                service.log_path().display(),
                service.log_tail(30)
            );
            note(format!("the service exited during the run ({status})"));
            if code == 0 {
                code = 1;
            }
        }
        code
    } else {
        let base_url = service.base_url();
        print_stdout(&json_object(&[
            ("base_url", &base_url),
            ("port", &service.port()),
            ("pid", &service.pid()),
            ("database_url", &database_url),
            ("log", &log),
        ]))?;
        let closed = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&closed);
        thread::spawn(move || {
            let stdin = std::io::stdin();
            let mut lines = stdin.lock().lines();
            while let Some(Ok(_)) = lines.next() {}
            flag.store(true, Ordering::SeqCst);
        });
        loop {
            if closed.load(Ordering::SeqCst) {
                break 0;
            }
            let sig = interrupted();
            if sig != 0 {
                break signal_code(sig);
            }
            if let Some(status) = service.try_exit_status() {
                eprintln!(
                    "--- last lines of {} ---\n{}",
                    service.log_path().display(),
                    service.log_tail(30)
                );
                note(format!("the service exited ({status})"));
                break 1;
            }
            thread::sleep(Duration::from_millis(50));
        }
    };
    service.stop(Duration::from_secs(10));
    Ok(ExitCode::from(code))
}
