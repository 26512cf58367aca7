//! The client under concurrency: a stream walking a list while rows are filed, and two runs
//! of the triaje example at once.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt as _;
use solicitudes_client::schemas::solicitud::{SolicitudCreate, SolicitudUpdate};
use solicitudes_client::schemas::solicitud_list::SolicitudSort;
use solicitudes_client::schemas::workflow::TransicionCreate;
use solicitudes_client::triaje::{self, Motivo};
use solicitudes_client::{Client, Estado, PersonaId, Prioridad, Rol, SolicitudFilter, SolicitudId};

use super::{admin, cuenta, persona, servicio};

async fn crear(
    client: &Client,
    persona: PersonaId,
    titulo: String,
    prioridad: Prioridad,
) -> SolicitudId {
    client
        .crear_solicitud(&SolicitudCreate {
            titulo,
            descripcion: String::new(),
            prioridad,
            persona_id: Some(persona),
        })
        .await
        .unwrap()
        .value
        .id
}

/// Walking the cursors returns every row that existed when the walk began exactly once, while
/// another task files new ones the whole time (and the walk itself files one per page).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn el_stream_recorre_cada_fila_una_vez_mientras_se_insertan_otras() {
    let svc = servicio("stream", &[]).await;
    let admin = admin(&svc).await;
    let p = persona(&admin, "Pía").await.id;
    let mut previas = BTreeSet::new();
    for i in 0..40 {
        previas.insert(crear(&admin, p, format!("Previa {i}"), Prioridad::Media).await);
    }

    let parar = Arc::new(AtomicBool::new(false));
    let insertor = tokio::spawn({
        let (admin, parar) = (admin.clone(), parar.clone());
        async move {
            let mut n = 0;
            while !parar.load(Ordering::Relaxed) && n < 500 {
                crear(&admin, p, format!("Nueva {n}"), Prioridad::Alta).await;
                n += 1;
            }
            n
        }
    });

    // Both orders: newest first (new rows land before the walk's position) and oldest first
    // (new rows land after it, and may or may not be reached).
    for sort in [SolicitudSort::CreatedAtDesc, SolicitudSort::CreatedAt] {
        let filter = SolicitudFilter {
            sort: Some(sort),
            limit: Some(6),
            ..Default::default()
        };
        let mut vistas: HashMap<SolicitudId, usize> = HashMap::new();
        let mut stream = Box::pin(admin.solicitudes(&filter));
        let mut i = 0;
        while let Some(s) = stream.next().await {
            *vistas.entry(s.unwrap().id).or_default() += 1;
            i += 1;
            if i % 6 == 0 {
                crear(&admin, p, format!("Durante {sort} {i}"), Prioridad::Baja).await;
            }
        }
        for id in &previas {
            assert_eq!(
                vistas.get(id),
                Some(&1),
                "{sort}: {id} seen {:?} times",
                vistas.get(id)
            );
        }
        assert!(vistas.values().all(|&n| n == 1), "{sort}: a row came twice");
    }
    parar.store(true, Ordering::Relaxed);
    let nuevas = insertor.await.unwrap();
    assert!(nuevas > 0, "the other task filed nothing during the walks");
}

/// Two triajes at once over the same solicitudes: each old urgente pendiente is moved once,
/// by one of them; nothing else is touched; a third run finds nothing to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dos_triajes_a_la_vez_mueven_cada_solicitud_una_sola_vez() {
    let svc = servicio("triaje", &[]).await;
    let admin = admin(&svc).await;
    let p = persona(&admin, "Tomás").await.id;
    let (uno, rev1) = cuenta(&admin, "rev1@cliente.example", Rol::Revisor, None).await;
    let (dos, rev2) = cuenta(&admin, "rev2@cliente.example", Rol::Revisor, None).await;

    let mut candidatas = BTreeSet::new();
    for i in 0..24 {
        candidatas.insert(crear(&admin, p, format!("Urgente {i}"), Prioridad::Urgente).await);
    }
    let media = crear(&admin, p, "Media antigua".into(), Prioridad::Media).await;
    let en_revision = crear(
        &admin,
        p,
        "Urgente ya en revisión".into(),
        Prioridad::Urgente,
    )
    .await;
    let leida = admin.solicitud(en_revision).await.unwrap();
    admin
        .transicionar(
            en_revision,
            &leida.etag,
            &TransicionCreate {
                estado: Estado::EnRevision,
                comentario: None,
            },
        )
        .await
        .unwrap();
    // One of them is lowered to alta before the triaje: no longer a candidate.
    let bajada = *candidatas.iter().next().unwrap();
    candidatas.remove(&bajada);
    let leida = admin.solicitud(bajada).await.unwrap();
    admin
        .editar_solicitud(
            bajada,
            &leida.etag,
            &SolicitudUpdate {
                prioridad: Some(Prioridad::Alta),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // The cut: just after the newest of the old ones; then a recent urgente.
    let ultima = crear(
        &admin,
        p,
        "Urgente, la última antigua".into(),
        Prioridad::Urgente,
    )
    .await;
    candidatas.insert(ultima);
    let corte =
        admin.solicitud(ultima).await.unwrap().value.created_at + time::Duration::microseconds(1);
    let reciente = crear(&admin, p, "Urgente reciente".into(), Prioridad::Urgente).await;

    let (a, b) = tokio::join!(triaje::triar(&rev1, corte), triaje::triar(&rev2, corte));
    let (a, b) = (a.unwrap(), b.unwrap());
    let movidas_a: BTreeSet<_> = a.movidas.iter().map(|s| s.id).collect();
    let movidas_b: BTreeSet<_> = b.movidas.iter().map(|s| s.id).collect();
    assert!(
        movidas_a.is_disjoint(&movidas_b),
        "moved by both: {:?}",
        movidas_a.intersection(&movidas_b).collect::<Vec<_>>()
    );
    assert_eq!(&movidas_a | &movidas_b, candidatas);
    for omitida in a.omitidas.iter().chain(&b.omitidas) {
        assert_eq!(
            omitida.motivo,
            Motivo::YaNoPendiente(Estado::EnRevision),
            "{omitida:?}"
        );
        assert!(candidatas.contains(&omitida.id));
    }
    println!(
        "triaje a: {} moved, {} skipped; triaje b: {} moved, {} skipped",
        a.movidas.len(),
        a.omitidas.len(),
        b.movidas.len(),
        b.omitidas.len()
    );

    // Each was changed exactly once: one transition in its historial, by the run that says so.
    for id in &candidatas {
        let historial = admin.historial(*id).await.unwrap();
        assert_eq!(historial.len(), 2, "{id}: {historial:?}");
        let actor = historial[1].actor.as_ref().unwrap().id;
        let esperado = if movidas_a.contains(id) {
            uno.id
        } else {
            dos.id
        };
        assert_eq!(actor, esperado, "{id}");
        assert_eq!(historial[1].estado_nuevo, Estado::EnRevision);
        assert_eq!(
            historial[1].comentario.as_deref(),
            Some(triaje::comentario(corte).as_str())
        );
    }
    for (id, estado) in [
        (bajada, Estado::Pendiente),
        (media, Estado::Pendiente),
        (reciente, Estado::Pendiente),
        (en_revision, Estado::EnRevision),
    ] {
        assert_eq!(
            admin.solicitud(id).await.unwrap().value.estado,
            estado,
            "{id}"
        );
    }
    let otra = triaje::triar(&rev1, corte).await.unwrap();
    assert_eq!((otra.movidas.len(), otra.omitidas.len()), (0, 0));
}
