//! The web application served by the binary: `index.html` for pages and client routes,
//! long-cached assets, and the API, docs and probes unaffected.

// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use common::spawn_with;
use solicitudes_api::app::HttpSettings;
use solicitudes_api::spa::SpaDir;

const INDEX: &str =
    "<!doctype html><title>Solicitudes</title><script src=\"/assets/app-1a2b.js\"></script>";

fn built_spa() -> (std::path::PathBuf, SpaDir) {
    let dir =
        std::env::temp_dir().join(format!("solicitudes-spa-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), INDEX).unwrap();
    std::fs::write(dir.join("assets/app-1a2b.js"), "console.log('hola')").unwrap();
    std::fs::write(dir.join("favicon.svg"), "<svg/>").unwrap();
    let spa = SpaDir::existing(&dir).unwrap();
    (dir, spa)
}

fn page(uri: &str) -> TestRequest {
    TestRequest::get()
        .uri(uri)
        .insert_header(("accept", "text/html,application/xhtml+xml,*/*;q=0.8"))
}

#[actix_web::test]
async fn la_raiz_da_la_aplicacion_al_navegador_y_json_a_los_demas() {
    let (dir, spa) = built_spa();
    let app = spawn_with(HttpSettings {
        spa: Some(spa),
        ..common::http_defaults()
    })
    .await;

    let r = app.call(page("/")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text, INDEX);
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert!(r.header("content-type").unwrap().starts_with("text/html"));

    let r = app.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["name"], "solicitudes");
    std::fs::remove_dir_all(dir).unwrap();
}

#[actix_web::test]
async fn las_rutas_del_cliente_reciben_index_html_y_los_assets_se_cachean_un_ano() {
    let (dir, spa) = built_spa();
    let app = spawn_with(HttpSettings {
        spa: Some(spa),
        ..common::http_defaults()
    })
    .await;

    for route in [
        "/solicitudes",
        "/solicitudes/0193a3f4-1c2b-7d3e-8f40-123456789abc",
        "/personas/nueva",
    ] {
        let r = app.call(page(route)).await;
        assert_eq!(r.status, StatusCode::OK, "{route}");
        assert_eq!(r.text, INDEX, "{route}");
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{route}");
    }

    let r = app.get("/assets/app-1a2b.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text, "console.log('hola')");
    let cache = r.header("cache-control").unwrap();
    assert!(
        cache.contains("max-age=31536000") && cache.contains("immutable"),
        "{cache}"
    );

    let r = app.get("/favicon.svg").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text, "<svg/>");

    let r = app.get("/assets/no-existe.js").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    r.assert_detail_message();
    std::fs::remove_dir_all(dir).unwrap();
}

#[actix_web::test]
async fn la_api_la_documentacion_y_las_sondas_no_cambian() {
    let (dir, spa) = built_spa();
    let app = spawn_with(HttpSettings {
        spa: Some(spa),
        ..common::http_defaults()
    })
    .await;

    let r = app.call(page("/api/v1/nada")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.body,
        serde_json::json!({"detail": "Not Found", "code": "not_found"})
    );
    let r = app.get("/api/v1/personas").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body["items"].is_array());
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(app.get("/openapi.json").await.body["openapi"], "3.1.0");
    let r = app.call(page("/docs/")).await;
    assert!(r.text.contains("swagger-ui"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn sin_index_html_no_hay_aplicacion_que_servir() {
    let dir =
        std::env::temp_dir().join(format!("solicitudes-spa-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(SpaDir::existing(&dir).is_none());
    assert!(SpaDir::existing(&dir.join("no-existe")).is_none());
    std::fs::remove_dir_all(dir).unwrap();
}
