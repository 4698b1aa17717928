//! What a POST to `/mcp` meets before either lane: the body read only when it must be (a chunked body
//! without a usable key is refused unread; no body is read past the limit), and a JSON-RPC body that
//! names a key twice refused as unparseable.
//!
//! `runtime` plays the Workers adapter: `before_body` on the head first, then the body read through
//! `append_bounded` as its stream would be, then `serve`.

mod support;

use fake_odoo::OdooVersion;
use odoo_mcp_edge::http::body::MAX_BODY_BYTES;
use odoo_mcp_edge::http::body::{append_bounded, BODY_READ_LIMIT};
use odoo_mcp_edge::http::HttpRequest;
use serde_json::{json, Value};
use support::{block_on, Harness, Resp, WORKER_ORIGIN};

fn setup() -> (Harness, String) {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "main", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "demo2");
    (h, key)
}

/// How the request reached the runtime.
enum Sent {
    /// With `Content-Length`.
    Declared,
    /// Chunked: no length until it is read.
    Chunked,
}

struct Answer {
    /// Answered before the body was read.
    unread: bool,
    /// Bytes of the body the runtime read.
    read: usize,
    resp: Resp,
}

/// A POST to `/mcp` through the adapter's sequence; the body arrives in 64 KiB chunks.
fn runtime(h: &Harness, headers: &[(&str, &str)], body: &[u8], sent: Sent) -> Answer {
    let mut headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    if let Sent::Declared = sent {
        headers.push(("content-length".into(), body.len().to_string()));
    }
    let head = HttpRequest {
        method: "POST".into(),
        path: "/mcp".into(),
        origin: WORKER_ORIGIN.into(),
        headers: headers.clone(),
        ..Default::default()
    };
    let subrequests = odoo_mcp_edge::subrequests::Subrequests::new();
    let svc = odoo_mcp_edge::Services {
        sleep: odoo_mcp_edge::platform::thread_sleep,
        db: &h.db,
        http: &h.http,
        settings: &h.settings,
        now: *h.now.borrow(),
        subrequests: &subrequests,
    };
    if let Some(outcome) = block_on(odoo_mcp_edge::before_body(&head, &svc)) {
        block_on(odoo_mcp_edge::platform::Db::batch(&h.db, outcome.after)).unwrap();
        let r = outcome.response;
        let raw = String::from_utf8_lossy(&r.body).to_string();
        return Answer {
            unread: true,
            read: 0,
            resp: Resp {
                status: r.status,
                headers: r.headers,
                body: serde_json::from_str(&raw).unwrap_or(Value::Null),
                raw,
                log: outcome.log,
            },
        };
    }
    let mut read = Vec::new();
    for chunk in body.chunks(64 * 1024) {
        if append_bounded(&mut read, chunk) {
            break;
        }
    }
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Answer { unread: false, read: read.len(), resp: h.raw("POST", "/mcp", &pairs, &read) }
}

/// A ping padded with spaces to `size` bytes.
fn padded_ping(size: usize) -> Vec<u8> {
    let mut body = br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.to_vec();
    body.resize(size, b' ');
    body
}

const TEN_MIB: usize = 10 * 1024 * 1024;

#[test]
fn a_chunked_post_without_a_usable_key_is_refused_unread() {
    let (h, _) = setup();
    let json = ("content-type", "application/json");
    for auth in [None, Some("Bearer sk-not-one-of-ours"), Some("Basic dXNlcjpwdw==")] {
        let mut headers = vec![json];
        headers.extend(auth.map(|a| ("authorization", a)));
        let a = runtime(&h, &headers, &padded_ping(TEN_MIB), Sent::Chunked);
        assert!(a.unread, "{auth:?}: the body was read ({} bytes)", a.read);
        assert_eq!(a.resp.status, 401, "{auth:?}: {}", a.resp.raw);
        assert!(a.resp.header("www-authenticate").is_some());
        assert!(a.resp.header("x-request-id").is_some());
        assert_eq!(a.resp.body["id"], Value::Null, "no id could be read");
    }
    // Grouped as any refusal: repeats of one kind from one address are one row with a count.
    let audited = h.db.rows(
        "SELECT COUNT(*) AS n, SUM(json_extract(detail, '$.count')) AS total FROM audit WHERE event = 'auth_failure'",
    );
    assert_eq!((audited[0]["n"].clone(), audited[0]["total"].clone()), (json!(2), json!(3)), "audited as any refusal");

    // The Origin gate still comes first, and an allowed Origin still gets its CORS headers.
    let a = runtime(&h, &[json, ("origin", "https://evil.example.com")], &padded_ping(100), Sent::Chunked);
    assert_eq!((a.unread, a.resp.status), (true, 403));
    let a = runtime(&h, &[json, ("origin", "https://console.example.com")], &padded_ping(100), Sent::Chunked);
    assert_eq!((a.unread, a.resp.status), (true, 401));
    assert_eq!(a.resp.header("access-control-allow-origin"), Some("https://console.example.com"));
}

#[test]
fn no_body_is_read_past_the_limit() {
    let (h, key) = setup();
    let auth = format!("Bearer {key}");
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
    // A key: read up to one byte past the limit, then 413 once authenticated.
    let a = runtime(&h, &headers, &padded_ping(TEN_MIB), Sent::Chunked);
    assert_eq!((a.unread, a.read), (false, BODY_READ_LIMIT));
    assert_eq!(a.resp.status, 413, "{}", a.resp.raw);
    assert!(a.resp.raw.contains(&format!("at most {MAX_BODY_BYTES} bytes")));
    // At the limit exactly, it is read whole and served.
    let a = runtime(&h, &headers, &padded_ping(MAX_BODY_BYTES), Sent::Chunked);
    assert_eq!(a.read, MAX_BODY_BYTES);
    assert_eq!(a.resp.status, 400, "no session, but read and parsed: {}", a.resp.raw);
    // A key that looks like ours but is not: authentication answers, after a bounded read.
    let fake = format!("Bearer omcp_{}", "x".repeat(43));
    let a = runtime(
        &h,
        &[("authorization", &fake), ("content-type", "application/json")],
        &padded_ping(TEN_MIB),
        Sent::Chunked,
    );
    assert_eq!((a.unread, a.read, a.resp.status), (false, BODY_READ_LIMIT, 401));
    // A declared length over the limit is refused unread, key or not.
    for headers in [&headers[..], &headers[1..]] {
        let a = runtime(&h, headers, &padded_ping(TEN_MIB), Sent::Declared);
        assert_eq!((a.unread, a.resp.status), (true, 413), "{}", a.resp.raw);
    }
}

#[test]
fn a_keyless_body_of_declared_length_is_read_to_echo_its_id() {
    let (h, _) = setup();
    let a = runtime(
        &h,
        &[("content-type", "application/json")],
        br#"{"jsonrpc":"2.0","id":"mine","method":"ping"}"#,
        Sent::Declared,
    );
    assert_eq!((a.unread, a.resp.status), (false, 401));
    assert_eq!(a.resp.body["id"], json!("mine"));
}

#[test]
fn a_message_naming_a_key_twice_is_refused_in_both_eras() {
    let (h, key) = setup();
    let s = h.session(&key);
    let auth = format!("Bearer {key}");
    let sid = s.session_id.clone().unwrap();
    let session_headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("mcp-session-id", sid.as_str()),
        ("mcp-protocol-version", "2025-11-25"),
    ];
    h.fake(OdooVersion::V19).clear_calls();
    for body in [
        // Which method? serde_json alone would take the last: tools/call.
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{"name":"odoo_search","arguments":{"model":"res.partner"}}}"#,
        r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"odoo_search","arguments":{"model":"res.partner","model":"res.users"}}}"#,
    ] {
        let r = h.raw("POST", "/mcp", &session_headers, body.as_bytes());
        assert_eq!(
            (r.status, r.body["error"]["code"].clone(), r.body["id"].clone()),
            (400, json!(-32700), Value::Null),
            "{body}: {}",
            r.raw
        );
        assert!(r.raw.contains("duplicate key"), "{}", r.raw);
    }
    assert!(h.fake(OdooVersion::V19).calls().is_empty(), "nothing ran");
    let mut meta = support::stateless_meta();
    meta["io.modelcontextprotocol/protocolVersion"] = json!("2026-07-28");
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{{"_meta":{meta},"cursor":"a","cursor":"b"}}}}"#
    );
    let r = h.raw(
        "POST",
        "/mcp",
        &[
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/list"),
        ],
        body.as_bytes(),
    );
    assert_eq!((r.status, r.body["error"]["code"].clone()), (400, json!(-32700)), "{}", r.raw);
    assert!(r.body.get("id").is_none(), "the modern era leaves an unreadable id out: {}", r.raw);
}
