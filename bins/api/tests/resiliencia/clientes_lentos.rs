//! Clients that never finish their request head or body are cut off.

use super::*;

/// Asserts that the server closed the connection (plainly, or after a 408) by the time
/// `ending` was observed.
fn assert_cortada(ending: Ending, desde: Instant) {
    let bytes = match ending {
        Ending::Closed(b) | Ending::Reset(b) => b,
        Ending::StillOpen(b) => panic!(
            "the connection is still open {:?} after the first byte ({} bytes received: {:?})",
            desde.elapsed(),
            b.len(),
            String::from_utf8_lossy(&b)
        ),
    };
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        bytes.is_empty() || text.starts_with("HTTP/1.1 408"),
        "expected a plain close or a 408, got {text:?}"
    );
    println!(
        "cut off {:.2}s after the first byte ({})",
        desde.elapsed().as_secs_f64(),
        if bytes.is_empty() { "closed" } else { "408" }
    );
}

#[test]
#[ignore = "resiliencia: arranca el binario; make resilience"]
fn una_cabecera_que_nunca_termina_se_corta_en_unos_segundos() {
    let svc = servicio_sin_base("cabecera-lenta", &[]);
    let mut s = http::connect(svc.port(), http::TIMEOUT).unwrap();
    let desde = Instant::now();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    assert_cortada(
        http::read_until_closed(&mut s, desde + Duration::from_secs(10)),
        desde,
    );
}

#[test]
#[ignore = "resiliencia: arranca el binario; make resilience"]
fn una_cabecera_enviada_byte_a_byte_tambien_se_corta() {
    let svc = servicio_sin_base("cabecera-goteo", &[]);
    let mut s = http::connect(svc.port(), http::TIMEOUT).unwrap();
    let desde = Instant::now();
    let limite = desde + Duration::from_secs(15);
    // One byte every 300 ms, forever: a slowloris that never completes its head.
    let goteo = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Relleno: "
        .iter()
        .copied()
        .chain(std::iter::repeat(b'a'));
    for byte in goteo {
        if s.write_all(&[byte]).is_err() {
            return assert_cortada(Ending::Reset(Vec::new()), desde);
        }
        match http::read_until_closed(&mut s, Instant::now() + Duration::from_millis(300)) {
            Ending::StillOpen(b) if b.is_empty() => {}
            Ending::StillOpen(b) => {
                // Part of an answer (a 408): the close must follow.
                let rest = http::read_until_closed(&mut s, limite);
                let all = match rest {
                    Ending::Closed(r) => Ending::Closed([b, r].concat()),
                    Ending::Reset(r) => Ending::Reset([b, r].concat()),
                    Ending::StillOpen(r) => Ending::StillOpen([b, r].concat()),
                };
                return assert_cortada(all, desde);
            }
            ending => return assert_cortada(ending, desde),
        }
        if Instant::now() >= limite {
            return assert_cortada(Ending::StillOpen(Vec::new()), desde);
        }
    }
}

#[test]
#[ignore = "resiliencia: arranca el binario; make resilience"]
fn un_cuerpo_que_nunca_termina_se_corta() {
    // The body must arrive within server.request_timeout_ms: 2 s here.
    let svc = servicio_sin_base(
        "cuerpo-lento",
        &[("APP__SERVER__REQUEST_TIMEOUT_MS", "2000")],
    );
    let mut s = enviar_medio_cuerpo(svc.port());
    let desde = Instant::now();
    assert_cortada(
        http::read_until_closed(&mut s, desde + Duration::from_secs(15)),
        desde,
    );
}
