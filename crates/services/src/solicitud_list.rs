//! The list of solicitudes: filters, sorts and keyset cursors.

use serde::{Deserialize, Serialize};
use solicitudes_persistence::solicitud_list::{
    self as db, SolicitudFilter, Sort, SortKey, SortValue,
};
use solicitudes_persistence::{DbPool, EstadoDb, PrioridadDb};
use solicitudes_schemas::Page;
use solicitudes_schemas::solicitud::SolicitudResponse;
use solicitudes_schemas::solicitud_list::{SolicitudListQuery, SolicitudSort};
use uuid::Uuid;

use crate::cursor;
use crate::cursor::{from_micros, invalid, micros};
use crate::error::ServiceError;
use crate::solicitudes::into_response;

const LIST: &str = "solicitudes";

/// The sort key's value as carried in a cursor.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Key {
    Micros(i64),
    Label(String),
}

/// A page of solicitudes matching the query's filters, in its order.
///
/// # Errors
/// [`ServiceError::Invalid`] for a cursor that is not this list's or was made with another
/// `sort` or other filters.
#[tracing::instrument(skip_all)]
pub async fn listar(
    pool: &DbPool,
    query: &SolicitudListQuery,
) -> Result<Page<SolicitudResponse>, ServiceError> {
    let sort = sort_of(query.sort);
    let fingerprint = fingerprint(query);
    let after = match &query.cursor {
        Some(c) => Some(position(sort.key, cursor::decode(c, LIST, &fingerprint)?)?),
        None => None,
    };
    let filter = SolicitudFilter {
        estados: query.estado.iter().copied().map(EstadoDb).collect(),
        prioridades: query.prioridad.iter().copied().map(PrioridadDb).collect(),
        persona_id: query.persona_id.map(Uuid::from),
        q: query.q.clone(),
        created_after: query.created_after,
        created_before: query.created_before,
    };
    let mut conn = pool.get().await?;
    let rows = db::list(&mut conn, &filter, sort, after, query.limit + 1).await?;
    let (rows, next_cursor) = cursor::split_page(rows, query.limit, |last| {
        let key = match SortValue::of(sort.key, last) {
            SortValue::Time(t) => Key::Micros(micros(t)),
            SortValue::Prioridad(p) => Key::Label(p.0.as_str().to_owned()),
        };
        cursor::encode(LIST, &fingerprint, &(key, last.id))
    });
    let total = if query.count {
        Some(db::count(&mut conn, &filter).await?)
    } else {
        None
    };
    Ok(Page {
        items: rows.into_iter().map(into_response).collect(),
        next_cursor,
        total,
    })
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

/// Everything a cursor is only valid with: the sort and every filter, in a canonical form
/// (repeated values sorted and deduplicated, instants in microseconds).
fn fingerprint(q: &SolicitudListQuery) -> String {
    let mut estados: Vec<&str> = q.estado.iter().map(|e| e.as_str()).collect();
    estados.sort_unstable();
    estados.dedup();
    let mut prioridades: Vec<&str> = q.prioridad.iter().map(|p| p.as_str()).collect();
    prioridades.sort_unstable();
    prioridades.dedup();
    let estados = estados.join(",");
    let prioridades = prioridades.join(",");
    let persona = q.persona_id.map(|p| p.to_string()).unwrap_or_default();
    let after = q
        .created_after
        .map(|t| micros(t).to_string())
        .unwrap_or_default();
    let before = q
        .created_before
        .map(|t| micros(t).to_string())
        .unwrap_or_default();
    cursor::fingerprint(&[
        ("sort", q.sort.as_str()),
        ("estado", &estados),
        ("prioridad", &prioridades),
        ("persona_id", &persona),
        ("q", q.q.as_deref().unwrap_or("")),
        ("created_after", &after),
        ("created_before", &before),
    ])
}

fn position(key: SortKey, (value, id): (Key, Uuid)) -> Result<(SortValue, Uuid), ServiceError> {
    let value = match (key, value) {
        (SortKey::CreatedAt | SortKey::UpdatedAt, Key::Micros(m)) => {
            SortValue::Time(from_micros(m)?)
        }
        (SortKey::Prioridad, Key::Label(l)) => match l.parse() {
            Ok(p) => SortValue::Prioridad(PrioridadDb(p)),
            Err(_) => return Err(ServiceError::Invalid(invalid())),
        },
        _ => return Err(ServiceError::Invalid(invalid())),
    };
    Ok((value, id))
}
