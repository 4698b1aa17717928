//! Early start (`transport::early`): a warm key's read sends its Odoo call alongside the authentication
//! batch, and its answer is used only when the batch passes the key and the request makes that very
//! call. Checked by the order of events under production-shaped delays (never by timing): a revoked or
//! rate-limited key never receives data while its early call is in flight, writes never start early,
//! and a change of permissions makes the request send its own call.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::latency::{Event, Slow};
use support::Harness;

const SEARCH: &str = "odoo_search";

fn args() -> Value {
    json!({"model": "res.partner", "fields": ["name", "email"], "limit": 3, "order": "id"})
}

/// A `tools/call` in the session era (with `session`) or the stateless era (without), through `slow`.
fn call(h: &Harness, slow: &Slow, key: &str, session: Option<&str>, tool: &str, args: Value) -> support::Resp {
    let auth = format!("Bearer {key}");
    let mut headers = vec![
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    let mut params = json!({"name": tool, "arguments": args});
    match session {
        Some(sid) => {
            headers.push(("mcp-session-id", sid));
            headers.push(("mcp-protocol-version", "2025-11-25"));
        }
        None => {
            params["_meta"] = support::stateless_meta();
            headers.extend([("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/call"), ("mcp-name", tool)]);
        }
    }
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params});
    slow.serve(h, &headers, &body.to_string()).0
}

fn setup(v: OdooVersion) -> (Harness, i64, String) {
    let h = Harness::new();
    let c = h.connection(v, "c", &["res.partner"]);
    h.allow(c, "res.partner", json!({"read": true, "create": true}));
    let key = h.key(c, v, "admin");
    (h, c, key)
}

/// Whether an Odoo request left before the authentication batch answered.
fn started_early(events: &[Event]) -> bool {
    let sent = events.iter().position(|e| matches!(e, Event::OdooSent(_)));
    let answered = events.iter().position(|e| *e == Event::D1Answered);
    matches!((sent, answered), (Some(s), Some(a)) if s < a)
}

/// Whether the Odoo request left before the authentication batch's (`early::alongside`: the batch
/// follows it a turn later, so that local D1's work on the thread does not hold it back).
fn odoo_sent_first(events: &[Event]) -> bool {
    let sent = events.iter().position(|e| matches!(e, Event::OdooSent(_)));
    let batch = events.iter().position(|e| *e == Event::D1Sent);
    matches!((sent, batch), (Some(s), Some(b)) if s < b)
}

/// Names of the first partners, as the first (passed) call read them.
fn partner_names(first: &support::Resp) -> Vec<String> {
    let records = first.body["result"]["structuredContent"]["records"].as_array().cloned().unwrap_or_default();
    records.iter().filter_map(|r| r["name"].as_str().map(str::to_string)).collect()
}

#[test]
fn a_warm_read_calls_odoo_alongside_the_batch_in_both_eras_and_answers_the_same() {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let (h, _, key) = setup(v);
        let mut s = h.session(&key);
        let sid = s.session_id.clone();
        let slow = Slow::new(&h, 30, 10);
        // Cold: the batch first, then Odoo (the schema, then the search).
        let cold = call(&h, &slow, &key, sid.as_deref(), SEARCH, args());
        assert!(!started_early(&slow.events()), "{v:?}: {:?}", slow.events());
        assert!(!odoo_sent_first(&slow.events()), "{v:?}: {:?}", slow.events());
        assert!(cold.log.get("early").is_none());
        for session in [sid.as_deref(), None] {
            let warm = call(&h, &slow, &key, session, SEARCH, args());
            let events = slow.events();
            assert!(started_early(&events), "{v:?} {session:?}: {events:?}");
            assert!(odoo_sent_first(&events), "{v:?} {session:?}: {events:?}");
            assert_eq!(slow.count(|e| matches!(e, Event::OdooSent(_))), 1, "one Odoo call: {events:?}");
            assert_eq!(warm.log["early"], json!("used"), "{:?}", warm.log);
            assert_eq!(
                warm.body["result"]["structuredContent"], cold.body["result"]["structuredContent"],
                "{v:?}: the same answer"
            );
        }
        // Audited once per call, as always.
        let rows = h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'tool_call' AND outcome = 'ok'");
        assert_eq!(rows[0]["n"], json!(3));
        let _ = s.request("ping", json!({}));
    }
}

#[test]
fn a_key_revoked_while_its_early_call_is_in_flight_receives_nothing() {
    let (h, _, key) = setup(OdooVersion::V19);
    let slow = Slow::new(&h, 30, 10);
    let first = call(&h, &slow, &key, None, SEARCH, args());
    let names = partner_names(&first);
    assert_eq!(names.len(), 3, "{}", first.raw);
    let id = h.admin("GET", "/admin/api/keys", None).body["keys"][0]["id"].as_i64().unwrap();
    assert_eq!(h.admin("DELETE", &format!("/admin/api/keys/{id}"), None).status, 200);

    let r = call(&h, &slow, &key, None, SEARCH, args());
    assert!(started_early(&slow.events()), "the early call was in flight: {:?}", slow.events());
    assert_eq!(r.status, 401, "{}", r.raw);
    for name in &names {
        assert!(!r.raw.contains(name.as_str()), "no record reaches a revoked key: {}", r.raw);
    }
    assert!(r.raw.contains("revoked"), "{}", r.raw);
    assert_eq!(r.log["early"], json!("dropped"));
    // Audited as the refusal it is; no tool call is recorded for it.
    let calls = h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'tool_call'");
    assert_eq!(calls[0]["n"], json!(1), "only the first call");

    // Refused: nothing starts early for it any more.
    let _ = call(&h, &slow, &key, None, SEARCH, args());
    assert_eq!(slow.count(|e| matches!(e, Event::OdooSent(_))), 0, "{:?}", slow.events());
}

#[test]
fn a_rate_limited_key_receives_nothing_and_pauses_its_early_starts() {
    let (h, _, key) = setup(OdooVersion::V19);
    h.db.rows("UPDATE keys SET rate_limit = 2");
    let slow = Slow::new(&h, 30, 10);
    *h.now.borrow_mut() = 1_000_000;
    let first = call(&h, &slow, &key, None, SEARCH, args());
    let names = partner_names(&first);
    assert_eq!(names.len(), 3, "{}", first.raw);
    let second = call(&h, &slow, &key, None, SEARCH, args());
    assert_eq!((second.status, &second.log["early"]), (200, &json!("used")));

    let third = call(&h, &slow, &key, None, SEARCH, args());
    assert!(started_early(&slow.events()), "{:?}", slow.events());
    assert_eq!(third.status, 429, "{}", third.raw);
    for name in &names {
        assert!(!third.raw.contains(name.as_str()), "{}", third.raw);
    }
    assert_eq!(third.log["early"], json!("dropped"));
    let limited = h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'rate_limited'");
    assert_eq!(limited[0]["n"], json!(1));
    let calls = h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'tool_call'");
    assert_eq!(calls[0]["n"], json!(2), "the dropped call is not audited as a call");

    // A minute later the key is admitted again, but within the pause after a refusal it starts
    // nothing early: the batch answers before Odoo is called.
    *h.now.borrow_mut() += 61_000;
    let later = call(&h, &slow, &key, None, SEARCH, args());
    assert_eq!(later.status, 200, "{}", later.raw);
    assert!(!started_early(&slow.events()), "{:?}", slow.events());
    assert!(later.log.get("early").is_none());
}

#[test]
fn writes_never_start_early() {
    let (h, _, key) = setup(OdooVersion::V19);
    let slow = Slow::new(&h, 30, 10);
    for i in 0..3 {
        let r = call(
            &h,
            &slow,
            &key,
            None,
            "odoo_create",
            json!({"model": "res.partner", "values": {"name": format!("Early {i}")}}),
        );
        assert!(r.body["result"]["structuredContent"]["id"].is_i64(), "{}", r.raw);
        assert!(!started_early(&slow.events()), "{:?}", slow.events());
        assert!(r.log.get("early").is_none());
    }
}

#[test]
fn a_change_the_batch_brings_makes_the_request_send_its_own_call() {
    let (h, c, key) = setup(OdooVersion::V19);
    let slow = Slow::new(&h, 30, 10);
    let first = call(&h, &slow, &key, None, SEARCH, args());
    assert!(first.raw.contains("email"), "{}", first.raw);
    // The administrator hides email: the early call (held permissions) asked for it, the batch's
    // permissions do not allow it, so the served request sends its own, and its answer has no email.
    h.allow(c, "res.partner", json!({"read": true, "create": true, "fields": {"mode": "deny", "fields": ["email"]}}));
    let hidden = call(&h, &slow, &key, None, SEARCH, json!({"model": "res.partner", "limit": 3, "order": "id"}));
    assert!(started_early(&slow.events()), "{:?}", slow.events());
    assert_eq!(hidden.log["early"], json!("dropped"), "{:?}", hidden.log);
    assert_eq!(slow.count(|e| matches!(e, Event::OdooSent(_))), 2, "its own call: {:?}", slow.events());
    assert!(hidden.body["result"]["structuredContent"].is_object(), "{}", hidden.raw);
    assert!(!hidden.body["result"]["structuredContent"].to_string().contains("\"email\""), "{}", hidden.raw);
}
