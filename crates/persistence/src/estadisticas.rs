//! Counts of solicitudes by estado and prioridad, in one aggregate query.

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use solicitudes_domain::Alcance;
use uuid::Uuid;

use crate::error::DbError;
use crate::sql::cached_sql;

/// Every count the dashboard shows; zeros included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, QueryableByName)]
#[allow(missing_docs)] // Each field is the count its name says.
pub struct Conteos {
    #[diesel(sql_type = BigInt)]
    pub total: i64,
    #[diesel(sql_type = BigInt)]
    pub pendiente: i64,
    #[diesel(sql_type = BigInt)]
    pub en_revision: i64,
    #[diesel(sql_type = BigInt)]
    pub aprobada: i64,
    #[diesel(sql_type = BigInt)]
    pub rechazada: i64,
    #[diesel(sql_type = BigInt)]
    pub cancelada: i64,
    #[diesel(sql_type = BigInt)]
    pub baja: i64,
    #[diesel(sql_type = BigInt)]
    pub media: i64,
    #[diesel(sql_type = BigInt)]
    pub alta: i64,
    #[diesel(sql_type = BigInt)]
    pub urgente: i64,
}

/// The aggregate list of both statements (kept in one place so they cannot drift apart).
macro_rules! conteos_sql {
    ($where:literal) => {
        concat!(
            "SELECT count(*) AS total, \
                    count(*) FILTER (WHERE estado = 'pendiente') AS pendiente, \
                    count(*) FILTER (WHERE estado = 'en_revision') AS en_revision, \
                    count(*) FILTER (WHERE estado = 'aprobada') AS aprobada, \
                    count(*) FILTER (WHERE estado = 'rechazada') AS rechazada, \
                    count(*) FILTER (WHERE estado = 'cancelada') AS cancelada, \
                    count(*) FILTER (WHERE prioridad = 'baja') AS baja, \
                    count(*) FILTER (WHERE prioridad = 'media') AS media, \
                    count(*) FILTER (WHERE prioridad = 'alta') AS alta, \
                    count(*) FILTER (WHERE prioridad = 'urgente') AS urgente \
             FROM solicitudes",
            $where
        )
    };
}

/// Counts every solicitud within `alcance` once, by estado and by prioridad.
///
/// Two static statements rather than one with `$1 IS NULL OR persona_id = $1`: a prepared
/// statement's generic plan could not use the persona index for the latter, and a
/// solicitante's counts should read only their own rows (`(persona_id, created_at, id)`).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn conteos(conn: &mut AsyncPgConnection, alcance: &Alcance) -> Result<Conteos, DbError> {
    match alcance {
        Alcance::Todas => Ok(cached_sql(conteos_sql!("")).get_result(conn).await?),
        Alcance::DePersona(p) => Ok(cached_sql(conteos_sql!(" WHERE persona_id = $1"))
            .bind::<diesel::sql_types::Uuid, _>(Uuid::from(*p))
            .get_result(conn)
            .await?),
        // Nothing to count: no statement at all.
        Alcance::Ninguna => Ok(Conteos::default()),
    }
}
