//! Identity and access: passwords, sessions, login throttling and the session cache.
//!
//! [`Auth`] is built once per process from [`AuthSettings`] and shared (it is an `Arc`);
//! its methods take the pool like every other use case, so each actix worker can pass its
//! own. Call [`Auth::spawn_listener`] once at start-up, on the main runtime, so the session
//! cache is used (until then, and whenever the listener is down, every authentication reads
//! the database). The design is in `docs/auth.md`.

mod cache;
pub mod password;
mod sesiones;
pub mod throttle;
pub mod token;

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

pub use cache::{CacheSettings, ListenerEvent};
pub use password::{HasherSettings, PasswordHasher, Verificacion};
pub use sesiones::Purga;
pub use throttle::ThrottleSettings;

use crate::error::ServiceError;

/// Everything about authentication that is configurable, with the defaults documented on
/// each field.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// How long a token works after login (default 12 hours: a working day, so a token left
    /// on a shared machine dies overnight; it is an absolute expiry, not extended by use).
    pub token_ttl: Duration,
    /// `last_used_at` is written at most this often per session (default 1 minute).
    pub touch_interval: Duration,
    /// Argon2id's parameters and concurrency (default OWASP's, one hash per CPU).
    pub hasher: HasherSettings,
    /// Login throttling (default 5 per account, 100 per address, 15 minutes).
    pub throttle: ThrottleSettings,
    /// The session cache and its listener.
    pub cache: CacheSettings,
    /// `POST /auth/registro` is served (default off: 404).
    pub open_registration: bool,
    /// How often each process runs [`Auth::purgar`] (default 1 hour; `None`: never). Every
    /// replica may: the deletes are idempotent.
    pub purge_interval: Option<Duration>,
    /// How long an expired or revoked session is kept before [`Auth::purgar`] deletes it
    /// (default 7 days: who was logged in, from where, stays visible to an operator for a
    /// while after the fact).
    pub purge_after: Duration,
    /// At start-up, when no active admin exists, this account is created or made an active
    /// admin (FastAPI's FIRST_SUPERUSER)…
    pub bootstrap_admin_email: Option<String>,
    /// …with this password.
    pub bootstrap_admin_password: Option<SecretString>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            token_ttl: Duration::from_secs(12 * 3600),
            touch_interval: Duration::from_secs(60),
            hasher: HasherSettings::default(),
            throttle: ThrottleSettings::default(),
            cache: CacheSettings::default(),
            open_registration: false,
            purge_interval: Some(Duration::from_secs(3600)),
            purge_after: Duration::from_secs(7 * 24 * 3600),
            bootstrap_admin_email: None,
            bootstrap_admin_password: None,
        }
    }
}

#[derive(Debug)]
struct Inner {
    settings: AuthSettings,
    hasher: PasswordHasher,
    cache: Arc<cache::SessionCache>,
}

/// The authentication service of one process: settings, the password hasher and the session
/// cache. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

impl Auth {
    /// Builds the service. The cache stays bypassed until [`spawn_listener`](Self::spawn_listener).
    ///
    /// # Errors
    /// [`ServiceError::Internal`] when the Argon2 parameters are invalid.
    pub fn new(settings: AuthSettings) -> Result<Self, ServiceError> {
        let hasher = PasswordHasher::new(&settings.hasher)?;
        let cache = Arc::new(cache::SessionCache::new(
            settings.cache.clone(),
            settings.touch_interval,
        ));
        Ok(Self {
            inner: Arc::new(Inner {
                settings,
                hasher,
                cache,
            }),
        })
    }

    /// The settings it was built with.
    pub fn settings(&self) -> &AuthSettings {
        &self.inner.settings
    }

    /// The password hasher (for the CLI's `usuarios crear`).
    pub fn hasher(&self) -> &PasswordHasher {
        &self.inner.hasher
    }

    fn cache(&self) -> &cache::SessionCache {
        &self.inner.cache
    }

    /// Starts the listener that keeps the session cache correct across replicas, on the
    /// current tokio runtime (call it once, from the main runtime, not from an actix
    /// worker). It runs, reconnecting as needed, until the handle is aborted.
    pub fn spawn_listener(&self, database_url: impl Into<String>) -> JoinHandle<()> {
        cache::spawn_listener(Arc::clone(&self.inner.cache), database_url.into())
    }

    /// The listener of [`spawn_listener`](Self::spawn_listener) as a future, for a caller
    /// that runs it on an executor of its own (the server: on its main arbiter, so that it
    /// stops with the server).
    pub fn listener(
        &self,
        database_url: impl Into<String>,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        cache::listen(Arc::clone(&self.inner.cache), database_url.into())
    }

    /// What the listener does, as it happens (for logs, metrics, and tests that must wait
    /// until a notification has been processed).
    pub fn listener_events(&self) -> broadcast::Receiver<ListenerEvent> {
        self.cache().subscribe()
    }

    /// How many sessions this process has cached.
    pub fn cached_sessions(&self) -> usize {
        self.cache().len()
    }

    /// Whether the session cache is in use (its listener is connected).
    pub fn cache_online(&self) -> bool {
        self.cache().is_online()
    }
}
