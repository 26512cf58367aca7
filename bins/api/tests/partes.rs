//! One 422 for the whole request: problems in different parts (path id, query, cursor,
//! `If-Match`, body) are reported together, in that order, as FastAPI does. An error that is
//! not a 422 (a body over the limit) is answered on its own.

// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use common::{err, spawn};
use serde_json::json;

const MAL_ID: &str = "no-es-un-uuid";

#[actix_web::test]
async fn id_mal_formado_y_cuerpo_invalido_se_informan_juntos() {
    let app = spawn().await;
    let r = app
        .patch(
            &format!("/api/v1/solicitudes/{MAL_ID}"),
            &json!({"titulo": "x", "estado": "aprobada"}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        r.errors(),
        [
            err(json!(["path", "id"]), "uuid_parsing"),
            err(json!(["body", "estado"]), "extra_forbidden"),
            err(json!(["body", "titulo"]), "string_too_short"),
        ]
    );
    let r = app
        .patch(
            &format!("/api/v1/personas/{MAL_ID}"),
            &json!({"edad": "veinte"}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        r.errors(),
        [
            err(json!(["path", "id"]), "uuid_parsing"),
            err(json!(["body", "edad"]), "int_type"),
        ]
    );
}

#[actix_web::test]
async fn id_if_match_y_cuerpo_mal_formados_se_informan_juntos() {
    let app = spawn().await;
    for (uri, body) in [
        (
            format!("/api/v1/solicitudes/{MAL_ID}"),
            json!({"prioridad": "maxima"}),
        ),
        (
            format!("/api/v1/solicitudes/{MAL_ID}/transiciones"),
            json!({"estado": "cerrada"}),
        ),
    ] {
        let method = if uri.ends_with("transiciones") {
            TestRequest::post()
        } else {
            TestRequest::patch()
        };
        let r = app
            .call(
                method
                    .uri(&uri)
                    .insert_header(("If-Match", "3"))
                    .set_json(&body),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri}: {}",
            r.text
        );
        let errors = r.errors();
        assert_eq!(errors.len(), 3, "{uri}: {}", r.text);
        assert_eq!(
            errors[0],
            err(json!(["path", "id"]), "uuid_parsing"),
            "{uri}"
        );
        assert_eq!(
            errors[1],
            err(json!(["header", "if-match"]), "value_error"),
            "{uri}"
        );
        assert_eq!(errors[2].0[0], "body", "{uri}: {}", r.text);
    }
    let r = app
        .call(
            TestRequest::delete()
                .uri(&format!("/api/v1/solicitudes/{MAL_ID}"))
                .insert_header(("If-Match", "W/3")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        r.errors(),
        [
            err(json!(["path", "id"]), "uuid_parsing"),
            err(json!(["header", "if-match"]), "value_error"),
        ]
    );
}

#[actix_web::test]
async fn if_match_y_cuerpo_se_informan_juntos_sobre_una_solicitud_que_existe() {
    let app = spawn().await;
    let s = app.solicitud("Renovar el carné").await;
    let r = app
        .call(
            TestRequest::patch()
                .uri(&format!(
                    "/api/v1/solicitudes/{}",
                    s["id"].as_str().unwrap()
                ))
                .insert_header(("If-Match", "\"1"))
                .set_json(json!({"descripcion": null})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        r.errors()
            .iter()
            .map(|(loc, _)| loc.clone())
            .collect::<Vec<_>>(),
        [
            json!(["header", "if-match"]),
            json!(["body", "descripcion"])
        ]
    );
    // Nothing changed.
    let after = app
        .get(&format!(
            "/api/v1/solicitudes/{}",
            s["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(after.body["version"], 1);
}

#[actix_web::test]
async fn parametros_y_cursor_roto_se_informan_juntos() {
    let app = spawn().await;
    for list in ["/api/v1/solicitudes", "/api/v1/personas"] {
        let r = app.get(&format!("{list}?limit=0&cursor=basura")).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{list}: {}",
            r.text
        );
        assert_eq!(
            r.errors(),
            [
                err(json!(["query", "limit"]), "greater_than_equal"),
                err(json!(["query", "cursor"]), "cursor_invalid"),
            ],
            "{list}"
        );
    }
    // A cursor of the other list, next to a bad filter: both.
    for _ in 0..3 {
        app.solicitud("Una de tres").await;
    }
    let page = app.get("/api/v1/personas?limit=1").await;
    let de_personas = page.body["next_cursor"].as_str().unwrap().to_owned();
    let r = app
        .get(&format!(
            "/api/v1/solicitudes?estado=abierta&cursor={de_personas}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        r.errors(),
        [
            err(json!(["query", "estado"]), "enum"),
            err(json!(["query", "cursor"]), "cursor_invalid"),
        ]
    );
    // An intact cursor of this list is not blamed for a bad filter beside it.
    let page = app.get("/api/v1/solicitudes?limit=1").await;
    let c = page.body["next_cursor"].as_str().unwrap().to_owned();
    let r = app
        .get(&format!(
            "/api/v1/solicitudes?limit=1&count=quizas&cursor={c}"
        ))
        .await;
    assert_eq!(
        r.errors(),
        [err(json!(["query", "count"]), "bool_parsing")],
        "{}",
        r.text
    );
    // And with the filters right it still leads to the next page.
    let r = app
        .get(&format!(
            "/api/v1/solicitudes?limit=1&count=true&cursor={c}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn un_cuerpo_demasiado_grande_se_responde_solo_aunque_el_id_este_mal() {
    let app = spawn().await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let r = app
        .call(
            TestRequest::patch()
                .uri(&format!("/api/v1/solicitudes/{MAL_ID}"))
                .insert_header(("If-Match", "3"))
                .insert_header(("Content-Type", "application/json"))
                .set_payload(format!(r#"{{"descripcion": "{huge}"}}"#)),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        &r.text[..r.text.len().min(300)]
    );
    r.assert_detail_message();
}
