//! Query of `GET /api/v1/solicitudes`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use solicitudes_domain::{Estado, PersonaId, Prioridad};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::cursor;
use crate::error::ValidationErrors;
use crate::page::MAX_Q;
use crate::query::{FromQueryString, QueryReader};
use crate::timestamp::{self, Instant, TimestampError};

/// How a list of solicitudes is ordered. Ties are broken by id, so pages never overlap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum SolicitudSort {
    /// Oldest first.
    #[serde(rename = "created_at")]
    CreatedAt,
    /// Newest first (the default).
    #[default]
    #[serde(rename = "-created_at")]
    CreatedAtDesc,
    /// Least recently changed first.
    #[serde(rename = "updated_at")]
    UpdatedAt,
    /// Most recently changed first.
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
    /// By rank, lowest first: baja < media < alta < urgente.
    #[serde(rename = "prioridad")]
    Prioridad,
    /// By rank, most urgent first.
    #[serde(rename = "-prioridad")]
    PrioridadDesc,
}

impl SolicitudSort {
    /// Every sort, as spelled in `?sort=`.
    pub const TODOS: [(SolicitudSort, &'static str); 6] = [
        (SolicitudSort::CreatedAt, "created_at"),
        (SolicitudSort::CreatedAtDesc, "-created_at"),
        (SolicitudSort::UpdatedAt, "updated_at"),
        (SolicitudSort::UpdatedAtDesc, "-updated_at"),
        (SolicitudSort::Prioridad, "prioridad"),
        (SolicitudSort::PrioridadDesc, "-prioridad"),
    ];

    /// The spelling in `?sort=`.
    pub fn as_str(self) -> &'static str {
        Self::TODOS
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("-created_at", |(_, name)| name)
    }
}

impl fmt::Display for SolicitudSort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SolicitudSort {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::TODOS
            .iter()
            .find(|(_, name)| *name == s)
            .map(|(sort, _)| *sort)
            .ok_or(())
    }
}

/// Query of `GET /api/v1/solicitudes`. Every filter given must hold; a bad value is a 422.
#[derive(Debug, Clone, PartialEq, Eq, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SolicitudListQuery {
    /// Only these estados; repeat the parameter for several (`estado=pendiente&estado=en_revision`).
    #[param(inline, value_type = Option<Vec<Estado>>, style = Form, explode)]
    pub estado: Vec<Estado>,
    /// Only these prioridades; repeatable.
    #[param(inline, value_type = Option<Vec<Prioridad>>, style = Form, explode)]
    pub prioridad: Vec<Prioridad>,
    /// Only solicitudes of this persona (a persona that does not exist gives an empty page).
    #[param(value_type = Option<uuid::Uuid>)]
    pub persona_id: Option<PersonaId>,
    /// Case-insensitive substring of titulo or descripcion (all of Unicode; `%` and `_` match
    /// literally). 1–200 characters.
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*$",
        example = "turno"
    )]
    pub q: Option<String>,
    /// Created strictly after this instant: RFC 3339 with an offset
    /// (`2026-11-01T00:00:00Z`; encode `+` as `%2B`). In UTC it must lie in years 0000–9999
    /// (`9999-12-31T23:59:59-23:59` is in year 10000: a 422); the schema `Instant` states it.
    #[param(value_type = Option<Instant>, example = "2026-11-01T00:00:00Z")]
    pub created_after: Option<OffsetDateTime>,
    /// Created strictly before this instant: RFC 3339 with an offset; in UTC, in years
    /// 0000–9999 (the schema `Instant`).
    #[param(value_type = Option<Instant>, example = "2026-12-01T00:00:00Z")]
    pub created_before: Option<OffsetDateTime>,
    /// Order: `created_at`, `-created_at` (default), `updated_at`, `-updated_at`, `prioridad`,
    /// `-prioridad`.
    #[param(inline, value_type = Option<SolicitudSort>)]
    pub sort: SolicitudSort,
    /// Page size, 1–100.
    #[param(required = false, minimum = 1, maximum = 100, default = 20)]
    pub limit: i64,
    /// The `next_cursor` of the previous page, unchanged; only valid with the same `sort` and
    /// filters.
    #[param(value_type = Option<String>, min_length = 1)]
    pub cursor: Option<SolicitudPosition>,
    /// Also return `total`, the number of matching solicitudes.
    #[param(required = false, default = false)]
    pub count: bool,
}

impl FromQueryString for SolicitudListQuery {
    fn from_query_string(query: &str) -> Result<Self, ValidationErrors> {
        let mut r = QueryReader::new(query);
        let estado = r.repeated(
            "estado",
            "enum",
            &format!("Debe ser uno de: {}", Estado::ETIQUETAS.join(", ")),
        );
        let prioridad = r.repeated(
            "prioridad",
            "enum",
            &format!("Debe ser uno de: {}", Prioridad::ETIQUETAS.join(", ")),
        );
        let persona_id = r.parsed("persona_id", "uuid_parsing", "Debe ser un UUID válido");
        let q = r.text("q", MAX_Q);
        let created_after = instant(&mut r, "created_after");
        let created_before = instant(&mut r, "created_before");
        let sorts: Vec<&str> = SolicitudSort::TODOS.iter().map(|(_, n)| *n).collect();
        let sort = r
            .parsed(
                "sort",
                "enum",
                &format!("Debe ser uno de: {}", sorts.join(", ")),
            )
            .unwrap_or_default();
        let paging = r.paging();
        let mut query = Self {
            estado,
            prioridad,
            persona_id,
            q,
            created_after,
            created_before,
            sort,
            limit: paging.limit,
            cursor: None,
            count: paging.count,
        };
        query.cursor = r
            .cursor(
                paging.cursor.as_deref(),
                || query.fingerprint(),
                |raw, fingerprint| match fingerprint {
                    Some(f) => cursor::decode(raw, LIST, Some(f))
                        .and_then(|p| SolicitudPosition::read(query.sort, p))
                        .map(Some),
                    // The sort and filters cannot be compared yet, but a cursor that is not
                    // one of this list's is reported with the other problems.
                    None => cursor::decode::<(Key, Uuid)>(raw, LIST, None).map(|_| None),
                },
            )
            .flatten();
        r.finish(query)
    }
}

/// The list's name inside its cursors.
const LIST: &str = "solicitudes";

/// The value of the sort key at a position of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortValue {
    /// `created_at` or `updated_at`, for the sorts by time.
    Time(OffsetDateTime),
    /// The prioridad, for the sorts by rank.
    Prioridad(Prioridad),
}

/// Where a page of solicitudes starts: after this row in the list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SolicitudPosition {
    /// The sort key's value at the last row of the previous page.
    pub value: SortValue,
    /// That row's id (ties on the sort key are broken by id).
    pub id: Uuid,
}

/// The sort key's value as a cursor carries it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Key {
    Micros(i64),
    Label(String),
}

impl SolicitudPosition {
    /// The position a cursor of `sort` carries.
    fn read(sort: SolicitudSort, (key, id): (Key, Uuid)) -> Result<Self, ValidationErrors> {
        let by_rank = matches!(
            sort,
            SolicitudSort::Prioridad | SolicitudSort::PrioridadDesc
        );
        let value = match (by_rank, key) {
            (false, Key::Micros(m)) => SortValue::Time(cursor::from_micros(m)?),
            (true, Key::Label(l)) => {
                SortValue::Prioridad(l.parse().map_err(|_| cursor::invalid())?)
            }
            _ => return Err(cursor::invalid()),
        };
        Ok(Self { value, id })
    }
}

impl SolicitudListQuery {
    /// The `next_cursor` of a page whose last row is at `after`.
    pub fn next_cursor(&self, after: SolicitudPosition) -> String {
        let key = match after.value {
            SortValue::Time(t) => Key::Micros(cursor::micros(t)),
            SortValue::Prioridad(p) => Key::Label(p.as_str().to_owned()),
        };
        cursor::encode(LIST, &self.fingerprint(), &(key, after.id))
    }

    /// Everything a cursor is only valid with: the sort and every filter, in a canonical form
    /// (repeated values sorted and deduplicated, instants in microseconds).
    fn fingerprint(&self) -> String {
        let mut estados: Vec<&str> = self.estado.iter().map(|e| e.as_str()).collect();
        estados.sort_unstable();
        estados.dedup();
        let mut prioridades: Vec<&str> = self.prioridad.iter().map(|p| p.as_str()).collect();
        prioridades.sort_unstable();
        prioridades.dedup();
        let instant = |t: Option<OffsetDateTime>| {
            t.map(|t| cursor::micros(t).to_string()).unwrap_or_default()
        };
        cursor::fingerprint(&[
            ("sort", self.sort.as_str()),
            ("estado", &estados.join(",")),
            ("prioridad", &prioridades.join(",")),
            (
                "persona_id",
                &self.persona_id.map(|p| p.to_string()).unwrap_or_default(),
            ),
            ("q", self.q.as_deref().unwrap_or("")),
            ("created_after", &instant(self.created_after)),
            ("created_before", &instant(self.created_before)),
        ])
    }
}

/// An RFC 3339 instant with an offset, in UTC and within the range the API can write back
/// (see [`timestamp`](crate::timestamp)). A `+` decoded as a space (an unencoded `+01:00`) is
/// read as the `+` it was meant to be: a space is never valid there.
fn instant(r: &mut QueryReader, name: &str) -> Option<OffsetDateTime> {
    let raw = r.single(name)?;
    match timestamp::parse_utc(&raw.replace(' ', "+")) {
        Ok(t) => Some(t),
        Err(TimestampError::Format) => {
            r.error(
                name,
                "datetime_parsing",
                "Debe ser una fecha y hora RFC 3339 con zona, p. ej. 2026-11-01T00:00:00Z",
            );
            None
        }
        Err(TimestampError::OutOfRange) => {
            r.error(
                name,
                "datetime_parsing",
                "Fuera del rango admitido: en UTC debe estar entre 0000-01-01T00:00:00Z y \
                 9999-12-31T23:59:59.999999Z",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn filtros_repetibles_orden_y_fechas() {
        let q = SolicitudListQuery::from_query_string(
            "estado=pendiente&estado=en_revision&prioridad=alta&sort=-prioridad\
             &created_after=2026-11-01T00:00:00Z&created_before=2026-11-30T10:00:00+01:00",
        )
        .unwrap();
        assert_eq!(q.estado, [Estado::Pendiente, Estado::EnRevision]);
        assert_eq!(q.prioridad, [Prioridad::Alta]);
        assert_eq!(q.sort, SolicitudSort::PrioridadDesc);
        assert_eq!(q.created_after, Some(datetime!(2026-11-01 00:00:00 UTC)));
        assert_eq!(q.created_before, Some(datetime!(2026-11-30 09:00:00 UTC)));
        let q = SolicitudListQuery::from_query_string("").unwrap();
        assert_eq!(q.sort, SolicitudSort::CreatedAtDesc);
        assert!(q.estado.is_empty());
    }

    #[test]
    fn valores_malos_son_422_todos_a_la_vez() {
        let errs = SolicitudListQuery::from_query_string(
            "estado=&estado=abierta&prioridad=maxima&persona_id=7&sort=titulo\
             &created_after=2026-11-01&created_before=2026-11-01T00:00:00",
        )
        .unwrap_err();
        let kinds: Vec<_> = errs.entries().iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "missing",
                "enum",
                "enum",
                "uuid_parsing",
                "datetime_parsing",
                "datetime_parsing",
                "enum"
            ]
        );
    }

    #[test]
    fn fechas_fuera_del_rango_en_utc_son_422() {
        let errs = SolicitudListQuery::from_query_string(
            "created_after=9999-12-31T23:59:59-23:59&created_before=0000-01-01T00:00:00%2B23:59",
        )
        .unwrap_err();
        let locs: Vec<_> = errs
            .entries()
            .iter()
            .map(|e| (serde_json::to_string(&e.loc).unwrap(), e.kind.as_str()))
            .collect();
        assert_eq!(
            locs,
            [
                (
                    r#"["query","created_after"]"#.to_owned(),
                    "datetime_parsing"
                ),
                (
                    r#"["query","created_before"]"#.to_owned(),
                    "datetime_parsing"
                ),
            ]
        );
        // An offset that keeps the instant in range is read, and kept in UTC.
        let q = SolicitudListQuery::from_query_string(
            "created_after=9999-12-31T00:00:00-23:59&created_before=0000-01-01T23:59:00%2B23:58",
        )
        .unwrap();
        assert_eq!(q.created_after, Some(datetime!(9999-12-31 23:59:00 UTC)));
        assert_eq!(q.created_before, Some(datetime!(0000-01-01 00:01:00 UTC)));
        assert_eq!(q.created_after.unwrap().offset(), time::UtcOffset::UTC);
    }

    #[test]
    fn cada_orden_se_lee_como_se_escribe() {
        for (sort, name) in SolicitudSort::TODOS {
            assert_eq!(name.parse::<SolicitudSort>(), Ok(sort));
            assert_eq!(sort.as_str(), name);
            assert_eq!(serde_json::to_string(&sort).unwrap(), format!("\"{name}\""));
        }
    }
}
