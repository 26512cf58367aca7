//! `seed`: the data it makes, and that a bulk load leaves the schema exactly as it found it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use solicitudes_persistence::seed;
use solicitudes_testkit::TestDb;

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct Def {
    #[diesel(sql_type = Text)]
    def: String,
}

/// Every index and constraint definition of the tables, sorted.
async fn schema(conn: &mut AsyncPgConnection) -> Vec<Def> {
    diesel::sql_query(
        "SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index \
         WHERE indrelid IN ('personas'::regclass, 'solicitudes'::regclass, 'solicitud_eventos'::regclass) \
         UNION ALL \
         SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conrelid IN ('personas'::regclass, 'solicitudes'::regclass, 'solicitud_eventos'::regclass) \
         ORDER BY 1",
    )
    .load(conn)
    .await
    .unwrap()
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<N>(conn)
        .await
        .unwrap()
        .n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn una_carga_masiva_deja_el_esquema_como_estaba_y_datos_coherentes() {
    let db = TestDb::new().await;
    let mut conn = db.connect().await;
    let before = schema(&mut conn).await;
    let total = seed::BULK_THRESHOLD + 10_000;
    let mut seen = Vec::new();
    seed::run(db.url(), 50, total, |done, of| seen.push((done, of)))
        .await
        .unwrap();
    assert_eq!(
        schema(&mut conn).await,
        before,
        "indexes and constraints rebuilt as they were"
    );
    assert_eq!(seen.last(), Some(&(total, total)));
    let total = i64::try_from(total).unwrap();
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM solicitudes").await,
        total
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM personas").await,
        50
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(to_regclass('seed_pendiente')) AS n"
        )
        .await,
        0,
        "no pending rebuild left behind"
    );
    // Each solicitud's historial starts with its creation and ends in its estado, and its
    // version counts the changes.
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM solicitudes s WHERE \
               (SELECT estado_nuevo FROM solicitud_eventos e WHERE e.solicitud_id = s.id ORDER BY id DESC LIMIT 1) <> s.estado \
               OR (SELECT count(*) FROM solicitud_eventos e WHERE e.solicitud_id = s.id) <> s.version \
               OR (SELECT estado_anterior FROM solicitud_eventos e WHERE e.solicitud_id = s.id ORDER BY id LIMIT 1) IS NOT NULL"
        )
        .await,
        0
    );
    // Every estado and prioridad is represented; ids are UUIDv7.
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(DISTINCT estado) AS n FROM solicitudes"
        )
        .await,
        5
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(DISTINCT prioridad) AS n FROM solicitudes"
        )
        .await,
        4
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM solicitudes WHERE substr(id::text, 15, 1) <> '7'"
        )
        .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn una_carga_interrumpida_se_completa_en_la_siguiente() {
    let db = TestDb::new().await;
    let mut conn = db.connect().await;
    let before = schema(&mut conn).await;
    // What an interrupted bulk load leaves: an index dropped, its definition pending.
    conn.batch_execute(
        "CREATE TABLE seed_pendiente (orden int PRIMARY KEY, ddl text NOT NULL); \
         INSERT INTO seed_pendiente SELECT 0, pg_get_indexdef('solicitudes_prioridad_id_idx'::regclass); \
         DROP INDEX solicitudes_prioridad_id_idx;",
    )
    .await
    .unwrap();
    assert_ne!(schema(&mut conn).await, before);
    seed::run(db.url(), 1, 10, |_, _| {}).await.unwrap();
    assert_eq!(schema(&mut conn).await, before);
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM solicitudes").await,
        10
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn sin_personas_no_se_pueden_sembrar_solicitudes() {
    let db = TestDb::new().await;
    let err = seed::run(db.url(), 0, 10, |_, _| {}).await.unwrap_err();
    assert!(err.to_string().contains("no personas"), "{err}");
    let mut conn = db.connect().await;
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM solicitudes").await,
        0
    );
}
