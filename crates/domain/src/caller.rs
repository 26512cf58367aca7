//! Who is making a request.

use crate::policy::{self, Accion, Alcance, Decision};
use crate::{PersonaId, Rol, SesionId, UsuarioId};

/// The authenticated caller of a request: an active usuario, as the database says *now*
/// (rol, persona and e-mail are read fresh, never trusted from the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The account.
    pub usuario_id: UsuarioId,
    /// Its e-mail (login name).
    pub email: String,
    /// Its rol.
    pub rol: Rol,
    /// The persona it files as, if any (a solicitante always has one).
    pub persona_id: Option<PersonaId>,
    /// The session the request came with.
    pub sesion_id: SesionId,
}

impl Caller {
    /// Whether an object that belongs to `persona` is the caller's own.
    pub fn es_propia(&self, persona: PersonaId) -> bool {
        self.persona_id == Some(persona)
    }

    /// What the policy says about `accion` on an object of `persona` (`None` for actions on
    /// no particular object, such as listing or creating a persona).
    pub fn puede(&self, accion: Accion, persona: Option<PersonaId>) -> Decision {
        let propia = persona.is_some_and(|p| self.es_propia(p));
        policy::puede(self.rol, accion, propia)
    }

    /// Which rows the caller's lists (solicitudes, personas, estadísticas) may include.
    pub fn alcance(&self) -> Alcance {
        policy::alcance(self.rol, self.persona_id)
    }
}
