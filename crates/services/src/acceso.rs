//! The access policy applied to the use cases.
//!
//! Every use case that serves a request takes the [`Caller`] and asks the domain's policy
//! ([`solicitudes_domain::policy::puede`]) before it acts; this module turns its answer into
//! the contract's errors: [`Decision::Invisible`] is a 404 exactly like a missing object,
//! [`Decision::Prohibida`] a 403 — but only for an object that exists, since 404 comes
//! before 403. Lists are not refused but narrowed, by [`Caller::alcance`], in their SQL.

use solicitudes_domain::policy::{Accion, Decision};
use solicitudes_domain::{Caller, PersonaId};

use crate::error::{Recurso, ServiceError};

/// What the policy says about `accion` for `caller` when it does not depend on whose the
/// object is (the same answer for their own and for someone else's): then the object's
/// owner need not be read.
pub(crate) fn sin_dueno(caller: &Caller, accion: Accion) -> Option<Decision> {
    let propia = solicitudes_domain::policy::puede(caller.rol, accion, true);
    let ajena = solicitudes_domain::policy::puede(caller.rol, accion, false);
    (propia == ajena).then_some(propia)
}

/// The policy's answer on an object of `dueno` that exists, as a result.
pub(crate) fn exigir(
    caller: &Caller,
    accion: Accion,
    dueno: PersonaId,
    recurso: Recurso,
) -> Result<(), ServiceError> {
    decidido(caller.puede(accion, Some(dueno)), accion, recurso)
}

/// A decision as a result: `recurso` names what a 404 is about.
pub(crate) fn decidido(
    decision: Decision,
    accion: Accion,
    recurso: Recurso,
) -> Result<(), ServiceError> {
    match decision {
        Decision::Permitida => Ok(()),
        Decision::Prohibida => Err(ServiceError::Forbidden(accion)),
        Decision::Invisible => Err(ServiceError::NotFound(recurso)),
    }
}

/// For actions on no object (creating, listing): allowed or a 403.
pub(crate) fn exigir_sin_objeto(caller: &Caller, accion: Accion) -> Result<(), ServiceError> {
    match caller.puede(accion, None) {
        Decision::Permitida => Ok(()),
        Decision::Prohibida | Decision::Invisible => Err(ServiceError::Forbidden(accion)),
    }
}
