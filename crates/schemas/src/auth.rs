//! Logins, tokens, sessions and open registration.

use std::fmt;

use garde::Validate;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use solicitudes_domain::SesionId;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::body::{Field, FieldKind, JsonBody};
use crate::error::{ErrorEntry, ValidationErrors};
use crate::{i18n, text};

/// Shortest new password, in characters (Unicode code points).
pub const MIN_PASSWORD: usize = 8;
/// Longest password, in characters. Longer ones are refused, never truncated.
pub const MAX_PASSWORD: usize = 128;

/// A password as received. Its `Debug` prints `Password(***)`; serialising it writes a fixed
/// mask (needed only for the placeholders of [`crate::body`], never for a response), so the
/// secret cannot leak through a log line or a response by accident.
#[derive(Clone, Default)]
pub struct Password(SecretString);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Self {
        Self(SecretString::from(password.into()))
    }

    /// Wraps a password already held as a secret (from the configuration).
    pub fn from_secret(password: SecretString) -> Self {
        Self(password)
    }

    /// The password itself, for hashing or verifying it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Its length in characters.
    pub fn chars(&self) -> usize {
        self.expose().chars().count()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl PartialEq for Password {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Serialize for Password {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("********")
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Password::new)
    }
}

/// garde rule of a new password: 8–128 characters, no NUL.
pub(crate) fn password_nueva(p: &Password, _ctx: &()) -> garde::Result {
    let n = p.chars();
    if n < MIN_PASSWORD {
        Err(i18n::error(
            "string_too_short",
            format!("La contraseña debe tener al menos {MIN_PASSWORD} caracteres"),
        ))
    } else if n > MAX_PASSWORD {
        Err(i18n::error(
            "string_too_long",
            format!("La contraseña debe tener como máximo {MAX_PASSWORD} caracteres"),
        ))
    } else {
        text::sin_nul(&p.expose(), &())
    }
}

/// garde rule of a password being checked: at most 128 characters (no stored password is
/// longer), so no one makes the server hash megabytes.
fn password_dada(p: &Password, _ctx: &()) -> garde::Result {
    if p.chars() > MAX_PASSWORD {
        Err(i18n::error(
            "string_too_long",
            format!("La contraseña debe tener como máximo {MAX_PASSWORD} caracteres"),
        ))
    } else {
        Ok(())
    }
}

/// The OAuth2 grants `POST /api/v1/auth/token` supports: only `password` (for the document;
/// the body reader checks the value against `LoginForm::FIELDS`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum GrantType {
    /// The resource owner password credentials grant.
    Password,
}

/// Body of `POST /api/v1/auth/token`: the OAuth2 password grant, form-encoded (what Swagger
/// UI's Authorize dialog sends) or as JSON with the same fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grant_type": "password", "username": "ana@example.com", "password": "correcto caballo batería"}))]
pub struct LoginForm {
    /// `password` when present (the only grant supported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(skip)]
    #[schema(value_type = Option<GrantType>, nullable = false, example = "password")]
    pub grant_type: Option<String>,
    /// The account's e-mail.
    #[garde(length(chars, min = 1, max = 254), custom(text::sin_nul))]
    #[schema(min_length = 1, max_length = 254, example = "ana@example.com")]
    pub username: String,
    /// The password (at most 128 characters).
    #[garde(custom(password_dada))]
    #[schema(value_type = String, format = Password, max_length = 128)]
    pub password: Password,
    /// Ignored (OAuth2 clients may send it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(skip)]
    #[schema(nullable = false)]
    pub scope: Option<String>,
    /// Ignored (OAuth2 clients may send it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(skip)]
    #[schema(nullable = false)]
    pub client_id: Option<String>,
    /// Ignored (OAuth2 clients may send it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[garde(skip)]
    #[schema(value_type = Option<String>, nullable = false, format = Password)]
    pub client_secret: Option<Password>,
}

impl JsonBody for LoginForm {
    const FIELDS: &'static [Field] = &[
        Field::optional("grant_type", FieldKind::Enum(&["password"])),
        Field::required("username", FieldKind::String),
        Field::required("password", FieldKind::String),
        Field::optional("scope", FieldKind::String),
        Field::optional("client_id", FieldKind::String),
        Field::optional("client_secret", FieldKind::String),
    ];
}

impl LoginForm {
    /// Reads an `application/x-www-form-urlencoded` body with the same rules (and the same
    /// 422 entries, `loc` `["body", field]`) as the JSON one. Empty `scope`, `client_id` and
    /// `client_secret` (which OAuth2 clients send) count as absent; a field given twice is a
    /// 422.
    ///
    /// # Errors
    /// Every problem, as for a JSON body.
    pub fn from_form(bytes: &[u8]) -> Result<Self, ValidationErrors> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).map_err(|e| {
            ValidationErrors::single(ErrorEntry::new(
                ["body"],
                "value_error",
                format!("Formulario mal formado: {e}"),
            ))
        })?;
        let mut object = serde_json::Map::new();
        let mut errors = ValidationErrors::default();
        for (k, v) in pairs {
            let opcional_vacio =
                v.is_empty() && matches!(k.as_str(), "scope" | "client_id" | "client_secret");
            if opcional_vacio {
                continue;
            }
            if object.contains_key(&k) {
                errors.push(ErrorEntry::new(
                    ["body".to_owned(), k],
                    "value_error",
                    "Solo puede indicarse una vez",
                ));
                continue;
            }
            object.insert(k, serde_json::Value::String(v));
        }
        match crate::body::from_value::<Self>(serde_json::Value::Object(object)) {
            Ok(form) => errors.into_result(form),
            Err(e) => {
                errors.extend(e);
                Err(errors)
            }
        }
    }
}

/// Body of a successful `POST /api/v1/auth/token` (OAuth2's token response).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"access_token": "sol_3q2-7wVq…", "token_type": "bearer", "expires_in": 43200}))]
pub struct TokenResponse {
    /// The bearer token: send it as `Authorization: Bearer <token>`. Shown only this once.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"***")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Body of `POST /api/v1/auth/password`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"actual": "correcto caballo batería", "nueva": "grapa caballo correcto"}))]
pub struct PasswordChange {
    /// The current password (a wrong one is a 422 on this field, counted as a failed login).
    #[garde(custom(password_dada))]
    #[schema(value_type = String, format = Password, max_length = 128)]
    pub actual: Password,
    /// The new password: 8–128 characters, used in full.
    #[garde(custom(password_nueva))]
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128)]
    pub nueva: Password,
}

impl JsonBody for PasswordChange {
    const FIELDS: &'static [Field] = &[
        Field::required("actual", FieldKind::String),
        Field::required("nueva", FieldKind::String),
    ];
}

/// One of the caller's live sessions (`GET /api/v1/auth/sesiones`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a3f4-1c2b-7d3e-8f40-123456789abc",
    "created_at": "2026-11-22T10:15:30.123456Z",
    "last_used_at": "2026-11-22T10:45:00.000000Z",
    "expires_at": "2026-11-22T22:15:30.123456Z",
    "user_agent": "Mozilla/5.0",
    "actual": true
}))]
pub struct SesionResponse {
    /// The session's id (for `DELETE /api/v1/auth/sesiones/{id}`).
    pub id: SesionId,
    /// When it was opened (RFC 3339, UTC).
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// When it was last used, to the minute.
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub last_used_at: OffsetDateTime,
    /// When its token stops working.
    #[serde(with = "crate::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// The `User-Agent` it logged in with, or `null`.
    pub user_agent: Option<String>,
    /// Whether it is the session making this request.
    pub actual: bool,
}

/// Body of `POST /api/v1/auth/registro` (open registration): a persona and its solicitante
/// account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"nombre": "Ana Pérez", "edad": 34, "email": "ana@example.com", "password": "correcto caballo batería"}))]
pub struct Registro {
    /// Full name (trimmed, then 1–100 characters), as for a persona.
    #[serde(deserialize_with = "text::trimmed")]
    #[garde(length(chars, min = 1, max = 100), custom(text::sin_nul))]
    #[schema(min_length = 1, example = "Ana Pérez")]
    pub nombre: String,
    /// Age in years (0–150).
    #[garde(range(min = 0, max = 150))]
    #[schema(value_type = i32, minimum = 0, maximum = 150, example = 34)]
    pub edad: i64,
    /// The e-mail: the account's login and the persona's address.
    #[garde(email, length(chars, max = 254), custom(text::sin_nul))]
    #[schema(max_length = 254, format = Email, example = "ana@example.com")]
    pub email: String,
    /// The password: 8–128 characters, used in full.
    #[garde(custom(password_nueva))]
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128)]
    pub password: Password,
}

impl JsonBody for Registro {
    const FIELDS: &'static [Field] = &[
        Field::required("nombre", FieldKind::String),
        Field::required("edad", FieldKind::Integer),
        Field::required("email", FieldKind::String),
        Field::required("password", FieldKind::String),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::parse;

    fn kinds(errs: &ValidationErrors) -> Vec<(String, String)> {
        errs.entries()
            .iter()
            .map(|e| (serde_json::to_string(&e.loc).unwrap(), e.kind.clone()))
            .collect()
    }

    #[test]
    fn la_contrasena_no_se_imprime_ni_se_serializa() {
        let p = Password::new("muy secreta");
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"********\"");
        let c: PasswordChange =
            parse(br#"{"actual": "vieja secreta", "nueva": "nueva secreta"}"#).unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("secreta"), "{debug}");
        assert_eq!(c.nueva.expose(), "nueva secreta");
        let t = TokenResponse {
            access_token: "sol_abc".into(),
            token_type: "bearer".into(),
            expires_in: 1,
        };
        assert!(!format!("{t:?}").contains("sol_abc"));
    }

    #[test]
    fn la_contrasena_nueva_mide_8_a_128_caracteres_sin_recortar() {
        let ok = |p: &str| {
            parse::<PasswordChange>(
                serde_json::to_vec(&serde_json::json!({"actual": "x", "nueva": p}))
                    .unwrap()
                    .as_slice(),
            )
        };
        assert!(
            ok("ñññññññ ").is_ok(),
            "8 characters, 16 bytes, the space counts"
        );
        assert_eq!(ok(&"é".repeat(128)).unwrap().nueva.chars(), 128);
        let e = ok("1234567").unwrap_err();
        assert_eq!(
            kinds(&e),
            [(r#"["body","nueva"]"#.into(), "string_too_short".into())]
        );
        let e = ok(&"é".repeat(129)).unwrap_err();
        assert_eq!(
            kinds(&e),
            [(r#"["body","nueva"]"#.into(), "string_too_long".into())]
        );
        let e = ok("12345678\u{0}").unwrap_err();
        assert_eq!(
            kinds(&e),
            [(r#"["body","nueva"]"#.into(), "string_nul".into())]
        );
    }

    #[test]
    fn el_login_por_formulario_y_por_json() {
        let f = LoginForm::from_form(
            b"grant_type=password&username=ana%40example.com&password=a%20b&scope=&client_id=",
        )
        .unwrap();
        assert_eq!(f.username, "ana@example.com");
        assert_eq!(f.password.expose(), "a b");
        let j: LoginForm = parse(br#"{"username": "ana@example.com", "password": "x"}"#).unwrap();
        assert_eq!(j.grant_type, None);
        let e = LoginForm::from_form(b"grant_type=client_credentials&password=x").unwrap_err();
        assert_eq!(
            kinds(&e),
            [
                (r#"["body","grant_type"]"#.into(), "enum".into()),
                (r#"["body","username"]"#.into(), "missing".into()),
            ]
        );
        let e = LoginForm::from_form(b"username=a&username=b&password=x").unwrap_err();
        assert_eq!(
            kinds(&e),
            [(r#"["body","username"]"#.into(), "value_error".into())]
        );
    }

    #[test]
    fn el_registro_exige_todo() {
        let e = parse::<Registro>(br#"{"nombre": " ", "email": "no", "password": "corta"}"#)
            .unwrap_err();
        assert_eq!(
            kinds(&e),
            [
                (r#"["body","nombre"]"#.into(), "string_too_short".into()),
                (r#"["body","edad"]"#.into(), "missing".into()),
                (r#"["body","email"]"#.into(), "value_error".into()),
                (r#"["body","password"]"#.into(), "string_too_short".into()),
            ]
        );
    }
}
