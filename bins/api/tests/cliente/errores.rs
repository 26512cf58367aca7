//! Every variant of `solicitudes_client::Error`, each produced by a real answer.

use std::time::Duration;

use solicitudes_client::schemas::ErrorCode;
use solicitudes_client::schemas::persona::PersonaCreate;
use solicitudes_client::schemas::solicitud::{SolicitudCreate, SolicitudUpdate};
use solicitudes_client::schemas::workflow::TransicionCreate;
use solicitudes_client::{Client, ETag, Error, Estado, Prioridad, Rol, SolicitudId};
use solicitudes_testkit::service::free_port;

use super::{CLAVE, admin, cuenta, persona, servicio};

fn solicitud(titulo: &str) -> SolicitudCreate {
    SolicitudCreate {
        titulo: titulo.to_owned(),
        descripcion: String::new(),
        prioridad: Prioridad::Alta,
        persona_id: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cada_variante_de_error_desde_una_respuesta_real() {
    let svc = servicio("errores", &[]).await;
    let base = svc.base_url();
    let admin = admin(&svc).await;
    let ana = persona(&admin, "Ana").await;
    let beto = persona(&admin, "Beto").await;
    let (_, sol) = cuenta(
        &admin,
        "ana@cliente.example",
        Rol::Solicitante,
        Some(ana.id),
    )
    .await;
    let (_, otro) = cuenta(
        &admin,
        "beto@cliente.example",
        Rol::Solicitante,
        Some(beto.id),
    )
    .await;
    let (_, rev) = cuenta(&admin, "rev@cliente.example", Rol::Revisor, None).await;
    let creada = sol
        .crear_solicitud(&solicitud("Mi solicitud"))
        .await
        .unwrap();
    let id = creada.value.id;

    // 401: no token, and a token nobody issued
    let e = Client::new(&base).unwrap().me().await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
    let e = Client::with_token(&base, "sol_inventado")
        .unwrap()
        .estadisticas()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");

    // 403: a solicitante may not create personas, nor delete a solicitud it can see
    let e = sol
        .crear_persona(&PersonaCreate {
            nombre: "X".into(),
            edad: 1,
            email: None,
        })
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e:?}");
    let e = sol.borrar_solicitud(id, &creada.etag).await.unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e:?}");

    // 404: an id nobody has, and another persona's solicitud (the same answer)
    let e = rev.solicitud(SolicitudId::new()).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    let e = otro.solicitud(id).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    let e = otro.historial(id).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");

    // 409 with permitidos: pendiente cannot go straight to aprobada
    let e = rev
        .transicionar(
            id,
            &creada.etag,
            &TransicionCreate {
                estado: Estado::Aprobada,
                comentario: None,
            },
        )
        .await
        .unwrap_err();
    let Error::Conflict {
        code, permitidos, ..
    } = e
    else {
        panic!("{e:?}")
    };
    assert_eq!(code, ErrorCode::TransitionNotAllowed);
    assert_eq!(permitidos, [Estado::EnRevision, Estado::Cancelada]);
    // 409 with another code: an e-mail taken
    let e = admin
        .crear_persona(&PersonaCreate {
            nombre: "Ana bis".into(),
            edad: 2,
            email: Some("dup@cliente.example".into()),
        })
        .await
        .and(
            admin
                .crear_persona(&PersonaCreate {
                    nombre: "Ana tris".into(),
                    edad: 3,
                    email: Some("DUP@cliente.example".into()),
                })
                .await,
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Conflict {
                code: ErrorCode::EmailTaken,
                ref permitidos,
                ..
            } if permitidos.is_empty()
        ),
        "{e:?}"
    );

    // 412: an edit with the version before the last change
    let editada = sol
        .editar_solicitud(
            id,
            &creada.etag,
            &SolicitudUpdate {
                titulo: Some("Mi solicitud (2)".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let e = sol
        .editar_solicitud(id, &creada.etag, &SolicitudUpdate::default())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::PreconditionFailed { .. }), "{e:?}");
    // ... which retry_on_conflict sorts out: the second call gets the fresh version
    let mut vistas = Vec::new();
    let hecho = sol
        .retry_on_conflict_from(creada.clone(), 3, |actual| {
            vistas.push(actual.etag.clone());
            let sol = &sol;
            async move {
                sol.editar_solicitud(
                    id,
                    &actual.etag,
                    &SolicitudUpdate {
                        prioridad: Some(Prioridad::Urgente),
                        ..Default::default()
                    },
                )
                .await
            }
        })
        .await
        .unwrap();
    assert_eq!(vistas, [creada.etag.clone(), editada.etag.clone()]);
    assert_eq!(hecho.etag, ETag::of_version(3));
    // ... and gives up with the 412 after max_attempts
    let (cliente, vieja) = (&sol, &creada.etag);
    let e = sol
        .retry_on_conflict(id, 2, move |_| async move {
            cliente
                .editar_solicitud(id, vieja, &SolicitudUpdate::default())
                .await
        })
        .await
        .unwrap_err();
    assert!(matches!(e, Error::PreconditionFailed { .. }), "{e:?}");

    // 422: every problem, with its loc; a wrong current password is one on body.actual
    let e = sol
        .crear_solicitud(&SolicitudCreate {
            titulo: " x ".into(),
            descripcion: "\0".into(),
            ..solicitud("")
        })
        .await
        .unwrap_err();
    let Error::Validation(entries) = e else {
        panic!("{e:?}")
    };
    let locs: Vec<String> = entries
        .iter()
        .map(|e| serde_json::to_string(&e.loc).unwrap())
        .collect();
    assert_eq!(locs, [r#"["body","titulo"]"#, r#"["body","descripcion"]"#]);
    let e = rev
        .cambiar_password("no es esta", "una nueva larga")
        .await
        .unwrap_err();
    let Error::Validation(entries) = e else {
        panic!("{e:?}")
    };
    assert_eq!(
        serde_json::to_string(&entries[0].loc).unwrap(),
        r#"["body","actual"]"#
    );

    // 429: after 5 failed logins for one account, with Retry-After
    let anonimo = Client::new(&base).unwrap();
    for _ in 0..5 {
        let e = anonimo
            .token("beto@cliente.example", "mala")
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
    }
    let e = anonimo
        .token("beto@cliente.example", CLAVE)
        .await
        .unwrap_err();
    let Error::RateLimited {
        retry_after: Some(espera),
        ..
    } = e
    else {
        panic!("{e:?}")
    };
    assert!(espera >= Duration::from_secs(1), "{espera:?}");

    // Transport: nothing listens there
    let e = Client::new(&format!("http://127.0.0.1:{}", free_port()))
        .unwrap()
        .healthz()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert_eq!(e.status(), None);

    // Status, the rest: an unexpected status keeps the body's code and detail. A body over
    // the 1 MiB limit is a 413.
    let e = sol
        .crear_solicitud(&SolicitudCreate {
            descripcion: "x".repeat(1 << 20),
            ..solicitud("Demasiado larga")
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Status {
                status: 413,
                code: Some(ErrorCode::PayloadTooLarge),
                detail: Some(_)
            }
        ),
        "{e:?}"
    );

    // 503: the database goes away under the running service
    let (mut service, db) = svc.into_parts();
    drop(db);
    let e = rev.estadisticas().await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unavailable {
                retry_after: Some(_),
                ..
            }
        ),
        "{e:?}"
    );
    let e = Client::new(&service.base_url())
        .unwrap()
        .readyz()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unavailable { .. }), "{e:?}");
    service.assert_running();
}
