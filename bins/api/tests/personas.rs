//! `/api/v1/personas` through the real app and a real database.

// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use common::{err, spawn};
use serde_json::json;

#[actix_web::test]
async fn crear_persona_devuelve_201_con_location_y_la_persona() {
    let app = spawn().await;
    let r = app
        .post(
            "/api/v1/personas",
            &json!({"nombre": "  Ana Pérez  ", "edad": 34, "email": "Ana@Example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/personas/{id}").as_str())
    );
    assert_eq!(r.body["nombre"], "Ana Pérez");
    assert_eq!(r.body["edad"], 34);
    assert_eq!(r.body["email"], "Ana@Example.com");
    // Exactly the contract's fields, lowercase hyphenated UUID, timestamps in UTC with Z.
    let mut keys: Vec<_> = r.body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["created_at", "edad", "email", "id", "nombre", "updated_at"]
    );
    assert_eq!(
        uuid::Uuid::parse_str(id).unwrap().hyphenated().to_string(),
        id
    );
    let created = r.body["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 27, "{created}");

    let got = app.get(&format!("/api/v1/personas/{id}")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, r.body);
}

#[actix_web::test]
async fn crear_persona_sin_email_lo_deja_en_null() {
    let app = spawn().await;
    let r = app
        .post("/api/v1/personas", &json!({"nombre": "Luis", "edad": 0}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["email"], serde_json::Value::Null);
}

#[actix_web::test]
async fn crear_persona_con_email_repetido_sin_distinguir_mayusculas_devuelve_409() {
    let app = spawn().await;
    app.persona("Ana", Some("ana.perez@example.com")).await;
    let r = app
        .post(
            "/api/v1/personas",
            &json!({"nombre": "Otra", "edad": 20, "email": "ANA.Perez@EXAMPLE.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    r.assert_detail_message();
    // Nothing was stored.
    let list = app.get("/api/v1/personas?count=true").await;
    assert_eq!(list.body["total"], 1);
}

#[actix_web::test]
async fn crear_persona_invalida_devuelve_422_con_todos_los_problemas() {
    let app = spawn().await;
    let r = app
        .post(
            "/api/v1/personas",
            &json!({"nombre": "   ", "edad": "20", "email": "", "id": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        r.errors(),
        [
            err(json!(["body", "id"]), "extra_forbidden"),
            err(json!(["body", "nombre"]), "string_too_short"),
            err(json!(["body", "edad"]), "int_type"),
            err(json!(["body", "email"]), "value_error"),
        ]
    );
    for e in r.body["detail"].as_array().unwrap() {
        assert!(!e["msg"].as_str().unwrap().is_empty());
    }
}

#[actix_web::test]
async fn edad_debe_ser_un_entero_json_entre_0_y_150() {
    let app = spawn().await;
    for (edad, kind) in [
        (json!(20.0), "int_type"),
        (json!("20"), "int_type"),
        (json!(true), "int_type"),
        (json!(null), "int_type"),
        (json!(151), "less_than_equal"),
        (json!(-1), "greater_than_equal"),
        (json!(18446744073709551615_u64), "int_parsing_size"),
    ] {
        let r = app
            .post("/api/v1/personas", &json!({"nombre": "A", "edad": edad}))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{edad}: {}",
            r.text
        );
        assert_eq!(r.errors(), [err(json!(["body", "edad"]), kind)], "{edad}");
    }
    // 1e309 does not fit a JSON number at all: the body is not valid JSON for us.
    let r = app
        .call(
            TestRequest::post()
                .uri("/api/v1/personas")
                .insert_header(("content-type", "application/json"))
                .set_payload(r#"{"nombre":"A","edad":1e309}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.errors()[0].0[0], "body");
}

#[actix_web::test]
async fn nombre_de_101_caracteres_y_texto_con_nul_devuelven_422() {
    let app = spawn().await;
    let r = app
        .post(
            "/api/v1/personas",
            &json!({"nombre": "ñ".repeat(101), "edad": 1}),
        )
        .await;
    assert_eq!(
        r.errors(),
        [err(json!(["body", "nombre"]), "string_too_long")]
    );
    let r = app
        .post("/api/v1/personas", &json!({"nombre": "a\u{0}b", "edad": 1}))
        .await;
    assert_eq!(r.errors(), [err(json!(["body", "nombre"]), "string_nul")]);
    let r = app
        .post(
            "/api/v1/personas",
            &json!({"nombre": "ñ".repeat(100), "edad": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[actix_web::test]
async fn json_mal_formado_tipo_de_contenido_y_cuerpo_no_objeto_devuelven_422() {
    let app = spawn().await;
    let raw = |ct: Option<&str>, body: &'static str| {
        let mut req = TestRequest::post()
            .uri("/api/v1/personas")
            .set_payload(body);
        if let Some(ct) = ct {
            req = req.insert_header(("content-type", ct));
        }
        req
    };
    let r = app
        .call(raw(Some("application/json"), "{\"nombre\":"))
        .await;
    assert_eq!(r.errors(), [err(json!(["body"]), "json_invalid")]);
    let r = app.call(raw(Some("application/json"), "[1]")).await;
    assert_eq!(r.errors(), [err(json!(["body"]), "model_attributes_type")]);
    let r = app
        .call(raw(Some("text/plain"), r#"{"nombre":"A","edad":1}"#))
        .await;
    assert_eq!(
        r.errors(),
        [err(json!(["header", "content-type"]), "content_type")]
    );
    let r = app.call(raw(None, r#"{"nombre":"A","edad":1}"#)).await;
    assert_eq!(
        r.errors(),
        [err(json!(["header", "content-type"]), "content_type")]
    );
    let r = app
        .call(raw(
            Some("application/json; charset=latin1"),
            r#"{"nombre":"A","edad":1}"#,
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(raw(
            Some("application/json; charset=UTF-8"),
            r#"{"nombre":"A","edad":1}"#,
        ))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[actix_web::test]
async fn un_cuerpo_mayor_que_el_limite_devuelve_413() {
    let app = spawn().await;
    let big = format!(r#"{{"nombre":"{}","edad":1}}"#, "a".repeat(1024 * 1024));
    let r = app
        .call(
            TestRequest::post()
                .uri("/api/v1/personas")
                .insert_header(("content-type", "application/json"))
                .set_payload(big),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    r.assert_detail_message();
}

#[actix_web::test]
async fn obtener_persona_inexistente_devuelve_404_y_un_id_mal_formado_422() {
    let app = spawn().await;
    let r = app
        .get("/api/v1/personas/0193a3f4-1c2b-7d3e-8f40-123456789abc")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    r.assert_detail_message();
    let r = app.get("/api/v1/personas/no-es-un-uuid").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.errors(), [err(json!(["path", "id"]), "uuid_parsing")]);
}

#[actix_web::test]
async fn patch_persona_cambia_solo_lo_enviado_y_null_borra_el_email() {
    let app = spawn().await;
    let p = app.persona("Ana", Some("ana@example.com")).await;
    let uri = format!("/api/v1/personas/{}", p["id"].as_str().unwrap());

    let r = app.patch(&uri, &json!({}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, p, "{{}} changes nothing, not even updated_at");

    let r = app.patch(&uri, &json!({"edad": 31}), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["edad"], 31);
    assert_eq!(r.body["nombre"], "Ana");
    assert_eq!(r.body["email"], "ana@example.com");
    assert_ne!(r.body["updated_at"], p["updated_at"]);

    let r = app
        .patch(&uri, &json!({"email": null, "nombre": " Ana María "}), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["email"], serde_json::Value::Null);
    assert_eq!(r.body["nombre"], "Ana María");
    assert_eq!(app.get(&uri).await.body, r.body);
}

#[actix_web::test]
async fn patch_persona_con_email_ajeno_409_inexistente_404_invalido_422() {
    let app = spawn().await;
    app.persona("Ana", Some("ana@example.com")).await;
    let eva = app.persona("Eva", Some("eva@example.com")).await;
    let uri = format!("/api/v1/personas/{}", eva["id"].as_str().unwrap());

    let r = app
        .patch(&uri, &json!({"email": "ANA@example.com"}), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(app.get(&uri).await.body["email"], "eva@example.com");

    let r = app
        .patch(
            "/api/v1/personas/0193a3f4-1c2b-7d3e-8f40-123456789abc",
            &json!({"edad": 3}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = app
        .patch(&uri, &json!({"nombre": null, "edad": 200, "x": 1}), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.errors(),
        [
            err(json!(["body", "x"]), "extra_forbidden"),
            err(json!(["body", "nombre"]), "string_type"),
            err(json!(["body", "edad"]), "less_than_equal"),
        ]
    );
}

#[actix_web::test]
async fn borrar_persona_204_404_y_409_mientras_tenga_solicitudes() {
    let app = spawn().await;
    let p = app.persona("Ana", None).await;
    let uri = format!("/api/v1/personas/{}", p["id"].as_str().unwrap());
    let s = app.solicitud_de(&p["id"], "Vacaciones").await;

    let r = app.delete(&uri, None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    r.assert_detail_message();
    assert_eq!(
        app.get(&uri).await.status,
        StatusCode::OK,
        "nothing deleted"
    );

    let r = app
        .delete(
            &format!("/api/v1/solicitudes/{}", s["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.delete(&uri, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.text.is_empty());
    assert_eq!(app.get(&uri).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&uri, None).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn listar_personas_mas_recientes_primero_con_cursor_y_total() {
    let app = spawn().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.persona(&format!("Persona {i}"), None).await["id"].clone());
    }
    ids.reverse();

    let first = app.get("/api/v1/personas?limit=2&count=true").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["total"], 5);
    let mut seen: Vec<_> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    let mut cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    // A row inserted while paging appears before the cursor: later pages never repeat or skip.
    app.persona("Nueva", None).await;
    loop {
        let page = app
            .get(&format!("/api/v1/personas?limit=2&cursor={cursor}"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(
            page.body.get("total").is_none(),
            "total only with count=true"
        );
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].clone()),
        );
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, ids);
}

#[actix_web::test]
async fn buscar_personas_sin_distinguir_mayusculas_en_todo_unicode_y_comodines_literales() {
    let app = spawn().await;
    app.persona("josé pérez", None).await;
    app.persona("Ana", Some("ana_50%@example.com")).await;
    app.persona("Anabel", Some("anabel@example.com")).await;

    let r = app.get("/api/v1/personas?q=JOS%C3%89").await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{}", r.text);
    assert_eq!(r.body["items"][0]["nombre"], "josé pérez");

    let r = app.get("/api/v1/personas?q=_50%25").await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{}", r.text);
    assert_eq!(r.body["items"][0]["nombre"], "Ana");

    let r = app.get("/api/v1/personas?q=%25").await;
    assert_eq!(
        r.body["items"].as_array().unwrap().len(),
        1,
        "% matches literally: {}",
        r.text
    );

    let r = app.get("/api/v1/personas?q=ANA&count=true").await;
    assert_eq!(r.body["total"], 2);
}

#[actix_web::test]
async fn parametros_de_lista_invalidos_devuelven_422() {
    let app = spawn().await;
    for (query, loc, kind) in [
        ("limit=", "limit", "missing"),
        ("limit=0", "limit", "greater_than_equal"),
        ("limit=101", "limit", "less_than_equal"),
        ("limit=diez", "limit", "int_parsing"),
        ("cursor=", "cursor", "missing"),
        ("cursor=basura", "cursor", "cursor_invalid"),
        ("q=", "q", "missing"),
        ("count=quizas", "count", "bool_parsing"),
    ] {
        let r = app.get(&format!("/api/v1/personas?{query}")).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            r.text
        );
        assert_eq!(r.errors(), [err(json!(["query", loc]), kind)], "{query}");
    }
    let r = app.get("/api/v1/personas?desconocido=1&limit=5").await;
    assert_eq!(r.status, StatusCode::OK, "unknown parameters are ignored");
}

#[actix_web::test]
async fn un_cursor_con_otro_q_devuelve_422() {
    let app = spawn().await;
    for i in 0..3 {
        app.persona(&format!("Ana {i}"), None).await;
    }
    let r = app.get("/api/v1/personas?q=ana&limit=1").await;
    let cursor = r.body["next_cursor"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/personas?q=eva&limit=1&cursor={cursor}"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.errors(),
        [err(json!(["query", "cursor"]), "cursor_invalid")]
    );
    let r = app
        .get(&format!("/api/v1/personas?q=ana&limit=1&cursor={cursor}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
}
