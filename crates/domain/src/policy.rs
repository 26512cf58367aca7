//! Who may do what: the contract's access table as one pure function.
//!
//! Deny by default, and never confirm that an object exists to someone who may not see it:
//!
//! 1. **Visibility.** A solicitante sees only their own persona and their own solicitudes;
//!    revisores and admins see every persona and every solicitud. An action on an object the
//!    caller cannot see is [`Decision::Invisible`] (a 404, exactly as if it did not exist).
//! 2. **Permission.** On an object the caller can see, an action the table does not grant is
//!    [`Decision::Prohibida`] (a 403).
//!
//! "Own" means the object's persona is the caller's persona ([`crate::Caller::es_propia`]);
//! a caller without a persona owns nothing. What the workflow decides (a final solicitud
//! cannot be edited: 409; which estados follow which) is not policy: the workflow answers
//! after the policy has allowed the attempt. Lists are not refused but narrowed: see
//! [`alcance`].

use crate::{Estado, PersonaId, Rol};

/// Every action of the contract's access table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Accion {
    /// `GET /personas` (narrowed by [`alcance`]).
    PersonasListar,
    /// `GET /personas/{id}`.
    PersonasLeer,
    /// `POST /personas`.
    PersonasCrear,
    /// `DELETE /personas/{id}`.
    PersonasBorrar,
    /// `PATCH /personas/{id}`.
    PersonasEditar,
    /// `POST /solicitudes`, for the persona named (own = the caller's persona).
    SolicitudesCrear,
    /// `GET /solicitudes` (narrowed by [`alcance`]).
    SolicitudesListar,
    /// `GET /solicitudes/{id}`.
    SolicitudesLeer,
    /// `GET /solicitudes/{id}/historial`.
    SolicitudesHistorial,
    /// `PATCH /solicitudes/{id}` (whether it is final is the workflow's 409).
    SolicitudesEditar,
    /// `DELETE /solicitudes/{id}`.
    SolicitudesBorrar,
    /// `POST /solicitudes/{id}/transiciones` to this estado.
    Transicionar(Estado),
    /// `GET /estadisticas` (narrowed by [`alcance`]).
    Estadisticas,
    /// Anything under `/usuarios`.
    Usuarios,
}

impl Accion {
    /// Every action, with every target estado of [`Accion::Transicionar`].
    pub fn todas() -> Vec<Accion> {
        let mut v = vec![
            Accion::PersonasListar,
            Accion::PersonasLeer,
            Accion::PersonasCrear,
            Accion::PersonasBorrar,
            Accion::PersonasEditar,
            Accion::SolicitudesCrear,
            Accion::SolicitudesListar,
            Accion::SolicitudesLeer,
            Accion::SolicitudesHistorial,
            Accion::SolicitudesEditar,
            Accion::SolicitudesBorrar,
        ];
        v.extend(Estado::TODOS.map(Accion::Transicionar));
        v.extend([Accion::Estadisticas, Accion::Usuarios]);
        v
    }

    /// The kind of object the action is on, which decides what "visible" means; `None` for
    /// actions on no existing object (create, list, estadísticas) and for usuarios.
    const fn objeto(self) -> Option<Objeto> {
        match self {
            Accion::PersonasLeer | Accion::PersonasBorrar | Accion::PersonasEditar => {
                Some(Objeto::Persona)
            }
            Accion::SolicitudesLeer
            | Accion::SolicitudesHistorial
            | Accion::SolicitudesEditar
            | Accion::SolicitudesBorrar
            | Accion::Transicionar(_) => Some(Objeto::Solicitud),
            Accion::PersonasListar
            | Accion::PersonasCrear
            | Accion::SolicitudesCrear
            | Accion::SolicitudesListar
            | Accion::Estadisticas
            | Accion::Usuarios => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Objeto {
    Persona,
    Solicitud,
}

/// What the policy answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Go ahead (the workflow and preconditions may still refuse).
    Permitida,
    /// 403: the caller can see the object but may not do this.
    Prohibida,
    /// 404: the caller may not even know the object exists.
    Invisible,
}

/// Whether `rol` may do `accion` on an object that is (`propia`) or is not the caller's own.
/// For actions on no object, `propia` says whether the persona named in the request is the
/// caller's (creating a solicitud) and is ignored otherwise.
pub fn puede(rol: Rol, accion: Accion, propia: bool) -> Decision {
    use Decision::{Invisible, Permitida, Prohibida};
    // 1. Visibility: only a solicitante is limited to their own objects.
    if accion.objeto().is_some() && rol == Rol::Solicitante && !propia {
        return Invisible;
    }
    if rol == Rol::Admin {
        return Permitida;
    }
    // 2. Permission, for a solicitante (on their own objects) or a revisor (on any).
    let permitida = match accion {
        Accion::PersonasListar
        | Accion::PersonasLeer
        | Accion::SolicitudesListar
        | Accion::SolicitudesLeer
        | Accion::SolicitudesHistorial
        | Accion::Estadisticas => true,
        Accion::PersonasCrear | Accion::PersonasBorrar | Accion::SolicitudesBorrar => false,
        Accion::Usuarios => false,
        // Their own persona, their own solicitudes (while not final: the workflow's 409).
        Accion::PersonasEditar | Accion::SolicitudesCrear | Accion::SolicitudesEditar => propia,
        // Withdrawing is for the one who filed it.
        Accion::Transicionar(Estado::Cancelada) => propia,
        // Reviewing is for a revisor, never on their own solicitud (separation of duties).
        Accion::Transicionar(_) => rol == Rol::Revisor && !propia,
    };
    if permitida { Permitida } else { Prohibida }
}

/// Which rows a caller's list (or count, or estadísticas) may include.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alcance {
    /// Every row.
    Todas,
    /// Only the rows of this persona (a persona list: only this persona).
    DePersona(PersonaId),
    /// No row at all.
    Ninguna,
}

/// The scope of the lists of a caller with `rol` and `persona`: a solicitante sees only
/// their own persona's rows (and nothing if, against the schema's rule, they had no persona);
/// revisores and admins see everything.
pub fn alcance(rol: Rol, persona: Option<PersonaId>) -> Alcance {
    match rol {
        Rol::Admin | Rol::Revisor => Alcance::Todas,
        Rol::Solicitante => alcance_propio(persona),
    }
}

/// The scope "only my own rows", whatever the rol: a caller without a persona owns nothing.
pub fn alcance_propio(persona: Option<PersonaId>) -> Alcance {
    persona.map_or(Alcance::Ninguna, Alcance::DePersona)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::{Invisible as N, Permitida as P, Prohibida as F};

    /// The contract's table written out: for each action, per rol, the decision on the
    /// caller's own object and on someone else's. Kept independent of `puede`'s structure.
    fn esperado(accion: Accion, rol: Rol) -> (Decision, Decision) {
        use Accion::*;
        let (sol, rev, adm) = match accion {
            PersonasListar => ((P, P), (P, P), (P, P)),
            PersonasLeer => ((P, N), (P, P), (P, P)),
            PersonasCrear => ((F, F), (F, F), (P, P)),
            PersonasBorrar => ((F, N), (F, F), (P, P)),
            PersonasEditar => ((P, N), (P, F), (P, P)),
            SolicitudesCrear => ((P, F), (P, F), (P, P)),
            SolicitudesListar => ((P, P), (P, P), (P, P)),
            SolicitudesLeer | SolicitudesHistorial => ((P, N), (P, P), (P, P)),
            SolicitudesEditar => ((P, N), (P, F), (P, P)),
            SolicitudesBorrar => ((F, N), (F, F), (P, P)),
            Transicionar(Estado::Cancelada) => ((P, N), (P, F), (P, P)),
            Transicionar(
                Estado::EnRevision | Estado::Aprobada | Estado::Rechazada | Estado::Pendiente,
            ) => ((F, N), (F, P), (P, P)),
            Estadisticas => ((P, P), (P, P), (P, P)),
            Usuarios => ((F, F), (F, F), (P, P)),
        };
        match rol {
            Rol::Solicitante => sol,
            Rol::Revisor => rev,
            Rol::Admin => adm,
        }
    }

    #[test]
    fn cada_rol_accion_y_propiedad_sigue_la_tabla_del_contrato() {
        let todas = Accion::todas();
        // 11 actions on personas/solicitudes, one transición per estado, estadísticas, usuarios.
        assert_eq!(todas.len(), 11 + Estado::TODOS.len() + 2);
        let mut casos = 0;
        for rol in Rol::TODOS {
            for &accion in &todas {
                let (propia, ajena) = esperado(accion, rol);
                assert_eq!(puede(rol, accion, true), propia, "{rol} {accion:?} propia");
                assert_eq!(puede(rol, accion, false), ajena, "{rol} {accion:?} ajena");
                casos += 2;
            }
        }
        assert_eq!(casos, 3 * 18 * 2);
    }

    #[test]
    fn un_revisor_no_mueve_su_propia_solicitud_salvo_para_cancelarla() {
        for destino in Estado::TODOS {
            let esperado = if destino == Estado::Cancelada { P } else { F };
            assert_eq!(
                puede(Rol::Revisor, Accion::Transicionar(destino), true),
                esperado,
                "{destino}"
            );
        }
    }

    #[test]
    fn lo_que_un_solicitante_no_ve_es_un_404_nunca_un_403() {
        for accion in Accion::todas() {
            if accion.objeto().is_some() {
                assert_eq!(puede(Rol::Solicitante, accion, false), N, "{accion:?}");
            }
        }
    }

    #[test]
    fn el_alcance_de_las_listas() {
        let p = PersonaId::new();
        assert_eq!(alcance(Rol::Admin, None), Alcance::Todas);
        assert_eq!(alcance(Rol::Revisor, None), Alcance::Todas);
        assert_eq!(alcance(Rol::Revisor, Some(p)), Alcance::Todas);
        assert_eq!(alcance(Rol::Solicitante, Some(p)), Alcance::DePersona(p));
        assert_eq!(alcance(Rol::Solicitante, None), Alcance::Ninguna);
        assert_eq!(alcance_propio(None), Alcance::Ninguna);
        assert_eq!(alcance_propio(Some(p)), Alcance::DePersona(p));
    }
}
