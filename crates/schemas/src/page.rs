//! The envelope of every list, and the page sizes every list accepts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Default page size of every list (`limit` absent).
pub const DEFAULT_LIMIT: i64 = 20;
/// Largest page size of every list.
pub const MAX_LIMIT: i64 = 100;
/// Longest `q` of the lists that search free text (personas, solicitudes; the usuarios'
/// list searches e-mails, up to [`crate::usuario::MAX_Q`]).
pub const MAX_Q: usize = 200;

/// One page of a list (keyset pagination).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Page<T: ToSchema> {
    /// The rows of this page, in the list's order.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// How many rows match the filters, all pages together; only present with `count=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

impl<T: ToSchema> Page<T> {
    /// The page of a keyset list from the `limit + 1` rows its query fetched (the extra row
    /// proves there is a next page): the first `limit` rows, each made an item by `item`,
    /// and the cursor `next_cursor` makes from the page's last row when there is a next page.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        limit: i64,
        total: Option<i64>,
        next_cursor: impl FnOnce(&R) -> String,
        item: impl FnMut(R) -> T,
    ) -> Self {
        let limit = usize::try_from(limit).unwrap_or(1);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(next_cursor)
        } else {
            None
        };
        Self {
            items: rows.into_iter().map(item).collect(),
            next_cursor,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(rows: Vec<i32>) -> Page<String> {
        Page::from_rows(
            rows,
            2,
            None,
            |last| format!("tras {last}"),
            |r| r.to_string(),
        )
    }

    #[test]
    fn una_fila_de_mas_indica_que_hay_otra_pagina() {
        let p = page(vec![1, 2, 3]);
        assert_eq!(p.items, ["1", "2"]);
        assert_eq!(p.next_cursor.as_deref(), Some("tras 2"));
        let p = page(vec![1, 2]);
        assert_eq!(p.items, ["1", "2"]);
        assert_eq!(p.next_cursor, None);
        let p = page(Vec::new());
        assert!(p.items.is_empty() && p.next_cursor.is_none());
    }
}
