//! Usuarios, registration, bootstrap, the historial's actors and own-only lists, against
//! the real PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod comun;

use comun::*;
use solicitudes_domain::{Alcance, Estado, Prioridad, Rol, SolicitudId};
use solicitudes_schemas::auth::{Password, Registro};
use solicitudes_schemas::persona::PersonaListQuery;
use solicitudes_schemas::query::FromQueryString;
use solicitudes_schemas::solicitud::SolicitudCreate;
use solicitudes_schemas::solicitud_list::SolicitudListQuery;
use solicitudes_schemas::usuario::{UsuarioCreate, UsuarioListQuery, UsuarioUpdate};
use solicitudes_schemas::workflow::TransicionCreate;
use solicitudes_services::{
    ServiceError, estadisticas, personas, solicitud_list, solicitudes, usuarios, workflow,
};
use solicitudes_testkit::TestDb;

fn conflicto(r: Result<impl std::fmt::Debug, ServiceError>) {
    assert!(matches!(r, Err(ServiceError::EmailTaken)), "{r:?}");
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
    conflicto(usuarios::crear(&pool, &auth, &dto("EVA@example.COM", Rol::Admin, None)).await);
    invalido_en(
        usuarios::crear(
            &pool,
            &auth,
            &dto("sol@example.com", Rol::Solicitante, None),
        )
        .await,
        "persona_id",
    );
    invalido_en(
        usuarios::crear(
            &pool,
            &auth,
            &dto(
                "sol@example.com",
                Rol::Solicitante,
                Some(solicitudes_domain::PersonaId::new()),
            ),
        )
        .await,
        "persona_id",
    );
    assert_eq!(usuarios::obtener(&pool, u.id).await.unwrap(), u);
    // A persona with an account cannot be deleted behind its back.
    let p = persona(&pool, "Sol").await;
    usuario(&pool, &auth, "sol@example.com", Rol::Solicitante, Some(p)).await;
    let r = personas::borrar(&pool, p).await;
    assert!(
        matches!(r, Err(ServiceError::PersonaConUsuario(x)) if x == p),
        "{r:?}"
    );
    // Unlinking a solicitante's persona is refused by the schema's rule, as a 422.
    let sol = usuarios::listar(
        &pool,
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
    let degradar = UsuarioUpdate {
        rol: Some(Rol::Revisor),
        ..UsuarioUpdate::default()
    };
    let desactivar = UsuarioUpdate {
        activo: Some(false),
        ..UsuarioUpdate::default()
    };
    conflicto(usuarios::editar(&pool, &auth, a.id, &degradar).await);
    conflicto(usuarios::editar(&pool, &auth, a.id, &desactivar).await);
    let e = usuarios::editar(
        &pool,
        &auth,
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
        solicitudes_domain::UsuarioId::new(),
        &degradar,
    )
    .await;
    assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}");

    // Two admins demoting each other at the same moment: exactly one succeeds, every time.
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
            &UsuarioListQuery::from_query_string("rol=admin&activo=true").unwrap(),
        )
        .await
        .unwrap()
        .items;
        assert_eq!(admins.len(), 2);
        let (x, y) = (admins[0].id, admins[1].id);
        let (rx, ry) = tokio::join!(
            usuarios::editar(&pool, &auth, x, &degradar),
            usuarios::editar(&pool, &auth, y, &degradar),
        );
        assert_eq!(
            usize::from(rx.is_ok()) + usize::from(ry.is_ok()),
            1,
            "{rx:?} {ry:?}"
        );
        // Back to one admin (whichever remained) plus b's fate: reset for the next round.
        let quedan = usuarios::listar(
            &pool,
            &UsuarioListQuery::from_query_string("rol=admin&activo=true&count=true").unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(quedan.total, Some(1));
        let _ = b;
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
    let mut vistos = Vec::new();
    let mut q = "rol=revisor&limit=2&count=true".to_owned();
    loop {
        let page = usuarios::listar(&pool, &UsuarioListQuery::from_query_string(&q).unwrap())
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
    let auth = auth();
    let dto = Registro {
        nombre: "Ana Pérez".into(),
        edad: 34,
        email: "ana@example.com".into(),
        password: Password::new(CLAVE),
    };
    let u = usuarios::registro(&pool, &auth, &dto).await.unwrap();
    assert_eq!(u.rol, Rol::Solicitante);
    let p = personas::obtener(&pool, u.persona_id.unwrap())
        .await
        .unwrap();
    assert_eq!(p.email.as_deref(), Some("ana@example.com"));
    auth.login(&pool, &form("ana@example.com", CLAVE), None, None)
        .await
        .unwrap();
    conflicto(usuarios::registro(&pool, &auth, &dto).await);
    let total = personas::listar(
        &pool,
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
    let p = persona(&pool, "Ana").await;
    let otra = persona(&pool, "Otra").await;
    let ana = usuario(&pool, &auth, "ana@example.com", Rol::Solicitante, Some(p)).await;
    let rev = usuario(&pool, &auth, "rev@example.com", Rol::Revisor, None).await;
    let crear = |persona_id| SolicitudCreate {
        titulo: "Una solicitud".into(),
        descripcion: String::new(),
        prioridad: Prioridad::Alta,
        persona_id,
    };
    let s = solicitudes::crear_por(&pool, &crear(p), Some(ana.id))
        .await
        .unwrap();
    let ajena = solicitudes::crear(&pool, &crear(otra)).await.unwrap();
    workflow::transicionar_por(
        &pool,
        s.id,
        None,
        &TransicionCreate {
            estado: Estado::EnRevision,
            comentario: None,
        },
        Some(rev.id),
    )
    .await
    .unwrap();
    let propia = Alcance::DePersona(p);
    let h = workflow::historial_en(&pool, s.id, &propia).await.unwrap();
    let actores: Vec<_> = h
        .iter()
        .map(|e| e.actor.as_ref().map(|a| a.email.as_str()))
        .collect();
    assert_eq!(actores, [Some("ana@example.com"), Some("rev@example.com")]);
    assert_eq!(h[0].actor.as_ref().unwrap().id, ana.id);
    // Written without an actor (the current API, seeded data): null.
    let h = workflow::historial(&pool, ajena.id).await.unwrap();
    assert_eq!(h[0].actor, None);
    for alcance in [propia, Alcance::Ninguna] {
        let r = workflow::historial_en(&pool, ajena.id, &alcance).await;
        assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}");
    }
    let r = workflow::historial_en(&pool, SolicitudId::new(), &Alcance::Todas).await;
    assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}");

    // Own-only lists, counts and estadísticas.
    let q = SolicitudListQuery::from_query_string("count=true").unwrap();
    let mine = solicitud_list::listar_en(&pool, &q, &propia).await.unwrap();
    assert_eq!(mine.total, Some(1));
    assert!(mine.items.iter().all(|x| x.persona_id == p));
    assert_eq!(
        solicitud_list::listar(&pool, &q).await.unwrap().total,
        Some(2)
    );
    let nada = solicitud_list::listar_en(&pool, &q, &Alcance::Ninguna)
        .await
        .unwrap();
    assert_eq!((nada.items.len(), nada.total), (0, Some(0)));
    let e = estadisticas::obtener_en(&pool, &propia).await.unwrap();
    assert_eq!(
        (e.total, e.por_estado.en_revision, e.por_prioridad.alta),
        (1, 1, 1)
    );
    assert_eq!(estadisticas::obtener(&pool).await.unwrap().total, 2);
    assert_eq!(
        estadisticas::obtener_en(&pool, &Alcance::Ninguna)
            .await
            .unwrap()
            .total,
        0
    );
    let pq = PersonaListQuery::from_query_string("count=true").unwrap();
    let ps = personas::listar_en(&pool, &pq, &propia).await.unwrap();
    assert_eq!((ps.items.len(), ps.total), (1, Some(1)));
    assert_eq!(ps.items[0].id, p);
}
