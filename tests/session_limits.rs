//! The session era's limits: a session idle past its limit is refused on use.

mod support;

use fake_odoo::OdooVersion;
use odoo_mcp_edge::store::sessions::IDLE_LIMIT_MS;
use serde_json::json;
use support::{Harness, Resp};

fn setup() -> (Harness, String) {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "main", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "demo2");
    (h, key)
}

fn post(h: &Harness, key: &str, session: Option<&str>, body: &str) -> Resp {
    let auth = format!("Bearer {key}");
    let mut headers = vec![
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    if let Some(s) = session {
        headers.push(("mcp-session-id", s));
    }
    h.raw("POST", "/mcp", &headers, body.as_bytes())
}

/// Opens a session of `version` (sent without a version header afterwards, as 2025-03-26 clients do).
fn open(h: &Harness, key: &str, version: &str) -> String {
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let r = post(h, key, None, &init.to_string());
    assert_eq!(r.status, 200, "{}", r.raw);
    r.header("mcp-session-id").unwrap().to_string()
}

fn at(h: &Harness, t: i64) {
    *h.now.borrow_mut() = t;
}

const PING: &str = r#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#;

#[test]
fn a_session_idle_past_its_limit_is_refused_on_use() {
    let (h, key) = setup();
    let t0 = *h.now.borrow();
    let sid = open(&h, &key, "2025-11-25");
    // Used just before the limit: alive, and its idle time starts again.
    at(&h, t0 + IDLE_LIMIT_MS);
    assert_eq!(post(&h, &key, Some(&sid), PING).status, 200);
    at(&h, t0 + 2 * IDLE_LIMIT_MS);
    assert_eq!(post(&h, &key, Some(&sid), PING).status, 200);
    // One millisecond past it, before any sweep has run: 404, as for an ended session.
    at(&h, t0 + 3 * IDLE_LIMIT_MS + 1);
    let r = post(&h, &key, Some(&sid), PING);
    assert_eq!(
        (
            r.status,
            r.body["error"]["code"].clone(),
            r.body["id"].clone()
        ),
        (404, json!(-32001), json!("p")),
        "{}",
        r.raw
    );
    assert_eq!(
        h.db.rows("SELECT COUNT(*) AS n FROM sessions")[0]["n"],
        json!(1),
        "refused, not deleted: the sweep deletes it"
    );
    // Nor can it be ended any more.
    let auth = format!("Bearer {key}");
    let r = h.raw(
        "DELETE",
        "/mcp",
        &[("authorization", &auth), ("mcp-session-id", &sid)],
        b"",
    );
    assert_eq!(r.status, 404);
}
