//! The admin JSON API: guarded by ADMIN_TOKEN, detects Odoo, verifies credentials before issuing keys,
//! never shows a secret twice, stores Odoo API keys encrypted.

mod support;

use fake_odoo::{Config, OdooVersion};
use serde_json::{json, Value};
use support::Harness;

#[test]
fn requires_the_admin_token() {
    let h = Harness::new();
    assert_eq!(h.raw("GET", "/admin/api/keys", &[], b"").status, 401);
    assert_eq!(h.raw("GET", "/admin/api/keys", &[("authorization", "Bearer wrong")], b"").status, 401);
    let r = h.raw(
        "GET",
        "/admin/api/keys",
        &[("authorization", &format!("Bearer {}", support::ADMIN_TOKEN)), ("origin", "http://evil.example.com")],
        b"",
    );
    assert_eq!(r.status, 403, "cross-site browser requests are refused");
    assert_eq!(r.body["error"]["code"], json!("forbidden_origin"), "in the admin API's error shape: {}", r.raw);
    assert_eq!(h.admin("GET", "/admin/api/keys", None).status, 200);
    assert_eq!(h.admin("GET", "/admin/api/nope", None).status, 404);
    assert_eq!(h.admin("PATCH", "/admin/api/keys", None).status, 405);
}

#[test]
fn connections_detect_version_and_transport() {
    let h = Harness::new();
    let r = h.admin(
        "POST",
        "/admin/api/connections",
        Some(json!({"name": "v19", "url": format!("{}/", h.odoo19.url()), "database": "mcptest"})),
    );
    assert_eq!(r.status, 201, "{}", r.raw);
    assert_eq!((r.body["odoo_version"].as_str(), r.body["transport"].as_str()), (Some("19.0"), Some("json2")));
    assert_eq!(r.body["url"], json!(h.odoo19.url()), "normalised without the trailing slash");
    let r = h.admin(
        "POST",
        "/admin/api/connections",
        Some(json!({"name": "v17", "url": h.odoo17.url(), "database": "mcptest17"})),
    );
    assert_eq!(
        (r.body["odoo_version"].as_str(), r.body["transport"].as_str()),
        (Some("17.0-20240709"), Some("jsonrpc"))
    );
    let id = r.body["id"].as_i64().unwrap();

    let r =
        h.admin("POST", "/admin/api/connections", Some(json!({"name": "v17", "url": h.odoo17.url(), "database": "x"})));
    assert_eq!(r.status, 409, "names are unique");
    let r = h.admin(
        "POST",
        "/admin/api/connections",
        Some(json!({"name": "bad", "url": "http://odoo.example.com", "database": "x"})),
    );
    assert_eq!(r.status, 400, "plain http to a public host is refused");
    let r = h.admin(
        "POST",
        "/admin/api/connections",
        Some(json!({"name": "ssrf", "url": "https://169.254.169.254", "database": "x"})),
    );
    assert_eq!(r.status, 400);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let r = h.admin(
        "POST",
        "/admin/api/connections",
        Some(json!({"name": "down", "url": format!("http://127.0.0.1:{closed}"), "database": "x"})),
    );
    assert_eq!(r.status, 502);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("could not detect"));
    let r = h.admin("POST", "/admin/api/connections", Some(json!({"url": h.odoo17.url()})));
    assert_eq!(r.status, 400);

    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{id}"),
        Some(json!({"url": h.odoo19.url(), "database": "mcptest"})),
    );
    assert_eq!((r.status, r.body["transport"].as_str(), r.body["name"].as_str()), (200, Some("json2"), Some("v17")));
    let list = h.admin("GET", "/admin/api/connections", None);
    assert_eq!(list.body["connections"].as_array().unwrap().len(), 2);
}

#[test]
fn model_permissions_default_deny_and_sensitive_flag() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &[]);
    let r = h.admin("GET", &format!("/admin/api/connections/{c}/models"), None);
    assert_eq!(r.body["models"], json!([]));
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/res.partner"),
        Some(json!({"read": true, "update": true})),
    );
    assert_eq!(
        r.body,
        json!({"model": "res.partner", "read": true, "create": false, "update": true, "delete": false, "unlock_sensitive": false, "fields": null, "actions": []})
    );
    let r = h.admin("PUT", &format!("/admin/api/connections/{c}/models/res.users"), Some(json!({"read": true})));
    assert_eq!(r.status, 200);
    assert!(r.body["blocked"].as_str().unwrap().contains("sensitive"));
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/res.partner"),
        Some(json!({"unlock_sensitive": true})),
    );
    assert_eq!(r.status, 400);
    let r = h.admin("PUT", &format!("/admin/api/connections/{c}/models/Bad Model"), Some(json!({"read": true})));
    assert_eq!(r.status, 400);
    let r = h.admin("PUT", &format!("/admin/api/connections/{c}/models/res.partner"), Some(json!({"read": "yes"})));
    assert_eq!(r.status, 400);
    let r = h.admin("PUT", "/admin/api/connections/999/models/res.partner", Some(json!({"read": true})));
    assert_eq!(r.status, 404);
    let audit = h.db.rows("SELECT operation FROM audit WHERE event = 'admin_action'");
    assert!(audit.iter().any(|r| r["operation"] == "model.permissions"));
}

#[test]
fn keys_are_verified_shown_once_hashed_and_encrypted() {
    let h = Harness::new();
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let c = h.connection(v, &format!("{v:?}"), &["res.partner"]);
        let cfg = Config::new(v);
        let demo2 = cfg.users.iter().find(|u| u.login == "demo2").unwrap();
        let r = h.admin(
            "POST",
            "/admin/api/keys",
            Some(json!({"connection_id": c, "label": "L", "odoo_login": "demo2", "odoo_api_key": demo2.api_key})),
        );
        assert_eq!(r.status, 201, "{}", r.raw);
        let key = r.body["key"].as_str().unwrap().to_string();
        assert!(key.starts_with("omcp_") && key.starts_with(r.body["prefix"].as_str().unwrap()));
        assert_eq!(r.body["odoo_uid"], json!(demo2.uid));

        let r = h.admin("POST", "/admin/api/keys", Some(json!({"connection_id": c, "label": "L", "odoo_login": "demo2", "odoo_api_key": "0000000000000000000000000000000000000000"})));
        assert_eq!(r.status, 400, "{}", r.raw);
        assert_eq!(r.body["error"]["code"], "odoo_rejected_credentials");
        let r = h.admin(
            "POST",
            "/admin/api/keys",
            Some(json!({"connection_id": c, "label": "L", "odoo_login": "admin", "odoo_api_key": demo2.api_key})),
        );
        assert_eq!(r.status, 400, "a key must belong to the login it is issued for: {}", r.raw);

        let stored: Vec<String> =
            h.db.rows("SELECT * FROM keys").iter().map(|r| Value::Object(r.clone()).to_string()).collect();
        for row in &stored {
            assert!(!row.contains(&key) && !row.contains(&demo2.api_key), "no secret stored in clear: {row}");
        }
        let listed = h.admin("GET", "/admin/api/keys", None);
        assert!(
            !listed.raw.contains(&key) && !listed.raw.contains(&demo2.api_key) && !listed.raw.contains("odoo_key_enc")
        );
    }
    let r = h.admin(
        "POST",
        "/admin/api/keys",
        Some(json!({"connection_id": 999, "label": "L", "odoo_login": "demo2", "odoo_api_key": "x"})),
    );
    assert_eq!(r.status, 404);
    let r = h.admin("POST", "/admin/api/keys", Some(json!({"connection_id": 1, "label": "L", "odoo_login": "demo2", "odoo_api_key": "x", "scope": {"models": "all"}})));
    assert_eq!(r.status, 400);
    let r = h.admin("DELETE", "/admin/api/keys/999", None);
    assert_eq!(r.status, 404);
}

#[test]
fn a_scope_narrows_a_key() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner", "crm.lead"]);
    let cfg = Config::new(OdooVersion::V19);
    let admin = cfg.users.iter().find(|u| u.login == "admin").unwrap();
    let r = h.admin("POST", "/admin/api/keys", Some(json!({"connection_id": c, "label": "partners only", "odoo_login": "admin", "odoo_api_key": admin.api_key, "scope": {"models": ["res.partner"], "operations": ["read"]}})));
    assert_eq!(r.status, 201, "{}", r.raw);
    let mut s = h.session(r.body["key"].as_str().unwrap());
    let r = s.tool("odoo_list_models", json!({}));
    assert_eq!(r["structuredContent"]["models"].as_array().unwrap().len(), 1);
    let r = s.tool("odoo_search", json!({"model": "crm.lead"}));
    assert_eq!(r["isError"], true);
    assert!(support::text_of(&r).contains("scope"));
}

#[test]
fn health_reports_the_database() {
    let h = Harness::new();
    let r = h.raw("GET", "/health", &[], b"");
    assert_eq!((r.status, r.body["d1"].clone(), r.body["status"].clone()), (200, json!(true), json!("ok")));
    assert_eq!(r.body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!((r.body["admin_token_set"].clone(), r.body["credentials_key_set"].clone()), (json!(true), json!(true)));
    assert!(!r.raw.contains(support::ADMIN_TOKEN));
    // The admin half's Worker answers the same at /admin/health (what the `/mcp` Worker forwards there).
    let admin = h.raw("GET", "/admin/health", &[], b"");
    assert_eq!((admin.status, &admin.body["admin_token_set"], &admin.body["d1"]), (200, &json!(true), &json!(true)));
    // The key is named, not shown: the same name for the same key, another for another.
    let id = r.body["credentials_key_id"].as_str().unwrap().to_string();
    assert!(id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    assert_eq!(admin.body["credentials_key_id"], id.as_str());
    let mut other = Harness::new();
    other.settings.credentials_key = Some([7u8; 32]);
    assert_ne!(other.raw("GET", "/health", &[], b"").body["credentials_key_id"], id.as_str());

    // A deployment whose secrets were not put (or whose CREDENTIALS_KEY is not 32 bytes of base64) says so.
    let mut bare = Harness::new();
    bare.settings.admin_token = None;
    bare.settings.credentials_key = None;
    let r = bare.raw("GET", "/health", &[], b"");
    assert_eq!(
        (
            r.body["admin_token_set"].clone(),
            r.body["credentials_key_set"].clone(),
            r.body["credentials_key_id"].clone()
        ),
        (json!(false), json!(false), json!(null))
    );
}

#[test]
fn the_audit_export_is_never_cached() {
    let h = Harness::new();
    let r = h.admin("GET", "/admin/api/audit/export", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[test]
fn an_oversized_body_is_refused_in_the_shape_of_what_was_asked_for() {
    let h = Harness::new();
    let auth = format!("Bearer {}", support::ADMIN_TOKEN);
    let declared = (2 * 1024 * 1024).to_string();
    let headers =
        [("authorization", auth.as_str()), ("content-type", "application/json"), ("content-length", declared.as_str())];
    let r = h.raw("PUT", "/admin/api/settings", &headers, br#"{"default_rate_limit": 5}"#);
    assert_eq!(
        (r.status, r.body["error"]["code"].as_str()),
        (413, Some("too_large")),
        "the admin API's own shape: {}",
        r.raw
    );
    assert!(r.body.get("jsonrpc").is_none());
    let r = h.admin("PUT", "/admin/api/settings", Some(json!({"allowed_origins": ["x".repeat(70_000)]})));
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (413, Some("too_large")));
    let r = h.raw("POST", "/mcp", &headers, b"{}");
    assert_eq!((r.status, r.body["jsonrpc"].as_str()), (413, Some("2.0")), "{}", r.raw);
}

#[test]
fn models_odoo_does_not_have_are_not_found() {
    let h = Harness::new();
    for (v, name) in [(OdooVersion::V19, "v19"), (OdooVersion::V17, "v17")] {
        let cfg = Config::new(v);
        let admin = cfg.users.iter().find(|u| u.login == "admin").unwrap();
        let r = h.admin("POST", "/admin/api/connections", Some(json!({"name": name, "url": h.fake(v).url(), "database": cfg.database, "odoo_login": "admin", "odoo_api_key": admin.api_key})));
        assert_eq!(r.status, 201, "{}", r.raw);
        let c = r.body["id"].as_i64().unwrap();
        let r = h.admin("GET", &format!("/admin/api/connections/{c}/odoo-models/no.such.model/fields"), None);
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (404, Some("unknown_model")), "{name}: {}", r.raw);
        // With a browsing user, a permission for a model Odoo lacks is refused; one it has is set.
        let r =
            h.admin("PUT", &format!("/admin/api/connections/{c}/models/no.such.model"), Some(json!({"read": true})));
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (404, Some("unknown_model")), "{name}: {}", r.raw);
        let r = h.admin("PUT", &format!("/admin/api/connections/{c}/models/res.partner"), Some(json!({"read": true})));
        assert_eq!(r.status, 200, "{name}: {}", r.raw);
    }
    let listed = h.db.rows("SELECT model FROM model_permissions");
    assert_eq!(listed.len(), 2, "{listed:?}");
}

#[test]
fn a_permission_row_can_be_removed() {
    let h = Harness::new();
    // Without a browsing user nobody can ask Odoo, so the row is taken as given; and removable.
    let c = h.connection(OdooVersion::V19, "c", &["res.partner", "x.typo"]);
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/res.partner"),
        Some(json!({"read": true, "fields": {"mode": "deny", "fields": ["email"]}})),
    );
    assert_eq!(r.status, 200);
    for model in ["x.typo", "res.partner"] {
        let r = h.admin("DELETE", &format!("/admin/api/connections/{c}/models/{model}"), None);
        assert_eq!(r.status, 200, "{}", r.raw);
        assert_eq!(r.body["removed"], true);
    }
    let r = h.admin("GET", &format!("/admin/api/connections/{c}/models"), None);
    assert_eq!(r.body["models"], json!([]));
    assert!(h.db.rows("SELECT model FROM field_policies").is_empty());
    let r = h.admin("DELETE", &format!("/admin/api/connections/{c}/models/x.typo"), None);
    assert_eq!(r.status, 404);
    let removed = h.db.rows("SELECT detail FROM audit WHERE operation = 'model.remove'");
    assert_eq!(removed.len(), 2);
}

#[test]
fn revoking_twice_is_recorded_once() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner"]);
    h.key(c, OdooVersion::V19, "demo2");
    let first = h.admin("DELETE", "/admin/api/keys/1", None);
    assert_eq!(first.status, 200);
    let again = h.admin("POST", "/admin/api/keys/1/revoke", None);
    assert_eq!(again.status, 200);
    assert_eq!(again.body["revoked_at"], first.body["revoked_at"]);
    let rows = h.db.rows("SELECT id FROM audit WHERE operation = 'key.revoke'");
    assert_eq!(rows.len(), 1);
}

#[test]
fn connection_names_are_unique_ignoring_case() {
    let h = Harness::new();
    let url = h.odoo19.url();
    let create = |name: &str| {
        h.admin("POST", "/admin/api/connections", Some(json!({"name": name, "url": url, "database": "mcptest"})))
    };
    assert_eq!(create("Acme").status, 201);
    for name in ["acme", "ACME", " acme "] {
        assert_eq!(create(name).status, 409, "{name}");
    }
    assert_eq!(create("Ökonom").status, 201);
    assert_eq!(create("ökonom").status, 409, "not only ASCII");
    let other = create("Other").body["id"].as_i64().unwrap();
    let r = h.admin("PUT", &format!("/admin/api/connections/{other}"), Some(json!({"name": "aCmE"})));
    assert_eq!(r.status, 409, "{}", r.raw);
    let r = h.admin("PUT", "/admin/api/connections/1", Some(json!({"name": "ACME"})));
    assert_eq!(
        (r.status, r.body["name"].as_str()),
        (200, Some("ACME")),
        "a connection may change the case of its own name"
    );
}
