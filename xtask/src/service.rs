//! The real service, `solicitudes-api serve`, as a child process on a free port.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use crate::{Error, Result, bail, tail};

/// A TCP port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Error::new(format!("cannot find a free port on 127.0.0.1: {e}")))
}

/// `http://127.0.0.1:PORT`.
pub fn base_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// The status code of `GET path` on 127.0.0.1:`port` (HTTP/1.1, `Connection: close`).
pub fn http_status(port: u16, path: &str, timeout: Duration) -> std::io::Result<u16> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, timeout)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    // One write: a server that answers after reading the first segment must not see more.
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    s.write_all(request.as_bytes())?;
    let mut head = [0u8; 64];
    let mut n = 0;
    while n < 12 {
        let got = s.read(&mut head[n..])?;
        if got == 0 {
            break;
        }
        n += got;
    }
    parse_status_line(&head[..n]).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not an HTTP answer: {:?}",
                String::from_utf8_lossy(&head[..n])
            ),
        )
    })
}

/// The status code of an HTTP/1.x status line (`HTTP/1.1 200 OK`).
pub fn parse_status_line(bytes: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(bytes.get(..12)?).ok()?;
    let code = text.strip_prefix("HTTP/1.")?.get(2..5)?;
    code.parse().ok().filter(|c| (100..=599).contains(c))
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

/// How to start the service.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The `solicitudes-api` binary.
    pub binary: PathBuf,
    /// Its `DATABASE_URL`.
    pub database_url: String,
    /// Its port on 127.0.0.1; `None`: a free one.
    pub port: Option<u16>,
    /// `APP__SERVER__STATIC_DIR`: the built web app, served at `/`.
    pub static_dir: Option<PathBuf>,
    /// More environment, set after everything above.
    pub env: Vec<(String, String)>,
    /// Where stdout and stderr go (truncated first, then appended to).
    pub log: PathBuf,
    /// Its working directory (`None`: ours).
    pub current_dir: Option<PathBuf>,
    /// Its `argv[0]`, so that `ps` tells it from a dev server (`None`: the binary's path).
    pub process_name: Option<String>,
}

impl ServiceConfig {
    /// The defaults: a free port, no web app, the log at `log`.
    pub fn new(binary: impl Into<PathBuf>, database_url: &str, log: impl Into<PathBuf>) -> Self {
        ServiceConfig {
            binary: binary.into(),
            database_url: database_url.to_owned(),
            port: None,
            static_dir: None,
            env: Vec::new(),
            log: log.into(),
            current_dir: None,
            process_name: None,
        }
    }
}

/// The running service. Killed (SIGKILL) when dropped, also on a panic; with `setpriv
/// --pdeathsig` it dies with the thread that started it even when no `Drop` runs.
#[derive(Debug)]
pub struct Service {
    child: Child,
    port: u16,
    log: PathBuf,
    exited: Option<ExitStatus>,
}

impl Service {
    /// Starts `solicitudes-api serve` as `cfg` says. Returns once the process runs; see
    /// [`wait_ready`](Self::wait_ready).
    pub fn start(cfg: &ServiceConfig) -> Result<Service> {
        if let Some(dir) = cfg.log.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
        }
        // Truncated, then written in append mode: a caller may truncate the log while the
        // service runs (the benchmark does, between runs) without leaving a hole of zeros.
        let out = File::create(&cfg.log)
            .and_then(|_| OpenOptions::new().append(true).open(&cfg.log))
            .map_err(|e| Error::new(format!("cannot create {}: {e}", cfg.log.display())))?;
        let err = out
            .try_clone()
            .map_err(|e| Error::new(format!("cannot clone a file handle: {e}")))?;
        let port = match cfg.port {
            Some(p) => p,
            None => free_port()?,
        };
        let mut command = if has_pdeathsig() {
            let mut c = Command::new("setpriv");
            c.args(["--pdeathsig", "KILL", "--"]);
            // pdeathsig survives exec; bash's `exec -a` sets argv[0].
            if let Some(name) = &cfg.process_name {
                c.args(["bash", "-c", "exec -a \"$0\" \"$@\"", name]);
            }
            c.arg(&cfg.binary);
            c
        } else {
            let mut c = Command::new(&cfg.binary);
            if let Some(name) = &cfg.process_name {
                c.arg0(name);
            }
            c
        };
        // A process group of its own: a Ctrl-C at the terminal reaches the caller, which stops
        // the service itself once it has cleaned up the rest (`cargo xtask service`).
        command
            .process_group(0)
            .arg("serve")
            .env("DATABASE_URL", &cfg.database_url)
            .env_remove("APP__DATABASE__URL")
            .env("APP__SERVER__HOST", "127.0.0.1")
            .env("APP__SERVER__PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        if let Some(dir) = &cfg.static_dir {
            command.env("APP__SERVER__STATIC_DIR", dir);
        }
        if let Some(dir) = &cfg.current_dir {
            command.current_dir(dir);
        }
        for (k, v) in &cfg.env {
            command.env(k, v);
        }
        let child = command
            .spawn()
            .map_err(|e| Error::new(format!("cannot start {}: {e}", cfg.binary.display())))?;
        Ok(Service {
            child,
            port,
            log: cfg.log.clone(),
            exited: None,
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        base_url(self.port)
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Where its output goes.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Its exit status, once it exited.
    pub fn try_exit_status(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().ok().flatten();
        }
        self.exited
    }

    /// Waits until `GET path` answers 200; an error when the process exits first or at
    /// `within`.
    pub fn wait_for_200(&mut self, path: &str, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.try_exit_status() {
                bail!(
                    "the service exited during start-up ({status}); last lines of {}:\n{}",
                    self.log.display(),
                    self.log_tail(30)
                );
            }
            if http_status(self.port, path, Duration::from_secs(2)).is_ok_and(|s| s == 200) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!(
                    "the service did not answer 200 on {path} within {within:?}; last lines of {}:\n{}",
                    self.log.display(),
                    self.log_tail(30)
                );
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until `/readyz` answers 200: database reachable, migrations applied.
    pub fn wait_ready(&mut self, within: Duration) -> Result<()> {
        self.wait_for_200("/readyz", within)
    }

    /// Sends a signal (`TERM`, `KILL`, …) with `kill`.
    pub fn signal(&self, name: &str) -> Result<()> {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| Error::new(format!("cannot run kill: {e}")))?;
        if !status.success() {
            bail!("kill -{name} {} failed", self.pid());
        }
        Ok(())
    }

    /// Waits for the process to exit; `None` when it still runs at `within`.
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

    /// SIGTERM (a graceful shutdown), then SIGKILL after `grace`.
    pub fn stop(&mut self, grace: Duration) {
        if self.try_exit_status().is_some() {
            return;
        }
        let _ = self.signal("TERM");
        if self.wait_exit(grace).is_none() {
            let _ = self.child.kill();
            self.exited = self.child.wait().ok();
        }
    }

    /// The last `n` lines of its output.
    pub fn log_tail(&self, n: usize) -> String {
        tail(&self.log, n)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if self.try_exit_status().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_give_their_code() {
        assert_eq!(parse_status_line(b"HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(
            parse_status_line(b"HTTP/1.0 503 Service Unavailable"),
            Some(503)
        );
        assert_eq!(parse_status_line(b"HTTP/1.1 20"), None);
        assert_eq!(parse_status_line(b"HTTP/2 200 OK\r\n"), None);
        assert_eq!(parse_status_line(b"HTTP/1.1 999 ?\r\n"), None);
        assert_eq!(parse_status_line(b""), None);
    }

    #[test]
    fn free_ports_are_free_and_urls_name_them() {
        let port = free_port().unwrap();
        assert!(port >= 1024);
        TcpListener::bind(("127.0.0.1", port)).unwrap();
        assert_eq!(base_url(8000), "http://127.0.0.1:8000");
    }

    #[test]
    fn http_status_reads_a_real_answer() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 256];
            while !req.ends_with(b"\r\n\r\n") {
                let n = s.read(&mut buf).unwrap();
                assert!(n > 0, "the request ended early");
                req.extend_from_slice(&buf[..n]);
            }
            let req = String::from_utf8_lossy(&req).into_owned();
            s.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
                .unwrap();
            req
        });
        assert_eq!(
            http_status(port, "/readyz", Duration::from_secs(5)).unwrap(),
            503
        );
        assert!(
            server
                .join()
                .unwrap()
                .starts_with("GET /readyz HTTP/1.1\r\n")
        );
    }
}
