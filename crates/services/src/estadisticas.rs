//! The dashboard's counts.

use solicitudes_domain::policy::Accion;
use solicitudes_domain::{Alcance, Caller};
use solicitudes_persistence::DbPool;
use solicitudes_persistence::estadisticas as db;
use solicitudes_schemas::workflow::{Estadisticas, PorEstado, PorPrioridad};

use crate::acceso::exigir_sin_objeto;
use crate::error::ServiceError;

/// Solicitudes in total, per estado and per prioridad (one aggregate query), counting only
/// those the caller may see (a solicitante: their own).
///
/// # Errors
/// [`ServiceError::Unavailable`] when the database cannot be reached.
#[tracing::instrument(skip_all)]
pub async fn obtener(pool: &DbPool, caller: &Caller) -> Result<Estadisticas, ServiceError> {
    exigir_sin_objeto(caller, Accion::Estadisticas)?;
    let alcance = &caller.alcance();
    let c = if *alcance == Alcance::Ninguna {
        db::Conteos::default()
    } else {
        let mut conn = pool.get().await?;
        db::conteos(&mut conn, alcance).await?
    };
    Ok(Estadisticas {
        total: c.total,
        por_estado: PorEstado {
            pendiente: c.pendiente,
            en_revision: c.en_revision,
            aprobada: c.aprobada,
            rechazada: c.rechazada,
            cancelada: c.cancelada,
        },
        por_prioridad: PorPrioridad {
            baja: c.baja,
            media: c.media,
            alta: c.alta,
            urgente: c.urgente,
        },
    })
}
