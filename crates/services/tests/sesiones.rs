//! Login, tokens, the session cache across replicas, and login throttling, against the real
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod comun;

use std::time::Duration;

use comun::*;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use solicitudes_domain::{Caller, Rol, SesionId, UsuarioId};
use solicitudes_persistence::{DbPool, PoolSettings, build_pool};
use solicitudes_schemas::auth::{Password, PasswordChange};
use solicitudes_schemas::usuario::UsuarioUpdate;
use solicitudes_services::auth::{ListenerEvent, ThrottleSettings};
use solicitudes_services::{Auth, AuthSettings, ServiceError, usuarios};
use solicitudes_testkit::TestDb;

/// `cambio` applied by `admin` to usuario `id`, which must succeed.
async fn editar(pool: &DbPool, auth: &Auth, admin: &Caller, id: UsuarioId, cambio: UsuarioUpdate) {
    usuarios::editar(pool, auth, admin, id, &cambio)
        .await
        .unwrap();
}

fn es_401(r: Result<impl std::fmt::Debug, ServiceError>) {
    assert!(matches!(r, Err(ServiceError::Unauthorized)), "{r:?}");
}

#[tokio::test]
async fn login_autentica_con_el_rol_actual_y_logout_mata_el_token() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = auth();
    let root = admin(&pool, &auth).await;
    let p = persona(&pool, &root, "Ana").await;
    let u = usuario(&pool, &auth, "Ana@Example.com", Rol::Solicitante, Some(p)).await;
    let t = auth
        .login(&pool, &form("ana@EXAMPLE.com", CLAVE), None, Some("test/1"))
        .await
        .unwrap();
    assert_eq!(t.token_type, "bearer");
    assert_eq!(t.expires_in, 12 * 3600);
    assert!(t.access_token.starts_with("sol_") && t.access_token.len() == 47);
    let c = auth.authenticate(&pool, &t.access_token).await.unwrap();
    assert_eq!(
        (c.usuario_id, c.rol, c.persona_id),
        (u.id, Rol::Solicitante, Some(p))
    );
    assert_eq!(c.email, "Ana@Example.com");

    let sesiones = auth.sesiones(&pool, &c).await.unwrap();
    assert_eq!(sesiones.len(), 1);
    assert!(sesiones[0].actual);
    assert_eq!(sesiones[0].user_agent.as_deref(), Some("test/1"));

    // Only the hash is stored.
    let mut conn = db.connect().await;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query(
        "SELECT count(*) AS n FROM sesiones WHERE position(convert_to($1, 'UTF8') IN token_hash) > 0 \
         OR octet_length(token_hash) <> 32",
    )
    .bind::<diesel::sql_types::Text, _>(&t.access_token)
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(n.n, 0);

    auth.logout(&pool, &c).await.unwrap();
    es_401(auth.authenticate(&pool, &t.access_token).await);
    es_401(auth.authenticate(&pool, "sol_no-es-un-token").await);
    es_401(auth.authenticate(&pool, "").await);
}

#[tokio::test]
async fn email_desconocido_clave_erronea_y_cuenta_inactiva_dan_el_mismo_401() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = auth();
    let root = admin(&pool, &auth).await;
    let u = usuario(&pool, &auth, "eva@example.com", Rol::Revisor, None).await;
    es_401(
        auth.login(&pool, &form("nadie@example.com", CLAVE), None, None)
            .await,
    );
    es_401(
        auth.login(&pool, &form("eva@example.com", "otra clave"), None, None)
            .await,
    );
    let t = auth
        .login(&pool, &form("eva@example.com", CLAVE), None, None)
        .await
        .unwrap();
    editar(
        &pool,
        &auth,
        &root,
        u.id,
        UsuarioUpdate {
            activo: Some(false),
            ..UsuarioUpdate::default()
        },
    )
    .await;
    es_401(
        auth.login(&pool, &form("eva@example.com", CLAVE), None, None)
            .await,
    );
    es_401(auth.authenticate(&pool, &t.access_token).await);
}

#[tokio::test]
async fn un_token_caducado_no_autentica() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = Auth::new(AuthSettings {
        token_ttl: Duration::from_secs(1),
        ..settings()
    })
    .unwrap();
    usuario(&pool, &auth, "eva@example.com", Rol::Revisor, None).await;
    let t = auth
        .login(&pool, &form("eva@example.com", CLAVE), None, None)
        .await
        .unwrap();
    auth.authenticate(&pool, &t.access_token).await.unwrap();
    // Expire it in the database rather than waiting.
    db.connect()
        .await
        .batch_execute("UPDATE sesiones SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'")
        .await
        .unwrap();
    es_401(auth.authenticate(&pool, &t.access_token).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn un_acierto_de_la_cache_no_toca_la_base_de_datos() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let (auth, _rx) = replica(db.url()).await;
    usuario(&pool, &auth, "eva@example.com", Rol::Revisor, None).await;
    let t = auth
        .login(&pool, &form("eva@example.com", CLAVE), None, None)
        .await
        .unwrap();
    let c = auth.authenticate(&pool, &t.access_token).await.unwrap();
    assert_eq!(auth.cached_sessions(), 1);
    // A pool that cannot reach any database: a hit must not need it.
    let nada = build_pool(
        "postgres://nadie:nada@127.0.0.1:1/nada",
        &PoolSettings::new(4, Some(0), Duration::from_millis(200), None),
    );
    for _ in 0..3 {
        assert_eq!(auth.authenticate(&nada, &t.access_token).await.unwrap(), c);
    }
}

/// Two replicas (two caches, two listeners) over one database: a change made through one is
/// seen by the other on its next authentication, once the notification has been processed.
/// The test waits for the other replica's listener to report the eviction (bounded, 10 s),
/// not for a fixed time: the residual window is that delivery, which docs/auth.md describes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dos_replicas_ven_el_cambio_de_rol_la_desactivacion_y_el_logout() {
    let db = TestDb::new().await;
    let pool_a = db.pool();
    let pool_b = db.pool();
    let (a, _rx_a) = replica(db.url()).await;
    let (b, mut rx_b) = replica(db.url()).await;
    let root = admin(&pool_a, &a).await;
    let u = usuario(&pool_a, &a, "eva@example.com", Rol::Revisor, None).await;
    let t = a
        .login(&pool_a, &form("eva@example.com", CLAVE), None, None)
        .await
        .unwrap();
    assert_eq!(
        b.authenticate(&pool_b, &t.access_token).await.unwrap().rol,
        Rol::Revisor
    );
    assert_eq!(b.cached_sessions(), 1, "B now answers from its cache");

    // Role change through A.
    editar(
        &pool_a,
        &a,
        &root,
        u.id,
        UsuarioUpdate {
            rol: Some(Rol::Admin),
            ..UsuarioUpdate::default()
        },
    )
    .await;
    esperar(&mut rx_b, ListenerEvent::Evictado(u.id)).await;
    assert_eq!(
        b.authenticate(&pool_b, &t.access_token).await.unwrap().rol,
        Rol::Admin
    );

    // Deactivation through A (root, the other admin, keeps the system administrable).
    editar(
        &pool_a,
        &a,
        &root,
        u.id,
        UsuarioUpdate {
            activo: Some(false),
            ..UsuarioUpdate::default()
        },
    )
    .await;
    esperar(&mut rx_b, ListenerEvent::Evictado(u.id)).await;
    es_401(b.authenticate(&pool_b, &t.access_token).await);

    // Logout through A of a session B has cached.
    editar(
        &pool_a,
        &a,
        &root,
        u.id,
        UsuarioUpdate {
            activo: Some(true),
            ..UsuarioUpdate::default()
        },
    )
    .await;
    esperar(&mut rx_b, ListenerEvent::Evictado(u.id)).await;
    let t = a
        .login(&pool_a, &form("eva@example.com", CLAVE), None, None)
        .await
        .unwrap();
    let c = b.authenticate(&pool_b, &t.access_token).await.unwrap();
    assert_eq!(b.cached_sessions(), 1);
    a.logout(&pool_a, &c).await.unwrap();
    es_401(a.authenticate(&pool_a, &t.access_token).await);
    esperar(&mut rx_b, ListenerEvent::Evictado(u.id)).await;
    es_401(b.authenticate(&pool_b, &t.access_token).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sin_listener_la_cache_se_vacia_y_se_salta_hasta_que_vuelve() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let (auth, mut rx) = replica(db.url()).await;
    usuario(&pool, &auth, "eva@example.com", Rol::Revisor, None).await;
    let t = auth
        .login(&pool, &form("eva@example.com", CLAVE), None, None)
        .await
        .unwrap();
    auth.authenticate(&pool, &t.access_token).await.unwrap();
    assert_eq!(auth.cached_sessions(), 1);
    // Kill the listener's connection from the server side.
    db.connect()
        .await
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
               AND (query LIKE 'LISTEN%' OR query = 'SELECT 1')",
        )
        .await
        .unwrap();
    esperar(&mut rx, ListenerEvent::Caido).await;
    assert!(!auth.cache_online());
    assert_eq!(auth.cached_sessions(), 0);
    // Bypassed: answered from the database, and nothing is cached.
    auth.authenticate(&pool, &t.access_token).await.unwrap();
    assert_eq!(auth.cached_sessions(), 0);
    esperar(&mut rx, ListenerEvent::Conectado).await;
    auth.authenticate(&pool, &t.access_token).await.unwrap();
    assert_eq!(auth.cached_sessions(), 1);
}

#[tokio::test]
async fn sesiones_propias_revocar_una_ajena_es_404_y_cambiar_la_clave_cierra_las_demas() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = auth();
    usuario(&pool, &auth, "eva@example.com", Rol::Revisor, None).await;
    usuario(&pool, &auth, "ana@example.com", Rol::Revisor, None).await;
    let login = |email: &'static str| {
        let (auth, pool) = (auth.clone(), pool.clone());
        async move {
            let t = auth
                .login(&pool, &form(email, CLAVE), None, None)
                .await
                .unwrap();
            let c = auth.authenticate(&pool, &t.access_token).await.unwrap();
            (t.access_token, c)
        }
    };
    let (t1, c1) = login("eva@example.com").await;
    let (t2, c2) = login("eva@example.com").await;
    let (_, ana) = login("ana@example.com").await;
    assert_eq!(auth.sesiones(&pool, &c1).await.unwrap().len(), 2);
    let r = auth.revocar_sesion(&pool, &ana, c1.sesion_id).await;
    assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}");
    let r = auth.revocar_sesion(&pool, &c1, SesionId::new()).await;
    assert!(matches!(r, Err(ServiceError::NotFound(_))), "{r:?}");

    let mal = PasswordChange {
        actual: Password::new("no es esta"),
        nueva: Password::new("una clave nueva"),
    };
    let r = auth.cambiar_password(&pool, &c1, &mal, None).await;
    assert!(
        matches!(r, Err(ServiceError::PasswordActualIncorrecta)),
        "{r:?}"
    );
    let bien = PasswordChange {
        actual: Password::new(CLAVE),
        nueva: Password::new("una clave nueva"),
    };
    auth.cambiar_password(&pool, &c1, &bien, None)
        .await
        .unwrap();
    auth.authenticate(&pool, &t1).await.unwrap();
    es_401(auth.authenticate(&pool, &t2).await);
    let _ = c2;
    es_401(
        auth.login(&pool, &form("eva@example.com", CLAVE), None, None)
            .await,
    );
    auth.login(
        &pool,
        &form("eva@example.com", "una clave nueva"),
        None,
        None,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn un_hash_con_otros_parametros_se_rehace_al_entrar() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let viejo = auth();
    usuario(&pool, &viejo, "eva@example.com", Rol::Revisor, None).await;
    let nuevo = Auth::new(AuthSettings {
        hasher: solicitudes_services::auth::HasherSettings {
            m_cost_kib: 128,
            ..rapido()
        },
        ..settings()
    })
    .unwrap();
    nuevo
        .login(&pool, &form("eva@example.com", CLAVE), None, None)
        .await
        .unwrap();
    #[derive(diesel::QueryableByName)]
    struct H {
        #[diesel(sql_type = diesel::sql_types::Text)]
        password_hash: String,
    }
    let h: H = diesel::sql_query("SELECT password_hash FROM usuarios")
        .get_result(&mut db.connect().await)
        .await
        .unwrap();
    assert!(
        h.password_hash.starts_with("$argon2id$v=19$m=128,t=1,p=1$"),
        "{}",
        h.password_hash
    );
    nuevo
        .login(&pool, &form("eva@example.com", CLAVE), None, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn cinco_fallos_bloquean_la_cuenta_con_espera_creciente_y_un_acierto_la_reinicia() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = auth();
    usuario(&pool, &auth, "eva@example.com", Rol::Revisor, None).await;
    let mal = form("EVA@example.com", "mala");
    // Four failures, then a success: the run is over.
    for _ in 0..4 {
        es_401(auth.login(&pool, &mal, None, None).await);
    }
    auth.login(&pool, &form("eva@example.com", CLAVE), None, None)
        .await
        .unwrap();
    for _ in 0..4 {
        es_401(auth.login(&pool, &mal, None, None).await);
    }
    // The fifth failure blocks; from then on even the right password waits.
    es_401(auth.login(&pool, &mal, None, None).await);
    let espera = |r: Result<_, ServiceError>| match r {
        Err(ServiceError::RateLimited { retry_after }) => retry_after,
        other => panic!("{other:?}"),
    };
    let primera = espera(
        auth.login(&pool, &form("eva@example.com", CLAVE), None, None)
            .await,
    );
    assert!(
        primera > Duration::ZERO && primera <= Duration::from_secs(30),
        "{primera:?}"
    );
    // Let the block pass (in the database), fail again: the wait doubles.
    let mut conn = db.connect().await;
    conn.batch_execute("UPDATE login_fallos SET bloqueado_hasta = now() - interval '1 second'")
        .await
        .unwrap();
    es_401(auth.login(&pool, &mal, None, None).await);
    let segunda = espera(auth.login(&pool, &mal, None, None).await);
    assert!(
        segunda > Duration::from_secs(30) && segunda <= Duration::from_secs(60),
        "{segunda:?}"
    );
    // A run ends after 15 quiet minutes.
    conn.batch_execute(
        "UPDATE login_fallos SET bloqueado_hasta = NULL, ultimo_fallo = now() - interval '16 minutes'",
    )
    .await
    .unwrap();
    es_401(auth.login(&pool, &mal, None, None).await);
    auth.login(&pool, &form("eva@example.com", CLAVE), None, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn una_direccion_con_demasiados_fallos_queda_bloqueada_para_todas_las_cuentas() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = Auth::new(AuthSettings {
        throttle: ThrottleSettings {
            address_failures: 3,
            ..ThrottleSettings::default()
        },
        ..settings()
    })
    .unwrap();
    usuario(&pool, &auth, "eva@example.com", Rol::Revisor, None).await;
    let ip = Some("192.0.2.7".parse().unwrap());
    for n in 0..3 {
        es_401(
            auth.login(
                &pool,
                &form(&format!("nadie{n}@example.com"), "x"),
                ip,
                None,
            )
            .await,
        );
    }
    let r = auth
        .login(&pool, &form("eva@example.com", CLAVE), ip, None)
        .await;
    assert!(matches!(r, Err(ServiceError::RateLimited { .. })), "{r:?}");
    // From elsewhere the account is fine.
    let otra = Some("198.51.100.1".parse().unwrap());
    auth.login(&pool, &form("eva@example.com", CLAVE), otra, None)
        .await
        .unwrap();
}

/// The purge deletes what can never authenticate again once it is older than `purge_after`,
/// and the login-failure rows whose run is over; it keeps live sessions, recently dead ones,
/// and any row that still blocks.
#[tokio::test]
async fn la_purga_borra_sesiones_muertas_y_fallos_viejos_y_nada_mas() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let auth = Auth::new(AuthSettings {
        purge_after: Duration::from_secs(7 * 24 * 3600),
        throttle: ThrottleSettings {
            window: Duration::from_secs(15 * 60),
            ..ThrottleSettings::default()
        },
        ..settings()
    })
    .unwrap();
    let root = admin(&pool, &auth).await;
    let mut sesiones = Vec::new();
    for _ in 0..5 {
        let t = auth
            .login(&pool, &form(&root.email, CLAVE), None, None)
            .await
            .unwrap();
        let c = auth.authenticate(&pool, &t.access_token).await.unwrap();
        sesiones.push((t.access_token, c.sesion_id));
    }
    let mut conn = db.connect().await;
    let ids: Vec<String> = sesiones.iter().map(|(_, s)| s.to_string()).collect();
    conn.batch_execute(&format!(
        "UPDATE sesiones SET created_at = now() - interval '20 days', \
                             expires_at = now() - interval '8 days' WHERE id = '{}';  \
         UPDATE sesiones SET created_at = now() - interval '20 days', \
                             expires_at = now() - interval '6 days' WHERE id = '{}';  \
         UPDATE sesiones SET revoked_at = now() - interval '8 days' WHERE id = '{}';  \
         UPDATE sesiones SET revoked_at = now() - interval '1 day' WHERE id = '{}';  \
         INSERT INTO login_fallos (clave, fallos, ventana_inicio, ultimo_fallo, bloqueado_hasta) VALUES \
           ('viejo', 3, now() - interval '2 hours', now() - interval '1 hour', NULL), \
           ('viejo-bloqueo-pasado', 9, now() - interval '3 hours', now() - interval '1 hour', now() - interval '30 minutes'), \
           ('reciente', 2, now() - interval '5 minutes', now() - interval '1 minute', NULL), \
           ('viejo-aun-bloqueado', 9, now() - interval '3 hours', now() - interval '1 hour', now() + interval '10 minutes');",
        ids[0], ids[1], ids[2], ids[3]
    ))
    .await
    .unwrap();

    let purga = auth.purgar(&pool).await.unwrap();
    assert_eq!(
        (purga.sesiones, purga.login_fallos),
        (2, 2),
        "expired 8 days ago and revoked 8 days ago; the two finished runs"
    );

    #[derive(diesel::QueryableByName)]
    struct Fila {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let mut quedan = async |sql: &str| {
        let mut v: Vec<String> = diesel::sql_query(sql)
            .load::<Fila>(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.t)
            .collect();
        v.sort();
        v
    };
    // (`admin` logged in once too: its session is live.)
    let mut esperadas = vec![
        root.sesion_id.to_string(),
        ids[1].clone(),
        ids[3].clone(),
        ids[4].clone(),
    ];
    esperadas.sort();
    assert_eq!(
        quedan("SELECT id::text AS t FROM sesiones").await,
        esperadas
    );
    assert_eq!(
        quedan("SELECT clave AS t FROM login_fallos").await,
        vec!["reciente", "viejo-aun-bloqueado"]
    );
    // The live session still works; a second purge finds nothing.
    auth.authenticate(&pool, &sesiones[4].0).await.unwrap();
    assert_eq!(
        auth.purgar(&pool).await.unwrap(),
        solicitudes_services::auth::Purga::default()
    );
}
