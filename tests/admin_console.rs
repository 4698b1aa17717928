//! The admin console and what it drives: login with a signed, expiring cookie, CSRF on every change,
//! security headers, model browsing from ir.model, settings, the audit view, and key snippets.

mod support;

use fake_odoo::{Config, OdooVersion};
use serde_json::{json, Value};
use support::{Harness, Resp, ADMIN_TOKEN, WORKER_ORIGIN};

/// Signs in through the login form and returns the cookie pair and the page's CSRF token.
fn sign_in(h: &Harness) -> (String, String) {
    let r = h.raw(
        "POST",
        "/admin/login",
        &[("content-type", "application/x-www-form-urlencoded"), ("origin", WORKER_ORIGIN)],
        format!("token={ADMIN_TOKEN}").as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.raw);
    let set = r.header("set-cookie").unwrap().to_string();
    let cookie = set.split(';').next().unwrap().to_string();
    let page = h.raw("GET", "/admin", &[("cookie", &cookie)], b"");
    let csrf = page.raw.split("name=csrf-token content=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(!csrf.is_empty());
    (cookie, csrf)
}

fn as_console(h: &Harness, method: &str, path: &str, cookie: &str, csrf: Option<&str>, body: Option<Value>) -> Resp {
    let mut headers = vec![("cookie", cookie), ("content-type", "application/json"), ("origin", WORKER_ORIGIN)];
    if let Some(t) = csrf {
        headers.push(("x-csrf-token", t));
    }
    h.raw(method, path, &headers, body.map(|b| b.to_string()).unwrap_or_default().as_bytes())
}

#[test]
fn login_sets_a_strict_cookie_and_wrong_tokens_are_audited() {
    let h = Harness::new();
    let r = h.raw("GET", "/admin", &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.raw.contains("name=token"), "the login form");
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'none'")
            && csp.contains("script-src 'self'")
            && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));

    let r = h.raw("POST", "/admin/login", &[("content-type", "application/x-www-form-urlencoded")], b"token=wrong");
    assert_eq!(r.status, 401);
    assert!(r.header("set-cookie").is_none());
    assert!(!r.raw.contains(ADMIN_TOKEN));
    let failures = h.db.rows("SELECT tool FROM audit WHERE event = 'auth_failure'");
    assert_eq!(failures[0]["tool"], "admin_console");

    let r = h.raw(
        "POST",
        "/admin/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        format!("token={}", ADMIN_TOKEN).as_bytes(),
    );
    assert_eq!((r.status, r.header("location")), (303, Some("/admin")));
    let set = r.header("set-cookie").unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/admin", "Max-Age="] {
        assert!(set.contains(attr), "{attr} in {set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP on loopback (dev) only");
    assert!(!set.contains(ADMIN_TOKEN));
    let (cookie, _) = sign_in(&h);
    let page = h.raw("GET", "/admin", &[("cookie", &cookie)], b"");
    assert!(page.raw.contains("<script src=\"/admin/assets/console.js\">") && !page.raw.contains(ADMIN_TOKEN));
    // The script's words are a static file per language (scripts/console-assets.mjs), loaded before it;
    // English has none.
    assert!(!page.raw.contains("/admin/assets/words/"), "{}", page.raw);
    let fr = h.raw("GET", "/admin", &[("cookie", &cookie), ("accept-language", "fr")], b"");
    let (words, script) = (fr.raw.find("/admin/assets/words/fr.js"), fr.raw.find("/admin/assets/console.js"));
    assert!(words.is_some() && words < script, "{}", fr.raw);
}

#[test]
fn the_console_session_reads_freely_and_changes_only_with_its_csrf_token() {
    let h = Harness::new();
    let (cookie, csrf) = sign_in(&h);
    assert_eq!(as_console(&h, "GET", "/admin/api/connections", &cookie, None, None).status, 200);
    let body = json!({"name": "c", "url": h.odoo19.url(), "database": "mcptest"});
    let r = as_console(&h, "POST", "/admin/api/connections", &cookie, None, Some(body.clone()));
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (403, Some("csrf")));
    let r = as_console(&h, "POST", "/admin/api/connections", &cookie, Some("forged"), Some(body.clone()));
    assert_eq!(r.status, 403);
    let r = as_console(&h, "POST", "/admin/api/connections", &cookie, Some(&csrf), Some(body));
    assert_eq!(r.status, 201, "{}", r.raw);

    // Another site cannot ride the session: its Origin is refused before anything else.
    let r = h.raw(
        "POST",
        "/admin/api/connections",
        &[("cookie", &cookie), ("x-csrf-token", &csrf), ("origin", "https://evil.example.com")],
        b"{}",
    );
    assert_eq!(r.status, 403);
    // A tampered or expired cookie is no session.
    let tampered = cookie.replacen('1', "2", 1);
    assert_eq!(as_console(&h, "GET", "/admin/api/keys", &tampered, None, None).status, 401);
    *h.now.borrow_mut() += 9 * 60 * 60 * 1000;
    assert_eq!(
        as_console(&h, "GET", "/admin/api/keys", &cookie, None, None).status,
        401,
        "sessions expire after 8 hours"
    );
}

#[test]
fn logout_clears_the_cookie() {
    let h = Harness::new();
    let (cookie, csrf) = sign_in(&h);
    let r =
        h.raw("POST", "/admin/logout", &[("cookie", &cookie), ("x-csrf-token", &csrf), ("origin", WORKER_ORIGIN)], b"");
    assert_eq!(r.status, 303);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    let audit = h.db.rows("SELECT operation FROM audit WHERE event = 'admin_action' ORDER BY id");
    let ops: Vec<&str> = audit.iter().filter_map(|r| r["operation"].as_str()).collect();
    assert_eq!(ops, ["console.login", "console.logout"]);
}

#[test]
fn models_are_browsed_from_ir_model_with_the_connections_odoo_user() {
    let h = Harness::new();
    let admin = Config::new(OdooVersion::V19).users.into_iter().find(|u| u.login == "admin").unwrap();
    let r = h.admin("POST", "/admin/api/connections", Some(json!({"name": "c", "url": h.odoo19.url(), "database": "mcptest", "odoo_login": "admin", "odoo_api_key": "wrong"})));
    assert_eq!(r.status, 400, "browsing credentials are checked: {}", r.raw);
    assert_eq!(h.admin("GET", "/admin/api/connections", None).body["connections"], json!([]), "nothing half-made");
    let c = h.connection(OdooVersion::V19, "c", &[]);
    let r = h.admin("GET", &format!("/admin/api/connections/{c}/odoo-models"), None);
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (409, Some("no_browse_user")));
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}"),
        Some(json!({"odoo_login": "admin", "odoo_api_key": admin.api_key})),
    );
    assert_eq!((r.status, r.body["browse_login"].as_str()), (200, Some("admin")), "{}", r.raw);
    assert!(!r.raw.contains(&admin.api_key));
    let stored = h.db.rows("SELECT odoo_key_enc FROM connection_credentials");
    assert!(!stored[0]["odoo_key_enc"].as_str().unwrap().contains(&admin.api_key), "encrypted at rest");

    h.admin("PUT", &format!("/admin/api/connections/{c}/models/res.partner"), Some(json!({"read": true})));
    let r = h.admin("GET", &format!("/admin/api/connections/{c}/odoo-models?q=partner"), None);
    assert_eq!(r.status, 200, "{}", r.raw);
    let models = r.body["models"].as_array().unwrap();
    let partner = models.iter().find(|m| m["model"] == "res.partner").expect("res.partner listed");
    assert_eq!((partner["read"].as_bool(), partner["name"].as_str()), (Some(true), Some("Contact")));
    assert!(models.iter().all(|m| m["model"].as_str().unwrap().contains("partner")
        || m["name"].as_str().unwrap().to_lowercase().contains("partner")));
    let r = h.admin("GET", &format!("/admin/api/connections/{c}/odoo-models?q=res.users"), None);
    let users = r.body["models"].as_array().unwrap().iter().find(|m| m["model"] == "res.users").unwrap().clone();
    assert!(users["blocked"].as_str().unwrap().contains("sensitive"), "sensitive models are shown locked");

    let r = h.admin("GET", &format!("/admin/api/connections/{c}/odoo-models/res.partner/fields"), None);
    let names: Vec<&str> = r.body["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"email") && names.contains(&"name"));
    let normalized = r.body["fields"].as_array().unwrap().iter().find(|f| f["name"] == "email_normalized").unwrap();
    assert_eq!(normalized["computed_from"], json!(["email"]), "what a field carries is shown before choosing");

    let r = h.admin("POST", &format!("/admin/api/connections/{c}/test"), None);
    assert_eq!(
        (r.body["credentials"]["status"].as_str(), r.body["odoo_version"].as_str()),
        (Some("ok"), Some("19.0")),
        "{}",
        r.raw
    );
}

#[test]
fn settings_change_the_rate_limit_retention_and_origins_at_run_time() {
    let h = Harness::new();
    let r = h.admin("GET", "/admin/api/settings", None);
    assert_eq!(
        (r.body["default_rate_limit"].as_i64(), r.body["audit_retention_days"].as_i64()),
        (Some(1000), Some(90))
    );
    for bad in [
        json!({"default_rate_limit": 0}),
        json!({"audit_retention_days": "x"}),
        json!({"allowed_origins": ["https://a.com/path"]}),
        json!({"nope": 1}),
    ] {
        assert_eq!(h.admin("PUT", "/admin/api/settings", Some(bad.clone())).status, 400, "{bad}");
    }
    let r = h.admin(
        "PUT",
        "/admin/api/settings",
        Some(json!({"default_rate_limit": 2, "audit_retention_days": 30, "allowed_origins": ["https://Claude.ai/"]})),
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["allowed_origins"], json!(["https://claude.ai"]));

    let c = h.connection(OdooVersion::V19, "c", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "demo2");
    let ping = |origin: Option<&str>| {
        let auth = format!("Bearer {key}");
        let mut headers = vec![
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
        ];
        if let Some(o) = origin {
            headers.push(("origin", o));
        }
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
        h.raw("POST", "/mcp", &headers, init.to_string().as_bytes())
    };
    assert_eq!(ping(Some("https://claude.ai")).status, 200, "an Origin the administrator added");
    assert_eq!(ping(Some("https://other.example.com")).status, 403);
    assert_eq!(ping(None).status, 200, "the second request of the minute");
    let r = ping(None);
    assert_eq!(
        r.status, 429,
        "the administrator's default limit of 2 per minute applies to keys without their own: {}",
        r.raw
    );

    let r = h.admin("PUT", "/admin/api/settings", Some(json!({"default_rate_limit": null})));
    assert_eq!(r.body["default_rate_limit"], 1000, "null returns to the environment's value");
    let audit = h.db.rows("SELECT detail FROM audit WHERE operation = 'settings.update' ORDER BY id");
    assert_eq!(audit.len(), 2);
    assert!(audit[0]["detail"].as_str().unwrap().contains("default_rate_limit=2"));
}

#[test]
fn the_audit_view_filters_pages_and_exports_json_lines() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "demo2");
    let mut s = h.session(&key);
    for _ in 0..3 {
        s.tool("odoo_search", json!({"model": "res.partner", "limit": 1}));
    }
    s.tool("odoo_search", json!({"model": "sale.order"}));
    let key_id = h.admin("GET", "/admin/api/keys", None).body["keys"][0]["id"].as_i64().unwrap();

    let r = h.admin("GET", &format!("/admin/api/audit?event=tool_call&key_id={key_id}&limit=2"), None);
    assert_eq!(r.status, 200, "{}", r.raw);
    let page1 = r.body["events"].as_array().unwrap().clone();
    assert_eq!(page1.len(), 2);
    assert!(page1.iter().all(|e| e["event"] == "tool_call" && e["key_id"] == key_id && e["tool"] == "odoo_search"));
    assert!(page1[0]["id"].as_i64() > page1[1]["id"].as_i64(), "newest first");
    let cursor = r.body["next_cursor"].as_str().unwrap();
    let r = h.admin("GET", &format!("/admin/api/audit?event=tool_call&key_id={key_id}&limit=2&cursor={cursor}"), None);
    assert_eq!(r.body["events"].as_array().unwrap().len(), 1);
    assert!(r.body.get("next_cursor").is_none());
    let types: Vec<&str> = r.body["event_types"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(types.contains(&"permission_denied") && types.contains(&"admin_action"));

    let now = *h.now.borrow();
    let r = h.admin("GET", &format!("/admin/api/audit?since={}", now + 1), None);
    assert_eq!(r.body["events"], json!([]));
    assert_eq!(h.admin("GET", "/admin/api/audit?limit=0", None).status, 400);
    assert_eq!(h.admin("GET", "/admin/api/audit?event=DROP%20TABLE", None).status, 400);

    let r = h.admin("GET", "/admin/api/audit/export?event=permission_denied", None);
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    let lines: Vec<Value> = r.raw.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["model"], "sale.order");
    assert!(!r.raw.contains(&key), "never a key");
}

#[test]
fn an_issued_key_comes_with_client_snippets_for_this_worker() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner"]);
    let user = Config::new(OdooVersion::V19).users.into_iter().find(|u| u.login == "demo2").unwrap();
    let r = h.admin(
        "POST",
        "/admin/api/keys",
        Some(json!({"connection_id": c, "label": "l", "odoo_login": "demo2", "odoo_api_key": user.api_key})),
    );
    let key = r.body["key"].as_str().unwrap();
    assert_eq!(r.body["endpoint"], format!("{WORKER_ORIGIN}/mcp"));
    let snippets = r.body["snippets"].as_object().unwrap();
    let names: Vec<&str> = snippets.keys().map(String::as_str).collect();
    assert_eq!(names, ["claude_code", "claude_desktop", "cursor", "n8n", "vscode"]);
    assert!(snippets["claude_code"]["text"].as_str().unwrap().starts_with(&format!(
        "claude mcp add --transport http odoo {WORKER_ORIGIN}/mcp --header \"Authorization: Bearer {key}\""
    )));
    let cursor: Value = serde_json::from_str(snippets["cursor"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(cursor["mcpServers"]["odoo"]["headers"]["Authorization"], format!("Bearer {key}"));
    assert!(!h.admin("GET", "/admin/api/keys", None).raw.contains(key), "shown once");
}
