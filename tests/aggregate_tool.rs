//! `odoo_aggregate` against the fake Odoo: `formatted_read_group` on 19 and `read_group` on 17 give the
//! same normalised groups; group-bys and aggregates are checked against the fields and the field policy.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{text_of, Harness};

fn groups_of(r: &Value) -> Vec<Value> {
    assert!(r.get("isError").is_none(), "{r}");
    r["structuredContent"]["groups"].as_array().unwrap().clone()
}

#[test]
fn both_versions_give_the_same_groups() {
    let mut answers = Vec::new();
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = Harness::new();
        let c = h.connection(v, "c", &["crm.lead"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        h.fake(v).clear_calls();
        let r = s.tool("odoo_aggregate", json!({"model": "crm.lead", "group_by": ["stage_id"], "aggregates": ["expected_revenue:sum"], "order": "stage_id"}));
        let methods: Vec<String> =
            h.fake(v).calls().into_iter().map(|c| c.method).filter(|m| m.contains("group")).collect();
        assert_eq!(methods, [if v == OdooVersion::V19 { "formatted_read_group" } else { "read_group" }]);
        let groups = groups_of(&r);
        assert_eq!(groups[0]["values"]["stage_id"], json!({"value": 1, "label": "New"}), "{r}");
        assert!(groups[0]["aggregates"]["expected_revenue:sum"].as_f64().unwrap() > 0.0, "{r}");
        assert!(groups[0]["count"].as_i64().unwrap() > 0);
        assert_eq!(groups[0]["domain"], json!([["stage_id", "=", 1]]));
        answers.push(groups);
    }
    assert_eq!(answers[0], answers[1], "one shape for both methods");
}

#[test]
fn dates_group_by_granularity_with_their_start_and_label() {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = Harness::new();
        let c = h.connection(v, "c", &["crm.lead"]);
        let mut s = h.session(&h.key(c, v, "demo2"));
        let r = s.tool("odoo_aggregate", json!({"model": "crm.lead", "group_by": ["create_date:month"], "aggregates": ["expected_revenue:sum"], "domain": [["type", "=", "opportunity"]]}));
        let groups = groups_of(&r);
        let first = &groups[0]["values"]["create_date:month"];
        assert!(first["value"].as_str().unwrap().ends_with("-01 00:00:00"), "{v:?}: {first}");
        assert!(first["label"].as_str().unwrap().contains("20"), "{first}");
        let domain = groups[0]["domain"].to_string();
        assert!(domain.contains("create_date") && domain.contains(">="), "{v:?}: the group's own domain: {domain}");
        // The group's domain selects exactly its records.
        let count = groups[0]["count"].as_i64().unwrap();
        let found = s.tool(
            "odoo_search",
            json!({"model": "crm.lead", "domain": groups[0]["domain"], "fields": ["id"], "limit": 200}),
        );
        if v == OdooVersion::V19 {
            assert_eq!(found["structuredContent"]["count"].as_i64(), Some(count), "{found}");
        }
    }
}

#[test]
fn orders_limits_and_reports_more() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let c = h.connection(v, "c", &["crm.lead"]);
    let mut s = h.session(&h.key(c, v, "admin"));
    let r = s.tool(
        "odoo_aggregate",
        json!({"model": "crm.lead", "group_by": ["stage_id"], "order": "count desc, stage_id", "limit": 2}),
    );
    let groups = groups_of(&r);
    assert_eq!(groups.len(), 2);
    assert!(groups[0]["count"].as_i64() >= groups[1]["count"].as_i64());
    assert_eq!(r["structuredContent"]["has_more"], true);
    let r = s.tool("odoo_aggregate", json!({"model": "crm.lead", "group_by": ["stage_id"], "order": "count desc, stage_id", "limit": 2, "offset": 2}));
    assert_eq!(r["structuredContent"]["has_more"], false);
}

#[test]
fn bad_groupings_are_readable_tool_errors_and_field_policies_hold() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let c = h.connection(v, "c", &[]);
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/crm.lead"),
        Some(json!({"read": true, "fields": {"mode": "deny", "fields": ["expected_revenue", "user_id"]}})),
    );
    assert_eq!(r.status, 200);
    let mut s = h.session(&h.key(c, v, "admin"));
    h.fake(v).clear_calls();
    for (args, needle) in [
        (json!({"model": "crm.lead"}), "'group_by' is required"),
        (json!({"model": "crm.lead", "group_by": ["nope"]}), "no such field"),
        (json!({"model": "crm.lead", "group_by": ["name:month"]}), "only date"),
        (json!({"model": "crm.lead", "group_by": ["create_date:fortnight"]}), "granularity"),
        (json!({"model": "crm.lead", "group_by": ["stage_id"], "aggregates": ["name:sum"]}), "cannot sum"),
        (json!({"model": "crm.lead", "group_by": ["stage_id"], "aggregates": ["probability"]}), "field:function"),
        (
            json!({"model": "crm.lead", "group_by": ["stage_id"], "aggregates": ["probability:median"]}),
            "must be one of",
        ),
        (json!({"model": "crm.lead", "group_by": ["stage_id"], "order": "probability desc"}), "cannot order by"),
        (json!({"model": "crm.lead", "group_by": ["user_id"]}), "field policy"),
        (
            json!({"model": "crm.lead", "group_by": ["stage_id"], "aggregates": ["expected_revenue:sum"]}),
            "field policy",
        ),
        (json!({"model": "crm.lead", "group_by": ["stage_id"], "domain": [["user_id", "=", 2]]}), "field policy"),
        (json!({"model": "sale.order", "group_by": ["partner_id"]}), "not enabled"),
    ] {
        let r = s.tool("odoo_aggregate", args.clone());
        assert_eq!(r["isError"], true, "{args}");
        assert!(text_of(&r).contains(needle), "{args}: {}", text_of(&r));
    }
    let grouped: Vec<String> =
        h.fake(v).calls().into_iter().map(|c| c.method).filter(|m| m.contains("group")).collect();
    assert!(grouped.is_empty(), "no refused grouping reaches Odoo: {grouped:?}");
    let denials =
        h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'permission_denied' AND tool = 'odoo_aggregate'");
    assert_eq!(denials[0]["n"], json!(4));
}
