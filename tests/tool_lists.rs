//! `tools/list` fits the key: a tool is listed only when some model enabled for the key allows its
//! operation (`tools::offered`), in both eras, whether the connection or the key's scope narrows it. The
//! read-only list is a snapshot (`tests/snapshots/tool_lists/read_only.json`; the full list is every
//! tool's own snapshot, tests/tool_definitions.rs), rewritten by `UPDATE_SNAPSHOTS=1`.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::Harness;

const V: OdooVersion = OdooVersion::V19;

fn names(result: &Value) -> Vec<String> {
    let tools = result["tools"].as_array().cloned().unwrap_or_default();
    tools.iter().filter_map(|t| t["name"].as_str().map(str::to_string)).collect()
}

/// The key's tools/list in the session era and in the stateless era (the same, in both).
fn listed(h: &Harness, key: &str) -> Vec<String> {
    let session = names(&h.session(key).request("tools/list", json!({}))["result"]);
    let r = h.stateless(key, json!(1), "tools/list", json!({}), &[]);
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["result"]["cacheScope"], "private", "a list that depends on the key is not shared");
    assert_eq!(names(&r.body["result"]), session, "both eras list the same tools");
    session
}

fn key_with_scope(h: &Harness, c: i64, scope: Value) -> String {
    let cfg = fake_odoo::Config::new(V);
    let user = cfg.users.iter().find(|u| u.login == "admin").unwrap();
    let r = h.admin(
        "POST",
        "/admin/api/keys",
        Some(json!({"connection_id": c, "label": "scoped", "odoo_login": "admin", "odoo_api_key": user.api_key, "scope": scope})),
    );
    assert_eq!(r.status, 201, "{}", r.raw);
    r.body["key"].as_str().unwrap().to_string()
}

#[test]
fn a_read_only_key_lists_no_write_tool() {
    let h = Harness::new();
    let c = h.connection(V, "c", &["res.partner", "crm.lead"]);
    let got = listed(&h, &h.key(c, V, "admin"));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/tool_lists/read_only.json");
    let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let saved = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(text, saved, "the read-only list changed: review, then UPDATE_SNAPSHOTS=1 cargo test --test tool_lists");
    for write in
        ["odoo_create", "odoo_update", "odoo_delete", "odoo_chatter_post", "odoo_attach", "odoo_action", "odoo_batch"]
    {
        assert!(!got.iter().any(|n| n == write), "{write} listed for a read-only key: {got:?}");
    }
}

#[test]
fn each_operation_a_model_allows_brings_its_tools() {
    let h = Harness::new();
    let c = h.connection(V, "c", &["res.partner", "crm.lead"]);
    let key = h.key(c, V, "admin");
    let reads = listed(&h, &key);
    let added = |h: &Harness| -> Vec<String> { listed(h, &key).into_iter().filter(|n| !reads.contains(n)).collect() };

    h.allow(c, "crm.lead", json!({"read": true, "create": true}));
    assert_eq!(added(&h), ["odoo_create", "odoo_batch"]);
    h.allow(c, "res.partner", json!({"read": true, "update": true}));
    assert_eq!(added(&h), ["odoo_create", "odoo_update", "odoo_chatter_post", "odoo_attach", "odoo_batch"]);
    h.allow(c, "crm.lead", json!({"read": true, "create": true, "delete": true, "actions": ["action_set_lost"]}));
    assert_eq!(
        added(&h),
        ["odoo_create", "odoo_update", "odoo_delete", "odoo_chatter_post", "odoo_attach", "odoo_action", "odoo_batch"]
    );
    // Nothing enabled at all: only odoo_list_models, which says so.
    let empty = h.connection(V, "empty", &[]);
    assert_eq!(listed(&h, &h.key(empty, V, "admin")), ["odoo_list_models"]);
}

#[test]
fn a_keys_scope_narrows_its_list() {
    let h = Harness::new();
    let c = h.connection(V, "c", &["res.partner", "crm.lead"]);
    h.allow(c, "res.partner", json!({"read": true, "create": true, "update": true, "delete": true}));
    let full = listed(&h, &h.key(c, V, "admin"));
    assert!(full.iter().any(|n| n == "odoo_delete"), "{full:?}");
    let read = listed(&h, &key_with_scope(&h, c, json!({"operations": ["read"]})));
    let snapshot: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/tool_lists/read_only.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(read, snapshot, "a read-only scope lists what a read-only connection lists");
    // A scope on one model allows what that model allows.
    let partner = listed(&h, &key_with_scope(&h, c, json!({"models": ["crm.lead"]})));
    assert!(!partner.iter().any(|n| n == "odoo_create"), "crm.lead is read-only here: {partner:?}");
}
