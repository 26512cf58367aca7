//! loadgen — a small open-loop HTTP/1.1 load generator with coordinated-omission correction,
//! used by `make bench` (scripts/bench/bench.py) for the fixed-rate latency runs.
//!
//! A binary of the workspace's `xtask` crate (linted and built like the rest), standard library
//! only but for one `prctl`: `cargo build --release -p solicitudes-xtask --bin loadgen`, which
//! bench.py runs.
//!
//! Why not wrk: wrk (the one Debian ships) is closed-loop — each connection waits for its
//! response before sending the next request — so when the server stalls, wrk simply sends
//! fewer requests and the stall is seen by one sample instead of by every request that
//! *should* have been sent meanwhile ("coordinated omission"). wrk2 fixes that but is not
//! packaged, and oha takes minutes to build. This program is the wrk2/oha model, nothing more:
//!
//! * Request `i` is *due* at `start + i / rate`. Up to `--connections` keep-alive
//!   connections (one thread each) take the next due request, wait until it is due, send it
//!   and read the whole response.
//! * The **corrected** latency of a request is `response complete − due time`: when every
//!   connection is busy, the time a request spends waiting to be sent counts, as it would for
//!   a real user arriving at that moment. The **uncorrected** latency (`complete − sent`) is
//!   printed as well, for comparison.
//! * `--rate 0` is closed-loop instead (send as fast as responses come back), for machines
//!   without wrk.
//!
//! Requests come from a file of raw HTTP/1.1 requests, each preceded by a line with its
//! length in bytes ("<len>\n<bytes>"). Request `i` is entry `i mod n`; with `--once` the run
//! stops when every entry has been sent once (writes that must touch each row only once).
//!
//! Output: one JSON object on stdout (latencies in microseconds).
//!
//! Usage:
//!   loadgen --addr 127.0.0.1:8000 --requests FILE --rate 4000 --duration 10
//!           [--connections 10] [--once] [--count N]
//!
//! `--count N` stops after N requests (profiling a fixed amount of work).

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Args {
    addr: String,
    requests: String,
    rate: f64,
    duration: f64,
    connections: usize,
    once: bool,
    count: Option<u64>,
}

fn usage() -> ! {
    eprintln!(
        "usage: loadgen --addr HOST:PORT --requests FILE --rate PER_SECOND --duration SECONDS \
         [--connections N] [--once] [--count N]"
    );
    std::process::exit(2);
}

fn parse_args() -> Args {
    let mut a = Args {
        addr: String::new(),
        requests: String::new(),
        rate: -1.0,
        duration: 10.0,
        connections: 10,
        once: false,
        count: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--addr" => a.addr = value(),
            "--requests" => a.requests = value(),
            "--rate" => a.rate = value().parse().unwrap_or_else(|_| usage()),
            "--duration" => a.duration = value().parse().unwrap_or_else(|_| usage()),
            "--connections" => a.connections = value().parse().unwrap_or_else(|_| usage()),
            "--once" => a.once = true,
            "--count" => a.count = Some(value().parse().unwrap_or_else(|_| usage())),
            _ => usage(),
        }
    }
    if a.addr.is_empty() || a.requests.is_empty() || a.rate < 0.0 || a.duration <= 0.0 {
        usage();
    }
    a.connections = a.connections.max(1);
    a
}

fn load_requests(path: &str) -> Vec<Vec<u8>> {
    let data = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("loadgen: cannot read {path}: {e}");
        std::process::exit(2);
    });
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let nl = match data[pos..].iter().position(|&b| b == b'\n') {
            Some(nl) => pos + nl,
            None => break,
        };
        let len: usize = std::str::from_utf8(&data[pos..nl])
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(|| {
                eprintln!("loadgen: {path}: bad length line at byte {pos}");
                std::process::exit(2);
            });
        let start = nl + 1;
        if start + len > data.len() {
            eprintln!("loadgen: {path}: truncated request at byte {pos}");
            std::process::exit(2);
        }
        out.push(data[start..start + len].to_vec());
        pos = start + len;
    }
    if out.is_empty() {
        eprintln!("loadgen: {path}: no requests");
        std::process::exit(2);
    }
    out
}

// Linux timer slack defaults to 50 µs, which would add up to 50 µs of *our* lateness to
// every paced request. 1 ns makes sleeps end within a few µs of their deadline.
#[cfg(target_os = "linux")]
fn tighten_timer_slack() {
    // prctl(PR_SET_TIMERSLACK, 1): only this thread's timer slack changes.
    let _ = rustix::thread::set_current_timer_slack(std::num::NonZeroU64::new(1));
}

#[cfg(not(target_os = "linux"))]
fn tighten_timer_slack() {}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads one response; returns its status and whether the server will close the connection.
fn read_response(s: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<(u16, bool)> {
    buf.clear();
    let mut tmp = [0u8; 32 * 1024];
    let header_end = loop {
        let n = s.read(&mut tmp)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        let from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&tmp[..n]);
        if let Some(p) = find(&buf[from..], b"\r\n\r\n") {
            break from + p + 4;
        }
    };
    let head = std::str::from_utf8(&buf[..header_end])
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "non-UTF-8 head"))?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad status line"))?;
    let mut content_length: Option<usize> = None;
    let mut chunked = false;
    let mut close = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    if chunked {
        // Enough for this benchmark: the body ends with the zero-length chunk.
        while !buf[header_end..].ends_with(b"0\r\n\r\n") {
            let n = s.read(&mut tmp)?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "closed mid-body",
                ));
            }
            buf.extend_from_slice(&tmp[..n]);
        }
    } else if let Some(len) = content_length {
        while buf.len() < header_end + len {
            let n = s.read(&mut tmp)?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "closed mid-body",
                ));
            }
            buf.extend_from_slice(&tmp[..n]);
        }
    }
    Ok((status, close))
}

fn connect(addr: &str) -> io::Result<TcpStream> {
    let s = TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    s.set_write_timeout(Some(Duration::from_secs(30)))?;
    Ok(s)
}

#[derive(Default)]
struct Tally {
    corrected_ns: Vec<u64>,
    uncorrected_ns: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    io_errors: u64,
    late_ns_max: u64,
}

struct Shared {
    addr: String,
    requests: Vec<Vec<u8>>,
    next: AtomicU64,
    total: u64,
    period_ns: f64,
    start: Instant,
    deadline: Instant,
    once: bool,
    exhausted: AtomicBool,
    timed_out: AtomicBool,
}

fn worker(sh: Arc<Shared>) -> Tally {
    tighten_timer_slack();
    let mut t = Tally::default();
    let mut conn: Option<TcpStream> = None;
    let mut buf = Vec::with_capacity(64 * 1024);
    loop {
        let i = sh.next.fetch_add(1, Ordering::Relaxed);
        if i >= sh.total {
            break;
        }
        if sh.once && i >= sh.requests.len() as u64 {
            sh.exhausted.store(true, Ordering::Relaxed);
            break;
        }
        let due = if sh.period_ns > 0.0 {
            sh.start + Duration::from_nanos((i as f64 * sh.period_ns) as u64)
        } else {
            Instant::now()
        };
        let now = Instant::now();
        if now >= sh.deadline {
            sh.timed_out.store(true, Ordering::Relaxed);
            break;
        }
        if due > now {
            std::thread::sleep(due - now);
        }
        let sent = Instant::now();
        t.late_ns_max = t
            .late_ns_max
            .max(sent.saturating_duration_since(due).as_nanos() as u64);
        let req = &sh.requests[(i % sh.requests.len() as u64) as usize];
        let result = (|| -> io::Result<(u16, bool)> {
            let s = match &mut conn {
                Some(s) => s,
                None => conn.insert(connect(&sh.addr)?),
            };
            s.write_all(req)?;
            read_response(s, &mut buf)
        })();
        let done = Instant::now();
        match result {
            Ok((status, close)) => {
                t.corrected_ns
                    .push(done.duration_since(due).as_nanos() as u64);
                t.uncorrected_ns
                    .push(done.duration_since(sent).as_nanos() as u64);
                *t.statuses.entry(status).or_insert(0) += 1;
                if close {
                    conn = None;
                }
            }
            Err(_) => {
                t.io_errors += 1;
                conn = None;
            }
        }
    }
    t
}

fn percentiles(mut v: Vec<u64>) -> String {
    if v.is_empty() {
        return "null".to_owned();
    }
    v.sort_unstable();
    let at = |p: f64| -> f64 {
        let idx = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
        v[idx] as f64 / 1000.0
    };
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64 / 1000.0;
    format!(
        "{{\"p50\": {:.1}, \"p90\": {:.1}, \"p99\": {:.1}, \"p99_9\": {:.1}, \"max\": {:.1}, \"mean\": {:.1}}}",
        at(0.50),
        at(0.90),
        at(0.99),
        at(0.999),
        v[v.len() - 1] as f64 / 1000.0,
        mean
    )
}

fn main() {
    let args = parse_args();
    let requests = load_requests(&args.requests);
    let closed_loop = args.rate == 0.0;
    let total = if closed_loop {
        u64::MAX
    } else {
        (args.rate * args.duration).round() as u64
    };
    let total = args.count.map_or(total, |c| c.min(total));
    let start = Instant::now() + Duration::from_millis(50);
    // Paced runs get extra time to drain a backlog; past that, unsent requests are reported.
    let grace = if closed_loop {
        0.0
    } else {
        args.duration * 2.0 + 5.0
    };
    let shared = Arc::new(Shared {
        addr: args.addr.clone(),
        requests,
        next: AtomicU64::new(0),
        total,
        period_ns: if closed_loop { 0.0 } else { 1e9 / args.rate },
        start,
        deadline: start + Duration::from_secs_f64(args.duration + grace),
        once: args.once,
        exhausted: AtomicBool::new(false),
        timed_out: AtomicBool::new(false),
    });
    let handles: Vec<_> = (0..args.connections)
        .map(|_| {
            let sh = Arc::clone(&shared);
            std::thread::spawn(move || worker(sh))
        })
        .collect();
    let mut all = Tally::default();
    for h in handles {
        let Ok(t) = h.join() else {
            eprintln!("loadgen: a worker thread panicked");
            std::process::exit(1);
        };
        all.corrected_ns.extend(t.corrected_ns);
        all.uncorrected_ns.extend(t.uncorrected_ns);
        for (k, v) in t.statuses {
            *all.statuses.entry(k).or_insert(0) += v;
        }
        all.io_errors += t.io_errors;
        all.late_ns_max = all.late_ns_max.max(t.late_ns_max);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let completed: u64 = all.statuses.values().sum();
    let non_2xx: u64 = all
        .statuses
        .iter()
        .filter(|(k, _)| !(200..400).contains(*k))
        .map(|(_, v)| v)
        .sum();
    let attempted = completed + all.io_errors;
    let unsent = if closed_loop || args.once && shared.exhausted.load(Ordering::Relaxed) {
        0
    } else {
        total.saturating_sub(attempted)
    };
    let statuses: Vec<String> = all
        .statuses
        .iter()
        .map(|(k, v)| format!("\"{k}\": {v}"))
        .collect();
    println!(
        "{{\"mode\": \"{}\", \"target_rate\": {}, \"connections\": {}, \"duration_s\": {:.3}, \
         \"requests\": {}, \"achieved_rate\": {:.1}, \"statuses\": {{{}}}, \"non_2xx\": {}, \
         \"io_errors\": {}, \"unsent\": {}, \"exhausted\": {}, \"max_send_lateness_us\": {:.1}, \
         \"latency_corrected_us\": {}, \"latency_uncorrected_us\": {}}}",
        if closed_loop { "closed" } else { "open" },
        args.rate,
        args.connections,
        elapsed,
        completed,
        completed as f64 / elapsed,
        statuses.join(", "),
        non_2xx,
        all.io_errors,
        unsent,
        shared.exhausted.load(Ordering::Relaxed),
        all.late_ns_max as f64 / 1000.0,
        percentiles(all.corrected_ns),
        percentiles(all.uncorrected_ns),
    );
}
