//! What a POST to `/mcp` meets before either lane: a JSON-RPC body that names a key twice is refused as
//! unparseable.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::Harness;

fn setup() -> (Harness, String) {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "main", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "demo2");
    (h, key)
}

#[test]
fn a_message_naming_a_key_twice_is_refused_in_both_eras() {
    let (h, key) = setup();
    let mut s = h.session(&key);
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
            (
                r.status,
                r.body["error"]["code"].clone(),
                r.body["id"].clone()
            ),
            (400, json!(-32700), Value::Null),
            "{body}: {}",
            r.raw
        );
        assert!(r.raw.contains("duplicate key"), "{}", r.raw);
    }
    assert!(h.fake(OdooVersion::V19).calls().is_empty(), "nothing ran");
    let mut meta = support::modern_meta();
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
    assert_eq!(
        (r.status, r.body["error"]["code"].clone()),
        (400, json!(-32700)),
        "{}",
        r.raw
    );
    assert!(
        r.body.get("id").is_none(),
        "the modern era leaves an unreadable id out: {}",
        r.raw
    );
}
