//! What every handler can reach.

use std::sync::Arc;

use solicitudes_persistence::DbPool;
use solicitudes_services::Auth;

/// Shared, cheap to clone. Holds nothing that matters between requests besides the pool, so
/// any number of replicas can serve one database.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub pool: DbPool,
    /// Authentication: the password hasher and the session cache (one per process, shared by
    /// every worker).
    pub auth: Auth,
    /// Versions of the embedded migrations (what `/readyz` expects applied).
    pub expected_migrations: Arc<Vec<String>>,
}
