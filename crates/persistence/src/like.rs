//! Substring search with `ILIKE`.

/// An `ILIKE` pattern matching `q` anywhere, with `%`, `_` and `\` in `q` matched literally.
pub(crate) fn contains_pattern(q: &str) -> String {
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn los_comodines_se_escapan() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(contains_pattern("josé"), "%josé%");
    }
}
