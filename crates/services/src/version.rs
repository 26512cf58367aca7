//! Optimistic concurrency: the version a write expects the solicitud to be at.

/// What a conditional write expects (from `If-Match`, parsed at the HTTP edge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Any current version (`*`): the solicitud must only exist.
    Any,
    /// One of these versions (possibly none, when no tag named a version: then nothing
    /// matches).
    OneOf(Vec<i32>),
}

impl ExpectedVersion {
    /// The versions to match, or `None` for [`ExpectedVersion::Any`].
    pub fn versions(&self) -> Option<&[i32]> {
        match self {
            ExpectedVersion::Any => None,
            ExpectedVersion::OneOf(v) => Some(v),
        }
    }

    /// Whether a solicitud at `version` satisfies the expectation.
    pub fn matches(&self, version: i32) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::OneOf(v) => v.contains(&version),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coincidencia() {
        assert!(ExpectedVersion::Any.matches(7));
        assert!(ExpectedVersion::OneOf(vec![1, 7]).matches(7));
        assert!(!ExpectedVersion::OneOf(vec![]).matches(7));
        assert_eq!(ExpectedVersion::Any.versions(), None);
        assert_eq!(ExpectedVersion::OneOf(vec![2]).versions(), Some(&[2][..]));
    }
}
