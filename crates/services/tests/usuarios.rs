//! Usuarios, registration, bootstrap, the historial's actors and own-only lists, against
//! the real PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod comun;

use comun::*;
use solicitudes_domain::{Caller, Estado, Prioridad, Rol, SolicitudId};
use solicitudes_persistence::PrioridadDb;
use solicitudes_persistence::models::NewSolicitud;
use solicitudes_schemas::auth::{Password, Registro};
use solicitudes_schemas::persona::PersonaListQuery;
use solicitudes_schemas::query::FromQueryString;
use solicitudes_schemas::solicitud::SolicitudCreate;
use solicitudes_schemas::solicitud_list::SolicitudListQuery;
use solicitudes_schemas::usuario::{UsuarioCreate, UsuarioListQuery, UsuarioUpdate};
use solicitudes_schemas::workflow::TransicionCreate;
use solicitudes_services::{
    Auth, AuthSettings, ServiceError, estadisticas, personas, solicitud_list, solicitudes,
    usuarios, workflow,
};
use solicitudes_testkit::TestDb;

fn conflicto(r: Result<impl std::fmt::Debug, ServiceError>) {
    assert!(matches!(r, Err(ServiceError::EmailTaken)), "{r:?}");
}

fn ultimo_admin(r: Result<impl std::fmt::Debug, ServiceError>) {
    assert!(matches!(r, Err(ServiceError::UltimoAdmin)), "{r:?}");
}

fn prohibido(r: Result<impl std::fmt::Debug, ServiceError>) {
    assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
}

/// The 422s on `body.persona_id`: a missing or an unknown persona.
fn invalido_en(r: Result<impl std::fmt::Debug, ServiceError>, campo: &str) {
    assert_eq!(campo, "persona_id");
    assert!(
        matches!(
            r,
            Err(ServiceError::PersonaRequerida | ServiceError::PersonaInexistente(_))
        ),
        "{r:?}"
    );
}

#[tokio::test]
async fn crear_usuarios_email_unico_y_solicitante_con_persona() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = auth();
    let root = admin(&pool, &auth).await;
    let u = usuario(&pool, &auth, "Eva@Example.com", Rol::Revisor, None).await;
    assert!(u.activo && u.persona_id.is_none());
    let json = serde_json::to_string(&u).unwrap();
    assert!(
        !json.contains("argon") && !json.contains("password"),
        "{json}"
    );
    let dto = |email: &str, rol, persona_id| UsuarioCreate {
        email: email.to_owned(),
        rol,
        persona_id,
        password: Password::new(CLAVE),
        activo: true,
    };
    conflicto(
        usuarios::crear(
            &pool,
            &auth,
            &root,
            &dto("EVA@example.COM", Rol::Admin, None),
        )
        .await,
    );
    // Only an admin creates accounts over the API.
    let eva = caller(&pool, &auth, "eva@example.com").await;
    prohibido(
        usuarios::crear(
            &pool,
            &auth,
            &eva,
            &dto("otra@example.com", Rol::Admin, None),
        )
        .await,
    );
    invalido_en(
        usuarios::crear(
            &pool,
            &auth,
            &root,
            &dto("sol@example.com", Rol::Solicitante, None),
        )
        .await,
        "persona_id",
    );
    invalido_en(
        usuarios::crear(
            &pool,
            &auth,
            &root,
            &dto(
                "sol@example.com",
                Rol::Solicitante,
                Some(solicitudes_domain::PersonaId::new()),
            ),
        )
        .await,
        "persona_id",
    );
    assert_eq!(usuarios::obtener(&pool, &root, u.id).await.unwrap(), u);
    prohibido(usuarios::obtener(&pool, &eva, u.id).await);
    // A persona with an account cannot be deleted behind its back.
    let p = persona(&pool, &root, "Sol").await;
    usuario(&pool, &auth, "sol@example.com", Rol::Solicitante, Some(p)).await;
    let r = personas::borrar(&pool, &root, p).await;
    assert!(
        matches!(r, Err(ServiceError::PersonaConUsuario(x)) if x == p),
        "{r:?}"
    );
    // Unlinking a solicitante's persona is refused by the schema's rule, as a 422.
    let sol = usuarios::listar(
        &pool,
        &root,
        &UsuarioListQuery::from_query_string("q=sol@").unwrap(),
    )
    .await
    .unwrap()
    .items
    .remove(0);
    invalido_en(
        usuarios::editar(
            &pool,
            &auth,
            &root,
            sol.id,
            &UsuarioUpdate {
                persona_id: Some(None),
                ..UsuarioUpdate::default()
            },
        )
        .await,
        "persona_id",
    );
}

#[tokio::test]
async fn la_ultima_cuenta_admin_activa_no_se_degrada_ni_se_desactiva() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = auth();
    let a = usuario(&pool, &auth, "a@example.com", Rol::Admin, None).await;
    let ca = caller(&pool, &auth, "a@example.com").await;
    let degradar = UsuarioUpdate {
        rol: Some(Rol::Revisor),
        ..UsuarioUpdate::default()
    };
    let desactivar = UsuarioUpdate {
        activo: Some(false),
        ..UsuarioUpdate::default()
    };
    ultimo_admin(usuarios::editar(&pool, &auth, &ca, a.id, &degradar).await);
    ultimo_admin(usuarios::editar(&pool, &auth, &ca, a.id, &desactivar).await);
    let e = usuarios::editar(
        &pool,
        &auth,
        &ca,
        a.id,
        &UsuarioUpdate {
            email: Some("jefa@example.com".into()),
            ..UsuarioUpdate::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(e.email, "jefa@example.com");
    let r = usuarios::editar(
        &pool,
        &auth,
        &ca,
        solicitudes_domain::UsuarioId::new(),
        &degradar,
    )
    .await;
    assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}");

    // Two admins demoting each other at the same moment: exactly one succeeds, every time.
    let mut quien = ca;
    for _ in 0..5 {
        let b = usuario(
            &pool,
            &auth,
            &format!("b{}@example.com", uuid::Uuid::now_v7().simple()),
            Rol::Admin,
            None,
        )
        .await;
        let admins = usuarios::listar(
            &pool,
            &quien,
            &UsuarioListQuery::from_query_string("rol=admin&activo=true").unwrap(),
        )
        .await
        .unwrap()
        .items;
        assert_eq!(admins.len(), 2);
        assert!(admins.iter().any(|x| x.id == b.id));
        // Each one, logged in, demotes the other.
        let cx = caller(&pool, &auth, &admins[0].email).await;
        let cy = caller(&pool, &auth, &admins[1].email).await;
        let (rx, ry) = tokio::join!(
            usuarios::editar(&pool, &auth, &cx, cy.usuario_id, &degradar),
            usuarios::editar(&pool, &auth, &cy, cx.usuario_id, &degradar),
        );
        assert_eq!(
            usize::from(rx.is_ok()) + usize::from(ry.is_ok()),
            1,
            "{rx:?} {ry:?}"
        );
        // The loser is told why; whichever remained is the one admin of the next round.
        quien = if rx.is_ok() {
            ultimo_admin(ry);
            cx
        } else {
            ultimo_admin(rx);
            cy
        };
        let quedan = usuarios::listar(
            &pool,
            &quien,
            &UsuarioListQuery::from_query_string("rol=admin&activo=true&count=true").unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(quedan.total, Some(1));
    }
}

#[tokio::test]
async fn la_lista_de_usuarios_pagina_y_filtra() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = auth();
    for n in 0..5 {
        usuario(
            &pool,
            &auth,
            &format!("rev{n}@example.com"),
            Rol::Revisor,
            None,
        )
        .await;
    }
    usuario(&pool, &auth, "jefa@example.com", Rol::Admin, None).await;
    let jefa = caller(&pool, &auth, "jefa@example.com").await;
    let mut vistos = Vec::new();
    let mut q = "rol=revisor&limit=2&count=true".to_owned();
    loop {
        let page = usuarios::listar(
            &pool,
            &jefa,
            &UsuarioListQuery::from_query_string(&q).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(page.total, Some(5));
        vistos.extend(page.items.iter().map(|u| u.email.clone()));
        match page.next_cursor {
            Some(c) => q = format!("rol=revisor&limit=2&count=true&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(
        vistos,
        ["rev4", "rev3", "rev2", "rev1", "rev0"].map(|s| format!("{s}@example.com"))
    );
    let page = usuarios::listar(
        &pool,
        &jefa,
        &UsuarioListQuery::from_query_string("q=JEFA").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn el_registro_crea_persona_y_solicitante_o_nada() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let cerrado = auth();
    let auth = Auth::new(AuthSettings {
        open_registration: true,
        ..settings()
    })
    .unwrap();
    let root = admin(&pool, &auth).await;
    let dto = Registro {
        nombre: "Ana Pérez".into(),
        edad: 34,
        email: "ana@example.com".into(),
        password: Password::new(CLAVE),
    };
    // Off by default: as if the route did not exist.
    let r = usuarios::registro(&pool, &cerrado, &dto).await;
    assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}");
    let u = usuarios::registro(&pool, &auth, &dto).await.unwrap();
    assert_eq!(u.rol, Rol::Solicitante);
    let p = personas::obtener(&pool, &root, u.persona_id.unwrap())
        .await
        .unwrap();
    assert_eq!(p.email.as_deref(), Some("ana@example.com"));
    auth.login(&pool, &form("ana@example.com", CLAVE), None, None)
        .await
        .unwrap();
    conflicto(usuarios::registro(&pool, &auth, &dto).await);
    let total = personas::listar(
        &pool,
        &root,
        &PersonaListQuery::from_query_string("count=true").unwrap(),
    )
    .await
    .unwrap()
    .total;
    assert_eq!(
        total,
        Some(1),
        "the refused registration left no persona behind"
    );
}

#[tokio::test]
async fn bootstrap_crea_o_repara_el_admin_solo_si_no_hay_ninguno_activo() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = auth();
    let nueva = Password::new("clave de arranque");
    let u = usuarios::bootstrap_admin(&pool, &auth, "root@example.com", &nueva)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((u.rol, u.activo), (Rol::Admin, true));
    assert!(
        usuarios::bootstrap_admin(&pool, &auth, "root@example.com", &nueva)
            .await
            .unwrap()
            .is_none()
    );
    // The admin is demoted by hand (psql) and an ordinary account holds the e-mail: the
    // next start-up makes it an active admin with the bootstrap password.
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut db.connect().await,
        "UPDATE usuarios SET activo = false",
    )
    .await
    .unwrap();
    let otra = Password::new("otra clave de arranque");
    let v = usuarios::bootstrap_admin(&pool, &auth, "ROOT@example.com", &otra)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((v.id, v.activo), (u.id, true));
    auth.login(
        &pool,
        &form("root@example.com", "otra clave de arranque"),
        None,
        None,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn el_historial_nombra_a_su_actor_y_lo_ajeno_es_invisible() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = auth();
    let root = admin(&pool, &auth).await;
    let p = persona(&pool, &root, "Ana").await;
    let otra = persona(&pool, &root, "Otra").await;
    let ana = usuario(&pool, &auth, "ana@example.com", Rol::Solicitante, Some(p)).await;
    let rev = usuario(&pool, &auth, "rev@example.com", Rol::Revisor, None).await;
    let ana_c = caller(&pool, &auth, "ana@example.com").await;
    let rev_c = caller(&pool, &auth, "rev@example.com").await;
    // A solicitante's scope without a persona (which the schema's CHECK forbids): nothing.
    let sin_persona = Caller {
        persona_id: None,
        ..ana_c.clone()
    };
    let crear = |persona_id| SolicitudCreate {
        titulo: "Una solicitud".into(),
        descripcion: String::new(),
        prioridad: Prioridad::Alta,
        persona_id,
    };
    // The solicitante files for their own persona without naming it.
    let s = solicitudes::crear(&pool, &ana_c, &crear(None))
        .await
        .unwrap();
    assert_eq!(s.persona_id, p);
    // Written without an actor, as seeded data is.
    let ajena = solicitudes_persistence::solicitudes::insert(
        &mut pool.get().await.unwrap(),
        &NewSolicitud {
            id: SolicitudId::new().into(),
            persona_id: otra.into(),
            titulo: "Sembrada",
            descripcion: "",
            prioridad: PrioridadDb(Prioridad::Baja),
        },
        None,
    )
    .await
    .unwrap();
    let ajena_id: SolicitudId = ajena.id.into();
    workflow::transicionar(
        &pool,
        &rev_c,
        s.id,
        None,
        &TransicionCreate {
            estado: Estado::EnRevision,
            comentario: None,
        },
    )
    .await
    .unwrap();
    let h = workflow::historial(&pool, &ana_c, s.id).await.unwrap();
    let actores: Vec<_> = h
        .iter()
        .map(|e| e.actor.as_ref().map(|a| a.email.as_str()))
        .collect();
    assert_eq!(actores, [Some("ana@example.com"), Some("rev@example.com")]);
    assert_eq!(h[0].actor.as_ref().unwrap().id, ana.id);
    assert_eq!(h[1].actor.as_ref().unwrap().id, rev.id);
    let h = workflow::historial(&pool, &root, ajena_id).await.unwrap();
    assert_eq!(h[0].actor, None);
    for c in [&ana_c, &sin_persona] {
        let r = workflow::historial(&pool, c, ajena_id).await;
        assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}");
    }
    let r = workflow::historial(&pool, &root, SolicitudId::new()).await;
    assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}");

    // Own-only lists, counts and estadísticas.
    let q = SolicitudListQuery::from_query_string("count=true").unwrap();
    let mine = solicitud_list::listar(&pool, &ana_c, &q).await.unwrap();
    assert_eq!(mine.total, Some(1));
    assert!(mine.items.iter().all(|x| x.persona_id == p));
    for todas in [&root, &rev_c] {
        let page = solicitud_list::listar(&pool, todas, &q).await.unwrap();
        assert_eq!(page.total, Some(2));
    }
    let nada = solicitud_list::listar(&pool, &sin_persona, &q)
        .await
        .unwrap();
    assert_eq!((nada.items.len(), nada.total), (0, Some(0)));
    let e = estadisticas::obtener(&pool, &ana_c).await.unwrap();
    assert_eq!(
        (e.total, e.por_estado.en_revision, e.por_prioridad.alta),
        (1, 1, 1)
    );
    assert_eq!(estadisticas::obtener(&pool, &root).await.unwrap().total, 2);
    assert_eq!(
        estadisticas::obtener(&pool, &sin_persona)
            .await
            .unwrap()
            .total,
        0
    );
    let pq = PersonaListQuery::from_query_string("count=true").unwrap();
    let ps = personas::listar(&pool, &ana_c, &pq).await.unwrap();
    assert_eq!((ps.items.len(), ps.total), (1, Some(1)));
    assert_eq!(ps.items[0].id, p);
    let ps = personas::listar(&pool, &rev_c, &pq).await.unwrap();
    assert_eq!(ps.total, Some(2));
}
