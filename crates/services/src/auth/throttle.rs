//! Login throttling per account and per client address, shared by every replica through
//! the `login_fallos` table (see [`solicitudes_persistence::login_fallos`] for the rule).

use std::net::IpAddr;
use std::time::Duration;

use solicitudes_persistence::AsyncPgConnection;
use solicitudes_persistence::login_fallos::{self as db, Regla};

use crate::error::ServiceError;

/// How many failures block, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// Failures of one account (e-mail, case-insensitively) that block it (default 5).
    pub account_failures: u32,
    /// Failures from one client address (IPv6: its /64) that block it (default 100).
    pub address_failures: u32,
    /// A run of failures ends after this long without one (default 15 minutes).
    pub window: Duration,
    /// The first block (default 30 s); each further failure doubles it…
    pub first_wait: Duration,
    /// …up to this (default 15 minutes). A block ends by itself: never a permanent lock-out.
    pub max_wait: Duration,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            account_failures: 5,
            address_failures: 100,
            window: Duration::from_secs(15 * 60),
            first_wait: Duration::from_secs(30),
            max_wait: Duration::from_secs(15 * 60),
        }
    }
}

impl ThrottleSettings {
    fn regla(&self, umbral: u32) -> Regla {
        Regla {
            umbral: i32::try_from(umbral.max(1)).unwrap_or(i32::MAX),
            ventana_secs: self.window.as_secs_f64(),
            base_secs: self.first_wait.as_secs_f64(),
            max_secs: self.max_wait.as_secs_f64(),
        }
    }
}

/// The throttling keys of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Claves {
    pub(crate) cuenta: String,
    pub(crate) direccion: Option<String>,
}

impl Claves {
    pub(crate) fn new(email: &str, cliente: Option<IpAddr>) -> Self {
        // Bounded: the column allows 300 characters and an e-mail has at most 254.
        let email: String = email.to_lowercase().chars().take(260).collect();
        Self {
            cuenta: format!("cuenta:{email}"),
            direccion: cliente.map(|ip| format!("ip:{}", direccion(ip))),
        }
    }

    fn todas(&self) -> Vec<String> {
        let mut v = vec![self.cuenta.clone()];
        v.extend(self.direccion.clone());
        v
    }
}

/// The address as throttled: IPv4 as is, IPv6 by its /64 (one subscriber gets a whole /64,
/// so counting single IPv6 addresses would not slow anyone down).
fn direccion(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// `RateLimited` when any key of the attempt is blocked now.
pub(crate) async fn comprobar(
    conn: &mut AsyncPgConnection,
    claves: &Claves,
) -> Result<(), ServiceError> {
    match db::bloqueo(conn, &claves.todas()).await? {
        Some(secs) if secs > 0.0 => Err(ServiceError::RateLimited {
            retry_after: Duration::from_secs_f64(secs.ceil().min(86_400.0)),
        }),
        _ => Ok(()),
    }
}

/// Counts a failed attempt against every key.
pub(crate) async fn fallo(
    conn: &mut AsyncPgConnection,
    settings: &ThrottleSettings,
    claves: &Claves,
) -> Result<(), ServiceError> {
    db::registrar(
        conn,
        &claves.cuenta,
        settings.regla(settings.account_failures),
    )
    .await?;
    if let Some(d) = &claves.direccion {
        db::registrar(conn, d, settings.regla(settings.address_failures)).await?;
    }
    Ok(())
}

/// A successful login: the account's run of failures is over (the address's is not).
pub(crate) async fn exito(
    conn: &mut AsyncPgConnection,
    claves: &Claves,
) -> Result<(), ServiceError> {
    Ok(db::borrar(conn, &claves.cuenta).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claves_por_cuenta_y_por_direccion() {
        let c = Claves::new(
            "Ana@Example.COM",
            Some("2001:db8:1:2:3:4:5:6".parse().unwrap()),
        );
        assert_eq!(c.cuenta, "cuenta:ana@example.com");
        assert_eq!(c.direccion.as_deref(), Some("ip:2001:db8:1:2::/64"));
        let c = Claves::new("a@b.co", Some("::ffff:10.0.0.1".parse().unwrap()));
        assert_eq!(c.direccion.as_deref(), Some("ip:10.0.0.1"));
        assert_eq!(Claves::new("a@b.co", None).todas(), ["cuenta:a@b.co"]);
    }
}
