//! Strict admin bodies: a typo never widens a key. Unknown fields (with the closest known name) and
//! duplicated keys are refused on every endpoint, and so is every value that would not do what it says:
//! an empty scope, scope models that are not enabled, control characters, origins that are not origins,
//! expiries in the past or out of range. Nothing is stored by a refused request.

mod support;

use fake_odoo::{Config, OdooVersion};
use serde_json::{json, Value};
use support::{Harness, Resp, ADMIN_TOKEN};

fn demo2_key() -> String {
    Config::new(OdooVersion::V19).users.into_iter().find(|u| u.login == "demo2").unwrap().api_key
}

fn issue_body(c: i64, extra: Value) -> Value {
    let mut b = json!({"connection_id": c, "label": "L", "odoo_login": "demo2", "odoo_api_key": demo2_key()});
    b.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    b
}

/// A request with the body exactly as written (for duplicated keys, which `json!` cannot express).
fn raw_admin(h: &Harness, method: &str, path: &str, body: &str) -> Resp {
    h.raw(
        method,
        path,
        &[("authorization", &format!("Bearer {ADMIN_TOKEN}")), ("content-type", "application/json")],
        body.as_bytes(),
    )
}

fn refused(r: &Resp, words: &str) {
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (400, Some("invalid_request")), "{}", r.raw);
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(message.contains(words), "'{words}' not in: {message}");
}

fn key_count(h: &Harness) -> usize {
    h.db.rows("SELECT id FROM keys").len()
}

#[test]
fn a_misspelt_field_never_issues_a_wider_key() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner", "crm.lead"]);
    for (extra, words) in [
        (json!({"scopes": {"operations": ["read"]}}), "unknown field 'scopes': did you mean 'scope'?"),
        (json!({"expires": 4102444800000i64}), "did you mean 'expires_at'?"),
        (json!({"ratelimit": 5}), "did you mean 'rate_limit'?"),
        (json!({"scope": {"model": ["res.partner"]}}), "unknown field 'scope.model': did you mean 'models'?"),
        (json!({"note": "validated, then dropped"}), "unknown field 'note'"),
    ] {
        let r = h.admin("POST", "/admin/api/keys", Some(issue_body(c, extra)));
        refused(&r, words);
    }
    let r = raw_admin(
        &h,
        "POST",
        "/admin/api/keys",
        &format!(
            r#"{{"connection_id": {c}, "label": "L", "odoo_login": "demo2", "odoo_api_key": "{}", "scope": {{"operations": ["read"]}}, "scope": null}}"#,
            demo2_key()
        ),
    );
    refused(&r, "'scope' appears more than once");
    let r = raw_admin(
        &h,
        "POST",
        "/admin/api/keys",
        &format!(
            r#"{{"connection_id": {c}, "label": "L", "odoo_login": "demo2", "odoo_api_key": "{}", "scope": {{"operations": ["read"], "operations": ["read", "delete"]}}}}"#,
            demo2_key()
        ),
    );
    refused(&r, "'scope.operations' appears more than once");
    assert_eq!(key_count(&h), 0, "no key was issued by a refused body");
}

#[test]
fn a_scope_must_narrow_to_something_enabled() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner"]);
    for (scope, words) in [
        (json!({}), "'scope' must narrow something"),
        (json!({"models": null}), "'scope' must narrow something"),
        (json!({"operations": []}), "'scope.operations' must not be empty"),
        (json!({"models": []}), "'scope.models' must not be empty"),
        (json!({"models": ["crm.lead"]}), "'scope.models' names 'crm.lead', which is not enabled"),
        (json!({"models": ["res.partner", "Not A Model"]}), "'scope.models[1]' is not a model name"),
        (json!({"operations": ["fly"]}), "'scope.operations[0]' must be one of 'read', 'create', 'update', 'delete'"),
        (json!("all"), "'scope' must be an object such as"),
        (json!([null, ["read"]]), "'scope' must be an object such as"),
    ] {
        let r = h.admin("POST", "/admin/api/keys", Some(issue_body(c, json!({"scope": scope}))));
        refused(&r, words);
    }
    assert_eq!(key_count(&h), 0);
    let r = h.admin(
        "POST",
        "/admin/api/keys",
        Some(issue_body(c, json!({"scope": {"models": ["res.partner", "res.partner"], "operations": ["read"]}}))),
    );
    assert_eq!(r.status, 201, "{}", r.raw);
    assert_eq!(r.body["scope"], json!({"models": ["res.partner"], "operations": ["read"]}));
}

#[test]
fn expiries_are_future_within_ten_years_and_json_safe() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner"]);
    let now = *h.now.borrow();
    let year: i64 = 365 * 24 * 3600 * 1000;
    for (at, words) in [
        (json!(now - 1), "'expires_at' must be a future time"),
        (json!(now + 11 * year), "'expires_at' must be within ten years"),
        (json!(now / 1000 + 3600), "'expires_at' must be a future time"),
        (json!((1i64 << 53) + 1), "'expires_at' must be at most 2^53"),
        (json!(1e300), "'expires_at' must be an integer"),
        (json!("2099-01-01"), "'expires_at' must be an integer"),
    ] {
        let r = h.admin("POST", "/admin/api/keys", Some(issue_body(c, json!({"expires_at": at}))));
        refused(&r, words);
    }
    for (limit, words) in
        [(json!(0), "'rate_limit' must be requests per minute"), (json!(1.5), "'rate_limit' must be an integer")]
    {
        let r = h.admin("POST", "/admin/api/keys", Some(issue_body(c, json!({"rate_limit": limit}))));
        refused(&r, words);
    }
    assert_eq!(key_count(&h), 0);
    let r =
        h.admin("POST", "/admin/api/keys", Some(issue_body(c, json!({"expires_at": now + 9 * year, "rate_limit": 5}))));
    assert_eq!(r.status, 201, "{}", r.raw);
}

#[test]
fn labels_and_names_are_plain_text_and_errors_never_echo_a_value() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner"]);
    for label in ["Alice\nBob", "tab\there", "\u{202e}evil", "nul\u{0}"] {
        let r = h.admin("POST", "/admin/api/keys", Some(issue_body(c, json!({"label": label}))));
        refused(&r, "'label' must not contain control characters");
    }
    let r = h.admin(
        "POST",
        "/admin/api/connections",
        Some(json!({"name": "two\nlines", "url": h.odoo17.url(), "database": "mcptest17"})),
    );
    refused(&r, "'name' must not contain control characters");
    // A secret in the wrong place or of the wrong type never comes back in the message.
    let secret = demo2_key();
    for body in [
        issue_body(c, json!({"odoo_api_key": [secret]})),
        issue_body(c, json!({"rate_limit": secret})),
        issue_body(c, json!({"scope": {"operations": [secret]}})),
    ] {
        let r = h.admin("POST", "/admin/api/keys", Some(body));
        assert_eq!(r.status, 400, "{}", r.raw);
        assert!(!r.raw.contains(&secret), "{}", r.raw);
    }
    assert_eq!(key_count(&h), 0);
}

#[test]
fn every_body_is_strict() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &[]);
    let p = format!("/admin/api/connections/{c}/models/res.partner");
    let r = h.admin("PUT", &p, Some(json!({"read": true, "fields": {"mode": "allow", "fields": ["name"]}})));
    assert_eq!(r.status, 200, "{}", r.raw);
    for (body, words) in [
        (json!({"read": true, "delte": true}), "did you mean 'delete'?"),
        (json!({"read": true, "unlock": true}), "did you mean 'unlock_sensitive'?"),
        (json!({"read": true, "field": null}), "did you mean 'fields'?"),
        (json!({"read": true, "fields": {"mode": "allow", "field": []}}), "unknown field 'fields.field'"),
        (json!({"read": 1}), "'read' must be true or false"),
    ] {
        refused(&h.admin("PUT", &p, Some(body)), words);
    }
    refused(&raw_admin(&h, "PUT", &p, r#"{"read": true, "read": false}"#), "'read' appears more than once");
    let kept = h.admin("GET", &format!("/admin/api/connections/{c}/models"), None);
    assert_eq!(
        kept.body["models"][0]["fields"],
        json!({"mode": "allow", "fields": ["name"]}),
        "every field stays hidden but name: {}",
        kept.raw
    );

    let conn = format!("/admin/api/connections/{c}");
    refused(&h.admin("PUT", &conn, Some(json!({"databse": "x"}))), "did you mean 'database'?");
    refused(
        &h.admin(
            "POST",
            "/admin/api/connections",
            Some(json!({"name": "n", "url": h.odoo17.url(), "database": "d", "login": "admin"})),
        ),
        "unknown field 'login'",
    );
    refused(
        &h.admin("PUT", "/admin/api/settings", Some(json!({"default_rate_limt": 5}))),
        "did you mean 'default_rate_limit'?",
    );
    refused(
        &raw_admin(&h, "PUT", "/admin/api/settings", r#"{"default_rate_limit": 5, "default_rate_limit": 50000}"#),
        "appears more than once",
    );
    // Routes without a body refuse one rather than ignore it.
    let key = h.key(c, OdooVersion::V19, "demo2");
    assert!(!key.is_empty());
    refused(&h.admin("POST", "/admin/api/keys/1/revoke", Some(json!({"reason": "x"}))), "takes no body");
    refused(&h.admin("POST", &format!("{conn}/test"), Some(json!({"url": "x"}))), "takes no body");
    assert_eq!(h.admin("POST", "/admin/api/keys/1/revoke", Some(json!({}))).status, 200);
}

#[test]
fn listed_origins_are_https_origins() {
    let h = Harness::new();
    for (origins, words) in [
        (
            json!(["http://app.example.com"]),
            "'allowed_origins[0]' is not an origin like https://app.example.com: it must use https://",
        ),
        (json!(["https://a.example", "https://a.example/x"]), "'allowed_origins[1]'"),
        (json!(["https://a_b.example"]), "has an invalid host"),
        (json!(["https://a.example:99999"]), "has an invalid port"),
        (json!([5]), "'allowed_origins[0]' must be a string"),
    ] {
        refused(&h.admin("PUT", "/admin/api/settings", Some(json!({"allowed_origins": origins}))), words);
    }
    let r = h.admin("PUT", "/admin/api/settings", Some(json!({"allowed_origins": ["https://App.example.com:443/", "http://localhost:3000", "https://app.example.com"]})));
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["allowed_origins"], json!(["https://app.example.com", "http://localhost:3000"]));
}
