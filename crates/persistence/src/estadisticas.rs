//! Counts of solicitudes by estado and prioridad, in one aggregate query.

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

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

/// Counts every solicitud once, by estado and by prioridad.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn conteos(conn: &mut AsyncPgConnection) -> Result<Conteos, DbError> {
    Ok(cached_sql(
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
    )
    .get_result(conn)
    .await?)
}
