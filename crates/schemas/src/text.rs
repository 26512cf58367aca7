//! Text rules shared by several DTOs.

use serde::{Deserialize, Deserializer};

use crate::i18n;

/// White space as Rust's `str::trim` (and so the service) sees it: Unicode `White_Space`, as
/// a regular-expression character class body.
pub const WHITE_SPACE: &str =
    r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// What the e-mail rule accepts, as the OpenAPI document states it: before the `@`, 1–64
/// letters, digits or the symbols listed (no quoted strings); after it, anything but `@` and
/// NUL (garde's `email` rule then checks the host or bracketed IP address).
pub const EMAIL_PATTERN: &str = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[^@\u0000]+$";

/// Longest accepted e-mail address, in characters.
pub const EMAIL_MAX: usize = 254;

/// A text that is trimmed, then measured: its one definition, read by garde (through the
/// constants in the DTOs' attributes) and by the OpenAPI document ([`Trimmed::pattern`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trimmed {
    /// Fewest characters (code points) after trimming; at least 1.
    pub min: usize,
    /// Most characters after trimming; at least `min`, at least 2.
    pub max: usize,
}

impl Trimmed {
    /// The schema's `pattern`: optional white space, then `min`–`max` characters that start
    /// and end with a character that is not white space (`maxLength` would count the untrimmed
    /// text, so the limit is in the pattern), then optional white space; no NUL anywhere.
    pub fn pattern(&self) -> String {
        let ws = WHITE_SPACE;
        let edge = format!(r"[^\u0000{ws}]");
        let inner_max = self.max - 2;
        let core = if self.min <= 1 {
            format!(r"{edge}([^\u0000]{{0,{inner_max}}}{edge})?")
        } else {
            format!(r"{edge}[^\u0000]{{{},{inner_max}}}{edge}", self.min - 2)
        };
        format!(r"^[{ws}]*{core}[{ws}]*$")
    }
}

/// `nombre` of a persona.
pub const NOMBRE: Trimmed = Trimmed { min: 1, max: 100 };
/// `titulo` of a solicitud.
pub const TITULO: Trimmed = Trimmed { min: 3, max: 200 };

/// Deserialises a string and trims surrounding white space (`nombre`, `titulo` are measured
/// after trimming).
pub(crate) fn trimmed<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    Ok(trim_owned(s))
}

/// [`trimmed`] for PATCH fields: absent stays `None`.
pub(crate) fn trimmed_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(trim_owned))
}

/// For nullable PATCH fields: absent is `None` (via `#[serde(default)]`), `null` is
/// `Some(None)`, a value is `Some(Some(v))`.
pub(crate) fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

fn trim_owned(s: String) -> String {
    let t = s.trim();
    if t.len() == s.len() { s } else { t.to_owned() }
}

/// garde rule: text may not contain NUL (PostgreSQL cannot store it, and no person types it).
pub(crate) fn sin_nul<T: AsRef<str>>(value: &T, _ctx: &()) -> garde::Result {
    if value.as_ref().contains('\0') {
        Err(i18n::error(
            "string_nul",
            "No puede contener el carácter NUL (\\u0000)",
        ))
    } else {
        Ok(())
    }
}
