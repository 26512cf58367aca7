//! Pages of keyset lists.

/// Cuts the `limit + 1` rows a list query fetched down to one page, and makes the cursor of
/// the next page from the page's last row when there is one (the extra row proves it).
pub(crate) fn split_page<R>(
    mut rows: Vec<R>,
    limit: i64,
    next_cursor: impl FnOnce(&R) -> String,
) -> (Vec<R>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(1);
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let next = rows.last().map(next_cursor);
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn una_fila_de_mas_indica_que_hay_otra_pagina() {
        let (rows, next) = split_page(vec![1, 2, 3], 2, |last| format!("tras {last}"));
        assert_eq!(rows, [1, 2]);
        assert_eq!(next.as_deref(), Some("tras 2"));
        let (rows, next) = split_page(vec![1, 2], 2, |last| format!("tras {last}"));
        assert_eq!(rows, [1, 2]);
        assert_eq!(next, None);
        let (rows, next) = split_page(Vec::<i32>::new(), 2, |_| unreachable!());
        assert!(rows.is_empty() && next.is_none());
    }
}
