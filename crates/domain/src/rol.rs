//! What an account may do.

use serde::{Deserialize, Serialize};

/// The role of a usuario (account). What each may do is [`crate::policy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rol {
    /// Files solicitudes for their own persona and follows them.
    Solicitante,
    /// Reviews other people's solicitudes (and may file their own, when they have a persona).
    Revisor,
    /// Everything, including personas and usuarios.
    Admin,
}

impl Rol {
    /// Every rol, least powerful first.
    pub const TODOS: [Rol; 3] = [Rol::Solicitante, Rol::Revisor, Rol::Admin];

    /// The labels of [`Rol::TODOS`], in the same order (for schemas and docs).
    pub const ETIQUETAS: [&'static str; 3] = ["solicitante", "revisor", "admin"];

    /// The wire and database label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Rol::Solicitante => "solicitante",
            Rol::Revisor => "revisor",
            Rol::Admin => "admin",
        }
    }
}

etiquetado!(Rol::TODOS, "rol");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etiquetas_ida_y_vuelta() {
        assert_eq!(Rol::TODOS.map(Rol::as_str), Rol::ETIQUETAS);
        for r in Rol::TODOS {
            assert_eq!(r.as_str().parse::<Rol>(), Ok(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        assert!("Admin".parse::<Rol>().is_err());
    }
}
