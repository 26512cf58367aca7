//! The OpenAPI document: a snapshot (any change to the contract shows in review) and the
//! promise that every operation documents the errors it can return.

// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use solicitudes_api::openapi;

fn document() -> Value {
    serde_json::to_value(openapi::document()).unwrap()
}

#[test]
fn el_documento_openapi_no_cambia_sin_revisarlo() {
    insta::assert_json_snapshot!("openapi", document());
}

#[test]
fn es_openapi_3_1_y_cada_operacion_documenta_sus_errores() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        if !path.starts_with("/api/v1") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("503"), "{method} {path} lacks 503");
            let has_input = op.get("requestBody").is_some()
                || op["parameters"].as_array().is_some_and(|p| !p.is_empty());
            if has_input {
                assert!(responses.contains_key("422"), "{method} {path} lacks 422");
            }
            if path.contains("{id}") {
                assert!(responses.contains_key("404"), "{method} {path} lacks 404");
            }
            if op.get("requestBody").is_some() {
                assert!(responses.contains_key("413"), "{method} {path} lacks 413");
            }
            for (status, response) in responses {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status} has no description"
                );
            }
        }
    }
    assert!(operations >= 13, "{operations}");
}

#[test]
fn los_cuerpos_de_peticion_prohiben_campos_desconocidos() {
    let doc = document();
    for name in [
        "PersonaCreate",
        "PersonaUpdate",
        "SolicitudCreate",
        "SolicitudUpdate",
        "TransicionCreate",
    ] {
        let schema = &doc["components"]["schemas"][name];
        assert_eq!(schema["additionalProperties"], false, "{name}: {schema}");
    }
}

/// `solicitudes-api openapi | head`: a reader that goes away early is not a crash.
#[test]
fn openapi_a_una_tuberia_cerrada_no_entra_en_panico() {
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_solicitudes-api"))
        .arg("openapi")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before anything is read: every write then fails with EPIPE.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Each string rule of the schemas crate lands on a real property of the document (a rule
/// naming a schema or property that does not exist would otherwise be dropped silently).
#[test]
fn cada_regla_de_texto_esta_en_su_propiedad() {
    let doc = document();
    for rule in solicitudes_schemas::openapi::string_rules() {
        let property = &doc["components"]["schemas"][rule.schema]["properties"][rule.property];
        assert_eq!(
            property["pattern"].as_str(),
            Some(rule.pattern.as_str()),
            "{}.{}",
            rule.schema,
            rule.property
        );
    }
}

/// Every `$ref` names a component of the document (utoipa does not collect the components
/// that only parameters use; a forgotten one would leave a dangling reference).
#[test]
fn cada_referencia_lleva_a_un_componente() {
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.contains(&"#/components/schemas/Instant"), "{found:?}");
    for r in found {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{r} dangles"
        );
    }
}

/// Every request body of the document is a `JsonBody` whose `FIELDS` (what the parser checks)
/// agree with its schema (what the document says): `body::bodies` lists them, and a body that
/// is missing from that list fails here.
#[test]
fn cada_cuerpo_de_peticion_lee_los_campos_que_documenta() {
    let doc = document();
    let bodies = solicitudes_schemas::body::bodies();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(body) = op.get("requestBody") else {
                continue;
            };
            let schema = &body["content"]["application/json"]["schema"]["$ref"];
            let name = schema
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"));
            let name = name.unwrap_or_else(|| panic!("{method} {path}: {body}"));
            let checked = bodies.iter().find(|(n, _)| n == name);
            assert!(
                checked.is_some(),
                "{method} {path}: {name} is not in body::bodies()"
            );
        }
    }
    for (name, result) in bodies {
        assert_eq!(result, Ok(()), "{name}");
    }
}

/// The list parameters' bounds in the document are the constants the query reader checks
/// (utoipa's `#[param]` takes literals only, so they are written there again; this keeps the
/// two equal).
#[test]
fn los_limites_de_las_listas_son_las_constantes() {
    use solicitudes_schemas::page::{DEFAULT_LIMIT, MAX_LIMIT, MAX_Q};
    use solicitudes_schemas::usuario::MAX_Q as MAX_Q_EMAIL;
    let doc = document();
    let mut seen = 0;
    for (path, max_q) in [
        ("/api/v1/personas", MAX_Q),
        ("/api/v1/solicitudes", MAX_Q),
        ("/api/v1/usuarios", MAX_Q_EMAIL),
    ] {
        for p in doc["paths"][path]["get"]["parameters"].as_array().unwrap() {
            let schema = &p["schema"];
            match p["name"].as_str().unwrap() {
                "limit" => {
                    assert_eq!(schema["minimum"], 1, "{path}");
                    assert_eq!(schema["maximum"], MAX_LIMIT, "{path}");
                    assert_eq!(schema["default"], DEFAULT_LIMIT, "{path}");
                    seen += 1;
                }
                "q" => {
                    assert_eq!(schema["minLength"], 1, "{path}");
                    assert_eq!(schema["maxLength"], max_q, "{path}");
                    seen += 1;
                }
                _ => {}
            }
        }
    }
    assert_eq!(seen, 6);
}
