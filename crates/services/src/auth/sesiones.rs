//! Login, authentication, logout and the caller's sessions.

use std::net::IpAddr;
use std::sync::Arc;

use solicitudes_domain::{Caller, SesionId, UsuarioId};
use solicitudes_persistence::models::{NewSesion, UsuarioChanges};
use solicitudes_persistence::usuarios::{self as usuarios_db, RevocarSesiones, UsuarioUpdate};
use solicitudes_persistence::{DbPool, login_fallos, sesiones as db};
use solicitudes_schemas::auth::{LoginForm, PasswordChange, SesionResponse, TokenResponse};
use time::OffsetDateTime;

use super::cache::Lookup;
use super::throttle::{self, Claves};
use super::{Auth, token};
use crate::error::ServiceError;

/// What one [`Auth::purgar`] deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purga {
    /// Sessions expired or revoked more than [`super::AuthSettings::purge_after`] ago.
    pub sesiones: usize,
    /// Login-failure rows whose run of failures is over and that block nothing.
    pub login_fallos: usize,
}

/// `now` minus `d`, or the Unix epoch (so nothing counts as old enough) when that is not a
/// representable instant.
fn hace(now: OffsetDateTime, d: std::time::Duration) -> OffsetDateTime {
    time::Duration::try_from(d)
        .ok()
        .and_then(|d| now.checked_sub(d))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Longest `User-Agent` kept with a session, in characters.
const MAX_USER_AGENT: usize = 512;

impl Auth {
    /// `POST /auth/token`: checks e-mail and password and opens a session.
    ///
    /// The same [`ServiceError::Unauthorized`], after the same Argon2 work, for an unknown
    /// e-mail, a wrong password and a deactivated account. A key (the account, `cliente`)
    /// blocked by earlier failures gets [`ServiceError::RateLimited`] without its password
    /// being checked. A correct password stored with old parameters is re-hashed.
    ///
    /// # Errors
    /// As said, and [`ServiceError::Unavailable`] when the database cannot be reached.
    #[tracing::instrument(skip_all)]
    pub async fn login(
        &self,
        pool: &DbPool,
        form: &LoginForm,
        cliente: Option<IpAddr>,
        user_agent: Option<&str>,
    ) -> Result<TokenResponse, ServiceError> {
        let claves = Claves::new(&form.username, cliente);
        let usuario = {
            let mut conn = pool.get().await?;
            throttle::comprobar(&mut conn, &claves).await?;
            usuarios_db::find_by_email(&mut conn, &form.username).await?
        };
        // No connection is held while hashing.
        let (ok, rehash) = match &usuario {
            Some(u) => {
                let v = self
                    .hasher()
                    .verify(&form.password, &u.password_hash)
                    .await?;
                (v.ok && u.activo, v.ok && v.rehash)
            }
            None => {
                self.hasher().verify_dummy(&form.password).await?;
                (false, false)
            }
        };
        let Some(usuario) = usuario.filter(|_| ok) else {
            let mut conn = pool.get().await?;
            throttle::fallo(&mut conn, &self.settings().throttle, &claves).await?;
            return Err(ServiceError::Unauthorized);
        };
        let nuevo_hash = if rehash {
            Some(self.hasher().hash(&form.password).await?)
        } else {
            None
        };
        let token = token::nuevo()?;
        let hash = token::hash(&token)
            .ok_or_else(|| ServiceError::Internal("a new token is malformed".to_owned()))?;
        let ttl = self.settings().token_ttl;
        let expires_at = OffsetDateTime::now_utc() + ttl;
        let user_agent: Option<String> = user_agent.map(|ua| {
            ua.chars()
                .filter(|c| *c != '\0')
                .take(MAX_USER_AGENT)
                .collect()
        });
        let mut conn = pool.get().await?;
        throttle::exito(&mut conn, &claves).await?;
        if let Some(h) = &nuevo_hash {
            let changes = UsuarioChanges {
                password_hash: Some(h),
                ..UsuarioChanges::default()
            };
            usuarios_db::update(&mut conn, usuario.id, &changes, RevocarSesiones::Ninguna).await?;
        }
        db::insert(
            &mut conn,
            &NewSesion {
                id: SesionId::new().into(),
                usuario_id: usuario.id,
                token_hash: &hash,
                expires_at,
                user_agent: user_agent.as_deref(),
            },
        )
        .await?;
        Ok(TokenResponse {
            access_token: token,
            token_type: "bearer".to_owned(),
            expires_in: i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX),
        })
    }

    /// The caller a bearer token stands for, with the usuario's rol, persona and e-mail as
    /// they are now. From the cache, no SQL, when possible; otherwise one indexed statement
    /// (see [`super::cache`]). `last_used_at` is written at most once per
    /// [`super::AuthSettings::touch_interval`], by a spawned task, never by this call.
    ///
    /// # Errors
    /// [`ServiceError::Unauthorized`] for a malformed, unknown, expired or revoked token or an
    /// inactive account; [`ServiceError::Unavailable`] when the database is needed and down.
    pub async fn authenticate(
        &self,
        pool: &DbPool,
        token: &str,
    ) -> Result<Arc<Caller>, ServiceError> {
        let hash = token::hash(token).ok_or(ServiceError::Unauthorized)?;
        let now = OffsetDateTime::now_utc();
        let generation = match self.cache().lookup(&hash, now) {
            Lookup::Hit { caller, touch } => {
                if touch {
                    self.touch(pool, caller.sesion_id);
                }
                return Ok(caller);
            }
            Lookup::Expired => return Err(ServiceError::Unauthorized),
            Lookup::Miss(generation) => generation,
        };
        let mut conn = pool.get().await?;
        let viva = db::autenticar(&mut conn, &hash)
            .await?
            .ok_or(ServiceError::Unauthorized)?;
        drop(conn);
        let caller = Arc::new(Caller {
            usuario_id: viva.usuario_id.into(),
            email: viva.email,
            rol: viva.rol.0,
            persona_id: viva.persona_id.map(Into::into),
            sesion_id: viva.sesion_id.into(),
        });
        let due = now - viva.last_used_at >= self.settings().touch_interval;
        // Mark it as touched in the cache too, so a hit right after does not touch again.
        let last = if due { now } else { viva.last_used_at };
        self.cache()
            .insert(hash, Arc::clone(&caller), viva.expires_at, last, generation);
        if due {
            self.touch(pool, caller.sesion_id);
        }
        Ok(caller)
    }

    /// Housekeeping: deletes the sessions that expired or were revoked more than
    /// [`super::AuthSettings::purge_after`] ago (they can never authenticate again), and the
    /// login-failure rows with no failure for a throttle window that block nothing (their run
    /// is over: the next failure starts a new one). Two statements; safe to run on every
    /// replica at once. The server runs it every [`super::AuthSettings::purge_interval`].
    ///
    /// # Errors
    /// [`ServiceError::Unavailable`] when the database cannot be reached.
    pub async fn purgar(&self, pool: &DbPool) -> Result<Purga, ServiceError> {
        let now = OffsetDateTime::now_utc();
        let mut conn = pool.get().await?;
        let sesiones = db::purgar(&mut conn, hace(now, self.settings().purge_after)).await?;
        let login_fallos =
            login_fallos::purgar(&mut conn, hace(now, self.settings().throttle.window)).await?;
        Ok(Purga {
            sesiones,
            login_fallos,
        })
    }

    /// Records a use of `sesion` off the request path.
    fn touch(&self, pool: &DbPool, sesion: SesionId) {
        let pool = pool.clone();
        let every = self.settings().touch_interval.as_secs_f64();
        // Spawned: the request does not wait for it, and a failure only delays the record.
        drop(tokio::spawn(async move {
            let Ok(mut conn) = pool.get().await else {
                return;
            };
            if let Err(error) = db::touch(&mut conn, sesion.into(), every).await {
                tracing::debug!(%error, "could not record a session's last use");
            }
        }));
    }

    /// `POST /auth/logout`: the caller's session is dead at once (on this replica at once,
    /// on the others when the notification arrives).
    ///
    /// # Errors
    /// [`ServiceError::Unavailable`] when the database cannot be reached.
    #[tracing::instrument(skip_all)]
    pub async fn logout(&self, pool: &DbPool, caller: &Caller) -> Result<(), ServiceError> {
        self.revocar_sesion(pool, caller, caller.sesion_id)
            .await
            .or_else(|e| match e {
                // Revoked concurrently (another logout): the outcome the caller wanted.
                ServiceError::NotFound(_) => Ok(()),
                e => Err(e),
            })
    }

    /// `GET /auth/sesiones`: the caller's live sessions, newest first, marking the one of
    /// this request.
    ///
    /// # Errors
    /// [`ServiceError::Unavailable`] when the database cannot be reached.
    #[tracing::instrument(skip_all)]
    pub async fn sesiones(
        &self,
        pool: &DbPool,
        caller: &Caller,
    ) -> Result<Vec<SesionResponse>, ServiceError> {
        let mut conn = pool.get().await?;
        let vivas = db::vivas(&mut conn, caller.usuario_id.into()).await?;
        Ok(vivas
            .into_iter()
            .map(|s| SesionResponse {
                id: s.id.into(),
                created_at: s.created_at,
                last_used_at: s.last_used_at,
                expires_at: s.expires_at,
                user_agent: s.user_agent,
                actual: SesionId::from(s.id) == caller.sesion_id,
            })
            .collect())
    }

    /// `DELETE /auth/sesiones/{id}`: revokes one of the caller's own sessions.
    ///
    /// # Errors
    /// [`ServiceError::NotFound`] when the caller has no such live session — also when it is
    /// someone else's, so other people's session ids cannot be probed.
    #[tracing::instrument(skip_all, fields(%id))]
    pub async fn revocar_sesion(
        &self,
        pool: &DbPool,
        caller: &Caller,
        id: SesionId,
    ) -> Result<(), ServiceError> {
        let mut conn = pool.get().await?;
        if !db::revocar(&mut conn, id.into(), caller.usuario_id.into()).await? {
            return Err(ServiceError::NotFound(crate::Recurso::Sesion(id)));
        }
        self.cache().evict_usuario(caller.usuario_id);
        Ok(())
    }

    /// `POST /auth/password`: changes the caller's password and revokes every other session
    /// of the account (this one stays). A wrong `actual` is a 422 on `["body","actual"]` and
    /// counts as a failed login of the account (and of `cliente`).
    ///
    /// # Errors
    /// [`ServiceError::PasswordActualIncorrecta`] for a wrong `actual`, [`ServiceError::RateLimited`] while the
    /// account or address is blocked, [`ServiceError::Unauthorized`] when the account is gone
    /// or inactive.
    #[tracing::instrument(skip_all)]
    pub async fn cambiar_password(
        &self,
        pool: &DbPool,
        caller: &Caller,
        dto: &PasswordChange,
        cliente: Option<IpAddr>,
    ) -> Result<(), ServiceError> {
        let claves = Claves::new(&caller.email, cliente);
        let usuario = {
            let mut conn = pool.get().await?;
            throttle::comprobar(&mut conn, &claves).await?;
            usuarios_db::find(&mut conn, caller.usuario_id.into())
                .await?
                .filter(|u| u.activo)
                .ok_or(ServiceError::Unauthorized)?
        };
        let v = self
            .hasher()
            .verify(&dto.actual, &usuario.password_hash)
            .await?;
        if !v.ok {
            let mut conn = pool.get().await?;
            throttle::fallo(&mut conn, &self.settings().throttle, &claves).await?;
            return Err(ServiceError::PasswordActualIncorrecta);
        }
        let hash = self.hasher().hash(&dto.nueva).await?;
        let mut conn = pool.get().await?;
        throttle::exito(&mut conn, &claves).await?;
        let changes = UsuarioChanges {
            password_hash: Some(&hash),
            ..UsuarioChanges::default()
        };
        let revocar = RevocarSesiones::Salvo(caller.sesion_id.into());
        match usuarios_db::update(&mut conn, usuario.id, &changes, revocar).await? {
            UsuarioUpdate::Updated(_) => {
                self.cache().evict_usuario(caller.usuario_id);
                Ok(())
            }
            UsuarioUpdate::NotFound | UsuarioUpdate::LastAdmin => Err(ServiceError::Unauthorized),
        }
    }

    /// Forgets, on this process, every cached session of `usuario` (the other replicas hear
    /// of it through the database's notification). The use cases of this crate that change
    /// a usuario already call it.
    pub fn invalidar(&self, usuario: UsuarioId) {
        self.cache().evict_usuario(usuario);
    }
}
