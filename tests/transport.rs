//! The session-era transport on `/mcp`: statuses, headers and JSON-RPC errors as clients rely on them.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{Harness, Resp};

fn setup() -> (Harness, String) {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "main", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "demo2");
    (h, key)
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

#[test]
fn initialize_issues_a_session_and_negotiates() {
    let (h, key) = setup();
    let r = h.post_mcp(&key, None, &[], INIT);
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("application/json"));
    let sid = r.header("mcp-session-id").expect("session id");
    assert!(sid.len() >= 32 && sid.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    assert_eq!(r.body["result"]["protocolVersion"], "2025-11-25");
    assert!(r.body["result"]["capabilities"]["tools"].is_object());
    assert_eq!(r.body["result"]["serverInfo"]["name"], "odoo-mcp-edge");
    assert!(r.body["result"]["instructions"].as_str().unwrap().contains("odoo_list_models"));

    for (asked, got) in [
        ("2025-06-18", "2025-06-18"),
        ("2025-03-26", "2025-03-26"),
        ("2024-11-05", "2024-11-05"),
        ("1999-01-01", "2025-11-25"),
        ("2026-07-28", "2025-11-25"),
    ] {
        let body = INIT.replace("2025-11-25", asked);
        let r = h.post_mcp(&key, None, &[], &body);
        assert_eq!(r.status, 200, "initialize never fails on a version: {}", r.raw);
        assert_eq!(r.body["result"]["protocolVersion"], got);
    }
    // The session is stored, bound to the key.
    assert!(!h.db.rows("SELECT id FROM sessions").is_empty());
}

#[test]
fn session_rules() {
    let (h, key) = setup();
    let sid = h.post_mcp(&key, None, &[], INIT).header("mcp-session-id").unwrap().to_string();
    let ping = r#"{"jsonrpc":"2.0","id":"p1","method":"ping"}"#;

    let r = h.post_mcp(&key, None, &[], ping);
    assert_eq!(r.status, 400, "missing session id");
    let r = h.post_mcp(&key, Some("no-such-session"), &[], ping);
    assert_eq!(r.status, 404, "unknown session id");
    let r = h.post_mcp(&key, Some(&sid), &[], ping);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"jsonrpc": "2.0", "id": "p1", "result": {}}), "ping answers {{}} and echoes a string id");

    // Another key cannot use this session.
    let c = h.connection(OdooVersion::V19, "other", &[]);
    let other = h.key(c, OdooVersion::V19, "admin");
    assert_eq!(h.post_mcp(&other, Some(&sid), &[], ping).status, 404);

    // DELETE ends it; afterwards it is unknown.
    let auth = format!("Bearer {key}");
    let r = h.raw("DELETE", "/mcp", &[("authorization", &auth), ("mcp-session-id", &sid)], b"");
    assert_eq!(r.status, 200);
    assert_eq!(h.post_mcp(&key, Some(&sid), &[], ping).status, 404);
    let r = h.raw("DELETE", "/mcp", &[("authorization", &auth), ("mcp-session-id", &sid)], b"");
    assert_eq!(r.status, 404);
}

#[test]
fn notifications_and_responses_get_202_with_no_body() {
    let (h, key) = setup();
    let sid = h.post_mcp(&key, None, &[], INIT).header("mcp-session-id").unwrap().to_string();
    for body in [
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}}"#,
        r#"{"jsonrpc":"2.0","id":5,"result":{}}"#,
    ] {
        let r = h.post_mcp(&key, Some(&sid), &[], body);
        assert_eq!(r.status, 202, "{body}");
        assert!(r.raw.is_empty());
    }
    // A cancellation is recorded for a plausible request id only: a huge one is accepted and dropped,
    // so that one notification cannot store a megabyte in D1.
    let huge = format!(
        r#"{{"jsonrpc":"2.0","method":"notifications/cancelled","params":{{"requestId":"{}"}}}}"#,
        "r".repeat(900_000)
    );
    assert_eq!(h.post_mcp(&key, Some(&sid), &[], &huge).status, 202);
    let long_ok = format!(
        r#"{{"jsonrpc":"2.0","method":"notifications/cancelled","params":{{"requestId":"{}"}}}}"#,
        "r".repeat(198)
    );
    assert_eq!(h.post_mcp(&key, Some(&sid), &[], &long_ok).status, 202);
    let ids: Vec<usize> =
        h.db.rows("SELECT request_id FROM cancellations ORDER BY length(request_id)")
            .iter()
            .map(|r| r["request_id"].as_str().unwrap_or("").len())
            .collect();
    assert_eq!(ids, vec![1, 200], "the id 9 and the 198-character string (200 as JSON), not the huge one");
}

#[test]
fn http_level_errors() {
    let (h, key) = setup();
    let sid = h.post_mcp(&key, None, &[], INIT).header("mcp-session-id").unwrap().to_string();
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

    // GET opens a session's stream: it needs a key, then a session (tests/list_changes.rs has the rest).
    let r = h.raw("GET", "/mcp", &[("accept", "text/event-stream")], b"");
    assert_eq!(r.status, 401);
    let r = h.raw("PUT", "/mcp", &[], b"");
    assert_eq!(r.status, 405);
    assert!(r.header("allow").unwrap().contains("POST"));

    let auth = format!("Bearer {key}");
    let r = h.raw(
        "POST",
        "/mcp",
        &[("authorization", &auth), ("content-type", "text/plain"), ("mcp-session-id", &sid)],
        ping.as_bytes(),
    );
    assert_eq!(r.status, 415);

    let r = h.post_mcp(&key, Some(&sid), &[], "{not json");
    assert_eq!((r.status, r.body["error"]["code"].clone()), (400, json!(-32700)));

    let r = h.post_mcp(&key, Some(&sid), &[], r#"{"jsonrpc":"2.0","id":7,"method":5}"#);
    assert_eq!((r.status, r.body["error"]["code"].clone(), r.body["id"].clone()), (400, json!(-32600), json!(7)));

    // Not a JSON-RPC message: -32600 with the id, with or without a session (never "send initialize
    // first" to a malformed initialize).
    for (body, id) in [
        (r#"{"jsonrpc":"2.0","id":9,"method":"initialize","params":[]}"#, json!(9)),
        (r#"{"jsonrpc":"1.0","id":"x","method":"initialize","params":{}}"#, json!("x")),
        (r#"{"jsonrpc":"2.0","id":{},"method":"tools/list"}"#, Value::Null),
        ("42", Value::Null),
    ] {
        for session in [None, Some(sid.as_str())] {
            let r = h.post_mcp(&key, session, &[], body);
            assert_eq!(
                (r.status, r.body["error"]["code"].clone(), r.body["id"].clone()),
                (400, json!(-32600), id.clone()),
                "{body} {session:?}"
            );
        }
    }
    // A well-formed request without a session still needs one.
    let r = h.post_mcp(&key, None, &[], ping);
    assert_eq!((r.status, r.body["error"]["code"].clone()), (400, json!(-32000)));

    let r = h.post_mcp(&key, Some(&sid), &[], r#"{"jsonrpc":"2.0","id":8,"method":"no/such"}"#);
    assert_eq!((r.status, r.body["error"]["code"].clone()), (200, json!(-32601)));

    let r = h.post_mcp(&key, Some(&sid), &[("mcp-protocol-version", "1999-01-01")], ping);
    assert_eq!(r.status, 400);
    assert!(r.raw.contains("Unsupported protocol version"));

    let r = h.post_mcp(&key, Some(&sid), &[("mcp-protocol-version", "2026-07-28")], ping);
    assert_eq!(r.status, 400, "modern header without envelope: a plain 400 so clients fall back");

    // The session negotiated 2025-11-25: that header (or none) is served, another supported one is a
    // 400 naming both, with the request's id.
    for v in [Some("2025-11-25"), None] {
        let extra: Vec<(&str, &str)> = v.map(|v| ("mcp-protocol-version", v)).into_iter().collect();
        assert_eq!(h.post_mcp(&key, Some(&sid), &extra, ping).status, 200, "{v:?}");
    }
    for v in ["2025-03-26", "2025-06-18", "2024-11-05"] {
        let r = h.post_mcp(&key, Some(&sid), &[("mcp-protocol-version", v)], ping);
        assert_eq!(
            (r.status, r.body["error"]["code"].clone(), r.body["id"].clone()),
            (400, json!(-32000), json!(1)),
            "{v}: {}",
            r.raw
        );
        let message = r.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(v) && message.contains("2025-11-25"), "{message}");
    }

    let r = h.raw(
        "POST",
        "/mcp",
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
            ("accept", "text/html"),
            ("mcp-session-id", &sid),
        ],
        ping.as_bytes(),
    );
    assert_eq!(r.status, 406);
    let r = h.post_mcp(&key, Some(&sid), &[], &format!("\"{}\"", "x".repeat(1_100_000)));
    assert_eq!(r.status, 413);
}

#[test]
fn sse_only_clients_get_an_event_stream() {
    let (h, key) = setup();
    let sid = h.post_mcp(&key, None, &[], INIT).header("mcp-session-id").unwrap().to_string();
    let auth = format!("Bearer {key}");
    let r = h.raw(
        "POST",
        "/mcp",
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
            ("accept", "text/event-stream"),
            ("mcp-session-id", &sid),
        ],
        br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert!(r.raw.starts_with("event: message\ndata: {"), "{}", r.raw);
}

#[test]
fn batches_only_for_2025_03_26() {
    let (h, key) = setup();
    let old = INIT.replace("2025-11-25", "2025-03-26");
    let sid = h.post_mcp(&key, None, &[], &old).header("mcp-session-id").unwrap().to_string();
    let batch = r#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"tools/list"}]"#;
    let r = h.post_mcp(&key, Some(&sid), &[], batch);
    assert_eq!(r.status, 200, "{}", r.raw);
    let replies = r.body.as_array().expect("array of responses");
    assert_eq!(replies.len(), 2, "no reply to the notification");
    assert_eq!(replies[0]["result"], json!({}));

    let only_notes = r#"[{"jsonrpc":"2.0","method":"notifications/initialized"}]"#;
    assert_eq!(h.post_mcp(&key, Some(&sid), &[], only_notes).status, 202);
    assert_eq!(h.post_mcp(&key, Some(&sid), &[], "[]").status, 400);
    let with_init = format!("[{INIT}]");
    let r = h.post_mcp(&key, Some(&sid), &[], &with_init);
    assert_eq!(r.body[0]["error"]["code"], json!(-32600));

    let new = h.post_mcp(&key, None, &[], INIT).header("mcp-session-id").unwrap().to_string();
    let r = h.post_mcp(&key, Some(&new), &[("mcp-protocol-version", "2025-11-25")], batch);
    assert_eq!((r.status, r.body["error"]["code"].clone()), (400, json!(-32600)));
    // A 2025-11-25 session cannot claim 2025-03-26 in its header to get batches served, nor can a
    // 2025-03-26 session claim a newer version: the header must name the session's version.
    for (sid, claimed) in [(&new, "2025-03-26"), (&sid, "2025-11-25")] {
        let r = h.post_mcp(&key, Some(sid), &[("mcp-protocol-version", claimed)], batch);
        assert_eq!(
            (r.status, r.body["error"]["code"].clone(), r.body["id"].clone()),
            (400, json!(-32000), Value::Null),
            "{claimed}: {}",
            r.raw
        );
    }
    let r = h.post_mcp(&key, Some(&sid), &[("mcp-protocol-version", "2025-03-26")], batch);
    assert_eq!(r.status, 200, "the negotiated version named: {}", r.raw);
}

#[test]
fn authentication_and_origin() {
    let (h, key) = setup();
    let r = h.raw("POST", "/mcp", &[("content-type", "application/json")], INIT.as_bytes());
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));

    let r = h.post_mcp("omcp_not-a-real-key-at-all-000000000000000000000", None, &[], INIT);
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());

    let r = h.post_mcp(&key, None, &[("origin", "http://evil.example.com")], INIT);
    assert_eq!(r.status, 403);
    // Loopback in dev means scheme://host[:port] on a loopback host, nothing more.
    for trick in ["http://127.0.0.1:8788@evil.example.com", "http://localhost:3000/evil"] {
        assert_eq!(h.post_mcp(&key, None, &[("origin", trick)], INIT).status, 403, "{trick}");
    }
    let r = h.post_mcp(&key, None, &[("origin", "http://127.0.0.1:8788")], INIT);
    assert_eq!(r.status, 200, "loopback origins are allowed in dev");
    assert_eq!(r.header("access-control-allow-origin"), Some("http://127.0.0.1:8788"));
    let r = h.post_mcp(&key, None, &[("origin", "https://console.example.com")], INIT);
    assert_eq!(r.status, 200, "configured origins are allowed");

    // Keys are never in URLs and never echoed.
    assert!(!r.raw.contains(&key));
    let audit: Vec<String> =
        h.db.rows("SELECT * FROM audit").iter().map(|r| Value::Object(r.clone()).to_string()).collect();
    assert!(audit.iter().any(|a| a.contains("auth_failure")));
    assert!(audit.iter().all(|a| !a.contains(&key) && !a.contains("not-a-real-key")), "{audit:?}");
}

#[test]
fn revoked_and_expired_keys_are_refused_even_mid_session() {
    let (h, key) = setup();
    let sid = h.post_mcp(&key, None, &[], INIT).header("mcp-session-id").unwrap().to_string();
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    assert_eq!(h.post_mcp(&key, Some(&sid), &[], ping).status, 200);
    let id = h.admin("GET", "/admin/api/keys", None).body["keys"][0]["id"].as_i64().unwrap();
    assert_eq!(h.admin("DELETE", &format!("/admin/api/keys/{id}"), None).status, 200);
    let r = h.post_mcp(&key, Some(&sid), &[], ping);
    assert_eq!(r.status, 401);
    assert!(r.raw.contains("revoked"));

    let c = h.connection(OdooVersion::V19, "exp", &[]);
    let fresh = h.key(c, OdooVersion::V19, "admin");
    h.db.rows("UPDATE keys SET expires_at = 1 WHERE revoked_at IS NULL");
    let r = h.post_mcp(&fresh, None, &[], INIT);
    assert_eq!(r.status, 401);
    assert!(r.raw.contains("expired"));
}

#[test]
fn rate_limit_refuses_with_retry_after() {
    let (h, key) = setup();
    h.db.rows("UPDATE keys SET rate_limit = 3");
    let statuses: Vec<u16> = (0..5).map(|_| h.post_mcp(&key, None, &[], INIT).status).collect();
    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
    let r = h.post_mcp(&key, None, &[], INIT);
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    // The harness's clock stands still: the three admitted requests share one second, which leaves the
    // window 61 s after it began, i.e. more than 60 s from now.
    assert_eq!(retry, 61);
    let events = h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'rate_limited'");
    assert_eq!(events[0]["n"], json!(3));
}

#[test]
fn authentication_is_one_database_round_trip() {
    let (h, key) = setup();
    let sid = h.post_mcp(&key, None, &[], INIT).header("mcp-session-id").unwrap().to_string();
    let list = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
    let before = h.db.batches.get();
    h.post_mcp(&key, Some(&sid), &[], list);
    // One batch before answering; none after: the key's last use was stamped by the initialize, less than
    // a minute ago, and listing tools writes no audit row.
    assert_eq!(h.db.batches.get() - before, 1);
}

/// The key's last use is stamped at most once a minute (each stamp is a D1 row written): by the first
/// request, then by the first one a minute or more after the stamp.
#[test]
fn last_use_is_stamped_once_a_minute() {
    let (h, key) = setup();
    let stamp = || h.db.rows("SELECT last_used_at AS t FROM keys")[0]["t"].as_i64();
    let t0 = *h.now.borrow();
    let sid = h.post_mcp(&key, None, &[], INIT).header("mcp-session-id").unwrap().to_string();
    assert_eq!(stamp(), Some(t0));
    let ping = r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#;
    for (later, stamped) in [(1_000, t0), (59_999, t0), (60_000, t0 + 60_000), (61_000, t0 + 60_000)] {
        *h.now.borrow_mut() = t0 + later;
        assert_eq!(h.post_mcp(&key, Some(&sid), &[], ping).status, 200);
        assert_eq!(stamp(), Some(stamped), "{later} ms later");
    }
}

/// Errors answered before the session lane takes over (401, 403, 406, 429 …) and its own session
/// rules still answer the request: its id when the body could be read, JSON-RPC 2.0's `null` when not.
#[test]
fn early_errors_echo_the_request_id() {
    let (h, key) = setup();
    let ping = |id: &str| format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#);
    let id_of = |r: &Resp| r.body.get("id").cloned();
    let auth = format!("Bearer {key}");

    let r = h.raw("POST", "/mcp", &[("content-type", "application/json")], ping("\"no-key\"").as_bytes());
    assert_eq!((r.status, id_of(&r)), (401, Some(json!("no-key"))), "{}", r.raw);
    let r = h.post_mcp("omcp_not-a-real-key-at-all-000000000000000000000", None, &[], &ping("41"));
    assert_eq!((r.status, id_of(&r)), (401, Some(json!(41))), "{}", r.raw);
    let r = h.post_mcp(&key, None, &[("origin", "http://evil.example.com")], &ping("43"));
    assert_eq!((r.status, id_of(&r)), (403, Some(json!(43))), "{}", r.raw);
    let r = h.raw(
        "POST",
        "/mcp",
        &[("authorization", &auth), ("content-type", "application/json"), ("accept", "text/html")],
        ping("\"accept\"").as_bytes(),
    );
    assert_eq!((r.status, id_of(&r)), (406, Some(json!("accept"))), "{}", r.raw);

    // The session rules answer the request too.
    let r = h.post_mcp(&key, None, &[], &ping("7"));
    assert_eq!((r.status, id_of(&r)), (400, Some(json!(7))), "missing session id: {}", r.raw);
    let r = h.post_mcp(&key, Some("no-such-session"), &[], &ping("8"));
    assert_eq!((r.status, id_of(&r)), (404, Some(json!(8))), "unknown session: {}", r.raw);
    let r = h.post_mcp(&key, None, &[("mcp-protocol-version", "1999-01-01")], &ping("9"));
    assert_eq!((r.status, id_of(&r)), (400, Some(json!(9))), "unsupported version header: {}", r.raw);

    // No id to read: a body that is not JSON, not declared JSON, over the limit, a notification, a batch.
    let r = h.post_mcp(&key, None, &[("origin", "http://evil.example.com")], "{not json");
    assert_eq!((r.status, id_of(&r)), (403, Some(Value::Null)), "{}", r.raw);
    let r = h.raw("POST", "/mcp", &[("authorization", &auth), ("content-type", "text/plain")], ping("10").as_bytes());
    assert_eq!((r.status, id_of(&r)), (415, Some(Value::Null)), "{}", r.raw);
    let r = h.post_mcp(&key, None, &[], &format!("\"{}\"", "x".repeat(1_100_000)));
    assert_eq!((r.status, id_of(&r)), (413, Some(Value::Null)), "{}", r.raw);
    let r = h.raw(
        "POST",
        "/mcp",
        &[("content-type", "application/json")],
        br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    );
    assert_eq!((r.status, id_of(&r)), (401, Some(Value::Null)), "{}", r.raw);
    let r = h.raw(
        "POST",
        "/mcp",
        &[("content-type", "application/json")],
        br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
    );
    assert_eq!((r.status, id_of(&r)), (401, Some(Value::Null)), "{}", r.raw);
    let r = h.raw("GET", "/mcp", &[], b"");
    assert_eq!((r.status, id_of(&r)), (406, Some(Value::Null)), "{}", r.raw);

    // Over the rate limit (a fresh key, none of the requests above counted): 429 before any lane,
    // with the id of the request it refuses.
    let (h, key) = setup();
    h.db.rows("UPDATE keys SET rate_limit = 1");
    assert_eq!(h.post_mcp(&key, None, &[], INIT).status, 200);
    let r = h.post_mcp(&key, None, &[], &INIT.replace(r#""id":1"#, r#""id":"over""#));
    assert_eq!((r.status, id_of(&r)), (429, Some(json!("over"))), "{}", r.raw);
}
