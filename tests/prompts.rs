//! Prompts and argument completion: which prompts a key sees, arguments checked against permissions and
//! live Odoo data, and completion of prompt arguments and resource-template variables in both eras.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{Harness, Session};

fn names(r: &Value) -> Vec<String> {
    r["result"]["prompts"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
}

fn get(s: &mut Session<'_>, name: &str, args: Value) -> Value {
    s.request("prompts/get", json!({"name": name, "arguments": args}))
}

fn prompt_text(r: &Value) -> String {
    assert!(r.get("error").is_none(), "{r}");
    assert_eq!(r["result"]["messages"][0]["role"], "user");
    r["result"]["messages"][0]["content"]["text"].as_str().unwrap().to_string()
}

fn error_message(r: &Value) -> String {
    assert_eq!(r["error"]["code"], -32602, "{r}");
    r["error"]["message"].as_str().unwrap().to_string()
}

fn complete(s: &mut Session<'_>, reference: Value, arg: &str, value: &str, context: Value) -> Value {
    let r = s.request(
        "completion/complete",
        json!({"ref": reference, "argument": {"name": arg, "value": value}, "context": {"arguments": context}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    r["result"]["completion"].clone()
}

fn values(c: &Value) -> Vec<String> {
    c["values"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

#[test]
fn a_key_sees_only_the_prompts_its_models_allow() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner", "crm.lead"]);
    let mut s = h.session(&h.key(c, OdooVersion::V19, "admin"));
    let r = s.request("prompts/list", json!({}));
    assert_eq!(
        names(&r),
        ["find_records", "summarize_record", "customer_overview", "pipeline_review", "draft_follow_up"]
    );
    for p in r["result"]["prompts"].as_array().unwrap() {
        assert!(p["description"].as_str().unwrap().len() > 20);
        for a in p["arguments"].as_array().unwrap() {
            assert!(a["description"].is_string() && a["required"].is_boolean(), "{p}");
        }
    }
    let r = get(&mut s, "sales_by_period", json!({}));
    assert!(
        error_message(&r).contains("unknown prompt"),
        "a prompt whose model is not enabled does not exist for the key"
    );

    h.admin("PUT", &format!("/admin/api/connections/{c}/models/sale.order"), Some(json!({"read": true})));
    let mut s = h.session(&h.key(c, OdooVersion::V19, "admin"));
    assert_eq!(names(&s.request("prompts/list", json!({}))).len(), 6);

    let bare = h.connection(OdooVersion::V19, "bare", &[]);
    let mut s = h.session(&h.key(bare, OdooVersion::V19, "admin"));
    assert!(names(&s.request("prompts/list", json!({}))).is_empty());
}

#[test]
fn record_arguments_resolve_by_name_or_id_in_both_versions() {
    for (v, azure) in [(OdooVersion::V19, 15), (OdooVersion::V17, 14)] {
        let h = Harness::new();
        let c = h.connection(v, "c", &["res.partner", "crm.lead", "sale.order"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        let text = prompt_text(&get(&mut s, "customer_overview", json!({"customer": "azure interior"})));
        assert!(text.contains(&format!("res.partner {azure} (\"Azure Interior\")")), "{text}");
        assert!(text.contains(&format!("[[\"partner_id\", \"child_of\", {azure}]]")), "{text}");
        assert!(
            text.contains("sale.order") && text.contains("crm.lead") && !text.contains("account.move"),
            "steps only for readable models: {text}"
        );
        let by_id =
            prompt_text(&get(&mut s, "summarize_record", json!({"model": "res.partner", "record": azure.to_string()})));
        assert!(by_id.contains(&format!("res.partner {azure} (\"Azure Interior\")")), "{by_id}");
        assert!(by_id.contains(&format!("ids [{azure}]")));
        // Several matches are put to the user rather than guessed.
        let text = prompt_text(&get(&mut s, "summarize_record", json!({"model": "res.partner", "record": "Azure"})));
        assert!(
            text.contains("several match \"Azure\"") && text.contains(&format!("{azure} \"Azure Interior\"")),
            "{text}"
        );
        let r = get(&mut s, "summarize_record", json!({"model": "res.partner", "record": "No Such Company Anywhere"}));
        assert!(error_message(&r).contains("no res.partner record matches"));
        let r = get(&mut s, "summarize_record", json!({"model": "res.partner", "record": "999999"}));
        assert!(error_message(&r).contains("id 999999"));
        let audit = h.db.rows("SELECT tool, outcome FROM audit WHERE event = 'prompt_get' ORDER BY id");
        assert_eq!(audit.len(), 5);
        assert_eq!(audit[0]["tool"], "customer_overview");
    }
}

#[test]
fn arguments_are_checked_before_a_prompt_is_given() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner", "sale.order"]);
    let mut s = h.session(&h.key(c, OdooVersion::V19, "admin"));
    let cases = [
        ("nope", json!({}), "unknown prompt 'nope'"),
        ("find_records", json!({"model": "res.partner"}), "missing required argument 'request'"),
        ("find_records", json!({"model": "res.partner", "request": "x", "colour": "red"}), "no argument 'colour'"),
        ("find_records", json!({"model": "crm.lead", "request": "x"}), "not enabled"),
        ("find_records", json!({"model": "res.users", "request": "x"}), "sensitive"),
        ("find_records", json!({"model": "Not A Model", "request": "x"}), "not a model name"),
        ("sales_by_period", json!({"period": "decade"}), "'period' must be one of day, week, month, quarter, year"),
        ("sales_by_period", json!({"from": "2026-02-30"}), "'from' must be a date"),
        ("sales_by_period", json!({"status": "shipped"}), "draft (Quotation)"),
    ];
    for (name, args, needle) in cases {
        let r = get(&mut s, name, args.clone());
        assert!(error_message(&r).contains(needle), "{name} {args}: {r}");
    }
    let r = s.request("prompts/get", json!({"name": "find_records", "arguments": {"model": 1, "request": "x"}}));
    assert!(error_message(&r).contains("must be a string"));

    let text = prompt_text(&get(
        &mut s,
        "sales_by_period",
        json!({"period": "Quarter", "status": "sales order", "from": "2026-01-01", "to": "2026-06-30"}),
    ));
    assert!(
        text.contains("\"date_order:quarter\"") && text.contains("[\"state\", \"=\", \"sale\"]"),
        "a label resolves to its value: {text}"
    );
    assert!(
        text.contains("[\"date_order\", \">=\", \"2026-01-01 00:00:00\"]") && text.contains("2026-06-30 23:59:59"),
        "{text}"
    );
    let text =
        prompt_text(&get(&mut s, "find_records", json!({"model": "res.partner", "request": "companies in Tracy"})));
    assert!(text.contains("\"companies in Tracy\"") && text.contains("odoo_search"));
}

#[test]
fn a_follow_up_is_posted_only_where_the_key_may_post() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner"]);
    let mut s = h.session(&h.key(c, OdooVersion::V19, "admin"));
    let text = prompt_text(&get(
        &mut s,
        "draft_follow_up",
        json!({"model": "res.partner", "record": "Azure Interior", "topic": "the late delivery"}),
    ));
    assert!(
        text.contains("about: the late delivery")
            && text.contains("may not post on res.partner")
            && !text.contains("odoo_chatter_post"),
        "{text}"
    );
    h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/res.partner"),
        Some(json!({"read": true, "update": true})),
    );
    let mut s = h.session(&h.key(c, OdooVersion::V19, "admin"));
    let text =
        prompt_text(&get(&mut s, "draft_follow_up", json!({"model": "res.partner", "record": "Azure Interior"})));
    assert!(text.contains("odoo_chatter_post (model \"res.partner\", id 15, kind \"note\")"), "{text}");
}

#[test]
fn prompt_arguments_complete_from_permissions_and_live_odoo() {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = Harness::new();
        let c = h.connection(v, "c", &["res.partner", "crm.lead", "sale.order", "crm.team"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        let prompt = |name: &str| json!({"type": "ref/prompt", "name": name});
        let c1 = complete(&mut s, prompt("find_records"), "model", "crm", json!({}));
        assert_eq!(values(&c1), ["crm.lead", "crm.team"]);
        assert_eq!((c1["total"].as_u64(), c1["hasMore"].as_bool()), (Some(2), Some(false)));
        assert_eq!(values(&complete(&mut s, prompt("find_records"), "model", "", json!({}))).len(), 4);
        let records =
            values(&complete(&mut s, prompt("summarize_record"), "record", "azure", json!({"model": "res.partner"})));
        assert!(
            records.contains(&"Azure Interior".to_string()) && records.iter().all(|r| r.contains("Azure")),
            "{records:?}"
        );
        assert!(values(&complete(&mut s, prompt("customer_overview"), "customer", "Lumber", json!({})))
            .contains(&"Lumber Inc".to_string()));
        let teams = values(&complete(&mut s, prompt("pipeline_review"), "team", "", json!({})));
        assert!(!teams.is_empty(), "crm.team names");
        assert_eq!(
            values(&complete(&mut s, prompt("sales_by_period"), "status", "quot", json!({}))),
            ["draft", "sent"],
            "by label too"
        );
        assert_eq!(values(&complete(&mut s, prompt("sales_by_period"), "period", "q", json!({}))), ["quarter"]);
        let none = complete(&mut s, prompt("find_records"), "request", "anything", json!({}));
        assert_eq!((values(&none).len(), none["hasMore"].as_bool()), (0, Some(false)));
        // Without the model it depends on, or with one the key may not read: nothing, and nothing asked of Odoo.
        h.fake(v).clear_calls();
        assert!(values(&complete(&mut s, prompt("summarize_record"), "record", "a", json!({}))).is_empty());
        assert!(values(&complete(&mut s, prompt("summarize_record"), "record", "a", json!({"model": "res.users"})))
            .is_empty());
        assert!(values(&complete(&mut s, prompt("summarize_record"), "record", "a", json!({"model": "account.move"})))
            .is_empty());
        assert!(h.fake(v).calls().is_empty(), "{:?}", h.fake(v).calls());
    }
}

#[test]
fn template_variables_complete_models_ids_fields_and_orders() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner", "crm.lead"]);
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/res.partner"),
        Some(json!({"read": true, "fields": {"mode": "deny", "fields": ["email"]}})),
    );
    assert_eq!(r.status, 200);
    let key = h.key(c, OdooVersion::V19, "admin");
    let mut s = h.session(&key);
    let template = |t: &str| json!({"type": "ref/resource", "uri": t});
    assert_eq!(
        values(&complete(&mut s, template("odoo://{model}/{id}{?fields}"), "model", "part", json!({}))),
        ["res.partner"]
    );
    let ids = values(&complete(
        &mut s,
        template("odoo://{model}/{id}{?fields}"),
        "id",
        "Azure Interior",
        json!({"model": "res.partner"}),
    ));
    assert_eq!(ids.first().map(String::as_str), Some("15"));
    let fields = values(&complete(
        &mut s,
        template("odoo://{model}/{id}{?fields}"),
        "fields",
        "name,em",
        json!({"model": "res.partner"}),
    ));
    assert!(!fields.is_empty() && fields.iter().all(|f| f.starts_with("name,")), "{fields:?}");
    assert!(!fields.contains(&"name,email".to_string()), "a field hidden by the policy is never suggested");
    assert!(!fields.contains(&"name,name".to_string()), "names already in the list are not suggested again");
    let all = complete(
        &mut s,
        template("odoo://{model}{?domain,fields,order,limit,offset}"),
        "fields",
        "",
        json!({"model": "res.partner"}),
    );
    assert_eq!(values(&all).len(), 100, "at most 100 values");
    assert!(all["total"].as_u64().unwrap() > 100 && all["hasMore"] == true, "{all}");
    let orders = values(&complete(
        &mut s,
        template("odoo://{model}{?domain,fields,order,limit,offset}"),
        "order",
        "expected",
        json!({"model": "crm.lead"}),
    ));
    assert_eq!(orders, ["expected_revenue"]);
    assert!(values(&complete(
        &mut s,
        template("odoo://{model}{?domain,fields,order,limit,offset}"),
        "limit",
        "1",
        json!({})
    ))
    .is_empty());

    for (params, needle) in [
        (
            json!({"ref": {"type": "ref/resource", "uri": "odoo://{x}"}, "argument": {"name": "x", "value": ""}}),
            "no resource template",
        ),
        (
            json!({"ref": {"type": "ref/resource", "uri": "odoo://{model}/fields"}, "argument": {"name": "id", "value": ""}}),
            "has no variable 'id'",
        ),
        (
            json!({"ref": {"type": "ref/prompt", "name": "nope"}, "argument": {"name": "x", "value": ""}}),
            "unknown prompt",
        ),
        (
            json!({"ref": {"type": "ref/prompt", "name": "find_records"}, "argument": {"name": "x", "value": ""}}),
            "has no argument 'x'",
        ),
        (json!({"ref": {"type": "ref/other"}, "argument": {"name": "x", "value": ""}}), "ref.type"),
        (
            json!({"ref": {"type": "ref/prompt", "name": "find_records"}, "argument": {"name": "model"}}),
            "argument.value",
        ),
        (
            json!({"ref": {"type": "ref/prompt", "name": "find_records"}, "argument": {"name": "model", "value": "x".repeat(2001)}}),
            "longer than 2000",
        ),
        (
            json!({"ref": {"type": "ref/prompt", "name": "find_records"}, "argument": {"name": "model", "value": ""}, "context": {"arguments": {"model": 1}}}),
            "context.arguments",
        ),
    ] {
        let r = s.request("completion/complete", params);
        assert!(error_message(&r).contains(needle), "{needle}: {r}");
    }

    // The modern era: same answer, with resultType and no cache hints (completion is not cacheable).
    let r = h.stateless(
        &key,
        json!(1),
        "completion/complete",
        json!({"ref": template("odoo://{model}/fields"), "argument": {"name": "model", "value": "crm"}}),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["result"]["completion"]["values"], json!(["crm.lead"]));
    assert_eq!(r.body["result"]["resultType"], "complete");
    assert!(r.body["result"].get("ttlMs").is_none());
    let r = h.stateless(&key, json!(2), "server/discover", json!({}), &[]);
    assert_eq!(r.body["result"]["capabilities"]["completions"], json!({}));
}
