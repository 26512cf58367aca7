//! Password hashing: Argon2id with OWASP's parameters, on tokio's blocking pool, behind a
//! semaphore.
//!
//! One hash takes `m` KiB of memory (19 MiB by default) and tens of milliseconds of one core.
//! Run on an async worker it would stall every request of that worker; run without a bound,
//! a login storm would take all the cores and memory. So each hash or verification waits for
//! a permit of a semaphore sized like the machine (one per CPU by default), then runs on
//! `spawn_blocking`: at most that many run at once, the async workers never hash, and a
//! storm only makes logins queue.
//!
//! The working memory is kept too: one `m` KiB buffer per permit, allocated at the first hash
//! and reused by every later one ([`Memoria`]). Left to the allocator, each hash would allocate
//! and free 19 MiB; glibc then raises its mmap threshold and keeps the freed blocks in the
//! arena of whichever blocking thread ran the hash, so a login storm left the process at
//! 650–800 MB of RSS (docs/benchmarks.md#logins-and-get-during-a-login-storm). With the
//! pool the memory is `permits × m`, whatever the storm.

use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, PasswordHash, Version};
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

/// Hashes and verifies passwords; cheap to share (`Arc` inside). Its `Debug` shows the
/// parameters and sizes, never a hash.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    size: usize,
    /// A hash of a random password with the current parameters, verified when the e-mail
    /// of a login is unknown so that it takes as long as a wrong password.
    dummy: Arc<OnceCell<String>>,
    /// Argon2's working memory, one buffer per permit.
    memoria: Arc<Memoria>,
}

/// Argon2's working memory between hashes: at most `keep` buffers of `blocks` 1 KiB blocks
/// (the current `m`). A hash takes one (or allocates it, the first time per permit) and gives
/// it back; a stored hash with a larger `m` than the current one gets a buffer of its own,
/// freed afterwards. Its `Debug` gives sizes only: the buffers hold what the last hashes
/// derived from their passwords (and are megabytes long).
struct Memoria {
    libres: Mutex<Vec<Vec<Block>>>,
    blocks: usize,
    keep: usize,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .field("max_concurrent", &self.size)
            .field("memoria", &self.memoria)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Memoria {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let libres = self.libres.lock().map_or(0, |l| l.len());
        f.debug_struct("Memoria")
            .field("blocks", &self.blocks)
            .field("keep", &self.keep)
            .field("libres", &libres)
            .finish()
    }
}

impl Memoria {
    fn new(blocks: usize, keep: usize) -> Self {
        Self {
            libres: Mutex::new(Vec::with_capacity(keep)),
            blocks,
            keep,
        }
    }

    /// A buffer of at least `blocks` blocks.
    fn tomar(&self, blocks: usize) -> Vec<Block> {
        if blocks <= self.blocks
            && let Some(buffer) = self
                .libres
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()
        {
            return buffer;
        }
        vec![Block::default(); blocks.max(self.blocks)]
    }

    /// Gives back a buffer of [`tomar`](Self::tomar) (kept if it is of the pool's size and
    /// the pool is not full).
    fn devolver(&self, buffer: Vec<Block>) {
        if buffer.len() == self.blocks {
            let mut libres = self.libres.lock().unwrap_or_else(PoisonError::into_inner);
            if libres.len() < self.keep {
                libres.push(buffer);
            }
        }
    }

    /// Argon2 (`algorithm`, `version`, `params`) of `password` with `salt`, in a pooled
    /// buffer.
    fn calcular(
        &self,
        algorithm: Algorithm,
        version: Version,
        params: &Params,
        password: &[u8],
        salt: &[u8],
    ) -> Result<Output, String> {
        let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let mut out = [0u8; Output::MAX_LENGTH];
        let out = out.get_mut(..len).ok_or("output length out of range")?;
        let mut buffer = self.tomar(params.block_count());
        let r = Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
            password,
            salt,
            out,
            buffer.as_mut_slice(),
        );
        self.devolver(buffer);
        r.map_err(|e| e.to_string())?;
        Output::new(out).map_err(|e| e.to_string())
    }
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
            memoria: Arc::new(Memoria::new(params.block_count(), permits)),
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
        let memoria = Arc::clone(&self.memoria);
        self.blocking(move || {
            let fallo = |e: String| ServiceError::Internal(format!("hashing failed: {e}"));
            let mut bytes = [0u8; argon2::RECOMMENDED_SALT_LEN];
            getrandom::fill(&mut bytes).map_err(|e| fallo(e.to_string()))?;
            let salt = Salt::new(&bytes).map_err(|e| fallo(e.to_string()))?;
            let hash = memoria
                .calcular(
                    Algorithm::Argon2id,
                    Version::V0x13,
                    &params,
                    password.expose().as_bytes(),
                    &salt,
                )
                .map_err(fallo)?;
            let phc = PasswordHash {
                algorithm: ARGON2ID_IDENT,
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&params).map_err(|e| fallo(e.to_string()))?,
                salt: Some(salt),
                hash: Some(hash),
            };
            Ok(phc.to_string())
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
        let memoria = Arc::clone(&self.memoria);
        self.blocking(move || {
            let no = Verificacion {
                ok: false,
                rehash: true,
            };
            let Ok(parsed) = PasswordHash::new(&phc) else {
                tracing::error!("a stored password hash is not a PHC string");
                return no;
            };
            // What the hash says it is; anything this build cannot compute never matches.
            let (Ok(algorithm), Some(Ok(version)), Ok(params), Some(salt), Some(expected)) = (
                Algorithm::try_from(parsed.algorithm.as_str()),
                parsed.version.map(Version::try_from),
                Params::try_from(&parsed),
                parsed.salt.as_ref(),
                parsed.hash.as_ref(),
            ) else {
                tracing::error!("a stored password hash is not an Argon2 hash this build reads");
                return no;
            };
            // `Output`'s equality is constant-time.
            let ok = memoria
                .calcular(
                    algorithm,
                    version,
                    &params,
                    password.expose().as_bytes(),
                    salt,
                )
                .is_ok_and(|computed| computed == *expected);
            let same = algorithm == Algorithm::Argon2id
                && version == Version::V0x13
                && (params.m_cost(), params.t_cost(), params.p_cost())
                    == (current.m_cost(), current.t_cost(), current.p_cost());
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

    /// The hashes stored before the pool (written by the `argon2` crate's own `PasswordHasher`)
    /// still verify, and the crate verifies the pool's: the same algorithm, byte for byte.
    #[tokio::test]
    async fn los_hashes_del_crate_argon2_y_los_propios_son_intercambiables() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let h = PasswordHasher::new(&rapido()).unwrap();
        let pw = Password::new("correcto caballo batería");
        let crate_argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, h.params.clone());
        let del_crate = crate_argon2
            .hash_password(pw.expose().as_bytes())
            .unwrap()
            .to_string();
        assert_eq!(
            h.verify(&pw, &del_crate).await.unwrap(),
            Verificacion {
                ok: true,
                rehash: false
            }
        );
        assert!(
            !h.verify(&Password::new("otra"), &del_crate)
                .await
                .unwrap()
                .ok
        );
        let propio = h.hash(&pw).await.unwrap();
        let parsed = PasswordHash::new(&propio).unwrap();
        assert!(
            crate_argon2
                .verify_password(pw.expose().as_bytes(), &parsed)
                .is_ok()
        );
        assert!(crate_argon2.verify_password(b"otra", &parsed).is_err());
        // Argon2i and version 0x10 still verify, and ask for a new hash.
        for (algorithm, version) in [
            (Algorithm::Argon2i, Version::V0x13),
            (Algorithm::Argon2id, Version::V0x10),
        ] {
            let viejo = Argon2::new(algorithm, version, h.params.clone())
                .hash_password(pw.expose().as_bytes())
                .unwrap()
                .to_string();
            assert_eq!(
                h.verify(&pw, &viejo).await.unwrap(),
                Verificacion {
                    ok: true,
                    rehash: true
                },
                "{viejo}"
            );
        }
    }

    /// However many hashes run, the pool keeps at most one buffer per permit, each of the
    /// current `m`; a stored hash with a larger `m` borrows a buffer of its own.
    #[tokio::test]
    async fn la_memoria_de_argon2_se_reutiliza_una_por_permiso() {
        let h = PasswordHasher::new(&rapido()).unwrap();
        let pw = Password::new("correcto caballo batería");
        let phc = h.hash(&pw).await.unwrap();
        let tareas: Vec<_> = (0..12)
            .map(|_| {
                let (h, pw, phc) = (h.clone(), pw.clone(), phc.clone());
                tokio::spawn(async move { h.verify(&pw, &phc).await.unwrap().ok })
            })
            .collect();
        for t in tareas {
            assert!(t.await.unwrap());
        }
        let libres = |h: &PasswordHasher| {
            let libres = h.memoria.libres.lock().unwrap();
            (libres.len(), libres.iter().all(|b| b.len() == 64))
        };
        let (n, tamano) = libres(&h);
        assert!((1..=2).contains(&n), "{n} buffers for 2 permits");
        assert!(tamano);
        let grande = PasswordHasher::new(&HasherSettings {
            m_cost_kib: 256,
            ..rapido()
        })
        .unwrap()
        .hash(&pw)
        .await
        .unwrap();
        let v = h.verify(&pw, &grande).await.unwrap();
        assert!(v.ok && v.rehash);
        let (m, tamano) = libres(&h);
        assert_eq!(m, n, "the larger buffer is not kept");
        assert!(tamano);
        // Debug names the sizes, not the blocks' contents.
        let debug = format!("{h:?}");
        assert!(
            debug.contains("blocks: 64") && debug.len() < 1000,
            "{debug}"
        );
        h.verify_dummy(&pw).await.unwrap();
        assert!(!format!("{h:?}").contains("$argon2"), "{h:?}");
    }

    #[test]
    fn los_parametros_por_defecto_son_los_de_owasp() {
        let d = HasherSettings::default();
        assert_eq!((d.m_cost_kib, d.t_cost, d.p_cost), (19_456, 2, 1));
    }
}
