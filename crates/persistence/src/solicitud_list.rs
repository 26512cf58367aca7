//! The filtered, sorted, keyset-paginated list of solicitudes.
//!
//! Every sort orders by `(key, id)` in one direction, and the page after a cursor is the rows
//! strictly beyond `(key, id)` of the last row seen — a row comparison PostgreSQL answers by
//! reading the matching index from that point, so a deep page costs what the first one does.
//! The indexes are in the migrations: one per sort key (read backwards for `-key`), plus
//! `(persona_id, created_at, id)` and `(estado, created_at, id)` for the common filtered lists
//! and trigram indexes on `lower(titulo)` / `lower(descripcion)` for `q`.
//!
//! Every function takes the caller's [`Alcance`]: a solicitante's list, count and cursor walk
//! only ever see their own persona's rows, because the restriction is a condition in the
//! WHERE clause of the same statement (`persona_id = $n`, served by the
//! `(persona_id, created_at, id)` index), never a filter applied afterwards.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSelectStatement;
use diesel::sql_types::{Bool, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use solicitudes_domain::Alcance;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::DbError;
use crate::models::Solicitud;
use crate::schema::{solicitudes, sql_types};
use crate::sql::{Beyond, ContainsIcu, Explain};
use crate::types::{EstadoDb, PrioridadDb};

/// The columns `q` searches.
const Q_COLUMNS: &[&str] = &["solicitudes.titulo", "solicitudes.descripcion"];

/// What a list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Creation time.
    CreatedAt,
    /// Last change.
    UpdatedAt,
    /// Rank of the prioridad (baja < media < alta < urgente).
    Prioridad,
}

/// A sort: key and direction; ties are broken by id in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// The key.
    pub key: SortKey,
    /// Largest first.
    pub descending: bool,
}

/// The sort key's value in the last row seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortValue {
    /// For [`SortKey::CreatedAt`] and [`SortKey::UpdatedAt`].
    Time(OffsetDateTime),
    /// For [`SortKey::Prioridad`].
    Prioridad(PrioridadDb),
}

impl SortValue {
    /// The value of `key` in `row`.
    pub fn of(key: SortKey, row: &Solicitud) -> Self {
        match key {
            SortKey::CreatedAt => SortValue::Time(row.created_at),
            SortKey::UpdatedAt => SortValue::Time(row.updated_at),
            SortKey::Prioridad => SortValue::Prioridad(row.prioridad),
        }
    }
}

/// Filters of the list; all present ones must hold.
#[derive(Debug, Clone, Default)]
pub struct SolicitudFilter {
    /// Any of these estados (none: any estado).
    pub estados: Vec<EstadoDb>,
    /// Any of these prioridades (none: any).
    pub prioridades: Vec<PrioridadDb>,
    /// Filed by this persona.
    pub persona_id: Option<Uuid>,
    /// Case-insensitive substring of titulo or descripcion (matched literally).
    pub q: Option<String>,
    /// Created strictly after.
    pub created_after: Option<OffsetDateTime>,
    /// Created strictly before.
    pub created_before: Option<OffsetDateTime>,
}

type Boxed<'a, ST> =
    BoxedSelectStatement<'a, ST, diesel::query_builder::FromClause<solicitudes::table>, Pg>;

/// `query` narrowed to the rows `alcance` admits.
fn scoped<'a, QS>(query: Boxed<'a, QS>, alcance: &Alcance) -> Boxed<'a, QS> {
    match alcance {
        Alcance::Todas => query,
        Alcance::DePersona(p) => query.filter(solicitudes::persona_id.eq(Uuid::from(*p))),
        Alcance::Ninguna => query.filter(diesel::dsl::sql::<Bool>("FALSE")),
    }
}

fn filtered<'a>(filter: &SolicitudFilter, alcance: &Alcance) -> solicitudes::BoxedQuery<'a, Pg> {
    let mut query = scoped(solicitudes::table.into_boxed(), alcance);
    if !filter.estados.is_empty() {
        query = query.filter(solicitudes::estado.eq_any(filter.estados.clone()));
    }
    if !filter.prioridades.is_empty() {
        query = query.filter(solicitudes::prioridad.eq_any(filter.prioridades.clone()));
    }
    if let Some(p) = filter.persona_id {
        query = query.filter(solicitudes::persona_id.eq(p));
    }
    if let Some(q) = &filter.q {
        query = query.filter(ContainsIcu::new(Q_COLUMNS, q));
    }
    if let Some(t) = filter.created_after {
        query = query.filter(solicitudes::created_at.gt(t));
    }
    if let Some(t) = filter.created_before {
        query = query.filter(solicitudes::created_at.lt(t));
    }
    query
}

fn page_query<'a>(
    filter: &SolicitudFilter,
    alcance: &Alcance,
    sort: Sort,
    after: Option<(SortValue, Uuid)>,
    limit: i64,
) -> Boxed<'a, diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<Solicitud, Pg>>> {
    let mut query = filtered(filter, alcance)
        .select(Solicitud::as_select())
        .limit(limit);
    query = match (sort.key, sort.descending) {
        (SortKey::CreatedAt, false) => {
            query.order((solicitudes::created_at.asc(), solicitudes::id.asc()))
        }
        (SortKey::CreatedAt, true) => {
            query.order((solicitudes::created_at.desc(), solicitudes::id.desc()))
        }
        (SortKey::UpdatedAt, false) => {
            query.order((solicitudes::updated_at.asc(), solicitudes::id.asc()))
        }
        (SortKey::UpdatedAt, true) => {
            query.order((solicitudes::updated_at.desc(), solicitudes::id.desc()))
        }
        (SortKey::Prioridad, false) => {
            query.order((solicitudes::prioridad.asc(), solicitudes::id.asc()))
        }
        (SortKey::Prioridad, true) => {
            query.order((solicitudes::prioridad.desc(), solicitudes::id.desc()))
        }
    };
    if let Some((value, id)) = after {
        let columns = match sort.key {
            SortKey::CreatedAt => "(solicitudes.created_at, solicitudes.id)",
            SortKey::UpdatedAt => "(solicitudes.updated_at, solicitudes.id)",
            SortKey::Prioridad => "(solicitudes.prioridad, solicitudes.id)",
        };
        query = match value {
            SortValue::Time(t) => query.filter(Beyond::<Timestamptz, _>::new(
                columns,
                sort.descending,
                t,
                id,
            )),
            SortValue::Prioridad(p) => query.filter(Beyond::<sql_types::Prioridad, _>::new(
                columns,
                sort.descending,
                p,
                id,
            )),
        };
    }
    query
}

/// Up to `limit` solicitudes matching `filter` within `alcance`, in `sort` order, strictly
/// after `after`.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &SolicitudFilter,
    alcance: &Alcance,
    sort: Sort,
    after: Option<(SortValue, Uuid)>,
    limit: i64,
) -> Result<Vec<Solicitud>, DbError> {
    Ok(page_query(filter, alcance, sort, after, limit)
        .load(conn)
        .await?)
}

/// How many solicitudes match `filter` within `alcance`.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn count(
    conn: &mut AsyncPgConnection,
    filter: &SolicitudFilter,
    alcance: &Alcance,
) -> Result<i64, DbError> {
    Ok(filtered(filter, alcance).count().get_result(conn).await?)
}

/// PostgreSQL's plan (`EXPLAIN (FORMAT JSON)`) for the page [`list`] would read.
///
/// # Errors
/// [`DbError`] when the database fails.
pub async fn explain_list(
    conn: &mut AsyncPgConnection,
    filter: &SolicitudFilter,
    alcance: &Alcance,
    sort: Sort,
    after: Option<(SortValue, Uuid)>,
    limit: i64,
) -> Result<String, DbError> {
    Ok(Explain(page_query(filter, alcance, sort, after, limit))
        .get_result(conn)
        .await?)
}
