//! `odoo_create`, `odoo_update` and `odoo_delete` against the fake Odoo 17 and 19, as an administrator
//! and as a restricted user: values checked before anything is sent, permissions on the model and on
//! x2many comodels, dry runs that leave no trace, and read-back that catches a value Odoo ignored.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{text_of, Harness, Session};

const VERSIONS: [OdooVersion; 2] = [OdooVersion::V19, OdooVersion::V17];

fn grant(h: &Harness, conn: i64, model: &str, perms: Value) {
    let r = h.admin("PUT", &format!("/admin/api/connections/{conn}/models/{model}"), Some(perms));
    assert_eq!(r.status, 200, "{}", r.raw);
}

fn all_ops() -> Value {
    json!({"read": true, "create": true, "update": true, "delete": true})
}

fn ok(r: &Value) -> &Value {
    assert!(r.get("isError").is_none(), "{r}");
    &r["structuredContent"]
}

fn err(r: &Value) -> String {
    assert_eq!(r["isError"], true, "{r}");
    text_of(r)
}

/// Mutating methods the fake received.
fn writes(h: &Harness, v: OdooVersion) -> Vec<String> {
    h.fake(v)
        .calls()
        .into_iter()
        .map(|c| c.method)
        .filter(|m| matches!(m.as_str(), "create" | "write" | "unlink" | "message_post"))
        .collect()
}

fn setup(h: &Harness, v: OdooVersion, login: &str, models: &[&str]) -> (i64, String) {
    let c = h.connection(v, "c", &[]);
    for m in models {
        grant(h, c, m, all_ops());
    }
    (c, h.key(c, v, login))
}

fn find(s: &mut Session, model: &str, domain: Value) -> Vec<Value> {
    let r = s.tool("odoo_search", json!({"model": model, "domain": domain, "fields": ["id"], "limit": 200}));
    ok(&r)["records"].as_array().unwrap().clone()
}

#[test]
fn create_checks_writes_and_reads_back() {
    for v in VERSIONS {
        let h = Harness::new();
        let (_, key) = setup(&h, v, "admin", &["res.partner"]);
        let mut s = h.session(&key);
        h.fake(v).clear_calls();
        let r = s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": "Edge Partner", "email": "edge@example.com", "is_company": true}}));
        let out = ok(&r);
        let id = out["id"].as_i64().expect("id");
        assert_eq!(out["record"]["email"], "edge@example.com", "{v:?}: {out}");
        assert_eq!(out["display_name"], "Edge Partner");
        assert_eq!(out["not_applied"], json!([]));
        assert!(out.get("warning").is_none());
        let methods: Vec<String> =
            h.fake(v).calls().into_iter().map(|c| c.method).filter(|m| m != "fields_get").collect();
        assert_eq!(
            methods,
            ["create", "search_read"],
            "{v:?}: one create and one read-back (no default_get: nothing required is missing)"
        );
        assert_eq!(find(&mut s, "res.partner", json!([["email", "=", "edge@example.com"]])), vec![json!({"id": id})]);
    }
}

#[test]
fn dry_run_create_leaves_no_trace_and_shows_defaults() {
    for v in VERSIONS {
        let h = Harness::new();
        let (_, key) = setup(&h, v, "admin", &["crm.lead"]);
        let mut s = h.session(&key);
        let before = find(&mut s, "crm.lead", json!([])).len();
        h.fake(v).clear_calls();
        let r = s.tool(
            "odoo_create",
            json!({"model": "crm.lead", "values": {"name": "Preview lead", "expected_revenue": 1200}, "dry_run": true}),
        );
        let out = ok(&r);
        assert_eq!(out["dry_run"], true);
        assert!(out.get("id").is_none());
        assert_eq!(out["values"]["name"], "Preview lead");
        assert_eq!(out["defaults"]["type"], "opportunity", "{v:?}: Odoo's defaults are shown: {out}");
        assert_eq!(out["missing_required"], json!([]));
        assert!(writes(&h, v).is_empty(), "{v:?}: a dry run writes nothing");
        let checks: Vec<String> =
            h.fake(v).calls().into_iter().map(|c| c.method).filter(|m| m.contains("access")).collect();
        assert_eq!(
            checks,
            [if v == OdooVersion::V19 { "has_access" } else { "check_access_rights" }],
            "{v:?}: Odoo's own permission check"
        );
        assert_eq!(find(&mut s, "crm.lead", json!([])).len(), before);
    }
}

#[test]
fn bad_values_are_refused_before_odoo_is_called() {
    for v in VERSIONS {
        let h = Harness::new();
        let (_, key) = setup(&h, v, "admin", &["res.partner", "crm.lead"]);
        let mut s = h.session(&key);
        h.fake(v).clear_calls();
        let e = err(&s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": "X", "shoe_size": 43, "display_name": "Y", "is_company": "yes", "type": "robot", "parent_id": "ACME"}})));
        for needle in [
            "'shoe_size' is not a field",
            "'display_name' (Display Name) is read-only",
            "'is_company'",
            "true or false",
            "'type'",
            "\"contact\"",
            "'parent_id'",
            "record id",
        ] {
            assert!(e.contains(needle), "{v:?}: {needle} in {e}");
        }
        let e = err(&s.tool("odoo_update", json!({"model": "crm.lead", "ids": [1], "values": {"name": false}})));
        assert!(e.contains("'name'") && e.contains("cannot be empty"), "{e}");
        let e = err(&s
            .tool("odoo_update", json!({"model": "crm.lead", "ids": [1], "values": {"date_deadline": "next friday"}})));
        assert!(e.contains("YYYY-MM-DD"), "{e}");
        let e = err(&s.tool("odoo_update", json!({"model": "crm.lead", "ids": [1], "values": {}})));
        assert!(e.contains("empty"), "{e}");
        let e = err(&s.tool("odoo_update", json!({"model": "crm.lead", "ids": [], "values": {"name": "x"}})));
        assert!(e.contains("'ids'"), "{e}");
        assert!(writes(&h, v).is_empty(), "{v:?}: nothing reached Odoo's write methods");
        // A required field without a value: a dry run says so; Odoo refuses the record, naming the field.
        let r =
            s.tool("odoo_create", json!({"model": "crm.lead", "values": {"description": "no name"}, "dry_run": true}));
        assert_eq!(ok(&r)["missing_required"], json!(["name"]), "{v:?}: {r}");
        let e = err(&s.tool("odoo_create", json!({"model": "crm.lead", "values": {"description": "no name"}})));
        assert!(e.contains("mandatory field") && e.contains("(name)") && !e.contains("Traceback"), "{v:?}: {e}");
        assert!(find(&mut s, "crm.lead", json!([["description", "=", "no name"]])).is_empty(), "nothing half-created");
    }
}

#[test]
fn operations_need_their_own_permission() {
    let v = OdooVersion::V19;
    let h = Harness::new();
    let c = h.connection(v, "c", &["res.partner"]);
    grant(&h, c, "crm.lead", json!({"read": true, "update": true}));
    let key = h.key(c, v, "admin");
    let mut s = h.session(&key);
    h.fake(v).clear_calls();
    let e = err(&s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": "No"}})));
    assert!(e.contains("not enabled for creating"), "{e}");
    let e = err(&s.tool("odoo_update", json!({"model": "res.partner", "ids": [1], "values": {"name": "No"}})));
    assert!(e.contains("not enabled for updating"), "{e}");
    let e = err(&s.tool("odoo_delete", json!({"model": "crm.lead", "ids": [1]})));
    assert!(e.contains("not enabled for deleting"), "{e}");
    // A key scoped to reading cannot write even where the connection allows it.
    let r = h.admin(
        "POST",
        "/admin/api/keys",
        Some(json!({"connection_id": c, "label": "ro", "odoo_login": "admin",
        "odoo_api_key": fake_odoo::Config::new(v).users[0].api_key, "scope": {"operations": ["read"]}})),
    );
    assert_eq!(r.status, 201, "{}", r.raw);
    let mut ro = h.session(r.body["key"].as_str().unwrap());
    let e = err(&ro.tool("odoo_update", json!({"model": "crm.lead", "ids": [1], "values": {"name": "No"}})));
    assert!(e.contains("scope"), "{e}");
    assert!(writes(&h, v).is_empty());
    let denied = h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'permission_denied' AND tool IN ('odoo_create', 'odoo_update', 'odoo_delete')");
    assert_eq!(denied[0]["n"], 4, "each refusal is audited");
}

#[test]
fn x2many_commands_need_permission_on_the_related_model() {
    for v in VERSIONS {
        let h = Harness::new();
        let (c, key) = setup(&h, v, "admin", &["res.partner", "crm.lead"]);
        let mut s = h.session(&key);
        h.fake(v).clear_calls();
        // Creating users through a partner would get round the sensitive-model block.
        let e = err(&s.tool("odoo_update", json!({"model": "res.partner", "ids": [3], "values": {"user_ids": [[0, 0, {"login": "intruder", "name": "I"}]]}})));
        assert!(e.contains("res.users"), "{v:?}: {e}");
        let e = err(&s.tool(
            "odoo_update",
            json!({"model": "crm.lead", "ids": [1], "values": {"tag_ids": [[0, 0, {"name": "Hot"}]]}}),
        ));
        assert!(e.contains("crm.tag") && e.contains("creating"), "{v:?}: {e}");
        assert!(writes(&h, v).is_empty());
        // Enabled, the nested values are checked against the related model.
        grant(&h, c, "crm.tag", all_ops());
        let e = err(&s.tool(
            "odoo_update",
            json!({"model": "crm.lead", "ids": [1], "values": {"tag_ids": [[0, 0, {"colour": 3}]]}}),
        ));
        assert!(e.contains("'tag_ids' command 0") && e.contains("'colour' is not a field"), "{v:?}: {e}");
        let r = s.tool(
            "odoo_update",
            json!({"model": "crm.lead", "ids": [1], "values": {"tag_ids": [[0, 0, {"name": "Hot", "color": 3}]]}}),
        );
        let out = ok(&r);
        assert_eq!(out["not_applied"], json!([]), "{v:?}: {out}");
        let tags = out["records"][0]["tag_ids"].as_array().unwrap();
        assert!(!tags.is_empty(), "{out}");
        // Linking an existing record needs no permission on it.
        let r = s.tool("odoo_update", json!({"model": "crm.lead", "ids": [2], "values": {"tag_ids": tags}}));
        assert_eq!(ok(&r)["records"][0]["tag_ids"], json!(tags));
    }
}

#[test]
fn a_field_hidden_by_policy_cannot_be_written() {
    let v = OdooVersion::V17;
    let h = Harness::new();
    let (c, key) = setup(&h, v, "admin", &["res.partner"]);
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/res.partner"),
        Some(json!({"read": true, "create": true, "update": true, "fields": {"mode": "deny", "fields": ["email"]}})),
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    let mut s = h.session(&key);
    h.fake(v).clear_calls();
    for (tool, args) in [
        ("odoo_update", json!({"model": "res.partner", "ids": [3], "values": {"email": "x@example.com"}})),
        (
            "odoo_create",
            json!({"model": "res.partner", "values": {"name": "N", "email": "x@example.com"}, "dry_run": true}),
        ),
    ] {
        let e = err(&s.tool(tool, args));
        assert!(e.contains("Field 'email'") && e.contains("field policy"), "{tool}: {e}");
    }
    assert!(writes(&h, v).is_empty());
    assert_eq!(h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'permission_denied'")[0]["n"], 2);
}

#[test]
fn read_back_reports_a_value_odoo_ignored() {
    for v in VERSIONS {
        let h = Harness::new();
        let (_, key) = setup(&h, v, "admin", &["res.partner"]);
        let mut s = h.session(&key);
        // The schema is cached while `website` is writable; then Odoo is customised so that it is computed.
        ok(&s.tool("odoo_describe_model", json!({"model": "res.partner"})));
        assert!(h.fake(v).make_readonly("res.partner", "website"));
        let r = s.tool("odoo_update", json!({"model": "res.partner", "ids": [3], "values": {"website": "https://edge.example.com", "phone": "+32 2 555 01 00"}}));
        let out = ok(&r);
        assert_eq!(
            out["not_applied"],
            json!([{"id": 3, "field": "website", "sent": "https://edge.example.com", "stored": out["records"][0]["website"]}]),
            "{v:?}: {out}"
        );
        assert!(out["warning"].as_str().unwrap().contains("website"), "{out}");
        assert_eq!(out["records"][0]["phone"], "+32 2 555 01 00", "the other value applied");
        let r = s.tool(
            "odoo_create",
            json!({"model": "res.partner", "values": {"name": "Site-less", "website": "https://x.example.com"}}),
        );
        let out = ok(&r);
        assert_eq!(out["not_applied"][0]["field"], "website", "{v:?}: {out}");
    }
}

#[test]
fn update_dry_run_shows_changes_and_writes_nothing() {
    for v in VERSIONS {
        let h = Harness::new();
        let (_, key) = setup(&h, v, "admin", &["res.partner"]);
        let mut s = h.session(&key);
        let before = ok(&s.tool("odoo_get", json!({"model": "res.partner", "ids": [3], "fields": ["city"]})))
            ["records"][0]["city"]
            .clone();
        h.fake(v).clear_calls();
        let r = s.tool(
            "odoo_update",
            json!({"model": "res.partner", "ids": [3, 999999], "values": {"city": "Namur"}, "dry_run": true}),
        );
        let out = ok(&r);
        assert_eq!(out["changes"][0]["fields"]["city"], json!({"current": before, "new": "Namur"}), "{v:?}: {out}");
        assert_eq!(out["missing_ids"], json!([999999]));
        assert!(writes(&h, v).is_empty());
        let after = ok(&s.tool("odoo_get", json!({"model": "res.partner", "ids": [3], "fields": ["city"]})))["records"]
            [0]["city"]
            .clone();
        assert_eq!(before, after);
    }
}

#[test]
fn odoo_refusals_read_as_odoo_wrote_them() {
    for v in VERSIONS {
        let h = Harness::new();
        let (_, key) = setup(&h, v, "demo2", &["res.partner", "crm.lead", "crm.stage"]);
        let mut s = h.session(&key);
        // demo2 sees only its own leads: another user's lead is refused by Odoo's record rule.
        let e = err(&s.tool("odoo_update", json!({"model": "crm.lead", "ids": [1], "values": {"priority": "2"}})));
        assert!(
            e.contains("Odoo refused") && e.contains("top-secret records") && !e.contains("Traceback"),
            "{v:?}: {e}"
        );
        // And the ACL: a salesman may not create stages.
        let e = err(&s.tool("odoo_create", json!({"model": "crm.stage", "values": {"name": "Mine"}})));
        assert!(e.contains("not allowed to create"), "{v:?}: {e}");
        // A constraint.
        let h2 = Harness::new();
        let (_, admin) = setup(&h2, v, "admin", &["res.partner"]);
        let mut a = h2.session(&admin);
        let e = err(&a.tool("odoo_update", json!({"model": "res.partner", "ids": [3], "values": {"parent_id": 3}})));
        assert!(e.contains("recursive"), "{v:?}: {e}");
        let e = err(&a.tool("odoo_update", json!({"model": "res.partner", "ids": [999999], "values": {"city": "X"}})));
        assert!(e.contains("does not exist"), "{v:?}: {e}");
    }
}

#[test]
fn delete_reports_each_outcome() {
    for v in VERSIONS {
        let h = Harness::new();
        let (_, key) = setup(&h, v, "admin", &["res.partner"]);
        let mut s = h.session(&key);
        let ids: Vec<i64> = ["Del A", "Del B"]
            .iter()
            .map(|n| {
                ok(&s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": n}})))["id"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        h.fake(v).clear_calls();
        let r =
            s.tool("odoo_delete", json!({"model": "res.partner", "ids": [ids[0], ids[1], 999999], "dry_run": true}));
        let out = ok(&r);
        assert_eq!(out["deleted"], 0);
        assert_eq!(
            out["results"][0],
            json!({"id": ids[0], "display_name": "Del A", "outcome": "would_delete"}),
            "{v:?}: {out}"
        );
        assert_eq!(out["results"][2]["outcome"], "missing");
        assert!(writes(&h, v).is_empty(), "a dry run deletes nothing");
        let r = s.tool("odoo_delete", json!({"model": "res.partner", "ids": [ids[0], ids[1], 999999]}));
        let out = ok(&r);
        assert_eq!(out["deleted"], 2, "{out}");
        let outcomes: Vec<&str> =
            out["results"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["deleted", "deleted", "missing"]);
        assert!(find(&mut s, "res.partner", json!([["name", "in", ["Del A", "Del B"]]])).is_empty());
        assert_eq!(writes(&h, v), ["unlink"], "one unlink for all existing records");
    }
}

#[test]
fn a_refused_delete_of_several_is_retried_one_by_one() {
    for v in VERSIONS {
        let h = Harness::new();
        let (_, key) = setup(&h, v, "admin", &["res.partner", "sale.order"]);
        let mut s = h.session(&key);
        // A customer with orders cannot go (sale.order.partner_id is required: ondelete restrict).
        let order = ok(&s.tool("odoo_search", json!({"model": "sale.order", "fields": ["partner_id"], "limit": 1})))
            ["records"][0]
            .clone();
        let customer = order["partner_id"][0].as_i64().expect("an order with a customer");
        let free = ok(&s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": "Nobody's customer"}})))
            ["id"]
            .as_i64()
            .unwrap();
        h.fake(v).clear_calls();
        let r = s.tool("odoo_delete", json!({"model": "res.partner", "ids": [customer, free]}));
        let out = ok(&r);
        assert_eq!(out["deleted"], 1, "{v:?}: {out}");
        assert_eq!(out["results"][0]["outcome"], "failed");
        let reason = out["results"][0]["error"].as_str().unwrap();
        assert!(reason.contains("archive it instead") && reason.contains("sale.order"), "{reason}");
        assert_eq!(out["results"][1], json!({"id": free, "display_name": "Nobody's customer", "outcome": "deleted"}));
        assert_eq!(writes(&h, v), ["unlink", "unlink", "unlink"], "all together, then each alone");
        // One record alone: Odoo's refusal is the tool's error.
        let e = err(&s.tool("odoo_delete", json!({"model": "res.partner", "ids": [customer]})));
        assert!(e.contains("Odoo rejected") && e.contains("archive it instead"), "{e}");
    }
}

#[test]
fn records_another_user_owns_are_not_visible_to_delete() {
    for v in VERSIONS {
        let h = Harness::new();
        let (_, key) = setup(&h, v, "demo2", &["crm.lead"]);
        let mut s = h.session(&key);
        let own = ok(&s.tool("odoo_create", json!({"model": "crm.lead", "values": {"name": "Mine to delete"}})))["id"]
            .as_i64()
            .unwrap();
        // Lead 1 belongs to another salesman: demo2's record rules hide it.
        let r = s.tool("odoo_delete", json!({"model": "crm.lead", "ids": [own, 1]}));
        let out = ok(&r);
        assert_eq!(
            out["results"],
            json!([{"id": own, "display_name": "Mine to delete", "outcome": "deleted"}, {"id": 1, "display_name": null, "outcome": "missing"}]),
            "{v:?}: {out}"
        );
    }
}
