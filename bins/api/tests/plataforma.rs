//! What every response shares: probes, request ids, CORS, security headers, JSON errors,
//! the documentation endpoints, and behaviour while the database is unreachable.

// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use common::{Resp, spawn};
use serde_json::json;
use solicitudes_api::app::{HttpSettings, build_app};
use solicitudes_api::state::AppState;
use solicitudes_persistence::{PoolSettings, build_pool, migrations};

#[actix_web::test]
async fn healthz_responde_ok_con_un_id_de_peticion_nuevo() {
    let app = spawn().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"status": "ok"}));
    let id = r.header("x-request-id").unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let other = app.get("/healthz").await;
    assert_ne!(other.header("x-request-id"), Some(id));
}

#[actix_web::test]
async fn el_id_de_peticion_del_cliente_se_respeta_si_es_sensato() {
    let app = spawn().await;
    let with = |id: &str| {
        TestRequest::get()
            .uri("/healthz")
            .insert_header(("x-request-id", id.to_owned()))
    };
    let r = app.call(with("abc-123_x.y:z")).await;
    assert_eq!(r.header("x-request-id"), Some("abc-123_x.y:z"));
    for insane in ["con espacios", "<script>", &"a".repeat(129)] {
        let r = app.call(with(insane)).await;
        let got = r.header("x-request-id").unwrap();
        assert_ne!(got, insane);
        assert!(uuid::Uuid::parse_str(got).is_ok());
    }
    // Errors carry it too.
    let r = app
        .call(
            TestRequest::get()
                .uri("/no-existe")
                .insert_header(("x-request-id", "req-404")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("x-request-id"), Some("req-404"));
}

#[actix_web::test]
async fn readyz_ok_con_migraciones_y_503_sin_ellas() {
    let app = spawn().await;
    let r = app.get("/readyz").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, json!({"status": "ok"}));

    let mut conn = app.db.connect().await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut conn,
        "DELETE FROM __diesel_schema_migrations",
    )
    .await
    .unwrap();
    let r = app.get("/readyz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    r.assert_detail_message();
}

#[actix_web::test]
async fn la_raiz_da_nombre_version_y_enlaces() {
    let app = spawn().await;
    let r = app.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["name"], "solicitudes");
    assert_eq!(r.body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(r.body["docs"], "/docs");
    assert_eq!(r.body["openapi"], "/openapi.json");
}

#[actix_web::test]
async fn rutas_desconocidas_404_y_metodos_no_permitidos_405_en_json() {
    let app = spawn().await;
    let r = app.get("/api/v1/nada").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body, json!({"detail": "Not Found", "code": "not_found"}));
    let r = app.call(TestRequest::put().uri("/api/v1/personas")).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.header("allow"), Some("GET, HEAD, POST"));
    r.assert_detail_message();
    let r = app
        .call(TestRequest::post().uri("/api/v1/personas/0193a3f4-1c2b-7d3e-8f40-123456789abc"))
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.header("allow"), Some("GET, HEAD, PATCH, DELETE"));
}

fn assert_security_headers(r: &Resp) {
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert_eq!(
        r.header("content-security-policy"),
        Some("frame-ancestors 'none'")
    );
}

#[actix_web::test]
async fn cabeceras_de_seguridad_en_respuestas_2xx_y_4xx() {
    let app = spawn().await;
    let ok = app.get("/api/v1/personas").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_security_headers(&ok);
    assert_eq!(ok.header("cache-control"), Some("no-store"));
    let bad = app.get("/api/v1/personas?limit=0").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_security_headers(&bad);
    assert_eq!(bad.header("cache-control"), Some("no-store"));
    assert_security_headers(&app.get("/no-existe").await);
}

#[actix_web::test]
async fn cors_admite_el_servidor_de_vite_y_a_nadie_mas() {
    let app = spawn().await;
    let preflight = |origin: &str| {
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/v1/solicitudes/0193a3f4-1c2b-7d3e-8f40-123456789abc")
            .insert_header(("origin", origin.to_owned()))
            .insert_header(("access-control-request-method", "PATCH"))
            .insert_header((
                "access-control-request-headers",
                "content-type, if-match, x-request-id",
            ))
    };
    for origin in ["http://localhost:5173", "http://127.0.0.1:5173"] {
        let r = app.call(preflight(origin)).await;
        assert!(r.status.is_success(), "{origin}: {}", r.status);
        assert_eq!(r.header("access-control-allow-origin"), Some(origin));
        let methods = r
            .header("access-control-allow-methods")
            .unwrap()
            .to_ascii_uppercase();
        for m in ["GET", "POST", "PATCH", "DELETE"] {
            assert!(methods.contains(m), "{methods}");
        }
        let headers = r
            .header("access-control-allow-headers")
            .unwrap()
            .to_ascii_lowercase();
        for h in ["content-type", "if-match", "x-request-id"] {
            assert!(headers.contains(h), "{headers}");
        }
    }
    let r = app.call(preflight("http://evil.example")).await;
    assert!(r.header("access-control-allow-origin").is_none());

    let r = app
        .call(
            TestRequest::get()
                .uri("/healthz")
                .insert_header(("origin", "http://localhost:5173")),
        )
        .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    let exposed = r
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in ["etag", "location", "x-request-id"] {
        assert!(exposed.contains(h), "{exposed}");
    }
}

#[actix_web::test]
async fn docs_redoc_y_openapi_se_sirven() {
    let app = spawn().await;
    // FastAPI answers /docs itself, no redirect; /docs/ works too, and both pages load their
    // assets from under /docs/ whichever URL was used.
    for url in ["/docs", "/docs/"] {
        let r = app.get(url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert_eq!(r.header("location"), None, "{url}");
        assert!(
            r.header("content-type")
                .is_some_and(|c| c.starts_with("text/html")),
            "{url}: {:?}",
            r.header("content-type")
        );
        assert!(
            r.text.contains("swagger-ui"),
            "{url}: {}",
            &r.text[..r.text.len().min(200)]
        );
        for asset in [
            "swagger-ui.css",
            "swagger-ui-bundle.js",
            "swagger-initializer.js",
        ] {
            assert!(
                r.text.contains(&format!("./{asset}")),
                "{url} links {asset}"
            );
            let a = app.get(&format!("/docs/{asset}")).await;
            assert_eq!(a.status, StatusCode::OK, "/docs/{asset}");
        }
    }
    assert!(
        app.get("/docs")
            .await
            .text
            .contains(r#"<base href="/docs/" />"#)
    );
    let init = app.get("/docs/swagger-initializer.js").await;
    assert!(init.text.contains("/openapi.json"), "{}", init.text);
    let r = app.get("/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["openapi"], "3.1.0");
    for path in [
        "/api/v1/personas",
        "/api/v1/personas/{id}",
        "/api/v1/solicitudes",
        "/api/v1/solicitudes/{id}",
        "/healthz",
        "/readyz",
    ] {
        assert!(r.body["paths"].get(path).is_some(), "{path} missing");
    }
}

/// The app over a database that does not answer (nothing listens on port 1).
async fn app_sin_base_de_datos() -> impl actix_web::dev::Service<
    actix_http::Request,
    Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
    Error = actix_web::Error,
> {
    let pool = build_pool(
        "postgres://nadie@127.0.0.1:1/nada",
        &PoolSettings::new(10, Some(0), Duration::from_millis(300), None),
    );
    let state = AppState {
        pool,
        auth: solicitudes_services::Auth::new(
            solicitudes_api::config::Settings::defaults()
                .unwrap()
                .auth(),
        )
        .unwrap(),
        expected_migrations: Arc::new(migrations::expected_versions().unwrap()),
    };
    test::init_service(build_app(
        state,
        HttpSettings {
            cors_origins: vec![],
            ..common::http_defaults()
        },
    ))
    .await
}

#[actix_web::test]
async fn sin_base_de_datos_503_con_retry_after_pero_la_validacion_sigue_respondiendo() {
    let app = app_sin_base_de_datos().await;
    // A token has to be looked up in the database (this app has no session cache): 503.
    let res = test::call_service(
        &app,
        TestRequest::get()
            .uri("/api/v1/personas")
            .insert_header((
                "Authorization",
                "Bearer sol_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            ))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers().get("retry-after").unwrap(), "1");
    let body: serde_json::Value = test::read_body_json(res).await;
    assert!(body["detail"].as_str().is_some(), "{body}");

    let res = test::call_service(&app, TestRequest::get().uri("/readyz").to_request()).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);

    // /healthz, a request without credentials (401) and a malformed login (422) never need
    // the database.
    let res = test::call_service(&app, TestRequest::get().uri("/healthz").to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = test::call_service(
        &app,
        TestRequest::post()
            .uri("/api/v1/personas")
            .set_json(json!({"nombre": ""}))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = test::call_service(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/token")
            .set_json(json!({"username": ""}))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn un_handler_que_entra_en_panico_da_500_json_y_el_servicio_sigue() {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, web};
    use solicitudes_api::guard::guarded;
    use solicitudes_api::middleware::request_id;

    let app = test::init_service(
        App::new()
            .wrap(from_fn(request_id))
            .route(
                "/boom",
                web::get().to(guarded(
                    || async {
                        if std::hint::black_box(true) {
                            panic!("boom");
                        }
                        HttpResponse::Ok().finish()
                    },
                    Duration::from_secs(5),
                )),
            )
            .route(
                "/lento",
                web::get().to(guarded(
                    || async {
                        actix_web::rt::time::sleep(Duration::from_secs(5)).await;
                        HttpResponse::Ok().finish()
                    },
                    Duration::from_millis(50),
                )),
            )
            .route(
                "/ok",
                web::get().to(guarded(
                    || async { HttpResponse::Ok().finish() },
                    Duration::from_secs(5),
                )),
            ),
    )
    .await;
    for _ in 0..3 {
        let res = test::call_service(
            &app,
            TestRequest::get()
                .uri("/boom")
                .insert_header(("x-request-id", "panico-1"))
                .to_request(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers().get("x-request-id").unwrap(), "panico-1");
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(
            body,
            json!({"detail": "Internal Server Error", "code": "internal"})
        );
        let ok = test::call_service(&app, TestRequest::get().uri("/ok").to_request()).await;
        assert_eq!(ok.status(), StatusCode::OK, "still serving after a panic");
    }
    let res = test::call_service(&app, TestRequest::get().uri("/lento").to_request()).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers().get("retry-after").unwrap(), "1");
    let body: serde_json::Value = test::read_body_json(res).await;
    assert!(body["detail"].as_str().is_some(), "{body}");
}

/// ReDoc works offline: the page loads nothing from another host (no CDN, no web fonts), and
/// the bundle it loads is served by the binary itself.
#[actix_web::test]
async fn redoc_no_necesita_internet() {
    let app = spawn().await;
    let r = app.get("/redoc").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html"))
    );
    for tag in r
        .text
        .split('<')
        .filter(|t| t.starts_with("script") || t.starts_with("link"))
    {
        assert!(
            !tag.contains("http:") && !tag.contains("https:") && !tag.contains("//"),
            "/redoc loads something from elsewhere: <{tag}"
        );
    }
    let src = solicitudes_api::openapi::REDOC_JS_PATH;
    assert!(
        r.text.contains(&format!(r#"<script src="{src}">"#)),
        "{}",
        r.text
    );
    assert!(r.text.contains("Redoc.init("), "the page starts ReDoc");
    // The document is embedded in the page, so ReDoc needs no second request either.
    assert!(r.text.contains("\"openapi\":\"3.1.0\""));
    let js = app.get(src).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(
        js.header("cache-control")
            .is_some_and(|c| c.contains("max-age"))
    );
    assert!(
        js.text.len() > 500_000,
        "the whole bundle: {} bytes",
        js.text.len()
    );
    assert!(js.text.contains("Redoc"), "ReDoc's bundle");
}

/// The routes the server answers and the operations the document lists are one set: every
/// documented path is served with exactly its documented methods (plus HEAD where GET is), as
/// the 405 to any other method shows, and the document has every operation the route list has.
#[actix_web::test]
async fn las_rutas_servidas_y_las_documentadas_son_las_mismas() {
    let app = spawn().await;
    let doc = serde_json::to_value(solicitudes_api::openapi::document()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, item) in paths {
        let mut methods: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
            .map(|m| m.to_uppercase())
            .collect();
        for m in &methods {
            documented.push(format!("{m} {path}"));
        }
        if methods.contains(&"GET".to_owned()) {
            methods.push("HEAD".to_owned());
        }
        let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
        methods.sort_by_key(|m| order.iter().position(|o| o == m));
        let uri = path.replace("{id}", "0193a3f4-1c2b-7d3e-8f40-123456789abc");
        let r = app.call(TestRequest::put().uri(&uri)).await;
        if methods.contains(&"PUT".to_owned()) {
            continue;
        }
        assert_eq!(
            r.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "PUT {uri}: {}",
            r.text
        );
        assert_eq!(
            r.header("allow"),
            Some(methods.join(", ").as_str()),
            "{path}"
        );
    }
    let mut listed: Vec<String> = solicitudes_api::routes::operations()
        .iter()
        .map(|op| format!("{} {}", op.method, op.path))
        .collect();
    listed.sort();
    documented.sort();
    assert_eq!(listed, documented);
    assert!(listed.len() >= 16, "{listed:?}");
}
