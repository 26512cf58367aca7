//! The channel on which authentication-relevant changes are announced, and the dedicated
//! connection that listens to it.
//!
//! Writers (in [`crate::usuarios`] and [`crate::sesiones`]) call `pg_notify(CANAL, <usuario
//! id>)` in the statement that makes the change, so the notification is delivered when, and
//! only if, the change commits. Each process keeps one [`AuthListener`] connection outside the
//! pool; the services crate's session cache forgets a usuario when their id arrives.

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::StreamExt;

use crate::error::DbError;

/// The channel of `LISTEN` / `NOTIFY`; the payload is a usuario's id.
pub const CANAL: &str = "solicitudes_auth";

/// A connection that has run `LISTEN` on [`CANAL`].
pub struct AuthListener {
    conn: AsyncPgConnection,
}

impl std::fmt::Debug for AuthListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthListener").finish_non_exhaustive()
    }
}

impl AuthListener {
    /// Opens a connection of its own and starts listening. Every notification sent after
    /// this returns is delivered to [`next`](Self::next).
    ///
    /// # Errors
    /// [`DbError::Unavailable`] when the database cannot be reached.
    pub async fn connect(database_url: &str) -> Result<Self, DbError> {
        let mut conn = AsyncPgConnection::establish(database_url)
            .await
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        conn.batch_execute(&format!("LISTEN {CANAL}")).await?;
        Ok(Self { conn })
    }

    /// The payload of the next notification. When none arrives within `idle`, checks that
    /// the connection still answers (`SELECT 1`, itself bounded by `idle`) and returns
    /// `Ok(None)`: a connection that silently died is noticed within about `2 × idle`.
    ///
    /// # Errors
    /// [`DbError::Unavailable`] when the connection is lost: notifications may have been
    /// missed, so the caller must treat everything it cached as stale.
    pub async fn next(&mut self, idle: Duration) -> Result<Option<String>, DbError> {
        let waited = {
            let mut stream = std::pin::pin!(self.conn.notifications_stream());
            tokio::time::timeout(idle, stream.next()).await
        };
        match waited {
            Ok(Some(Ok(n))) => Ok(Some(n.payload)),
            Ok(Some(Err(e))) => Err(DbError::Unavailable(e.to_string())),
            Ok(None) => Err(DbError::Unavailable(
                "the listening connection closed".to_owned(),
            )),
            Err(_) => {
                match tokio::time::timeout(
                    idle,
                    diesel::sql_query("SELECT 1").execute(&mut self.conn),
                )
                .await
                {
                    Ok(Ok(_)) => Ok(None),
                    Ok(Err(e)) => Err(DbError::Unavailable(e.to_string())),
                    Err(_) => Err(DbError::Unavailable(
                        "the listening connection stopped answering".to_owned(),
                    )),
                }
            }
        }
    }
}
