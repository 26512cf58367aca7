//! The demo accounts of `solicitudes-api seed --accounts-file PATH` (`make seed`): an admin,
//! two revisores and three solicitantes linked to personas without an account, so a newcomer
//! can log in as each rol at once.
//!
//! Passwords are random ([`password::aleatoria`]) and written to the credentials file (mode
//! 600), one account per line. A later run reads that file first: an account the file knows
//! keeps its password there (re-created with it if the database was reset), an account that
//! exists already is left alone (its e-mail is taken), so re-running is harmless. The file is
//! rewritten with every account whose password it can vouch for.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use solicitudes_domain::{PersonaId, Rol};
use solicitudes_persistence::{DbPool, seed};
use solicitudes_schemas::auth::Password;
use solicitudes_schemas::usuario::UsuarioCreate;
use solicitudes_services::auth::password;
use solicitudes_services::{Auth, ServiceError, usuarios};

/// The demo accounts: e-mail and rol.
pub const CUENTAS: [(&str, Rol); 6] = [
    ("admin.demo@example.com", Rol::Admin),
    ("revisor1@example.com", Rol::Revisor),
    ("revisor2@example.com", Rol::Revisor),
    ("solicitante1@example.com", Rol::Solicitante),
    ("solicitante2@example.com", Rol::Solicitante),
    ("solicitante3@example.com", Rol::Solicitante),
];

/// What happened to one demo account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resultado {
    /// Created now (a solicitante with the persona it files as).
    Creada(Option<PersonaId>),
    /// Its e-mail was taken already: left as it was. `true` when the credentials file has its
    /// password.
    Existia(bool),
    /// A solicitante not created: no persona without an account was left to link it to.
    SinPersona,
}

/// Creates the demo accounts that do not exist yet and (re)writes `file` with the credentials
/// of every demo account it knows the password of. Returns what happened to each, in the
/// order of [`CUENTAS`].
///
/// # Errors
/// When the file cannot be read or written, or the database fails.
pub async fn sembrar(
    pool: &DbPool,
    auth: &Auth,
    database_url: &str,
    file: &Path,
) -> anyhow::Result<Vec<(&'static str, Rol, Resultado)>> {
    let mut conocidas = leer(file)?;
    let solicitantes = CUENTAS
        .iter()
        .filter(|(_, r)| *r == Rol::Solicitante)
        .count();
    let mut personas = seed::personas_sin_usuario(database_url, i64::try_from(solicitantes)?)
        .await?
        .into_iter()
        .map(PersonaId::from);
    let mut hechas = Vec::with_capacity(CUENTAS.len());
    let mut lineas = Vec::new();
    for (email, rol) in CUENTAS {
        let conocida = conocidas.remove(email);
        let clave = match &conocida {
            Some(c) => Password::new(c.as_str()),
            None => password::aleatoria()?,
        };
        let persona_id = if rol == Rol::Solicitante {
            personas.next()
        } else {
            None
        };
        let dto = UsuarioCreate {
            email: email.to_owned(),
            rol,
            persona_id,
            password: clave,
            activo: true,
        };
        let resultado = if rol == Rol::Solicitante && persona_id.is_none() {
            // Unless it exists already: then it is simply kept.
            Resultado::SinPersona
        } else {
            match usuarios::alta(pool, auth, &dto).await {
                Ok(u) => Resultado::Creada(u.persona_id),
                Err(ServiceError::EmailTaken) => Resultado::Existia(conocida.is_some()),
                Err(e) => return Err(e).with_context(|| format!("creating {email}")),
            }
        };
        if matches!(resultado, Resultado::Creada(_) | Resultado::Existia(true))
            || (resultado == Resultado::SinPersona && conocida.is_some())
        {
            lineas.push((email, rol, dto.password));
        }
        hechas.push((email, rol, resultado));
    }
    escribir(file, &lineas)?;
    Ok(hechas)
}

/// The passwords the credentials file has, by e-mail (none when it does not exist yet).
fn leer(file: &Path) -> anyhow::Result<HashMap<String, String>> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", file.display())),
    };
    Ok(text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let mut campos = l.split_whitespace();
            let email = campos.next()?;
            let _rol = campos.next()?;
            let clave = campos.next()?;
            Some((email.to_owned(), clave.to_owned()))
        })
        .collect())
}

/// Writes the credentials file (mode 600, replaced atomically).
fn escribir(file: &Path, lineas: &[(&str, Rol, Password)]) -> anyhow::Result<()> {
    let mut text = String::from(
        "# Demo accounts of `make seed` (solicitudes-api seed --accounts-file), passwords\n\
         # generated at random. Log in with them in the web application or in Swagger UI\n\
         # (/docs, Authorize). Re-running `make seed` keeps them. See docs/development.md.\n\
         # email                     rol          password\n",
    );
    for (email, rol, clave) in lineas {
        let _ = writeln!(text, "{email:<27} {:<12} {}", rol.as_str(), clave.expose());
    }
    let tmp = file.with_extension("tmp");
    let mut f = open_private(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, file).with_context(|| format!("writing {}", file.display()))?;
    Ok(())
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}
