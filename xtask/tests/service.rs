//! `cargo xtask service` end to end: the service binary on a fresh database of the server in
//! `DATABASE_URL` (as `make test` sets it: the test cluster), ready on `/readyz`, and gone —
//! process, port and database — once the run is over.
//!
//! The service binary is the one `cargo test --workspace` (`make test`) builds beside this
//! test, `<target>/debug/solicitudes-api`; run alone, build it first:
//!
//! ```sh
//! cargo build -p solicitudes-api && cargo test -p solicitudes-xtask --test service
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use solicitudes_xtask::db;
use solicitudes_xtask::pg;
use solicitudes_xtask::service::http_status;

fn admin_url() -> String {
    std::env::var("DATABASE_URL").expect(
        "DATABASE_URL is not set: run the tests with `make test` (the test cluster), or point it \
         at a server where you may CREATE DATABASE",
    )
}

fn service_binary() -> PathBuf {
    let bin = solicitudes_xtask::target_dir().join("debug/solicitudes-api");
    assert!(
        bin.is_file(),
        "{} is missing: `cargo test --workspace` builds it; alone, run `cargo build -p \
         solicitudes-api` first",
        bin.display()
    );
    bin
}

fn xtask_service(prefix: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
    c.arg("service")
        .arg("--bin")
        .arg(service_binary())
        .args(["--admin-url", &admin_url(), "--fresh-db", prefix])
        .arg("--log")
        .arg(solicitudes_xtask::target_dir().join(format!("xtask-tests/{prefix}.log")));
    c
}

fn databases_named(prefix: &str) -> String {
    db::psql_exec(
        &pg::psql().unwrap(),
        &admin_url(),
        &format!("SELECT count(*) FROM pg_database WHERE datname LIKE '{prefix}\\_%'"),
    )
    .unwrap()
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| solicitudes_xtask::pg::parse_proc_stat(&s).is_some())
}

#[test]
fn a_service_lives_until_its_stdin_closes() {
    let mut child = xtask_service("xtask_stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    let port = u16::try_from(info["port"].as_u64().unwrap()).unwrap();
    let pid = u32::try_from(info["pid"].as_u64().unwrap()).unwrap();
    assert_eq!(info["base_url"], format!("http://127.0.0.1:{port}"));
    let database_url = info["database_url"].as_str().unwrap();
    assert!(
        db::database_of(database_url)
            .unwrap()
            .starts_with("xtask_stdin_")
    );

    assert_eq!(
        http_status(port, "/readyz", Duration::from_secs(5)).unwrap(),
        200
    );
    assert!(alive(pid));
    let migrated = db::psql_exec(
        &pg::psql().unwrap(),
        database_url,
        "SELECT count(*) > 0 FROM __diesel_schema_migrations",
    )
    .unwrap();
    assert_eq!(migrated, "t");

    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(!alive(pid), "the service (pid {pid}) outlived the harness");
    assert!(http_status(port, "/readyz", Duration::from_secs(2)).is_err());
    assert_eq!(
        databases_named("xtask_stdin"),
        "0",
        "the fresh database was dropped"
    );
}

#[test]
fn a_command_runs_against_the_service_and_its_status_is_kept() {
    let out = xtask_service("xtask_cmd")
        .args(["--", "sh", "-c"])
        .arg(
            "test \"$SERVICE_BASE_URL\" = \"http://127.0.0.1:$SERVICE_PORT\" && \
             test -n \"$SERVICE_DATABASE_URL\" && test -f \"$SERVICE_LOG\" && \
             kill -0 \"$SERVICE_PID\" && echo \"$SERVICE_PID\" && exit 7",
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pid: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!(!alive(pid), "the service (pid {pid}) outlived the harness");
    assert_eq!(
        databases_named("xtask_cmd"),
        "0",
        "the fresh database was dropped"
    );
}

#[test]
fn a_service_that_dies_during_the_run_fails_it() {
    let out = xtask_service("xtask_died")
        .args(["--", "sh", "-c", "kill -KILL \"$SERVICE_PID\"; sleep 1"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the service exited during the run"),
        "{stderr}"
    );
    assert_eq!(
        databases_named("xtask_died"),
        "0",
        "the fresh database was dropped"
    );
}
