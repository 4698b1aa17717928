//! Native test support: a SQLite `Db` that applies the real `schema.sql`, a plain-TCP `Http`, a tiny
//! executor, and a `Harness` that wires them to the fake Odoo and drives the server like a client.
#![allow(dead_code)]

pub mod faults;
pub mod latency;

use fake_odoo::{Config, FakeOdoo, OdooVersion};
use odoo_mcp_edge::config::Settings;
use odoo_mcp_edge::http::{HttpRequest, HttpResponse};
use odoo_mcp_edge::mcp::stream::ResponseStream;
use odoo_mcp_edge::platform::{
    classify_db_error, Db, DbError, Http, HttpError, InboundResponse, LocalBoxFuture, OutboundRequest, Row, Stmt,
};
use serde_json::{json, Map, Value};
use std::cell::{OnceCell, RefCell};
use std::future::Future;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

pub const SCHEMA: &str = include_str!("../../schema.sql");
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef";

/// Runs a future to completion. Our test `Db` and `Http` never return `Pending`.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

pub struct SqliteDb {
    pub conn: RefCell<rusqlite::Connection>,
    /// Batches run so far (shared, so that a hook can read it).
    pub batches: std::rc::Rc<std::cell::Cell<u64>>,
}

impl SqliteDb {
    pub fn new() -> SqliteDb {
        let conn = rusqlite::Connection::open_in_memory().expect("sqlite");
        conn.execute_batch(SCHEMA).expect("schema.sql applies");
        SqliteDb { conn: RefCell::new(conn), batches: Default::default() }
    }

    pub fn rows(&self, sql: &str) -> Vec<Row> {
        block_on(self.batch(vec![Stmt::new(Box::leak(sql.to_string().into_boxed_str()), vec![])]))
            .expect("query")
            .remove(0)
    }
}

fn to_sql(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as S;
    match v {
        Value::Null => S::Null,
        Value::Bool(b) => S::Integer(*b as i64),
        Value::Number(n) => n.as_i64().map(S::Integer).unwrap_or_else(|| S::Real(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => S::Text(s.clone()),
        other => S::Text(other.to_string()),
    }
}

impl Db for SqliteDb {
    fn batch<'a>(&'a self, stmts: Vec<Stmt>) -> LocalBoxFuture<'a, Result<Vec<Vec<Row>>, DbError>> {
        Box::pin(async move {
            self.batches.set(self.batches.get() + 1);
            let mut conn = self.conn.borrow_mut();
            let tx = conn.transaction().map_err(|e| classify_db_error(&e.to_string()))?;
            let mut out = Vec::new();
            for s in &stmts {
                let mut st = tx.prepare(s.sql).map_err(|e| classify_db_error(&e.to_string()))?;
                let names: Vec<String> = st.column_names().iter().map(|c| c.to_string()).collect();
                let params: Vec<rusqlite::types::Value> = s.params.iter().map(to_sql).collect();
                let mut rows =
                    st.query(rusqlite::params_from_iter(params)).map_err(|e| classify_db_error(&e.to_string()))?;
                let mut result = Vec::new();
                while let Some(r) = rows.next().map_err(|e| classify_db_error(&e.to_string()))? {
                    let mut m = Map::new();
                    for (i, n) in names.iter().enumerate() {
                        use rusqlite::types::ValueRef as V;
                        let v = match r.get_ref(i).map_err(|e| DbError::Other(e.to_string()))? {
                            V::Null => Value::Null,
                            V::Integer(i) => json!(i),
                            V::Real(f) => json!(f),
                            V::Text(t) => json!(String::from_utf8_lossy(t)),
                            V::Blob(_) => Value::Null,
                        };
                        m.insert(n.clone(), v);
                    }
                    result.push(m);
                }
                out.push(result);
            }
            drop(tx.commit());
            Ok(out)
        })
    }
}

/// HTTP/1.1 over a plain TCP socket (enough for the fake Odoo on loopback).
pub struct TcpHttp {
    pub requests: RefCell<Vec<String>>,
    /// The URL and body of each outbound request, to check what was sent to Odoo.
    pub sent: RefCell<Vec<(String, String)>>,
    /// Runs before each outbound request (e.g. to make the client go away mid-request).
    pub on_send: RefCell<Option<Box<dyn Fn()>>>,
}

impl TcpHttp {
    pub fn new() -> TcpHttp {
        TcpHttp { requests: RefCell::new(Vec::new()), sent: RefCell::new(Vec::new()), on_send: RefCell::new(None) }
    }
}

impl Http for TcpHttp {
    fn send<'a>(&'a self, req: OutboundRequest) -> LocalBoxFuture<'a, Result<InboundResponse, HttpError>> {
        Box::pin(async move {
            self.requests.borrow_mut().push(format!("{} {}", req.method, req.url));
            self.sent.borrow_mut().push((req.url.clone(), req.body.clone().unwrap_or_default()));
            if let Some(hook) = self.on_send.borrow().as_ref() {
                hook();
            }
            let rest = req
                .url
                .strip_prefix("http://")
                .ok_or_else(|| HttpError::Network("test client speaks http only".into()))?;
            let (authority, path) =
                rest.split_once('/').map(|(a, p)| (a, format!("/{p}"))).unwrap_or((rest, "/".into()));
            let timeout = Duration::from_millis(req.timeout_ms);
            let addr: std::net::SocketAddr = authority
                .replace("localhost", "127.0.0.1")
                .parse()
                .map_err(|_| HttpError::Network(format!("bad address {authority}")))?;
            let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(|e| HttpError::Network(e.to_string()))?;
            s.set_read_timeout(Some(timeout)).ok();
            let body = req.body.unwrap_or_default();
            let mut head = format!(
                "{} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n",
                req.method,
                body.len()
            );
            for (k, v) in &req.headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            s.write_all(head.as_bytes())
                .and_then(|_| s.write_all(body.as_bytes()))
                .map_err(|e| HttpError::Network(e.to_string()))?;
            let mut raw = Vec::new();
            match s.read_to_end(&mut raw) {
                Ok(_) => {}
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    return Err(HttpError::Timeout)
                }
                Err(e) => return Err(HttpError::Network(e.to_string())),
            }
            let text = String::from_utf8_lossy(&raw).to_string();
            let (head, body) =
                text.split_once("\r\n\r\n").ok_or_else(|| HttpError::Network("truncated answer".into()))?;
            let status = head
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| HttpError::Network("bad status line".into()))?;
            let header = |name: &str| {
                head.lines().find_map(|l| {
                    l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_string())
                })
            };
            let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
                dechunk(body)
            } else {
                body.to_string()
            };
            Ok(InboundResponse {
                status,
                content_type: header("content-type").unwrap_or_default(),
                retry_after: header("retry-after"),
                location: header("location"),
                body,
            })
        })
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// The origin the harness's worker answers on.
pub const WORKER_ORIGIN: &str = "http://127.0.0.1:8787";

/// Each Odoo the fake imitates, and whether its connection is moved to `/jsonrpc` (19 detects JSON-2;
/// 16–18 speak only `/jsonrpc`).
pub const TRANSPORTS: [(OdooVersion, bool); 5] = [
    (OdooVersion::V16, false),
    (OdooVersion::V17, false),
    (OdooVersion::V18, false),
    (OdooVersion::V19, false),
    (OdooVersion::V19, true),
];

pub fn settings() -> Settings {
    Settings {
        admin_token: Some(ADMIN_TOKEN.into()),
        credentials_key: Some([42u8; 32]),
        dev_allow_loopback: true,
        allowed_origins: vec!["https://console.example.com".into()],
        default_rate_limit: 1000,
        odoo_timeout_ms: 5000,
        audit_retention_days: 90,
        list_page_size: 50,
        max_response_bytes: odoo_mcp_edge::config::DEFAULT_MAX_RESPONSE_BYTES,
        subrequest_budget: odoo_mcp_edge::config::DEFAULT_SUBREQUEST_BUDGET,
        batch_time_limit_ms: odoo_mcp_edge::config::DEFAULT_BATCH_TIME_LIMIT_MS,
        auth_failures_per_minute: odoo_mcp_edge::config::DEFAULT_AUTH_FAILURES_PER_MINUTE,
        // The list-watch tests wait for a change: a look every tenth of a second.
        list_watch_ms: 100,
        max_attachment_bytes: odoo_mcp_edge::config::DEFAULT_MAX_ATTACHMENT_BYTES,
    }
}

/// A server (the core, on SQLite) with fake Odoo 17 and 19 servers behind it,
/// and 16 and 18 started when a test first asks for them.
pub struct Harness {
    pub db: SqliteDb,
    pub http: TcpHttp,
    pub settings: Settings,
    pub odoo19: FakeOdoo,
    pub odoo17: FakeOdoo,
    odoo16: OnceCell<FakeOdoo>,
    odoo18: OnceCell<FakeOdoo>,
    pub now: RefCell<i64>,
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub raw: String,
    /// The fields the core added to the request's log line.
    pub log: Map<String, Value>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl Harness {
    pub fn new() -> Harness {
        Harness {
            db: SqliteDb::new(),
            http: TcpHttp::new(),
            settings: settings(),
            odoo19: FakeOdoo::start(Config::new(OdooVersion::V19)).expect("fake odoo 19"),
            odoo17: FakeOdoo::start(Config::new(OdooVersion::V17)).expect("fake odoo 17"),
            odoo16: OnceCell::new(),
            odoo18: OnceCell::new(),
            now: RefCell::new(odoo_mcp_edge::platform::now_ms()),
        }
    }

    pub fn raw(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        self.raw_with_stream(method, path, headers, body, &ResponseStream::new())
    }

    /// Like `raw`, with the response stream given (so a test can play the client closing it).
    pub fn raw_with_stream(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        stream: &ResponseStream,
    ) -> Resp {
        block_on(self.raw_async(method, path, headers, body, stream))
    }

    /// `raw_with_stream` as a future, so that a test can run two requests at once (one waiting for an
    /// answer the other brings).
    pub async fn raw_async(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        stream: &ResponseStream,
    ) -> Resp {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let req = HttpRequest {
            method: method.into(),
            path: path.into(),
            query: query.into(),
            origin: WORKER_ORIGIN.into(),
            headers: headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())).collect(),
            body: body.to_vec(),
        };
        let subrequests = odoo_mcp_edge::subrequests::Subrequests::new();
        let svc = odoo_mcp_edge::Services {
            sleep: odoo_mcp_edge::platform::thread_sleep,
            db: &self.db,
            http: &self.http,
            settings: &self.settings,
            now: *self.now.borrow(),
            subrequests: &subrequests,
        };
        let mut outcome = odoo_mcp_edge::serve(req, &svc, stream).await;
        if let Some(streamed) = stream.clone().into_buffered_response() {
            outcome.response = streamed;
        }
        if !outcome.after.is_empty() {
            self.db.batch(outcome.after).await.expect("after-response statements run");
        }
        let mut r = to_resp(outcome.response);
        r.log = outcome.log;
        r
    }

    /// A 2026-07-28 request with a valid envelope and the routing headers; `extra` headers are added.
    pub fn stateless(&self, key: &str, id: Value, method: &str, params: Value, extra: &[(&str, &str)]) -> Resp {
        self.stateless_with_stream(key, id, method, params, extra, &ResponseStream::new())
    }

    pub fn stateless_with_stream(
        &self,
        key: &str,
        id: Value,
        method: &str,
        mut params: Value,
        extra: &[(&str, &str)],
        stream: &ResponseStream,
    ) -> Resp {
        let mut meta = stateless_meta();
        if let Some(own) = params.get("_meta").and_then(Value::as_object) {
            meta.as_object_mut().expect("object").extend(own.clone());
        }
        params["_meta"] = meta;
        let name = params.get("name").or_else(|| params.get("uri")).and_then(Value::as_str).map(str::to_string);
        let auth = format!("Bearer {key}");
        let mut headers = vec![
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", method),
        ];
        if let Some(n) = &name {
            headers.push(("mcp-name", n));
        }
        headers.retain(|(k, _)| !extra.iter().any(|(e, _)| e.eq_ignore_ascii_case(k)));
        headers.extend_from_slice(extra);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.raw_with_stream("POST", "/mcp", &headers, body.to_string().as_bytes(), stream)
    }

    /// A session-era POST to `/mcp`: the key, the session id when given, then `extra` headers.
    pub fn post_mcp(&self, key: &str, session: Option<&str>, extra: &[(&str, &str)], body: &str) -> Resp {
        let auth = format!("Bearer {key}");
        let mut headers = vec![
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
        ];
        if let Some(s) = session {
            headers.push(("mcp-session-id", s));
        }
        headers.extend_from_slice(extra);
        self.raw("POST", "/mcp", &headers, body.as_bytes())
    }

    pub fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let auth = format!("Bearer {ADMIN_TOKEN}");
        let b = body.map(|b| b.to_string()).unwrap_or_default();
        self.raw(method, path, &[("authorization", &auth), ("content-type", "application/json")], b.as_bytes())
    }

    pub fn fake(&self, version: OdooVersion) -> &FakeOdoo {
        let start = |v| FakeOdoo::start(Config::new(v)).expect("fake odoo");
        match version {
            OdooVersion::V19 => &self.odoo19,
            OdooVersion::V17 => &self.odoo17,
            OdooVersion::V16 => self.odoo16.get_or_init(|| start(version)),
            OdooVersion::V18 => self.odoo18.get_or_init(|| start(version)),
        }
    }

    /// A connection to one of the fakes, with the given models enabled for read.
    pub fn connection(&self, version: OdooVersion, name: &str, read_models: &[&str]) -> i64 {
        let url = self.fake(version).url();
        let db = Config::new(version).database;
        let r = self.admin("POST", "/admin/api/connections", Some(json!({"name": name, "url": url, "database": db})));
        assert_eq!(r.status, 201, "{}", r.raw);
        let id = r.body["id"].as_i64().expect("id");
        for m in read_models {
            let r = self.admin("PUT", &format!("/admin/api/connections/{id}/models/{m}"), Some(json!({"read": true})));
            assert_eq!(r.status, 200, "{}", r.raw);
        }
        id
    }

    /// Sets a model's permissions on a connection (`flags`: the admin API's body).
    pub fn allow(&self, connection_id: i64, model: &str, flags: Value) {
        let r = self.admin("PUT", &format!("/admin/api/connections/{connection_id}/models/{model}"), Some(flags));
        assert_eq!(r.status, 200, "{}", r.raw);
    }

    /// Issues an MCP key for a fake user ("admin" or "demo2").
    pub fn key(&self, connection_id: i64, version: OdooVersion, login: &str) -> String {
        let cfg = Config::new(version);
        let user = cfg.users.iter().find(|u| u.login == login).expect("fake user");
        let r = self.admin(
            "POST",
            "/admin/api/keys",
            Some(json!({"connection_id": connection_id, "label": format!("{login} test"), "odoo_login": login, "odoo_api_key": user.api_key})),
        );
        assert_eq!(r.status, 201, "{}", r.raw);
        r.body["key"].as_str().expect("key").to_string()
    }

    /// Opens an MCP session with `key` and returns a client for it.
    pub fn session<'h>(&'h self, key: &str) -> Session<'h> {
        let mut s = Session { h: self, key: key.to_string(), session_id: None, next_id: 1 };
        let r = s.post(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "native-test", "version": "1"}}}));
        assert_eq!(r.status, 200, "{}", r.raw);
        s.session_id = Some(r.header("mcp-session-id").expect("session id").to_string());
        let r = s.post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        assert_eq!(r.status, 202);
        s
    }
}

fn to_resp(r: HttpResponse) -> Resp {
    let raw = String::from_utf8_lossy(&r.body).to_string();
    let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
    Resp { status: r.status, headers: r.headers, body, raw, log: Map::new() }
}

/// The request envelope of protocol 2026-07-28.
pub fn stateless_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "native-test", "version": "1"},
    })
}

/// The JSON-RPC messages of an SSE body, in order.
pub fn sse_messages(raw: &str) -> Vec<Value> {
    raw.lines().filter_map(|l| l.strip_prefix("data:")).filter_map(|d| serde_json::from_str(d.trim()).ok()).collect()
}

pub struct Session<'h> {
    pub h: &'h Harness,
    pub key: String,
    pub session_id: Option<String>,
    next_id: i64,
}

impl Session<'_> {
    pub fn post(&mut self, msg: &Value) -> Resp {
        self.post_with(msg, &[], &ResponseStream::new())
    }

    /// Posts with `extra` headers replacing the defaults of the same name, on a given response stream.
    pub fn post_with(&mut self, msg: &Value, extra: &[(&str, &str)], stream: &ResponseStream) -> Resp {
        let auth = format!("Bearer {}", self.key);
        let mut headers = vec![
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
        ];
        let sid = self.session_id.clone();
        if let Some(s) = &sid {
            headers.push(("mcp-session-id", s));
            headers.push(("mcp-protocol-version", "2025-11-25"));
        }
        headers.retain(|(k, _)| !extra.iter().any(|(e, _)| e.eq_ignore_ascii_case(k)));
        headers.extend_from_slice(extra);
        self.h.raw_with_stream("POST", "/mcp", &headers, msg.to_string().as_bytes(), stream)
    }

    /// A request; returns the whole JSON-RPC response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let r = self.post(&json!({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}));
        assert_eq!(r.status, 200, "{method}: {}", r.raw);
        assert_eq!(r.body["id"], json!(self.next_id));
        r.body
    }

    /// `tools/call`; returns the `CallToolResult`.
    pub fn tool(&mut self, name: &str, args: Value) -> Value {
        let r = self.request("tools/call", json!({"name": name, "arguments": args}));
        assert!(r.get("error").is_none(), "{name}: protocol error {r}");
        r["result"].clone()
    }
}

/// The text of a tool result's first content block.
pub fn text_of(result: &Value) -> String {
    result["content"][0]["text"].as_str().unwrap_or_default().to_string()
}
