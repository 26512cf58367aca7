//! The list of solicitudes: filters, sorts and keyset cursors.

use solicitudes_domain::Caller;
use solicitudes_domain::policy::Accion;
use solicitudes_persistence::solicitud_list::{
    self as db, SolicitudFilter, Sort, SortKey, SortValue,
};
use solicitudes_persistence::{DbPool, EstadoDb, PrioridadDb};
use solicitudes_schemas::Page;
use solicitudes_schemas::solicitud::SolicitudResponse;
use solicitudes_schemas::solicitud_list::{
    self as api, SolicitudListQuery, SolicitudPosition, SolicitudSort,
};
use uuid::Uuid;

use crate::acceso::exigir_sin_objeto;
use crate::error::ServiceError;
use crate::page;
use crate::solicitudes::into_response;

/// A page of solicitudes matching the query's filters, in its order, after the query's
/// cursor, within what the caller may see (a solicitante: only their own persona's). The
/// restriction is part of the list's and the count's WHERE clause, so neither the page, nor
/// `total`, nor a cursor walk ever includes another persona's rows.
///
/// # Errors
/// [`ServiceError::Unavailable`] when the database cannot be reached.
#[tracing::instrument(skip_all)]
pub async fn listar(
    pool: &DbPool,
    caller: &Caller,
    query: &SolicitudListQuery,
) -> Result<Page<SolicitudResponse>, ServiceError> {
    exigir_sin_objeto(caller, Accion::SolicitudesListar)?;
    let alcance = &caller.alcance();
    let sort = sort_of(query.sort);
    let after = query.cursor.map(|p| {
        let value = match p.value {
            api::SortValue::Time(t) => SortValue::Time(t),
            api::SortValue::Prioridad(p) => SortValue::Prioridad(PrioridadDb(p)),
        };
        (value, p.id)
    });
    let filter = SolicitudFilter {
        estados: query.estado.iter().copied().map(EstadoDb).collect(),
        prioridades: query.prioridad.iter().copied().map(PrioridadDb).collect(),
        persona_id: query.persona_id.map(Uuid::from),
        q: query.q.clone(),
        created_after: query.created_after,
        created_before: query.created_before,
    };
    let mut conn = pool.get().await?;
    let rows = db::list(&mut conn, &filter, alcance, sort, after, query.limit + 1).await?;
    let total = page::total(query.count, db::count(&mut conn, &filter, alcance)).await?;
    Ok(Page::from_rows(
        rows,
        query.limit,
        total,
        |last| {
            let value = match SortValue::of(sort.key, last) {
                SortValue::Time(t) => api::SortValue::Time(t),
                SortValue::Prioridad(p) => api::SortValue::Prioridad(p.0),
            };
            query.next_cursor(SolicitudPosition { value, id: last.id })
        },
        into_response,
    ))
}

/// The persistence sort of an API sort.
pub fn sort_of(sort: SolicitudSort) -> Sort {
    let (key, descending) = match sort {
        SolicitudSort::CreatedAt => (SortKey::CreatedAt, false),
        SolicitudSort::CreatedAtDesc => (SortKey::CreatedAt, true),
        SolicitudSort::UpdatedAt => (SortKey::UpdatedAt, false),
        SolicitudSort::UpdatedAtDesc => (SortKey::UpdatedAt, true),
        SolicitudSort::Prioridad => (SortKey::Prioridad, false),
        SolicitudSort::PrioridadDesc => (SortKey::Prioridad, true),
    };
    Sort { key, descending }
}
