//! Use cases on usuarios (accounts): admin management, open registration, the bootstrap
//! admin and `GET /auth/me`.
//!
//! Every change goes through [`solicitudes_persistence::usuarios::update`], which notifies
//! every replica, and evicts the usuario from this process's session cache at once.

use solicitudes_domain::policy::Accion;
use solicitudes_domain::{Caller, PersonaId, Rol, UsuarioId};
use solicitudes_persistence::models::{NewPersona, NewUsuario, Usuario, UsuarioChanges};
use solicitudes_persistence::personas::EMAIL_UNIQUE as PERSONA_EMAIL_UNIQUE;
use solicitudes_persistence::usuarios::{
    self as db, Bootstrap, EMAIL_UNIQUE, PERSONA_FK, RevocarSesiones, SOLICITANTE_PERSONA,
    UsuarioFilter, UsuarioUpdate as Outcome,
};
use solicitudes_persistence::{DbError, DbPool, RolDb};
use solicitudes_schemas::Page;
use solicitudes_schemas::auth::{Password, Registro};
use solicitudes_schemas::cursor::NewestFirst;
use solicitudes_schemas::usuario::{
    UsuarioCreate, UsuarioListQuery, UsuarioResponse, UsuarioUpdate,
};

use crate::acceso::exigir_sin_objeto;
use crate::auth::Auth;
use crate::error::{Recurso, ServiceError};
use crate::page;

/// `POST /usuarios` (admin): creates an account.
///
/// # Errors
/// [`ServiceError::Forbidden`] for all but an admin; otherwise as [`alta`].
#[tracing::instrument(skip_all)]
pub async fn crear(
    pool: &DbPool,
    auth: &Auth,
    caller: &Caller,
    dto: &UsuarioCreate,
) -> Result<UsuarioResponse, ServiceError> {
    exigir_sin_objeto(caller, Accion::Usuarios)?;
    alta(pool, auth, dto).await
}

/// Creates an account with no caller and no policy: the operator's path (the CLI's
/// `usuarios crear`, run by whoever holds the database's credentials).
///
/// # Errors
/// [`ServiceError::EmailTaken`] when the e-mail is taken; [`ServiceError::PersonaInexistente`]
/// or [`ServiceError::PersonaRequerida`] on `persona_id` for a solicitante without one or a
/// persona that does not exist.
#[tracing::instrument(skip_all)]
pub async fn alta(
    pool: &DbPool,
    auth: &Auth,
    dto: &UsuarioCreate,
) -> Result<UsuarioResponse, ServiceError> {
    if dto.rol == Rol::Solicitante && dto.persona_id.is_none() {
        return Err(persona_requerida());
    }
    let hash = auth.hasher().hash(&dto.password).await?;
    let new = NewUsuario {
        id: UsuarioId::new().into(),
        email: &dto.email,
        rol: RolDb(dto.rol),
        persona_id: dto.persona_id.map(Into::into),
        activo: dto.activo,
        password_hash: &hash,
    };
    let mut conn = pool.get().await?;
    db::insert(&mut conn, &new)
        .await
        .map(into_response)
        .map_err(|e| constraint_error(e, dto.persona_id))
}

/// `GET /usuarios/{id}` (admin).
///
/// # Errors
/// [`ServiceError::Forbidden`] for all but an admin; [`ServiceError::NotFound`] when there is
/// none.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn obtener(
    pool: &DbPool,
    caller: &Caller,
    id: UsuarioId,
) -> Result<UsuarioResponse, ServiceError> {
    exigir_sin_objeto(caller, Accion::Usuarios)?;
    leer(pool, id).await
}

/// `GET /auth/me`: the caller's own account, as it is now.
///
/// # Errors
/// [`ServiceError::Unauthorized`] if the account vanished since the request was
/// authenticated.
#[tracing::instrument(skip_all)]
pub async fn yo(pool: &DbPool, caller: &Caller) -> Result<UsuarioResponse, ServiceError> {
    leer(pool, caller.usuario_id).await.map_err(|e| match e {
        ServiceError::NotFound(_) => ServiceError::Unauthorized,
        e => e,
    })
}

async fn leer(pool: &DbPool, id: UsuarioId) -> Result<UsuarioResponse, ServiceError> {
    let mut conn = pool.get().await?;
    db::find(&mut conn, id.into())
        .await?
        .map(into_response)
        .ok_or_else(|| not_found(id))
}

/// `PATCH /usuarios/{id}` (admin): changes e-mail, rol, activo, password and persona.
/// Deactivating or setting a password revokes every session of the account. The change
/// takes effect on the account's next request, on every replica.
///
/// # Errors
/// [`ServiceError::Forbidden`] for all but an admin; [`ServiceError::NotFound`];
/// [`ServiceError::EmailTaken`]; [`ServiceError::UltimoAdmin`] when the change would leave no
/// active admin (decided atomically in the UPDATE); [`ServiceError::PersonaInexistente`] or
/// [`ServiceError::PersonaRequerida`] on `persona_id` as in [`alta`].
#[tracing::instrument(skip_all, fields(%id))]
pub async fn editar(
    pool: &DbPool,
    auth: &Auth,
    caller: &Caller,
    id: UsuarioId,
    dto: &UsuarioUpdate,
) -> Result<UsuarioResponse, ServiceError> {
    exigir_sin_objeto(caller, Accion::Usuarios)?;
    let hash = match &dto.password {
        Some(p) => Some(auth.hasher().hash(p).await?),
        None => None,
    };
    let changes = UsuarioChanges {
        email: dto.email.as_deref(),
        rol: dto.rol.map(RolDb),
        persona_id: dto.persona_id.map(|p| p.map(Into::into)),
        activo: dto.activo,
        password_hash: hash.as_deref(),
    };
    let revocar = if dto.activo == Some(false) || dto.password.is_some() {
        RevocarSesiones::Todas
    } else {
        RevocarSesiones::Ninguna
    };
    let mut conn = pool.get().await?;
    let outcome = db::update(&mut conn, id.into(), &changes, revocar)
        .await
        .map_err(|e| constraint_error(e, dto.persona_id.flatten()))?;
    auth.invalidar(id);
    match outcome {
        Outcome::Updated(u) => Ok(into_response(u)),
        Outcome::NotFound => Err(not_found(id)),
        Outcome::LastAdmin => Err(ServiceError::UltimoAdmin),
    }
}

/// `GET /usuarios` (admin): a page, newest first, filtered by `q` (e-mail), `rol`, `activo`.
///
/// # Errors
/// [`ServiceError::Forbidden`] for all but an admin; [`ServiceError::Unavailable`] when the
/// database cannot be reached.
#[tracing::instrument(skip_all)]
pub async fn listar(
    pool: &DbPool,
    caller: &Caller,
    query: &UsuarioListQuery,
) -> Result<Page<UsuarioResponse>, ServiceError> {
    exigir_sin_objeto(caller, Accion::Usuarios)?;
    let after = query.cursor.map(|p| (p.created_at, p.id));
    let filter = UsuarioFilter {
        q: query.q.as_deref(),
        rol: query.rol.map(RolDb),
        activo: query.activo,
    };
    let mut conn = pool.get().await?;
    let rows = db::list(&mut conn, &filter, after, query.limit + 1).await?;
    let total = page::total(query.count, db::count(&mut conn, &filter)).await?;
    Ok(Page::from_rows(
        rows,
        query.limit,
        total,
        |last| {
            query.next_cursor(NewestFirst {
                created_at: last.created_at,
                id: last.id,
            })
        },
        into_response,
    ))
}

/// `POST /auth/registro` (open registration): a persona and its solicitante account, in one
/// transaction; the e-mail is both the persona's and the login.
///
/// # Errors
/// [`ServiceError::NotFound`] (`Recurso::Registro`) unless `auth.open_registration` is on;
/// [`ServiceError::EmailTaken`] when the e-mail is taken (by a persona or an account).
#[tracing::instrument(skip_all)]
pub async fn registro(
    pool: &DbPool,
    auth: &Auth,
    dto: &Registro,
) -> Result<UsuarioResponse, ServiceError> {
    if !auth.settings().open_registration {
        return Err(ServiceError::NotFound(Recurso::Registro));
    }
    let hash = auth.hasher().hash(&dto.password).await?;
    let persona_id = PersonaId::new();
    let persona = NewPersona {
        id: persona_id.into(),
        nombre: &dto.nombre,
        edad: i16::try_from(dto.edad)
            .map_err(|_| ServiceError::Internal(format!("edad {} escaped validation", dto.edad)))?,
        email: Some(&dto.email),
    };
    let usuario = NewUsuario {
        id: UsuarioId::new().into(),
        email: &dto.email,
        rol: RolDb(Rol::Solicitante),
        persona_id: Some(persona_id.into()),
        activo: true,
        password_hash: &hash,
    };
    let mut conn = pool.get().await?;
    match db::insert_with_persona(&mut conn, &persona, &usuario).await {
        Ok((_, u)) => Ok(into_response(u)),
        Err(DbError::UniqueViolation { constraint })
            if constraint.as_deref() == Some(PERSONA_EMAIL_UNIQUE) =>
        {
            Err(email_taken())
        }
        Err(e) => Err(constraint_error(e, None)),
    }
}

/// At start-up: when no active admin exists, creates the account `email` as an active admin
/// or makes the existing one an active admin with `password`. `None` when an active admin
/// already existed (nothing changed).
///
/// # Errors
/// [`ServiceError::Unavailable`] when the database cannot be reached.
#[tracing::instrument(skip_all)]
pub async fn bootstrap_admin(
    pool: &DbPool,
    auth: &Auth,
    email: &str,
    password: &Password,
) -> Result<Option<UsuarioResponse>, ServiceError> {
    let hash = auth.hasher().hash(password).await?;
    let mut conn = pool.get().await?;
    match db::bootstrap_admin(&mut conn, UsuarioId::new().into(), email, &hash)
        .await
        .map_err(|e| constraint_error(e, None))?
    {
        Bootstrap::AdminExists => Ok(None),
        Bootstrap::Done(u) => {
            auth.invalidar(u.id.into());
            Ok(Some(into_response(u)))
        }
    }
}

/// The response DTO of a row (never the hash).
pub fn into_response(u: Usuario) -> UsuarioResponse {
    UsuarioResponse {
        id: u.id.into(),
        email: u.email,
        rol: u.rol.0,
        persona_id: u.persona_id.map(Into::into),
        activo: u.activo,
        created_at: u.created_at,
        updated_at: u.updated_at,
    }
}

fn not_found(id: UsuarioId) -> ServiceError {
    ServiceError::NotFound(Recurso::Usuario(id))
}

fn email_taken() -> ServiceError {
    ServiceError::EmailTaken
}

fn persona_requerida() -> ServiceError {
    ServiceError::PersonaRequerida
}

/// The client errors a usuario write can hit, recognised by constraint name.
fn constraint_error(e: DbError, persona: Option<PersonaId>) -> ServiceError {
    match e {
        DbError::UniqueViolation { constraint } if constraint.as_deref() == Some(EMAIL_UNIQUE) => {
            email_taken()
        }
        DbError::ForeignKeyViolation { constraint }
            if constraint.as_deref() == Some(PERSONA_FK) =>
        {
            match persona {
                Some(p) => ServiceError::PersonaInexistente(p),
                // A persona link was not being written: the violation is not the caller's.
                None => ServiceError::Internal("persona foreign key without a persona".into()),
            }
        }
        DbError::CheckViolation { constraint }
            if constraint.as_deref() == Some(SOLICITANTE_PERSONA) =>
        {
            persona_requerida()
        }
        other => other.into(),
    }
}
