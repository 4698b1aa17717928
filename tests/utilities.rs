//! The protocol utilities in both eras: pagination with bound cursors, progress and log notifications
//! streamed before the result, and cancellation (a recorded `notifications/cancelled` in the session
//! era, the client closing the stream in either).

mod support;

use fake_odoo::OdooVersion;
use odoo_mcp_edge::mcp::stream::ResponseStream;
use serde_json::{json, Value};
use support::{sse_messages, Harness};

fn setup(page_size: usize) -> (Harness, String) {
    let mut h = Harness::new();
    h.settings.list_page_size = page_size;
    let c = h.connection(OdooVersion::V19, "main", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "demo2");
    (h, key)
}

const SEARCH: &str = "odoo_search";

fn search_args() -> Value {
    json!({"model": "res.partner", "fields": ["name"], "limit": 3})
}

/// Every tool name, following `nextCursor` through all pages of `tools/list`.
fn all_tool_names(mut page: impl FnMut(Option<String>) -> Value) -> (Vec<String>, usize) {
    let (mut names, mut pages, mut cursor) = (Vec::new(), 0, None);
    loop {
        let result = page(cursor.take());
        pages += 1;
        names.extend(result["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()));
        match result["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return (names, pages),
        }
    }
}

#[test]
fn tools_list_pages_in_both_eras() {
    let (h, key) = setup(3);
    // Every tool listed (a key is offered only the tools some enabled model allows: tests/tool_lists.rs).
    h.allow(
        1,
        "res.partner",
        json!({"read": true, "create": true, "update": true, "delete": true, "actions": ["action_archive"]}),
    );
    let want: Vec<String> =
        odoo_mcp_edge::capabilities::tools::definitions().iter().map(|t| t.name.to_string()).collect();
    let want_pages = want.len().div_ceil(3);
    assert!(want_pages >= 2);
    let mut s = h.session(&key);
    let (names, pages) =
        all_tool_names(|c| s.request("tools/list", c.map_or(json!({}), |c| json!({"cursor": c})))["result"].clone());
    assert_eq!((&names, pages), (&want, want_pages));
    let (names, pages) = all_tool_names(|c| {
        h.stateless(&key, json!(1), "tools/list", c.map_or(json!({}), |c| json!({"cursor": c})), &[]).body["result"]
            .clone()
    });
    assert_eq!((&names, pages), (&want, want_pages));
    // An empty cursor is the first page.
    assert_eq!(s.request("tools/list", json!({"cursor": ""}))["result"]["tools"].as_array().unwrap().len(), 3);
}

#[test]
fn cursors_cannot_be_forged_or_moved_to_another_list_or_key() {
    let (h, key) = setup(2);
    let other_key = h.key(1, OdooVersion::V19, "admin");
    let cursor = h.stateless(&key, json!(1), "tools/list", json!({}), &[]).body["result"]["nextCursor"]
        .as_str()
        .unwrap()
        .to_string();
    let forged = cursor.replacen('2', "3", 1);
    for (k, method, c) in [
        (&key, "prompts/list", cursor.as_str()),
        (&key, "resources/list", cursor.as_str()),
        (&other_key, "tools/list", cursor.as_str()),
        (&key, "tools/list", forged.as_str()),
        (&key, "tools/list", "0.AAAA"),
        (&key, "tools/list", "garbage"),
    ] {
        let r = h.stateless(k, json!(2), method, json!({"cursor": c}), &[]);
        assert_eq!(
            (r.body["error"]["code"].clone(), r.body["id"].clone()),
            (json!(-32602), json!(2)),
            "{method} {c}: {}",
            r.raw
        );
        let mut s = h.session(k);
        assert_eq!(s.request(method, json!({"cursor": c}))["error"]["code"], -32602, "session era: {method} {c}");
    }
    let r = h.stateless(&key, json!(3), "tools/list", json!({"cursor": 5}), &[]);
    assert_eq!(r.body["error"]["code"], -32602);
}

#[test]
fn cursors_are_signed_with_a_key_derived_for_them_not_with_credentials_key() {
    use odoo_mcp_edge::capabilities::cursor;
    use odoo_mcp_edge::crypto::derive_key;
    let (h, key) = setup(2);
    let key_id = h.db.rows("SELECT MAX(id) AS id FROM keys")[0]["id"].as_i64().unwrap();
    let master = h.settings.credentials_key.unwrap();
    let binding = format!("list|tools/list|{key_id}");
    // A cursor made with CREDENTIALS_KEY itself (as every cursor was before the derivation) is refused
    // like any altered one: that key encrypts Odoo API keys and signs nothing.
    let raw = cursor::encode(&master, &binding, 2);
    let r = h.stateless(&key, json!(1), "tools/list", json!({"cursor": raw}), &[]);
    assert_eq!(r.body["error"]["code"], json!(-32602), "{}", r.raw);
    let derived = cursor::encode(&derive_key(&master, cursor::KEY_LABEL), &binding, 2);
    let r = h.stateless(&key, json!(2), "tools/list", json!({"cursor": derived}), &[]);
    assert_eq!(r.body["result"]["tools"].as_array().map(Vec::len), Some(2), "{}", r.raw);
    // The cursor the server issues is that derived one.
    let issued = h.stateless(&key, json!(3), "tools/list", json!({}), &[]).body["result"]["nextCursor"].clone();
    assert_eq!(issued, json!(derived));
}

/// A `tools/call` of the search with a progress token, in the session era, over SSE.
fn session_search(h: &Harness, key: &str, id: i64, meta: Value, stream: &ResponseStream) -> support::Resp {
    let mut s = h.session(key);
    let msg = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": SEARCH, "arguments": search_args(), "_meta": meta}});
    s.post_with(&msg, &[], stream)
}

#[test]
fn progress_streams_before_the_result_in_both_eras() {
    let (h, key) = setup(50);
    let legacy = session_search(&h, &key, 7, json!({"progressToken": "p-1"}), &ResponseStream::new());
    let modern = h.stateless(
        &key,
        json!(7),
        "tools/call",
        json!({"name": SEARCH, "arguments": search_args(), "_meta": {"progressToken": 42}}),
        &[],
    );
    for (era, r, token) in [("session", legacy, json!("p-1")), ("stateless", modern, json!(42))] {
        assert_eq!(r.status, 200, "{era}");
        assert_eq!(r.header("content-type"), Some("text/event-stream"), "{era}");
        assert_eq!(r.header("x-accel-buffering"), Some("no"), "{era}");
        let msgs = sse_messages(&r.raw);
        let progress: Vec<&Value> = msgs.iter().filter(|m| m["method"] == "notifications/progress").collect();
        assert_eq!(progress.len(), 2, "{era}: {}", r.raw);
        assert!(progress.iter().all(|p| p["params"]["progressToken"] == token && p["params"]["total"] == 2), "{era}");
        assert!(
            progress[0]["params"]["progress"].as_f64() < progress[1]["params"]["progress"].as_f64(),
            "{era}: increasing"
        );
        assert!(progress[1]["params"]["message"].as_str().unwrap().contains("res.partner"), "{era}");
        let last = msgs.last().unwrap();
        assert_eq!(last["id"], 7, "{era}: the result comes last");
        assert_eq!(last["result"]["structuredContent"]["count"], 3, "{era}");
        assert_eq!(r.log["streamed"], true);
    }
    // Without a progress token, or from a client that takes only JSON, the answer is plain JSON.
    let r = h.stateless(&key, json!(8), "tools/call", json!({"name": SEARCH, "arguments": search_args()}), &[]);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let r = h.stateless(
        &key,
        json!(9),
        "tools/call",
        json!({"name": SEARCH, "arguments": search_args(), "_meta": {"progressToken": 1}}),
        &[("accept", "application/json")],
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.body["result"]["structuredContent"]["count"], 3);
}

#[test]
fn session_log_level_controls_notifications_message() {
    let (h, key) = setup(50);
    let mut s = h.session(&key);
    let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": SEARCH, "arguments": search_args()}});
    // No level set: plain JSON, no log.
    assert_eq!(s.post(&call).header("content-type"), Some("application/json"));
    assert_eq!(s.request("logging/setLevel", json!({"level": "debug"}))["result"], json!({}));
    let r = s.post(&call);
    let logs: Vec<Value> =
        sse_messages(&r.raw).into_iter().filter(|m| m["method"] == "notifications/message").collect();
    let levels: Vec<&str> = logs.iter().map(|m| m["params"]["level"].as_str().unwrap()).collect();
    assert!(levels.contains(&"debug") && levels.contains(&"info"), "{}", r.raw);
    assert!(logs.iter().all(|m| m["params"]["logger"] == "odoo-mcp"));
    assert!(!r.raw.contains(&key), "never the key");
    // At "warning", the info and debug lines are filtered out.
    s.request("logging/setLevel", json!({"level": "warning"}));
    let r = s.post(&call);
    assert!(!r.raw.contains("notifications/message"), "{}", r.raw);
    assert_eq!(s.request("logging/setLevel", json!({"level": "chatty"}))["error"]["code"], -32602);
}

#[test]
fn stateless_log_level_is_per_request() {
    let (h, key) = setup(50);
    let args = json!({"model": "res.partner", "fields": ["name", "no_such_field"], "limit": 2});
    let with_level = |level: &str| {
        h.stateless(
            &key,
            json!(1),
            "tools/call",
            json!({"name": SEARCH, "arguments": args, "_meta": {"io.modelcontextprotocol/logLevel": level}}),
            &[],
        )
    };
    let r = with_level("info");
    let logs: Vec<Value> =
        sse_messages(&r.raw).into_iter().filter(|m| m["method"] == "notifications/message").collect();
    assert!(logs.iter().any(|m| m["params"]["level"] == "info"), "{}", r.raw);
    assert!(
        logs.iter()
            .any(|m| m["params"]["level"] == "warning"
                && m["params"]["data"].as_str().unwrap().contains("no_such_field")),
        "{}",
        r.raw
    );
    assert!(!logs.iter().any(|m| m["params"]["level"] == "debug"));
    let r = with_level("error");
    assert!(!r.raw.contains("notifications/message"));
    // No level: no log at all (and JSON).
    let r = h.stateless(&key, json!(2), "tools/call", json!({"name": SEARCH, "arguments": args}), &[]);
    assert!(!r.raw.contains("notifications/message"));
}

#[test]
fn session_cancellation_is_recorded_and_stops_between_odoo_calls() {
    let (h, key) = setup(50);
    let mut s = h.session(&key);
    // The notification arrives on its own POST and is recorded for that session and request id.
    let r = s.post(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 77, "reason": "user stop"}}));
    assert_eq!(r.status, 202);
    assert_eq!(h.db.rows("SELECT request_id FROM cancellations")[0]["request_id"], "77");
    let calls_before = h.odoo19.request_count();
    // The cancelled request stops after its first Odoo call (the cold-cache fields_get) and sends no result.
    let msg = json!({"jsonrpc": "2.0", "id": 77, "method": "tools/call", "params": {"name": SEARCH, "arguments": search_args(), "_meta": {"progressToken": "c"}}});
    let r = s.post(&msg);
    let msgs = sse_messages(&r.raw);
    assert!(msgs.iter().all(|m| m.get("id").is_none()), "no result for a cancelled request: {}", r.raw);
    assert_eq!(h.odoo19.request_count() - calls_before, 1, "search_read was never sent");
    let audit = h.db.rows("SELECT outcome, tool FROM audit WHERE event = 'request_cancelled'");
    assert_eq!((audit[0]["outcome"].clone(), audit[0]["tool"].clone()), (json!("cancelled"), json!(SEARCH)));
    // Over plain JSON, a cancelled request gets an empty 202.
    s.post(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "x"}}));
    let msg = json!({"jsonrpc": "2.0", "id": "x", "method": "tools/call", "params": {"name": "odoo_get", "arguments": {"model": "res.partner", "ids": [1]}}});
    let r = s.post(&msg);
    // The schema is warm now, so odoo_get makes one Odoo call and has no point at which to stop.
    assert_eq!(r.status, 200, "a cancellation that comes too late is ignored: {}", r.raw);
    // Another request id in the same session is not affected.
    let r = s.request("tools/call", json!({"name": SEARCH, "arguments": search_args()}));
    assert_eq!(r["result"]["structuredContent"]["count"], 3);
}

#[test]
fn closing_the_stream_cancels_in_both_eras() {
    let (h, key) = setup(50);
    for era in ["session", "stateless"] {
        // Cold caches, in this isolate and in D1, so that a fields_get comes before the search.
        odoo_mcp_edge::store::schema_cache::invalidate_all();
        h.db.rows("DELETE FROM schema_cache");
        let stream = ResponseStream::new();
        let client = stream.clone();
        // The client goes away while the first Odoo call is under way.
        *h.http.on_send.borrow_mut() = Some(Box::new(move || drop(client.reader())));
        let calls_before = h.odoo19.request_count();
        let r = if era == "session" {
            session_search(&h, &key, 5, json!({"progressToken": "t"}), &stream)
        } else {
            h.stateless_with_stream(
                &key,
                json!(5),
                "tools/call",
                json!({"name": SEARCH, "arguments": search_args(), "_meta": {"progressToken": "t"}}),
                &[],
                &stream,
            )
        };
        *h.http.on_send.borrow_mut() = None;
        assert!(stream.client_gone(), "{era}");
        assert_eq!(h.odoo19.request_count() - calls_before, 1, "{era}: stopped before search_read");
        assert!(!r.raw.contains("\"result\""), "{era}: nothing sent after the client left: {}", r.raw);
        assert_eq!(r.log["outcome"], "cancelled", "{era}");
    }
}
