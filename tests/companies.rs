//! A key's Odoo context (companies, language, time zone) end to end against the fake Odoo, whose 19
//! database has two companies as recorded: a key pinned to one company reads only that company's records
//! and creates in it; the `company` argument switches one call within the key's companies and is refused
//! outside them before Odoo; the context goes over JSON-2 and `/jsonrpc`; the admin API checks companies
//! and language against Odoo (a language 16 and 17 would silently ignore is refused when set).

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{text_of, Harness};

fn issue(h: &Harness, c: i64, v: OdooVersion, extra: Value) -> fake_odoo_key::Issued {
    let cfg = fake_odoo::Config::new(v);
    let user = cfg.users.iter().find(|u| u.login == "admin").expect("fake admin");
    let mut body = json!({"connection_id": c, "label": "ctx", "odoo_login": "admin", "odoo_api_key": user.api_key});
    for (k, val) in extra.as_object().cloned().unwrap_or_default() {
        body[k] = val;
    }
    let r = h.admin("POST", "/admin/api/keys", Some(body));
    fake_odoo_key::Issued { status: r.status, body: r.body, raw: r.raw }
}

mod fake_odoo_key {
    pub struct Issued {
        pub status: u16,
        pub body: serde_json::Value,
        pub raw: String,
    }
}

fn key(h: &Harness, c: i64, v: OdooVersion, extra: Value) -> String {
    let r = issue(h, c, v, extra);
    assert_eq!(r.status, 201, "{}", r.raw);
    r.body["key"].as_str().expect("key").to_string()
}

fn connection(h: &Harness, v: OdooVersion) -> i64 {
    let c = h.connection(v, "c", &[]);
    h.allow(c, "crm.lead", json!({"read": true, "create": true}));
    c
}

fn ok(r: &Value) -> &Value {
    assert!(r.get("isError").is_none(), "{r}");
    &r["structuredContent"]
}

/// The company of a lead created with `values`, read back with odoo_get.
fn created_in(s: &mut support::Session<'_>, name: &str) -> Value {
    let created = s.tool("odoo_create", json!({"model": "crm.lead", "values": {"name": name}}));
    let id = ok(&created)["id"].clone();
    let read = s.tool("odoo_get", json!({"model": "crm.lead", "ids": [id], "fields": ["company_id"]}));
    ok(&read)["records"][0]["company_id"][0].clone()
}

fn lead_names(s: &mut support::Session<'_>, extra: Value) -> Vec<String> {
    let mut args =
        json!({"model": "crm.lead", "domain": [["name", "like", "Pinned"]], "fields": ["name", "company_id"]});
    for (k, val) in extra.as_object().cloned().unwrap_or_default() {
        args[k] = val;
    }
    let r = s.tool("odoo_search", args);
    ok(&r)["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_key_pinned_to_a_company_reads_and_creates_only_there() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let c = connection(&h, v);
    let us = key(&h, c, v, json!({"companies": [2]}));
    let home = key(&h, c, v, json!({"companies": [1]}));
    let both = key(&h, c, v, json!({"companies": [1, 2]}));
    let mut s_us = h.session(&us);
    assert_eq!(created_in(&mut s_us, "Pinned US lead"), 2, "created in the key's company");
    let mut s_home = h.session(&home);
    assert_eq!(created_in(&mut s_home, "Pinned home lead"), 1);

    assert_eq!(lead_names(&mut s_us, json!({})), ["Pinned US lead"]);
    assert_eq!(lead_names(&mut s_home, json!({})), ["Pinned home lead"]);
    let mut s_both = h.session(&both);
    let mut all = lead_names(&mut s_both, json!({}));
    all.sort();
    assert_eq!(all, ["Pinned US lead", "Pinned home lead"]);

    // One call in the other company, by id or by name, within the key's companies.
    assert_eq!(lead_names(&mut s_both, json!({"company": 2})), ["Pinned US lead"]);
    assert_eq!(lead_names(&mut s_both, json!({"company": "my us company"})), ["Pinned US lead"]);
    // Outside them: refused before Odoo.
    h.fake(v).clear_calls();
    let r = s_home.tool("odoo_search", json!({"model": "crm.lead", "company": 2}));
    assert_eq!(r["isError"], true);
    assert!(text_of(&r).contains("company 2 is not one this key may use"), "{r}");
    let r = s_home.tool("odoo_search", json!({"model": "crm.lead", "company": "My US Company"}));
    assert!(text_of(&r).contains("no single company is named"), "{r}");
    assert!(h.fake(v).calls().iter().all(|c| c.method != "search_read" || c.model.as_deref() != Some("crm.lead")));
    let r = s_home.tool("odoo_search", json!({"model": "crm.lead", "company": -3}));
    assert!(text_of(&r).contains("'company' must be"), "{r}");
    // The key list says what each key is pinned to.
    let keys = h.admin("GET", "/admin/api/keys", None);
    let listed: Vec<Value> =
        keys.body["keys"].as_array().expect("keys").iter().map(|k| k["companies"].clone()).collect();
    assert_eq!(listed, [json!([2]), json!([1]), json!([1, 2])]);
}

#[test]
fn a_key_without_companies_may_switch_only_where_odoo_lets_its_user() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let c = connection(&h, v);
    let plain = key(&h, c, v, json!({}));
    let mut s = h.session(&plain);
    // The administrator belongs to both companies in the recorded database; 999 is nobody's.
    assert!(lead_names(&mut s, json!({"company": 2})).is_empty());
    let r = s.tool("odoo_search", json!({"model": "crm.lead", "company": 999}));
    assert_eq!(r["isError"], true);
    assert!(text_of(&r).contains("unauthorized or invalid companies"), "Odoo's own refusal: {r}");
}

#[test]
fn the_context_travels_over_both_transports() {
    for v in [OdooVersion::V17, OdooVersion::V19] {
        for jsonrpc in [false, true] {
            let h = Harness::new();
            let c = connection(&h, v);
            if jsonrpc {
                h.db.rows(&format!("UPDATE connections SET transport = 'jsonrpc' WHERE id = {c}"));
            }
            let k = key(&h, c, v, json!({"companies": [1], "lang": "en_US", "tz": "Europe/Brussels"}));
            let mut s = h.session(&k);
            assert_eq!(created_in(&mut s, "Pinned context"), 1, "{v:?} {jsonrpc}");
            if v == OdooVersion::V19 {
                // Only the context can tell the fake which company a call acts in.
                let us = key(&h, c, v, json!({"companies": [2]}));
                let mut s_us = h.session(&us);
                assert_eq!(created_in(&mut s_us, "Pinned elsewhere"), 2, "{jsonrpc}");
                assert_eq!(lead_names(&mut s, json!({})), ["Pinned context"], "{jsonrpc}");
                assert_eq!(lead_names(&mut s_us, json!({})), ["Pinned elsewhere"], "{jsonrpc}");
            }
            // A company the user lacks, as Odoo refuses it on every version.
            let r = s.tool("odoo_search", json!({"model": "crm.lead", "company": 7}));
            assert!(text_of(&r).contains("company 7 is not one this key may use"), "{r}");
        }
    }
}

#[test]
fn the_admin_api_checks_companies_language_and_time_zone_with_odoo() {
    let h = Harness::new();
    for v in [OdooVersion::V17, OdooVersion::V19] {
        let c = h.connection(v, &format!("c{v:?}"), &["crm.lead"]);
        let r = issue(&h, c, v, json!({"companies": [3]}));
        assert_eq!(r.status, 400, "{}", r.raw);
        assert!(r.raw.contains("company 3 is not one of the Odoo user's companies"), "{}", r.raw);
        // 17 would ignore it silently, 19 refuse every call: refused when set, on both.
        let r = issue(&h, c, v, json!({"lang": "fr_FR"}));
        assert_eq!(r.status, 400, "{}", r.raw);
        assert!(r.raw.contains("'fr_FR' is not installed in this Odoo (installed: en_US)"), "{}", r.raw);
        let r = issue(&h, c, v, json!({"tz": "Mars/Olympus Mons"}));
        assert_eq!(r.status, 400, "{}", r.raw);
        let r = issue(&h, c, v, json!({"companies": []}));
        assert_eq!(r.status, 400, "{}", r.raw);
        let r = issue(&h, c, v, json!({"lang": "en_US", "tz": "Europe/Brussels"}));
        assert_eq!(r.status, 201, "{}", r.raw);
        assert_eq!(r.body["lang"], "en_US");
        let id = r.body["id"].as_i64().expect("id");
        let r = h.admin("PUT", &format!("/admin/api/keys/{id}/context"), Some(json!({"companies": [1], "tz": "UTC"})));
        assert_eq!(r.status, 200, "{}", r.raw);
        assert_eq!(
            (r.body["companies"].clone(), r.body["lang"].clone(), r.body["tz"].clone()),
            (json!([1]), json!(null), json!("UTC"))
        );
        let r = h.admin("PUT", &format!("/admin/api/keys/{id}/context"), Some(json!({"companies": [1, 2, 3]})));
        assert_eq!(r.status, 400, "{}", r.raw);
        let r = h.admin("PUT", &format!("/admin/api/keys/{id}/context"), Some(json!({})));
        assert_eq!(r.status, 200, "an empty body returns to the user's own: {}", r.raw);
        assert_eq!(r.body["companies"], json!([]));
        let r = h.admin("PUT", "/admin/api/keys/999/context", Some(json!({})));
        assert_eq!(r.status, 404);
    }
}

#[test]
fn chatter_dates_are_also_given_in_the_keys_time_zone() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let c = connection(&h, v);
    let brussels = key(&h, c, v, json!({"tz": "Europe/Brussels"}));
    let plain = key(&h, c, v, json!({}));
    let mut s = h.session(&brussels);
    let r = s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": 1, "limit": 3}));
    let out = ok(&r).clone();
    assert_eq!(out["time_zone"], "Europe/Brussels");
    let m = &out["messages"][0];
    let (utc, local) = (m["date"].as_str().expect("a date"), m["date_local"].as_str().expect("a local date"));
    // The demo's messages are from November, when Brussels is an hour ahead of UTC.
    assert!(utc.starts_with("2026-11-"), "{utc}");
    let hour = |d: &str| d[11..13].parse::<u32>().unwrap_or(99);
    assert_eq!((hour(utc) + 1) % 24, hour(local), "{utc} -> {local}");
    let mut s = h.session(&plain);
    let r = s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": 1, "limit": 3}));
    assert!(ok(&r).get("time_zone").is_none() && ok(&r)["messages"][0].get("date_local").is_none());
}

#[test]
fn describe_model_says_which_fields_hold_a_value_per_company() {
    let h = Harness::new();
    for v in [OdooVersion::V16, OdooVersion::V19] {
        let c = h.connection(v, &format!("c{v:?}"), &["res.partner"]);
        let k = key(&h, c, v, json!({}));
        let mut s = h.session(&k);
        let r = s.tool("odoo_describe_model", json!({"model": "res.partner"}));
        let fields = ok(&r)["fields"].as_array().expect("fields").clone();
        let field = |n: &str| fields.iter().find(|f| f["name"] == n).cloned().unwrap_or(Value::Null);
        assert_eq!(field("property_account_receivable_id")["company_dependent"], json!(true), "{v:?}");
        assert_eq!(field("barcode")["company_dependent"], json!(true), "{v:?}");
        assert!(field("name").get("company_dependent").is_none(), "{v:?}: only the dependent fields say so");
        assert!(field("property_product_pricelist").get("company_dependent").is_none(), "{v:?}: computed");
    }
}
