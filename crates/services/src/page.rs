//! Pages of keyset lists.

use solicitudes_persistence::DbError;

/// The `total` of a page: `count` awaited when the query asked for it (`count=true`), else
/// `None` without running it.
pub(crate) async fn total(
    wanted: bool,
    count: impl Future<Output = Result<i64, DbError>>,
) -> Result<Option<i64>, DbError> {
    Ok(if wanted { Some(count.await?) } else { None })
}
