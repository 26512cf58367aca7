//! `If-Match` and `ETag`: the HTTP side of optimistic concurrency on solicitudes.
//!
//! A solicitud's entity tag is its version in quotes (`"3"`). Comparison is strong: a weak
//! tag (`W/"3"`) never matches, and neither does a tag that is not a version number — such a
//! request gets a 412, as RFC 9110 prescribes. `*` matches any existing solicitud. The
//! services only see the [`ExpectedVersion`] this module parses.

use solicitudes_services::ExpectedVersion;

/// Parses an `If-Match` value into the version a write expects.
///
/// # Errors
/// A Spanish message when the value is not `*` or a comma-separated list of entity tags.
pub fn parse_if_match(value: &str) -> Result<ExpectedVersion, String> {
    let value = value.trim();
    if value == "*" {
        return Ok(ExpectedVersion::Any);
    }
    let mut versions = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start();
        let weak = rest.starts_with("W/");
        if weak {
            rest = &rest[2..];
        }
        let Some(after_quote) = rest.strip_prefix('"') else {
            return Err(malformed());
        };
        let Some(end) = after_quote.find('"') else {
            return Err(malformed());
        };
        let tag = &after_quote[..end];
        if tag.chars().any(|c| c.is_control() || c == ' ') {
            return Err(malformed());
        }
        if !weak
            && tag.bytes().all(|b| b.is_ascii_digit())
            && let Ok(v) = tag.parse::<i32>()
        {
            versions.push(v);
        }
        rest = after_quote[end + 1..].trim_start();
        if rest.is_empty() {
            break;
        }
        let Some(next) = rest.strip_prefix(',') else {
            return Err(malformed());
        };
        rest = next;
    }
    Ok(ExpectedVersion::OneOf(versions))
}

/// The entity tag of a solicitud at `version`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

fn malformed() -> String {
    "If-Match debe ser * o una lista de etiquetas entre comillas, p. ej. \"3\"".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etiquetas_fuertes_debiles_y_asterisco() {
        assert_eq!(parse_if_match("\"3\""), Ok(ExpectedVersion::OneOf(vec![3])));
        assert_eq!(
            parse_if_match(" \"3\" , \"4\""),
            Ok(ExpectedVersion::OneOf(vec![3, 4]))
        );
        assert_eq!(parse_if_match("*"), Ok(ExpectedVersion::Any));
        assert_eq!(
            parse_if_match("W/\"3\""),
            Ok(ExpectedVersion::OneOf(vec![]))
        );
        assert_eq!(
            parse_if_match("\"abc\""),
            Ok(ExpectedVersion::OneOf(vec![]))
        );
        assert_eq!(parse_if_match("\"+3\""), Ok(ExpectedVersion::OneOf(vec![])));
        assert_eq!(
            parse_if_match("\"99999999999\""),
            Ok(ExpectedVersion::OneOf(vec![]))
        );
    }

    #[test]
    fn valores_mal_formados() {
        for v in ["3", "\"3", "\"3\" \"4\"", "", "\"3\",", "W/3", "\"a b\""] {
            assert!(parse_if_match(v).is_err(), "{v:?}");
        }
    }

    #[test]
    fn etiqueta_de_una_version() {
        assert_eq!(etag(7), "\"7\"");
    }
}
