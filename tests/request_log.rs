//! The one structured log line per request (what `wrangler tail` and Workers Logs show): every request
//! gets an id, echoed as `x-request-id`; a tool call's line names the key prefix, era, method, tool,
//! model and outcome; failures say how they ended; and no line carries a key or an Odoo API key.

mod support;

use fake_odoo::{Config, Fault, OdooVersion};
use odoo_mcp_edge::http::log;
use serde_json::{json, Value};
use support::{Harness, Resp, ADMIN_TOKEN};

const V: OdooVersion = OdooVersion::V19;

/// The line the Worker would print for `r`.
fn line_of(r: &Resp) -> Value {
    serde_json::from_str(&log::line("POST", "/mcp", r.status, 7, &r.log)).expect("the line is JSON")
}

#[test]
fn a_tool_call_line_names_who_what_and_how_it_ended() {
    let h = Harness::new();
    let c = h.connection(V, "c", &["res.partner"]);
    let key = h.key(c, V, "admin");
    let mut s = h.session(&key);
    let r = s.post(&json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "odoo_search", "arguments": {"model": "res.partner", "limit": 1}}}));
    let line = line_of(&r);
    let id = line["request_id"].as_str().expect("a request id");
    assert_eq!(r.header(log::REQUEST_ID_HEADER), Some(id), "the client sees the same id");
    assert_eq!(line["key"], json!(&key[..13]), "the key's display prefix only");
    assert_eq!((line["era"].as_str(), line["method"].as_str()), (Some("session"), Some("tools/call")));
    assert_eq!(
        (line["tool"].as_str(), line["model"].as_str(), line["outcome"].as_str()),
        (Some("odoo_search"), Some("res.partner"), Some("ok"))
    );
    assert_eq!((line["status"].as_u64(), line["duration_ms"].as_i64()), (Some(200), Some(7)));

    // A stateless request: its own id, the era, and a tool's refusal as the outcome.
    let r = h.stateless(
        &key,
        json!(1),
        "tools/call",
        json!({"name": "odoo_search", "arguments": {"model": "crm.lead"}}),
        &[],
    );
    let line = line_of(&r);
    assert_ne!(line["request_id"].as_str(), Some(id), "a new id per request");
    assert_eq!(
        (line["era"].as_str(), line["model"].as_str(), line["outcome"].as_str()),
        (Some("stateless"), Some("crm.lead"), Some("denied"))
    );

    // A JSON-RPC error, with its code.
    let r = h.stateless(&key, json!(2), "tools/call", json!({"name": "no_such_tool", "arguments": {}}), &[]);
    let line = line_of(&r);
    assert_eq!((line["outcome"].as_str(), line["rpc_code"].as_i64()), (Some("rpc_error"), Some(-32602)));

    // Odoo failing: the outcome and the kind of failure, not Odoo's message.
    h.fake(V).set_fault(Fault::Http500, &["search_read"], Some(1)).unwrap();
    let r = h.stateless(
        &key,
        json!(3),
        "tools/call",
        json!({"name": "odoo_search", "arguments": {"model": "res.partner"}}),
        &[],
    );
    let line = line_of(&r);
    assert_eq!((line["outcome"].as_str(), line["odoo_error"].as_str()), (Some("odoo_error"), Some("Unavailable")));
}

#[test]
fn a_batch_line_carries_what_a_single_message_line_carries() {
    let h = Harness::new();
    let c = h.connection(V, "c", &["res.partner"]);
    let key = h.key(c, V, "admin");
    // Batches exist in sessions of 2025-03-26 and older.
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let r = h.post_mcp(&key, None, &[], &init.to_string());
    let sid = r.header("mcp-session-id").expect("a session").to_string();
    let call = |id: i64, model: &str| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "odoo_search", "arguments": {"model": model, "limit": 1}}})
    };

    // The line names the last message served, as a single message's would.
    let batch = json!([{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, call(2, "res.partner")]);
    let r = h.post_mcp(&key, Some(&sid), &[], &batch.to_string());
    assert_eq!(r.status, 200, "{}", r.raw);
    let line = line_of(&r);
    assert_eq!((line["era"].as_str(), line["method"].as_str()), (Some("session"), Some("tools/call")));
    assert_eq!(line["key"], json!(&key[..13]));
    assert_eq!(
        (line["tool"].as_str(), line["model"].as_str(), line["outcome"].as_str()),
        (Some("odoo_search"), Some("res.partner"), Some("ok"))
    );

    // A tool's refusal, then a JSON-RPC error with its code: each the outcome of its own batch.
    let r = h.post_mcp(&key, Some(&sid), &[], &json!([call(3, "res.partner"), call(4, "crm.lead")]).to_string());
    let line = line_of(&r);
    assert_eq!(
        (line["tool"].as_str(), line["model"].as_str(), line["outcome"].as_str()),
        (Some("odoo_search"), Some("crm.lead"), Some("denied"))
    );
    let unknown =
        json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "no_such_tool", "arguments": {}}});
    let r = h.post_mcp(&key, Some(&sid), &[], &json!([call(5, "res.partner"), unknown]).to_string());
    let line = line_of(&r);
    assert_eq!(
        (line["tool"].as_str(), line["outcome"].as_str(), line["rpc_code"].as_i64()),
        (Some("no_such_tool"), Some("rpc_error"), Some(-32602))
    );
}

#[test]
fn refused_requests_say_why_and_carry_no_secret() {
    let h = Harness::new();
    let c = h.connection(V, "c", &["res.partner"]);
    let key = h.key(c, V, "admin");
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}).to_string();
    let post = |auth: &str| {
        h.raw(
            "POST",
            "/mcp",
            &[("authorization", auth), ("content-type", "application/json"), ("accept", "application/json")],
            body.as_bytes(),
        )
    };

    let r = post("Bearer omcp_not-a-real-key-at-all-0000000000000000");
    let line = line_of(&r);
    assert_eq!((line["status"].as_u64(), line["outcome"].as_str()), (Some(401), Some("unknown_key")));
    assert!(line["request_id"].is_string() && r.header(log::REQUEST_ID_HEADER).is_some());

    let revoked = h.key(c, V, "admin");
    let id = h.admin("GET", "/admin/api/keys", None).body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| revoked.starts_with(k["prefix"].as_str().unwrap()))
        .unwrap()["id"]
        .clone();
    h.admin("DELETE", &format!("/admin/api/keys/{id}"), None);
    let line = line_of(&post(&format!("Bearer {revoked}")));
    assert_eq!((line["outcome"].as_str(), line["key"].as_str()), (Some("revoked"), Some(&revoked[..13])));

    let r = h.raw("GET", "/health", &[], b"");
    let line = serde_json::from_str::<Value>(&log::line("GET", "/health", r.status, 1, &r.log)).unwrap();
    assert_eq!((line["outcome"].as_str(), line["request_id"].is_string()), (Some("ok"), true));

    // None of the secrets this test handled appears in any line.
    let admin_line = log::line("GET", "/admin/api/keys", 200, 1, &h.admin("GET", "/admin/api/keys", None).log);
    let lines = [line_of(&post(&format!("Bearer {key}"))).to_string(), admin_line];
    let odoo_key = Config::new(V).users.iter().find(|u| u.login == "admin").unwrap().api_key.clone();
    for l in &lines {
        for secret in [key.as_str(), revoked.as_str(), ADMIN_TOKEN, odoo_key.as_str()] {
            assert!(!l.contains(secret), "a log line carries a secret: {l}");
        }
    }
}

#[test]
fn a_database_failure_is_logged_with_d1_s_reason_and_the_client_gets_none_of_it() {
    let h = Harness::new();
    let c = h.connection(V, "c", &["res.partner"]);
    let s = h.session(&h.key(c, V, "admin"));
    let sid = s.session_id.clone().expect("a session");
    h.db.conn.borrow().execute_batch("DROP TABLE sessions").unwrap();
    let auth = format!("Bearer {}", s.key);
    let r = h.raw("DELETE", "/mcp", &[("authorization", &auth), ("mcp-session-id", &sid)], b"");
    let line = line_of(&r);
    assert_eq!((line["status"].as_u64(), line["outcome"].as_str()), (Some(500), Some("store_error")), "{line}");
    assert!(line["error"].as_str().is_some_and(|e| e.starts_with("D1: ") && e.contains("sessions")), "{line}");
    assert!(!r.raw.contains("no such table"), "the client is not told D1's internals: {}", r.raw);

    // The admin API's store errors, the same way.
    h.db.conn.borrow().execute_batch("DROP TABLE audit").unwrap();
    let r = h.admin("GET", "/admin/api/audit", None);
    let line = serde_json::from_str::<Value>(&log::line("GET", "/admin/api/audit", r.status, 1, &r.log)).unwrap();
    assert_eq!(r.body["error"]["code"], "store_error", "{}", r.raw);
    assert!(line["error"].as_str().is_some_and(|e| e.contains("audit")), "{line}");
}
