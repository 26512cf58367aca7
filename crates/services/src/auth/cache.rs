//! The in-process cache of authenticated sessions, and the listener that keeps it correct
//! across replicas. The design and its one residual window are in `docs/auth.md`.
//!
//! - A hit (token hash → [`Caller`]) costs no SQL: an authenticated `GET` by id stays at one
//!   statement. Expiry is checked against the cached `expires_at`.
//! - Every change that affects authentication notifies [`solicitudes_persistence::notify::CANAL`]
//!   with the usuario's id in the writing transaction; the listener evicts that usuario's
//!   entries when the notification arrives.
//! - While the listener's connection is down the cache is empty and bypassed (every request
//!   reads the database); when it is back, the cache is cleared again, because notifications
//!   may have been missed in between.
//! - A miss reads the database and caches the answer only if no eviction happened meanwhile
//!   (a generation counter): a read that raced with a change can never be cached stale.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use solicitudes_domain::{Caller, UsuarioId};
use solicitudes_persistence::notify::AuthListener;
use time::OffsetDateTime;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

/// How the cache and its listener behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheSettings {
    /// Most sessions cached per process; beyond it, expired entries are dropped, and if
    /// that is not enough the cache starts over (every entry is re-read on next use).
    pub max_entries: usize,
    /// Without notifications for this long, the listener checks its connection with a
    /// `SELECT 1`; a silently dead connection is noticed within about twice this.
    pub listener_idle: Duration,
    /// First wait before reconnecting a lost listener; doubles up to `reconnect_max`.
    pub reconnect_min: Duration,
    /// Longest wait between reconnection attempts.
    pub reconnect_max: Duration,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            max_entries: 100_000,
            listener_idle: Duration::from_secs(30),
            reconnect_min: Duration::from_millis(250),
            reconnect_max: Duration::from_secs(10),
        }
    }
}

/// What the listener did (for logs, metrics and tests that must wait for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenerEvent {
    /// Listening: the cache was cleared and is in use.
    Conectado,
    /// A notification for this usuario arrived and their entries were evicted.
    Evictado(UsuarioId),
    /// A notification whose payload is not a usuario id: everything was evicted.
    Limpiado,
    /// The connection was lost, or could not be made: the cache was cleared and is bypassed
    /// until (re)connected.
    Caido,
}

#[derive(Debug)]
struct Entry {
    /// Shared with every request that presents the token (a hit clones the `Arc`, not the
    /// caller and its e-mail).
    caller: Arc<Caller>,
    expires_at: OffsetDateTime,
    /// Unix seconds of the last `last_used_at` this process wrote or saw.
    last_touch: AtomicI64,
}

/// What a lookup found.
#[derive(Debug, Clone)]
pub(crate) enum Lookup {
    /// Cached and not expired; `touch` says whether `last_used_at` is due a write.
    Hit { caller: Arc<Caller>, touch: bool },
    /// Cached but expired (the entry is gone now).
    Expired,
    /// Not cached, or the cache is bypassed; read the database (with this generation).
    Miss(u64),
}

/// The cache. Shared by every worker of a process (`Arc`). Its `Debug` says how many
/// sessions it holds, never their token hashes.
pub(crate) struct SessionCache {
    map: RwLock<HashMap<[u8; 32], Entry>>,
    online: AtomicBool,
    generation: AtomicU64,
    settings: CacheSettings,
    touch_every: i64,
    events: broadcast::Sender<ListenerEvent>,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache")
            .field("sessions", &self.len())
            .field("online", &self.is_online())
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl SessionCache {
    pub(crate) fn new(settings: CacheSettings, touch_every: Duration) -> Self {
        let (events, _) = broadcast::channel(1024);
        Self {
            map: RwLock::new(HashMap::new()),
            online: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            settings,
            touch_every: i64::try_from(touch_every.as_secs()).unwrap_or(i64::MAX),
            events,
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, HashMap<[u8; 32], Entry>> {
        self.map
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<[u8; 32], Entry>> {
        self.map
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the listener is up (the cache is in use).
    pub(crate) fn is_online(&self) -> bool {
        self.online.load(Ordering::Acquire)
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ListenerEvent> {
        self.events.subscribe()
    }

    pub(crate) fn len(&self) -> usize {
        self.read().len()
    }

    pub(crate) fn lookup(&self, hash: &[u8; 32], now: OffsetDateTime) -> Lookup {
        // The generation is read before the map: an eviction after this point bumps it, and
        // the caller's later insert is refused.
        let generation = self.generation.load(Ordering::Acquire);
        if !self.is_online() {
            return Lookup::Miss(generation);
        }
        let expired = {
            let map = self.read();
            let Some(entry) = map.get(hash) else {
                return Lookup::Miss(generation);
            };
            if now < entry.expires_at {
                let secs = now.unix_timestamp();
                let last = entry.last_touch.load(Ordering::Relaxed);
                // Only one request per interval wins the exchange and writes last_used_at.
                let touch = secs - last >= self.touch_every
                    && entry
                        .last_touch
                        .compare_exchange(last, secs, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok();
                return Lookup::Hit {
                    caller: Arc::clone(&entry.caller),
                    touch,
                };
            }
            true
        };
        if expired {
            self.write().remove(hash);
        }
        Lookup::Expired
    }

    /// Caches what the database said, unless the cache is bypassed or anything was evicted
    /// since `generation` was read (then the answer may already be stale).
    pub(crate) fn insert(
        &self,
        hash: [u8; 32],
        caller: Arc<Caller>,
        expires_at: OffsetDateTime,
        last_used_at: OffsetDateTime,
        generation: u64,
    ) {
        let mut map = self.write();
        if !self.is_online() || self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if map.len() >= self.settings.max_entries {
            let now = OffsetDateTime::now_utc();
            map.retain(|_, e| e.expires_at > now);
            if map.len() >= self.settings.max_entries {
                map.clear();
            }
        }
        map.insert(
            hash,
            Entry {
                caller,
                expires_at,
                last_touch: AtomicI64::new(last_used_at.unix_timestamp()),
            },
        );
    }

    /// Forgets every session of `usuario` (cached on this process).
    pub(crate) fn evict_usuario(&self, usuario: UsuarioId) {
        let mut map = self.write();
        self.generation.fetch_add(1, Ordering::AcqRel);
        map.retain(|_, e| e.caller.usuario_id != usuario);
    }

    fn reset(&self, online: bool) {
        let mut map = self.write();
        self.generation.fetch_add(1, Ordering::AcqRel);
        map.clear();
        self.online.store(online, Ordering::Release);
    }

    fn emit(&self, event: ListenerEvent) {
        // No subscriber is fine.
        let _ = self.events.send(event);
    }
}

/// Starts the listener of `cache` on the current tokio runtime: it connects to
/// `database_url` (a connection of its own, outside the pool), `LISTEN`s, evicts on every
/// notification, and reconnects with backoff when the connection is lost. It runs until the
/// returned handle is aborted (or the runtime stops).
pub(crate) fn spawn_listener(cache: Arc<SessionCache>, database_url: String) -> JoinHandle<()> {
    tokio::spawn(listen(cache, database_url))
}

/// The listener of [`spawn_listener`], as a future, for the caller to run where it likes.
pub(crate) async fn listen(cache: Arc<SessionCache>, database_url: String) {
    let mut wait = cache.settings.reconnect_min;
    loop {
        match AuthListener::connect(&database_url).await {
            Ok(mut listener) => {
                // Listening from here on: whatever changed before is covered by starting
                // from an empty cache.
                cache.reset(true);
                cache.emit(ListenerEvent::Conectado);
                tracing::info!("session cache: listening for authentication changes");
                wait = cache.settings.reconnect_min;
                loop {
                    match listener.next(cache.settings.listener_idle).await {
                        Ok(Some(payload)) => match payload.parse::<UsuarioId>() {
                            Ok(id) => {
                                cache.evict_usuario(id);
                                cache.emit(ListenerEvent::Evictado(id));
                            }
                            Err(_) => {
                                cache.reset(true);
                                cache.emit(ListenerEvent::Limpiado);
                            }
                        },
                        Ok(None) => {}
                        Err(error) => {
                            tracing::warn!(%error, "session cache: listener lost; bypassing the cache");
                            break;
                        }
                    }
                }
                cache.reset(false);
                cache.emit(ListenerEvent::Caido);
            }
            Err(error) => {
                tracing::warn!(%error, "session cache: cannot listen; bypassing the cache");
                cache.emit(ListenerEvent::Caido);
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(cache.settings.reconnect_max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solicitudes_domain::{Rol, SesionId};

    fn caller() -> Arc<Caller> {
        Arc::new(Caller {
            usuario_id: UsuarioId::new(),
            email: "a@b.co".into(),
            rol: Rol::Revisor,
            persona_id: None,
            sesion_id: SesionId::new(),
        })
    }

    fn cache() -> SessionCache {
        SessionCache::new(CacheSettings::default(), Duration::from_secs(60))
    }

    #[test]
    fn sin_listener_no_se_guarda_nada() {
        let c = cache();
        let now = OffsetDateTime::now_utc();
        let Lookup::Miss(g) = c.lookup(&[1; 32], now) else {
            panic!()
        };
        c.insert([1; 32], caller(), now + Duration::from_secs(60), now, g);
        assert_eq!(c.len(), 0);
        assert!(matches!(c.lookup(&[1; 32], now), Lookup::Miss(_)));
    }

    #[test]
    fn el_debug_de_la_cache_no_muestra_los_hashes_de_los_tokens() {
        let c = cache();
        c.reset(true);
        let now = OffsetDateTime::now_utc();
        let Lookup::Miss(g) = c.lookup(&[0xab; 32], now) else {
            panic!()
        };
        c.insert([0xab; 32], caller(), now + Duration::from_secs(60), now, g);
        assert_eq!(c.len(), 1);
        let debug = format!("{c:?}");
        assert!(debug.contains("sessions: 1"), "{debug}");
        assert!(!debug.contains("171"), "a byte of the hash: {debug}");
        assert!(!debug.contains("a@b.co"), "a cached caller: {debug}");
    }

    #[test]
    fn una_lectura_que_se_cruza_con_una_expulsion_no_se_guarda() {
        let c = cache();
        c.reset(true);
        let now = OffsetDateTime::now_utc();
        let a = caller();
        let Lookup::Miss(g) = c.lookup(&[1; 32], now) else {
            panic!()
        };
        // A notification is processed while the database read is in flight.
        c.evict_usuario(a.usuario_id);
        c.insert([1; 32], a.clone(), now + Duration::from_secs(60), now, g);
        assert_eq!(c.len(), 0);
        let Lookup::Miss(g) = c.lookup(&[1; 32], now) else {
            panic!()
        };
        c.insert([1; 32], a.clone(), now + Duration::from_secs(60), now, g);
        assert!(matches!(c.lookup(&[1; 32], now), Lookup::Hit { .. }));
        c.evict_usuario(a.usuario_id);
        assert!(matches!(c.lookup(&[1; 32], now), Lookup::Miss(_)));
    }

    #[test]
    fn la_caducidad_se_comprueba_en_local_y_last_used_una_vez_por_minuto() {
        let c = cache();
        c.reset(true);
        let now = OffsetDateTime::now_utc();
        let Lookup::Miss(g) = c.lookup(&[1; 32], now) else {
            panic!()
        };
        c.insert([1; 32], caller(), now + Duration::from_secs(120), now, g);
        let touch = |t| match c.lookup(&[1; 32], t) {
            Lookup::Hit { touch, .. } => touch,
            other => panic!("{other:?}"),
        };
        assert!(!touch(now + Duration::from_secs(30)));
        assert!(touch(now + Duration::from_secs(61)));
        assert!(
            !touch(now + Duration::from_secs(62)),
            "only once per interval"
        );
        assert!(matches!(
            c.lookup(&[1; 32], now + Duration::from_secs(120)),
            Lookup::Expired
        ));
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn lleno_se_vacia_antes_de_crecer() {
        let c = SessionCache::new(
            CacheSettings {
                max_entries: 2,
                ..CacheSettings::default()
            },
            Duration::from_secs(60),
        );
        c.reset(true);
        let now = OffsetDateTime::now_utc();
        for i in 0..5u8 {
            let Lookup::Miss(g) = c.lookup(&[i; 32], now) else {
                panic!()
            };
            c.insert([i; 32], caller(), now + Duration::from_secs(60), now, g);
            assert!(c.len() <= 2);
        }
    }
}
