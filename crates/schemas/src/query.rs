//! Query strings → typed list parameters, with every problem reported at once.
//!
//! The contract's rules: unknown parameters are ignored; an empty value (`?limit=`) is a 422;
//! so is a bad value, never a silent default. A parameter that is not repeatable and appears
//! twice is a 422 too (which one did the caller mean?).

use std::str::FromStr;

use crate::error::{ErrorEntry, ValidationErrors};
use crate::page::{DEFAULT_LIMIT, MAX_LIMIT};

/// A list query read from a raw query string.
pub trait FromQueryString: Sized {
    /// Reads the query string (`a=1&b=x`), reporting every bad parameter at once.
    ///
    /// # Errors
    /// Every problem, with `loc` `["query", name]`.
    fn from_query_string(query: &str) -> Result<Self, ValidationErrors>;
}

/// The parameters every list reads after its own filters, in this order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// `limit`, 1–[`MAX_LIMIT`]; [`DEFAULT_LIMIT`] when absent (or bad: then there is an error).
    pub limit: i64,
    /// The raw `cursor`, for the list to decode (only it knows its position's shape).
    pub cursor: Option<String>,
    /// `count`: also return `total`.
    pub count: bool,
}

/// The decoded `name=value` pairs of a query string, and the problems found reading them.
#[derive(Debug)]
pub struct QueryReader {
    pairs: Vec<(String, String)>,
    errors: ValidationErrors,
}

impl QueryReader {
    /// Decodes a raw query string (`a=1&b=x%20y`).
    pub fn new(query: &str) -> Self {
        match serde_urlencoded::from_str::<Vec<(String, String)>>(query) {
            Ok(pairs) => Self {
                pairs,
                errors: ValidationErrors::default(),
            },
            Err(e) => Self {
                pairs: Vec::new(),
                errors: ValidationErrors::single(ErrorEntry::new(
                    ["query"],
                    "value_error",
                    format!("Cadena de consulta mal formada: {e}"),
                )),
            },
        }
    }

    /// Records a problem with parameter `name`.
    pub fn error(&mut self, name: &str, kind: &str, msg: impl Into<String>) {
        self.errors
            .push(ErrorEntry::new(["query", name], kind, msg.into()));
    }

    /// The single, non-empty value of `name`, if present.
    pub fn single(&mut self, name: &str) -> Option<String> {
        let mut values = self.pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        let first = values.next()?.clone();
        if values.next().is_some() {
            self.error(name, "value_error", "Solo puede indicarse una vez");
            return None;
        }
        if first.is_empty() {
            self.error(name, "missing", "No puede estar vacío");
            return None;
        }
        Some(first)
    }

    /// Every value of a repeatable parameter, each parsed with `FromStr`.
    pub fn repeated<T: FromStr>(&mut self, name: &str, kind: &str, msg: &str) -> Vec<T> {
        let values: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect();
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            if v.is_empty() {
                self.error(name, "missing", "No puede estar vacío");
            } else if let Ok(t) = v.parse() {
                out.push(t);
            } else {
                self.error(name, kind, format!("{msg}; se recibió «{v}»"));
            }
        }
        out
    }

    /// A free-text parameter: at most `max` characters, no NUL.
    pub fn text(&mut self, name: &str, max: usize) -> Option<String> {
        let v = self.single(name)?;
        if v.contains('\0') {
            self.error(
                name,
                "string_nul",
                "No puede contener el carácter NUL (\\u0000)",
            );
            return None;
        }
        if v.chars().count() > max {
            self.error(
                name,
                "string_too_long",
                format!("Debe tener como máximo {max} caracteres"),
            );
            return None;
        }
        Some(v)
    }

    /// An integer parameter in `min..=max`.
    pub fn integer(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        let v = self.single(name)?;
        match v.parse::<i64>() {
            Ok(n) if n < min => {
                self.error(
                    name,
                    "greater_than_equal",
                    format!("Debe ser mayor o igual que {min}"),
                );
                None
            }
            Ok(n) if n > max => {
                self.error(
                    name,
                    "less_than_equal",
                    format!("Debe ser menor o igual que {max}"),
                );
                None
            }
            Ok(n) => Some(n),
            Err(_) => {
                self.error(name, "int_parsing", "Debe ser un número entero");
                None
            }
        }
    }

    /// A boolean parameter, spelled as FastAPI accepts it (`true/false`, `1/0`, `yes/no`,
    /// `on/off`, any case).
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        let v = self.single(name)?;
        match v.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Some(true),
            "false" | "0" | "no" | "off" => Some(false),
            _ => {
                self.error(name, "bool_parsing", "Debe ser true o false");
                None
            }
        }
    }

    /// A parameter parsed with `FromStr`.
    pub fn parsed<T: FromStr>(&mut self, name: &str, kind: &str, msg: &str) -> Option<T> {
        let v = self.single(name)?;
        match v.parse() {
            Ok(t) => Some(t),
            Err(_) => {
                self.error(name, kind, msg);
                None
            }
        }
    }

    /// `limit`, `cursor` and `count`, as every list reads them.
    pub fn paging(&mut self) -> Paging {
        Paging {
            limit: self.integer("limit", 1, MAX_LIMIT).unwrap_or(DEFAULT_LIMIT),
            cursor: self.single("cursor"),
            count: self.boolean("count").unwrap_or(false),
        }
    }

    /// The position a list's `cursor` (as [`paging`](Self::paging) read it) carries, decoded by
    /// `decode`, its problem recorded. `decode` gets the fingerprint the cursor must carry,
    /// made by `fingerprint` from the query's filters — or `None` while other parameters are
    /// wrong: their filters cannot be compared yet, only the cursor's own integrity.
    pub fn cursor<P>(
        &mut self,
        raw: Option<&str>,
        fingerprint: impl FnOnce() -> String,
        decode: impl FnOnce(&str, Option<&str>) -> Result<P, ValidationErrors>,
    ) -> Option<P> {
        let raw = raw?;
        let fingerprint = self.is_clean().then(fingerprint);
        match decode(raw, fingerprint.as_deref()) {
            Ok(p) => Some(p),
            Err(e) => {
                self.errors(e);
                None
            }
        }
    }

    /// Whether no problem has been found so far.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// Records problems found elsewhere (their `loc` already names the parameter).
    pub fn errors(&mut self, errors: ValidationErrors) {
        self.errors.extend(errors);
    }

    /// `Ok(value)` when nothing went wrong, else every problem.
    ///
    /// # Errors
    /// The problems recorded while reading.
    pub fn finish<T>(self, value: T) -> Result<T, ValidationErrors> {
        self.errors.into_result(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn un_valor_vacio_es_un_error() {
        let mut r = QueryReader::new("limit=&q=x");
        assert_eq!(r.integer("limit", 1, 100), None);
        assert_eq!(r.text("q", 10).as_deref(), Some("x"));
        let errs = r.finish(()).unwrap_err();
        assert_eq!(errs.entries().len(), 1);
        assert_eq!(errs.entries()[0].loc, vec!["query".into(), "limit".into()]);
    }

    #[test]
    fn los_parametros_desconocidos_se_ignoran() {
        let mut r = QueryReader::new("foo=bar&limit=5");
        assert_eq!(r.integer("limit", 1, 100), Some(5));
        assert!(r.finish(()).is_ok());
    }

    #[test]
    fn repetir_un_parametro_simple_es_un_error() {
        let mut r = QueryReader::new("limit=5&limit=6");
        assert_eq!(r.integer("limit", 1, 100), None);
        assert!(r.finish(()).is_err());
    }

    #[test]
    fn todos_los_problemas_a_la_vez() {
        let mut r = QueryReader::new("limit=0&count=quizas&q=");
        r.integer("limit", 1, 100);
        r.boolean("count");
        r.text("q", 10);
        let errs = r.finish(()).unwrap_err();
        let kinds: Vec<_> = errs.entries().iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["greater_than_equal", "bool_parsing", "missing"]);
    }

    #[test]
    fn texto_decodificado_y_medido_en_caracteres() {
        let mut r = QueryReader::new("q=JOS%C3%89");
        assert_eq!(r.text("q", 4).as_deref(), Some("JOSÉ"));
        let mut r = QueryReader::new("q=%00");
        assert_eq!(r.text("q", 4), None);
        assert!(r.finish(()).is_err());
    }
}
