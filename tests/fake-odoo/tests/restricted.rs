//! The restricted user (demo2, "Sales / User: Own Documents Only") over both
//! transports: field groups, model ACLs, record rules, and the admin
//! contrast.

mod common;

use common::{execute_kw, json2, ADMIN_KEY, DEMO2_KEY};
use fake_odoo::{Config, FakeOdoo, OdooVersion};
use serde_json::{json, Value};

fn error_name(envelope: &Value) -> &str {
    envelope["error"]["data"]["name"].as_str().unwrap_or("")
}

#[test]
fn hidden_fields_are_omitted_unless_asked_for() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V17)).expect("start");
    let port = odoo.port();
    let fg = execute_kw(
        port,
        "mcptest17",
        8,
        DEMO2_KEY,
        "res.partner",
        "fields_get",
        json!([]),
        json!({"attributes": ["type"]}),
    );
    let fields = fg["result"].as_object().cloned().unwrap_or_default();
    assert_eq!(fields.len(), 146);
    assert!(!fields.contains_key("signup_type") && !fields.contains_key("credit"));
    assert_eq!(fields["name"], json!({"type": "char"}));
    let admin_fg = execute_kw(port, "mcptest17", 2, ADMIN_KEY, "res.partner", "fields_get", json!([]), json!({}));
    assert_eq!(admin_fg["result"].as_object().map(|o| o.len()), Some(156));

    let rows = execute_kw(
        port,
        "mcptest17",
        8,
        DEMO2_KEY,
        "res.partner",
        "search_read",
        json!([[["id", "=", 14]]]),
        json!({}),
    );
    let row = &rows["result"][0];
    assert_eq!(row["name"], json!("Azure Interior"));
    assert!(row.get("credit").is_none() && row.get("signup_type").is_none());
    let admin_rows = execute_kw(port, "mcptest17", 2, ADMIN_KEY, "res.partner", "read", json!([[14]]), json!({}));
    assert!(admin_rows["result"][0].get("credit").is_some());

    let forbidden = execute_kw(
        port,
        "mcptest17",
        8,
        DEMO2_KEY,
        "res.partner",
        "search_read",
        json!([[]]),
        json!({"fields": ["name", "credit", "debit"], "limit": 1}),
    );
    assert_eq!(error_name(&forbidden), "odoo.exceptions.AccessError");
    let msg = forbidden["error"]["data"]["message"].as_str().unwrap_or("");
    assert!(msg.starts_with("The requested operation can not be completed due to security restrictions."), "{}", msg);
    assert!(msg.contains("\n- credit (allowed for groups") && msg.contains("\n- debit ("), "{}", msg);

    let write = execute_kw(
        port,
        "mcptest17",
        8,
        DEMO2_KEY,
        "res.partner",
        "write",
        json!([[14], {"signup_type": "x"}]),
        json!({}),
    );
    assert_eq!(error_name(&write), "odoo.exceptions.AccessError");
}

#[test]
fn model_acls_per_transport() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
    let port = odoo.port();
    let r = json2(port, DEMO2_KEY, "ir.config_parameter", "search_count", json!({"domain": []}));
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["name"], json!("odoo.exceptions.AccessError"));
    let r = json2(
        port,
        ADMIN_KEY,
        "ir.config_parameter",
        "search_read",
        json!({"domain": [["key", "=", "web.base.url"]], "fields": ["value"]}),
    );
    assert_eq!(r.json()[0]["value"], json!("http://localhost:8069"));
    let users = json2(
        port,
        DEMO2_KEY,
        "res.users",
        "search_read",
        json!({"domain": [["login", "=", "admin"]], "fields": ["name"]}),
    );
    assert_eq!(users.json()[0]["name"], json!("Mitchell Admin"));
    let w = json2(port, DEMO2_KEY, "res.users", "write", json!({"ids": [7], "vals": {"name": "Me"}}));
    assert_eq!(w.status, 403);
    assert!(w.body.contains("You are not allowed to modify 'User' (res.users) records."));
    let cron = execute_kw(port, "mcptest", 7, DEMO2_KEY, "ir.cron", "search_read", json!([[]]), json!({"limit": 1}));
    assert_eq!(error_name(&cron), "odoo.exceptions.AccessError");
    let can = json2(
        port,
        DEMO2_KEY,
        "ir.config_parameter",
        "check_access_rights",
        json!({"operation": "read", "raise_exception": false}),
    );
    assert_eq!(can.json(), json!(false));
    let can = json2(port, DEMO2_KEY, "res.partner", "has_access", json!({"operation": "write"}));
    assert_eq!(can.json(), json!(true));
    let stage = json2(port, DEMO2_KEY, "crm.stage", "write", json!({"ids": [1], "vals": {"name": "Fresh"}}));
    assert_eq!(stage.status, 403);
    let admin_stage = json2(port, ADMIN_KEY, "crm.stage", "write", json!({"ids": [1], "vals": {"name": "Fresh"}}));
    assert_eq!(admin_stage.json(), json!(true));
}

#[test]
fn own_documents_only_on_leads() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
    let port = odoo.port();
    let mine = json2(port, DEMO2_KEY, "crm.lead", "search_read", json!({"domain": [], "fields": ["user_id"]})).json();
    let users: Vec<Value> = mine.as_array().cloned().unwrap_or_default().iter().map(|r| r["user_id"].clone()).collect();
    assert!(!users.is_empty());
    assert!(users.iter().all(|u| u == &json!(false) || u[0] == json!(7)), "{:?}", users);
    let all = json2(port, ADMIN_KEY, "crm.lead", "search_count", json!({"domain": []})).json();
    let visible = json2(port, DEMO2_KEY, "crm.lead", "search_count", json!({"domain": []})).json();
    assert!(all.as_i64() > visible.as_i64());

    let other = json2(port, DEMO2_KEY, "crm.lead", "read", json!({"ids": [2], "fields": ["name"]}));
    assert_eq!(other.status, 403);
    // The words real Odoo 19 uses for demo2 (recorded traffic).
    assert!(
        other.body.contains("Sorry, Demo Two (id=7) doesn't have 'read' access to:\\n- Lead (crm.lead)"),
        "{}",
        other.body
    );
    let write_other = json2(port, DEMO2_KEY, "crm.lead", "write", json!({"ids": [2], "vals": {"name": "x"}}));
    assert_eq!(write_other.status, 403);
    let has = json2(port, DEMO2_KEY, "crm.lead", "has_access", json!({"ids": [2], "operation": "read"}));
    assert_eq!(has.json(), json!(false));

    let created = json2(port, DEMO2_KEY, "crm.lead", "create", json!({"vals_list": [{"name": "My own lead"}]})).json();
    let id = created[0].as_i64().unwrap_or(0);
    let read =
        json2(port, DEMO2_KEY, "crm.lead", "read", json!({"ids": [id], "fields": ["user_id", "stage_id", "type"]}))
            .json();
    assert_eq!(read[0]["user_id"], json!([7, "Demo Two"]));
    assert_eq!(read[0]["stage_id"], json!([1, "New"]));
    let posted = json2(
        port,
        DEMO2_KEY,
        "crm.lead",
        "message_post",
        json!({"ids": [id], "body": "hi", "message_type": "comment", "subtype_xmlid": "mail.mt_note"}),
    );
    assert_eq!(posted.status, 200);
    let msgs = json2(
        port,
        DEMO2_KEY,
        "mail.message",
        "search_read",
        json!({"domain": [["model", "=", "crm.lead"], ["res_id", "=", id]], "fields": ["author_id", "body"]}),
    )
    .json();
    assert_eq!(msgs[0]["author_id"][1], json!("Demo Two"));
    assert_eq!(msgs[0]["body"], json!("<p>hi</p>"));
}
