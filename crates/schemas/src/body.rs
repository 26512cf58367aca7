//! JSON request bodies → DTOs, with every problem reported at once.
//!
//! serde stops at the first problem, and a form wants to show them all. So a body is read in
//! two passes:
//!
//! 1. **Shape** — the body must be a JSON object; each known field is checked against its
//!    [`FieldKind`] (a string, an integer, a UUID, one of an enum's labels), required fields
//!    must be present, `null` is refused where the contract has a default instead, and unknown
//!    fields (`estado` on create: mass assignment) are refused.
//! 2. **Rules** — the DTO's garde rules (lengths, ranges, e-mail syntax, no NUL). Fields that
//!    already failed the shape pass are filled with a placeholder for this pass and their rule
//!    errors dropped, so each problem is reported once.
//!
//! The result is either a DTO that meets the contract or [`ValidationErrors`] in FastAPI's
//! shape, with `loc` starting at `"body"`.

use garde::Validate;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use utoipa::ToSchema;

use crate::error::{ErrorEntry, ValidationErrors};
use crate::i18n;

/// What JSON type a field takes.
#[derive(Debug, Clone, Copy)]
pub enum FieldKind {
    /// A string.
    String,
    /// A JSON integer (`20`; not `20.0`, `"20"` or `true`).
    Integer,
    /// A JSON boolean (`true`, `false`; not `"true"` or `1`).
    Boolean,
    /// A UUID string.
    Uuid,
    /// A string that is one of these labels.
    Enum(&'static [&'static str]),
}

/// One field of a request DTO.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The JSON name.
    pub name: &'static str,
    /// Its JSON type.
    pub kind: FieldKind,
    /// Whether it must be present.
    pub required: bool,
    /// Whether `null` is an accepted value (it means "no value", e.g. clearing an e-mail).
    pub nullable: bool,
}

impl Field {
    /// A field that must be present and not null.
    pub const fn required(name: &'static str, kind: FieldKind) -> Self {
        Self {
            name,
            kind,
            required: true,
            nullable: false,
        }
    }

    /// A field that may be absent but, when present, is not null.
    pub const fn optional(name: &'static str, kind: FieldKind) -> Self {
        Self {
            name,
            kind,
            required: false,
            nullable: false,
        }
    }

    /// A field that may be absent or null.
    pub const fn nullable(name: &'static str, kind: FieldKind) -> Self {
        Self {
            name,
            kind,
            required: false,
            nullable: true,
        }
    }
}

/// A DTO that can be read from a JSON body with [`parse`].
///
/// `Default` provides the placeholders of the rules pass; `Serialize` turns them into JSON;
/// `ToSchema` documents it, and [`fields_agree_with_schema`] checks `FIELDS` against that.
pub trait JsonBody:
    DeserializeOwned + Serialize + Default + Validate<Context = ()> + ToSchema
{
    /// Every field the body may have, in the order of the form (422 entries are reported in
    /// this order). The same facts are in the type's `ToSchema` derive (names, `Option`,
    /// `#[schema(nullable)]`, enum types); [`bodies`] checks, for every body, that they agree.
    const FIELDS: &'static [Field];
}

/// Every [`JsonBody`] of this crate, by its schema (component) name, with the result of
/// [`fields_agree_with_schema`]. The HTTP binary's tests check that every request body of the
/// OpenAPI document is one of these, so a new body cannot skip the check.
pub fn bodies() -> Vec<(String, Result<(), String>)> {
    fn check<T: JsonBody>() -> (String, Result<(), String>) {
        (T::name().into_owned(), fields_agree_with_schema::<T>())
    }
    vec![
        check::<crate::persona::PersonaCreate>(),
        check::<crate::persona::PersonaUpdate>(),
        check::<crate::solicitud::SolicitudCreate>(),
        check::<crate::solicitud::SolicitudUpdate>(),
        check::<crate::workflow::TransicionCreate>(),
        check::<crate::auth::LoginForm>(),
        check::<crate::auth::PasswordChange>(),
        check::<crate::auth::Registro>(),
        check::<crate::usuario::UsuarioCreate>(),
        check::<crate::usuario::UsuarioUpdate>(),
    ]
}

/// Whether `T::FIELDS` names exactly the properties of `T`'s OpenAPI schema, each with the
/// schema's type (string, integer, UUID, or the same enum labels), `required` and `null`.
///
/// # Errors
/// Each disagreement, in words.
pub fn fields_agree_with_schema<T: JsonBody>() -> Result<(), String> {
    let schema = serde_json::to_value(T::schema()).map_err(|e| e.to_string())?;
    let mut referenced = Vec::new();
    T::schemas(&mut referenced);
    let components: Map<String, Value> = referenced
        .into_iter()
        .filter_map(|(name, s)| Some((name, serde_json::to_value(s).ok()?)))
        .collect();
    let empty = Map::new();
    let properties = schema["properties"].as_object().unwrap_or(&empty);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut problems = Vec::new();
    let in_schema: BTreeSet<&str> = properties.keys().map(String::as_str).collect();
    let in_fields: BTreeSet<&str> = T::FIELDS.iter().map(|f| f.name).collect();
    if in_schema != in_fields {
        problems.push(format!(
            "FIELDS names {in_fields:?}, the schema's properties are {in_schema:?}"
        ));
    }
    for field in T::FIELDS {
        let Some(property) = properties.get(field.name) else {
            continue;
        };
        let property = match property["$ref"].as_str() {
            None => property,
            Some(r) => match components.get(r.rsplit('/').next().unwrap_or(r)) {
                Some(target) => target,
                None => {
                    problems.push(format!("{}: {r} is not among the schemas", field.name));
                    continue;
                }
            },
        };
        let types: Vec<&str> = match &property["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let nullable = types.contains(&"null");
        let labels: Option<Vec<&str>> = property["enum"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect());
        let kind_agrees = match field.kind {
            FieldKind::String => {
                types.contains(&"string") && labels.is_none() && property["format"] != "uuid"
            }
            FieldKind::Integer => types.contains(&"integer"),
            FieldKind::Boolean => types.contains(&"boolean"),
            FieldKind::Uuid => types.contains(&"string") && property["format"] == "uuid",
            FieldKind::Enum(expected) => labels.as_deref() == Some(expected),
        };
        if !kind_agrees {
            problems.push(format!(
                "{}: {:?} but the schema says {property}",
                field.name, field.kind
            ));
        }
        if field.required != required.contains(&field.name) {
            problems.push(format!(
                "{}: required is {} in FIELDS",
                field.name, field.required
            ));
        }
        if field.nullable != nullable {
            problems.push(format!(
                "{}: nullable is {} in FIELDS",
                field.name, field.nullable
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Parses and validates a JSON body.
///
/// # Errors
/// Every problem found, as 422 entries whose `loc` starts with `"body"`.
pub fn parse<T: JsonBody>(bytes: &[u8]) -> Result<T, ValidationErrors> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        ValidationErrors::single(ErrorEntry::new(
            ["body"],
            "json_invalid",
            format!("JSON mal formado: {e}"),
        ))
    })?;
    from_value(value)
}

/// [`parse`] for an already decoded JSON value.
///
/// # Errors
/// As [`parse`].
pub fn from_value<T: JsonBody>(value: Value) -> Result<T, ValidationErrors> {
    let Value::Object(mut object) = value else {
        return Err(ValidationErrors::single(ErrorEntry::new(
            ["body"],
            "model_attributes_type",
            "El cuerpo debe ser un objeto JSON",
        )));
    };
    let mut errors = ValidationErrors::default();
    let mut failed: Vec<&'static str> = Vec::new();

    let unknown: Vec<String> = object
        .keys()
        .filter(|k| !T::FIELDS.iter().any(|f| f.name == k.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        object.remove(&key);
        errors.push(ErrorEntry::new(
            ["body".to_owned(), key],
            "extra_forbidden",
            "Campo no permitido",
        ));
    }

    for field in T::FIELDS {
        let problem = match object.get(field.name) {
            None if field.required => Some(("missing", "Campo obligatorio".to_owned())),
            None => None,
            Some(Value::Null) if field.nullable => None,
            Some(v) => check_kind(field.kind, v),
        };
        if let Some((kind, msg)) = problem {
            errors.push(ErrorEntry::new(["body", field.name], kind, msg));
            failed.push(field.name);
            object.remove(field.name);
        }
    }

    if !failed.is_empty() {
        let placeholders = serde_json::to_value(T::default()).unwrap_or(Value::Null);
        for name in &failed {
            if let Some(v) = placeholders.get(name) {
                object.insert((*name).to_owned(), v.clone());
            }
        }
    }

    let dto: T = match serde_json::from_value(Value::Object(object)) {
        Ok(dto) => dto,
        Err(e) => {
            // The shape pass should have caught everything serde can object to; if it did
            // not, this is still the client's input, so it is a 422, not a 500.
            errors.push(ErrorEntry::new(["body"], "value_error", e.to_string()));
            return Err(errors);
        }
    };

    if let Err(report) = i18n::with_codes(|| dto.validate()) {
        for entry in report_entries(&report, "body") {
            let field = entry.loc.get(1).and_then(|l| match l {
                crate::Loc::Key(k) => Some(k.as_str()),
                crate::Loc::Index(_) => None,
            });
            if field.is_some_and(|f| failed.contains(&f)) {
                continue;
            }
            errors.push(entry);
        }
    }
    // Report in the order of the form: unknown fields first, then the DTO's fields in order.
    errors.0.sort_by_key(|e| match e.loc.get(1) {
        Some(crate::Loc::Key(k)) => T::FIELDS.iter().position(|f| f.name == k.as_str()),
        _ => None,
    });
    errors.into_result(dto)
}

/// Converts a garde report into 422 entries under `root` (`"body"`, `"query"`).
pub(crate) fn report_entries(report: &garde::Report, root: &str) -> Vec<ErrorEntry> {
    report
        .iter()
        .map(|(path, error)| {
            let (kind, msg) = i18n::split(error.message());
            let mut loc = vec![crate::Loc::from(root)];
            let path = path.to_string();
            if !path.is_empty() {
                loc.extend(path.split('.').map(crate::Loc::from));
            }
            ErrorEntry {
                loc,
                msg: msg.to_owned(),
                kind: kind.to_owned(),
            }
        })
        .collect()
}

fn check_kind(kind: FieldKind, v: &Value) -> Option<(&'static str, String)> {
    match kind {
        FieldKind::String => {
            (!v.is_string()).then(|| ("string_type", "Debe ser una cadena de texto".to_owned()))
        }
        FieldKind::Integer => {
            if v.is_i64() {
                None
            } else if v.is_u64() {
                Some((
                    "int_parsing_size",
                    "El número es demasiado grande".to_owned(),
                ))
            } else {
                Some(("int_type", "Debe ser un número entero".to_owned()))
            }
        }
        FieldKind::Boolean => {
            (!v.is_boolean()).then(|| ("bool_type", "Debe ser true o false".to_owned()))
        }
        FieldKind::Uuid => match v.as_str() {
            Some(s) if uuid::Uuid::try_parse(s).is_ok() => None,
            _ => Some(("uuid_parsing", "Debe ser un UUID válido".to_owned())),
        },
        FieldKind::Enum(labels) => match v.as_str() {
            Some(s) if labels.contains(&s) => None,
            _ => Some(("enum", format!("Debe ser uno de: {}", labels.join(", ")))),
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn los_campos_de_cada_cuerpo_son_los_de_su_esquema() {
        for (name, result) in super::bodies() {
            assert_eq!(result, Ok(()), "{name}");
        }
    }
}
