//! The dashboard's counts.

use solicitudes_persistence::DbPool;
use solicitudes_persistence::estadisticas as db;
use solicitudes_schemas::workflow::{Estadisticas, PorEstado, PorPrioridad};

use crate::error::ServiceError;

/// Solicitudes in total, per estado and per prioridad (one aggregate query).
///
/// # Errors
/// [`ServiceError::Unavailable`] when the database cannot be reached.
#[tracing::instrument(skip_all)]
pub async fn obtener(pool: &DbPool) -> Result<Estadisticas, ServiceError> {
    let mut conn = pool.get().await?;
    let c = db::conteos(&mut conn).await?;
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
