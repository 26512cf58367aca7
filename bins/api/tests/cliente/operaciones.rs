//! Every operation of the contract through the client, with what it returns.

use futures_util::TryStreamExt as _;
use solicitudes_client::schemas::auth::{Password, Registro};
use solicitudes_client::schemas::persona::{PersonaCreate, PersonaUpdate};
use solicitudes_client::schemas::solicitud::{SolicitudCreate, SolicitudUpdate};
use solicitudes_client::schemas::usuario::UsuarioUpdate;
use solicitudes_client::schemas::workflow::TransicionCreate;
use solicitudes_client::{
    Client, ETag, Error, Estado, PersonaFilter, Prioridad, Rol, SolicitudFilter, UsuarioFilter,
};

use super::{ADMIN, CLAVE, admin, cuenta, persona, servicio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cada_operacion_del_contrato() {
    let svc = servicio("operaciones", &[]).await;
    let base = svc.base_url();
    let anonimo = Client::new(&base).unwrap();
    anonimo.healthz().await.unwrap();
    anonimo.readyz().await.unwrap();

    // auth: token, me
    let admin = admin(&svc).await;
    let yo = admin.me().await.unwrap();
    assert_eq!((yo.email.as_str(), yo.rol), (ADMIN, Rol::Admin));

    // personas
    let ana = persona(&admin, "Ana").await;
    let luis = admin
        .crear_persona(&PersonaCreate {
            nombre: "  Luis  ".into(),
            edad: 51,
            email: Some("luis@cliente.example".into()),
        })
        .await
        .unwrap();
    assert_eq!(luis.nombre, "Luis");
    assert_eq!(admin.persona(ana.id).await.unwrap(), ana);
    let luis = admin
        .editar_persona(
            luis.id,
            &PersonaUpdate {
                edad: Some(52),
                email: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((luis.edad, luis.email.as_deref()), (52, None));
    let todas: Vec<_> = admin
        .personas(&PersonaFilter {
            limit: Some(1),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        todas.iter().map(|p| p.id).collect::<Vec<_>>(),
        [luis.id, ana.id],
        "newest first, over two pages of one"
    );
    let pagina = admin
        .personas_page(
            &PersonaFilter {
                q: Some("LUI".into()),
                count: true,
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!((pagina.total, pagina.items.len()), (Some(1), 1));

    // usuarios
    let (revisor, rev) = cuenta(&admin, "rev@cliente.example", Rol::Revisor, None).await;
    let (solicitante, sol) = cuenta(
        &admin,
        "ana@cliente.example",
        Rol::Solicitante,
        Some(ana.id),
    )
    .await;
    assert_eq!(admin.usuario(revisor.id).await.unwrap(), revisor);
    let revisores: Vec<_> = admin
        .usuarios(&UsuarioFilter {
            rol: Some(Rol::Revisor),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(revisores, std::slice::from_ref(&revisor));
    let page = admin
        .usuarios_page(
            &UsuarioFilter {
                count: true,
                limit: Some(2),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(page.total, Some(3));
    assert!(page.next_cursor.is_some());
    let revisor = admin
        .editar_usuario(
            revisor.id,
            &UsuarioUpdate {
                email: Some("eva@cliente.example".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(revisor.email, "eva@cliente.example");
    assert_eq!(sol.me().await.unwrap(), solicitante);

    // solicitudes: create (the solicitante's own persona by default), read, edit
    let creada = sol
        .crear_solicitud(&SolicitudCreate {
            titulo: "Cambio de turno".into(),
            descripcion: String::new(),
            prioridad: Prioridad::Media,
            persona_id: None,
        })
        .await
        .unwrap();
    assert_eq!(creada.etag, ETag::new("\"1\""));
    assert_eq!(
        (creada.value.persona_id, creada.value.estado),
        (ana.id, Estado::Pendiente)
    );
    let id = creada.value.id;
    let leida = rev.solicitud(id).await.unwrap();
    assert_eq!(leida, creada);
    let editada = sol
        .editar_solicitud(
            id,
            &leida.etag,
            &SolicitudUpdate {
                prioridad: Some(Prioridad::Urgente),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(editada.etag, ETag::of_version(2));
    assert_eq!(editada.value.prioridad, Prioridad::Urgente);

    // transiciones and historial, with their actors
    let revisada = rev
        .transicionar(
            id,
            &editada.etag,
            &TransicionCreate {
                estado: Estado::EnRevision,
                comentario: Some("A revisar".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (revisada.value.estado, revisada.etag.clone()),
        (Estado::EnRevision, ETag::of_version(3))
    );
    let historial = sol.historial(id).await.unwrap();
    let resumen: Vec<_> = historial
        .iter()
        .map(|e| {
            (
                e.estado_anterior,
                e.estado_nuevo,
                e.actor.as_ref().map(|a| a.email.clone()),
            )
        })
        .collect();
    assert_eq!(
        resumen,
        [
            (None, Estado::Pendiente, Some("ana@cliente.example".into())),
            (
                Some(Estado::Pendiente),
                Estado::EnRevision,
                Some("eva@cliente.example".into())
            ),
        ]
    );
    let lista: Vec<_> = rev
        .solicitudes(&SolicitudFilter {
            estado: vec![Estado::EnRevision],
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(lista, std::slice::from_ref(&revisada.value));
    let page = sol
        .solicitudes_page(
            &SolicitudFilter {
                count: true,
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!((page.total, page.next_cursor), (Some(1), None));
    let stats = sol.estadisticas().await.unwrap();
    assert_eq!((stats.total, stats.por_estado.en_revision), (1, 1));

    // sesiones: list, revoke another, change the password (closes the others), logout
    let otra = Client::login(&base, ADMIN, CLAVE).await.unwrap();
    let sesiones = admin.sesiones().await.unwrap();
    assert_eq!(sesiones.len(), 2);
    let ajena = sesiones.iter().find(|s| !s.actual).unwrap();
    admin.revocar_sesion(ajena.id).await.unwrap();
    assert!(matches!(otra.me().await, Err(Error::Unauthorized { .. })));
    let tercera = Client::login(&base, ADMIN, CLAVE).await.unwrap();
    admin
        .cambiar_password(CLAVE, "otra clave larga")
        .await
        .unwrap();
    assert!(matches!(
        tercera.me().await,
        Err(Error::Unauthorized { .. })
    ));
    admin.me().await.unwrap();
    let admin = Client::login(&base, ADMIN, "otra clave larga")
        .await
        .unwrap();

    // deletes (admin): the solicitud at its version, a persona without solicitudes or account
    admin.borrar_solicitud(id, &revisada.etag).await.unwrap();
    assert!(matches!(
        admin.solicitud(id).await,
        Err(Error::NotFound { .. })
    ));
    admin.borrar_persona(luis.id).await.unwrap();
    assert!(matches!(
        admin.persona(luis.id).await,
        Err(Error::NotFound { .. })
    ));

    // registro: off by default, a 404 whatever the body
    let r = anonimo
        .registro(&Registro {
            nombre: "Nadie".into(),
            edad: 30,
            email: "nadie@cliente.example".into(),
            password: Password::new(CLAVE),
        })
        .await;
    assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");

    admin.logout().await.unwrap();
    assert!(matches!(admin.me().await, Err(Error::Unauthorized { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn el_registro_abierto_crea_un_solicitante_que_entra() {
    let svc = servicio("registro", &[("APP__AUTH__OPEN_REGISTRATION", "true")]).await;
    let anonimo = Client::new(&svc.base_url()).unwrap();
    let registro = Registro {
        nombre: "Rita".into(),
        edad: 30,
        email: "rita@cliente.example".into(),
        password: Password::new(CLAVE),
    };
    let usuario = anonimo.registro(&registro).await.unwrap();
    assert_eq!(usuario.rol, Rol::Solicitante);
    assert!(usuario.persona_id.is_some());
    let rita = Client::login(&svc.base_url(), "rita@cliente.example", CLAVE)
        .await
        .unwrap();
    assert_eq!(rita.me().await.unwrap(), usuario);
    assert!(matches!(
        anonimo.registro(&registro).await,
        Err(Error::Conflict { .. })
    ));
}
