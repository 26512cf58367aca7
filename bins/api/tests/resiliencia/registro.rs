//! Logs: one line per request with its id, method, path, status and latency; error causes in
//! the log and never in a response body.

use super::*;

/// Parses the JSON lines of the service's output.
fn json_lines(svc: &Service) -> Vec<Value> {
    svc.log_tail(500)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

/// `GET path` with a request id and, on the API, a token the service must look up (there is
/// no database to log in with).
fn get_with_id(port: u16, path: &str, id: &str) -> http::Response {
    let bearer = format!("Bearer {}", http::TOKEN_DESCONOCIDO);
    http::request(
        port,
        "GET",
        path,
        &[("X-Request-Id", id), ("Authorization", &bearer)],
        None,
        http::TIMEOUT,
    )
    .unwrap()
}

#[test]
#[ignore = "resiliencia: arranca el binario; make resilience"]
fn en_json_cada_peticion_deja_una_linea_y_las_causas_quedan_en_el_registro() {
    let svc = servicio_sin_base(
        "registro-json",
        &[("APP__LOG__FORMAT", "json"), ("RUST_LOG", "info")],
    );
    let ok = get_with_id(svc.port(), "/healthz", "registro-1");
    assert_eq!(ok.status, 200);
    let down = get_with_id(svc.port(), "/api/v1/personas", "registro-2");
    assert_eq!(down.status, 503);
    let body = String::from_utf8_lossy(&down.body).to_lowercase();
    for leak in ["refused", "127.0.0.1", "connect", "nadie"] {
        assert!(!body.contains(leak), "the 503 body leaks `{leak}`: {body}");
    }

    let lines = wait_for(Duration::from_secs(5), "the request lines", || {
        let lines = json_lines(&svc);
        let has = |id: &str| {
            lines
                .iter()
                .any(|l| l["request_id"] == id && l["status"].is_u64())
        };
        (has("registro-1") && has("registro-2")).then_some(lines)
    });
    let line = |id: &str| {
        lines
            .iter()
            .find(|l| l["request_id"] == id && l["status"].is_u64())
            .unwrap()
            .clone()
    };
    let l1 = line("registro-1");
    assert_eq!(l1["method"], "GET");
    assert_eq!(l1["path"], "/healthz");
    assert_eq!(l1["status"], 200);
    assert!(
        l1["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
        "{l1}"
    );
    let l2 = line("registro-2");
    assert_eq!(l2["path"], "/api/v1/personas");
    assert_eq!(l2["status"], 503);
    // Exactly one access line per request.
    let count = |id: &str| {
        lines
            .iter()
            .filter(|l| l["request_id"] == id && l["status"].is_u64())
            .count()
    };
    assert_eq!((count("registro-1"), count("registro-2")), (1, 1));
    // The cause is logged inside the request's span.
    let cause = lines
        .iter()
        .find(|l| l["span"]["request_id"] == "registro-2" && l.get("cause").is_some());
    let cause = cause.unwrap_or_else(|| panic!("no logged cause for registro-2 in {lines:#?}"));
    assert!(!cause["cause"].as_str().unwrap_or("").is_empty(), "{cause}");
}

#[test]
#[ignore = "resiliencia: arranca el binario; make resilience"]
fn por_defecto_el_registro_es_texto_legible() {
    let svc = servicio_sin_base("registro-texto", &[("RUST_LOG", "info")]);
    assert_eq!(
        get_with_id(svc.port(), "/healthz", "registro-3").status,
        200
    );
    let line = wait_for(Duration::from_secs(5), "the request line", || {
        svc.log_tail(200)
            .lines()
            .find(|l| l.contains("request_id=registro-3") && l.contains("status=200"))
            .map(str::to_owned)
    });
    assert!(
        serde_json::from_str::<Value>(&line).is_err(),
        "not JSON: {line}"
    );
    assert!(
        line.contains("method=GET") && line.contains("path=/healthz"),
        "{line}"
    );
    // Standard error is a file here, not a terminal: no colour escape codes in it.
    assert!(
        !line.contains('\x1b'),
        "escape codes in a log file: {line:?}"
    );
}
