//! `If-Match`: optimistic concurrency on solicitudes.
//!
//! A solicitud's entity tag is its version in quotes (`"3"`). Comparison is strong: a weak
//! tag (`W/"3"`) never matches, and neither does a tag that is not a version number — such a
//! request gets a 412, as RFC 9110 prescribes. `*` matches any existing solicitud.

/// A parsed `If-Match` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: any current version.
    Any,
    /// The versions named by strong tags (possibly none, when every tag was weak or not a
    /// version).
    Versions(Vec<i32>),
}

impl IfMatch {
    /// Parses the header value.
    ///
    /// # Errors
    /// A Spanish message when the value is not `*` or a comma-separated list of entity tags.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value == "*" {
            return Ok(IfMatch::Any);
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
        Ok(IfMatch::Versions(versions))
    }

    /// The versions to match, or `None` for `*`.
    pub fn versions(&self) -> Option<&[i32]> {
        match self {
            IfMatch::Any => None,
            IfMatch::Versions(v) => Some(v),
        }
    }

    /// Whether a solicitud at `version` satisfies the precondition.
    pub fn matches(&self, version: i32) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Versions(v) => v.contains(&version),
        }
    }
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
        assert_eq!(IfMatch::parse("\"3\""), Ok(IfMatch::Versions(vec![3])));
        assert_eq!(
            IfMatch::parse(" \"3\" , \"4\""),
            Ok(IfMatch::Versions(vec![3, 4]))
        );
        assert_eq!(IfMatch::parse("*"), Ok(IfMatch::Any));
        assert_eq!(IfMatch::parse("W/\"3\""), Ok(IfMatch::Versions(vec![])));
        assert_eq!(IfMatch::parse("\"abc\""), Ok(IfMatch::Versions(vec![])));
        assert_eq!(IfMatch::parse("\"+3\""), Ok(IfMatch::Versions(vec![])));
        assert_eq!(
            IfMatch::parse("\"99999999999\""),
            Ok(IfMatch::Versions(vec![]))
        );
    }

    #[test]
    fn valores_mal_formados() {
        for v in ["3", "\"3", "\"3\" \"4\"", "", "\"3\",", "W/3", "\"a b\""] {
            assert!(IfMatch::parse(v).is_err(), "{v:?}");
        }
    }

    #[test]
    fn coincidencia() {
        assert!(IfMatch::Any.matches(7));
        assert!(IfMatch::Versions(vec![1, 7]).matches(7));
        assert!(!IfMatch::Versions(vec![]).matches(7));
        assert_eq!(etag(7), "\"7\"");
    }
}
