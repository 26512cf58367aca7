//! The harness against a real PostgreSQL: clusters brought up, stopped, crashed and
//! destroyed, and fresh databases on them.
//!
//! Each test makes a private cluster `res-xtask-…` of this checkout on a free port (a few
//! seconds of initdb each) and destroys it again, also when it fails; `make test` runs them:
//!
//! ```sh
//! cargo test -p solicitudes-xtask --test clusters
//! ```
//!
//! A killed run leaves its clusters behind; `make resilience` (and `.ci/run`) removes every
//! `res-…` one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Barrier};
use std::thread;

use solicitudes_xtask::db::{self, FreshDb};
use solicitudes_xtask::pg::{self, Cluster, ClusterConfig, Status};
use solicitudes_xtask::service::free_port;

/// The cluster `name` on a free port, leftovers of an earlier run destroyed; destroyed again
/// when the guard is dropped (also when the test panics).
struct Guard(Cluster);

impl Guard {
    fn new(name: &str) -> Guard {
        let cluster =
            Cluster::new(ClusterConfig::on_port(name, free_port().unwrap(), false).unwrap());
        cluster.destroy().unwrap();
        Guard(cluster)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if thread::panicking() {
            let log = self.0.server_log();
            eprintln!(
                "--- {} ---\n{}",
                log.display(),
                solicitudes_xtask::tail(&log, 40)
            );
        }
        if let Err(e) = self.0.destroy() {
            eprintln!("destroy {}: {e}", self.0.name());
        }
    }
}

fn sql(url: &str, sql: &str) -> String {
    db::psql_exec(&pg::psql().unwrap(), url, sql).unwrap()
}

#[test]
fn a_cluster_lives_and_dies() {
    let guard = Guard::new("res-xtask-life");
    let c = &guard.0;
    assert_eq!(c.status().unwrap(), Status::Stopped { data: None });
    assert!(c.url().is_err(), "no URL before the first start");

    let up = c.up().unwrap();
    assert!(up.started);
    assert_eq!(sql(&up.url, "SELECT current_database()"), "solicitudes");
    assert_eq!(sql(&up.url, "SHOW fsync"), "off");
    assert!(matches!(c.status().unwrap(), Status::Running { port, .. } if port == up.port));

    let again = c.up().unwrap();
    assert_eq!(
        (again.url.as_str(), again.started),
        (up.url.as_str(), false)
    );
    assert_eq!(c.url().unwrap(), up.url);

    // A fresh database on it, gone when dropped.
    let fresh = FreshDb::create(&pg::psql().unwrap(), &up.url, "xtask").unwrap();
    let name = fresh.name().to_owned();
    assert_eq!(sql(fresh.url(), "SELECT current_database()"), name);
    drop(fresh);
    let count = format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'");
    assert_eq!(sql(&up.url, &count), "0");

    c.down().unwrap();
    assert!(matches!(
        c.status().unwrap(),
        Status::Stopped { data: Some(_) }
    ));
    assert_eq!(
        c.url().unwrap(),
        up.url,
        "url starts nothing and still knows the port"
    );
    c.down().unwrap();

    // A crash, then recovery on the same port with the same password.
    assert!(c.up().unwrap().started);
    sql(
        &up.url,
        "CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)",
    );
    // synchronous_commit is off here: a CHECKPOINT after the commit puts the row in the OS's
    // hands, which a killed server does not lose.
    sql(&up.url, "CHECKPOINT");
    c.kill9().unwrap();
    assert!(matches!(c.status().unwrap(), Status::Stopped { .. }));
    assert_eq!(c.up().unwrap().url, up.url);
    c.stop_immediate().unwrap();
    assert_eq!(c.up().unwrap().url, up.url);
    assert_eq!(sql(&up.url, "SELECT count(*) FROM kept"), "1");

    c.destroy().unwrap();
    assert_eq!(c.status().unwrap(), Status::Stopped { data: None });
    assert!(!c.data_link().exists());
    assert!(Cluster::names_with_prefix("res-xtask-life").is_empty());
}

#[test]
fn concurrent_ups_share_one_start() {
    let guard = Arc::new(Guard::new("res-xtask-race"));
    let barrier = Arc::new(Barrier::new(3));
    let ups: Vec<_> = (0..3)
        .map(|_| {
            let (guard, barrier) = (Arc::clone(&guard), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                guard.0.up().unwrap()
            })
        })
        .collect();
    let ups: Vec<_> = ups.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(ups.iter().filter(|u| u.started).count(), 1, "{ups:?}");
    assert!(ups.iter().all(|u| u.url == ups[0].url), "{ups:?}");
}

#[test]
fn a_running_cluster_refuses_another_explicit_port() {
    let guard = Guard::new("res-xtask-port");
    let up = guard.0.up().unwrap();
    let mut other = free_port().unwrap();
    while other == up.port {
        other = free_port().unwrap();
    }
    let elsewhere = Cluster::new(ClusterConfig::on_port("res-xtask-port", other, false).unwrap());
    let err = elsewhere.up().unwrap_err().to_string();
    assert!(err.contains("already running on port"), "{err}");
    // A durable one (PG_FSYNC=on) keeps fsync.
    let durable = Guard::new("res-xtask-fsync");
    let d = Cluster::new(
        ClusterConfig::on_port("res-xtask-fsync", free_port().unwrap(), true).unwrap(),
    );
    assert_eq!(sql(&d.up().unwrap().url, "SHOW fsync"), "on");
    drop(durable);
}
