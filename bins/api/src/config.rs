//! Configuration: built-in defaults → optional TOML file (`--config PATH`) → environment.
//!
//! Environment overrides use `APP__SECTION__KEY` (e.g. `APP__SERVER__PORT=9000`,
//! `APP__SERVER__CORS_ORIGINS=http://a.example,http://b.example`); `DATABASE_URL` sets
//! `database.url` unless `APP__DATABASE__URL` is given. Every key is listed in
//! `docs/configuration.md`. [`Settings::load`] validates everything and names the offending
//! key, so a bad value stops the service at start-up rather than at the first request.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use config::{Config, Environment, File};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use solicitudes_persistence::PoolSettings;

use crate::app::HttpSettings;
use crate::head_limits::{ACTIX_MAX_HEADERS, HeadLimits};
use crate::spa::SpaDir;

/// Everything the service can be configured with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// HTTP server.
    pub server: ServerSettings,
    /// PostgreSQL.
    pub database: DatabaseSettings,
    /// Logging.
    pub log: LogSettings,
    /// Identity and access.
    pub auth: AuthConfig,
}

/// `[auth]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Seconds a token works after login (an absolute expiry, not extended by use).
    pub token_ttl_secs: u64,
    /// A session's `last_used_at` is written at most this often, in seconds.
    pub touch_interval_secs: u64,
    /// Serve `POST /api/v1/auth/registro` (anyone may create a solicitante account).
    pub open_registration: bool,
    /// Seconds between two purges of dead sessions and stale login failures (0: never).
    pub purge_interval_secs: u64,
    /// Seconds an expired or revoked session is kept before the purge deletes it.
    pub purge_after_secs: u64,
    /// At start-up, when no active admin exists, this account is created (or made an
    /// active admin) with [`AuthConfig::bootstrap_admin_password`].
    pub bootstrap_admin_email: Option<String>,
    /// The bootstrap admin's password (8–128 characters); never printed.
    pub bootstrap_admin_password: Option<SecretString>,
    /// Argon2id memory per hash, in KiB (OWASP: 19456).
    pub hash_memory_kib: u32,
    /// Argon2id passes (OWASP: 2).
    pub hash_iterations: u32,
    /// Argon2id lanes (OWASP: 1).
    pub hash_parallelism: u32,
    /// Hashes computed at once, off the async workers (0: one per CPU). Memory bound:
    /// this × `hash_memory_kib`.
    pub hash_max_concurrent: usize,
    /// Failed logins of one account, within the window, that start blocking it.
    pub throttle_account_failures: u32,
    /// Failed logins from one client address (IPv6: its /64) that start blocking it.
    pub throttle_address_failures: u32,
    /// Seconds without a failure that end a run of failures.
    pub throttle_window_secs: u64,
    /// Seconds of the first block; each further failure doubles it…
    pub throttle_first_wait_secs: u64,
    /// …up to this many seconds.
    pub throttle_max_wait_secs: u64,
    /// Most sessions cached per process.
    pub cache_max_entries: usize,
}

/// `[server]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on.
    pub host: String,
    /// Port to listen on (0: any free port).
    pub port: u16,
    /// Worker threads (0: one per core).
    pub workers: usize,
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    /// Origins allowed by CORS (`scheme://host[:port]`).
    pub cors_origins: Vec<String>,
    /// Seconds in-flight requests get to finish on shutdown.
    pub shutdown_timeout_secs: u64,
    /// Milliseconds a handler may run before it is abandoned with a 503.
    pub request_timeout_ms: u64,
    /// Milliseconds a client has to send the request head before the connection is dropped.
    pub client_request_timeout_ms: u64,
    /// Longest request line (method, path with query, version), in bytes: longer is a 414.
    pub max_request_line_bytes: usize,
    /// Most bytes of header lines in a request: more is a 431.
    pub max_header_bytes: usize,
    /// Most headers in a request (at most 96, actix's own limit): more is a 431.
    pub max_headers: usize,
    /// The built web application (`web/dist`), served at `/` when it contains `index.html`.
    pub static_dir: String,
}

/// `[database]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `postgres://user:password@host:port/database`; never printed.
    pub url: Option<SecretString>,
    /// Most connections in the pool.
    pub pool_max_size: u32,
    /// Connections kept open while idle.
    pub pool_min_idle: u32,
    /// Milliseconds a request waits for a connection before a 503.
    pub checkout_timeout_ms: u64,
    /// Server-side `statement_timeout` in milliseconds (0: the server's default).
    pub statement_timeout_ms: u64,
    /// Apply pending migrations when `serve` starts.
    pub migrate_on_start: bool,
}

/// `[log]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `text` (human-readable) or `json`.
    pub format: LogFormat,
    /// Filter in `RUST_LOG` syntax (`RUST_LOG` itself wins when set).
    pub level: String,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

/// Largest accepted `server.max_request_line_bytes`.
pub const MAX_REQUEST_LINE_BYTES: usize = 32 * 1024;
/// Largest accepted `server.max_header_bytes`.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The defaults, as `(key, value)`; also the source of `docs/configuration.md`'s table.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("server.host", "127.0.0.1"),
    ("server.port", "8000"),
    ("server.workers", "0"),
    ("server.body_limit_bytes", "1048576"),
    (
        "server.cors_origins",
        "http://localhost:5173,http://127.0.0.1:5173",
    ),
    ("server.shutdown_timeout_secs", "30"),
    ("server.request_timeout_ms", "15000"),
    ("server.client_request_timeout_ms", "5000"),
    ("server.max_request_line_bytes", "8192"),
    ("server.max_header_bytes", "32768"),
    ("server.max_headers", "64"),
    ("server.static_dir", "web/dist"),
    ("database.pool_max_size", "10"),
    ("database.pool_min_idle", "1"),
    ("database.checkout_timeout_ms", "2000"),
    ("database.statement_timeout_ms", "5000"),
    ("database.migrate_on_start", "true"),
    ("log.format", "text"),
    ("log.level", "info,solicitudes=info"),
    ("auth.token_ttl_secs", "43200"),
    ("auth.touch_interval_secs", "60"),
    ("auth.open_registration", "false"),
    ("auth.purge_interval_secs", "3600"),
    ("auth.purge_after_secs", "604800"),
    ("auth.hash_memory_kib", "19456"),
    ("auth.hash_iterations", "2"),
    ("auth.hash_parallelism", "1"),
    ("auth.hash_max_concurrent", "0"),
    ("auth.throttle_account_failures", "5"),
    ("auth.throttle_address_failures", "100"),
    ("auth.throttle_window_secs", "900"),
    ("auth.throttle_first_wait_secs", "30"),
    ("auth.throttle_max_wait_secs", "900"),
    ("auth.cache_max_entries", "100000"),
];

impl ServerSettings {
    /// The request head limits.
    pub fn head_limits(&self) -> HeadLimits {
        HeadLimits {
            max_request_line_bytes: self.max_request_line_bytes,
            max_header_bytes: self.max_header_bytes,
            max_headers: self.max_headers,
        }
    }
}

impl Settings {
    /// Loads and validates the configuration.
    ///
    /// # Errors
    /// A message naming each bad key.
    pub fn load(file: Option<&Path>) -> Result<Self, String> {
        Self::build(file, true)
    }

    /// The built-in defaults alone ([`DEFAULTS`]; no file, no environment), validated: what
    /// the in-process tests run on, so they run on the service's own defaults.
    ///
    /// # Errors
    /// Only if [`DEFAULTS`] itself were invalid (a unit test says it is not).
    pub fn defaults() -> Result<Self, String> {
        Self::build(None, false)
    }

    fn build(file: Option<&Path>, environment: bool) -> Result<Self, String> {
        let mut builder = Config::builder();
        for (key, value) in DEFAULTS {
            builder = if *key == "server.cors_origins" {
                let list: Vec<String> = value.split(',').map(str::to_owned).collect();
                builder.set_default(*key, list)
            } else {
                builder.set_default(*key, *value)
            }
            .map_err(|e| e.to_string())?;
        }
        if let Some(path) = file {
            builder = builder.add_source(File::from(path).required(true));
        }
        if !environment {
            return Self::finish(builder);
        }
        builder = builder.add_source(
            Environment::with_prefix("APP")
                .prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("server.cors_origins")
                .try_parsing(true),
        );
        if std::env::var_os("APP__DATABASE__URL").is_none()
            && let Ok(url) = std::env::var("DATABASE_URL")
        {
            builder = builder
                .set_override("database.url", url)
                .map_err(|e| e.to_string())?;
        }
        Self::finish(builder)
    }

    fn finish(
        builder: config::ConfigBuilder<config::builder::DefaultState>,
    ) -> Result<Self, String> {
        let settings: Settings = builder
            .build()
            .and_then(Config::try_deserialize)
            .map_err(|e| format!("invalid configuration: {e}"))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let s = &self.server;
        if s.host.parse::<IpAddr>().is_err()
            && (s.host.is_empty()
                || !s
                    .host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        {
            problems.push(format!(
                "server.host: `{}` is not an IP address or host name",
                s.host
            ));
        }
        if s.request_timeout_ms == 0 {
            problems.push("server.request_timeout_ms: must be at least 1".to_owned());
        }
        if s.client_request_timeout_ms == 0 {
            problems.push("server.client_request_timeout_ms: must be at least 1".to_owned());
        }
        if s.body_limit_bytes == 0 {
            problems.push("server.body_limit_bytes: must be at least 1".to_owned());
        }
        // Upper bounds: below actix-http's own (65 534-byte targets, 128 KiB heads, 96
        // headers), which would answer first, without the contract's body.
        if !(64..=MAX_REQUEST_LINE_BYTES).contains(&s.max_request_line_bytes) {
            problems.push(format!(
                "server.max_request_line_bytes: must be between 64 and {MAX_REQUEST_LINE_BYTES}"
            ));
        }
        if !(1024..=MAX_HEADER_BYTES).contains(&s.max_header_bytes) {
            problems.push(format!(
                "server.max_header_bytes: must be between 1024 and {MAX_HEADER_BYTES}"
            ));
        }
        if !(8..=ACTIX_MAX_HEADERS).contains(&s.max_headers) {
            problems.push(format!(
                "server.max_headers: must be between 8 and {ACTIX_MAX_HEADERS}"
            ));
        }
        for origin in &s.cors_origins {
            if !is_origin(origin) {
                problems.push(format!(
                    "server.cors_origins: `{origin}` is not an origin like http://localhost:5173"
                ));
            }
        }
        let d = &self.database;
        if d.pool_max_size == 0 {
            problems.push("database.pool_max_size: must be at least 1".to_owned());
        }
        if d.pool_min_idle > d.pool_max_size {
            problems
                .push("database.pool_min_idle: cannot exceed database.pool_max_size".to_owned());
        }
        if d.checkout_timeout_ms == 0 {
            problems.push("database.checkout_timeout_ms: must be at least 1".to_owned());
        }
        if let Some(url) = &d.url {
            let url = url.expose_secret();
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                problems.push(
                    "database.url (DATABASE_URL): must start with postgres:// or postgresql://"
                        .to_owned(),
                );
            }
        }
        let a = &self.auth;
        if a.token_ttl_secs == 0 || a.token_ttl_secs > 366 * 24 * 3600 {
            problems
                .push("auth.token_ttl_secs: must be between 1 and 31622400 (a year)".to_owned());
        }
        if a.purge_after_secs > 3660 * 24 * 3600 {
            problems
                .push("auth.purge_after_secs: must be at most 316224000 (ten years)".to_owned());
        }
        if a.hash_memory_kib < 8 * a.hash_parallelism.max(1) || a.hash_memory_kib > 4 * 1024 * 1024
        {
            problems.push(
                "auth.hash_memory_kib: must be at least 8 × hash_parallelism and at most 4194304 (4 GiB)"
                    .to_owned(),
            );
        }
        if a.hash_iterations == 0 {
            problems.push("auth.hash_iterations: must be at least 1".to_owned());
        }
        if !(1..=255).contains(&a.hash_parallelism) {
            problems.push("auth.hash_parallelism: must be between 1 and 255".to_owned());
        }
        if a.throttle_account_failures == 0 || a.throttle_address_failures == 0 {
            problems.push(
                "auth.throttle_account_failures / auth.throttle_address_failures: must be at least 1"
                    .to_owned(),
            );
        }
        if a.throttle_first_wait_secs > a.throttle_max_wait_secs {
            problems.push(
                "auth.throttle_first_wait_secs: cannot exceed auth.throttle_max_wait_secs"
                    .to_owned(),
            );
        }
        match (&a.bootstrap_admin_email, &a.bootstrap_admin_password) {
            (Some(email), Some(password)) => {
                if email.trim().is_empty() || !email.contains('@') {
                    problems.push("auth.bootstrap_admin_email: must be an e-mail address".to_owned());
                }
                let n = password.expose_secret().chars().count();
                if !(8..=128).contains(&n) {
                    problems.push(
                        "auth.bootstrap_admin_password: must be 8–128 characters".to_owned(),
                    );
                }
            }
            (None, None) => {}
            _ => problems.push(
                "auth.bootstrap_admin_email and auth.bootstrap_admin_password: give both or neither"
                    .to_owned(),
            ),
        }
        if self.log.level.trim().is_empty() {
            problems.push("log.level: must not be empty".to_owned());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "invalid configuration:\n  {}",
                problems.join("\n  ")
            ))
        }
    }

    /// The database URL.
    ///
    /// # Errors
    /// When none is configured, saying how to give one.
    pub fn database_url(&self) -> Result<&str, String> {
        self.database
            .url
            .as_ref()
            .map(ExposeSecret::expose_secret)
            .ok_or_else(|| {
                "database.url is not set: set DATABASE_URL (or APP__DATABASE__URL), or start \
                 the service with `make run`, which provides a private PostgreSQL"
                    .to_owned()
            })
    }

    /// The pool settings.
    pub fn pool(&self) -> PoolSettings {
        let d = &self.database;
        PoolSettings::new(
            d.pool_max_size,
            Some(d.pool_min_idle),
            Duration::from_millis(d.checkout_timeout_ms),
            (d.statement_timeout_ms > 0).then(|| Duration::from_millis(d.statement_timeout_ms)),
        )
    }

    /// The authentication service's settings.
    pub fn auth(&self) -> solicitudes_services::AuthSettings {
        use solicitudes_services::auth::{CacheSettings, HasherSettings, ThrottleSettings};
        let a = &self.auth;
        solicitudes_services::AuthSettings {
            token_ttl: Duration::from_secs(a.token_ttl_secs),
            touch_interval: Duration::from_secs(a.touch_interval_secs),
            hasher: HasherSettings {
                m_cost_kib: a.hash_memory_kib,
                t_cost: a.hash_iterations,
                p_cost: a.hash_parallelism,
                max_concurrent: (a.hash_max_concurrent > 0).then_some(a.hash_max_concurrent),
            },
            throttle: ThrottleSettings {
                account_failures: a.throttle_account_failures,
                address_failures: a.throttle_address_failures,
                window: Duration::from_secs(a.throttle_window_secs),
                first_wait: Duration::from_secs(a.throttle_first_wait_secs),
                max_wait: Duration::from_secs(a.throttle_max_wait_secs),
            },
            cache: CacheSettings {
                max_entries: a.cache_max_entries,
                ..CacheSettings::default()
            },
            open_registration: a.open_registration,
            purge_interval: (a.purge_interval_secs > 0)
                .then(|| Duration::from_secs(a.purge_interval_secs)),
            purge_after: Duration::from_secs(a.purge_after_secs),
            bootstrap_admin_email: a.bootstrap_admin_email.clone(),
            bootstrap_admin_password: a.bootstrap_admin_password.clone(),
        }
    }

    /// What the HTTP app needs (the built web application when `server.static_dir` holds
    /// one).
    pub fn http(&self) -> HttpSettings {
        HttpSettings {
            body_limit_bytes: self.server.body_limit_bytes,
            cors_origins: self.server.cors_origins.clone(),
            request_timeout: Duration::from_millis(self.server.request_timeout_ms),
            spa: SpaDir::existing(Path::new(&self.server.static_dir)),
        }
    }
}

fn is_origin(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains('/')
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limites_de_cabecera_por_defecto_y_fuera_de_rango() {
        let s = Settings::load(None).unwrap();
        assert_eq!(
            s.server.head_limits(),
            HeadLimits {
                max_request_line_bytes: 8192,
                max_header_bytes: 32768,
                max_headers: 64,
            }
        );
        let dir = std::env::temp_dir().join(format!("limites-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("limites.toml");
        std::fs::write(
            &path,
            "[server]\nmax_request_line_bytes = 70000\nmax_header_bytes = 10\nmax_headers = 97\n",
        )
        .unwrap();
        let err = Settings::load(Some(&path)).unwrap_err();
        for key in ["max_request_line_bytes", "max_header_bytes", "max_headers"] {
            assert!(err.contains(&format!("server.{key}")), "{err}");
        }
    }

    #[test]
    fn los_valores_por_defecto_son_validos() {
        let s = Settings::defaults().unwrap();
        assert_eq!(s.server.port, 8000);
        assert_eq!(s.server.host, "127.0.0.1");
        assert_eq!(s.server.body_limit_bytes, 1024 * 1024);
        assert_eq!(
            s.server.cors_origins,
            ["http://localhost:5173", "http://127.0.0.1:5173"]
        );
        assert_eq!(s.log.format, LogFormat::Text);
    }

    /// `docs/configuration.md`'s table of keys says what [`DEFAULTS`] says: every default
    /// key is a row whose default cell is that value, and every row is a key of [`DEFAULTS`]
    /// (or `database.url`, which has none).
    #[test]
    fn la_tabla_de_docs_configuration_coincide_con_defaults() {
        let doc = include_str!("../../../docs/configuration.md");
        let keys = doc.split("\n## Keys").nth(1).unwrap();
        let keys = keys.split("\n## ").next().unwrap();
        let rows: Vec<(String, String)> = keys
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.split(" | ").collect();
                let key = cells[0]
                    .trim_start_matches("| ")
                    .trim_matches('`')
                    .to_owned();
                // `["a", "b"]` is how the doc writes a list; DEFAULTS writes `a,b`.
                let default: String = cells[2]
                    .trim_matches('`')
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .split(", ")
                    .map(|v| v.trim_matches('"'))
                    .collect::<Vec<_>>()
                    .join(",");
                (key, default)
            })
            .collect();
        for (key, value) in DEFAULTS {
            let row = rows.iter().find(|(k, _)| k == key);
            assert_eq!(
                row.map(|(_, d)| d.as_str()),
                Some(*value),
                "docs/configuration.md: row of `{key}`"
            );
        }
        for (key, default) in &rows {
            assert!(
                // Keys without a default: the secrets and the optional bootstrap admin.
                matches!(
                    key.as_str(),
                    "database.url" | "auth.bootstrap_admin_email" | "auth.bootstrap_admin_password"
                ) && default == "none"
                    || DEFAULTS.iter().any(|(k, _)| k == key),
                "docs/configuration.md documents `{key}`, which DEFAULTS does not have"
            );
        }
    }

    #[test]
    fn origenes_validos_e_invalidos() {
        assert!(is_origin("http://localhost:5173"));
        assert!(is_origin("https://app.example.com"));
        assert!(!is_origin("localhost:5173"));
        assert!(!is_origin("http://a/b"));
        assert!(!is_origin("ftp://a"));
    }

    #[test]
    fn un_fichero_con_un_valor_malo_nombra_la_clave() {
        let dir = std::env::temp_dir().join(format!("solicitudes-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        std::fs::write(&path, "[server]\nport = \"ochenta\"\n").unwrap();
        let err = Settings::load(Some(&path)).unwrap_err();
        assert!(err.contains("server.port"), "{err}");
        std::fs::write(
            &path,
            "[server]\nbody_limit_bytes = 0\ncors_origins = [\"nope\"]\n",
        )
        .unwrap();
        let err = Settings::load(Some(&path)).unwrap_err();
        assert!(err.contains("server.body_limit_bytes"), "{err}");
        assert!(err.contains("server.cors_origins"), "{err}");
        std::fs::write(&path, "[server]\nprot = 1\n").unwrap();
        let err = Settings::load(Some(&path)).unwrap_err();
        assert!(err.contains("prot"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
