//! Credentials stay with their host: changing a connection's Odoo address (another origin) forgets the
//! console's browsing user and suspends the connection's keys until an administrator confirms each one,
//! so no Odoo login or API key given for one server is sent to another without consent.

mod support;

use fake_odoo::{Config, FakeOdoo, OdooVersion};
use serde_json::{json, Value};
use support::Harness;

fn api_key(login: &str) -> String {
    Config::new(OdooVersion::V19).users.into_iter().find(|u| u.login == login).unwrap().api_key
}

/// Calls that carried credentials (anything but the unauthenticated version probes).
fn authenticated_calls(odoo: &FakeOdoo) -> Vec<String> {
    odoo.calls()
        .into_iter()
        .filter(|c| c.model.is_some() || !c.login_or_uid.is_null())
        .map(|c| format!("{:?} {} {}", c.model, c.method, c.login_or_uid))
        .collect()
}

fn initialize(h: &Harness, key: &str) -> support::Resp {
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    h.raw(
        "POST",
        "/mcp",
        &[
            ("authorization", &format!("Bearer {key}")),
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
        ],
        init.to_string().as_bytes(),
    )
}

/// A connection on the harness's Odoo 19 with a browsing user, res.partner readable, and a key for demo2.
fn connection_with_key(h: &Harness) -> (i64, i64, String) {
    let r = h.admin("POST", "/admin/api/connections", Some(json!({"name": "c", "url": h.odoo19.url(), "database": "mcptest", "odoo_login": "admin", "odoo_api_key": api_key("admin")})));
    assert_eq!(r.status, 201, "{}", r.raw);
    let c = r.body["id"].as_i64().unwrap();
    let r = h.admin("PUT", &format!("/admin/api/connections/{c}/models/res.partner"), Some(json!({"read": true})));
    assert_eq!(r.status, 200, "{}", r.raw);
    let r = h.admin(
        "POST",
        "/admin/api/keys",
        Some(json!({"connection_id": c, "label": "demo2", "odoo_login": "demo2", "odoo_api_key": api_key("demo2")})),
    );
    assert_eq!(r.status, 201, "{}", r.raw);
    (c, r.body["id"].as_i64().unwrap(), r.body["key"].as_str().unwrap().to_string())
}

#[test]
fn a_new_odoo_address_gets_no_credentials_until_the_keys_are_confirmed() {
    let h = Harness::new();
    let (c, key_id, key) = connection_with_key(&h);
    let mut s = h.session(&key);
    assert!(s.tool("odoo_search", json!({"model": "res.partner", "limit": 1})).get("isError").is_none());

    // Another server that would accept the same credentials: the worst case.
    let elsewhere = FakeOdoo::start(Config::new(OdooVersion::V19)).unwrap();
    let r = h.admin("PUT", &format!("/admin/api/connections/{c}"), Some(json!({"url": elsewhere.url()})));
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["browse_login"], Value::Null, "{}", r.raw);
    assert_eq!(r.body["moved"]["suspended_keys"], json!([key_id]));
    assert_eq!(r.body["moved"]["browse_user_cleared"], true);
    assert_eq!(r.body["moved"]["to"], json!(elsewhere.url()));

    // Nothing the administrator or a client does sends the old credentials to the new address.
    let t = h.admin("POST", &format!("/admin/api/connections/{c}/test"), None);
    assert_eq!(t.body["credentials"]["status"], "not_set", "{}", t.raw);
    let b = h.admin("GET", &format!("/admin/api/connections/{c}/odoo-models?q=partner"), None);
    assert_eq!(b.body["error"]["code"], "no_browse_user", "{}", b.raw);
    let r = s.post(&json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "odoo_search", "arguments": {"model": "res.partner"}}}));
    assert_eq!(r.status, 403, "{}", r.raw);
    assert!(r.raw.contains("confirm"), "{}", r.raw);
    let r = initialize(&h, &key);
    assert_eq!(r.status, 403, "{}", r.raw);
    assert!(authenticated_calls(&elsewhere).is_empty(), "{:?}", authenticated_calls(&elsewhere));
    let audit = h.db.rows("SELECT outcome FROM audit WHERE event = 'auth_failure' ORDER BY id DESC LIMIT 1");
    assert_eq!(audit[0]["outcome"], "suspended");

    let keys = h.admin("GET", "/admin/api/keys", None);
    let listed = &keys.body["keys"][0];
    assert_eq!(listed["suspended"]["to"], json!(elsewhere.url()));
    assert_eq!(listed["suspended"]["from"], json!(h.odoo19.url()));

    // The administrator confirms the key: from now on it works against the new address.
    let r = h.admin("POST", &format!("/admin/api/keys/{key_id}/confirm"), None);
    assert_eq!((r.status, r.body["suspended"].clone()), (200, Value::Null), "{}", r.raw);
    assert_eq!(initialize(&h, &key).status, 200);
    let mut s = h.session(&key);
    assert!(s.tool("odoo_search", json!({"model": "res.partner", "limit": 1})).get("isError").is_none());
    assert!(!authenticated_calls(&elsewhere).is_empty());
    let r = h.admin("POST", &format!("/admin/api/keys/{key_id}/confirm"), None);
    assert_eq!(r.status, 200, "confirming again changes nothing");
    let moves = h
        .db
        .rows("SELECT operation, detail FROM audit WHERE operation IN ('connection.move', 'key.confirm') ORDER BY id");
    assert_eq!(
        moves.iter().map(|r| r["operation"].as_str().unwrap()).collect::<Vec<_>>(),
        ["connection.move", "key.confirm"],
        "one row for the move, one for the confirmation: {moves:?}"
    );
    for row in h.db.rows("SELECT detail FROM audit") {
        let detail = row["detail"].as_str().unwrap_or_default();
        assert!(!detail.contains(&api_key("admin")) && !detail.contains(&api_key("demo2")), "{detail}");
    }
    assert_eq!(h.admin("POST", "/admin/api/keys/999/confirm", None).status, 404);
}

#[test]
fn a_move_may_bring_its_own_browsing_user_checked_against_the_new_address() {
    let h = Harness::new();
    let (c, key_id, key) = connection_with_key(&h);
    let elsewhere = FakeOdoo::start(Config::new(OdooVersion::V19)).unwrap();
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}"),
        Some(json!({"url": elsewhere.url(), "odoo_login": "admin", "odoo_api_key": "wrong"})),
    );
    assert_eq!(r.status, 400, "{}", r.raw);
    let unchanged = h.admin("GET", &format!("/admin/api/connections/{c}"), None);
    assert_eq!(
        (unchanged.body["url"].clone(), unchanged.body["browse_login"].clone()),
        (json!(h.odoo19.url()), json!("admin")),
        "a refused move changes nothing"
    );
    assert_eq!(initialize(&h, &key).status, 200);

    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}"),
        Some(json!({"url": elsewhere.url(), "odoo_login": "admin", "odoo_api_key": api_key("admin")})),
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["browse_login"], "admin");
    assert_eq!(r.body["moved"]["browse_user_cleared"], false);
    assert_eq!(r.body["moved"]["suspended_keys"], json!([key_id]), "the keys' credentials still need confirming");
    let b = h.admin("GET", &format!("/admin/api/connections/{c}/odoo-models?q=partner"), None);
    assert_eq!(b.status, 200, "{}", b.raw);
    assert_eq!(initialize(&h, &key).status, 403);
}

#[test]
fn the_same_origin_keeps_credentials_and_keys() {
    let h = Harness::new();
    let (c, _, key) = connection_with_key(&h);
    for change in [json!({"url": format!("{}/", h.odoo19.url())}), json!({"database": "mcptest", "name": "renamed"})] {
        let r = h.admin("PUT", &format!("/admin/api/connections/{c}"), Some(change.clone()));
        assert_eq!(r.status, 200, "{}", r.raw);
        assert!(r.body.get("moved").is_none(), "{change}: {}", r.raw);
        assert_eq!(r.body["browse_login"], "admin");
        assert_eq!(initialize(&h, &key).status, 200, "{change}");
    }
    let keys = h.admin("GET", "/admin/api/keys", None);
    assert_eq!(keys.body["keys"][0]["suspended"], Value::Null);
}

#[test]
fn revoked_keys_are_not_suspended_and_new_keys_are_not_either() {
    let h = Harness::new();
    let (c, old_id, _) = connection_with_key(&h);
    assert_eq!(h.admin("DELETE", &format!("/admin/api/keys/{old_id}"), None).status, 200);
    let elsewhere = FakeOdoo::start(Config::new(OdooVersion::V19)).unwrap();
    let r = h.admin("PUT", &format!("/admin/api/connections/{c}"), Some(json!({"url": elsewhere.url()})));
    assert_eq!(r.body["moved"]["suspended_keys"], json!([]), "{}", r.raw);
    // A key issued after the move was checked against the new address: nothing to confirm.
    let key = h.key(c, OdooVersion::V19, "demo2");
    assert_eq!(initialize(&h, &key).status, 200);
}
