//! How urgent a solicitud is.

use serde::{Deserialize, Serialize};

/// How urgent a solicitud is. Ordered by rank: `baja < media < alta < urgente`, which is also
/// the order `sort=prioridad` lists them in.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Prioridad {
    /// Can wait.
    Baja,
    /// The default.
    #[default]
    Media,
    /// Should be looked at soon.
    Alta,
    /// Needs attention now.
    Urgente,
}

impl Prioridad {
    /// Every prioridad, lowest rank first.
    pub const TODAS: [Prioridad; 4] = [
        Prioridad::Baja,
        Prioridad::Media,
        Prioridad::Alta,
        Prioridad::Urgente,
    ];

    /// The labels of [`Prioridad::TODAS`], in the same order (for schemas and docs).
    pub const ETIQUETAS: [&'static str; 4] = ["baja", "media", "alta", "urgente"];

    /// The wire and database label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Prioridad::Baja => "baja",
            Prioridad::Media => "media",
            Prioridad::Alta => "alta",
            Prioridad::Urgente => "urgente",
        }
    }
}

etiquetado!(Prioridad::TODAS, "prioridad");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn el_orden_es_el_rango() {
        let mut todas = Prioridad::TODAS;
        todas.reverse();
        todas.sort();
        assert_eq!(todas, Prioridad::TODAS);
        assert!(Prioridad::Baja < Prioridad::Media);
        assert!(Prioridad::Alta < Prioridad::Urgente);
    }

    #[test]
    fn las_etiquetas_siguen_el_orden_de_todas() {
        assert_eq!(
            Prioridad::TODAS.map(Prioridad::as_str),
            Prioridad::ETIQUETAS
        );
    }

    #[test]
    fn media_es_la_prioridad_por_defecto() {
        assert_eq!(Prioridad::default(), Prioridad::Media);
    }

    #[test]
    fn etiquetas_ida_y_vuelta() {
        for p in Prioridad::TODAS {
            assert_eq!(p.as_str().parse::<Prioridad>(), Ok(p));
        }
        assert!("URGENTE".parse::<Prioridad>().is_err());
    }
}
