//! Permissions on every read path: field policies (reads, descriptions, domains, orderings, dotted
//! paths into related models), a key scope narrower than its connection, and policy changes taking
//! effect on the next request of a live session.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{text_of, Harness};

fn each_version(test: impl Fn(&Harness, OdooVersion)) {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = Harness::new();
        test(&h, v);
    }
}

fn set(h: &Harness, c: i64, model: &str, body: Value) {
    let r = h.admin("PUT", &format!("/admin/api/connections/{c}/models/{model}"), Some(body));
    assert_eq!(r.status, 200, "{}", r.raw);
}

fn denials(h: &Harness) -> i64 {
    h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'permission_denied'")[0]["n"].as_i64().unwrap()
}

#[test]
fn a_deny_list_hides_fields_from_reads_descriptions_domains_and_orderings() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &["res.partner", "crm.lead"]);
        set(h, c, "res.partner", json!({"read": true, "fields": {"mode": "deny", "fields": ["email", "phone"]}}));
        let mut s = h.session(&h.key(c, v, "admin"));

        let r = s.tool("odoo_describe_model", json!({"model": "res.partner"}));
        let names: Vec<&str> =
            r["structuredContent"]["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"name") && !names.contains(&"email") && !names.contains(&"phone"), "{names:?}");
        assert!(!r["structuredContent"]["default_fields"].as_array().unwrap().contains(&json!("email")));

        // Default fields and named fields: the hidden ones never come back, and the answer says why.
        let r = s.tool("odoo_search", json!({"model": "res.partner", "limit": 3}));
        assert!(r.get("isError").is_none(), "{r}");
        for rec in r["structuredContent"]["records"].as_array().unwrap() {
            assert!(rec.get("email").is_none() && rec.get("phone").is_none(), "{rec}");
        }
        let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": [1], "fields": ["name", "email"]}));
        let rec = &r["structuredContent"]["records"][0];
        assert!(rec.get("name").is_some() && rec.get("email").is_none(), "{rec}");
        assert_eq!(
            r["structuredContent"]["dropped_fields"],
            json!([{"field": "email", "reason": "hidden by the administrator's field policy"}])
        );

        // Filtering or ordering by a hidden field is refused before Odoo is asked anything.
        let before = denials(h);
        h.fake(v).clear_calls();
        for args in [
            json!({"model": "res.partner", "domain": [["email", "ilike", "@"]]}),
            json!({"model": "res.partner", "domain": ["|", ["name", "=", "x"], ["phone", "!=", false]]}),
            json!({"model": "res.partner", "order": "email desc"}),
            json!({"model": "crm.lead", "domain": [["partner_id.email", "ilike", "@"]]}),
            json!({"model": "crm.lead", "domain": [["partner_id", "any", [["phone", "=", "1"]]]]}),
        ] {
            let r = s.tool("odoo_search", args.clone());
            assert_eq!(r["isError"], true, "{args}");
            let t = text_of(&r);
            assert!(t.contains("field policy") && t.contains("res.partner"), "{args}: {t}");
        }
        assert_eq!(denials(h), before + 5, "each refusal is audited as a permission denial");
        let methods: Vec<String> = h.fake(v).calls().into_iter().map(|c| c.method).collect();
        assert!(methods.iter().all(|m| m == "fields_get"), "a refused search never reaches Odoo's search: {methods:?}");

        // Visible fields still work, through relations too.
        let r = s.tool(
            "odoo_search",
            json!({"model": "crm.lead", "domain": [["partner_id.name", "ilike", "a"]], "limit": 1}),
        );
        assert!(r.get("isError").is_none(), "{r}");
    });
}

#[test]
fn an_allow_list_shows_only_its_fields() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let c = h.connection(v, "c", &[]);
    set(&h, c, "res.partner", json!({"read": true, "fields": {"mode": "allow", "fields": ["name", "display_name"]}}));
    let mut s = h.session(&h.key(c, v, "demo2"));
    let r = s.tool("odoo_describe_model", json!({"model": "res.partner"}));
    let names: Vec<&str> =
        r["structuredContent"]["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["display_name", "id", "name"]);
    let r = s.tool("odoo_search", json!({"model": "res.partner", "limit": 2}));
    for rec in r["structuredContent"]["records"].as_array().unwrap() {
        let mut keys: Vec<&str> = rec.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["display_name", "id", "name"], "{rec}");
    }
    let r = s.tool("odoo_search", json!({"model": "res.partner", "domain": [["is_company", "=", true]]}));
    assert!(text_of(&r).contains("field policy"), "{}", text_of(&r));
}

#[test]
fn paths_through_relations_need_the_related_model() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &["crm.lead"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        // res.partner is not enabled: a dotted path, an `any` and a name search all reach into it.
        for args in [
            json!({"model": "crm.lead", "domain": [["partner_id.name", "ilike", "a"]]}),
            json!({"model": "crm.lead", "domain": [["partner_id", "any", [["name", "ilike", "a"]]]]}),
            json!({"model": "crm.lead", "domain": [["partner_id", "ilike", "Azure"]]}),
        ] {
            let r = s.tool("odoo_search", args.clone());
            assert_eq!(r["isError"], true, "{args}");
            assert!(text_of(&r).contains("'res.partner' is not enabled"), "{args}: {}", text_of(&r));
        }
        // Comparing the id itself does not read the related model.
        let r =
            s.tool("odoo_search", json!({"model": "crm.lead", "domain": [["partner_id", "!=", false]], "limit": 1}));
        assert!(r.get("isError").is_none(), "{r}");
        // A sensitive related model stays blocked even behind a relation.
        let r = s.tool("odoo_search", json!({"model": "crm.lead", "domain": [["user_id.login", "=", "admin"]]}));
        assert!(text_of(&r).contains("sensitive"), "{}", text_of(&r));
    });
}

#[test]
fn a_scope_narrower_than_the_connection_holds_on_every_tool() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let c = h.connection(v, "c", &["res.partner", "crm.lead"]);
    set(&h, c, "res.partner", json!({"read": true, "update": true}));
    let cfg = fake_odoo::Config::new(v);
    let user = cfg.users.iter().find(|u| u.login == "demo2").unwrap();
    let r = h.admin(
        "POST",
        "/admin/api/keys",
        Some(json!({"connection_id": c, "label": "narrow", "odoo_login": "demo2", "odoo_api_key": user.api_key,
                    "scope": {"models": ["res.partner"], "operations": ["read"]}})),
    );
    assert_eq!(r.status, 201, "{}", r.raw);
    let mut s = h.session(r.body["key"].as_str().unwrap());
    let r = s.tool("odoo_list_models", json!({}));
    assert_eq!(r["structuredContent"]["models"].as_array().unwrap().len(), 1);
    assert_eq!(r["structuredContent"]["models"][0]["operations"], json!(["read"]), "update is outside the scope");
    for (tool, args) in [
        ("odoo_search", json!({"model": "crm.lead"})),
        ("odoo_get", json!({"model": "crm.lead", "ids": [1]})),
        ("odoo_describe_model", json!({"model": "crm.lead"})),
        ("odoo_search", json!({"model": "res.partner", "domain": [["user_id", "any", [["name", "=", "x"]]]]})),
    ] {
        let r = s.tool(tool, args.clone());
        assert_eq!(r["isError"], true, "{tool} {args}");
    }
    let r = s.tool("odoo_search", json!({"model": "crm.lead"}));
    assert!(text_of(&r).contains("scope"), "{}", text_of(&r));
}

#[test]
fn policy_changes_reach_a_live_session_at_once() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let c = h.connection(v, "c", &["res.partner"]);
    let mut s = h.session(&h.key(c, v, "admin"));
    let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": [1], "fields": ["email"]}));
    assert!(r["structuredContent"]["records"][0].get("email").is_some(), "{r}");
    set(&h, c, "res.partner", json!({"read": true, "fields": {"mode": "deny", "fields": ["email"]}}));
    let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": [1], "fields": ["email"]}));
    assert!(r["structuredContent"]["records"][0].get("email").is_none(), "{r}");
    // Re-sending the flags keeps the policy (it never widens by omission); null removes it.
    set(&h, c, "res.partner", json!({"read": true}));
    let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": [1], "fields": ["email"]}));
    assert!(r["structuredContent"]["records"][0].get("email").is_none(), "{r}");
    set(&h, c, "res.partner", json!({"read": false}));
    let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": [1]}));
    assert!(text_of(&r).contains("not enabled"), "{}", text_of(&r));
    set(&h, c, "res.partner", json!({"read": true, "fields": null}));
    let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": [1], "fields": ["email"]}));
    assert!(r["structuredContent"]["records"][0].get("email").is_some(), "{r}");
    let audit = h.db.rows("SELECT detail FROM audit WHERE operation = 'model.fields' ORDER BY id");
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0]["detail"], "res.partner deny email");
}

#[test]
fn field_policies_are_validated() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &[]);
    for bad in [
        json!({"read": true, "fields": {"mode": "maybe", "fields": []}}),
        json!({"read": true, "fields": {"mode": "deny", "fields": ["Email; drop"]}}),
        json!({"read": true, "fields": {"mode": "deny"}}),
        json!({"read": true, "fields": ["email"]}),
    ] {
        let r = h.admin("PUT", &format!("/admin/api/connections/{c}/models/res.partner"), Some(bad.clone()));
        assert_eq!(r.status, 400, "{bad}: {}", r.raw);
    }
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/res.partner"),
        Some(json!({"read": true, "fields": {"mode": "deny", "fields": ["phone", "email", "phone"]}})),
    );
    assert_eq!(r.body["fields"], json!({"mode": "deny", "fields": ["email", "phone"]}));
    let r = h.admin("GET", &format!("/admin/api/connections/{c}/models"), None);
    assert_eq!(r.body["models"][0]["fields"], json!({"mode": "deny", "fields": ["email", "phone"]}));
}
