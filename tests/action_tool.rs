//! `odoo_action` end to end against the fake Odoo's button methods (built from the probes in
//! `tests/fixtures/odoo/*/probes/`): the per-model allow-list refusing before Odoo (not allowed,
//! private, ORM methods, sensitive models, scopes), Odoo's answers as they are (true, None, a wizard, the
//! rainbow man's effect, an error, a lost answer), dry runs on 16–19 over both transports, audit rows,
//! `odoo_batch`, the listing tools, and the admin API's validation of `actions`.

mod support;

use fake_odoo::{Fault, OdooVersion};
use serde_json::{json, Value};
use support::{text_of, Harness, Session, TRANSPORTS};

const SALE_ACTIONS: [&str; 4] = ["action_cancel", "action_confirm", "action_frobnicate", "action_quotation_send"];
const LEAD_ACTIONS: [&str; 2] = ["action_set_lost", "action_set_won_rainbowman"];

/// A connection whose sale.order and crm.lead may be read and allow these actions.
fn connection(h: &Harness, v: OdooVersion, jsonrpc: bool) -> i64 {
    let c = h.connection(v, "c", &[]);
    for (m, actions) in [("sale.order", &SALE_ACTIONS[..]), ("crm.lead", &LEAD_ACTIONS[..])] {
        let r = h.admin(
            "PUT",
            &format!("/admin/api/connections/{c}/models/{m}"),
            Some(json!({"read": true, "actions": actions})),
        );
        assert_eq!(r.status, 200, "{}", r.raw);
        assert_eq!(r.body["actions"], json!(actions));
    }
    if jsonrpc {
        h.db.rows(&format!("UPDATE connections SET transport = 'jsonrpc' WHERE id = {c}"));
    }
    c
}

fn key_with(h: &Harness, c: i64, v: OdooVersion, login: &str, scope: Value) -> String {
    let cfg = fake_odoo::Config::new(v);
    let user = cfg.users.iter().find(|u| u.login == login).expect("fake user");
    let r = h.admin(
        "POST",
        "/admin/api/keys",
        Some(json!({"connection_id": c, "label": "scoped", "odoo_login": login, "odoo_api_key": user.api_key, "scope": scope})),
    );
    assert_eq!(r.status, 201, "{}", r.raw);
    r.body["key"].as_str().expect("key").to_string()
}

fn act(s: &mut Session<'_>, model: &str, ids: &[i64], action: &str) -> Value {
    s.tool("odoo_action", json!({"model": model, "ids": ids, "action": action}))
}

fn ok(r: &Value) -> &Value {
    assert!(r.get("isError").is_none(), "{r}");
    &r["structuredContent"]
}

fn error(r: &Value) -> String {
    assert_eq!(r["isError"], true, "{r}");
    text_of(r)
}

/// The button methods the fake received (any other call is a read or an access check).
fn buttons_called(h: &Harness, v: OdooVersion) -> Vec<String> {
    h.fake(v)
        .calls()
        .into_iter()
        .filter(|c| c.method.starts_with("action_") || c.method.starts_with("_action"))
        .map(|c| format!("{}.{}", c.model.unwrap_or_default(), c.method))
        .collect()
}

#[test]
fn an_allowed_action_confirms_a_quotation_and_wins_a_lead() {
    for v in [OdooVersion::V17, OdooVersion::V19] {
        let h = Harness::new();
        let c = connection(&h, v, false);
        let mut s = h.session(&h.key(c, v, "admin"));
        let r = act(&mut s, "sale.order", &[2], "action_confirm");
        let out = ok(&r);
        assert_eq!(out["status"], "done", "{out}");
        assert_eq!(out["answer"], true);
        assert_eq!(out["records"], json!([{"id": 2, "display_name": "S00002", "state": "sale"}]), "draft → sale");

        let r = act(&mut s, "crm.lead", &[2], "action_set_won_rainbowman");
        let out = ok(&r);
        assert_eq!(out["status"], "done");
        let cheer = if v == OdooVersion::V19 { "Go, go, go!" } else { "Boom!" };
        assert!(out["message"].as_str().unwrap().contains(cheer), "{out}");
        assert_eq!(out["answer"]["effect"]["type"], "rainbow_man");
        let lead =
            ok(&s.tool("odoo_get", json!({"model": "crm.lead", "ids": [2], "fields": ["stage_id", "probability"]})))
                .clone();
        assert_eq!(lead["records"][0]["stage_id"][1], "Won", "{lead}");
        assert_eq!(lead["records"][0]["probability"], 100.0);
    }
}

#[test]
fn refusals_come_before_odoo() {
    let v = OdooVersion::V19;
    let h = Harness::new();
    let c = connection(&h, v, false);
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/res.users"),
        Some(json!({"read": true, "actions": ["action_reset_password"]})),
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    let r = h.admin("PUT", &format!("/admin/api/connections/{c}/models/res.partner"), Some(json!({"read": true})));
    assert_eq!(r.status, 200);
    let mut s = h.session(&h.key(c, v, "admin"));
    h.fake(v).clear_calls();
    let cases: [(&str, &str, &str); 7] = [
        ("sale.order", "action_draft", "is not allowed on 'sale.order'"),
        ("sale.order", "no_such_method", "is not allowed"),
        ("sale.order", "_action_confirm", "private method"),
        ("sale.order", "unlink", "never allowed as an action"),
        ("sale.order", "with_user", "never allowed as an action"),
        ("res.users", "action_reset_password", "sensitive"),
        ("res.partner", "action_archive", "not enabled for running actions on"),
    ];
    for (model, action, expected) in cases {
        let t = error(&act(&mut s, model, &[1], action));
        assert!(t.contains(expected), "{model}.{action}: {t}");
    }
    assert!(h.fake(v).calls().is_empty(), "nothing reached Odoo: {:?}", h.fake(v).calls());
    // The refusals are audited as denials, naming the method.
    let rows = h.db.rows("SELECT detail FROM audit WHERE event = 'permission_denied' AND tool = 'odoo_action'");
    assert_eq!(rows.len(), cases.len());
    assert!(rows[0]["detail"].as_str().unwrap().starts_with("action_draft: "), "{:?}", rows[0]);
}

#[test]
fn odoo_answers_are_reported_as_they_are_on_every_version_and_transport() {
    for (v, jsonrpc) in TRANSPORTS {
        let h = Harness::new();
        let c = connection(&h, v, jsonrpc);
        let mut s = h.session(&h.key(c, v, "admin"));
        let tag = format!("{v:?} jsonrpc={jsonrpc}");

        let out = ok(&act(&mut s, "sale.order", &[3], "action_confirm")).clone();
        assert_eq!(
            (out["status"].as_str(), out["records"][0]["state"].as_str()),
            (Some("done"), Some("sale")),
            "{tag}"
        );

        // A wizard: described, not followed; the order is as it was.
        let out = ok(&act(&mut s, "sale.order", &[2], "action_quotation_send")).clone();
        assert_eq!(out["status"], "follow_up", "{tag}: {out}");
        assert_eq!(out["follow_up"]["res_model"], "mail.compose.message");
        assert_eq!(out["follow_up"]["type"], "ir.actions.act_window");
        assert!(out["follow_up"]["context_keys"].as_array().unwrap().contains(&json!("default_model")));
        assert!(out["message"].as_str().unwrap().starts_with("Odoo wants a follow-up step"), "{out}");
        assert_eq!(out["records"][0]["state"], "draft");

        // action_cancel: done on 19; the cancellation wizard on 16–18 (the order stays confirmed).
        let out = ok(&act(&mut s, "sale.order", &[3], "action_cancel")).clone();
        if v == OdooVersion::V19 {
            assert_eq!((out["status"].as_str(), out["records"][0]["state"].as_str()), (Some("done"), Some("cancel")));
        } else {
            assert_eq!(out["status"], "follow_up", "{tag}: {out}");
            assert_eq!(out["follow_up"]["res_model"], "sale.order.cancel");
            assert_eq!(out["follow_up"]["name"], "Cancel Sales Order");
            assert_eq!(out["records"][0]["state"], "sale");
        }

        // None: done; the lead is archived and still shown.
        let out = ok(&act(&mut s, "crm.lead", &[7], "action_set_lost")).clone();
        assert_eq!((out["status"].as_str(), &out["answer"]), (Some("done"), &Value::Null), "{tag}: {out}");
        assert_eq!(out["records"][0]["id"], 7);

        // Odoo's own errors, readable.
        let t = error(&act(&mut s, "sale.order", &[4], "action_confirm"));
        assert!(t.contains("Odoo refused: Some orders are not in a state requiring confirmation."), "{tag}: {t}");
        let t = error(&act(&mut s, "sale.order", &[2], "action_frobnicate"));
        assert!(t.contains("does not exist"), "{tag}: {t}");
        let demo2 = h.key(c, v, "demo2");
        let t = error(
            &h.session(&demo2)
                .tool("odoo_action", json!({"model": "sale.order", "ids": [1], "action": "action_confirm"})),
        );
        assert!(t.starts_with("Odoo refused the operation for this key's Odoo user"), "{tag}: {t}");
    }
}

#[test]
fn a_dry_run_asks_odoos_access_check_and_calls_nothing() {
    for (v, jsonrpc) in TRANSPORTS {
        let h = Harness::new();
        let c = connection(&h, v, jsonrpc);
        let mut s = h.session(&h.key(c, v, "admin"));
        h.fake(v).clear_calls();
        let r = s.tool(
            "odoo_action",
            json!({"model": "sale.order", "ids": [2, 3, 999], "action": "action_confirm", "dry_run": true}),
        );
        let out = ok(&r).clone();
        assert_eq!(out["status"], "dry_run", "{out}");
        let order2 = out["records"].as_array().unwrap().iter().find(|r| r["id"] == 2).cloned();
        assert_eq!(order2, Some(json!({"id": 2, "display_name": "S00002", "state": "draft"})), "{out}");
        assert_eq!(out["missing_ids"], json!([999]));
        let methods: Vec<String> = h.fake(v).calls().into_iter().map(|c| c.method).collect();
        let checks: &[&str] = match v {
            OdooVersion::V16 | OdooVersion::V17 => &["check_access_rights", "check_access_rule"],
            _ => &["has_access"],
        };
        for m in &methods {
            assert!(
                ["fields_get", "search_read", "version", "authenticate", "context_get"].contains(&m.as_str())
                    || checks.contains(&m.as_str()),
                "{v:?} jsonrpc={jsonrpc}: a dry run called {m}"
            );
        }
        assert!(checks.iter().all(|c| methods.iter().any(|m| m == c)), "{v:?}: {methods:?}");
        assert!(buttons_called(&h, v).is_empty());
        let state = ok(&s.tool("odoo_get", json!({"model": "sale.order", "ids": [2], "fields": ["state"]})))["records"]
            [0]["state"]
            .clone();
        assert_eq!(state, "draft", "nothing changed");
        // demo2 may not change an order of another salesperson: refused, as the real call would be.
        let demo2 = h.key(c, v, "demo2");
        let r = h.session(&demo2).tool(
            "odoo_action",
            json!({"model": "sale.order", "ids": [1], "action": "action_confirm", "dry_run": true}),
        );
        assert!(error(&r).starts_with("Odoo refused the operation"), "{v:?}: {}", text_of(&r));
    }
}

#[test]
fn actions_are_audited_without_record_contents() {
    let v = OdooVersion::V19;
    let h = Harness::new();
    let c = connection(&h, v, false);
    let mut s = h.session(&h.key(c, v, "admin"));
    ok(&act(&mut s, "sale.order", &[2, 3], "action_confirm"));
    ok(&act(&mut s, "sale.order", &[2], "action_quotation_send"));
    error(&act(&mut s, "sale.order", &[4], "action_confirm"));
    let rows = h.db.rows(
        "SELECT event, tool, model, operation, outcome, record_count, detail FROM audit WHERE event = 'action' ORDER BY id",
    );
    let rows: Vec<Value> = rows.into_iter().map(Value::Object).collect();
    assert_eq!(
        rows[0],
        json!({"event": "action", "tool": "odoo_action", "model": "sale.order", "operation": "action", "outcome": "ok",
               "record_count": 2, "detail": "action_confirm: done"})
    );
    assert_eq!(rows[1]["detail"], "action_quotation_send: follow-up ir.actions.act_window mail.compose.message");
    assert_eq!(rows[2]["outcome"], "odoo_error");
    assert!(rows[2]["detail"].as_str().unwrap().starts_with("action_confirm: Odoo refused"), "{}", rows[2]);
    for r in &rows {
        assert!(!r.to_string().contains("S0000"), "no record contents: {r}");
    }
}

#[test]
fn a_lost_answer_may_or_may_not_have_run() {
    let v = OdooVersion::V19;
    let mut h = Harness::new();
    h.settings.odoo_timeout_ms = 400;
    let c = connection(&h, v, false);
    let mut s = h.session(&h.key(c, v, "admin"));
    h.fake(v).set_fault(Fault::Truncated, &["action_confirm"], Some(1)).unwrap();
    let t = error(&act(&mut s, "sale.order", &[2], "action_confirm"));
    assert!(t.contains("may or may not have been made") && t.contains("before retrying"), "{t}");
}

#[test]
fn a_batch_runs_actions_each_checked_and_audited() {
    let v = OdooVersion::V19;
    let h = Harness::new();
    let c = connection(&h, v, false);
    let mut s = h.session(&h.key(c, v, "admin"));
    let r = s.tool(
        "odoo_batch",
        json!({"operations": [
            {"action": "call_action", "model": "sale.order", "ids": [2], "method": "action_confirm"},
            {"action": "call_action", "model": "crm.lead", "ids": [2], "method": "action_set_won_rainbowman"},
            {"action": "call_action", "model": "crm.lead", "ids": [2], "method": "unlink"}
        ], "stop_on_error": false}),
    );
    let out = &r["structuredContent"];
    assert_eq!((out["succeeded"].as_i64(), out["failed"].as_i64()), (Some(2), Some(1)), "{out}");
    assert_eq!(out["results"][0]["result"]["records"][0]["state"], "sale");
    assert!(out["results"][2]["error"].as_str().unwrap().contains("never allowed"), "{out}");
    let n = h.db.rows("SELECT COUNT(*) AS n FROM audit WHERE event = 'action' AND outcome = 'ok'")[0]["n"].clone();
    assert_eq!(n, json!(2));
    assert_eq!(buttons_called(&h, v), ["sale.order.action_confirm", "crm.lead.action_set_won_rainbowman"]);
}

#[test]
fn scopes_narrow_actions_and_the_listing_tools_show_them() {
    let v = OdooVersion::V19;
    let h = Harness::new();
    let c = connection(&h, v, false);
    let mut s = h.session(&key_with(&h, c, v, "admin", json!({"actions": ["action_confirm"]})));
    let t = error(&act(&mut s, "sale.order", &[2], "action_cancel"));
    assert!(t.contains("scope does not include the action 'action_cancel'"), "{t}");
    ok(&act(&mut s, "sale.order", &[2], "action_confirm"));
    let models = ok(&s.tool("odoo_list_models", json!({}))).clone();
    let sale = models["models"].as_array().unwrap().iter().find(|m| m["model"] == "sale.order").unwrap().clone();
    assert_eq!(sale["operations"], json!(["read", "action"]));
    assert_eq!(sale["actions"], json!(["action_confirm"]));
    let lead = models["models"].as_array().unwrap().iter().find(|m| m["model"] == "crm.lead").unwrap().clone();
    assert_eq!(lead["operations"], json!(["read"]), "no action of crm.lead is in the scope");
    let described = ok(&s.tool("odoo_describe_model", json!({"model": "sale.order"}))).clone();
    assert_eq!(
        described["actions"],
        json!([{"name": "action_confirm", "description": "Confirm the quotation: it becomes a sales order"}])
    );

    let mut reader = h.session(&key_with(&h, c, v, "admin", json!({"operations": ["read"]})));
    let t = error(&act(&mut reader, "sale.order", &[2], "action_confirm"));
    assert!(t.contains("scope does not include running actions on"), "{t}");
    assert!(ok(&reader.tool("odoo_describe_model", json!({"model": "sale.order"}))).get("actions").is_none());
}

#[test]
fn the_admin_api_checks_actions_when_they_are_saved() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &[]);
    let put = |body: Value| h.admin("PUT", &format!("/admin/api/connections/{c}/models/sale.order"), Some(body));
    for (actions, expected) in [
        (json!(["_action_confirm"]), "private method"),
        (json!(["unlink"]), "never allowed"),
        (json!(["sudo"]), "never allowed"),
        (json!(["Action Confirm"]), "not a method name"),
        (json!("action_confirm"), "actions"),
    ] {
        let r = put(json!({"read": true, "actions": actions}));
        assert_eq!(r.status, 400, "{actions}: {}", r.raw);
        assert!(r.raw.contains(expected), "{actions}: {}", r.raw);
    }
    let r = put(json!({"read": true, "action": ["action_confirm"]}));
    assert_eq!(r.status, 400);
    assert!(r.raw.contains("did you mean 'actions'"), "{}", r.raw);
    let r = put(json!({"read": true, "actions": ["action_confirm", "action_cancel", "action_confirm"]}));
    assert_eq!(r.body["actions"], json!(["action_cancel", "action_confirm"]), "{}", r.raw);
    let listed = h.admin("GET", &format!("/admin/api/connections/{c}/models"), None);
    assert_eq!(listed.body["models"][0]["actions"], json!(["action_cancel", "action_confirm"]));
    // Re-sending the flags without actions removes them: absent narrows, never widens.
    let r = put(json!({"read": true}));
    assert_eq!(r.body["actions"], json!([]));
    assert_eq!(h.db.rows("SELECT COUNT(*) AS n FROM model_actions")[0]["n"], json!(0));
    // A key's scope: its actions are checked the same way.
    let cfg = fake_odoo::Config::new(OdooVersion::V19);
    for (scope, expected) in
        [(json!({"actions": []}), "must not be empty"), (json!({"actions": ["write"]}), "never allowed")]
    {
        let r = h.admin(
            "POST",
            "/admin/api/keys",
            Some(json!({"connection_id": c, "label": "k", "odoo_login": "admin", "odoo_api_key": cfg.users[0].api_key, "scope": scope})),
        );
        assert_eq!(r.status, 400, "{}", r.raw);
        assert!(r.raw.contains(expected), "{}", r.raw);
    }
    let r = h.admin("DELETE", &format!("/admin/api/connections/{c}/models/sale.order"), None);
    assert_eq!(r.status, 200);
}
