//! Extractors that turn a request into validated input, or into a 4xx in the contract's shape.
//!
//! They run before a handler touches the database: a request that fails here never takes a
//! pool connection.

use std::str::FromStr;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use futures_util::future::{LocalBoxFuture, Ready, ready};
use solicitudes_schemas::auth::LoginForm;
use solicitudes_schemas::body::{self, JsonBody};
use solicitudes_schemas::query::FromQueryString;
use solicitudes_services::ExpectedVersion;
use uuid::Uuid;

use crate::error::ApiError;

/// The largest accepted body, in bytes (app data, from `server.body_limit_bytes`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// How long a client may take to send a whole body (app data, from
/// `server.request_timeout_ms`). Without it a client that stops mid-body would hold its
/// connection for ever: the head has its own timeout and the handler's timeout only starts
/// once the body is read.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

/// A JSON body read into `T` with every problem reported at once (see
/// [`solicitudes_schemas::body`]). Requires `Content-Type: application/json` (or
/// `application/*+json`, UTF-8); a body over the limit is a 413, whether or not it declares
/// its length.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: JsonBody + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = check_content_type(req);
        let body = read_body(req, payload, content_type);
        Box::pin(async move {
            let body = body.await?;
            body::parse::<T>(&body).map(Json).map_err(ApiError::Invalid)
        })
    }
}

/// The body of `POST /auth/token` and `/auth/cookie`: the OAuth2 password grant as
/// `application/x-www-form-urlencoded` (what Swagger UI's Authorize dialog sends) or as JSON,
/// with the same rules and the same 422 entries either way.
#[derive(Debug)]
pub struct LoginBody(pub LoginForm);

impl FromRequest for LoginBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|e| e.trim().eq_ignore_ascii_case(FORM));
        let content_type = if form {
            Ok(())
        } else {
            check_content_type(req).map_err(|_| {
                ApiError::invalid(
                    ["header", "content-type"],
                    "content_type",
                    "Content-Type debe ser application/x-www-form-urlencoded o application/json",
                )
            })
        };
        let body = read_body(req, payload, content_type);
        Box::pin(async move {
            let body = body.await?;
            let parsed = if form {
                LoginForm::from_form(&body)
            } else {
                body::parse::<LoginForm>(&body)
            };
            parsed.map(LoginBody).map_err(ApiError::Invalid)
        })
    }
}

/// The form content type.
const FORM: &str = "application/x-www-form-urlencoded";

/// Reads the whole body within the configured limit (413 whether or not it declares its
/// length) and timeout (408). `content_type` is the verdict on the Content-Type header: a
/// declared oversized length wins over it, and a refused type is answered without reading.
fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
    content_type: Result<(), ApiError>,
) -> LocalBoxFuture<'static, Result<BytesMut, ApiError>> {
    // `app::build_app` always sets both; an app without them is a wiring bug.
    let (Some(&BodyLimit(limit)), Some(&BodyTimeout(timeout))) =
        (req.app_data::<BodyLimit>(), req.app_data::<BodyTimeout>())
    else {
        return Box::pin(ready(Err(ApiError::Service(
            solicitudes_services::ServiceError::Internal(
                "BodyLimit/BodyTimeout missing from the app data".to_owned(),
            ),
        ))));
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut payload = payload.take();
    Box::pin(async move {
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        content_type?;
        let read = async {
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| match e {
                    actix_web::error::PayloadError::Overflow => ApiError::PayloadTooLarge(limit),
                    other => ApiError::BadPayload(other.to_string()),
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge(limit));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body)
        };
        tokio::time::timeout(timeout, read)
            .await
            .map_err(|_| ApiError::BodyTimeout)?
    })
}

fn check_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let invalid = |msg: &str| ApiError::invalid(["header", "content-type"], "content_type", msg);
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Err(invalid("Falta la cabecera Content-Type: application/json"));
    };
    let value = value
        .to_str()
        .map_err(|_| invalid("Content-Type debe ser application/json"))?;
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if !json {
        return Err(invalid("Content-Type debe ser application/json"));
    }
    for param in parts {
        if let Some((k, v)) = param.split_once('=')
            && k.trim().eq_ignore_ascii_case("charset")
            && !v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err(invalid("El cuerpo JSON debe estar en UTF-8"));
        }
    }
    Ok(())
}

/// The `{id}` segment of the path, parsed as a UUID into `T` (422 on `["path", "id"]` when
/// malformed).
#[derive(Debug)]
pub struct Id<T>(pub T);

impl<T: From<Uuid>> Id<T> {
    /// The id.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: From<Uuid> + 'static> FromRequest for Id<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let raw = req.match_info().get("id").unwrap_or("");
        ready(Uuid::from_str(raw).map(|id| Id(T::from(id))).map_err(|_| {
            ApiError::invalid(
                ["path", "id"],
                "uuid_parsing",
                "Debe ser un UUID válido, p. ej. 0193a3f4-1c2b-7d3e-8f40-123456789abc",
            )
        }))
    }
}

/// The `If-Match` header, if sent (422 on `["header", "if-match"]` when malformed).
///
/// Its `IntoParams` is the header's one description in the OpenAPI document: handlers that
/// take it list `IfMatchHeader` in their `params(...)`.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(names("If-Match"), parameter_in = Header)]
pub struct IfMatchHeader(
    /// `"<version>"` (strong comparison), a comma-separated list of entity tags, or `*`; any other value is a 422
    #[param(
        value_type = Option<String>,
        nullable = false,
        example = "\"1\"",
        pattern = r#"^[ \t]*(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)[ \t]*$"#
    )]
    pub Option<ExpectedVersion>,
);

impl FromRequest for IfMatchHeader {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let values: Vec<_> = req.headers().get_all(header::IF_MATCH).collect();
        if values.is_empty() {
            return ready(Ok(IfMatchHeader(None)));
        }
        let invalid = |msg: String| ApiError::invalid(["header", "if-match"], "value_error", msg);
        let mut joined = String::new();
        for v in values {
            let Ok(v) = v.to_str() else {
                return ready(Err(invalid(
                    "If-Match contiene caracteres no válidos".to_owned(),
                )));
            };
            if !joined.is_empty() {
                joined.push(',');
            }
            joined.push_str(v);
        }
        ready(
            crate::precondition::parse_if_match(&joined)
                .map(|m| IfMatchHeader(Some(m)))
                .map_err(invalid),
        )
    }
}

/// A list query read with [`FromQueryString`] (422s on `["query", name]`).
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: FromQueryString + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            T::from_query_string(req.query_string())
                .map(Query)
                .map_err(ApiError::Invalid),
        )
    }
}

/// Several request parts read together, so that problems in different parts of one request
/// (path id, query, `If-Match`, body) are reported together in one 422, as FastAPI does.
///
/// Handlers take `Parts((a, b, …))` and list the parts in the contract's order — path, query,
/// header, body — which is the order of the 422's entries. An error that is not a 422 (a body
/// over the limit, a body that stopped arriving) wins over the 422s: the request cannot be
/// judged further.
#[derive(Debug)]
pub struct Parts<T>(pub T);

/// What the parts of one request got wrong, so far.
#[derive(Default)]
struct Problems(Option<ApiError>);

impl Problems {
    /// The part's value, or `None` with its error recorded.
    fn take<T>(&mut self, part: Result<T, ApiError>) -> Option<T> {
        let error = match part {
            Ok(value) => return Some(value),
            Err(e) => e,
        };
        self.0 = Some(match (self.0.take(), error) {
            (None, e) => e,
            (Some(ApiError::Invalid(mut seen)), ApiError::Invalid(more)) => {
                seen.extend(more);
                ApiError::Invalid(seen)
            }
            // Not a 422 — the first such error decides.
            (Some(ApiError::Invalid(_)), other) => other,
            (Some(first), _) => first,
        });
        None
    }

    fn into_error(self) -> ApiError {
        self.0.unwrap_or_else(|| {
            ApiError::Service(solicitudes_services::ServiceError::Internal(
                "a request part failed without an error".to_owned(),
            ))
        })
    }
}

macro_rules! parts {
    ($($part:ident),+) => {
        impl<$($part),+> FromRequest for Parts<($($part,)+)>
        where
            $($part: FromRequest<Error = ApiError> + 'static, $part::Future: 'static,)+
        {
            type Error = ApiError;
            type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

            #[allow(non_snake_case)]
            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                $(let $part = $part::from_request(req, payload);)+
                Box::pin(async move {
                    let mut problems = Problems::default();
                    $(let $part = problems.take($part.await);)+
                    match ($($part,)+) {
                        ($(Some($part),)+) => Ok(Parts(($($part,)+))),
                        _ => Err(problems.into_error()),
                    }
                })
            }
        }
    };
}

parts!(A, B);
parts!(A, B, C);
