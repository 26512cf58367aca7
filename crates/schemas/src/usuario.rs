//! Usuarios: the accounts (admin only).

use garde::Validate;
use serde::{Deserialize, Serialize};
use solicitudes_domain::{PersonaId, Rol, UsuarioId};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Password, password_nueva};
use crate::body::{Field, FieldKind, JsonBody};
use crate::cursor::{self, NewestFirst};
use crate::error::ValidationErrors;
use crate::query::{FromQueryString, QueryReader};
use crate::text;

/// Longest `q` of the list.
pub const MAX_Q: usize = 254;

fn activo_por_defecto() -> bool {
    true
}

/// Body of `POST /api/v1/usuarios`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "eva@example.com", "rol": "revisor", "persona_id": null, "password": "correcto caballo batería"}))]
pub struct UsuarioCreate {
    /// The login name: an e-mail address, unique case-insensitively.
    #[garde(email, length(chars, max = 254), custom(text::sin_nul))]
    #[schema(max_length = 254, format = Email, example = "eva@example.com")]
    pub email: String,
    /// What the account may do.
    #[garde(skip)]
    pub rol: Rol,
    /// The persona the account files as; required for a solicitante.
    #[serde(default)]
    #[garde(skip)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub persona_id: Option<PersonaId>,
    /// The initial password: 8–128 characters.
    #[garde(custom(password_nueva))]
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128)]
    pub password: Password,
    /// Whether it may log in (default `true`).
    #[serde(default = "activo_por_defecto")]
    #[garde(skip)]
    #[schema(nullable = false, default = true)]
    pub activo: bool,
}

impl Default for UsuarioCreate {
    fn default() -> Self {
        Self {
            email: "placeholder@example.com".to_owned(),
            rol: Rol::Revisor,
            persona_id: None,
            password: Password::new("placeholder"),
            activo: true,
        }
    }
}

impl JsonBody for UsuarioCreate {
    const FIELDS: &'static [Field] = &[
        Field::required("email", FieldKind::String),
        Field::required("rol", FieldKind::Enum(&Rol::ETIQUETAS)),
        Field::nullable("persona_id", FieldKind::Uuid),
        Field::required("password", FieldKind::String),
        Field::optional("activo", FieldKind::Boolean),
    ];
}

/// Body of `PATCH /api/v1/usuarios/{id}`: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rol": "admin", "activo": true}))]
pub struct UsuarioUpdate {
    /// New login name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(inner(email, length(chars, max = 254), custom(text::sin_nul)))]
    #[schema(nullable = false, max_length = 254, format = Email)]
    pub email: Option<String>,
    /// New rol. Demoting the last active admin is a 409.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(skip)]
    #[schema(nullable = false)]
    pub rol: Option<Rol>,
    /// Activate or deactivate (deactivating revokes every session; the last active admin
    /// cannot be deactivated: 409).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(skip)]
    #[schema(nullable = false)]
    pub activo: Option<bool>,
    /// A new password (revokes every session of the account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(inner(custom(password_nueva)))]
    #[schema(value_type = Option<String>, nullable = false, format = Password, min_length = 8, max_length = 128)]
    pub password: Option<Password>,
    /// The persona it files as; `null` unlinks it (not allowed for a solicitante: 422).
    #[serde(
        default,
        deserialize_with = "text::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[garde(skip)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub persona_id: Option<Option<PersonaId>>,
}

impl UsuarioUpdate {
    /// Whether the PATCH names no field at all (`{}`).
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.rol.is_none()
            && self.activo.is_none()
            && self.password.is_none()
            && self.persona_id.is_none()
    }
}

impl JsonBody for UsuarioUpdate {
    const FIELDS: &'static [Field] = &[
        Field::optional("email", FieldKind::String),
        Field::optional("rol", FieldKind::Enum(&Rol::ETIQUETAS)),
        Field::optional("activo", FieldKind::Boolean),
        Field::optional("password", FieldKind::String),
        Field::nullable("persona_id", FieldKind::Uuid),
    ];
}

/// A usuario as the API returns it (never its password or hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a3f4-1c2b-7d3e-8f40-123456789abc",
    "email": "ana@example.com",
    "rol": "solicitante",
    "persona_id": "0193a3f4-1c2b-7d3e-8f40-123456789abd",
    "activo": true,
    "created_at": "2026-11-22T10:15:30.123456Z",
    "updated_at": "2026-11-22T10:15:30.123456Z"
}))]
pub struct UsuarioResponse {
    /// Server-assigned id.
    pub id: UsuarioId,
    /// The login name.
    pub email: String,
    /// What the account may do.
    pub rol: Rol,
    /// The persona it files as, or `null`.
    pub persona_id: Option<PersonaId>,
    /// Whether it may log in.
    pub activo: bool,
    /// When it was created (RFC 3339, UTC).
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// When it last changed (RFC 3339, UTC).
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

/// Query of `GET /api/v1/usuarios`.
#[derive(Debug, Clone, PartialEq, Eq, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsuarioListQuery {
    /// Case-insensitive substring of the e-mail. 1–254 characters.
    #[param(min_length = 1, max_length = 254, pattern = r"^[^\u0000]*$")]
    pub q: Option<String>,
    /// Only this rol.
    #[param(value_type = Option<Rol>)]
    pub rol: Option<Rol>,
    /// Only active (`true`) or only inactive (`false`) accounts.
    pub activo: Option<bool>,
    /// Page size, 1–100.
    #[param(required = false, minimum = 1, maximum = 100, default = 20)]
    pub limit: i64,
    /// The `next_cursor` of the previous page, unchanged; only valid with the same filters.
    #[param(value_type = Option<String>, min_length = 1)]
    pub cursor: Option<NewestFirst>,
    /// Also return `total`, the number of matching usuarios.
    #[param(required = false, default = false)]
    pub count: bool,
}

/// The list's name inside its cursors.
const LIST: &str = "usuarios";

impl UsuarioListQuery {
    fn fingerprint(&self) -> String {
        let activo = match self.activo {
            None => "",
            Some(true) => "true",
            Some(false) => "false",
        };
        cursor::fingerprint(&[
            ("q", self.q.as_deref().unwrap_or("")),
            ("rol", self.rol.map_or("", Rol::as_str)),
            ("activo", activo),
        ])
    }

    /// The `next_cursor` of a page whose last usuario is at `after`.
    pub fn next_cursor(&self, after: NewestFirst) -> String {
        after.encode(LIST, &self.fingerprint())
    }
}

impl FromQueryString for UsuarioListQuery {
    fn from_query_string(query: &str) -> Result<Self, ValidationErrors> {
        let mut r = QueryReader::new(query);
        let q = r.text("q", MAX_Q);
        let rol = r.parsed(
            "rol",
            "enum",
            &format!("Debe ser uno de: {}", Rol::ETIQUETAS.join(", ")),
        );
        let activo = r.boolean("activo");
        let paging = r.paging();
        let mut query = Self {
            q,
            rol,
            activo,
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
    use crate::body::parse;
    use uuid::Uuid;

    #[test]
    fn crear_y_editar_usuarios() {
        let c: UsuarioCreate =
            parse(br#"{"email": "Eva@Example.com", "rol": "revisor", "password": "12345678"}"#)
                .unwrap();
        assert!(c.activo);
        assert_eq!(c.persona_id, None);
        let e = parse::<UsuarioCreate>(
            br#"{"email": "x", "rol": "jefe", "password": 1, "activo": "si"}"#,
        )
        .unwrap_err();
        let locs: Vec<_> = e
            .entries()
            .iter()
            .map(|e| (serde_json::to_string(&e.loc).unwrap(), e.kind.clone()))
            .collect();
        assert_eq!(
            locs,
            [
                (r#"["body","email"]"#.into(), "value_error".into()),
                (r#"["body","rol"]"#.into(), "enum".into()),
                (r#"["body","password"]"#.into(), "string_type".into()),
                (r#"["body","activo"]"#.into(), "bool_type".into()),
            ]
        );
        let u: UsuarioUpdate = parse(br#"{"persona_id": null}"#).unwrap();
        assert_eq!(u.persona_id, Some(None));
        assert!(parse::<UsuarioUpdate>(b"{}").unwrap().is_empty());
        assert!(parse::<UsuarioUpdate>(br#"{"password": "corta"}"#).is_err());
    }

    #[test]
    fn la_consulta_de_la_lista_y_su_cursor() {
        let q =
            UsuarioListQuery::from_query_string("q=ana&rol=admin&activo=false&count=1").unwrap();
        assert_eq!(q.rol, Some(Rol::Admin));
        assert_eq!(q.activo, Some(false));
        assert!(q.count);
        assert!(UsuarioListQuery::from_query_string("rol=jefe").is_err());
        assert!(UsuarioListQuery::from_query_string("activo=").is_err());
        let c = q.next_cursor(NewestFirst {
            created_at: OffsetDateTime::UNIX_EPOCH,
            id: Uuid::nil(),
        });
        let same = format!("q=ana&rol=admin&activo=false&cursor={c}");
        assert!(
            UsuarioListQuery::from_query_string(&same)
                .unwrap()
                .cursor
                .is_some()
        );
        let other = format!("q=ana&rol=revisor&activo=false&cursor={c}");
        assert!(UsuarioListQuery::from_query_string(&other).is_err());
    }
}
