//! What every handler can reach.

use std::sync::Arc;

use solicitudes_persistence::DbPool;

/// Shared, cheap to clone. Holds nothing that matters between requests besides the pool, so
/// any number of replicas can serve one database.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub pool: DbPool,
    /// Versions of the embedded migrations (what `/readyz` expects applied).
    pub expected_migrations: Arc<Vec<String>>,
}
