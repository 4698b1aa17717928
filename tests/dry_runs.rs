//! Dry runs of every write tool on each Odoo the fake imitates (16 and 17 over `/jsonrpc`, 18 over
//! `/jsonrpc` with `has_access`, 19 over JSON-2 and over `/jsonrpc`): they run, ask Odoo's own access
//! check in the shape real Odoo accepts (recorded in `tests/fixtures/odoo/*/traffic/`), write nothing, and
//! still say "refused" for what the user may not do, while an id that does not exist stays "missing".

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{text_of, Harness, TRANSPORTS};

fn setup(h: &Harness, v: OdooVersion, jsonrpc: bool, login: &str) -> String {
    let c = h.connection(v, "c", &[]);
    for m in ["res.partner", "crm.lead", "crm.stage"] {
        let r = h.admin(
            "PUT",
            &format!("/admin/api/connections/{c}/models/{m}"),
            Some(json!({"read": true, "create": true, "update": true, "delete": true})),
        );
        assert_eq!(r.status, 200, "{}", r.raw);
    }
    if jsonrpc {
        h.db.rows(&format!("UPDATE connections SET transport = 'jsonrpc' WHERE id = {c}"));
    }
    h.key(c, v, login)
}

fn ok(r: &Value) -> &Value {
    assert!(r.get("isError").is_none(), "{r}");
    &r["structuredContent"]
}

fn refused(r: &Value) -> String {
    assert_eq!(r["isError"], true, "{r}");
    let t = text_of(r);
    assert!(t.starts_with("Odoo refused the operation for this key's Odoo user"), "{t}");
    t
}

/// Every call the fake received, as `transport model.method`.
fn calls(h: &Harness, v: OdooVersion) -> Vec<String> {
    h.fake(v)
        .calls()
        .into_iter()
        .map(|c| format!("{:?} {}.{}", c.transport, c.model.unwrap_or_default(), c.method))
        .collect()
}

fn writes(h: &Harness, v: OdooVersion) -> Vec<String> {
    calls(h, v)
        .into_iter()
        .filter(|c| ["create", "write", "unlink", "message_post"].iter().any(|m| c.ends_with(&format!(".{m}"))))
        .collect()
}

/// The access checks a version's dry run may send: what the recordings show real Odoo serving.
fn expected_checks(v: OdooVersion) -> &'static [&'static str] {
    match v {
        OdooVersion::V16 | OdooVersion::V17 => &["check_access_rights", "check_access_rule"],
        OdooVersion::V18 | OdooVersion::V19 => &["has_access"],
    }
}

#[test]
fn every_write_tool_previews_on_every_version_without_writing() {
    for (v, jsonrpc) in TRANSPORTS {
        let h = Harness::new();
        let mut s = h.session(&setup(&h, v, jsonrpc, "admin"));
        let doomed = ok(&s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": "Doomed"}})))["id"]
            .as_i64()
            .expect("id");
        h.fake(v).clear_calls();
        let label = format!("{v:?}{}", if jsonrpc { " over /jsonrpc" } else { "" });

        let r = s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": "Preview"}, "dry_run": true}));
        assert_eq!(ok(&r)["dry_run"], true, "{label}");
        let r = s.tool(
            "odoo_update",
            json!({"model": "res.partner", "ids": [3, 999999], "values": {"city": "Namur"}, "dry_run": true}),
        );
        let out = ok(&r);
        assert_eq!(out["changes"][0]["fields"]["city"]["new"], "Namur", "{label}: {out}");
        assert_eq!(out["missing_ids"], json!([999999]), "{label}: an id that does not exist stays missing");
        let r = s.tool("odoo_delete", json!({"model": "res.partner", "ids": [doomed], "dry_run": true}));
        assert_eq!(ok(&r)["results"][0]["outcome"], "would_delete", "{label}");
        let r =
            s.tool("odoo_chatter_post", json!({"model": "res.partner", "id": 3, "body": "preview", "dry_run": true}));
        assert_eq!(ok(&r)["dry_run"], true, "{label}");
        let ops = json!([
            {"action": "create", "model": "res.partner", "values": {"name": "Batch Co"}},
            {"action": "update", "model": "res.partner", "ids": [3], "values": {"city": "Batchville"}},
            {"action": "delete", "model": "res.partner", "ids": [doomed]},
            {"action": "post_message", "model": "res.partner", "id": 3, "body": "batched"}
        ]);
        let r = s.tool("odoo_batch", json!({"operations": ops, "dry_run": true}));
        assert_eq!(ok(&r)["succeeded"], 4, "{label}: {r}");

        assert!(writes(&h, v).is_empty(), "{label}: a dry run writes nothing: {:?}", writes(&h, v));
        let checks: Vec<String> = calls(&h, v).into_iter().filter(|c| c.contains("access")).collect();
        assert!(!checks.is_empty(), "{label}: Odoo's own check was asked");
        for c in &checks {
            assert!(
                expected_checks(v).iter().any(|m| c.ends_with(&format!(".{m}"))),
                "{label}: {c} is not a check this Odoo serves"
            );
            let transport = if v == OdooVersion::V19 && !jsonrpc { "Json2" } else { "JsonRpc" };
            assert!(c.starts_with(transport), "{label}: {c}");
        }
    }
}

#[test]
fn what_the_user_may_not_do_is_refused_by_odoo() {
    for (v, jsonrpc) in TRANSPORTS {
        let h = Harness::new();
        let mut s = h.session(&setup(&h, v, jsonrpc, "demo2"));
        let label = format!("{v:?}{}", if jsonrpc { " over /jsonrpc" } else { "" });
        // Lead 1 belongs to the administrator: demo2 may not see it, so every preview on it is refused, not "missing".
        let lead = 1;
        let t = refused(&s.tool(
            "odoo_update",
            json!({"model": "crm.lead", "ids": [lead], "values": {"priority": "2"}, "dry_run": true}),
        ));
        assert!(t.contains("crm.lead"), "{label}: {t}");
        refused(&s.tool("odoo_delete", json!({"model": "crm.lead", "ids": [lead], "dry_run": true})));
        refused(&s.tool("odoo_chatter_post", json!({"model": "crm.lead", "id": lead, "body": "x", "dry_run": true})));
        let r = s.tool("odoo_batch", json!({"operations": [{"action": "update", "model": "crm.lead", "ids": [lead], "values": {"priority": "2"}}], "dry_run": true}));
        assert_eq!(
            (r["isError"].as_bool(), r["structuredContent"]["failed"].as_i64()),
            (Some(true), Some(1)),
            "{label}: a batch with a refused operation is an error that still lists it: {r}"
        );
        // A stage is visible but only sales administrators may change it: Odoo's ACL says no.
        refused(&s.tool(
            "odoo_update",
            json!({"model": "crm.stage", "ids": [1], "values": {"name": "Mine"}, "dry_run": true}),
        ));
        refused(&s.tool("odoo_create", json!({"model": "crm.stage", "values": {"name": "Mine"}, "dry_run": true})));
        // A contact is visible and may be changed, but a salesman may not delete it.
        refused(&s.tool("odoo_delete", json!({"model": "res.partner", "ids": [3], "dry_run": true})));
        // Its own lead (3) may be changed.
        let r = s.tool(
            "odoo_update",
            json!({"model": "crm.lead", "ids": [3], "values": {"priority": "2"}, "dry_run": true}),
        );
        assert_eq!(ok(&r)["missing_ids"], json!([]), "{label}");
        assert!(writes(&h, v).is_empty(), "{label}");
    }
}
