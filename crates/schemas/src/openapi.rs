//! What the OpenAPI document says about a field that the derives cannot take from a constant
//! (utoipa's `pattern` and `minLength` must be literals): here each rule is named once, from
//! the same constants garde checks ([`crate::text`]), and the HTTP binary writes these into
//! the document.

use crate::text::{self, Trimmed};

/// A property's string constraints in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringRule {
    /// The schema (component) name, e.g. `PersonaCreate`.
    pub schema: &'static str,
    /// The property, e.g. `nombre`.
    pub property: &'static str,
    /// Its `pattern`.
    pub pattern: String,
    /// Its `minLength`, if any.
    pub min_length: Option<usize>,
    /// Its `maxLength`, if any.
    pub max_length: Option<usize>,
}

fn trimmed(schema: &'static str, property: &'static str, rule: Trimmed) -> StringRule {
    StringRule {
        schema,
        property,
        pattern: rule.pattern(),
        min_length: Some(rule.min),
        max_length: None,
    }
}

fn email(schema: &'static str, property: &'static str) -> StringRule {
    StringRule {
        schema,
        property,
        pattern: text::EMAIL_PATTERN.to_owned(),
        min_length: None,
        max_length: Some(text::EMAIL_MAX),
    }
}

fn sin_nul(schema: &'static str, property: &'static str) -> StringRule {
    StringRule {
        schema,
        property,
        pattern: r"^[^\u0000]*$".to_owned(),
        min_length: None,
        max_length: None,
    }
}

/// Every such rule of the request bodies.
pub fn string_rules() -> Vec<StringRule> {
    vec![
        email("UsuarioCreate", "email"),
        email("UsuarioUpdate", "email"),
        email("Registro", "email"),
        trimmed("Registro", "nombre", text::NOMBRE),
        sin_nul("LoginForm", "username"),
        sin_nul("PasswordChange", "nueva"),
        sin_nul("Registro", "password"),
        sin_nul("UsuarioCreate", "password"),
        sin_nul("UsuarioUpdate", "password"),
        trimmed("PersonaCreate", "nombre", text::NOMBRE),
        trimmed("PersonaUpdate", "nombre", text::NOMBRE),
        email("PersonaCreate", "email"),
        email("PersonaUpdate", "email"),
        trimmed("SolicitudCreate", "titulo", text::TITULO),
        trimmed("SolicitudUpdate", "titulo", text::TITULO),
    ]
}

/// Components that only query parameters refer to (utoipa collects a component from the
/// request and response bodies of an operation, not from its `IntoParams`): the HTTP binary
/// adds these to the document. Every `$ref` of the document resolving is tested there.
pub fn parameter_schemas() -> Vec<(
    String,
    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
)> {
    use crate::timestamp::Instant;
    use utoipa::{PartialSchema, ToSchema};
    vec![(Instant::name().into_owned(), Instant::schema())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn el_patron_de_un_texto_recortado() {
        let ws = text::WHITE_SPACE;
        assert_eq!(
            Trimmed { min: 1, max: 100 }.pattern(),
            format!(r"^[{ws}]*[^\u0000{ws}]([^\u0000]{{0,98}}[^\u0000{ws}])?[{ws}]*$")
        );
        assert_eq!(
            Trimmed { min: 3, max: 200 }.pattern(),
            format!(r"^[{ws}]*[^\u0000{ws}][^\u0000]{{1,198}}[^\u0000{ws}][{ws}]*$")
        );
    }
}
