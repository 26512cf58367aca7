//! Failed logins per key (an account, a client address), shared by every replica.
//!
//! A *run* of failures of one key ends when its last failure is older than the window. From
//! the run's `umbral`-th failure on, each failure blocks the key for
//! `min(max, base × 2^(failures − umbral))`; while blocked, the service refuses logins for
//! that key without checking the password. A successful login deletes the account's row.

use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{Array, Double, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::error::DbError;
use crate::schema::login_fallos;
use crate::sql::cached_sql;

/// How failures turn into a block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Regla {
    /// The failure of a run that first blocks (e.g. 5 for an account).
    pub umbral: i32,
    /// A run ends after this many seconds without a failure.
    pub ventana_secs: f64,
    /// The first block, in seconds; each later failure doubles it.
    pub base_secs: f64,
    /// The longest block, in seconds.
    pub max_secs: f64,
}

#[derive(QueryableByName)]
struct Espera {
    #[diesel(sql_type = Nullable<Double>)]
    segundos: Option<f64>,
}

/// How many seconds remain of the longest block among `claves`; `None` when none is blocked.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn bloqueo(
    conn: &mut AsyncPgConnection,
    claves: &[String],
) -> Result<Option<f64>, DbError> {
    let e: Espera = cached_sql(
        "SELECT EXTRACT(EPOCH FROM max(bloqueado_hasta) - now())::float8 AS segundos \
         FROM login_fallos WHERE clave = ANY($1) AND bloqueado_hasta > now()",
    )
    .bind::<Array<Text>, _>(claves)
    .get_result(conn)
    .await?;
    Ok(e.segundos)
}

/// The state of a key after a failure.
#[derive(Debug, Clone, Copy, PartialEq, QueryableByName)]
pub struct Fallos {
    /// Failures in the current run, this one included.
    #[diesel(sql_type = Integer)]
    pub fallos: i32,
    /// Until when the key is blocked (maybe already past).
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub bloqueado_hasta: Option<OffsetDateTime>,
}

/// Records one failure of `clave` under `regla`, in one statement (an upsert, so concurrent
/// failures on several replicas all count).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn registrar(
    conn: &mut AsyncPgConnection,
    clave: &str,
    regla: Regla,
) -> Result<Fallos, DbError> {
    // `n` is the run's failure count after this one; the exponent is capped so power()
    // cannot overflow whatever the count.
    Ok(cached_sql(
        "INSERT INTO login_fallos AS f (clave, fallos, ventana_inicio, ultimo_fallo, bloqueado_hasta) \
         VALUES ($1, 1, now(), now(), \
                 CASE WHEN $2 <= 1 THEN now() + make_interval(secs => least($4, $3)) END) \
         ON CONFLICT (clave) DO UPDATE SET \
             fallos = CASE WHEN f.ultimo_fallo < now() - make_interval(secs => $5) \
                           THEN 1 ELSE f.fallos + 1 END, \
             ventana_inicio = CASE WHEN f.ultimo_fallo < now() - make_interval(secs => $5) \
                                   THEN now() ELSE f.ventana_inicio END, \
             ultimo_fallo = now(), \
             bloqueado_hasta = CASE \
                 WHEN f.ultimo_fallo < now() - make_interval(secs => $5) \
                     THEN CASE WHEN $2 <= 1 THEN now() + make_interval(secs => least($4, $3)) END \
                 WHEN f.fallos + 1 >= $2 \
                     THEN now() + make_interval(secs => \
                          least($4, $3 * power(2, least(f.fallos + 1 - $2, 40)))) \
                 ELSE f.bloqueado_hasta END \
         RETURNING f.fallos, f.bloqueado_hasta",
    )
    .bind::<Text, _>(clave)
    .bind::<Integer, _>(regla.umbral)
    .bind::<Double, _>(regla.base_secs)
    .bind::<Double, _>(regla.max_secs)
    .bind::<Double, _>(regla.ventana_secs)
    .get_result(conn)
    .await?)
}

/// Forgets the failures of `clave` (a successful login of that account).
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn borrar(conn: &mut AsyncPgConnection, clave: &str) -> Result<(), DbError> {
    diesel::delete(login_fallos::table.find(clave))
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes the rows whose last failure is older than `antes` and that are not blocked
/// (housekeeping), and returns how many.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn purgar(conn: &mut AsyncPgConnection, antes: OffsetDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(
        login_fallos::table
            .filter(login_fallos::ultimo_fallo.lt(antes))
            .filter(
                login_fallos::bloqueado_hasta
                    .is_null()
                    .or(login_fallos::bloqueado_hasta.lt(antes)),
            ),
    )
    .execute(conn)
    .await?)
}
