//! Spanish messages and FastAPI-style codes for garde's rules.
//!
//! garde reports a rule violation as a message only. To give every 422 entry a stable `type`
//! as well, the messages produced while validating carry their code in front of a separator
//! ([`tagged`]); [`split`] takes them apart again when the report becomes [`ErrorEntry`]s.
//!
//! [`ErrorEntry`]: crate::ErrorEntry

use std::borrow::Cow;
use std::fmt::Display;

use garde::i18n::{I18n, InvalidCreditCard, InvalidEmail, InvalidPhoneNumber, InvalidUrl, IpKind};

const SEP: char = '\u{1f}';

/// A message with its code in front, as produced during validation.
pub(crate) fn tagged(code: &str, msg: impl Display) -> Cow<'static, str> {
    Cow::Owned(format!("{code}{SEP}{msg}"))
}

/// A custom rule's error, tagged like the built-in ones.
pub(crate) fn error(code: &str, msg: impl Display) -> garde::Error {
    garde::Error::new(tagged(code, msg))
}

/// `(code, message)` of a message produced during validation.
pub(crate) fn split(message: &str) -> (&str, &str) {
    message.split_once(SEP).unwrap_or(("value_error", message))
}

/// Runs `f` (a garde validation) with Spanish, code-tagged messages.
pub(crate) fn with_codes<R>(f: impl FnOnce() -> R) -> R {
    garde::i18n::with_i18n(Codes, f)
}

struct Codes;

fn caracteres(n: usize) -> &'static str {
    if n == 1 { "carácter" } else { "caracteres" }
}

impl I18n for Codes {
    fn length_lower_than(&self, min: usize) -> Cow<'static, str> {
        tagged(
            "string_too_short",
            format_args!("Debe tener al menos {min} {}", caracteres(min)),
        )
    }

    fn length_greater_than(&self, max: usize) -> Cow<'static, str> {
        tagged(
            "string_too_long",
            format_args!("Debe tener como máximo {max} {}", caracteres(max)),
        )
    }

    fn range_lower_than(&self, min: &dyn Display) -> Cow<'static, str> {
        tagged(
            "greater_than_equal",
            format_args!("Debe ser mayor o igual que {min}"),
        )
    }

    fn range_greater_than(&self, max: &dyn Display) -> Cow<'static, str> {
        tagged(
            "less_than_equal",
            format_args!("Debe ser menor o igual que {max}"),
        )
    }

    fn credit_card_invalid(&self, reason: InvalidCreditCard) -> Cow<'static, str> {
        tagged("value_error", format_args!("Tarjeta no válida: {reason}"))
    }

    fn pattern_no_match(&self, pattern: &dyn Display) -> Cow<'static, str> {
        tagged(
            "string_pattern_mismatch",
            format_args!("Debe cumplir el patrón {pattern}"),
        )
    }

    fn contains_missing(&self, pattern: &dyn Display) -> Cow<'static, str> {
        tagged("value_error", format_args!("Debe contener «{pattern}»"))
    }

    fn url_invalid(&self, reason: InvalidUrl) -> Cow<'static, str> {
        tagged("url_parsing", format_args!("URL no válida: {reason}"))
    }

    fn prefix_missing(&self, pattern: &dyn Display) -> Cow<'static, str> {
        tagged("value_error", format_args!("Debe empezar por «{pattern}»"))
    }

    fn suffix_missing(&self, pattern: &dyn Display) -> Cow<'static, str> {
        tagged("value_error", format_args!("Debe terminar en «{pattern}»"))
    }

    fn phone_number_invalid(&self, reason: InvalidPhoneNumber) -> Cow<'static, str> {
        tagged("value_error", format_args!("Teléfono no válido: {reason}"))
    }

    fn ip_invalid(&self, kind: IpKind) -> Cow<'static, str> {
        tagged("ip_any_address", format_args!("Dirección {kind} no válida"))
    }

    fn matches_field_mismatch(&self, field: &dyn Display) -> Cow<'static, str> {
        tagged("value_error", format_args!("Debe coincidir con {field}"))
    }

    fn email_invalid(&self, reason: InvalidEmail) -> Cow<'static, str> {
        let why = match reason {
            InvalidEmail::Empty => "está vacío",
            InvalidEmail::MissingAt => "le falta la «@»",
            InvalidEmail::UserLengthExceeded => "la parte anterior a la «@» es demasiado larga",
            InvalidEmail::InvalidUser => "la parte anterior a la «@» tiene caracteres no válidos",
            InvalidEmail::DomainLengthExceeded => "el dominio es demasiado largo",
            InvalidEmail::InvalidDomain => "el dominio tiene caracteres no válidos",
            _ => "no tiene la forma nombre@dominio",
        };
        tagged(
            "value_error",
            format_args!("No es una dirección de correo válida: {why}"),
        )
    }

    fn ascii_invalid(&self) -> Cow<'static, str> {
        tagged("value_error", "Solo puede contener caracteres ASCII")
    }

    fn alphanumeric_invalid(&self) -> Cow<'static, str> {
        tagged("value_error", "Solo puede contener letras y dígitos")
    }

    fn required_not_set(&self) -> Cow<'static, str> {
        tagged("missing", "Campo obligatorio")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn un_mensaje_etiquetado_se_separa_en_codigo_y_texto() {
        let m = tagged("string_too_short", "Debe tener al menos 3 caracteres");
        assert_eq!(
            split(&m),
            ("string_too_short", "Debe tener al menos 3 caracteres")
        );
    }

    #[test]
    fn un_mensaje_sin_etiqueta_es_value_error() {
        assert_eq!(split("algo"), ("value_error", "algo"));
    }
}
