//! Every statement of a request is prepared once per connection and then reused: no Parse,
//! Describe and Close round trip, and no planning from scratch, on the hot path.
//!
//! `pg_prepared_statements` lists the statements a session keeps prepared. A statement that is
//! prepared anew at each execution and closed afterwards (what `diesel::sql_query` does) is
//! never in it once the execution is over; a cached one stays, once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use solicitudes_domain::{Alcance, Estado, PersonaId, Prioridad};
use solicitudes_persistence::models::{NewPersona, NewSolicitud, PersonaChanges, SolicitudChanges};
use solicitudes_persistence::{
    AsyncPgConnection, EstadoDb, PrioridadDb, estadisticas, personas, solicitudes,
};
use solicitudes_testkit::TestDb;
use uuid::Uuid;

#[derive(QueryableByName)]
struct Preparada {
    #[diesel(sql_type = Text)]
    statement: String,
}

/// How many statements this session keeps prepared that start with `inicio`.
async fn preparadas(conn: &mut AsyncPgConnection, inicio: &str) -> usize {
    let todas: Vec<Preparada> = diesel::sql_query("SELECT statement FROM pg_prepared_statements")
        .load(conn)
        .await
        .unwrap();
    todas
        .iter()
        .filter(|p| p.statement.trim_start().starts_with(inicio))
        .count()
}

#[tokio::test]
async fn las_escrituras_se_preparan_una_vez_por_conexion() {
    let db = TestDb::new().await;
    let mut conn = db.connect().await;
    let persona = personas::insert(
        &mut conn,
        &NewPersona {
            id: Uuid::now_v7(),
            nombre: "Preparada",
            edad: 40,
            email: None,
        },
    )
    .await
    .unwrap();

    let mut ids = Vec::new();
    for n in 0..3 {
        let titulo = format!("Sentencia {n}");
        let s = solicitudes::insert(
            &mut conn,
            &NewSolicitud {
                id: Uuid::now_v7(),
                persona_id: persona.id,
                titulo: &titulo,
                descripcion: "",
                prioridad: PrioridadDb(Prioridad::Baja),
            },
            None,
        )
        .await
        .unwrap();
        ids.push(s.id);
    }
    for (n, id) in ids.iter().enumerate() {
        let titulo = format!("Editada {n}");
        let changes = SolicitudChanges {
            titulo: Some(&titulo),
            prioridad: Some(PrioridadDb(Prioridad::Alta)),
            ..SolicitudChanges::default()
        };
        let s = solicitudes::update(&mut conn, *id, Some(&[1]), &changes)
            .await
            .unwrap()
            .expect("version 1 is current");
        // `$3` and `$5` stand three times each in the UPDATE: every copy got its value.
        assert_eq!((s.version, s.titulo.as_str()), (2, titulo.as_str()));
        assert_eq!(s.prioridad, PrioridadDb(Prioridad::Alta));
        assert_eq!(s.descripcion, "", "an absent field stays as it was");
        let s = solicitudes::transicionar(
            &mut conn,
            *id,
            Some(&[2]),
            &[EstadoDb(Estado::Pendiente)],
            EstadoDb(Estado::EnRevision),
            Some("a revisión"),
            None,
        )
        .await
        .unwrap()
        .expect("pendiente may go to en_revision");
        assert_eq!(s.version, 3);
        let edad = 41 + i16::try_from(n).unwrap();
        let changes = PersonaChanges {
            edad: Some(edad),
            ..PersonaChanges::default()
        };
        let p = personas::update(&mut conn, persona.id, &changes)
            .await
            .unwrap()
            .expect("the persona exists");
        assert_eq!(p.edad, edad);
        let conteos = estadisticas::conteos(&mut conn, &Alcance::Todas)
            .await
            .unwrap();
        assert_eq!(conteos.total, 3);
        let propios =
            estadisticas::conteos(&mut conn, &Alcance::DePersona(PersonaId::from(persona.id)))
                .await
                .unwrap();
        assert_eq!(propios, conteos, "every solicitud is this persona's");
    }

    for (sentencia, inicio) in [
        ("solicitudes::insert", "WITH s AS ( INSERT INTO solicitudes"),
        ("solicitudes::update", "UPDATE solicitudes AS s SET"),
        ("solicitudes::transicionar", "WITH prev AS ("),
        ("personas::update", "UPDATE personas AS p SET"),
        ("estadisticas::conteos", "SELECT count(*) AS total"),
    ] {
        // Both statements of conteos start alike: one for all, one for a persona.
        let esperadas = if sentencia == "estadisticas::conteos" {
            2
        } else {
            1
        };
        assert_eq!(
            preparadas(&mut conn, inicio).await,
            esperadas,
            "{sentencia}: run three times, it should be prepared exactly once on the connection"
        );
    }
}
