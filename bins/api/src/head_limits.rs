//! Limits on the request head — the request line and the header block — answered in the
//! contract's shape: 414 for a request line over `server.max_request_line_bytes`, 431 for
//! headers over `server.max_header_bytes` or more than `server.max_headers` of them, each
//! with `{"detail": "…"}`.
//!
//! Why below actix: actix-http 3's HTTP/1 decoder answers an oversized head itself, before
//! any middleware runs, with an empty body — a bare 400 for a request target over the `http`
//! crate's 65 534 bytes, a bare 431 for more than 96 headers or a head over 128 KiB — and
//! none of those limits is configurable. So [`LimitedIo`] wraps every accepted TCP stream and
//! reads the request heads as they arrive: it hands actix a head only once the head is
//! complete and within the limits. A head over a limit is never handed over; in its place
//! actix gets a request of the service's own, `GET` [`PATH`] with `Connection: close`, which
//! [`responder`] answers with the 414 or 431. So the answer goes through the app like any
//! other (request id, security headers, access log), comes after the answers to requests
//! pipelined before it, and closes the connection; what else the client sends is read and
//! discarded.
//!
//! To know where each head starts, the wrapper follows the framing of request bodies:
//! a `Content-Length` body is skipped by count. Where it would have to guess — a chunked
//! body, `Upgrade`, `CONNECT`, a head `httparse` refuses, conflicting lengths — it stops
//! checking that connection and leaves the rest of it to actix's own limits. (Clients that
//! send chunked bodies and then an oversized head on the same connection get actix's bare
//! answer; nothing else does.)
//!
//! Cost on the hot path: per request one scan of the head for its line ends and one
//! `httparse` parse of it (with a header array on the stack), no allocation. Only a head
//! that arrives in several reads is copied, into a per-connection buffer.

use std::cell::Cell;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use actix_web::http::StatusCode;
use actix_web::web::{Buf, BytesMut};
use actix_web::{HttpRequest, HttpResponse};
use solicitudes_schemas::{ErrorCode, ErrorMessage};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The path of the request that stands in for a refused head.
pub const PATH: &str = "/_limite-de-cabecera";

/// The request actix gets instead of a head over the limits.
const SUSTITUTO: &[u8] =
    b"GET /_limite-de-cabecera HTTP/1.1\r\nhost: limite\r\nconnection: close\r\n\r\n";

/// actix-http's decoder takes at most this many headers (its `MAX_HEADERS`).
pub const ACTIX_MAX_HEADERS: usize = 96;

/// The limits, from `server.max_request_line_bytes`, `server.max_header_bytes` and
/// `server.max_headers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadLimits {
    /// Longest request line (method, target and version), in bytes, without its CRLF.
    pub max_request_line_bytes: usize,
    /// Most bytes of header lines (each with its CRLF, without the final empty line).
    pub max_header_bytes: usize,
    /// Most header lines.
    pub max_headers: usize,
}

/// Which limit a head went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// The request line: 414.
    RequestLine,
    /// The header block's size: 431.
    HeaderBytes,
    /// The number of headers: 431.
    HeaderCount,
}

/// Connection data (set by the server's `on_connect`): which limit, if any, the head that was
/// replaced by the [`PATH`] request went over, with the limits in force.
#[derive(Debug, Clone)]
pub struct ConnectionLimit {
    exceeded: Rc<Cell<Option<Exceeded>>>,
    limits: HeadLimits,
}

/// Answers the request that stands in for a refused head; on a connection where no head was
/// refused the path does not exist (404, as for any other unknown path).
pub async fn responder(req: HttpRequest) -> HttpResponse {
    let Some(conn) = req.conn_data::<ConnectionLimit>() else {
        return crate::middleware::not_found().await;
    };
    let l = conn.limits;
    let (status, detail) = match conn.exceeded.get() {
        None => return crate::middleware::not_found().await,
        Some(Exceeded::RequestLine) => (
            StatusCode::URI_TOO_LONG,
            format!(
                "La línea de petición (método, ruta y consulta) supera {} bytes",
                l.max_request_line_bytes
            ),
        ),
        Some(Exceeded::HeaderBytes) => (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "Las cabeceras de la petición superan {} bytes",
                l.max_header_bytes
            ),
        ),
        Some(Exceeded::HeaderCount) => (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("La petición trae más de {} cabeceras", l.max_headers),
        ),
    };
    HttpResponse::build(status).json(ErrorMessage::new(
        ErrorCode::of_status(status.as_u16()),
        detail,
    ))
}

/// What the wrapper knows of the bytes that come next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// A request head (or CR/LF before one).
    Head,
    /// This many more bytes of a `Content-Length` body.
    Body(u64),
    /// Not followed any more on this connection: everything is passed through.
    Unchecked,
    /// A head was refused: the stand-in request is (being) delivered and the rest discarded.
    Refused,
}

/// Progress through a head that has not ended yet, with offsets from the head's start.
#[derive(Debug, Clone, Copy, Default)]
struct HeadScan {
    /// CR/LF bytes before the request line (RFC 9112 lets a server ignore them).
    skip: usize,
    /// Bytes already looked at.
    searched: usize,
    /// Where the request line's LF is.
    line_end: Option<usize>,
    /// Header lines ended so far.
    headers: usize,
}

enum HeadResult {
    Incomplete,
    Complete(usize),
    Over(Exceeded),
}

/// What to do with a chunk of bytes read from the client.
enum Verdict {
    /// Hand it all to actix.
    Pass,
    /// Hand over the bytes before this offset; from it on, a head that has not ended yet.
    HoldFrom(usize, HeadScan),
    /// Hand over the bytes before this offset; from it on, a head over a limit.
    RefuseFrom(usize, Exceeded),
}

/// A client connection whose request heads are checked against [`HeadLimits`].
#[derive(Debug)]
pub struct LimitedIo<T> {
    io: T,
    limits: HeadLimits,
    framing: Framing,
    /// Bytes read but not handed to actix yet: the first `ready` may be handed over; the
    /// rest is the start of a head that has not ended (scanned up to `scan`).
    held: BytesMut,
    ready: usize,
    scan: HeadScan,
    exceeded: Rc<Cell<Option<Exceeded>>>,
}

impl<T> LimitedIo<T> {
    /// Wraps a freshly accepted connection.
    pub fn new(io: T, limits: HeadLimits) -> Self {
        Self {
            io,
            limits,
            framing: Framing::Head,
            held: BytesMut::new(),
            ready: 0,
            scan: HeadScan::default(),
            exceeded: Rc::new(Cell::new(None)),
        }
    }

    /// The connection data [`responder`] reads.
    pub fn connection_limit(&self) -> ConnectionLimit {
        ConnectionLimit {
            exceeded: Rc::clone(&self.exceeded),
            limits: self.limits,
        }
    }

    /// Decides what to do with `bytes`, which start where `self.framing` says, updating the
    /// framing. `scan` is the progress through a head that started before `bytes`.
    fn judge(&mut self, bytes: &[u8], mut scan: HeadScan) -> Verdict {
        let mut pos = 0;
        loop {
            match self.framing {
                Framing::Unchecked | Framing::Refused => return Verdict::Pass,
                Framing::Body(n) => {
                    let left = bytes.len() - pos;
                    let take = usize::try_from(n).map_or(left, |n| n.min(left));
                    pos += take;
                    let n = n - take as u64;
                    if n > 0 {
                        self.framing = Framing::Body(n);
                        return Verdict::Pass;
                    }
                    self.framing = Framing::Head;
                    scan = HeadScan::default();
                }
                Framing::Head => {
                    if pos == bytes.len() {
                        return Verdict::Pass;
                    }
                    match scan_head(&bytes[pos..], &mut scan, &self.limits) {
                        HeadResult::Incomplete => return Verdict::HoldFrom(pos, scan),
                        HeadResult::Over(kind) => return Verdict::RefuseFrom(pos, kind),
                        HeadResult::Complete(len) => {
                            self.framing = framing_after(&bytes[pos + scan.skip..pos + len]);
                            pos += len;
                            scan = HeadScan::default();
                        }
                    }
                }
            }
        }
    }

    /// Queues the stand-in request after what is held, and refuses the rest.
    fn refuse(&mut self, kind: Exceeded) {
        self.exceeded.set(Some(kind));
        self.framing = Framing::Refused;
        self.held.extend_from_slice(SUSTITUTO);
        self.ready = self.held.len();
        tracing::info!(limit = ?kind, "request head over the limits: answered 414/431");
    }
}

/// Looks for the end of a head in `b` (which starts at the head), checking the limits on the
/// way, from where `s` left off.
fn scan_head(b: &[u8], s: &mut HeadScan, l: &HeadLimits) -> HeadResult {
    if s.line_end.is_none() && s.searched == s.skip {
        while s.skip < b.len() && matches!(b[s.skip], b'\r' | b'\n') {
            s.skip += 1;
        }
        s.searched = s.skip;
    }
    let mut i = s.searched;
    while let Some(off) = b[i..].iter().position(|&c| c == b'\n') {
        let lf = i + off;
        match s.line_end {
            None => {
                if line_len(b, s.skip, lf) > l.max_request_line_bytes {
                    return HeadResult::Over(Exceeded::RequestLine);
                }
                s.line_end = Some(lf);
            }
            Some(line_end) => {
                let start = prev_line_start(b, lf);
                if line_len(b, start, lf) == 0 {
                    // The empty line: the head ends here.
                    if start - (line_end + 1) > l.max_header_bytes {
                        return HeadResult::Over(Exceeded::HeaderBytes);
                    }
                    return HeadResult::Complete(lf + 1);
                }
                s.headers += 1;
                if s.headers > l.max_headers {
                    return HeadResult::Over(Exceeded::HeaderCount);
                }
            }
        }
        i = lf + 1;
    }
    s.searched = b.len();
    match s.line_end {
        None if b.len() - s.skip > l.max_request_line_bytes + 1 => {
            HeadResult::Over(Exceeded::RequestLine)
        }
        Some(line_end) if b.len() - (line_end + 1) > l.max_header_bytes + 1 => {
            HeadResult::Over(Exceeded::HeaderBytes)
        }
        _ => HeadResult::Incomplete,
    }
}

/// Length of the line `b[start..lf]` without a trailing CR.
fn line_len(b: &[u8], start: usize, lf: usize) -> usize {
    let end = if lf > start && b[lf - 1] == b'\r' {
        lf - 1
    } else {
        lf
    };
    end - start
}

/// Where the line that ends at `lf` starts.
fn prev_line_start(b: &[u8], lf: usize) -> usize {
    b[..lf]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1)
}

/// How the bytes after a complete head are framed: a `Content-Length` body, none, or — for
/// anything the wrapper does not follow exactly — unchecked from here on.
fn framing_after(head: &[u8]) -> Framing {
    let mut headers = [httparse::EMPTY_HEADER; ACTIX_MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    if !matches!(req.parse(head), Ok(httparse::Status::Complete(_))) {
        return Framing::Unchecked;
    }
    if req.method == Some("CONNECT") {
        return Framing::Unchecked;
    }
    let mut length = None;
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(h.value)
                .ok()
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok());
            match (length, n) {
                (None, Some(n)) => length = Some(n),
                _ => return Framing::Unchecked,
            }
        } else if h.name.eq_ignore_ascii_case("transfer-encoding")
            || h.name.eq_ignore_ascii_case("upgrade")
        {
            return Framing::Unchecked;
        }
    }
    match length {
        Some(n) if n > 0 => Framing::Body(n),
        _ => Framing::Head,
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for LimitedIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.ready > 0 {
                let n = this.ready.min(buf.remaining());
                buf.put_slice(&this.held[..n]);
                this.held.advance(n);
                this.ready -= n;
                return Poll::Ready(Ok(()));
            }
            if this.framing == Framing::Refused {
                // Read and discard what the client still sends, so that closing the
                // connection does not reset it before the client has read the answer.
                let mut sink = [0_u8; 4096];
                let mut sink = ReadBuf::new(&mut sink);
                ready!(Pin::new(&mut this.io).poll_read(cx, &mut sink))?;
                if sink.filled().is_empty() {
                    return Poll::Ready(Ok(()));
                }
                continue;
            }
            if this.held.is_empty() {
                // Usual case: read straight into actix's buffer.
                let before = buf.filled().len();
                ready!(Pin::new(&mut this.io).poll_read(cx, buf))?;
                let new = &buf.filled()[before..];
                if new.is_empty() {
                    return Poll::Ready(Ok(()));
                }
                let len = new.len();
                let verdict = this.judge(new, HeadScan::default());
                match verdict {
                    Verdict::Pass => return Poll::Ready(Ok(())),
                    Verdict::HoldFrom(at, scan) => {
                        this.held
                            .extend_from_slice(&buf.filled()[before + at..before + len]);
                        this.scan = scan;
                        buf.set_filled(before + at);
                        if at > 0 {
                            return Poll::Ready(Ok(()));
                        }
                    }
                    Verdict::RefuseFrom(at, kind) => {
                        buf.set_filled(before + at);
                        this.refuse(kind);
                        if at > 0 {
                            return Poll::Ready(Ok(()));
                        }
                    }
                }
            } else {
                // A head arriving in pieces: add to what is held.
                let mut more = [0_u8; 8192];
                let mut more = ReadBuf::new(&mut more);
                ready!(Pin::new(&mut this.io).poll_read(cx, &mut more))?;
                if more.filled().is_empty() {
                    // The client stopped mid-head: let actix see what came, then the end.
                    this.ready = this.held.len();
                    this.framing = Framing::Unchecked;
                    continue;
                }
                this.held.extend_from_slice(more.filled());
                let held = std::mem::take(&mut this.held);
                let scan = this.scan;
                let verdict = this.judge(&held, scan);
                this.held = held;
                match verdict {
                    Verdict::Pass => this.ready = this.held.len(),
                    Verdict::HoldFrom(at, scan) => {
                        this.ready = at;
                        this.scan = scan;
                    }
                    Verdict::RefuseFrom(at, kind) => {
                        this.held.truncate(at);
                        this.refuse(kind);
                    }
                }
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for LimitedIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
