//! [`Client`]: one method per operation of the contract.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures_util::stream::{self, Stream, TryStreamExt as _};
use reqwest::header::{ETAG, HeaderMap, IF_MATCH};
use reqwest::{Method, RequestBuilder, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;
use solicitudes_domain::{PersonaId, SesionId, SolicitudId, UsuarioId};
use solicitudes_schemas::Page;
use solicitudes_schemas::auth::{Registro, SesionResponse, TokenResponse};
use solicitudes_schemas::persona::{PersonaCreate, PersonaResponse, PersonaUpdate};
use solicitudes_schemas::solicitud::{SolicitudCreate, SolicitudResponse, SolicitudUpdate};
use solicitudes_schemas::usuario::{UsuarioCreate, UsuarioResponse, UsuarioUpdate};
use solicitudes_schemas::workflow::{Estadisticas, EventoResponse, TransicionCreate};
use utoipa::ToSchema;

use crate::error::{self, Error};
use crate::etag::{ETag, Versioned};
use crate::query::{Pairs, PersonaFilter, SolicitudFilter, UsuarioFilter};

/// What every call returns.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A bearer token. Its `Debug` never shows it.
#[derive(Clone)]
struct Token(Arc<str>);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// A client of one solicitudes service, anonymous or acting as one usuario (a bearer token).
///
/// Cheap to clone: clones share the connection pool (and the token). Every method maps a
/// non-success answer to [`Error`]; reads of solicitudes return their `ETag` in a
/// [`Versioned`], and writes of solicitudes take it back as `If-Match`.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    /// The base URL without a trailing slash (`http://127.0.0.1:8000`, or with a path prefix
    /// behind a proxy).
    base: Arc<str>,
    token: Option<Token>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("token", &self.token)
            .finish()
    }
}

/// Makes ring rustls's process-wide crypto provider unless one is installed already (by the
/// application, or an earlier client): reqwest is built here without a provider of its own.
fn install_crypto_provider() {
    // `Err` means a provider is already installed, which is all that is needed.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A `reqwest::Client` as [`Client::new`] builds it: rustls (ring), system roots, the
/// crate's `User-Agent`.
fn default_http() -> Result<reqwest::Client> {
    install_crypto_provider();
    Ok(reqwest::Client::builder()
        .user_agent(concat!("solicitudes-client/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

impl Client {
    /// An anonymous client of the service at `base` (`http://127.0.0.1:8000`): for
    /// [`token`](Self::token), [`registro`](Self::registro), [`healthz`](Self::healthz) and
    /// [`readyz`](Self::readyz); everything under `/api/v1` else answers 401.
    ///
    /// # Errors
    /// [`Error::InvalidBaseUrl`] unless `base` is an absolute `http(s)` URL;
    /// [`Error::Transport`] when the TLS stack cannot be set up.
    pub fn new(base: &str) -> Result<Self> {
        Self::with_http(default_http()?, base)
    }

    /// Like [`new`](Self::new), over a `reqwest::Client` of the caller's (timeouts, proxies,
    /// extra root certificates). It must have a TLS backend to reach `https` URLs.
    ///
    /// # Errors
    /// [`Error::InvalidBaseUrl`] unless `base` is an absolute `http(s)` URL.
    pub fn with_http(http: reqwest::Client, base: &str) -> Result<Self> {
        let trimmed = base.trim_end_matches('/');
        let ok = Url::parse(trimmed).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https") && u.query().is_none() && u.has_host()
        });
        if !ok {
            return Err(Error::InvalidBaseUrl(base.to_owned()));
        }
        Ok(Self {
            http,
            base: Arc::from(trimmed),
            token: None,
        })
    }

    /// Logs in with the OAuth2 password grant and returns a client acting as that usuario.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] for a wrong e-mail or password or a deactivated account (the
    /// same answer); [`Error::RateLimited`] after repeated failures; and as [`new`](Self::new).
    pub async fn login(base: &str, email: &str, password: &str) -> Result<Self> {
        let anonymous = Self::new(base)?;
        let token = anonymous.token(email, password).await?;
        Ok(anonymous.authenticated(&token.access_token))
    }

    /// A client acting with a token obtained elsewhere (`POST /auth/token` by another
    /// program, a configuration secret).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_token(base: &str, token: &str) -> Result<Self> {
        Ok(Self::new(base)?.authenticated(token))
    }

    /// This client (same base URL, same connection pool) acting with `token`.
    pub fn authenticated(&self, token: &str) -> Self {
        Self {
            token: Some(Token(Arc::from(token))),
            ..self.clone()
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Whether it sends a token.
    pub fn is_authenticated(&self) -> bool {
        self.token.is_some()
    }

    // ---------------------------------------------------------------- plumbing

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let builder = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            // bearer_auth marks the header sensitive: it is left out of reqwest's Debug.
            Some(Token(t)) => builder.bearer_auth(t),
            None => builder,
        }
    }

    async fn send(&self, builder: RequestBuilder) -> Result<(StatusCode, HeaderMap, Vec<u8>)> {
        let response = builder.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?.to_vec();
        if status.is_success() {
            Ok((status, headers, body))
        } else {
            Err(error::from_response(status, &headers, &body))
        }
    }

    async fn json<T: DeserializeOwned>(&self, builder: RequestBuilder) -> Result<T> {
        let (status, _, body) = self.send(builder).await?;
        error::decode_body(status, &body)
    }

    async fn versioned<T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
    ) -> Result<Versioned<T>> {
        let (status, headers, body) = self.send(builder).await?;
        let etag = headers
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(ETag::new)
            .ok_or_else(|| Error::Decode {
                status: status.as_u16(),
                message: "no readable ETag header".to_owned(),
            })?;
        Ok(Versioned {
            value: error::decode_body(status, &body)?,
            etag,
        })
    }

    async fn empty(&self, builder: RequestBuilder) -> Result<()> {
        self.send(builder).await.map(|_| ())
    }

    async fn page<T: DeserializeOwned + ToSchema>(
        &self,
        path: &str,
        pairs: &Pairs,
        cursor: Option<&str>,
    ) -> Result<Page<T>> {
        let mut builder = self.request(Method::GET, path).query(pairs);
        if let Some(cursor) = cursor {
            builder = builder.query(&[("cursor", cursor)]);
        }
        self.json(builder).await
    }

    /// Every item of a list, page after page, following `next_cursor` until it is `null`.
    fn walk<T>(
        &self,
        path: &'static str,
        pairs: Pairs,
    ) -> impl Stream<Item = Result<T>> + Send + use<T>
    where
        T: DeserializeOwned + ToSchema + Send + 'static,
    {
        let client = self.clone();
        // State: the cursor of the next page to fetch; `None` once the last page was read.
        stream::try_unfold(Some(None::<String>), move |state| {
            let client = client.clone();
            let pairs = pairs.clone();
            async move {
                let Some(cursor) = state else {
                    return Ok::<_, Error>(None);
                };
                let page: Page<T> = client.page(path, &pairs, cursor.as_deref()).await?;
                Ok(Some((page.items, page.next_cursor.map(Some))))
            }
        })
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
    }

    // ---------------------------------------------------------------- meta

    /// `GET /healthz`: whether the process answers (it does not touch the database).
    ///
    /// # Errors
    /// [`Error::Transport`] when nothing answers; another variant for a non-200.
    pub async fn healthz(&self) -> Result<()> {
        self.empty(self.request(Method::GET, "/healthz")).await
    }

    /// `GET /readyz`: whether the service can serve (database reachable, schema migrated).
    ///
    /// # Errors
    /// [`Error::Unavailable`] while it cannot; [`Error::Transport`] when nothing answers.
    pub async fn readyz(&self) -> Result<()> {
        self.empty(self.request(Method::GET, "/readyz")).await
    }

    // ---------------------------------------------------------------- auth

    /// `POST /api/v1/auth/token` (form-encoded password grant): a new session's token. See
    /// [`login`](Self::login) for the usual way in.
    ///
    /// # Errors
    /// [`Error::Unauthorized`], [`Error::RateLimited`], [`Error::Validation`] (e.g. a
    /// password over 128 characters).
    pub async fn token(&self, email: &str, password: &str) -> Result<TokenResponse> {
        let form = [
            ("grant_type", "password"),
            ("username", email),
            ("password", password),
        ];
        self.json(self.request(Method::POST, "/api/v1/auth/token").form(&form))
            .await
    }

    /// `POST /api/v1/auth/logout`: this client's token stops working at once.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] when the token was already dead.
    pub async fn logout(&self) -> Result<()> {
        self.empty(self.request(Method::POST, "/api/v1/auth/logout"))
            .await
    }

    /// `GET /api/v1/auth/me`: the caller's usuario, as it is now.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] without a live token.
    pub async fn me(&self) -> Result<UsuarioResponse> {
        self.json(self.request(Method::GET, "/api/v1/auth/me"))
            .await
    }

    /// `GET /api/v1/auth/sesiones`: the caller's live sessions, newest first.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] without a live token.
    pub async fn sesiones(&self) -> Result<Vec<SesionResponse>> {
        self.json(self.request(Method::GET, "/api/v1/auth/sesiones"))
            .await
    }

    /// `DELETE /api/v1/auth/sesiones/{id}`: closes one of the caller's sessions.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a session that is not the caller's live one.
    pub async fn revocar_sesion(&self, id: SesionId) -> Result<()> {
        self.empty(self.request(Method::DELETE, &format!("/api/v1/auth/sesiones/{id}")))
            .await
    }

    /// `POST /api/v1/auth/password`: changes the caller's password; every other session of
    /// the account is closed, this one stays.
    ///
    /// # Errors
    /// [`Error::Validation`] on `["body","actual"]` for a wrong current password (counted as
    /// a failed login) or on `nueva` outside 8–128 characters.
    pub async fn cambiar_password(&self, actual: &str, nueva: &str) -> Result<()> {
        let body = serde_json::json!({"actual": actual, "nueva": nueva});
        self.empty(
            self.request(Method::POST, "/api/v1/auth/password")
                .json(&body),
        )
        .await
    }

    /// `POST /api/v1/auth/registro` (anonymous; only when the service has open registration
    /// on): a persona and its solicitante account.
    ///
    /// # Errors
    /// [`Error::NotFound`] when open registration is off; [`Error::Conflict`] (`email_taken`);
    /// [`Error::Validation`].
    pub async fn registro(&self, registro: &Registro) -> Result<UsuarioResponse> {
        let body = with_password(registro, "password", Some(registro.password.expose()));
        self.json(
            self.request(Method::POST, "/api/v1/auth/registro")
                .json(&body),
        )
        .await
    }

    // ---------------------------------------------------------------- usuarios (admin)

    /// `POST /api/v1/usuarios` (admin).
    ///
    /// # Errors
    /// [`Error::Forbidden`] for a non-admin; [`Error::Conflict`] (`email_taken`);
    /// [`Error::Validation`].
    pub async fn crear_usuario(&self, usuario: &UsuarioCreate) -> Result<UsuarioResponse> {
        let body = with_password(usuario, "password", Some(usuario.password.expose()));
        self.json(self.request(Method::POST, "/api/v1/usuarios").json(&body))
            .await
    }

    /// `GET /api/v1/usuarios/{id}` (admin).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Forbidden`].
    pub async fn usuario(&self, id: UsuarioId) -> Result<UsuarioResponse> {
        self.json(self.request(Method::GET, &format!("/api/v1/usuarios/{id}")))
            .await
    }

    /// `PATCH /api/v1/usuarios/{id}` (admin): absent fields stay as they are.
    ///
    /// # Errors
    /// [`Error::Conflict`] (`last_admin`, `email_taken`), [`Error::NotFound`],
    /// [`Error::Forbidden`], [`Error::Validation`].
    pub async fn editar_usuario(
        &self,
        id: UsuarioId,
        cambios: &UsuarioUpdate,
    ) -> Result<UsuarioResponse> {
        let body = with_password(
            cambios,
            "password",
            cambios.password.as_ref().map(|p| p.expose()),
        );
        self.json(
            self.request(Method::PATCH, &format!("/api/v1/usuarios/{id}"))
                .json(&body),
        )
        .await
    }

    /// One page of `GET /api/v1/usuarios` (admin); `cursor` is the previous page's
    /// `next_cursor`.
    ///
    /// # Errors
    /// [`Error::Forbidden`]; [`Error::Validation`] for a bad filter or cursor.
    pub async fn usuarios_page(
        &self,
        filter: &UsuarioFilter,
        cursor: Option<&str>,
    ) -> Result<Page<UsuarioResponse>> {
        self.page("/api/v1/usuarios", &filter.pairs(), cursor).await
    }

    /// Every usuario matching `filter` (admin), following the cursors.
    pub fn usuarios(
        &self,
        filter: &UsuarioFilter,
    ) -> impl Stream<Item = Result<UsuarioResponse>> + Send + 'static {
        self.walk("/api/v1/usuarios", filter.pairs())
    }

    // ---------------------------------------------------------------- personas

    /// `POST /api/v1/personas` (admin).
    ///
    /// # Errors
    /// [`Error::Forbidden`], [`Error::Conflict`] (`email_taken`), [`Error::Validation`].
    pub async fn crear_persona(&self, persona: &PersonaCreate) -> Result<PersonaResponse> {
        self.json(self.request(Method::POST, "/api/v1/personas").json(persona))
            .await
    }

    /// `GET /api/v1/personas/{id}`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for a persona the caller may not see).
    pub async fn persona(&self, id: PersonaId) -> Result<PersonaResponse> {
        self.json(self.request(Method::GET, &format!("/api/v1/personas/{id}")))
            .await
    }

    /// `PATCH /api/v1/personas/{id}`: absent fields stay; `email: Some(None)` clears it.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Forbidden`], [`Error::Conflict`] (`email_taken`),
    /// [`Error::Validation`].
    pub async fn editar_persona(
        &self,
        id: PersonaId,
        cambios: &PersonaUpdate,
    ) -> Result<PersonaResponse> {
        self.json(
            self.request(Method::PATCH, &format!("/api/v1/personas/{id}"))
                .json(cambios),
        )
        .await
    }

    /// `DELETE /api/v1/personas/{id}` (admin).
    ///
    /// # Errors
    /// [`Error::Conflict`] while it has solicitudes or an account; [`Error::NotFound`],
    /// [`Error::Forbidden`].
    pub async fn borrar_persona(&self, id: PersonaId) -> Result<()> {
        self.empty(self.request(Method::DELETE, &format!("/api/v1/personas/{id}")))
            .await
    }

    /// One page of `GET /api/v1/personas`.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad filter or cursor.
    pub async fn personas_page(
        &self,
        filter: &PersonaFilter,
        cursor: Option<&str>,
    ) -> Result<Page<PersonaResponse>> {
        self.page("/api/v1/personas", &filter.pairs(), cursor).await
    }

    /// Every persona matching `filter` (that the caller may see), following the cursors.
    pub fn personas(
        &self,
        filter: &PersonaFilter,
    ) -> impl Stream<Item = Result<PersonaResponse>> + Send + 'static {
        self.walk("/api/v1/personas", filter.pairs())
    }

    // ---------------------------------------------------------------- solicitudes

    /// `POST /api/v1/solicitudes`: files a solicitud (`persona_id: None` for the caller's own
    /// persona), `pendiente` at version 1.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for another persona (only an admin may); [`Error::Validation`].
    pub async fn crear_solicitud(
        &self,
        solicitud: &SolicitudCreate,
    ) -> Result<Versioned<SolicitudResponse>> {
        self.versioned(
            self.request(Method::POST, "/api/v1/solicitudes")
                .json(solicitud),
        )
        .await
    }

    /// `GET /api/v1/solicitudes/{id}`, with its `ETag`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for one the caller may not see).
    pub async fn solicitud(&self, id: SolicitudId) -> Result<Versioned<SolicitudResponse>> {
        self.versioned(self.request(Method::GET, &format!("/api/v1/solicitudes/{id}")))
            .await
    }

    /// `PATCH /api/v1/solicitudes/{id}` with `If-Match: etag`.
    ///
    /// # Errors
    /// [`Error::PreconditionFailed`] when it changed since `etag` was read;
    /// [`Error::Conflict`] (`solicitud_final`); [`Error::NotFound`], [`Error::Forbidden`],
    /// [`Error::Validation`].
    pub async fn editar_solicitud(
        &self,
        id: SolicitudId,
        etag: &ETag,
        cambios: &SolicitudUpdate,
    ) -> Result<Versioned<SolicitudResponse>> {
        self.versioned(
            self.request(Method::PATCH, &format!("/api/v1/solicitudes/{id}"))
                .header(IF_MATCH, etag.as_str())
                .json(cambios),
        )
        .await
    }

    /// `DELETE /api/v1/solicitudes/{id}` with `If-Match: etag` (admin).
    ///
    /// # Errors
    /// [`Error::PreconditionFailed`], [`Error::NotFound`], [`Error::Forbidden`].
    pub async fn borrar_solicitud(&self, id: SolicitudId, etag: &ETag) -> Result<()> {
        self.empty(
            self.request(Method::DELETE, &format!("/api/v1/solicitudes/{id}"))
                .header(IF_MATCH, etag.as_str()),
        )
        .await
    }

    /// `POST /api/v1/solicitudes/{id}/transiciones` with `If-Match: etag`: moves it through
    /// the workflow.
    ///
    /// # Errors
    /// [`Error::Conflict`] with `permitidos` for a move the workflow forbids;
    /// [`Error::PreconditionFailed`] when it changed since `etag` was read;
    /// [`Error::Forbidden`] when the policy forbids the move to the caller (a revisor on their
    /// own solicitud); [`Error::NotFound`]; [`Error::Validation`] (`rechazada` without a
    /// comentario).
    pub async fn transicionar(
        &self,
        id: SolicitudId,
        etag: &ETag,
        transicion: &TransicionCreate,
    ) -> Result<Versioned<SolicitudResponse>> {
        self.versioned(
            self.request(
                Method::POST,
                &format!("/api/v1/solicitudes/{id}/transiciones"),
            )
            .header(IF_MATCH, etag.as_str())
            .json(transicion),
        )
        .await
    }

    /// `GET /api/v1/solicitudes/{id}/historial`: its changes of estado, oldest first.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub async fn historial(&self, id: SolicitudId) -> Result<Vec<EventoResponse>> {
        self.json(self.request(Method::GET, &format!("/api/v1/solicitudes/{id}/historial")))
            .await
    }

    /// One page of `GET /api/v1/solicitudes`.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad filter or cursor.
    pub async fn solicitudes_page(
        &self,
        filter: &SolicitudFilter,
        cursor: Option<&str>,
    ) -> Result<Page<SolicitudResponse>> {
        self.page("/api/v1/solicitudes", &filter.pairs(), cursor)
            .await
    }

    /// Every solicitud matching `filter` (that the caller may see), in the filter's order,
    /// following the cursors: each row that matched when the walk began comes exactly once,
    /// even while others are filed.
    pub fn solicitudes(
        &self,
        filter: &SolicitudFilter,
    ) -> impl Stream<Item = Result<SolicitudResponse>> + Send + 'static {
        self.walk("/api/v1/solicitudes", filter.pairs())
    }

    /// `GET /api/v1/estadisticas` (a solicitante's count only their own).
    ///
    /// # Errors
    /// [`Error::Unauthorized`] without a live token.
    pub async fn estadisticas(&self) -> Result<Estadisticas> {
        self.json(self.request(Method::GET, "/api/v1/estadisticas"))
            .await
    }

    // ---------------------------------------------------------------- optimistic concurrency

    /// Reads solicitud `id` and calls `write` with it (value and `ETag`); when `write` fails
    /// with [`Error::PreconditionFailed`] (someone changed it in between), reads it again and
    /// calls `write` with the fresh version, up to `max_attempts` calls in all. `write`
    /// decides each time afresh, from what it is given — it may also give up (return
    /// `Ok` with a value that says so).
    ///
    /// ```no_run
    /// # async fn f(client: &solicitudes_client::Client, id: solicitudes_client::SolicitudId)
    /// # -> Result<(), solicitudes_client::Error> {
    /// use solicitudes_client::schemas::solicitud::SolicitudUpdate;
    /// use solicitudes_client::Prioridad;
    /// let subida = client
    ///     .retry_on_conflict(id, 5, |actual| async move {
    ///         let cambios = SolicitudUpdate { prioridad: Some(Prioridad::Alta), ..Default::default() };
    ///         client.editar_solicitud(id, &actual.etag, &cambios).await
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// What the read or the last `write` failed with (after `max_attempts` 412s, that 412).
    pub async fn retry_on_conflict<T, F, Fut>(
        &self,
        id: SolicitudId,
        max_attempts: u32,
        write: F,
    ) -> Result<T>
    where
        F: FnMut(Versioned<SolicitudResponse>) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let current = self.solicitud(id).await?;
        self.retry_on_conflict_from(current, max_attempts, write)
            .await
    }

    /// [`retry_on_conflict`](Self::retry_on_conflict) starting from a version already in hand
    /// (from a list, see [`Versioned::from_listed`]) instead of reading it first.
    ///
    /// # Errors
    /// As [`retry_on_conflict`](Self::retry_on_conflict).
    pub async fn retry_on_conflict_from<T, F, Fut>(
        &self,
        mut current: Versioned<SolicitudResponse>,
        max_attempts: u32,
        mut write: F,
    ) -> Result<T>
    where
        F: FnMut(Versioned<SolicitudResponse>) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let id = current.value.id;
        let mut attempts = 1;
        loop {
            match write(current).await {
                Err(Error::PreconditionFailed { .. }) if attempts < max_attempts => {
                    attempts += 1;
                    current = self.solicitud(id).await?;
                }
                done => return done,
            }
        }
    }
}

/// `value` as JSON with its password field `name` in clear: the schemas' `Password`
/// serialises as a mask, so that it cannot leak into a log or a response by accident.
fn with_password<T: serde::Serialize>(value: &T, name: &str, password: Option<&str>) -> Value {
    let mut json = serde_json::to_value(value).unwrap_or(Value::Null);
    if let (Some(object), Some(password)) = (json.as_object_mut(), password) {
        object.insert(name.to_owned(), Value::String(password.to_owned()));
    }
    json
}

#[cfg(test)]
mod tests {
    use super::*;
    use solicitudes_schemas::auth::Password;

    #[test]
    fn el_token_no_aparece_en_debug() {
        let c = Client::with_token("http://127.0.0.1:8000/", "sol_supersecreto").unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("supersecreto"), "{debug}");
        assert!(debug.contains("Token(***)"), "{debug}");
        assert_eq!(c.base_url(), "http://127.0.0.1:8000");
    }

    #[test]
    fn la_url_base_se_comprueba() {
        for bad in [
            "",
            "127.0.0.1:8000",
            "ftp://x",
            "http://",
            "http://h/?a=1",
            "/api",
        ] {
            assert!(
                matches!(Client::new(bad), Err(Error::InvalidBaseUrl(_))),
                "{bad:?}"
            );
        }
        let c = Client::new("https://example.invalid/solicitudes/").unwrap();
        assert_eq!(c.base_url(), "https://example.invalid/solicitudes");
    }

    #[test]
    fn la_contrasena_va_en_claro_solo_en_el_cuerpo() {
        let dto = UsuarioUpdate {
            password: Some(Password::new("nueva secreta")),
            ..Default::default()
        };
        assert_eq!(
            with_password(&dto, "password", dto.password.as_ref().map(|p| p.expose())),
            serde_json::json!({"password": "nueva secreta"})
        );
        let dto = UsuarioUpdate::default();
        assert_eq!(with_password(&dto, "password", None), serde_json::json!({}));
    }
}
