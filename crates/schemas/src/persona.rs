//! Personas: the people who file solicitudes.

use garde::Validate;
use serde::{Deserialize, Serialize};
use solicitudes_domain::PersonaId;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::body::{Field, FieldKind, JsonBody};
use crate::cursor::{self, NewestFirst};
use crate::error::ValidationErrors;
use crate::page::MAX_Q;
use crate::query::{FromQueryString, QueryReader};
use crate::text;

/// Body of `POST /api/v1/personas`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"nombre": "Ana Pérez", "edad": 34, "email": "ana@example.com"}))]
pub struct PersonaCreate {
    /// Full name. Surrounding white space is trimmed, then 1–100 characters.
    #[serde(deserialize_with = "text::trimmed")]
    #[garde(length(chars, min = text::NOMBRE.min, max = text::NOMBRE.max), custom(text::sin_nul))]
    ///
    /// In the schema, `pattern` says exactly that: optional white space, then 1–100 characters
    /// that start and end with a character that is not white space (`maxLength` would count the
    /// untrimmed text, so the limit is in the pattern), then optional white space; no NUL.
    // `minLength` and `pattern` come from `text::NOMBRE` (see `crate::openapi`).
    #[schema(example = "Ana Pérez")]
    pub nombre: String,
    /// Age in years, a JSON integer from 0 to 150.
    #[garde(range(min = 0, max = 150))]
    #[schema(value_type = i32, minimum = 0, maximum = 150, example = 34)]
    pub edad: i64,
    /// Optional e-mail address, unique case-insensitively; stored as sent. At most 254
    /// characters: before the `@`, 1–64 letters, digits or the symbols the `pattern` lists (no
    /// quoted strings); after it, a host name or an IP address in brackets.
    #[serde(default)]
    #[garde(inner(email, length(chars, max = text::EMAIL_MAX), custom(text::sin_nul)))]
    #[schema(format = Email, example = "ana@example.com")]
    pub email: Option<String>,
}

impl JsonBody for PersonaCreate {
    const FIELDS: &'static [Field] = &[
        Field::required("nombre", FieldKind::String),
        Field::required("edad", FieldKind::Integer),
        Field::nullable("email", FieldKind::String),
    ];
}

/// Body of `PATCH /api/v1/personas/{id}`: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"edad": 35, "email": null}))]
pub struct PersonaUpdate {
    /// New name (trimmed, then 1–100 characters; the `pattern` says so exactly, as in
    /// `PersonaCreate`).
    #[serde(
        default,
        deserialize_with = "text::trimmed_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[garde(inner(length(chars, min = text::NOMBRE.min, max = text::NOMBRE.max), custom(text::sin_nul)))]
    #[schema(nullable = false, example = "Ana Pérez García")]
    pub nombre: Option<String>,
    /// New age (0–150).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(inner(range(min = 0, max = 150)))]
    #[schema(nullable = false, value_type = i32, minimum = 0, maximum = 150, example = 35)]
    pub edad: Option<i64>,
    /// New e-mail (as in `PersonaCreate`); `null` clears it.
    #[serde(
        default,
        deserialize_with = "text::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[garde(inner(inner(email, length(chars, max = text::EMAIL_MAX), custom(text::sin_nul))))]
    #[schema(value_type = Option<String>, format = Email, example = "ana.perez@example.com")]
    pub email: Option<Option<String>>,
}

impl JsonBody for PersonaUpdate {
    const FIELDS: &'static [Field] = &[
        Field::optional("nombre", FieldKind::String),
        Field::optional("edad", FieldKind::Integer),
        Field::nullable("email", FieldKind::String),
    ];
}

/// A persona as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a3f4-1c2b-7d3e-8f40-123456789abc",
    "nombre": "Ana Pérez",
    "edad": 34,
    "email": "ana@example.com",
    "created_at": "2026-11-22T10:15:30.123456Z",
    "updated_at": "2026-11-22T10:15:30.123456Z"
}))]
pub struct PersonaResponse {
    /// Server-assigned id.
    pub id: PersonaId,
    /// Full name.
    pub nombre: String,
    /// Age in years.
    pub edad: i32,
    /// E-mail address, or `null`.
    pub email: Option<String>,
    /// When it was created (RFC 3339, UTC).
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2026-11-22T10:15:30.123456Z")]
    pub created_at: OffsetDateTime,
    /// When it last changed (RFC 3339, UTC).
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2026-11-22T10:15:30.123456Z")]
    pub updated_at: OffsetDateTime,
}

/// Query of `GET /api/v1/personas`. Newest first; ties broken by id.
#[derive(Debug, Clone, PartialEq, Eq, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonaListQuery {
    /// Case-insensitive substring of `nombre` or `email` (all of Unicode: `JOSÉ` finds
    /// `josé`; `%` and `_` match literally). 1–200 characters.
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*$",
        example = "ana"
    )]
    pub q: Option<String>,
    /// Page size, 1–100.
    #[param(required = false, minimum = 1, maximum = 100, default = 20)]
    pub limit: i64,
    /// The `next_cursor` of the previous page, unchanged. Only valid with the same `q`.
    #[param(value_type = Option<String>, min_length = 1)]
    pub cursor: Option<NewestFirst>,
    /// Also return `total`, the number of matching personas.
    #[param(required = false, default = false)]
    pub count: bool,
}

/// The list's name inside its cursors.
const LIST: &str = "personas";

impl PersonaListQuery {
    /// What a cursor of this list is only valid with.
    fn fingerprint(&self) -> String {
        cursor::fingerprint(&[("q", self.q.as_deref().unwrap_or(""))])
    }

    /// The `next_cursor` of a page whose last persona is at `after`.
    pub fn next_cursor(&self, after: NewestFirst) -> String {
        after.encode(LIST, &self.fingerprint())
    }
}

impl FromQueryString for PersonaListQuery {
    fn from_query_string(query: &str) -> Result<Self, ValidationErrors> {
        let mut r = QueryReader::new(query);
        let q = r.text("q", MAX_Q);
        let paging = r.paging();
        let mut query = Self {
            q,
            limit: paging.limit,
            cursor: None,
            count: paging.count,
        };
        query.cursor = r.cursor(
            paging.cursor.as_deref(),
            || query.fingerprint(),
            |raw, fingerprint| NewestFirst::decode(raw, LIST, fingerprint),
        );
        r.finish(query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorEntry;
    use crate::body::parse;
    use crate::page::DEFAULT_LIMIT;

    fn kinds(errs: &ValidationErrors) -> Vec<(String, String)> {
        errs.entries()
            .iter()
            .map(|e: &ErrorEntry| {
                let loc = serde_json::to_string(&e.loc).unwrap();
                (loc, e.kind.clone())
            })
            .collect()
    }

    #[test]
    fn una_persona_valida_se_lee_recortada() {
        let p: PersonaCreate =
            parse(br#"{"nombre": "  Ana  ", "edad": 34, "email": "Ana@Example.com"}"#).unwrap();
        assert_eq!(p.nombre, "Ana");
        assert_eq!(p.edad, 34);
        assert_eq!(p.email.as_deref(), Some("Ana@Example.com"));
    }

    #[test]
    fn todos_los_problemas_se_informan_a_la_vez() {
        let errs = parse::<PersonaCreate>(
            br#"{"nombre": "   ", "edad": "20", "email": "", "rol": "admin"}"#,
        )
        .unwrap_err();
        assert_eq!(
            kinds(&errs),
            [
                (r#"["body","rol"]"#.into(), "extra_forbidden".into()),
                (r#"["body","nombre"]"#.into(), "string_too_short".into()),
                (r#"["body","edad"]"#.into(), "int_type".into()),
                (r#"["body","email"]"#.into(), "value_error".into()),
            ]
        );
    }

    #[test]
    fn edad_debe_ser_un_entero_json() {
        for body in [
            r#"{"nombre":"A","edad":20.0}"#,
            r#"{"nombre":"A","edad":"20"}"#,
            r#"{"nombre":"A","edad":true}"#,
            r#"{"nombre":"A","edad":null}"#,
        ] {
            let errs = parse::<PersonaCreate>(body.as_bytes()).unwrap_err();
            assert_eq!(
                kinds(&errs),
                [(r#"["body","edad"]"#.into(), "int_type".into())],
                "{body}"
            );
        }
        let errs = parse::<PersonaCreate>(br#"{"nombre":"A","edad":151}"#).unwrap_err();
        assert_eq!(
            kinds(&errs),
            [(r#"["body","edad"]"#.into(), "less_than_equal".into())]
        );
        let errs = parse::<PersonaCreate>(br#"{"nombre":"A","edad":-1}"#).unwrap_err();
        assert_eq!(
            kinds(&errs),
            [(r#"["body","edad"]"#.into(), "greater_than_equal".into())]
        );
        let errs =
            parse::<PersonaCreate>(br#"{"nombre":"A","edad":18446744073709551615}"#).unwrap_err();
        assert_eq!(
            kinds(&errs),
            [(r#"["body","edad"]"#.into(), "int_parsing_size".into())]
        );
        assert!(parse::<PersonaCreate>(br#"{"nombre":"A","edad":1e309}"#).is_err());
    }

    #[test]
    fn nombre_se_mide_en_caracteres_tras_recortar() {
        let cien = "é".repeat(100);
        let ok = format!(r#"{{"nombre":" {cien} ","edad":1}}"#);
        assert_eq!(parse::<PersonaCreate>(ok.as_bytes()).unwrap().nombre, cien);
        let largo = format!(r#"{{"nombre":"{cien}e","edad":1}}"#);
        let errs = parse::<PersonaCreate>(largo.as_bytes()).unwrap_err();
        assert_eq!(
            kinds(&errs),
            [(r#"["body","nombre"]"#.into(), "string_too_long".into())]
        );
    }

    #[test]
    fn el_texto_con_nul_se_rechaza() {
        let errs = parse::<PersonaCreate>(br#"{"nombre":"A\u0000B","edad":1}"#).unwrap_err();
        assert_eq!(
            kinds(&errs),
            [(r#"["body","nombre"]"#.into(), "string_nul".into())]
        );
    }

    #[test]
    fn faltan_campos_obligatorios() {
        let errs = parse::<PersonaCreate>(b"{}").unwrap_err();
        assert_eq!(
            kinds(&errs),
            [
                (r#"["body","nombre"]"#.into(), "missing".into()),
                (r#"["body","edad"]"#.into(), "missing".into()),
            ]
        );
    }

    #[test]
    fn el_cuerpo_debe_ser_json_y_un_objeto() {
        let errs = parse::<PersonaCreate>(b"{\"nombre\":").unwrap_err();
        assert_eq!(
            kinds(&errs),
            [(r#"["body"]"#.into(), "json_invalid".into())]
        );
        let errs = parse::<PersonaCreate>(b"[1,2]").unwrap_err();
        assert_eq!(
            kinds(&errs),
            [(r#"["body"]"#.into(), "model_attributes_type".into())]
        );
    }

    #[test]
    fn patch_distingue_ausente_de_null() {
        let u: PersonaUpdate = parse(b"{}").unwrap();
        assert_eq!(u, PersonaUpdate::default());
        let u: PersonaUpdate = parse(br#"{"email": null}"#).unwrap();
        assert_eq!(u.email, Some(None));
        let u: PersonaUpdate = parse(br#"{"email": "a@b.co"}"#).unwrap();
        assert_eq!(u.email, Some(Some("a@b.co".into())));
        let errs = parse::<PersonaUpdate>(br#"{"nombre": null, "edad": null}"#).unwrap_err();
        assert_eq!(errs.entries().len(), 2);
        let errs = parse::<PersonaUpdate>(br#"{"email": "no-es-correo"}"#).unwrap_err();
        assert_eq!(
            kinds(&errs),
            [(r#"["body","email"]"#.into(), "value_error".into())]
        );
    }

    #[test]
    fn la_consulta_de_la_lista() {
        let q = PersonaListQuery::from_query_string("q=ana&limit=5&count=true").unwrap();
        assert_eq!(q.q.as_deref(), Some("ana"));
        assert_eq!(q.limit, 5);
        assert!(q.count);
        let q = PersonaListQuery::from_query_string("").unwrap();
        assert_eq!(q.limit, DEFAULT_LIMIT);
        assert!(PersonaListQuery::from_query_string("limit=101").is_err());
        assert!(PersonaListQuery::from_query_string("cursor=").is_err());
    }
}
