//! The HTTP/1.1 transport: a std-only listener that serves each connection
//! on its own thread (so a delayed answer never stalls another connection),
//! with keep-alive, pipelining, `Content-Length` and chunked request bodies,
//! `Expect: 100-continue`, HEAD, and the raw socket control the fault
//! injection needs (truncated bodies, closing without an answer).

use crate::http::{self, pages, Reply, Shared};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A parsed HTTP request.
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What to send back.
pub enum Answer {
    Reply(Reply),
    /// The head of the reply (declaring its full length), then only the
    /// first half of its body, then the connection closes.
    Truncated(Reply),
    /// Close the connection without a byte of answer.
    Close,
}

const MAX_BODY: usize = 64 * 1024 * 1024;
const MAX_LINE: u64 = 64 * 1024;
const MAX_HEADERS: usize = 200;
/// Idle keep-alive connections are dropped after this long.
const IDLE: Duration = Duration::from_secs(120);

enum ReadError {
    /// The client closed (or went idle) between requests.
    Eof,
    /// Unparseable request: answer this and close.
    Bad(Reply),
}

fn bad_request() -> ReadError {
    ReadError::Bad(pages::werkzeug(
        400,
        "Bad Request",
        "The browser (or proxy) sent a request that this server could not understand.",
    ))
}

fn read_line(reader: &mut impl BufRead) -> Result<Option<String>, ReadError> {
    let mut line = Vec::new();
    match reader.take(MAX_LINE).read_until(b'\n', &mut line) {
        Ok(0) => return Ok(None),
        Ok(_) if !line.ends_with(b"\n") => return Err(bad_request()),
        Ok(_) => {}
        Err(_) => return Err(ReadError::Eof),
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

fn read_chunked(reader: &mut impl BufRead) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or_else(bad_request)?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| bad_request())?;
        if size == 0 {
            // Trailers, up to the blank line.
            while !read_line(reader)?.ok_or_else(bad_request)?.is_empty() {}
            return Ok(body);
        }
        if body.len().saturating_add(size) > MAX_BODY {
            return Err(too_large());
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).map_err(|_| bad_request())?;
        read_line(reader)?;
    }
}

fn too_large() -> ReadError {
    ReadError::Bad(pages::werkzeug(
        413,
        "Request Entity Too Large",
        "The data value transmitted exceeds the capacity limit.",
    ))
}

/// Reads one request; `writer` receives the `100 Continue` if asked for.
fn read_request(reader: &mut impl BufRead, writer: &mut impl Write) -> Result<(Request, bool), ReadError> {
    let mut line = String::new();
    while line.is_empty() {
        line = read_line(reader)?.ok_or(ReadError::Eof)?;
    }
    let parts: Vec<&str> = line.split_whitespace().collect();
    let [method, url, proto] = parts.as_slice() else {
        return Err(bad_request());
    };
    if !proto.starts_with("HTTP/1.") {
        return Err(bad_request());
    }
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or_else(bad_request)?;
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').ok_or_else(bad_request)?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
        if headers.len() > MAX_HEADERS {
            return Err(bad_request());
        }
    }
    let mut req = Request { method: method.to_uppercase(), url: url.to_string(), headers, body: Vec::new() };
    let connection = req.header("Connection").unwrap_or("").to_lowercase();
    let keep_alive =
        if *proto == "HTTP/1.0" { connection.contains("keep-alive") } else { !connection.contains("close") };
    let chunked = req.header("Transfer-Encoding").is_some_and(|te| te.to_lowercase().contains("chunked"));
    let length = match req.header("Content-Length") {
        Some(_) if chunked => 0,
        Some(n) => n.trim().parse::<usize>().map_err(|_| bad_request())?,
        None => 0,
    };
    if length > MAX_BODY {
        return Err(too_large());
    }
    if (chunked || length > 0) && req.header("Expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
        let _ = writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        let _ = writer.flush();
    }
    req.body = if chunked {
        read_chunked(reader)?
    } else {
        let mut body = vec![0; length];
        reader.read_exact(&mut body).map_err(|_| ReadError::Eof)?;
        body
    };
    Ok((req, keep_alive))
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        303 => "See Other",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Writes `reply`, declaring `declared` body bytes but sending `sent` of them.
fn write_reply(
    out: &mut impl Write,
    reply: &Reply,
    keep_alive: bool,
    declared: usize,
    sent: usize,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        declared
    );
    for (k, v) in &reply.headers {
        if !k.contains(['\r', '\n']) && !v.contains(['\r', '\n']) {
            head.push_str(&format!("{}: {}\r\n", k, v));
        }
    }
    if !keep_alive {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    let body = reply.body.as_bytes();
    bytes.extend_from_slice(&body[..sent.min(body.len())]);
    out.write_all(&bytes)?;
    out.flush()
}

/// Serves one connection until it closes (or asks to be closed).
fn serve(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let (req, keep_alive) = match read_request(&mut reader, &mut writer) {
            Ok(r) => r,
            Err(ReadError::Eof) => break,
            Err(ReadError::Bad(reply)) => {
                let n = reply.body.len();
                let _ = write_reply(&mut writer, &reply, false, n, n);
                break;
            }
        };
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| http::route(shared, &req)))
            .unwrap_or_else(|_| Answer::Reply(pages::internal_error()));
        let head_only = req.method == "HEAD";
        let written = match answer {
            Answer::Reply(reply) => {
                let n = reply.body.len();
                let sent = if head_only { 0 } else { n };
                write_reply(&mut writer, &reply, keep_alive, n, sent).map(|_| keep_alive)
            }
            Answer::Truncated(reply) => {
                let n = reply.body.len().max(2);
                write_reply(&mut writer, &reply, true, n, n / 2).map(|_| false)
            }
            Answer::Close => Ok(false),
        };
        if !matches!(written, Ok(true)) {
            break;
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

/// A listening server; [`Running::shutdown`] stops it.
pub struct Running {
    port: u16,
    shared: Arc<Shared>,
    conns: Arc<Mutex<HashMap<u64, TcpStream>>>,
    accept: Option<JoinHandle<()>>,
}

impl Running {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops accepting, closes every open connection and waits for the
    /// accepting thread. Idempotent.
    pub fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let Some(accept) = self.accept.take() else {
            return;
        };
        // Wake the blocking accept so it sees the stop flag.
        let _ = TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), Duration::from_secs(1));
        let _ = accept.join();
        let conns = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        for stream in conns.values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Listens on 127.0.0.1:`port` (0: any free port) and serves `shared`.
pub fn start(port: u16, shared: Arc<Shared>) -> std::io::Result<Running> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let port = listener.local_addr()?.port();
    let conns: Arc<Mutex<HashMap<u64, TcpStream>>> = Arc::default();
    let (shared2, conns2) = (shared.clone(), conns.clone());
    let accept = std::thread::Builder::new()
        .name("fake-odoo-accept".into())
        .spawn(move || accept_loop(listener, shared2, conns2))?;
    Ok(Running { port, shared, conns, accept: Some(accept) })
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>, conns: Arc<Mutex<HashMap<u64, TcpStream>>>) {
    let next_id = AtomicU64::new(0);
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let id = next_id.fetch_add(1, Ordering::SeqCst);
        if let Ok(clone) = stream.try_clone() {
            conns.lock().unwrap_or_else(|e| e.into_inner()).insert(id, clone);
        }
        let (shared, conns2) = (shared.clone(), conns.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("fake-odoo-conn-{}", id))
            .stack_size(8 * 1024 * 1024)
            .spawn(move || {
                serve(stream, &shared);
                conns2.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
            });
        if spawned.is_err() {
            if let Some(s) = conns.lock().unwrap_or_else(|e| e.into_inner()).remove(&id) {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }
}
