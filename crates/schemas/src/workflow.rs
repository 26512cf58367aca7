//! The review workflow: transiciones, historial and estadísticas.

use garde::Validate;
use serde::{Deserialize, Serialize};
use solicitudes_domain::{Estado, UsuarioId};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::body::{Field, FieldKind, JsonBody};
use crate::{i18n, text};

/// Longest comentario, in characters.
pub const MAX_COMENTARIO: usize = 2000;

/// Body of `POST /api/v1/solicitudes/{id}/transiciones`: move a solicitud to another estado.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"estado": "rechazada", "comentario": "Falta la firma del responsable"}))]
pub struct TransicionCreate {
    /// The estado to move to. Allowed moves: `pendiente → en_revision | cancelada`;
    /// `en_revision → aprobada | rechazada | pendiente | cancelada`.
    #[garde(skip)]
    pub estado: Estado,
    /// Why; required (non-blank) when rejecting. At most 2000 characters.
    #[serde(default)]
    #[garde(
        inner(length(chars, max = MAX_COMENTARIO), custom(text::sin_nul)),
        custom(requerido_al_rechazar(self.estado))
    )]
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000]*$",
        example = "Falta la firma del responsable"
    )]
    pub comentario: Option<String>,
}

impl Default for TransicionCreate {
    fn default() -> Self {
        Self {
            estado: Estado::EnRevision,
            comentario: None,
        }
    }
}

impl JsonBody for TransicionCreate {
    const FIELDS: &'static [Field] = &[
        Field::required("estado", FieldKind::Enum(&Estado::ETIQUETAS)),
        Field::nullable("comentario", FieldKind::String),
    ];
}

fn requerido_al_rechazar(estado: Estado) -> impl FnOnce(&Option<String>, &()) -> garde::Result {
    move |comentario, _| {
        let blank = comentario.as_deref().is_none_or(|c| c.trim().is_empty());
        if estado.requiere_comentario() && blank {
            Err(i18n::error(
                "missing",
                format!("Para pasar a «{estado}» hace falta un comentario"),
            ))
        } else {
            Ok(())
        }
    }
}

/// Who made a change in the historial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "0193a3f4-1c2b-7d3e-8f40-123456789abc", "email": "eva@example.com"}))]
pub struct ActorResponse {
    /// The usuario's id.
    pub id: UsuarioId,
    /// The usuario's e-mail (as it is now).
    pub email: String,
}

/// One change of estado in a solicitud's historial; creation is the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "estado_anterior": "en_revision",
    "estado_nuevo": "rechazada",
    "comentario": "Falta la firma del responsable",
    "actor": {"id": "0193a3f4-1c2b-7d3e-8f40-123456789abc", "email": "eva@example.com"},
    "created_at": "2026-11-22T10:15:30.123456Z"
}))]
pub struct EventoResponse {
    /// The estado before; `null` for the creation event.
    pub estado_anterior: Option<Estado>,
    /// The estado after.
    pub estado_nuevo: Estado,
    /// The comentario given, or `null`.
    pub comentario: Option<String>,
    /// The usuario who made the change; `null` only for events written before accounts
    /// existed (e.g. seeded data).
    pub actor: Option<ActorResponse>,
    /// When it happened (RFC 3339, UTC).
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2026-11-22T10:15:30.123456Z")]
    pub created_at: OffsetDateTime,
}

/// Body of the 409 for a move the workflow forbids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "detail": "No se puede pasar de «pendiente» a «aprobada»",
    "code": "transition_not_allowed",
    "permitidos": ["en_revision", "cancelada"]
}))]
pub struct TransicionConflict {
    /// What was refused.
    pub detail: String,
    /// Always `transition_not_allowed`.
    pub code: crate::ErrorCode,
    /// The estados the solicitud can move to now (empty when it is final).
    pub permitidos: Vec<Estado>,
}

/// Solicitudes per estado; every estado present, zeros included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[allow(missing_docs)] // Each field is the count of its estado.
pub struct PorEstado {
    pub pendiente: i64,
    pub en_revision: i64,
    pub aprobada: i64,
    pub rechazada: i64,
    pub cancelada: i64,
}

/// Solicitudes per prioridad; every prioridad present, zeros included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[allow(missing_docs)] // Each field is the count of its prioridad.
pub struct PorPrioridad {
    pub baja: i64,
    pub media: i64,
    pub alta: i64,
    pub urgente: i64,
}

/// Body of `GET /api/v1/estadisticas`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "total": 12,
    "por_estado": {"pendiente": 4, "en_revision": 3, "aprobada": 2, "rechazada": 1, "cancelada": 2},
    "por_prioridad": {"baja": 1, "media": 6, "alta": 3, "urgente": 2}
}))]
pub struct Estadisticas {
    /// All solicitudes.
    pub total: i64,
    /// By estado.
    pub por_estado: PorEstado,
    /// By prioridad.
    pub por_prioridad: PorPrioridad,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::parse;

    fn kinds(body: &str) -> Vec<(String, String)> {
        parse::<TransicionCreate>(body.as_bytes())
            .unwrap_err()
            .entries()
            .iter()
            .map(|e| (serde_json::to_string(&e.loc).unwrap(), e.kind.clone()))
            .collect()
    }

    #[test]
    fn rechazar_exige_comentario_no_vacio() {
        for body in [
            r#"{"estado":"rechazada"}"#,
            r#"{"estado":"rechazada","comentario":null}"#,
            r#"{"estado":"rechazada","comentario":"   "}"#,
        ] {
            assert_eq!(
                kinds(body),
                [(r#"["body","comentario"]"#.into(), "missing".into())],
                "{body}"
            );
        }
        let t: TransicionCreate =
            parse(br#"{"estado":"rechazada","comentario":"No procede"}"#).unwrap();
        assert_eq!(t.comentario.as_deref(), Some("No procede"));
    }

    #[test]
    fn los_demas_estados_no_exigen_comentario() {
        let t: TransicionCreate = parse(br#"{"estado":"aprobada"}"#).unwrap();
        assert_eq!(t.estado, Estado::Aprobada);
        assert_eq!(t.comentario, None);
    }

    #[test]
    fn estado_desconocido_y_comentario_largo() {
        assert_eq!(
            kinds(r#"{"estado":"archivada"}"#),
            [(r#"["body","estado"]"#.into(), "enum".into())]
        );
        assert_eq!(
            kinds(r#"{}"#),
            [(r#"["body","estado"]"#.into(), "missing".into())]
        );
        let largo = "x".repeat(MAX_COMENTARIO + 1);
        assert_eq!(
            kinds(&format!(
                r#"{{"estado":"aprobada","comentario":"{largo}"}}"#
            )),
            [(r#"["body","comentario"]"#.into(), "string_too_long".into())]
        );
    }
}
