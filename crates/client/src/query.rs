//! The filters of the lists, as query parameters.

use solicitudes_domain::{Estado, PersonaId, Prioridad, Rol};
use solicitudes_schemas::solicitud_list::SolicitudSort;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Query pairs, in order.
pub(crate) type Pairs = Vec<(&'static str, String)>;

fn common(pairs: &mut Pairs, limit: Option<u8>, count: bool) {
    if let Some(limit) = limit {
        pairs.push(("limit", limit.to_string()));
    }
    if count {
        pairs.push(("count", "true".to_owned()));
    }
}

/// `t` as RFC 3339 (`2026-11-22T10:15:30.123456Z`), the way the API reads and writes
/// instants.
pub fn rfc3339(t: OffsetDateTime) -> String {
    // Formatting an in-range instant as RFC 3339 does not fail; should it, Display's text
    // (not RFC 3339) gets a 422 from the server rather than a silently different filter.
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// Filters of `GET /api/v1/personas` (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonaFilter {
    /// Case-insensitive substring of nombre or email.
    pub q: Option<String>,
    /// Page size (1–100; the server's default is 20). Only the size of each request: a
    /// stream still walks every page.
    pub limit: Option<u8>,
    /// Ask for `total` (on [`crate::Client::personas_page`]).
    pub count: bool,
}

impl PersonaFilter {
    pub(crate) fn pairs(&self) -> Pairs {
        let mut pairs = Pairs::new();
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        common(&mut pairs, self.limit, self.count);
        pairs
    }
}

/// Filters and order of `GET /api/v1/solicitudes`. Every filter given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SolicitudFilter {
    /// Only these estados (any of them); empty: all.
    pub estado: Vec<Estado>,
    /// Only these prioridades; empty: all.
    pub prioridad: Vec<Prioridad>,
    /// Only this persona's.
    pub persona_id: Option<PersonaId>,
    /// Case-insensitive substring of titulo or descripcion.
    pub q: Option<String>,
    /// Only those created after this instant (exclusive).
    pub created_after: Option<OffsetDateTime>,
    /// Only those created before this instant (exclusive).
    pub created_before: Option<OffsetDateTime>,
    /// The order; the server's default is newest first.
    pub sort: Option<SolicitudSort>,
    /// Page size (1–100; default 20).
    pub limit: Option<u8>,
    /// Ask for `total` (on [`crate::Client::solicitudes_page`]).
    pub count: bool,
}

impl SolicitudFilter {
    pub(crate) fn pairs(&self) -> Pairs {
        let mut pairs = Pairs::new();
        pairs.extend(self.estado.iter().map(|e| ("estado", e.to_string())));
        pairs.extend(self.prioridad.iter().map(|p| ("prioridad", p.to_string())));
        if let Some(p) = self.persona_id {
            pairs.push(("persona_id", p.to_string()));
        }
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        if let Some(t) = self.created_after {
            pairs.push(("created_after", rfc3339(t)));
        }
        if let Some(t) = self.created_before {
            pairs.push(("created_before", rfc3339(t)));
        }
        if let Some(sort) = self.sort {
            pairs.push(("sort", sort.as_str().to_owned()));
        }
        common(&mut pairs, self.limit, self.count);
        pairs
    }
}

/// Filters of `GET /api/v1/usuarios` (admin only; newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsuarioFilter {
    /// Case-insensitive substring of the e-mail.
    pub q: Option<String>,
    /// Only this rol.
    pub rol: Option<Rol>,
    /// Only active (`true`) or only inactive (`false`) accounts.
    pub activo: Option<bool>,
    /// Page size (1–100; default 20).
    pub limit: Option<u8>,
    /// Ask for `total` (on [`crate::Client::usuarios_page`]).
    pub count: bool,
}

impl UsuarioFilter {
    pub(crate) fn pairs(&self) -> Pairs {
        let mut pairs = Pairs::new();
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        if let Some(rol) = self.rol {
            pairs.push(("rol", rol.to_string()));
        }
        if let Some(activo) = self.activo {
            pairs.push(("activo", activo.to_string()));
        }
        common(&mut pairs, self.limit, self.count);
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn los_filtros_como_parametros() {
        let f = SolicitudFilter {
            estado: vec![Estado::Pendiente, Estado::EnRevision],
            prioridad: vec![Prioridad::Urgente],
            created_before: Some(time::macros::datetime!(2026-11-22 10:15:30.5 UTC)),
            sort: Some(SolicitudSort::CreatedAt),
            limit: Some(50),
            count: true,
            ..Default::default()
        };
        assert_eq!(
            f.pairs(),
            [
                ("estado", "pendiente".to_owned()),
                ("estado", "en_revision".to_owned()),
                ("prioridad", "urgente".to_owned()),
                ("created_before", "2026-11-22T10:15:30.5Z".to_owned()),
                ("sort", "created_at".to_owned()),
                ("limit", "50".to_owned()),
                ("count", "true".to_owned()),
            ]
        );
        assert!(SolicitudFilter::default().pairs().is_empty());
        let u = UsuarioFilter {
            rol: Some(Rol::Revisor),
            activo: Some(false),
            ..Default::default()
        };
        assert_eq!(
            u.pairs(),
            [
                ("rol", "revisor".to_owned()),
                ("activo", "false".to_owned())
            ]
        );
    }
}
