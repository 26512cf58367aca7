//! Password hashing: Argon2id with OWASP's parameters, on tokio's blocking pool, behind a
//! semaphore.
//!
//! One hash takes `m` KiB of memory (19 MiB by default) and tens of milliseconds of one core.
//! Run on an async worker it would stall every request of that worker; run without a bound,
//! a login storm would take all the cores and memory. So each hash or verification waits for
//! a permit of a semaphore sized like the machine (one per CPU by default), then runs on
//! `spawn_blocking`: at most that many run at once, the async workers never hash, and a
//! storm only makes logins queue.

use std::sync::Arc;

use argon2::{
    ARGON2ID_IDENT, Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _,
    PasswordVerifier as _, Version,
};
use solicitudes_schemas::auth::Password;
use tokio::sync::{OnceCell, Semaphore};

use crate::error::ServiceError;

/// Argon2id's cost parameters, and how many hashes may run at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HasherSettings {
    /// Memory per hash, in KiB (OWASP: 19 456 = 19 MiB).
    pub m_cost_kib: u32,
    /// Passes (OWASP: 2).
    pub t_cost: u32,
    /// Lanes (OWASP: 1).
    pub p_cost: u32,
    /// Hashes running at once (`None`: one per CPU). Memory bound: this × `m_cost_kib`.
    pub max_concurrent: Option<usize>,
}

impl Default for HasherSettings {
    fn default() -> Self {
        Self {
            m_cost_kib: 19 * 1024,
            t_cost: 2,
            p_cost: 1,
            max_concurrent: None,
        }
    }
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verificacion {
    /// Whether the password matches.
    pub ok: bool,
    /// Whether the stored hash was made with other parameters than the current ones (or is
    /// not Argon2id v19): hash the password again while it is at hand.
    pub rehash: bool,
}

/// Hashes and verifies passwords; cheap to share (`Arc` inside).
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    size: usize,
    /// A hash of a random password with the current parameters, verified when the e-mail
    /// of a login is unknown so that it takes as long as a wrong password.
    dummy: Arc<OnceCell<String>>,
}

impl PasswordHasher {
    /// A hasher with these parameters.
    ///
    /// # Errors
    /// [`ServiceError::Internal`] when Argon2 refuses the parameters (e.g. `m` below 8 KiB).
    pub fn new(settings: &HasherSettings) -> Result<Self, ServiceError> {
        let params = Params::new(settings.m_cost_kib, settings.t_cost, settings.p_cost, None)
            .map_err(|e| ServiceError::Internal(format!("invalid Argon2 parameters: {e}")))?;
        let permits = settings
            .max_concurrent
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
            .max(1);
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(permits)),
            size: permits,
            dummy: Arc::new(OnceCell::new()),
        })
    }

    /// How many hashes may run at once.
    pub fn max_concurrent(&self) -> usize {
        self.size
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// Runs `f` on the blocking pool once a permit is free.
    async fn blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, ServiceError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|e| ServiceError::Internal(format!("hasher semaphore closed: {e}")))?;
        tokio::task::spawn_blocking(move || {
            let r = f();
            drop(permit);
            r
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing task failed: {e}")))
    }

    /// The PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) of `password`, with a fresh
    /// 16-byte salt from the OS.
    ///
    /// # Errors
    /// [`ServiceError::Internal`] when hashing fails (the OS random generator, a bug).
    pub async fn hash(&self, password: &Password) -> Result<String, ServiceError> {
        let password = password.clone();
        let params = self.params.clone();
        self.blocking(move || {
            Self::argon2(params)
                .hash_password(password.expose().as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| ServiceError::Internal(format!("hashing failed: {e}")))
        })
        .await?
    }

    /// Checks `password` against the stored PHC string `phc`. A hash that does not parse
    /// never matches (and is logged: the database holds something this service did not
    /// write).
    ///
    /// # Errors
    /// [`ServiceError::Internal`] when the hashing task fails.
    pub async fn verify(
        &self,
        password: &Password,
        phc: &str,
    ) -> Result<Verificacion, ServiceError> {
        let password = password.clone();
        let phc = phc.to_owned();
        let current = self.params.clone();
        self.blocking(move || {
            let Ok(parsed) = PasswordHash::new(&phc) else {
                tracing::error!("a stored password hash is not a PHC string");
                return Verificacion {
                    ok: false,
                    rehash: true,
                };
            };
            let ok = Self::argon2(current.clone())
                .verify_password(password.expose().as_bytes(), phc.as_str())
                .is_ok();
            let same = parsed.algorithm == ARGON2ID_IDENT
                && parsed.version == Some(Version::V0x13.into())
                && Params::try_from(&parsed).is_ok_and(|p| {
                    (p.m_cost(), p.t_cost(), p.p_cost())
                        == (current.m_cost(), current.t_cost(), current.p_cost())
                });
            Verificacion { ok, rehash: !same }
        })
        .await
    }

    /// Does the work of [`verify`](Self::verify) against a hash no password matches: what a
    /// login for an unknown e-mail costs, so it answers in the same time as a wrong password.
    ///
    /// # Errors
    /// [`ServiceError::Internal`] when hashing fails.
    pub async fn verify_dummy(&self, password: &Password) -> Result<(), ServiceError> {
        let dummy = self
            .dummy
            .get_or_try_init(|| async {
                let random = crate::auth::token::nuevo()?;
                self.hash(&Password::new(random)).await
            })
            .await?
            .clone();
        self.verify(password, &dummy).await.map(|_| ())
    }
}

/// A new random password for a generated account (the demo accounts of
/// `solicitudes-api seed`): 18 bytes from the OS CSPRNG (`getrandom`, as for tokens) in
/// base64url — 24 characters, 144 bits, nothing a shell or a config file needs quoted.
///
/// # Errors
/// [`ServiceError::Internal`] when the OS random generator fails.
pub fn aleatoria() -> Result<Password, ServiceError> {
    use base64::Engine;
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes)
        .map_err(|e| ServiceError::Internal(format!("the OS random generator failed: {e}")))?;
    Ok(Password::new(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rapido() -> HasherSettings {
        HasherSettings {
            m_cost_kib: 64,
            t_cost: 1,
            p_cost: 1,
            max_concurrent: Some(2),
        }
    }

    #[test]
    fn una_clave_aleatoria_tiene_24_caracteres_base64url_y_no_se_repite() {
        let a = aleatoria().unwrap();
        let b = aleatoria().unwrap();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.chars(), 24);
        assert!(
            a.expose()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[tokio::test]
    async fn hash_y_verificacion_argon2id() {
        let h = PasswordHasher::new(&rapido()).unwrap();
        let pw = Password::new("correcto caballo batería");
        let phc = h.hash(&pw).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        assert_ne!(phc, h.hash(&pw).await.unwrap(), "a fresh salt each time");
        let v = h.verify(&pw, &phc).await.unwrap();
        assert_eq!(
            v,
            Verificacion {
                ok: true,
                rehash: false
            }
        );
        let v = h.verify(&Password::new("otra"), &phc).await.unwrap();
        assert!(!v.ok);
        // Nothing is truncated: the 129th character counts.
        let largo = Password::new("x".repeat(128));
        let phc = h.hash(&largo).await.unwrap();
        assert!(
            !h.verify(&Password::new("x".repeat(127)), &phc)
                .await
                .unwrap()
                .ok
        );
        assert!(
            !h.verify(&Password::new("x".repeat(129)), &phc)
                .await
                .unwrap()
                .ok
        );
    }

    #[tokio::test]
    async fn otros_parametros_piden_rehacer_el_hash() {
        let viejo = PasswordHasher::new(&rapido()).unwrap();
        let nuevo = PasswordHasher::new(&HasherSettings {
            m_cost_kib: 128,
            ..rapido()
        })
        .unwrap();
        let pw = Password::new("correcto caballo batería");
        let phc = viejo.hash(&pw).await.unwrap();
        assert_eq!(
            nuevo.verify(&pw, &phc).await.unwrap(),
            Verificacion {
                ok: true,
                rehash: true
            }
        );
        let basura = nuevo.verify(&pw, "no es un hash").await.unwrap();
        assert!(!basura.ok && basura.rehash);
        nuevo.verify_dummy(&pw).await.unwrap();
    }

    #[test]
    fn los_parametros_por_defecto_son_los_de_owasp() {
        let d = HasherSettings::default();
        assert_eq!((d.m_cost_kib, d.t_cost, d.p_cost), (19_456, 2, 1));
    }
}
