//! Database URLs, `psql`, and fresh throwaway databases.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::pg::LIBPQ_ENV;
use crate::{Error, Result, bail, note};

/// The parts of a `postgres://user:password@host:port/db?params` URL the harness touches.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parts<'a> {
    /// `postgres://` or `postgresql://`.
    scheme: &'a str,
    /// Before `:password` (still percent-encoded).
    user: &'a str,
    /// Percent-encoded, without the `:`.
    password: Option<&'a str>,
    /// `host:port` (or several, or a bracketed IPv6 address).
    host: &'a str,
    /// The database name, percent-encoded, without the `/`.
    db: &'a str,
    /// `?…` including the `?`, or empty.
    query: &'a str,
}

fn parts(url: &str) -> Result<Parts<'_>> {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        bail!("not a PostgreSQL URL (postgres://…): no `://`");
    };
    let scheme = &url[..scheme_end];
    if scheme != "postgres://" && scheme != "postgresql://" {
        bail!("not a PostgreSQL URL (postgres://…): it starts with {scheme}");
    }
    let rest = &url[scheme_end..];
    let (before_query, query) = match rest.find('?') {
        Some(q) => rest.split_at(q),
        None => (rest, ""),
    };
    let (authority, db) = match before_query.find('/') {
        Some(s) => (&before_query[..s], &before_query[s + 1..]),
        None => (before_query, ""),
    };
    let (userinfo, host) = match authority.rfind('@') {
        Some(a) => (&authority[..a], &authority[a + 1..]),
        None => ("", authority),
    };
    let (user, password) = match userinfo.find(':') {
        Some(c) => (&userinfo[..c], Some(&userinfo[c + 1..])),
        None => (userinfo, None),
    };
    Ok(Parts {
        scheme,
        user,
        password,
        host,
        db,
        query,
    })
}

fn assemble(p: &Parts<'_>, password: bool) -> String {
    let mut out = String::from(p.scheme);
    if !p.user.is_empty() || p.password.is_some() {
        out.push_str(p.user);
        if let (true, Some(pw)) = (password, p.password) {
            out.push(':');
            out.push_str(pw);
        }
        out.push('@');
    }
    out.push_str(p.host);
    out.push('/');
    out.push_str(p.db);
    out.push_str(p.query);
    out
}

/// `url` with another database (its path), keeping user, password, host and parameters.
pub fn with_database(url: &str, db: &str) -> Result<String> {
    let mut p = parts(url)?;
    let encoded = percent_encode(db);
    p.db = &encoded;
    Ok(assemble(&p, true))
}

/// The database a URL names (percent-decoded); empty when it names none.
pub fn database_of(url: &str) -> Result<String> {
    Ok(percent_decode(parts(url)?.db))
}

/// `url` without its password, and the password (percent-decoded): for `psql`, which gets
/// the password in `PGPASSWORD` rather than on its command line, where `ps` shows it.
pub fn split_password(url: &str) -> Result<(String, Option<String>)> {
    let p = parts(url)?;
    Ok((assemble(&p, false), p.password.map(percent_decode)))
}

/// `url` with the password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    match parts(url) {
        Ok(p) if p.password.is_some() => {
            let mut shown = p.clone();
            shown.password = Some("***");
            assemble(&shown, true)
        }
        Ok(_) => url.to_owned(),
        Err(_) => "(not a URL)".to_owned(),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A database name that is new each time: `PREFIX_<unix seconds>_<pid>`.
pub fn fresh_name(prefix: &str) -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{prefix}_{secs}_{}", std::process::id())
}

/// Checks a prefix for [`fresh_name`]: a lowercase SQL identifier start, at most 30 bytes.
pub fn check_prefix(prefix: &str) -> Result<()> {
    let ok = !prefix.is_empty()
        && prefix.len() <= 30
        && prefix.starts_with(|c: char| c.is_ascii_lowercase())
        && prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        bail!("bad database prefix '{prefix}' (expected up to 30 of [a-z0-9_], a letter first)");
    }
    Ok(())
}

/// `psql` against `url` (password via `PGPASSWORD`, libpq's environment scrubbed), quiet,
/// stopping at the first error, unaligned and tuples-only.
pub fn psql_command(psql: &Path, url: &str) -> Result<Command> {
    let (url, password) = split_password(url)?;
    let mut c = Command::new(psql);
    for var in LIBPQ_ENV {
        c.env_remove(var);
    }
    if let Some(pw) = password {
        c.env("PGPASSWORD", pw);
    }
    c.env("PGCONNECT_TIMEOUT", "10")
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d"])
        .arg(url)
        .stdin(Stdio::null());
    Ok(c)
}

/// Runs one SQL string through [`psql_command`]; its output, trimmed.
pub fn psql_exec(psql: &Path, url: &str, sql: &str) -> Result<String> {
    let out = psql_command(psql, url)?
        .args(["-c", sql])
        .output()
        .map_err(|e| Error::new(format!("cannot run {}: {e}", psql.display())))?;
    if !out.status.success() {
        bail!(
            "psql on {} failed for {sql:?}: {}",
            redact(url),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A database made for one run, dropped (`WITH (FORCE)`) when this is dropped unless kept.
#[derive(Debug)]
pub struct FreshDb {
    psql: PathBuf,
    admin_url: String,
    name: String,
    url: String,
    keep: bool,
}

impl FreshDb {
    /// Creates `PREFIX_<time>_<pid>` on the server of `admin_url` (whose role may
    /// CREATE DATABASE).
    pub fn create(psql: &Path, admin_url: &str, prefix: &str) -> Result<FreshDb> {
        check_prefix(prefix)?;
        let name = fresh_name(prefix);
        note(format!("creating database {name}"));
        psql_exec(psql, admin_url, &format!("CREATE DATABASE \"{name}\""))?;
        Ok(FreshDb {
            psql: psql.to_path_buf(),
            admin_url: admin_url.to_owned(),
            url: with_database(admin_url, &name)?,
            name,
            keep: false,
        })
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its URL (the admin URL's role and server).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Keep it after all (it is then not dropped).
    pub fn keep(&mut self) {
        self.keep = true;
    }

    /// Drops it now.
    pub fn drop_now(mut self) -> Result<()> {
        self.keep = true;
        psql_exec(
            &self.psql,
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
        )
        .map(|_| ())
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        if let Err(e) = psql_exec(
            &self.psql,
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
        ) {
            note(format!("could not drop database {}: {e}", self.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "postgres://solicitudes:p%40ss@127.0.0.1:54328/solicitudes?sslmode=disable";

    #[test]
    fn another_database_keeps_everything_else() {
        assert_eq!(
            with_database(URL, "fuzz_1_2").unwrap(),
            "postgres://solicitudes:p%40ss@127.0.0.1:54328/fuzz_1_2?sslmode=disable"
        );
        assert_eq!(
            with_database("postgresql://u@h/", "x y").unwrap(),
            "postgresql://u@h/x%20y"
        );
        assert_eq!(
            with_database("postgres://h:5432", "d").unwrap(),
            "postgres://h:5432/d"
        );
        assert!(with_database("mysql://h/d", "x").is_err());
        assert!(with_database("h/d", "x").is_err());
    }

    #[test]
    fn the_password_leaves_the_url() {
        let (url, pw) = split_password(URL).unwrap();
        assert_eq!(
            url,
            "postgres://solicitudes@127.0.0.1:54328/solicitudes?sslmode=disable"
        );
        assert_eq!(pw.as_deref(), Some("p@ss"));
        let (url, pw) = split_password("postgres://h/d").unwrap();
        assert_eq!((url.as_str(), pw), ("postgres://h/d", None));
        assert_eq!(
            redact(URL),
            "postgres://solicitudes:***@127.0.0.1:54328/solicitudes?sslmode=disable"
        );
        assert!(!redact(URL).contains("p%40ss"));
    }

    #[test]
    fn the_database_is_read_back() {
        assert_eq!(database_of(URL).unwrap(), "solicitudes");
        assert_eq!(database_of("postgres://h/a%20b").unwrap(), "a b");
        assert_eq!(database_of("postgres://h").unwrap(), "");
    }

    #[test]
    fn percent_decoding_leaves_broken_escapes() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%"), "%");
    }

    #[test]
    fn fresh_names_are_identifiers() {
        let name = fresh_name("e2e");
        assert!(name.starts_with("e2e_"), "{name}");
        assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        assert!(check_prefix("fuzz").is_ok());
        for bad in ["", "1x", "X", "a-b", "a\"b", &"a".repeat(31)] {
            assert!(check_prefix(bad).is_err(), "{bad}");
        }
    }
}
