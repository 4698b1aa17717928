//! The stateless lane (protocol 2026-07-28) on the same `/mcp` as the session era: era classification,
//! `server/discover`, the envelope and header ladder with its codes and statuses, removed methods,
//! result shaping (resultType, server info, cache hints), and no session ids anywhere.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{stateless_meta, Harness, Resp};

fn setup() -> (Harness, String) {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "main", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "demo2");
    (h, key)
}

fn post(h: &Harness, key: &str, headers: &[(&str, &str)], body: &Value) -> Resp {
    let auth = format!("Bearer {key}");
    let mut all = vec![
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    all.extend_from_slice(headers);
    h.raw("POST", "/mcp", &all, body.to_string().as_bytes())
}

fn request(id: Value, method: &str, meta: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": {"_meta": meta}})
}

fn error_of(r: &Resp) -> (u16, i64, Value) {
    (r.status, r.body["error"]["code"].as_i64().unwrap_or(0), r.body["id"].clone())
}

#[test]
fn discover_describes_the_server_and_is_publicly_cacheable() {
    let (h, key) = setup();
    let r = h.stateless(
        &key,
        json!("server-discover-probe-1"),
        "server/discover",
        json!({}),
        &[("mcp-session-id", "stale-session")],
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    let result = &r.body["result"];
    assert_eq!(r.body["id"], "server-discover-probe-1");
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["supportedVersions"], json!(["2026-07-28"]));
    assert!(result["capabilities"]["tools"].is_object());
    assert!(result["capabilities"]["logging"].is_object());
    assert!(result["instructions"].as_str().unwrap().contains("odoo_search"));
    assert_eq!(result["cacheScope"], "public");
    assert!(result["ttlMs"].as_u64().unwrap() > 0);
    assert_eq!(result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "odoo-mcp-edge");
    assert!(result["_meta"]["io.modelcontextprotocol/serverInfo"]["version"].is_string());
    assert!(r.header("mcp-session-id").is_none(), "never mint or echo a session id");
    assert_eq!(r.log["era"], "stateless");
}

#[test]
fn lists_and_calls_carry_result_type_server_info_and_cache_hints() {
    let (h, key) = setup();
    for (method, field) in [
        ("tools/list", "tools"),
        ("prompts/list", "prompts"),
        ("resources/list", "resources"),
        ("resources/templates/list", "resourceTemplates"),
    ] {
        let r = h.stateless(&key, json!(1), method, json!({}), &[]);
        assert_eq!(r.status, 200, "{method}: {}", r.raw);
        let result = &r.body["result"];
        assert!(result[field].is_array(), "{method}");
        assert_eq!(result["resultType"], "complete", "{method}");
        assert_eq!(result["cacheScope"], "private", "{method}: lists depend on the key's permissions");
        assert!(result["ttlMs"].is_u64(), "{method}");
        assert!(result["_meta"]["io.modelcontextprotocol/serverInfo"].is_object(), "{method}");
    }
    let r = h.stateless(
        &key,
        json!(2),
        "tools/call",
        json!({"name": "odoo_search", "arguments": {"model": "res.partner", "limit": 2}}),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    let result = &r.body["result"];
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["structuredContent"]["count"], 2);
    assert!(result.get("ttlMs").is_none(), "tool results are not cacheable");
    assert_eq!(r.log["tool"], "odoo_search");

    // A missing resource is -32602 with the URI here (-32002 belongs to the session era).
    let r = h.stateless(&key, json!(3), "resources/read", json!({"uri": "odoo://res.partner/999999"}), &[]);
    assert_eq!(error_of(&r), (200, -32602, json!(3)));
    assert_eq!(r.body["error"]["data"]["uri"], "odoo://res.partner/999999");
    // An unknown tool stays a protocol error.
    let r = h.stateless(&key, json!(4), "tools/call", json!({"name": "nope", "arguments": {}}), &[]);
    assert_eq!(error_of(&r), (200, -32602, json!(4)));
}

#[test]
fn envelope_errors_are_400_minus_32602_and_echo_the_id() {
    let (h, key) = setup();
    let modern = [("mcp-protocol-version", "2026-07-28"), ("mcp-method", "server/discover")];
    let cases = [
        json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28"}),
        json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": "all"}),
        json!({"io.modelcontextprotocol/protocolVersion": 2026, "io.modelcontextprotocol/clientCapabilities": {}}),
        json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/logLevel": "loud"}),
    ];
    for (i, meta) in cases.into_iter().enumerate() {
        let r = post(&h, &key, &modern, &request(json!(i), "server/discover", meta));
        assert_eq!(error_of(&r), (400, -32602, json!(i)), "{}", r.raw);
    }
    // A modern header without any envelope is a modern error, never a session-era fallback.
    let r = post(&h, &key, &modern, &json!({"jsonrpc": "2.0", "id": "x", "method": "server/discover"}));
    assert_eq!(error_of(&r), (400, -32602, json!("x")));
    // Client info is optional.
    let mut meta = stateless_meta();
    meta.as_object_mut().unwrap().remove("io.modelcontextprotocol/clientInfo");
    assert_eq!(post(&h, &key, &modern, &request(json!(9), "server/discover", meta)).status, 200);
}

#[test]
fn version_and_header_ladder() {
    let (h, key) = setup();
    let meta_v = |v: &str| json!({"io.modelcontextprotocol/protocolVersion": v, "io.modelcontextprotocol/clientCapabilities": {}});
    let discover = |v: &str| request(json!(5), "server/discover", meta_v(v));

    // Header and body disagree.
    let r = post(
        &h,
        &key,
        &[("mcp-protocol-version", "2026-07-28"), ("mcp-method", "server/discover")],
        &discover("v999.0.0"),
    );
    assert_eq!(error_of(&r), (400, -32020, json!(5)));
    // No version header at all.
    let r = post(&h, &key, &[("mcp-method", "server/discover")], &discover("2026-07-28"));
    assert_eq!(error_of(&r), (400, -32020, json!(5)));
    // Agreeing, but a version we do not serve: -32022 with what we do serve.
    let r = post(
        &h,
        &key,
        &[("mcp-protocol-version", "2099-01-01"), ("mcp-method", "server/discover")],
        &discover("2099-01-01"),
    );
    assert_eq!(error_of(&r), (400, -32022, json!(5)));
    assert_eq!(r.body["error"]["data"], json!({"supported": ["2026-07-28"], "requested": "2099-01-01"}));

    // Mcp-Method and Mcp-Name must mirror the body.
    let call = |name: &str| json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": name, "arguments": {}, "_meta": meta_v("2026-07-28")}});
    let v = ("mcp-protocol-version", "2026-07-28");
    for headers in [
        vec![v],
        vec![v, ("mcp-method", "tools/call")],
        vec![v, ("mcp-method", "tools/list"), ("mcp-name", "odoo_list_models")],
        vec![v, ("mcp-method", "TOOLS/CALL"), ("mcp-name", "odoo_list_models")],
        vec![v, ("mcp-method", "tools/call"), ("mcp-name", "odoo_search")],
        vec![v, ("mcp-method", "tools/call"), ("mcp-name", "=?base64?not base64?=")],
    ] {
        let r = post(&h, &key, &headers, &call("odoo_list_models"));
        assert_eq!(error_of(&r), (400, -32020, json!(6)), "{headers:?}");
    }
    for name_header in ["odoo_list_models", "  odoo_list_models ", "=?base64?b2Rvb19saXN0X21vZGVscw==?="] {
        let r =
            post(&h, &key, &[v, ("Mcp-Method", "tools/call"), ("MCP-NAME", name_header)], &call("odoo_list_models"));
        assert_eq!(r.status, 200, "{name_header}: {}", r.raw);
        assert!(r.body["result"]["structuredContent"].is_object());
    }
}

#[test]
fn removed_and_unknown_methods_are_404_minus_32601() {
    let (h, key) = setup();
    for method in [
        "initialize",
        "ping",
        "logging/setLevel",
        "resources/subscribe",
        "resources/unsubscribe",
        "completion/nothing",
        "tasks/get",
    ] {
        let r = h.stateless(&key, json!(method), method, json!({}), &[]);
        assert_eq!(error_of(&r), (404, -32601, json!(method)), "{method}: {}", r.raw);
    }
}

#[test]
fn claude_ai_connectors_with_a_legacy_header_are_served_by_the_body() {
    let (h, key) = setup();
    // Header 2025-11-25, body 2026-07-28, no routing headers: served, and logged as a mismatch.
    let r =
        post(&h, &key, &[("mcp-protocol-version", "2025-11-25")], &request(json!(1), "tools/list", stateless_meta()));
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["result"]["resultType"], "complete");
    assert_eq!(r.log["version_header_mismatch"], "2025-11-25");
    // Routing headers that are present must still match.
    let r = post(
        &h,
        &key,
        &[("mcp-protocol-version", "2025-11-25"), ("mcp-method", "prompts/list")],
        &request(json!(2), "tools/list", stateless_meta()),
    );
    assert_eq!(error_of(&r), (400, -32020, json!(2)));
    // Only for the version we serve: a legacy header with an unknown modern body is still a mismatch.
    let meta = json!({"io.modelcontextprotocol/protocolVersion": "2027-01-01", "io.modelcontextprotocol/clientCapabilities": {}});
    let r = post(&h, &key, &[("mcp-protocol-version", "2025-11-25")], &request(json!(3), "tools/list", meta));
    assert_eq!(error_of(&r), (400, -32020, json!(3)));
}

#[test]
fn era_classification_on_one_endpoint() {
    let (h, key) = setup();
    // A plain initialize is the session era, whatever else is sent.
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let r = post(&h, &key, &[], &init);
    assert_eq!(r.status, 200);
    assert!(r.header("mcp-session-id").is_some());
    assert!(r.body["result"].get("resultType").is_none(), "no modern fields on session-era results");
    assert_eq!(r.body["result"]["protocolVersion"], "2025-11-25", "never counter-offer 2026-07-28");
    // initialize with the modern header: the header and the method disagree.
    let r = post(&h, &key, &[("mcp-protocol-version", "2026-07-28")], &init);
    assert_eq!(error_of(&r), (400, -32020, json!(1)));
    // initialize carrying a modern envelope is a modern request, and initialize does not exist there.
    let r =
        h.stateless(&key, json!(2), "initialize", json!({"protocolVersion": "2025-11-25", "capabilities": {}}), &[]);
    assert_eq!(error_of(&r), (404, -32601, json!(2)));
    // No batches in the modern era.
    let r = post(
        &h,
        &key,
        &[("mcp-protocol-version", "2026-07-28")],
        &json!([request(json!(3), "tools/list", stateless_meta())]),
    );
    assert_eq!((r.status, r.body["error"]["code"].clone()), (400, json!(-32600)));
    // Nor under the modern header without a claim (an empty or plain array): a modern -32600, not the
    // session lane's "unsupported protocol version".
    for batch in [json!([]), json!([{"jsonrpc": "2.0", "id": 3, "method": "tools/list"}])] {
        let r = post(&h, &key, &[("mcp-protocol-version", "2026-07-28")], &batch);
        assert_eq!((r.status, r.body["error"]["code"].clone()), (400, json!(-32600)), "{batch}: {}", r.raw);
        assert!(r.raw.contains("no JSON-RPC batches"), "{}", r.raw);
    }
    // A body that is no JSON-RPC object under the modern header: the modern lane's -32600.
    for body in [json!("tools/list"), json!(42), Value::Null] {
        let r = post(&h, &key, &[("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/list")], &body);
        assert_eq!(error_of(&r), (400, -32600, Value::Null), "{body}: {}", r.raw);
    }
    // A modern notification is accepted and dropped.
    let n = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1, "_meta": stateless_meta()}});
    let r = post(&h, &key, &[("mcp-protocol-version", "2026-07-28"), ("mcp-method", "notifications/cancelled")], &n);
    assert_eq!((r.status, r.raw.as_str()), (202, ""));
    // Authentication comes first, for both eras.
    let r = h.raw(
        "POST",
        "/mcp",
        &[("content-type", "application/json"), ("mcp-protocol-version", "2026-07-28")],
        request(json!(4), "server/discover", stateless_meta()).to_string().as_bytes(),
    );
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());
}

#[test]
fn stateless_requests_never_touch_sessions() {
    let (h, key) = setup();
    let s = h.session(&key);
    let sid = s.session_id.clone().unwrap();
    let before = h.db.rows(&format!("SELECT last_seen_at FROM sessions WHERE id = '{sid}'"));
    *h.now.borrow_mut() += 5_000;
    let r = h.stateless(&key, json!(1), "tools/list", json!({}), &[("mcp-session-id", &sid)]);
    assert_eq!(r.status, 200);
    assert!(r.header("mcp-session-id").is_none());
    assert_eq!(
        h.db.rows(&format!("SELECT last_seen_at FROM sessions WHERE id = '{sid}'")),
        before,
        "the session was not read or touched"
    );
}

#[test]
fn subscriptions_listen_of_nothing_it_honours_acknowledges_nothing_and_closes() {
    let (h, key) = setup();
    let r = h.stateless(
        &key,
        json!("L1"),
        "subscriptions/listen",
        json!({"notifications": {"resourceSubscriptions": ["odoo://res.partner/1"]}}),
        &[],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    let msgs = support::sse_messages(&r.raw);
    assert_eq!(msgs.len(), 2, "{}", r.raw);
    assert_eq!(msgs[0]["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(msgs[0]["params"]["notifications"], json!({}));
    assert_eq!(msgs[0]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "L1");
    assert_eq!(msgs[1]["id"], "L1");
    assert_eq!(msgs[1]["result"]["resultType"], "complete");
}

/// Errors answered before the stateless lane takes over carry the request's own id; when there is
/// none to read, the member is left out: the 2026-07-28 schema types `JSONRPCErrorResponse.id` as a
/// string or an integer (the 2026-07-28 conformance run flagged `"id": null` on 429s).
#[test]
fn early_errors_echo_the_id_or_leave_it_out() {
    let (h, key) = setup();
    let id_of = |r: &Resp| r.body.get("id").cloned();
    let body = |id: Value| request(id, "tools/list", stateless_meta()).to_string();
    let modern =
        [("content-type", "application/json"), ("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/list")];

    let r = h.raw("POST", "/mcp", &modern, body(json!("m-401")).as_bytes());
    assert_eq!((r.status, id_of(&r)), (401, Some(json!("m-401"))), "{}", r.raw);
    let r = h.stateless(&key, json!(403), "tools/list", json!({}), &[("origin", "https://evil.example.com")]);
    assert_eq!((r.status, id_of(&r)), (403, Some(json!(403))), "{}", r.raw);
    let r = h.stateless(&key, json!("m-406"), "tools/list", json!({}), &[("accept", "text/html")]);
    assert_eq!((r.status, id_of(&r)), (406, Some(json!("m-406"))), "{}", r.raw);
    let plain = json!({"jsonrpc": "2.0", "id": 12, "method": "tools/list"});
    let r = post(&h, &key, &[("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/list")], &plain);
    assert_eq!((r.status, id_of(&r)), (400, Some(json!(12))), "no envelope: {}", r.raw);

    // Nothing to read: no `id` member at all, never null.
    for (what, r) in [
        ("not JSON", h.raw("POST", "/mcp", &modern, b"{not json")),
        (
            "batch",
            post(
                &h,
                &key,
                &[("mcp-protocol-version", "2026-07-28")],
                &json!([request(json!(1), "tools/list", stateless_meta())]),
            ),
        ),
        (
            "not an object",
            post(&h, &key, &[("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/list")], &json!(42)),
        ),
        (
            "too large",
            post(
                &h,
                &key,
                &[("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/list")],
                &json!("x".repeat(1_100_000)),
            ),
        ),
        ("GET", h.raw("GET", "/mcp", &[("mcp-protocol-version", "2026-07-28")], b"")),
    ] {
        assert!(r.status >= 400, "{what}: {}", r.raw);
        assert_eq!(r.body["jsonrpc"], "2.0", "{what}: {}", r.raw);
        assert!(r.body["error"]["code"].is_i64(), "{what}: {}", r.raw);
        assert_eq!(id_of(&r), None, "{what}: {}", r.raw);
    }

    // Over the rate limit (a fresh key, none of the requests above counted): the 429 names the request.
    let (h, key) = setup();
    h.db.rows("UPDATE keys SET rate_limit = 1");
    assert_eq!(h.stateless(&key, json!(1), "tools/list", json!({}), &[]).status, 200);
    let r = h.stateless(&key, json!("m-429"), "tools/list", json!({}), &[]);
    assert_eq!((r.status, id_of(&r)), (429, Some(json!("m-429"))), "{}", r.raw);
    assert!(r.header("retry-after").is_some());
}
