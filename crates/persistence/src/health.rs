//! "The database is known to be down": one state shared by every pool of the process.
//!
//! Without it, while PostgreSQL is down every request waits the whole
//! `checkout_timeout` in the pool for its 503. With it:
//!
//! - When opening a connection fails because the server cannot be reached (refused,
//!   unreachable, no answer within the checkout timeout, "the database system is starting
//!   up / shutting down"), [`DbHealth`] turns *down*. A statement error, a refused password
//!   or a missing database does not: the server answered.
//! - While down, [`crate::DbPool::get`] fails at once with [`crate::DbError::Unavailable`]
//!   (a 503 at the HTTP edge), and requests already waiting for a connection are woken and
//!   fail too.
//! - A probe (a thread of its own, so no worker's fate decides it) tries to connect every
//!   [`PROBE_INTERVAL`] and turns the state *up* as soon as one connection succeeds, so the
//!   service answers again within about that long of the database's return.
//!
//! The healthy path costs one relaxed atomic load per checkout. The state cannot get stuck
//! *down*: the probe beats on every attempt, and a state whose probe has not beaten for
//! [`DbHealth::stale_after`] no longer fails fast — requests go to the pool again, as
//! without this module, and the next failed connection starts a new probe.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use diesel::ConnectionError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use tokio::sync::Notify;

/// How often the probe tries to connect while the database is down.
pub const PROBE_INTERVAL: Duration = Duration::from_millis(200);

/// Bit 0 of [`Inner::state`]: down. The other bits count the up-to-down transitions, so a
/// waiter can tell "went down after I looked" from "was already down".
const DOWN: u64 = 1;
const TRANSITION: u64 = 2;

/// Whether the database is known to be down, shared by all pools of a process (clone it).
#[derive(Clone)]
pub struct DbHealth {
    inner: Arc<Inner>,
}

struct Inner {
    /// [`DOWN`] bit and transition count.
    state: AtomicU64,
    /// Milliseconds since `epoch` when it went down.
    down_since_ms: AtomicU64,
    /// Milliseconds since `epoch` of the probe's last attempt.
    probe_beat_ms: AtomicU64,
    /// A probe thread runs.
    probing: AtomicBool,
    /// Woken on every up-to-down transition.
    went_down: Notify,
    epoch: Instant,
    url: String,
    /// Limit of one connection attempt (the probe's, and the pool's: see `pool::establish`).
    connect_timeout: Duration,
}

impl std::fmt::Debug for DbHealth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the URL: it may hold a password.
        f.debug_struct("DbHealth")
            .field("down_for", &self.down_for())
            .finish_non_exhaustive()
    }
}

impl DbHealth {
    /// A state for the database at `database_url`, *up* until a connection attempt fails.
    /// `connect_timeout` bounds each attempt (the pool uses its checkout timeout): an
    /// attempt that takes longer counts as "unreachable".
    #[must_use]
    pub fn new(database_url: &str, connect_timeout: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: AtomicU64::new(0),
                down_since_ms: AtomicU64::new(0),
                probe_beat_ms: AtomicU64::new(0),
                probing: AtomicBool::new(false),
                went_down: Notify::new(),
                epoch: Instant::now(),
                url: database_url.to_owned(),
                connect_timeout,
            }),
        }
    }

    /// How long without a probe attempt before a *down* state is no longer trusted.
    #[must_use]
    pub fn stale_after(&self) -> Duration {
        2 * (self.inner.connect_timeout + PROBE_INTERVAL) + Duration::from_secs(1)
    }

    /// The limit of one connection attempt.
    pub(crate) fn connect_timeout(&self) -> Duration {
        self.inner.connect_timeout
    }

    /// `Err(())` when the database is known to be down (fail fast), else the state seen, for
    /// [`went_down_after`](Self::went_down_after). One atomic load when it is up.
    pub(crate) fn gate(&self) -> Result<u64, ()> {
        let state = self.inner.state.load(Ordering::Relaxed);
        if state & DOWN == 0 || self.probe_is_stale() {
            Ok(state)
        } else {
            Err(())
        }
    }

    /// Whether requests fail fast right now: known down, with a live probe.
    #[must_use]
    pub fn is_known_down(&self) -> bool {
        self.gate().is_err()
    }

    /// How long it has been known down (`None` while up).
    #[must_use]
    pub fn down_for(&self) -> Option<Duration> {
        if self.inner.state.load(Ordering::Relaxed) & DOWN == 0 {
            return None;
        }
        let since = self.inner.down_since_ms.load(Ordering::Relaxed);
        Some(Duration::from_millis(
            self.inner.now_ms().saturating_sub(since),
        ))
    }

    /// Resolves once the database goes down after `seen` (a value from [`gate`](Self::gate)).
    pub(crate) async fn went_down_after(&self, seen: u64) {
        loop {
            let notified = self.inner.went_down.notified();
            tokio::pin!(notified);
            // Registered before the check: a transition between the two is not missed.
            notified.as_mut().enable();
            let now = self.inner.state.load(Ordering::Acquire);
            if now & DOWN != 0 && now >> 1 != seen >> 1 {
                return;
            }
            notified.await;
        }
    }

    /// Records a failed connection attempt: turns *down* when it says the server cannot be
    /// reached (see [`is_outage`]).
    pub(crate) fn connect_failed(&self, error: &ConnectionError) {
        if is_outage(error) {
            self.mark_down(&error.to_string());
        }
    }

    /// Records that a connection attempt found no server within the time limit.
    pub(crate) fn connect_timed_out(&self) {
        self.mark_down("no answer to a connection attempt in time");
    }

    /// Records a successful connection.
    pub(crate) fn connected(&self) {
        if self.inner.state.load(Ordering::Relaxed) & DOWN != 0 {
            self.inner.mark_up();
        }
    }

    fn mark_down(&self, cause: &str) {
        let inner = &self.inner;
        let mut state = inner.state.load(Ordering::Relaxed);
        while state & DOWN == 0 {
            // Set the bit and count the transition.
            match inner.state.compare_exchange_weak(
                state,
                (state | DOWN) + TRANSITION,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    inner.down_since_ms.store(inner.now_ms(), Ordering::Relaxed);
                    // Fresh beat: the probe is about to start.
                    inner.beat();
                    tracing::warn!(
                        %cause,
                        "database down: requests get a 503 at once until a connection succeeds"
                    );
                    inner.went_down.notify_waiters();
                    break;
                }
                Err(now) => state = now,
            }
        }
        start_probe(&self.inner);
    }

    fn probe_is_stale(&self) -> bool {
        let beat = self.inner.probe_beat_ms.load(Ordering::Relaxed);
        let age = Duration::from_millis(self.inner.now_ms().saturating_sub(beat));
        age > self.stale_after()
    }
}

impl Inner {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn beat(&self) {
        self.probe_beat_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    fn mark_up(&self) {
        let before = self.state.fetch_and(!DOWN, Ordering::AcqRel);
        if before & DOWN != 0 {
            let since = self.down_since_ms.load(Ordering::Relaxed);
            let down_ms = self.now_ms().saturating_sub(since);
            tracing::warn!(
                down_ms,
                "database reachable again: requests use the pool again"
            );
        }
    }
}

/// Starts the probe thread unless one runs.
fn start_probe(inner: &Arc<Inner>) {
    if inner.probing.swap(true, Ordering::AcqRel) {
        return;
    }
    let weak = Arc::downgrade(inner);
    let started = std::thread::Builder::new()
        .name("db-probe".to_owned())
        .spawn(move || probe(&weak));
    if let Err(error) = started {
        // No probe, no failing fast: requests wait in the pool as without this module.
        tracing::error!(%error, "cannot start the database probe thread");
        inner.probing.store(false, Ordering::Release);
        inner.mark_up();
    }
}

/// Clears `probing` when the probe ends, also by a panic.
struct ProbeRunning(Weak<Inner>);

impl Drop for ProbeRunning {
    fn drop(&mut self) {
        if let Some(inner) = self.0.upgrade() {
            inner.probing.store(false, Ordering::Release);
        }
    }
}

/// The probe thread: connects every [`PROBE_INTERVAL`] until a connection succeeds, then
/// turns the state *up*. Ends when every pool using the state is gone.
fn probe(weak: &Weak<Inner>) {
    let guard = ProbeRunning(weak.clone());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(error) => {
            tracing::error!(%error, "cannot start the database probe's runtime");
            if let Some(inner) = weak.upgrade() {
                inner.mark_up();
            }
            return;
        }
    };
    runtime.block_on(async {
        loop {
            while let Some(inner) = weak.upgrade() {
                if inner.state.load(Ordering::Acquire) & DOWN == 0 {
                    break;
                }
                inner.beat();
                let attempt = tokio::time::timeout(
                    inner.connect_timeout,
                    AsyncPgConnection::establish(&inner.url),
                )
                .await;
                match attempt {
                    Ok(Ok(_connection)) => inner.mark_up(),
                    // The server answered (a refused password, a missing database): not an
                    // outage; the pool reports such errors itself.
                    Ok(Err(e)) if !is_outage(&e) => inner.mark_up(),
                    Ok(Err(_)) | Err(_) => {
                        drop(inner);
                        tokio::time::sleep(PROBE_INTERVAL).await;
                    }
                }
            }
            let Some(inner) = weak.upgrade() else { return };
            inner.probing.store(false, Ordering::Release);
            // Down again between the last attempt and now, with nobody probing: go on.
            if inner.state.load(Ordering::Acquire) & DOWN == 0
                || inner.probing.swap(true, Ordering::AcqRel)
            {
                return;
            }
        }
    });
    drop(guard);
}

/// Whether a failed connection attempt means the server cannot be reached (refused,
/// unreachable, cut off, or starting up or shutting down), rather than that it answered and
/// said no (a password, a missing database, too many connections) or a statement failed.
#[must_use]
pub fn is_outage(error: &ConnectionError) -> bool {
    match error {
        ConnectionError::CouldntSetupConfiguration(e) => is_outage_error(e),
        ConnectionError::BadConnection(message) => is_outage_message(message),
        _ => false,
    }
}

fn is_outage_error(error: &DieselError) -> bool {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        DieselError::DatabaseError(_, info) => is_outage_message(info.message()),
        _ => false,
    }
}

fn is_outage_message(message: &str) -> bool {
    // tokio-postgres's words for errors without a SQLSTATE (connect, I/O, timeout, closed),
    // and PostgreSQL's class 57P messages (cannot connect now, shutting down).
    const MARKERS: &[&str] = &[
        "error connecting to server",
        "error communicating with the server",
        "timeout waiting for server",
        "connection closed",
        "the database system is",
        "terminating connection",
    ];
    MARKERS.iter().any(|m| message.starts_with(m))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn setup_error(kind: DatabaseErrorKind, message: &str) -> ConnectionError {
        ConnectionError::CouldntSetupConfiguration(DieselError::DatabaseError(
            kind,
            Box::new(message.to_owned()),
        ))
    }

    #[test]
    fn solo_los_fallos_de_alcance_cuentan_como_caida() {
        for outage in [
            "error connecting to server",
            "error communicating with the server",
            "timeout waiting for server",
            "connection closed",
            "the database system is starting up",
            "the database system is shutting down",
            "terminating connection due to administrator command",
        ] {
            assert!(
                is_outage(&setup_error(DatabaseErrorKind::UnableToSendCommand, outage)),
                "{outage}"
            );
        }
        assert!(is_outage(&setup_error(
            DatabaseErrorKind::ClosedConnection,
            "x"
        )));
        for answered in [
            "password authentication failed for user \"nadie\"",
            "database \"nada\" does not exist",
            "sorry, too many clients already",
            "invalid connection string",
        ] {
            assert!(
                !is_outage(&setup_error(DatabaseErrorKind::Unknown, answered)),
                "{answered}"
            );
        }
        assert!(!is_outage(&ConnectionError::InvalidConnectionUrl(
            "x".to_owned()
        )));
    }

    #[tokio::test]
    async fn caida_y_vuelta_con_sonda() {
        // Nothing listens on port 1: the probe keeps failing, the state stays down.
        let health = DbHealth::new("postgres://nadie@127.0.0.1:1/nada", Duration::from_secs(1));
        let seen = health.gate().unwrap();
        assert!(!health.is_known_down());

        let waiter = {
            let health = health.clone();
            tokio::spawn(async move { health.went_down_after(seen).await })
        };
        health.connect_failed(&setup_error(
            DatabaseErrorKind::UnableToSendCommand,
            "error connecting to server",
        ));
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("the waiter is woken by the transition")
            .unwrap();
        assert!(health.is_known_down());
        assert!(health.down_for().is_some());

        // Still down after a few probe attempts (their beats keep it trusted).
        tokio::time::sleep(PROBE_INTERVAL * 3).await;
        assert!(health.is_known_down());
        assert!(health.inner.probing.load(Ordering::Acquire));

        // A successful connection elsewhere turns it up; the probe then ends.
        health.connected();
        assert!(!health.is_known_down());
        assert_eq!(health.down_for(), None);
        let deadline = Instant::now() + Duration::from_secs(5);
        while health.inner.probing.load(Ordering::Acquire) {
            assert!(Instant::now() < deadline, "the probe did not end");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[test]
    fn un_estado_caido_sin_sonda_viva_deja_de_fallar_rapido() {
        let state = |age: Duration| DbHealth {
            inner: Arc::new(Inner {
                state: AtomicU64::new(DOWN + TRANSITION),
                down_since_ms: AtomicU64::new(0),
                // The probe's last beat was at the epoch, `age` ago.
                probe_beat_ms: AtomicU64::new(0),
                probing: AtomicBool::new(false),
                went_down: Notify::new(),
                epoch: Instant::now().checked_sub(age).unwrap(),
                url: String::new(),
                connect_timeout: Duration::from_secs(1),
            }),
        };
        let fresh = state(Duration::ZERO);
        assert!(fresh.is_known_down());
        assert!(fresh.gate().is_err());
        let stale = state(fresh.stale_after() + Duration::from_millis(100));
        assert!(
            !stale.is_known_down(),
            "a probe that stopped beating is not trusted"
        );
        assert!(stale.gate().is_ok());
    }
}
