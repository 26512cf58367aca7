//! The project's tooling, one Rust library behind `cargo xtask` and the resilience tests.
//!
//! Everything that runs the service for real lives here, once:
//!
//! - [`pg`]: finding (and if need be installing) the PostgreSQL server, and the private
//!   clusters of a checkout under `.local/postgres/<name>` (dev, test, `res-…`, bench):
//!   init, start, stop, crash, destroy, with a lock against concurrent callers; as root the
//!   server runs as the `postgres` system user.
//! - [`db`]: database URLs, fresh throwaway databases, `psql`.
//! - [`service`]: the `solicitudes-api` binary on a free port, ready when `/readyz` says so,
//!   killed when its guard is dropped (also on a panic).
//!
//! The `xtask` binary (`src/main.rs`, `cargo xtask`) is the command line over these for the
//! Makefile, `.ci/run`, `scripts/fuzz.sh`, `scripts/e2e.sh` and `scripts/bench/bench.py`;
//! `solicitudes-testkit` (its `service` module: the resilience and client tests) uses the
//! library directly, so the tests and the tools share one harness.
//!
//! The crate depends on nothing of the service (no diesel, no actix) and on no crate whose
//! features the workspace unifies differently: `cargo xtask` builds in seconds on a fresh
//! clone and shares its artefacts with `cargo test`.

pub mod db;
pub mod pg;
pub mod service;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// What went wrong, in words meant for the person at the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Error {
        Error(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The result of the harness' operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand for `Err(Error::new(format!(…)))`.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::Error::new(format!($($arg)*)))
    };
}

/// The repository root (the workspace this crate was built in).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.parent().unwrap_or(manifest);
    fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf())
}

/// Cargo's target directory: `$CARGO_TARGET_DIR` (relative to the repository) or
/// `<repo>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => repo_root().join(dir),
        _ => repo_root().join("target"),
    }
}

/// The last `n` lines of a file (or why it cannot be read).
pub fn tail(path: &Path, n: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => last_lines(&String::from_utf8_lossy(&bytes), n),
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

/// The last `n` lines of `text`.
pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A finished command's status and output, for an error message.
pub fn describe(out: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout).trim_end(),
        String::from_utf8_lossy(&out.stderr).trim_end()
    )
}

/// A value of a one-line JSON object ([`json_object`]).
pub trait JsonValue {
    /// Appends the value's JSON text.
    fn write_json(&self, out: &mut String);
}

impl JsonValue for str {
    fn write_json(&self, out: &mut String) {
        out.push('"');
        for c in self.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

impl JsonValue for &str {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl JsonValue for String {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

macro_rules! json_plain {
    ($($t:ty),*) => {$(
        impl JsonValue for $t {
            fn write_json(&self, out: &mut String) {
                out.push_str(&self.to_string());
            }
        }
    )*};
}
json_plain!(u16, u32, bool);

/// `{"key": value, …}` on one line: what `cargo xtask` prints for scripts (bench.py) to read.
pub fn json_object(fields: &[(&str, &dyn JsonValue)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        key.write_json(&mut out);
        out.push_str(": ");
        value.write_json(&mut out);
    }
    out.push('}');
    out
}

/// Prints a diagnostic to stderr, prefixed like every message of the harness.
pub fn note(message: impl fmt::Display) {
    eprintln!("xtask: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_lines_keeps_the_end() {
        assert_eq!(last_lines("a\nb\nc\n", 2), "b\nc");
        assert_eq!(last_lines("a", 5), "a");
        assert_eq!(last_lines("", 3), "");
    }

    #[test]
    fn json_objects_escape_their_strings() {
        let s = "a\"b\\c\nd\u{1}";
        assert_eq!(
            json_object(&[("s", &s), ("n", &54328u16), ("ok", &true)]),
            r#"{"s": "a\"b\\c\nd\u0001", "n": 54328, "ok": true}"#
        );
        assert_eq!(json_object(&[]), "{}");
    }

    #[test]
    fn repo_root_holds_the_workspace() {
        assert!(repo_root().join("Cargo.toml").is_file());
        assert!(repo_root().join("xtask").is_dir());
    }
}
