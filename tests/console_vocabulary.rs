//! What the console reads and shows about itself: the icon every page asks for, the audit's one
//! vocabulary (a failed admin authentication named as `/mcp` names it, a connection test audited as a
//! test), and the hourly counts of the audit's chart.

mod support;

use fake_odoo::OdooVersion;
use serde_json::json;
use support::Harness;

#[test]
fn the_icon_is_served_at_favicon_ico() {
    let h = Harness::new();
    for path in ["/favicon.ico", "/admin/icon.svg"] {
        let r = h.raw("GET", path, &[], b"");
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some("image/svg+xml"), "{path}");
        assert!(r.raw.starts_with("<svg"), "{path}: {}", r.raw);
    }
    let page = h.raw("GET", "/admin", &[], b"");
    assert!(page.raw.contains("rel=icon"), "the pages name the icon");
}

#[test]
fn failed_admin_authentications_use_the_mcp_words() {
    let h = Harness::new();
    assert_eq!(h.raw("GET", "/admin/api/keys", &[("cf-connecting-ip", "198.51.100.1")], b"").status, 401);
    let wrong = [("authorization", "Bearer wrong"), ("cf-connecting-ip", "198.51.100.2")];
    assert_eq!(h.raw("GET", "/admin/api/keys", &wrong, b"").status, 401);
    let form = [("content-type", "application/x-www-form-urlencoded"), ("cf-connecting-ip", "198.51.100.3")];
    assert_eq!(h.raw("POST", "/admin/login", &form, b"token=").status, 401);
    let rows = h.db.rows("SELECT tool, outcome FROM audit WHERE event = 'auth_failure' ORDER BY id");
    let seen: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["tool"].as_str().unwrap_or("").to_string(), r["outcome"].as_str().unwrap_or("").to_string()))
        .collect();
    let expected = [("admin_api", "missing_key"), ("admin_api", "unknown_key"), ("admin_console", "missing_key")];
    assert_eq!(seen, expected.map(|(t, o)| (t.to_string(), o.to_string())));
}

#[test]
fn a_connection_test_is_audited_as_a_test() {
    let h = Harness::new();
    let id = h.connection(OdooVersion::V19, "c19", &[]);
    let r = h.admin("POST", &format!("/admin/api/connections/{id}/test"), None);
    assert_eq!(r.status, 200, "{}", r.raw);
    let rows = h.db.rows("SELECT operation, detail FROM audit WHERE event = 'admin_action' ORDER BY id");
    let last = rows.last().expect("an audit row");
    assert_eq!(last["operation"], json!("connection.test"), "{rows:?}");
    assert!(last["detail"].as_str().unwrap_or("").contains("browsing user"), "{last:?}");
    assert!(!rows.iter().any(|r| r["operation"] == json!("connection.update")), "a test changes nothing: {rows:?}");
}

#[test]
fn the_chart_counts_tool_calls_and_refusals_per_hour() {
    let h = Harness::new();
    let id = h.connection(OdooVersion::V19, "c19", &["res.partner"]);
    let key = h.key(id, OdooVersion::V19, "admin");
    let mut s = h.session(&key);
    s.tool("odoo_search", json!({"model": "res.partner", "limit": 1}));
    s.tool("odoo_search", json!({"model": "res.partner", "limit": 1}));
    s.tool("odoo_search", json!({"model": "crm.lead"}));
    drop(s);
    let r = h.admin("GET", "/admin/api/audit/hourly", None);
    assert_eq!(r.status, 200, "{}", r.raw);
    let hours = r.body["hours"].as_array().expect("hours");
    assert_eq!(hours.len(), 1, "{}", r.raw);
    assert_eq!((hours[0]["calls"].clone(), hours[0]["refusals"].clone()), (json!(2), json!(1)), "{}", r.raw);
    let since = r.body["since"].as_i64().expect("since");
    assert!(hours[0]["hour"].as_i64().expect("hour") >= since && since % 3_600_000 == 0, "{}", r.raw);
    assert_eq!(h.admin("POST", "/admin/api/audit/hourly", None).status, 405);
    // The key list's "last used" comes from the same calls.
    let keys = h.admin("GET", "/admin/api/keys", None);
    assert!(keys.body["keys"][0]["last_used_at"].is_i64(), "{}", keys.raw);
}
