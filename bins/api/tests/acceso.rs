//! Identity and access through HTTP: the gate (deny by default), login and throttling, the
//! web session cookie and its CSRF rule, sessions, usuarios, and the access table of
//! shared/API.md for every rol, with the contract's precedence (401, 404, 403, 412, 409).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use common::{ADMIN_EMAIL, CLAVE, Resp, TestApp, spawn};
use serde_json::{Value, json};
use solicitudes_api::routes::operations;
use solicitudes_domain::Rol;

const NADIE: &str = "0193a3f4-1c2b-7d3e-8f40-123456789abc";

fn con_id(path: &str) -> String {
    path.replace("{id}", NADIE)
}

fn assert_401(r: &Resp, what: &str) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}: {}", r.text);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"), "{what}");
    assert_eq!(r.body["code"], "unauthorized", "{what}: {}", r.text);
    assert!(
        r.header("x-request-id").is_some(),
        "{what}: the gate's answer keeps the headers"
    );
    r.assert_detail_message();
}

fn assert_status(r: &Resp, status: u16, code: &str, what: &str) {
    assert_eq!(r.status.as_u16(), status, "{what}: {}", r.text);
    if !code.is_empty() {
        assert_eq!(r.body["code"], code, "{what}: {}", r.text);
    }
}

fn login_json(email: &str, password: &str) -> TestRequest {
    TestRequest::post()
        .uri("/api/v1/auth/token")
        .set_json(json!({"username": email, "password": password}))
}

/// Every protected operation of the one list, without credentials, with a garbage token and
/// with another scheme: a 401, even when the request is malformed in every other way. Public
/// ones are not refused for lack of credentials.
#[actix_web::test]
async fn toda_operacion_protegida_sin_credenciales_es_un_401() {
    let app = spawn().await;
    let mut protegidas = 0;
    for op in operations() {
        let uri = con_id(&op.path);
        let peticion = || {
            TestRequest::default()
                .method(op.method.clone())
                .uri(&format!("{uri}?limit=0&cursor="))
                .insert_header(("If-Match", "basura"))
                .insert_header(("Content-Type", "application/json"))
                .set_payload("{roto")
        };
        let sin = app.call_anon(peticion()).await;
        if op.public {
            assert_ne!(
                sin.status,
                StatusCode::UNAUTHORIZED,
                "{} {}",
                op.method,
                op.path
            );
            continue;
        }
        protegidas += 1;
        let what = format!("{} {}", op.method, op.path);
        assert_401(&sin, &what);
        let basura = peticion().insert_header(("Authorization", "Bearer sol_no-existe"));
        assert_401(&app.call(basura).await, &what);
        let basic = peticion().insert_header(("Authorization", "Basic YWRtaW46YWRtaW4="));
        assert_401(&app.call(basic).await, &what);
        let cookie = peticion().insert_header(("Cookie", "solicitudes_sesion=sol_no-existe"));
        let r = app
            .call(cookie.insert_header(("X-Requested-With", "XMLHttpRequest")))
            .await;
        assert_401(&r, &what);
    }
    assert!(protegidas >= 20, "only {protegidas} protected operations");
    // HEAD goes through the same gate as GET.
    let r = app
        .call_anon(
            TestRequest::default()
                .method(Method::HEAD)
                .uri("/api/v1/personas"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn login_por_formulario_y_json_y_el_mismo_401_para_todo_fallo() {
    let app = spawn().await;
    let form = TestRequest::post()
        .uri("/api/v1/auth/token")
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload(format!(
            "grant_type=password&username={}&password={}&scope=&client_id=",
            urlencoding(ADMIN_EMAIL),
            urlencoding(CLAVE)
        ));
    let r = app.call_anon(form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["token_type"], "bearer");
    assert_eq!(r.body["expires_in"], 43200);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let token = r.body["access_token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("sol_") && token.len() >= 40, "{token}");
    let me = app
        .call_as(&token, TestRequest::get().uri("/api/v1/auth/me"))
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], ADMIN_EMAIL);
    assert_eq!(me.body["rol"], "admin");
    assert!(
        !me.text.contains("hash") && !me.text.contains("password"),
        "{}",
        me.text
    );

    // E-mail compared case-insensitively; JSON accepted too.
    let r = app
        .call_anon(login_json(&ADMIN_EMAIL.to_uppercase(), CLAVE))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Unknown e-mail, wrong password, deactivated account: one answer.
    let desconocido = app.call_anon(login_json("nadie@example.com", CLAVE)).await;
    let mala = app
        .call_anon(login_json(ADMIN_EMAIL, "otra clave cualquiera"))
        .await;
    let p = app.persona("Inactiva", None).await;
    app.cuenta("inactiva@example.com", Rol::Solicitante, Some(&p))
        .await;
    let u = app
        .call(TestRequest::get().uri("/api/v1/usuarios?q=inactiva"))
        .await;
    let id = u.body["items"][0]["id"].as_str().unwrap().to_owned();
    let r = app
        .patch(
            &format!("/api/v1/usuarios/{id}"),
            &json!({"activo": false}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let inactiva = app
        .call_anon(login_json("inactiva@example.com", CLAVE))
        .await;
    for r in [&desconocido, &mala, &inactiva] {
        assert_401(r, "failed login");
        assert_eq!(r.body, desconocido.body);
    }
    // A malformed login is a 422 in FastAPI's shape.
    let r = app
        .call_anon(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(json!({"username": "", "password": "x".repeat(129), "estado": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.errors().len(), 3, "{}", r.text);
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[actix_web::test]
async fn fallos_repetidos_dan_429_con_retry_after_incluso_con_la_clave_buena() {
    let app = spawn().await;
    let p = app.persona("Eva", None).await;
    app.cuenta("eva@example.com", Rol::Solicitante, Some(&p))
        .await;
    for i in 0..5 {
        let r = app
            .call_anon(login_json("eva@example.com", "no es la clave"))
            .await;
        // The 5th failure is the one that starts the block: up to it, 401s.
        assert_401(&r, &format!("failure {i}"));
    }
    for clave in ["no es la clave", CLAVE] {
        let r = app.call_anon(login_json("EVA@example.com", clave)).await;
        assert_status(&r, 429, "too_many_requests", "blocked");
        let secs: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=30).contains(&secs), "{secs}");
        r.assert_detail_message();
    }
    // Another account is not affected.
    assert_eq!(
        app.call_anon(login_json(ADMIN_EMAIL, CLAVE)).await.status,
        200
    );
}

/// The access table of shared/API.md through HTTP, for each rol, with the precedence.
#[actix_web::test]
async fn la_tabla_de_acceso_por_rol() {
    let app = spawn().await;
    let pa = app.persona("Ana", Some("ana@example.com")).await;
    let pb = app.persona("Beto", None).await;
    let pr = app.persona("Rita", None).await;
    let ana = app
        .cuenta("ana@example.com", Rol::Solicitante, Some(&pa))
        .await;
    let beto = app
        .cuenta("beto@example.com", Rol::Solicitante, Some(&pb))
        .await;
    let rita = app
        .cuenta("rita@example.com", Rol::Revisor, Some(&pr))
        .await;
    let sin_persona = app.cuenta("rev2@example.com", Rol::Revisor, None).await;

    let post = |uri: &str, body: Value| TestRequest::post().uri(uri).set_json(body);
    let get = |uri: &str| TestRequest::get().uri(uri);
    // A solicitante files for themself without naming a persona, or naming their own…
    let r = app
        .call_as(&ana, post("/api/v1/solicitudes", json!({"titulo": "Mía"})))
        .await;
    assert_status(&r, 201, "", "own, persona_id omitted");
    assert_eq!(r.body["persona_id"], pa["id"]);
    let de_ana = r.body.clone();
    let r = app
        .call_as(
            &ana,
            post(
                "/api/v1/solicitudes",
                json!({"titulo": "Otra mía", "persona_id": pa["id"]}),
            ),
        )
        .await;
    assert_status(&r, 201, "", "own, named");
    // …never for someone else (existing or not), and a malformed body is a 422 first.
    for otra in [pb["id"].clone(), json!(NADIE)] {
        let r = app
            .call_as(
                &ana,
                post(
                    "/api/v1/solicitudes",
                    json!({"titulo": "Ajena", "persona_id": otra}),
                ),
            )
            .await;
        assert_status(&r, 403, "forbidden", "for another persona");
    }
    let r = app
        .call_as(
            &ana,
            post(
                "/api/v1/solicitudes",
                json!({"titulo": "x", "persona_id": pb["id"]}),
            ),
        )
        .await;
    assert_status(&r, 422, "", "422 before 403");
    // A revisor without a persona must name one, and may not name someone else's.
    let r = app
        .call_as(
            &sin_persona,
            post("/api/v1/solicitudes", json!({"titulo": "Sin"})),
        )
        .await;
    assert_status(&r, 422, "", "no persona of their own");
    let de_beto = app.solicitud_de(&pb["id"], "De Beto").await;
    let de_rita = app.solicitud_de(&pr["id"], "De Rita").await;
    let u_ana = format!("/api/v1/solicitudes/{}", de_ana["id"].as_str().unwrap());
    let u_beto = format!("/api/v1/solicitudes/{}", de_beto["id"].as_str().unwrap());
    let u_rita = format!("/api/v1/solicitudes/{}", de_rita["id"].as_str().unwrap());

    // Lists, counts and estadísticas of a solicitante: own only, `total` included.
    let r = app
        .call_as(&ana, get("/api/v1/solicitudes?count=true&limit=1"))
        .await;
    assert_eq!(r.body["total"], 2, "{}", r.text);
    let siguiente = r.body["next_cursor"].as_str().unwrap().to_owned();
    let r = app
        .call_as(
            &ana,
            get(&format!("/api/v1/solicitudes?limit=100&cursor={siguiente}")),
        )
        .await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{}", r.text);
    assert!(r.body["next_cursor"].is_null());
    let r = app
        .call_as(
            &ana,
            get(&format!(
                "/api/v1/solicitudes?persona_id={}&count=true",
                pb["id"].as_str().unwrap()
            )),
        )
        .await;
    assert_eq!(
        r.body["total"], 0,
        "another persona's filter leaks nothing: {}",
        r.text
    );
    assert_eq!(
        app.call_as(&ana, get("/api/v1/estadisticas")).await.body["total"],
        2
    );
    assert_eq!(
        app.call_as(&rita, get("/api/v1/estadisticas")).await.body["total"],
        4
    );
    let r = app.call_as(&ana, get("/api/v1/personas?count=true")).await;
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["id"], pa["id"]);
    assert_eq!(
        app.call_as(&rita, get("/api/v1/personas?count=true"))
            .await
            .body["total"],
        3
    );

    // Someone else's solicitud, for a solicitante: as if it did not exist, whatever the action.
    let pb_uri = format!("/api/v1/personas/{}", pb["id"].as_str().unwrap());
    let invisibles = [
        get(&u_beto),
        get(&format!("{u_beto}/historial")),
        TestRequest::patch()
            .uri(&u_beto)
            .set_json(json!({"titulo": "Mía ahora"})),
        TestRequest::patch()
            .uri(&u_beto)
            .insert_header(("If-Match", "\"9\""))
            .set_json(json!({})),
        TestRequest::delete().uri(&u_beto),
        post(
            &format!("{u_beto}/transiciones"),
            json!({"estado": "cancelada"}),
        ),
        get(&pb_uri),
        TestRequest::patch()
            .uri(&pb_uri)
            .set_json(json!({"edad": 40})),
        TestRequest::delete().uri(&pb_uri),
    ];
    for req in invisibles {
        let r = app.call_as(&ana, req).await;
        assert_status(&r, 404, "not_found", "someone else's");
    }
    // Their own: reads and edits yes; deleting, reviewing no (403); cancelling yes.
    assert_status(&app.call_as(&ana, get(&u_ana)).await, 200, "", "own read");
    let r = app
        .call_as(
            &ana,
            TestRequest::patch()
                .uri(&u_ana)
                .set_json(json!({"prioridad": "alta"})),
        )
        .await;
    assert_status(&r, 200, "", "own edit");
    let r = app
        .call_as(
            &ana,
            TestRequest::delete()
                .uri(&u_ana)
                .insert_header(("If-Match", "\"7\"")),
        )
        .await;
    assert_status(&r, 403, "forbidden", "own delete: 403 before 412");
    for estado in ["en_revision", "aprobada", "rechazada", "pendiente"] {
        let body = json!({"estado": estado, "comentario": "yo mismo"});
        let r = app
            .call_as(&ana, post(&format!("{u_ana}/transiciones"), body))
            .await;
        assert_status(&r, 403, "forbidden", estado);
    }
    let pa_uri = format!("/api/v1/personas/{}", pa["id"].as_str().unwrap());
    let r = app
        .call_as(
            &ana,
            TestRequest::patch()
                .uri(&pa_uri)
                .set_json(json!({"edad": 31})),
        )
        .await;
    assert_status(&r, 200, "", "own persona edit");
    assert_status(
        &app.call_as(&ana, TestRequest::delete().uri(&pa_uri)).await,
        403,
        "forbidden",
        "own persona delete",
    );
    let r = app
        .call_as(
            &ana,
            post("/api/v1/personas", json!({"nombre": "Nueva", "edad": 3})),
        )
        .await;
    assert_status(&r, 403, "forbidden", "persona create");
    for req in [
        get("/api/v1/usuarios"),
        get(&format!("/api/v1/usuarios/{NADIE}")),
    ] {
        assert_status(&app.call_as(&ana, req).await, 403, "forbidden", "usuarios");
    }

    // A revisor reviews others' solicitudes, never their own; 404 still beats 403.
    let r = app
        .call_as(
            &rita,
            post(
                &format!("{u_ana}/transiciones"),
                json!({"estado": "en_revision"}),
            ),
        )
        .await;
    assert_status(&r, 200, "", "review another's");
    let r = app
        .call_as(
            &rita,
            post(
                &format!("{u_ana}/transiciones"),
                json!({"estado": "rechazada"}),
            ),
        )
        .await;
    assert_status(&r, 422, "", "rechazada needs a comentario");
    let body = json!({"estado": "rechazada", "comentario": "Falta el justificante"});
    let r = app
        .call_as(
            &rita,
            post(&format!("{u_ana}/transiciones"), body).insert_header(("If-Match", "\"1\"")),
        )
        .await;
    assert_status(&r, 412, "precondition_failed", "stale If-Match");
    let body = json!({"estado": "rechazada", "comentario": "Falta el justificante"});
    let r = app
        .call_as(&rita, post(&format!("{u_ana}/transiciones"), body))
        .await;
    assert_status(&r, 200, "", "reject");
    let r = app
        .call_as(
            &rita,
            post(
                &format!("{u_rita}/transiciones"),
                json!({"estado": "en_revision"}),
            ),
        )
        .await;
    assert_status(&r, 403, "forbidden", "own solicitud: separation of duties");
    let r = app
        .call_as(
            &rita,
            post(
                &format!("{u_rita}/transiciones"),
                json!({"estado": "cancelada"}),
            ),
        )
        .await;
    assert_status(&r, 200, "", "a revisor withdraws their own");
    let nadie = format!("/api/v1/solicitudes/{NADIE}");
    assert_status(
        &app.call_as(&rita, TestRequest::delete().uri(&nadie)).await,
        404,
        "not_found",
        "404 before 403",
    );
    assert_status(
        &app.call_as(&rita, TestRequest::delete().uri(&u_beto)).await,
        403,
        "forbidden",
        "revisor delete",
    );
    let r = app
        .call_as(
            &rita,
            TestRequest::patch()
                .uri(&u_beto)
                .set_json(json!({"titulo": "Suyo no"})),
        )
        .await;
    assert_status(&r, 403, "forbidden", "revisor edits another's");
    let r = app
        .call_as(
            &rita,
            TestRequest::patch()
                .uri(&pb_uri)
                .set_json(json!({"edad": 50})),
        )
        .await;
    assert_status(&r, 403, "forbidden", "revisor edits another persona");
    assert_status(
        &app.call_as(&rita, get(&pb_uri)).await,
        200,
        "",
        "revisor reads any persona",
    );
    // 409 comes after the policy: a final solicitud for its owner.
    let r = app
        .call_as(
            &ana,
            TestRequest::patch()
                .uri(&u_ana)
                .set_json(json!({"titulo": "Otra vez"})),
        )
        .await;
    assert_status(&r, 409, "solicitud_final", "own, final");

    // The historial says who did each change.
    let h = app.call_as(&ana, get(&format!("{u_ana}/historial"))).await;
    let actores: Vec<&str> = h
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"]["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        actores,
        ["ana@example.com", "rita@example.com", "rita@example.com"],
        "{}",
        h.text
    );
    assert!(h.body[0]["actor"]["id"].as_str().is_some());
    // The admin does anything, and deletes.
    assert_status(&app.delete(&u_beto, None).await, 204, "", "admin delete");
    let _ = beto;
}

#[actix_web::test]
async fn usuarios_el_admin_crea_cambia_el_rol_y_desactiva_al_momento() {
    let app = spawn().await;
    let r = app
        .post(
            "/api/v1/usuarios",
            &json!({"email": "nuevo@example.com", "rol": "revisor", "password": "una clave larga"}),
        )
        .await;
    assert_status(&r, 201, "", "create");
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/usuarios/{id}").as_str())
    );
    assert!(!r.text.contains("clave"), "{}", r.text);
    let dup = app
        .post(
            "/api/v1/usuarios",
            &json!({"email": "NUEVO@example.com", "rol": "admin", "password": "otra clave larga"}),
        )
        .await;
    assert_status(&dup, 409, "email_taken", "duplicate");
    let sol = app
        .post(
            "/api/v1/usuarios",
            &json!({"email": "s@example.com", "rol": "solicitante", "password": "una clave larga"}),
        )
        .await;
    assert_status(&sol, 422, "", "solicitante without persona");
    assert_eq!(sol.body["detail"][0]["loc"], json!(["body", "persona_id"]));

    let r = app
        .call_anon(login_json("nuevo@example.com", "una clave larga"))
        .await;
    assert_status(&r, 200, "", "logs in at once");
    let token = r.body["access_token"].as_str().unwrap().to_owned();
    let me = TestRequest::get().uri("/api/v1/auth/me");
    assert_eq!(app.call_as(&token, me).await.body["rol"], "revisor");
    let u = format!("/api/v1/usuarios/{id}");
    // Role change: the very next request sees it.
    assert_status(
        &app.call_as(&token, TestRequest::get().uri("/api/v1/usuarios"))
            .await,
        403,
        "forbidden",
        "revisor",
    );
    assert_status(
        &app.patch(&u, &json!({"rol": "admin"}), None).await,
        200,
        "",
        "promote",
    );
    assert_status(
        &app.call_as(&token, TestRequest::get().uri("/api/v1/usuarios"))
            .await,
        200,
        "",
        "now admin",
    );
    // Deactivation: the open session is refused on its next request.
    assert_status(
        &app.patch(&u, &json!({"activo": false}), None).await,
        200,
        "",
        "deactivate",
    );
    assert_401(
        &app.call_as(&token, TestRequest::get().uri("/api/v1/auth/me"))
            .await,
        "deactivated",
    );
    // The last active admin cannot be demoted or deactivated.
    let me = app.get("/api/v1/auth/me").await;
    let yo = format!("/api/v1/usuarios/{}", me.body["id"].as_str().unwrap());
    assert_status(
        &app.patch(&yo, &json!({"activo": false}), None).await,
        409,
        "last_admin",
        "last admin",
    );
    assert_status(
        &app.patch(&yo, &json!({"rol": "revisor"}), None).await,
        409,
        "last_admin",
        "last admin",
    );
    assert_status(
        &app.get(&format!("/api/v1/usuarios/{NADIE}")).await,
        404,
        "not_found",
        "no such usuario",
    );
    let r = app
        .get("/api/v1/usuarios?rol=revisor&activo=false&count=true")
        .await;
    assert_eq!(r.body["total"], 0, "{}", r.text);
    let r = app.get("/api/v1/usuarios?rol=jefe").await;
    assert_status(&r, 422, "", "bad rol");
}

#[actix_web::test]
async fn la_sesion_web_es_una_cookie_httponly_con_proteccion_csrf() {
    let app = spawn().await;
    let cuerpo = json!({"username": ADMIN_EMAIL, "password": CLAVE});
    let sin_cabecera = TestRequest::post()
        .uri("/api/v1/auth/cookie")
        .set_json(&cuerpo);
    assert_status(
        &app.call_anon(sin_cabecera).await,
        403,
        "csrf_rejected",
        "login CSRF",
    );
    let r = app
        .call_anon(
            TestRequest::post()
                .uri("/api/v1/auth/cookie")
                .insert_header(("X-Requested-With", "XMLHttpRequest"))
                .set_json(&cuerpo),
        )
        .await;
    assert_status(&r, 200, "", "cookie login");
    assert_eq!(r.body["email"], ADMIN_EMAIL);
    let set = r.header("set-cookie").unwrap().to_owned();
    for attr in [
        "solicitudes_sesion=sol_",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=43200",
    ] {
        assert!(set.contains(attr), "{attr} in {set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    assert!(
        !r.text.contains("sol_"),
        "the token is not in the body: {}",
        r.text
    );
    let cookie = set.split(';').next().unwrap().to_owned();
    let con = |req: TestRequest| req.insert_header(("Cookie", cookie.clone()));
    assert_status(
        &app.call(con(TestRequest::get().uri("/api/v1/auth/me")))
            .await,
        200,
        "",
        "GET with cookie",
    );
    let crear = || {
        TestRequest::post()
            .uri("/api/v1/personas")
            .set_json(json!({"nombre": "Por cookie", "edad": 9}))
    };
    assert_status(
        &app.call(con(crear())).await,
        403,
        "csrf_rejected",
        "POST without header",
    );
    let r = app
        .call(con(crear()).insert_header(("X-Requested-With", "XMLHttpRequest")))
        .await;
    assert_status(&r, 201, "", "POST with header");
    // Logout ends the session and clears the cookie.
    let r = app
        .call(
            con(TestRequest::post().uri("/api/v1/auth/logout"))
                .insert_header(("X-Requested-With", "XMLHttpRequest")),
        )
        .await;
    assert_status(&r, 204, "", "logout");
    let clear = r.header("set-cookie").unwrap();
    assert!(
        clear.starts_with("solicitudes_sesion=;") && clear.contains("Max-Age=0"),
        "{clear}"
    );
    assert_401(
        &app.call(con(TestRequest::get().uri("/api/v1/auth/me")))
            .await,
        "after logout",
    );
}

#[actix_web::test]
async fn sesiones_propias_cerrar_una_y_cambiar_la_clave_cierra_las_demas() {
    let app = spawn().await;
    let otra = common::login(&app.pool, &app.auth, ADMIN_EMAIL).await;
    let tercera = common::login(&app.pool, &app.auth, ADMIN_EMAIL).await;
    let r = app.get("/api/v1/auth/sesiones").await;
    let lista = r.body.as_array().unwrap();
    assert_eq!(lista.len(), 3, "{}", r.text);
    assert_eq!(lista.iter().filter(|s| s["actual"] == true).count(), 1);
    for s in lista {
        for k in [
            "id",
            "created_at",
            "last_used_at",
            "expires_at",
            "user_agent",
            "actual",
        ] {
            assert!(s.get(k).is_some(), "{k} in {s}");
        }
    }
    // Close the one `otra` is (the one `otra` sees as its own).
    let r = app
        .call_as(&otra, TestRequest::get().uri("/api/v1/auth/sesiones"))
        .await;
    let suya = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["actual"] == true)
        .unwrap()["id"]
        .clone();
    let r = app
        .delete(
            &format!("/api/v1/auth/sesiones/{}", suya.as_str().unwrap()),
            None,
        )
        .await;
    assert_status(&r, 204, "", "close one");
    assert_401(
        &app.call_as(&otra, TestRequest::get().uri("/api/v1/auth/me"))
            .await,
        "closed",
    );
    assert_status(
        &app.delete(&format!("/api/v1/auth/sesiones/{NADIE}"), None)
            .await,
        404,
        "not_found",
        "no such session",
    );
    // Another account's session cannot be closed (nor learned of): 404.
    let p = app.persona("Lola", None).await;
    let lola = app
        .cuenta("lola@example.com", Rol::Solicitante, Some(&p))
        .await;
    let r = app
        .call_as(&lola, TestRequest::get().uri("/api/v1/auth/sesiones"))
        .await;
    let de_lola = r.body[0]["id"].as_str().unwrap().to_owned();
    assert_status(
        &app.delete(&format!("/api/v1/auth/sesiones/{de_lola}"), None)
            .await,
        404,
        "not_found",
        "another's",
    );
    // Password: a wrong `actual` is a 422 on that field; the right one closes the others.
    let cambio = |actual: &str| {
        TestRequest::post()
            .uri("/api/v1/auth/password")
            .set_json(json!({"actual": actual, "nueva": "la nueva clave"}))
    };
    let r = app.call(cambio("no es")).await;
    assert_status(&r, 422, "", "wrong actual");
    assert_eq!(r.body["detail"][0]["loc"], json!(["body", "actual"]));
    assert_status(&app.call(cambio(CLAVE)).await, 204, "", "change");
    assert_401(
        &app.call_as(&tercera, TestRequest::get().uri("/api/v1/auth/me"))
            .await,
        "other session",
    );
    assert_status(
        &app.get("/api/v1/auth/me").await,
        200,
        "",
        "this session stays",
    );
    assert_status(
        &app.call_anon(login_json(ADMIN_EMAIL, "la nueva clave"))
            .await,
        200,
        "",
        "new password",
    );
    // Logout with a bearer token: dead at once.
    assert_status(
        &app.call(TestRequest::post().uri("/api/v1/auth/logout"))
            .await,
        204,
        "",
        "logout",
    );
    assert_401(&app.get("/api/v1/auth/me").await, "after logout");
}

#[actix_web::test]
async fn el_registro_abierto_esta_apagado_por_defecto() {
    let app = spawn().await;
    for body in [
        json!({}),
        json!({"nombre": "Ana", "edad": 3, "email": "a@example.com", "password": "una clave larga"}),
    ] {
        let r = app
            .call_anon(
                TestRequest::post()
                    .uri("/api/v1/auth/registro")
                    .set_json(body),
            )
            .await;
        assert_status(&r, 404, "not_found", "registro off");
    }
}

/// Checks the helpers themselves: `TestApp::call` really sends the admin's token.
#[actix_web::test]
async fn la_app_de_prueba_llama_como_admin() {
    let app: TestApp<_> = spawn().await;
    assert_eq!(app.get("/api/v1/auth/me").await.body["email"], ADMIN_EMAIL);
}

/// Two replicas over one database, each with its session cache kept right by LISTEN/NOTIFY:
/// a change of rol and a deactivation made through one take effect on the other's next
/// request, once its listener has the notification (waited for, never slept for).
#[actix_web::test]
async fn dos_replicas_el_cambio_de_rol_y_la_desactivacion_valen_en_la_otra() {
    use actix_web::test;
    use solicitudes_api::app::build_app;
    use solicitudes_api::config::Settings;
    use solicitudes_api::state::AppState;
    use solicitudes_domain::UsuarioId;
    use solicitudes_services::Auth;
    use solicitudes_services::auth::ListenerEvent;
    use std::time::Duration;

    let app = spawn().await;
    let auth_b = Auth::new(Settings::defaults().unwrap().auth()).unwrap();
    let mut eventos = auth_b.listener_events();
    auth_b.spawn_listener(app.db.url());
    let esperar = async |eventos: &mut tokio::sync::broadcast::Receiver<ListenerEvent>,
                         esperado: ListenerEvent| {
        tokio::time::timeout(Duration::from_secs(10), async {
            while eventos.recv().await.ok() != Some(esperado) {}
        })
        .await
        .unwrap_or_else(|_| panic!("replica B's listener did not report {esperado:?}"));
    };
    esperar(&mut eventos, ListenerEvent::Conectado).await;
    let b = test::init_service(build_app(
        AppState {
            pool: app.db.pool(),
            auth: auth_b.clone(),
            expected_migrations: std::sync::Arc::new(
                solicitudes_persistence::migrations::expected_versions().unwrap(),
            ),
        },
        common::http_defaults(),
    ))
    .await;
    let en_b = async |token: &str| {
        let req = TestRequest::get()
            .uri("/api/v1/usuarios")
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        test::call_service(&b, req).await.status().as_u16()
    };
    let token = app.cuenta("rev@example.com", Rol::Revisor, None).await;
    let me = app
        .call_as(&token, TestRequest::get().uri("/api/v1/auth/me"))
        .await;
    let id = me.body["id"].as_str().unwrap().to_owned();
    let usuario = UsuarioId::from(uuid::Uuid::parse_str(&id).unwrap());
    assert_eq!(en_b(&token).await, 403);
    assert_eq!(en_b(&token).await, 403);
    assert_eq!(auth_b.cached_sessions(), 1, "B answers from its cache");

    let u = format!("/api/v1/usuarios/{id}");
    assert_eq!(
        app.patch(&u, &json!({"rol": "admin"}), None).await.status,
        200
    );
    esperar(&mut eventos, ListenerEvent::Evictado(usuario)).await;
    assert_eq!(en_b(&token).await, 200, "B sees the new rol");

    assert_eq!(
        app.patch(&u, &json!({"activo": false}), None).await.status,
        200
    );
    esperar(&mut eventos, ListenerEvent::Evictado(usuario)).await;
    assert_eq!(en_b(&token).await, 401, "B refuses the deactivated account");
}
