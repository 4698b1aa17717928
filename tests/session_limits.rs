//! The session era's limits: a session idle past its limit is refused on use, and a JSON-RPC batch
//! (2025-03-26) counts one request per message against the key's rate limit and spends one request's
//! subrequest budget across all its messages.

mod support;

use fake_odoo::OdooVersion;
use odoo_mcp_edge::store::sessions::IDLE_LIMIT_MS;
use serde_json::{json, Value};
use support::Harness;

fn setup() -> (Harness, String) {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "main", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "demo2");
    (h, key)
}

/// Opens a session of `version` (sent without a version header afterwards, as 2025-03-26 clients do).
fn open(h: &Harness, key: &str, version: &str) -> String {
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let r = h.post_mcp(key, None, &[], &init.to_string());
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
    assert_eq!(h.post_mcp(&key, Some(&sid), &[], PING).status, 200);
    at(&h, t0 + 2 * IDLE_LIMIT_MS);
    assert_eq!(h.post_mcp(&key, Some(&sid), &[], PING).status, 200);
    // One millisecond past it, before any sweep has run: 404, as for an ended session.
    at(&h, t0 + 3 * IDLE_LIMIT_MS + 1);
    let r = h.post_mcp(&key, Some(&sid), &[], PING);
    assert_eq!(
        (r.status, r.body["error"]["code"].clone(), r.body["id"].clone()),
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
    let r = h.raw("DELETE", "/mcp", &[("authorization", &auth), ("mcp-session-id", &sid)], b"");
    assert_eq!(r.status, 404);
}

/// A batch of `n` requests of `method` (with `params`), ids 1..=n.
fn batch(n: usize, method: &str, params: Value) -> String {
    Value::Array((1..=n).map(|i| json!({"jsonrpc": "2.0", "id": i, "method": method, "params": params})).collect())
        .to_string()
}

fn search_params() -> Value {
    json!({"name": "odoo_search", "arguments": {"model": "res.partner", "fields": ["name"], "limit": 1}})
}

fn bucketed(h: &Harness) -> i64 {
    h.db.rows("SELECT COALESCE(SUM(count), 0) AS n FROM rate_buckets")[0]["n"].as_i64().unwrap()
}

#[test]
fn each_message_of_a_batch_counts_against_the_rate_limit() {
    let (h, key) = setup();
    let sid = open(&h, &key, "2025-03-26");
    h.db.rows("UPDATE keys SET rate_limit = 3");
    assert_eq!(bucketed(&h), 1, "the initialize");

    // The issue's case: 50 tool calls on a key allowed 3 a minute. Refused whole, before anything runs,
    // and told why; no Retry-After, since waiting never makes 50 fit in 3.
    h.fake(OdooVersion::V19).clear_calls();
    let r = h.post_mcp(&key, Some(&sid), &[], &batch(50, "tools/call", search_params()));
    assert_eq!(r.status, 429, "{}", r.raw);
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("batch of 50") && message.contains("at most 3"), "{message}");
    assert_eq!(r.header("retry-after"), None);
    assert!(h.fake(OdooVersion::V19).calls().is_empty(), "nothing ran");

    // 3 messages where 2 are left: refused whole (no message runs uncounted), with the time at which
    // all 3 fit: when the initialize's second leaves the window (the harness's clock stands still).
    let r = h.post_mcp(&key, Some(&sid), &[], &batch(3, "ping", json!({})));
    assert_eq!(r.status, 429, "{}", r.raw);
    assert_eq!(r.header("retry-after"), Some("61"));
    assert_eq!(bucketed(&h), 1, "a refusal counts nothing");

    // 2 fit exactly, and count 2.
    let r = h.post_mcp(&key, Some(&sid), &[], &batch(2, "ping", json!({})));
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body.as_array().map(Vec::len), Some(2));
    assert_eq!(bucketed(&h), 3);
    assert_eq!(h.post_mcp(&key, Some(&sid), &[], PING).status, 429);
    let refusals =
        h.db.rows("SELECT COUNT(*) AS n FROM audit WHERE event = 'rate_limited' AND outcome = 'rate_limited'");
    assert_eq!(refusals[0]["n"], json!(3));
}

#[test]
fn a_batch_spends_one_requests_subrequest_budget() {
    let (h, key) = setup();
    let budget = h.settings.subrequest_budget as usize;
    let sid = open(&h, &key, "2025-03-26");
    let fake = h.fake(OdooVersion::V19);
    fake.clear_calls();
    let d1_before = h.db.batches.get();
    let r = h.post_mcp(&key, Some(&sid), &[], &batch(50, "tools/call", search_params()));
    assert_eq!(r.status, 200, "{}", r.raw);
    let replies = r.body.as_array().expect("one reply per message");
    assert_eq!(replies.len(), 50);
    // The first messages run while the budget covers them; every later one is answered, unrun, with
    // its own id and an error saying why.
    let served = replies.iter().take_while(|m| m.get("result").is_some()).count();
    assert!((3..50).contains(&served), "{served} served");
    for (i, m) in replies.iter().enumerate() {
        assert_eq!(m["id"], json!(i + 1));
        if i >= served {
            assert_eq!(m["error"]["code"], json!(-32000), "{m}");
            assert!(m["error"]["message"].as_str().unwrap().contains("subrequest budget"), "{m}");
        } else {
            assert_eq!(m["result"]["isError"], Value::Null, "{m}");
        }
    }
    // Everything the request sent, its after-response write included, fits the budget.
    let odoo = fake.calls().len();
    let d1 = (h.db.batches.get() - d1_before) as usize;
    assert!(odoo + d1 <= budget, "{odoo} Odoo calls + {d1} D1 round trips");
    assert!(odoo >= served, "each served search called Odoo");
}

#[test]
fn odoo_batch_inside_a_batch_gets_only_what_is_left() {
    let (h, key) = setup();
    let sid = open(&h, &key, "2025-03-26");
    h.admin("PUT", "/admin/api/connections/1/models/res.partner", Some(json!({"read": true, "create": true})));
    // 15 creates may need 47 subrequests: they fit what a request has once authenticated (50, less the
    // authentication and the after-response write), not what three searches leave of it.
    let ops: Vec<Value> = (0..15)
        .map(|i| json!({"action": "create", "model": "res.partner", "values": {"name": format!("Budget {i}")}}))
        .collect();
    let call = json!({"name": "odoo_batch", "arguments": {"operations": ops}});
    let mut messages: Vec<Value> = (1..=3)
        .map(|i| json!({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": search_params()}))
        .collect();
    messages.push(json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": call}));
    let alone = h.post_mcp(
        &key,
        Some(&sid),
        &[],
        &json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": call}).to_string(),
    );
    let out = &alone.body["result"]["structuredContent"];
    assert_eq!(out["succeeded"], json!(15), "alone it runs: {}", alone.raw);
    let r = h.post_mcp(&key, Some(&sid), &[], &Value::Array(messages).to_string());
    let last = &r.body[3]["result"];
    assert_eq!(last["isError"], json!(true), "{}", r.raw);
    let text = last["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("Nothing was run") && text.contains("left"), "{text}");
}
