//! The lists' changes reaching connected clients (`transport::listen`): a session's GET stream and a
//! 2026-07-28 `subscriptions/listen` each hear `notifications/*/list_changed` when an administrator
//! changes the key's model permissions while they are open (the listen's notifications tagged with its
//! id, only the kinds it asked for and was acknowledged), and end when the key is revoked or their
//! subrequests are spent; the GET's refusals (no Accept, no key, no session, the stateless era).

mod support;

use fake_odoo::OdooVersion;
use odoo_mcp_edge::mcp::stream::ResponseStream;
use odoo_mcp_edge::platform::join;
use serde_json::{json, Value};
use support::{block_on, sse_messages, stateless_meta, Harness};

fn setup(h: &Harness) -> (i64, String) {
    let c = h.connection(OdooVersion::V19, "c", &["res.partner"]);
    (c, h.key(c, OdooVersion::V19, "admin"))
}

/// Waits until `stream` has sent a message whose method is `method`; everything seen so far.
async fn until_sent(stream: &ResponseStream, seen: &mut String, method: &str) {
    loop {
        seen.push_str(&String::from_utf8_lossy(&stream.take_buffered()));
        if sse_messages(seen).iter().any(|m| m["method"] == method) {
            return;
        }
        odoo_mcp_edge::platform::thread_sleep(5).await;
    }
}

fn get_headers<'a>(auth: &'a str, sid: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("authorization", auth), ("accept", "text/event-stream"), ("mcp-session-id", sid)]
}

#[test]
fn a_session_get_stream_hears_a_permission_change_and_ends_with_its_key() {
    let h = Harness::new();
    let (c, key) = setup(&h);
    let s = h.session(&key);
    let sid = s.session_id.clone().expect("session");
    let auth = format!("Bearer {key}");
    let stream = ResponseStream::new();
    let mut seen = String::new();
    let (resp, ()) = block_on(join(h.raw_async("GET", "/mcp", &get_headers(&auth, &sid), b"", &stream), async {
        // Let the watch read the lists as they are, then enable writes on the model and a new model.
        odoo_mcp_edge::platform::thread_sleep(150).await;
        h.allow(c, "res.partner", json!({"read": true, "create": true}));
        until_sent(&stream, &mut seen, "notifications/tools/list_changed").await;
        // Revoked, the key's stream ends.
        h.admin("DELETE", "/admin/api/keys/1", None);
    }));
    assert_eq!(resp.status, 200, "{}", resp.raw);
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    seen.push_str(&resp.raw);
    assert!(seen.starts_with("retry: 5000"), "{seen}");
    let methods: Vec<String> =
        sse_messages(&seen).iter().map(|m| m["method"].as_str().unwrap_or("").to_string()).collect();
    // Create adds odoo_create (and odoo_batch): the tools changed; prompts and resources did not.
    assert_eq!(methods, ["notifications/tools/list_changed"], "{seen}");
    assert_eq!(resp.log.get("ended"), Some(&json!("key_unusable")));
}

#[test]
fn the_get_stream_is_refused_without_what_it_needs() {
    let h = Harness::new();
    let (_, key) = setup(&h);
    let auth = format!("Bearer {key}");
    let r = h.raw("GET", "/mcp", &[("authorization", &auth)], b"");
    assert_eq!(r.status, 406, "{}", r.raw);
    let r = h.raw("GET", "/mcp", &[("accept", "text/event-stream")], b"");
    assert_eq!(r.status, 401, "{}", r.raw);
    let r = h.raw("GET", "/mcp", &[("authorization", &auth), ("accept", "text/event-stream")], b"");
    assert_eq!(r.status, 400, "{}", r.raw);
    let r = h.raw("GET", "/mcp", &get_headers(&auth, "no-such-session"), b"");
    assert_eq!(r.status, 404, "{}", r.raw);
    let modern =
        [("authorization", auth.as_str()), ("accept", "text/event-stream"), ("mcp-protocol-version", "2026-07-28")];
    let r = h.raw("GET", "/mcp", &modern, b"");
    assert_eq!(r.status, 405, "{}", r.raw);
    assert!(r.header("allow").unwrap_or("").contains("POST"));
}

#[test]
fn a_subscription_hears_only_what_it_asked_for_tagged_with_its_id() {
    let mut h = Harness::new();
    // Authentication, the first look and a few more: the watch then ends and the listen closes.
    h.settings.subrequest_budget = 12;
    let (c, key) = setup(&h);
    let stream = ResponseStream::new();
    let mut seen = String::new();
    let params = json!({"notifications": {"toolsListChanged": true, "resourcesListChanged": true, "resourceSubscriptions": ["odoo://res.partner/1"]}});
    let (resp, ()) = block_on(join(
        async {
            let mut p = params.clone();
            p["_meta"] = stateless_meta();
            let body = json!({"jsonrpc": "2.0", "id": "L7", "method": "subscriptions/listen", "params": p});
            let auth = format!("Bearer {key}");
            let headers = [
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
                ("accept", "application/json, text/event-stream"),
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "subscriptions/listen"),
            ];
            h.raw_async("POST", "/mcp", &headers, body.to_string().as_bytes(), &stream).await
        },
        async {
            until_sent(&stream, &mut seen, "notifications/subscriptions/acknowledged").await;
            odoo_mcp_edge::platform::thread_sleep(150).await;
            // A new readable model: tools unchanged, resources (and prompts, not asked for) changed.
            h.allow(c, "crm.lead", json!({"read": true}));
            until_sent(&stream, &mut seen, "notifications/resources/list_changed").await;
        },
    ));
    seen.push_str(&resp.raw);
    let msgs = sse_messages(&seen);
    assert_eq!(msgs[0]["params"]["notifications"], json!({"toolsListChanged": true, "resourcesListChanged": true}));
    let notes: Vec<&Value> =
        msgs.iter().filter(|m| m["method"].as_str().is_some_and(|m| m.ends_with("list_changed"))).collect();
    assert_eq!(notes.len(), 1, "{seen}");
    assert_eq!(notes[0]["method"], "notifications/resources/list_changed");
    assert_eq!(notes[0]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "L7");
    let last = msgs.last().expect("the end");
    assert_eq!((last["id"].clone(), last["result"]["resultType"].clone()), (json!("L7"), json!("complete")), "{seen}");
    assert_eq!(resp.log.get("ended"), Some(&json!("budget")));
}

#[test]
fn both_eras_advertise_list_changes() {
    let h = Harness::new();
    let (_, key) = setup(&h);
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let r = h.post_mcp(&key, None, &[], &init.to_string());
    assert_eq!(r.body["result"]["capabilities"]["tools"]["listChanged"], true);
    let r = h.stateless(&key, json!(1), "server/discover", json!({}), &[]);
    assert_eq!(r.body["result"]["capabilities"]["resources"]["listChanged"], true, "{}", r.raw);
    assert_eq!(r.body["result"]["capabilities"]["resources"]["subscribe"], false);
}
