//! Test helpers: a tiny std-only HTTP/1.1 client (one request per
//! connection, `Connection: close`) and JSON-RPC / JSON-2 call shortcuts.
#![allow(dead_code)]

pub mod recording;

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub const ADMIN_KEY: &str = "admin-api-key-0000000000000000000000000001";
pub const DEMO2_KEY: &str = "demo2-api-key-000000000000000000000000002";

/// An HTTP answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn dechunk(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(pos) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_line = String::from_utf8_lossy(&rest[..pos]).to_string();
        let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("0").trim(), 16).unwrap_or(0);
        rest = &rest[pos + 2..];
        if size == 0 || rest.len() < size {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[(size + 2).min(rest.len())..];
    }
    out
}

/// Sends one request and reads the whole answer.
pub fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to fake odoo");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
        method,
        path,
        port,
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{}: {}\r\n", k, v));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(body).expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read answer");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))).collect();
    let mut payload = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        payload = dechunk(&payload);
    }
    let content_type = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    Resp { status, content_type, headers, body: String::from_utf8_lossy(&payload).to_string() }
}

/// POSTs a JSON body to `/jsonrpc`.
pub fn jsonrpc(port: u16, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1});
    let resp = request(port, "POST", "/jsonrpc", &[("Content-Type", "application/json")], body.to_string().as_bytes());
    assert_eq!(resp.status, 200, "{}", resp.body);
    resp.json()
}

/// `execute_kw` through `/jsonrpc`; returns the whole envelope.
#[allow(clippy::too_many_arguments)]
pub fn execute_kw(
    port: u16,
    db: &str,
    uid: i64,
    key: &str,
    model: &str,
    method: &str,
    args: Value,
    kwargs: Value,
) -> Value {
    jsonrpc(
        port,
        json!({"service": "object", "method": "execute_kw", "args": [db, uid, key, model, method, args, kwargs]}),
    )
}

/// POSTs to `/json/2/<model>/<method>` with a bearer key.
pub fn json2(port: u16, key: &str, model: &str, method: &str, body: Value) -> Resp {
    let auth = format!("bearer {}", key);
    request(
        port,
        "POST",
        &format!("/json/2/{}/{}", model, method),
        &[("Content-Type", "application/json"), ("Authorization", &auth)],
        body.to_string().as_bytes(),
    )
}
