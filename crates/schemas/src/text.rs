//! Text rules shared by several DTOs.

use serde::{Deserialize, Deserializer};

use crate::i18n;

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
