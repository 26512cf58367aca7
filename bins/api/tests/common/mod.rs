//! Shared test support: the real actix `App` over a database of the test's own.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]
// A test fails loudly on anything unexpected: unwrap is the assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::test::{self, TestRequest};
use serde_json::{Value, json};
use solicitudes_api::app::{HttpSettings, build_app};
use solicitudes_api::config::Settings;
use solicitudes_api::state::AppState;
use solicitudes_domain::{PersonaId, Rol};
use solicitudes_persistence::{DbPool, migrations};
use solicitudes_schemas::auth::{LoginForm, Password};
use solicitudes_schemas::usuario::UsuarioCreate;
use solicitudes_services::{Auth, usuarios};
use solicitudes_testkit::TestDb;

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    /// A header as text, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `(loc, type)` pairs of a 422 body.
    pub fn errors(&self) -> Vec<(Value, String)> {
        self.body["detail"]
            .as_array()
            .unwrap_or_else(|| panic!("not a 422 body: {}", self.text))
            .iter()
            .map(|e| {
                (
                    e["loc"].clone(),
                    e["type"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    /// Asserts a `{"detail": "…", "code": "…"}` body whose code is one that goes with its
    /// status (docs/api.md's table of codes).
    pub fn assert_detail_message(&self) {
        assert!(
            self.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "expected {{\"detail\": \"…\"}}, got {}",
            self.text
        );
        assert_eq!(self.header("content-type"), Some("application/json"));
        let codes: &[&str] = match self.status.as_u16() {
            400 => &["bad_request"],
            401 => &["unauthorized"],
            403 => &["forbidden", "csrf_rejected"],
            404 => &["not_found"],
            405 => &["method_not_allowed"],
            408 => &["body_timeout"],
            409 => &[
                "email_taken",
                "persona_has_solicitudes",
                "persona_has_usuario",
                "last_admin",
                "solicitud_final",
                "transition_not_allowed",
            ],
            412 => &["precondition_failed"],
            413 => &["payload_too_large"],
            414 => &["uri_too_long"],
            429 => &["too_many_requests"],
            431 => &["headers_too_large"],
            500 => &["internal"],
            503 => &["database_unavailable", "timeout"],
            _ => &["other"],
        };
        let code = self.body["code"].as_str().unwrap_or_default();
        assert!(
            codes.contains(&code),
            "{}: code {code:?} not in {codes:?}: {}",
            self.status,
            self.text
        );
    }
}

/// The test admin's login (created by [`spawn_with`]).
pub const ADMIN_EMAIL: &str = "admin@test.example";
/// The password of every account the tests create.
pub const CLAVE: &str = "correcto caballo batería";

pub struct TestApp<S> {
    pub db: TestDb,
    pub pool: DbPool,
    /// The process's authentication service (no listener: its cache is bypassed).
    pub auth: Auth,
    /// A bearer token of the test admin, sent by [`TestApp::call`] when the request carries
    /// no credentials of its own.
    pub admin_token: String,
    app: S,
}

/// The app as the server builds it, with the default settings.
pub async fn spawn() -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    spawn_with(http_defaults()).await
}

/// The HTTP settings of the service's built-in defaults (`config::DEFAULTS`), without a web
/// application: the in-process tests run on the very defaults the service starts with.
pub fn http_defaults() -> HttpSettings {
    HttpSettings {
        spa: None,
        ..Settings::defaults().unwrap().http()
    }
}

/// The app with other HTTP settings.
pub async fn spawn_with(
    http: HttpSettings,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = Auth::new(Settings::defaults().unwrap().auth()).unwrap();
    let admin_token = cuenta(&pool, &auth, ADMIN_EMAIL, Rol::Admin, None).await;
    let state = AppState {
        pool: pool.clone(),
        auth: auth.clone(),
        expected_migrations: Arc::new(migrations::expected_versions().unwrap()),
    };
    let app = test::init_service(build_app(state, http)).await;
    TestApp {
        db,
        pool,
        auth,
        admin_token,
        app,
    }
}

/// Creates an account through the operator's path and logs it in: its bearer token.
pub async fn cuenta(
    pool: &DbPool,
    auth: &Auth,
    email: &str,
    rol: Rol,
    persona_id: Option<PersonaId>,
) -> String {
    usuarios::alta(
        pool,
        auth,
        &UsuarioCreate {
            email: email.to_owned(),
            rol,
            persona_id,
            password: Password::new(CLAVE),
            activo: true,
        },
    )
    .await
    .unwrap();
    login(pool, auth, email).await
}

/// Logs `email` in with [`CLAVE`]: its bearer token.
pub async fn login(pool: &DbPool, auth: &Auth, email: &str) -> String {
    auth.login(
        pool,
        &LoginForm {
            username: email.to_owned(),
            password: Password::new(CLAVE),
            ..LoginForm::default()
        },
        None,
        None,
    )
    .await
    .unwrap()
    .access_token
}

impl<S, B> TestApp<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    /// Sends `req` as the test admin unless it carries credentials of its own
    /// (`Authorization` or a cookie); [`TestApp::call_anon`] sends it as it is.
    pub async fn call(&self, req: TestRequest) -> Resp {
        let mut req = req.to_request();
        let h = req.headers_mut();
        if !h.contains_key(header::AUTHORIZATION) && !h.contains_key(header::COOKIE) {
            h.insert(
                header::AUTHORIZATION,
                header::HeaderValue::from_str(&format!("Bearer {}", self.admin_token)).unwrap(),
            );
        }
        self.send(req).await
    }

    /// Sends `req` with no credentials added.
    pub async fn call_anon(&self, req: TestRequest) -> Resp {
        self.send(req.to_request()).await
    }

    /// Sends `req` with `token` as its bearer token.
    pub async fn call_as(&self, token: &str, req: TestRequest) -> Resp {
        self.call(req.insert_header((header::AUTHORIZATION, format!("Bearer {token}"))))
            .await
    }

    /// A new account of `rol` (with `persona`) and its token.
    pub async fn cuenta(&self, email: &str, rol: Rol, persona: Option<&Value>) -> String {
        let persona = persona
            .map(|p| PersonaId::from(uuid::Uuid::parse_str(p["id"].as_str().unwrap()).unwrap()));
        cuenta(&self.pool, &self.auth, email, rol, persona).await
    }

    async fn send(&self, req: actix_http::Request) -> Resp {
        let res = test::call_service(&self.app, req).await;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = test::read_body(res).await;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, uri: &str) -> Resp {
        self.call(TestRequest::get().uri(uri)).await
    }

    pub async fn post(&self, uri: &str, body: &Value) -> Resp {
        self.call(TestRequest::post().uri(uri).set_json(body)).await
    }

    pub async fn patch(&self, uri: &str, body: &Value, if_match: Option<&str>) -> Resp {
        let mut req = TestRequest::patch().uri(uri).set_json(body);
        if let Some(m) = if_match {
            req = req.insert_header(("If-Match", m));
        }
        self.call(req).await
    }

    pub async fn delete(&self, uri: &str, if_match: Option<&str>) -> Resp {
        let mut req = TestRequest::delete().uri(uri);
        if let Some(m) = if_match {
            req = req.insert_header(("If-Match", m));
        }
        self.call(req).await
    }

    /// Creates a persona and returns it (asserting the 201).
    pub async fn persona(&self, nombre: &str, email: Option<&str>) -> Value {
        let r = self
            .post(
                "/api/v1/personas",
                &json!({"nombre": nombre, "edad": 30, "email": email}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body
    }

    /// Creates a solicitud for a new persona and returns it (asserting the 201).
    pub async fn solicitud(&self, titulo: &str) -> Value {
        let p = self.persona("Solicitante", None).await;
        self.solicitud_de(&p["id"], titulo).await
    }

    /// Creates a solicitud of persona `persona_id`.
    pub async fn solicitud_de(&self, persona_id: &Value, titulo: &str) -> Value {
        let r = self
            .post(
                "/api/v1/solicitudes",
                &json!({"titulo": titulo, "persona_id": persona_id}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body
    }
}

/// `(loc, type)` as the tests write it.
pub fn err(loc: Value, kind: &str) -> (Value, String) {
    (loc, kind.to_owned())
}

/// The `f` (filters fingerprint) of a cursor the service minted, to sign forged positions with
/// (`solicitudes_schemas::cursor::encode`).
pub fn huella(cursor: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (cuerpo, _) = cursor.split_once('.').unwrap();
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(cuerpo).unwrap()).unwrap();
    payload["f"].as_str().unwrap().to_owned()
}
