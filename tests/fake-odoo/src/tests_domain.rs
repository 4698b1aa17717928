//! Unit tests of the domain evaluator and search pipeline, run directly on a
//! seeded store (no HTTP): operators, paths, constants, active_test, order,
//! and the per-version error texts.

use crate::search::{self, Query};
use crate::store::{Env, Store};
use crate::{seed, Config, OdooVersion};
use serde_json::{json, Value};

fn store(v: OdooVersion) -> Store {
    seed::build(&Config::new(v))
}

fn admin(v: OdooVersion) -> Env {
    Env::new(v, 2, false)
}

fn find(s: &Store, env: &Env, model: &str, domain: Value, order: Option<&str>) -> Vec<i64> {
    let q = Query { domain: &domain, order, offset: 0, limit: None };
    match search::search(s, env, model, &q) {
        Ok(ids) => ids,
        Err(e) => panic!("search failed: {:?}", e),
    }
}

fn names(s: &Store, model: &str, ids: &[i64]) -> Vec<String> {
    ids.iter().map(|i| s.display_name(model, *i)).collect()
}

fn err(s: &Store, model: &str, domain: Value) -> (String, String) {
    let q = Query { domain: &domain, order: None, offset: 0, limit: None };
    match search::search(s, &admin(s.version), model, &q) {
        Ok(ids) => panic!("expected an error, got {:?}", ids),
        Err(e) => (e.kind.name().to_string(), e.message),
    }
}

#[test]
fn logic_operators_and_implicit_and() {
    let s = store(OdooVersion::V17);
    let env = admin(OdooVersion::V17);
    let companies = find(&s, &env, "res.partner", json!([["is_company", "=", true]]), Some("name"));
    assert_eq!(companies, vec![14, 10, 11, 15, 12, 13, 9, 1]);
    let implicit =
        find(&s, &env, "res.partner", json!([["is_company", "=", true], ["name", "ilike", "in"]]), Some("name"));
    let explicit =
        find(&s, &env, "res.partner", json!(["&", ["is_company", "=", true], ["name", "ilike", "in"]]), Some("name"));
    assert_eq!(implicit, explicit);
    assert_eq!(names(&s, "res.partner", &implicit), vec!["Azure Interior", "Gemini Furniture", "Lumber Inc"]);
    let or = find(
        &s,
        &env,
        "res.partner",
        json!(["|", ["name", "=", "Ready Mat"], ["name", "=", "Lumber Inc"]]),
        Some("id"),
    );
    assert_eq!(or, vec![12, 15]);
    let not = find(&s, &env, "res.partner", json!(["!", ["is_company", "=", false]]), None);
    assert_eq!(not.len(), companies.len());
    let nested = find(
        &s,
        &env,
        "res.partner",
        json!(["|", "&", ["is_company", "=", true], ["city", "=", "Tracy"], ["name", "=", "Chester Reed"]]),
        Some("id"),
    );
    assert_eq!(nested, vec![12, 13, 39]);
}

#[test]
fn comparison_and_pattern_operators() {
    let s = store(OdooVersion::V17);
    let env = admin(OdooVersion::V17);
    let leads = |d: Value| find(&s, &env, "crm.lead", d, Some("id"));
    assert_eq!(leads(json!([["expected_revenue", ">", 35000]])), vec![4, 8]);
    assert_eq!(leads(json!([["expected_revenue", ">=", 35000]])), vec![4, 7, 8]);
    assert_eq!(leads(json!([["expected_revenue", "<", 2000]])), vec![9]);
    assert_eq!(leads(json!([["expected_revenue", "<=", 2000]])), vec![1, 9]);
    assert_eq!(leads(json!([["priority", "!=", "0"], ["priority", "<>", "1"]])), vec![2, 3, 7, 8, 12]);
    assert_eq!(leads(json!([["create_date", ">=", "2026-11-18"]])), vec![1, 8, 9]);
    assert_eq!(leads(json!([["name", "like", "Desks"]])), vec![7, 8]);
    assert_eq!(leads(json!([["name", "like", "desks"]])), Vec::<i64>::new());
    assert_eq!(leads(json!([["name", "ilike", "desks"]])), vec![7, 8]);
    assert_eq!(leads(json!([["name", "=like", "C%"]])), vec![7, 11]);
    assert_eq!(leads(json!([["name", "=ilike", "c_binets"]])), vec![11]);
    let not_ilike = leads(json!([["name", "not ilike", "desk"]]));
    assert!(!not_ilike.contains(&7) && not_ilike.contains(&1));
    assert_eq!(leads(json!([["stage_id", "in", [4]]])), vec![4, 12]);
    assert_eq!(leads(json!([["stage_id", "not in", [1, 2, 3]]])), vec![4, 12]);
    assert_eq!(leads(json!([["priority", "in", ["3"]]])), vec![7]);
    assert_eq!(leads(json!([["user_id", "=?", false]])).len(), leads(json!([])).len());
    assert_eq!(leads(json!([["user_id", "=?", 6]])), vec![11]);
}

#[test]
fn false_matches_empty_values() {
    let s = store(OdooVersion::V19);
    let env = admin(OdooVersion::V19);
    let no_email = find(&s, &env, "res.partner", json!([["email", "=", false]]), None);
    assert_eq!(names(&s, "res.partner", &no_email), vec!["My US Company"]);
    let with_email = find(&s, &env, "res.partner", json!([["email", "!=", false]]), None);
    assert!(!with_email.contains(&42));
    let unassigned = find(&s, &env, "crm.lead", json!([["user_id", "=", false]]), Some("id"));
    assert_eq!(unassigned, vec![6, 9]);
    let not_in = find(&s, &env, "crm.lead", json!([["user_id", "not in", [2]]]), Some("id"));
    assert!(not_in.contains(&6), "NULL many2one is included by 'not in'");
}

#[test]
fn relational_paths_and_names() {
    let s = store(OdooVersion::V19);
    let env = admin(OdooVersion::V19);
    let sm = find(&s, &env, "res.partner", json!([["country_id.code", "=", "SM"], ["is_company", "=", true]]), None);
    assert_eq!(names(&s, "res.partner", &sm), vec!["Gemini Furniture"]);
    let by_parent = find(&s, &env, "res.partner", json!([["parent_id.name", "=", "Azure Interior"]]), None);
    assert_eq!(by_parent, vec![27, 34, 28]);
    let leads = find(&s, &env, "crm.lead", json!([["partner_id", "ilike", "azure"]]), Some("id"));
    assert_eq!(leads, vec![2, 10]);
    let by_name = find(&s, &env, "crm.lead", json!([["stage_id", "=", "Won"]]), Some("id"));
    assert_eq!(by_name, vec![4, 12]);
    let children = find(&s, &env, "res.partner", json!([["child_ids", "=", 27]]), None);
    assert_eq!(children, vec![15]);
    let childless =
        find(&s, &env, "res.partner", json!([["is_company", "=", true], ["child_ids", "=", false]]), Some("name"));
    assert_eq!(names(&s, "res.partner", &childless), vec!["LightsUp", "My US Company", "OpenWood"]);
    let any =
        find(&s, &env, "res.partner", json!([["child_ids", "any", [["function", "=", "Director"]]]]), Some("name"));
    assert_eq!(names(&s, "res.partner", &any), vec!["Azure Interior", "Gemini Furniture"]);
    let not_any = find(
        &s,
        &env,
        "res.partner",
        json!([["is_company", "=", true], ["child_ids", "not any", [["function", "=", "Director"]]]]),
        None,
    );
    assert!(!not_any.contains(&15) && not_any.contains(&13));
    let desc = find(&s, &env, "res.partner", json!([["id", "child_of", 15]]), Some("id"));
    assert_eq!(desc, vec![15, 27, 28, 34]);
    let anc = find(&s, &env, "res.partner", json!([["id", "parent_of", 27]]), Some("id"));
    assert_eq!(anc, vec![15, 27]);
    let leads_of = find(&s, &env, "crm.lead", json!([["partner_id", "child_of", 15]]), Some("id"));
    assert_eq!(leads_of, vec![2, 10]);
}

#[test]
fn constants_active_test_and_paging() {
    let s = store(OdooVersion::V17);
    let env = admin(OdooVersion::V17);
    let all = find(&s, &env, "res.partner", json!([[1, "=", 1]]), None);
    assert_eq!(all.len(), find(&s, &env, "res.partner", json!([]), None).len());
    assert!(find(&s, &env, "res.partner", json!([[0, "=", 1]]), None).is_empty());
    assert!(!all.contains(&2), "archived OdooBot is hidden");
    let inactive = Env { active_test: false, ..env.clone() };
    assert!(find(&s, &inactive, "res.partner", json!([]), None).contains(&2));
    let archived = find(&s, &env, "res.partner", json!([["active", "=", false]]), None);
    assert_eq!(archived, vec![2]);
    let lost = find(&s, &env, "crm.lead", json!([["active", "in", [true, false]]]), None);
    assert_eq!(lost.len(), 14);
    let q =
        Query { domain: &json!([["is_company", "=", true]]), order: Some("name desc, id"), offset: 2, limit: Some(3) };
    let page = search::search(&s, &env, "res.partner", &q).unwrap_or_default();
    assert_eq!(names(&s, "res.partner", &page), vec!["The Jackson Group", "Ready Mat", "Lumber Inc"]);
    let by_stage = find(&s, &env, "crm.lead", json!([["stage_id", "in", [3, 4]]]), Some("stage_id desc, id"));
    assert_eq!(by_stage, vec![4, 12, 3, 7, 10]);
}

#[test]
fn domain_errors_per_version() {
    let s17 = store(OdooVersion::V17);
    let s19 = store(OdooVersion::V19);
    let p = "res.partner";
    assert_eq!(err(&s17, p, json!([["name", "~~", "x"]])).1, "Invalid leaf ('name', '~~', 'x')");
    assert_eq!(err(&s19, p, json!([["name", "~~", "x"]])).1, "Invalid operator in condition ('name', '~~', 'x')");
    assert_eq!(
        err(&s17, p, json!([["no_such_field", "=", 1]])).1,
        "Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)"
    );
    assert_eq!(
        err(&s19, p, json!([["no_such_field", "=", 1]])).1,
        "Invalid field res.partner.no_such_field in condition ('no_such_field', '=', 1)"
    );
    assert_eq!(
        err(&s17, p, json!(["garbage"])),
        ("builtins.ValueError".into(), "too many values to unpack (expected 3)".into())
    );
    assert_eq!(err(&s19, p, json!(["garbage"])).1, "Domain() invalid item in domain: 'garbage'");
    assert_eq!(err(&s17, p, json!([["name", "="]])).1, "not enough values to unpack (expected 3, got 2)");
    assert_eq!(err(&s19, p, json!([["name", "="]])).1, "Domain() invalid item in domain: ['name', '=']");
    assert_eq!(err(&s17, p, json!([5])).0, "builtins.TypeError");
    assert_eq!(
        err(&s17, p, json!(["&", ["name", "=", "x"]])).1,
        "Domain ['&', ['name', '=', 'x']] is syntactically not correct."
    );
    assert_eq!(err(&s19, p, json!([["name", "any", []]])).0, "builtins.ValueError");
    let q = Query { domain: &json!([]), order: Some("nope desc"), offset: 0, limit: None };
    let e = search::search(&s17, &admin(OdooVersion::V17), p, &q).err().map(|e| e.message);
    assert_eq!(e.as_deref(), Some("Invalid field 'nope' on model 'res.partner'"));
}
