//! The envelope of every list.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
