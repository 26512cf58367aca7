//! `/api/v1/estadisticas`

use actix_web::{HttpResponse, web};
use solicitudes_schemas::ErrorMessage;
use solicitudes_schemas::workflow::Estadisticas;
use solicitudes_services::estadisticas;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::state::AppState;

/// Counts of solicitudes: in total, per estado and per prioridad (every one present, zeros
/// included), of the solicitudes the caller may see (a solicitante: their own). One aggregate
/// query.
#[utoipa::path(get, path = "/api/v1/estadisticas", tag = "estadisticas",
    responses(
        (status = 200, description = "The counts", body = Estadisticas),
        (status = 503, description = "Database unavailable", body = ErrorMessage),
    ))]
pub async fn obtener(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(estadisticas::obtener(&state.pool, &caller).await?))
}
