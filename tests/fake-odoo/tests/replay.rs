//! Replays every golden recording of `tests/fixtures/odoo/{17,19}/{jsonrpc,json2}`
//! against a fake in the matching version and checks the answer by structure
//! (`common::recording::check`). A whitelist of scenarios whose data the
//! seeds mirror must also match value for value. The server's own recorded
//! traffic is replayed by `replay_traffic.rs`.

mod common;

use common::recording::{check, created_id, load, send, Fixture};
use fake_odoo::{Config, FakeOdoo, OdooVersion};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Recording order: the jsonrpc `id` of the scenario (json2 files borrow the
/// id of the jsonrpc file with the same name); the rest goes last.
fn order_key(f: &Fixture, jsonrpc_ids: &HashMap<String, i64>) -> i64 {
    if let Some(id) = f.request["body"]["id"].as_i64() {
        return id;
    }
    let alias = if f.name == "create_partner_vals_list" { "create_partner" } else { f.name.as_str() };
    jsonrpc_ids.get(alias).copied().unwrap_or(10_000)
}

/// Scenarios that act on the partner created by `create_partner*`.
const LIFECYCLE: &[&str] = &[
    "write_partner",
    "read_partner_after_write",
    "validation_error_partner_parent_self",
    "unlink_partner",
    "write_deleted_partner_missing_error",
    "read_deleted_partner",
    "unlink_deleted_partner",
];

/// Scenarios where the seed data mirrors the recording exactly.
const EXACT: &[&str] = &[
    "common_version",
    "common_authenticate_admin",
    "common_authenticate_demo2",
    "common_authenticate_wrong_key",
    "search_count_partner_companies",
    "search_count_without_database_header",
    "search_partner_companies_ids",
    "search_read_partner_companies",
    "search_read_partner_companies_offset5",
    "search_read_domain_any",
    "search_read_domain_not_any",
    "read_partners_with_missing_id",
    "name_search_partner",
    "name_get_partner",
    "fields_get_res_partner",
    "fields_get_res_partner_demo2",
    "fields_get_crm_lead",
    "fields_get_sale_order",
];

fn replace_ids(v: &Value, map: &HashMap<i64, i64>) -> Value {
    match v {
        Value::Number(n) => match n.as_i64().and_then(|i| map.get(&i)) {
            Some(new) => json!(new),
            None => v.clone(),
        },
        Value::String(s) => {
            let mut s = s.clone();
            for (old, new) in map {
                s = s.replace(&format!("({},)", old), &format!("({},)", new));
            }
            Value::String(s)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| replace_ids(i, map)).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), replace_ids(v, map))).collect()),
        other => other.clone(),
    }
}

fn replay(version: OdooVersion, dir: &str, transport: &str) -> Vec<String> {
    let odoo = FakeOdoo::start(Config::new(version)).expect("start fake");
    let jsonrpc_ids: HashMap<String, i64> = load(dir, "jsonrpc")
        .iter()
        .filter_map(|f| f.request["body"]["id"].as_i64().map(|id| (f.name.clone(), id)))
        .collect();
    let mut fixtures = load(dir, transport);
    fixtures.sort_by_key(|f| (order_key(f, &jsonrpc_ids), f.name.clone()));
    let mut ids: HashMap<i64, i64> = HashMap::new();
    let mut failures = Vec::new();
    for f in &fixtures {
        let mut req = f.request.clone();
        let mut expected = f.response["body"].clone();
        if LIFECYCLE.contains(&f.name.as_str()) {
            req = replace_ids(&req, &ids);
            expected = replace_ids(&expected, &ids);
        }
        let resp = send(odoo.port(), &req);
        if f.name.starts_with("create_partner") {
            if let (Some(old), Some(new)) = (created_id(&f.response["body"]), created_id(&resp.json())) {
                ids.insert(old, new);
            }
        }
        let exact = EXACT.contains(&f.name.as_str());
        let problems = check(f, &expected, resp.status, &resp.content_type, &resp.body, exact);
        if !problems.is_empty() {
            failures.push(format!("{}/{}/{}:\n    {}", dir, transport, f.name, problems.join("\n    ")));
        }
    }
    assert!(odoo.request_count() >= fixtures.len() as u64);
    failures
}

fn assert_replay(version: OdooVersion, dir: &str, transport: &str, expected_files: usize) {
    assert_eq!(load(dir, transport).len(), expected_files, "fixture count for {}/{}", dir, transport);
    let failures = replay(version, dir, transport);
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn replay_17_jsonrpc() {
    assert_replay(OdooVersion::V17, "17", "jsonrpc", 45);
}

#[test]
fn replay_17_json2() {
    assert_replay(OdooVersion::V17, "17", "json2", 1);
}

#[test]
fn replay_19_jsonrpc() {
    assert_replay(OdooVersion::V19, "19", "jsonrpc", 46);
}

#[test]
fn replay_19_json2() {
    assert_replay(OdooVersion::V19, "19", "json2", 48);
}

#[test]
fn checker_detects_differences() {
    let f = Fixture {
        name: "unknown_model".into(),
        request: json!({}),
        response: json!({"status": 200, "content_type": "application/json; charset=utf-8", "body": {}}),
    };
    let recorded = json!({"jsonrpc": "2.0", "id": 1, "error": {"code": 200, "message": "Odoo Server Error",
        "data": {"name": "odoo.exceptions.UserError", "debug": "Traceback (most recent call last):",
                 "message": "Object x doesn't exist", "arguments": ["Object x doesn't exist"], "context": {}}}});
    let same = recorded.to_string();
    assert!(check(&f, &recorded, 200, "application/json", &same, false).is_empty());
    let other_msg = same.replace("Object x", "Object y");
    assert!(!check(&f, &recorded, 200, "application/json", &other_msg, false).is_empty());
    let other_code = same.replace("\"code\":200", "\"code\":0");
    assert!(!check(&f, &recorded, 200, "application/json", &other_code, false).is_empty());
    assert!(!check(&f, &recorded, 404, "application/json", &same, false).is_empty());
    assert!(!check(&f, &recorded, 200, "text/html", &same, false).is_empty());
    let rows = json!({"jsonrpc": "2.0", "id": 1, "result": [{"id": 1, "name": "a", "total": 1.0}]});
    let f2 = Fixture { name: "rows".into(), ..f };
    let float_as_int = json!({"jsonrpc": "2.0", "id": 1, "result": [{"id": 1, "name": "a", "total": 1}]}).to_string();
    assert!(!check(&f2, &rows, 200, "application/json", &float_as_int, false).is_empty());
    let extra_key =
        json!({"jsonrpc": "2.0", "id": 1, "result": [{"id": 1, "name": "a", "total": 1.0, "x": 1}]}).to_string();
    assert!(!check(&f2, &rows, 200, "application/json", &extra_key, false).is_empty());
    let empty = json!({"jsonrpc": "2.0", "id": 1, "result": []}).to_string();
    assert!(!check(&f2, &rows, 200, "application/json", &empty, false).is_empty());
    // A method returning None: Odoo sends no `result` member, which a
    // `"result": null` does not imitate.
    let none = json!({"jsonrpc": "2.0", "id": 1});
    let null_result = json!({"jsonrpc": "2.0", "id": 1, "result": null}).to_string();
    assert!(!check(&f2, &none, 200, "application/json", &null_result, false).is_empty());
    assert!(check(&f2, &none, 200, "application/json", &none.to_string(), false).is_empty());
}
