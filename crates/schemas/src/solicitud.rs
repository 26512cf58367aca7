//! Solicitudes: the requests people file and reviewers decide on.

use garde::Validate;
use serde::{Deserialize, Serialize};
use solicitudes_domain::{Estado, PersonaId, Prioridad, SolicitudId};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::body::{Field, FieldKind, JsonBody};
use crate::text;

/// Body of `POST /api/v1/solicitudes`. `estado`, `version` and the timestamps are the
/// server's: sending them is a 422 (`extra_forbidden`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "titulo": "Cambio de turno",
    "descripcion": "Solicito pasar al turno de mañana a partir de enero.",
    "prioridad": "alta",
    "persona_id": "0193a3f4-1c2b-7d3e-8f40-123456789abc"
}))]
pub struct SolicitudCreate {
    /// Title. Surrounding white space is trimmed, then 3–200 characters.
    #[serde(deserialize_with = "text::trimmed")]
    #[garde(length(chars, min = text::TITULO.min, max = text::TITULO.max), custom(text::sin_nul))]
    ///
    /// In the schema, `pattern` says exactly that: optional white space, then 3–200 characters
    /// that start and end with a character that is not white space (`maxLength` would count the
    /// untrimmed text, so the limit is in the pattern), then optional white space; no NUL.
    // `minLength` and `pattern` come from `text::TITULO` (see `crate::openapi`).
    #[schema(example = "Cambio de turno")]
    pub titulo: String,
    /// Free text, stored as sent; at most 5000 characters. Defaults to `""`; `null` is a 422.
    #[serde(default)]
    #[garde(length(chars, max = 5000), custom(text::sin_nul))]
    #[schema(
        max_length = 5000,
        pattern = r"^[^\u0000]*$",
        default = "",
        nullable = false
    )]
    pub descripcion: String,
    /// How urgent it is. Defaults to `media`; `null` is a 422.
    #[serde(default)]
    #[garde(skip)]
    #[schema(default = "media", nullable = false)]
    pub prioridad: Prioridad,
    /// The persona filing it; must exist (else 422). Cannot change later. May be omitted:
    /// then it is the caller's own persona (an admin, or a revisor without a persona, must
    /// name one: 422 if absent). `null` is a 422. Filing for another persona is for admins
    /// (403).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(skip)]
    #[schema(nullable = false)]
    pub persona_id: Option<PersonaId>,
}

impl JsonBody for SolicitudCreate {
    const FIELDS: &'static [Field] = &[
        Field::required("titulo", FieldKind::String),
        Field::optional("descripcion", FieldKind::String),
        Field::optional("prioridad", FieldKind::Enum(&Prioridad::ETIQUETAS)),
        Field::optional("persona_id", FieldKind::Uuid),
    ];
}

/// Body of `PATCH /api/v1/solicitudes/{id}`: absent fields stay as they are; `{}` changes
/// nothing. Only solicitudes that are not final can be edited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"prioridad": "urgente"}))]
pub struct SolicitudUpdate {
    /// New title (trimmed, then 3–200 characters; the `pattern` says so exactly, as in
    /// `SolicitudCreate`).
    #[serde(
        default,
        deserialize_with = "text::trimmed_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[garde(inner(length(chars, min = text::TITULO.min, max = text::TITULO.max), custom(text::sin_nul)))]
    #[schema(nullable = false, example = "Cambio de turno (enero)")]
    pub titulo: Option<String>,
    /// New description (≤ 5000 characters, stored as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(inner(length(chars, max = 5000), custom(text::sin_nul)))]
    #[schema(nullable = false, max_length = 5000, pattern = r"^[^\u0000]*$")]
    pub descripcion: Option<String>,
    /// New prioridad.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(skip)]
    #[schema(nullable = false)]
    pub prioridad: Option<Prioridad>,
}

impl JsonBody for SolicitudUpdate {
    const FIELDS: &'static [Field] = &[
        Field::optional("titulo", FieldKind::String),
        Field::optional("descripcion", FieldKind::String),
        Field::optional("prioridad", FieldKind::Enum(&Prioridad::ETIQUETAS)),
    ];
}

/// A solicitud as the API returns it. Its `ETag` header is `"<version>"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a3f5-2a4b-7c3e-9f40-abcdef012345",
    "titulo": "Cambio de turno",
    "descripcion": "Solicito pasar al turno de mañana a partir de enero.",
    "prioridad": "alta",
    "estado": "pendiente",
    "persona_id": "0193a3f4-1c2b-7d3e-8f40-123456789abc",
    "version": 1,
    "created_at": "2026-11-22T10:15:30.123456Z",
    "updated_at": "2026-11-22T10:15:30.123456Z"
}))]
pub struct SolicitudResponse {
    /// Server-assigned id.
    pub id: SolicitudId,
    /// Title.
    pub titulo: String,
    /// Description (may be empty).
    pub descripcion: String,
    /// How urgent it is.
    pub prioridad: Prioridad,
    /// Where it is in the review workflow (read-only; changed through transiciones).
    pub estado: Estado,
    /// Who filed it.
    pub persona_id: PersonaId,
    /// Starts at 1, +1 on every change; the `ETag` is this number in quotes.
    #[schema(minimum = 1, example = 1)]
    pub version: i32,
    /// When it was filed (RFC 3339, UTC).
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2026-11-22T10:15:30.123456Z")]
    pub created_at: OffsetDateTime,
    /// When it last changed (RFC 3339, UTC).
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2026-11-22T10:15:30.123456Z")]
    pub updated_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::parse;

    fn kinds(body: &str) -> Vec<(String, String)> {
        parse::<SolicitudCreate>(body.as_bytes())
            .unwrap_err()
            .entries()
            .iter()
            .map(|e| (serde_json::to_string(&e.loc).unwrap(), e.kind.clone()))
            .collect()
    }

    const PERSONA: &str = "0193a3f4-1c2b-7d3e-8f40-123456789abc";

    #[test]
    fn los_valores_por_defecto() {
        let s: SolicitudCreate =
            parse(format!(r#"{{"titulo":" Hola ","persona_id":"{PERSONA}"}}"#).as_bytes()).unwrap();
        assert_eq!(s.titulo, "Hola");
        assert_eq!(s.descripcion, "");
        assert_eq!(s.prioridad, Prioridad::Media);
    }

    #[test]
    fn la_descripcion_se_guarda_tal_cual() {
        let s: SolicitudCreate = parse(
            format!(
                r#"{{"titulo":"Hola","descripcion":"  dos espacios  ","persona_id":"{PERSONA}"}}"#
            )
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(s.descripcion, "  dos espacios  ");
    }

    #[test]
    fn null_en_un_campo_con_valor_por_defecto_es_422() {
        assert_eq!(
            kinds(&format!(
                r#"{{"titulo":"Hola","descripcion":null,"prioridad":null,"persona_id":"{PERSONA}"}}"#
            )),
            [
                (r#"["body","descripcion"]"#.into(), "string_type".into()),
                (r#"["body","prioridad"]"#.into(), "enum".into()),
            ]
        );
    }

    #[test]
    fn estado_en_la_creacion_es_asignacion_masiva() {
        assert_eq!(
            kinds(&format!(
                r#"{{"titulo":"Hola","estado":"aprobada","persona_id":"{PERSONA}"}}"#
            )),
            [(r#"["body","estado"]"#.into(), "extra_forbidden".into())]
        );
    }

    #[test]
    fn titulo_corto_y_persona_mal_formada_a_la_vez() {
        assert_eq!(
            kinds(r#"{"titulo":"  ab  ","persona_id":"123","prioridad":"maxima"}"#),
            [
                (r#"["body","titulo"]"#.into(), "string_too_short".into()),
                (r#"["body","prioridad"]"#.into(), "enum".into()),
                (r#"["body","persona_id"]"#.into(), "uuid_parsing".into()),
            ]
        );
    }

    #[test]
    fn descripcion_de_mas_de_5000_caracteres() {
        let d = "ñ".repeat(5001);
        assert_eq!(
            kinds(&format!(
                r#"{{"titulo":"Hola","descripcion":"{d}","persona_id":"{PERSONA}"}}"#
            )),
            [(r#"["body","descripcion"]"#.into(), "string_too_long".into())]
        );
    }

    #[test]
    fn patch_vacio_y_patch_con_null() {
        let u: SolicitudUpdate = parse(b"{}").unwrap();
        assert_eq!(u, SolicitudUpdate::default());
        let errs = parse::<SolicitudUpdate>(br#"{"titulo":null}"#).unwrap_err();
        assert_eq!(errs.entries()[0].kind, "string_type");
    }
}
