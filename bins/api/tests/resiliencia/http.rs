//! A tiny HTTP/1.1 client over `std::net::TcpStream`: one request per connection
//! (`Connection: close`), with time limits on connecting and on the whole answer, so a hang
//! is an error instead of a stuck test. Raw sockets also let the tests send half a request.
//!
//! Every `/api/v1` route but the login needs a token: once a service has logged in
//! ([`set_token`], done by `Service::wait_ready`), every request to `/api/v1/…` on its port
//! carries `Authorization: Bearer` unless it names its own `Authorization` header; the
//! `*_anonima` functions send none.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long a request may take, connecting included, before it counts as a hang.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A well-formed token that no session has: the service must look it up to refuse it (a 401
/// with the database up, a 503 without one).
pub const TOKEN_DESCONOCIDO: &str = "sol_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// The bearer token of each service, by port.
static TOKENS: Mutex<BTreeMap<u16, String>> = Mutex::new(BTreeMap::new());

/// Sends `token` on every later `/api/v1/…` request to `port` (`None`: no more).
pub fn set_token(port: u16, token: Option<&str>) {
    let mut tokens = TOKENS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match token {
        Some(t) => tokens.insert(port, t.to_owned()),
        None => tokens.remove(&port),
    };
}

fn token_of(port: u16) -> Option<String> {
    TOKENS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&port)
        .cloned()
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, or `Value::Null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// Whether this is the contract's 401: `WWW-Authenticate: Bearer`, JSON `{"detail": "…"}`.
    pub fn is_contract_401(&self) -> bool {
        self.status == 401
            && self
                .header("www-authenticate")
                .is_some_and(|v| v.starts_with("Bearer"))
            && self.json()["detail"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
    }

    /// Whether this is the contract's 503: `Retry-After`, JSON `{"detail": "…"}`.
    pub fn is_contract_503(&self) -> bool {
        self.status == 503
            && self.header("retry-after").is_some()
            && self
                .header("content-type")
                .is_some_and(|c| c.starts_with("application/json"))
            && self.json()["detail"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
    }
}

impl fmt::Display for Response {
    /// `503 {"detail":"…"}` (body cut at 300 bytes).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.text();
        let cut: String = text.chars().take(300).collect();
        write!(f, "{} {}", self.status, cut)
    }
}

/// Why a request got no response.
#[derive(Debug)]
pub enum Failure {
    /// The connection could not be opened (refused, or not within the limit).
    Connect(io::Error),
    /// No complete response within the limit.
    Timeout {
        /// Bytes received before giving up.
        partial: Vec<u8>,
    },
    /// Reset, broken pipe, or closed before a complete response.
    Io(io::Error),
    /// Closed before a complete response.
    Closed {
        /// Bytes received before the close.
        partial: Vec<u8>,
    },
    /// Not HTTP.
    Malformed(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Connect(e) => write!(f, "connect failed: {e}"),
            Failure::Timeout { partial } => write!(
                f,
                "no complete response in time ({} bytes received)",
                partial.len()
            ),
            Failure::Io(e) => write!(f, "i/o error: {e}"),
            Failure::Closed { partial } => write!(
                f,
                "closed before a complete response ({} bytes: {:?})",
                partial.len(),
                String::from_utf8_lossy(partial)
            ),
            Failure::Malformed(m) => write!(f, "malformed response: {m}"),
        }
    }
}

/// `127.0.0.1:port`.
pub fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Opens a connection, waiting at most `timeout`.
pub fn connect(port: u16, timeout: Duration) -> Result<TcpStream, Failure> {
    let stream = TcpStream::connect_timeout(&addr(port), timeout).map_err(Failure::Connect)?;
    stream.set_nodelay(true).map_err(Failure::Io)?;
    Ok(stream)
}

/// The bytes of a request: `Connection: close`, and `Content-Length` when there is a body
/// (`Content-Type: application/json` then too). `extra` adds headers. On `/api/v1/…` the
/// port's token goes along (see the module's documentation).
pub fn request_bytes(
    port: u16,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: Option<&str>,
) -> Vec<u8> {
    let own = extra
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    let token = (path.starts_with("/api/v1/") && !own)
        .then(|| token_of(port))
        .flatten();
    build(port, method, path, extra, body, token.as_deref())
}

/// [`request_bytes`] without any credentials.
pub fn request_bytes_anonima(
    port: u16,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: Option<&str>,
) -> Vec<u8> {
    build(port, method, path, extra, body, None)
}

fn build(
    port: u16,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: Option<&str>,
    token: Option<&str>,
) -> Vec<u8> {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\nConnection: close\r\n"
    );
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    if let Some(body) = body {
        bytes.extend_from_slice(body.as_bytes());
    }
    bytes
}

/// Sends one request and reads the response; the whole exchange must fit in `timeout`.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: Option<&str>,
    timeout: Duration,
) -> Result<Response, Failure> {
    exchange(
        port,
        &request_bytes(port, method, path, extra, body),
        timeout,
    )
}

/// [`request`] without any credentials.
pub fn request_anonima(
    port: u16,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: Option<&str>,
    timeout: Duration,
) -> Result<Response, Failure> {
    exchange(
        port,
        &request_bytes_anonima(port, method, path, extra, body),
        timeout,
    )
}

fn exchange(port: u16, bytes: &[u8], timeout: Duration) -> Result<Response, Failure> {
    let deadline = Instant::now() + timeout;
    let mut stream = connect(port, timeout)?;
    stream.write_all(bytes).map_err(Failure::Io)?;
    read_response(&mut stream, deadline)
}

/// `GET path` with the default time limit.
pub fn get(port: u16, path: &str) -> Result<Response, Failure> {
    request(port, "GET", path, &[], None, TIMEOUT)
}

/// `POST path` with a JSON body and the default time limit.
pub fn post(port: u16, path: &str, body: &Value) -> Result<Response, Failure> {
    request(port, "POST", path, &[], Some(&body.to_string()), TIMEOUT)
}

/// `PATCH path` with a JSON body and the default time limit.
pub fn patch(port: u16, path: &str, body: &Value) -> Result<Response, Failure> {
    request(port, "PATCH", path, &[], Some(&body.to_string()), TIMEOUT)
}

/// Reads one response from `stream`, giving up at `deadline`.
pub fn read_response(stream: &mut TcpStream, deadline: Instant) -> Result<Response, Failure> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(res) = parse(&buf, false)? {
            return Ok(res);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Failure::Timeout { partial: buf });
        }
        stream
            .set_read_timeout(Some(deadline - now))
            .map_err(Failure::Io)?;
        match stream.read(&mut chunk) {
            Ok(0) => {
                return match parse(&buf, true)? {
                    Some(res) => Ok(res),
                    None => Err(Failure::Closed { partial: buf }),
                };
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => return Err(Failure::Timeout { partial: buf }),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Failure::Io(e)),
        }
    }
}

/// How a connection ended while we only listened.
#[derive(Debug)]
pub enum Ending {
    /// The server closed it (FIN), after sending these bytes.
    Closed(Vec<u8>),
    /// The server reset it, after sending these bytes.
    Reset(Vec<u8>),
    /// Still open at the deadline; these bytes arrived.
    StillOpen(Vec<u8>),
}

/// Reads until the server closes the connection or `deadline` passes.
pub fn read_until_closed(stream: &mut TcpStream, deadline: Instant) -> Ending {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Ending::StillOpen(buf);
        }
        if stream.set_read_timeout(Some(deadline - now)).is_err() {
            return Ending::Reset(buf);
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Ending::Closed(buf),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => return Ending::StillOpen(buf),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Ending::Reset(buf),
        }
    }
}

/// Closes both directions without reading what the server may have sent.
pub fn hang_up(stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Both);
    drop(stream);
}

/// A read that ran into its time limit (`WouldBlock` on Unix, `TimedOut` elsewhere).
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A complete response in `buf`, `None` when more bytes are needed (with `eof`: the
/// connection is closed, so a body without a length ends here).
fn parse(buf: &[u8], eof: bool) -> Result<Option<Response>, Failure> {
    let Some(head_end) = find(buf, b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..head_end])
        .map_err(|_| Failure::Malformed("head is not UTF-8".to_owned()))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(Failure::Malformed(format!("status line {status_line:?}")));
    }
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| Failure::Malformed(format!("status line {status_line:?}")))?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| Failure::Malformed(format!("header line {line:?}")))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let rest = &buf[head_end + 4..];
    let value_of = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let body = if status == 204 || status == 304 || (100..200).contains(&status) {
        Vec::new()
    } else if value_of("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        match dechunk(rest)? {
            Some(body) => body,
            None if eof => {
                return Err(Failure::Closed {
                    partial: buf.to_vec(),
                });
            }
            None => return Ok(None),
        }
    } else if let Some(len) = value_of("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| Failure::Malformed(format!("content-length {len:?}")))?;
        if rest.len() < len {
            if eof {
                return Err(Failure::Closed {
                    partial: buf.to_vec(),
                });
            }
            return Ok(None);
        }
        rest[..len].to_vec()
    } else if eof {
        rest.to_vec()
    } else {
        return Ok(None);
    };
    Ok(Some(Response {
        status,
        headers,
        body,
    }))
}

/// The body of a complete chunked encoding, `None` when incomplete.
fn dechunk(mut rest: &[u8]) -> Result<Option<Vec<u8>>, Failure> {
    let mut body = Vec::new();
    loop {
        let Some(line_end) = find(rest, b"\r\n") else {
            return Ok(None);
        };
        let size_text = std::str::from_utf8(&rest[..line_end])
            .map_err(|_| Failure::Malformed("chunk size".to_owned()))?;
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| Failure::Malformed(format!("chunk size {size_text:?}")))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            // Trailers end with an empty line.
            return Ok(find(rest, b"\r\n").map(|_| body));
        }
        if rest.len() < size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
