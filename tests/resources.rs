//! Resources under `odoo://` in both eras: lists, reads with every query parameter applied for real,
//! not-found codes per era, malformed URIs, and the tools' permissions and field policies.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{Harness, Session};

const ENABLED: [&str; 2] = ["res.partner", "crm.lead"];

fn each_version(test: impl Fn(&Harness, OdooVersion)) {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        test(&Harness::new(), v);
    }
}

/// Reads `uri` in a session; the JSON-RPC response.
fn read(s: &mut Session<'_>, uri: &str) -> Value {
    s.request("resources/read", json!({ "uri": uri }))
}

/// The JSON of a successful read's single content item.
fn body(r: &Value) -> Value {
    assert!(r.get("error").is_none(), "{r}");
    let contents = r["result"]["contents"].as_array().expect("contents");
    assert_eq!(contents.len(), 1);
    assert_eq!(contents[0]["mimeType"], "application/json");
    serde_json::from_str(contents[0]["text"].as_str().expect("text")).expect("JSON text")
}

/// Percent-encodes a query value as RFC 6570 expansion does.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn azure(v: OdooVersion) -> i64 {
    if v == OdooVersion::V19 {
        15
    } else {
        14
    }
}

#[test]
fn lists_show_models_records_and_fields_of_readable_models_and_six_templates() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &ENABLED);
    let mut s = h.session(&h.key(c, OdooVersion::V19, "demo2"));
    let r = s.request("resources/list", json!({}));
    let uris: Vec<&str> =
        r["result"]["resources"].as_array().unwrap().iter().map(|x| x["uri"].as_str().unwrap()).collect();
    assert_eq!(
        uris,
        [
            "odoo://models",
            "odoo://crm.lead",
            "odoo://crm.lead/fields",
            "odoo://res.partner",
            "odoo://res.partner/fields"
        ]
    );
    for item in r["result"]["resources"].as_array().unwrap() {
        assert_eq!(item["mimeType"], "application/json");
        assert!(item["name"].is_string() && item["description"].is_string());
    }
    let r = s.request("resources/templates/list", json!({}));
    let templates: Vec<&str> = r["result"]["resourceTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["uriTemplate"].as_str().unwrap())
        .collect();
    assert_eq!(
        templates,
        [
            "odoo://{model}/{id}{?fields}",
            "odoo://{model}{?domain,fields,order,limit,offset}",
            "odoo://{model}/fields",
            "odoo://{model}/{id}/chatter{?limit,cursor}",
            "odoo://{model}/{id}/attachments",
            "odoo://{model}/{id}/attachments/{attachment_id}"
        ]
    );

    let bare = h.connection(OdooVersion::V19, "bare", &[]);
    let mut s = h.session(&h.key(bare, OdooVersion::V19, "demo2"));
    let r = s.request("resources/list", json!({}));
    assert_eq!(r["result"]["resources"].as_array().unwrap().len(), 1, "only odoo://models without readable models");
}

#[test]
fn a_record_reads_with_the_fields_asked_for() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &ENABLED);
        let mut s = h.session(&h.key(c, v, "admin"));
        let id = azure(v);
        let b = body(&read(&mut s, &format!("odoo://res.partner/{id}?fields=name,email")));
        assert_eq!(b["model"], "res.partner");
        assert_eq!(b["record"], json!({"id": id, "name": "Azure Interior", "email": "vauxoo@yourcompany.example.com"}));
        let b = body(&read(&mut s, &format!("odoo://res.partner/{id}")));
        assert!(b["record"].as_object().unwrap().len() > 3, "a default field set without ?fields");
        let audit = h.db.rows("SELECT event, tool, model, outcome FROM audit WHERE event = 'resource_read'");
        assert_eq!(audit.len(), 2);
        assert_eq!(
            (audit[0]["tool"].as_str(), audit[0]["model"].as_str(), audit[0]["outcome"].as_str()),
            (Some("odoo_get"), Some("res.partner"), Some("ok"))
        );
    });
}

#[test]
fn a_search_applies_domain_fields_order_limit_and_offset_and_links_the_next_page() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &ENABLED);
        let mut s = h.session(&h.key(c, v, "admin"));
        let domain = json!([["is_company", "=", true]]);
        let uri = format!(
            "odoo://res.partner?domain={}&fields=name&order=name%20desc&limit=3&offset=2",
            enc(&domain.to_string())
        );
        h.http.sent.borrow_mut().clear();
        let page = body(&read(&mut s, &uri));
        let sent = h
            .http
            .sent
            .borrow()
            .iter()
            .find(|(u, b)| u.contains("search_read") || b.contains("search_read"))
            .map(|(_, b)| b.clone())
            .expect("one search_read");
        for part in ["\"offset\":2", "\"limit\":4", "\"order\":\"name desc\"", "is_company"] {
            assert!(sent.contains(part), "{part} in {sent}");
        }
        // The same query through the tool gives the same records.
        let tool = s.tool("odoo_search", json!({"model": "res.partner", "domain": domain, "fields": ["name"], "order": "name desc", "limit": 3, "offset": 2}));
        assert_eq!(page["records"], tool["structuredContent"]["records"]);
        let names: Vec<&str> =
            page["records"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(names.len(), 3);
        assert!(names.windows(2).all(|w| w[0] >= w[1]), "ordered by name desc: {names:?}");
        assert!(
            page["records"].as_array().unwrap().iter().all(|r| r.as_object().unwrap().len() == 2),
            "id and name only"
        );
        assert!(page.get("next_cursor").is_none());
        let next = page["next_uri"].as_str().expect("next_uri");
        assert!(next.contains("offset=5") && next.contains("limit=3"), "{next}");
        let following = body(&read(&mut s, next));
        let tool = s.tool("odoo_search", json!({"model": "res.partner", "domain": domain, "fields": ["name"], "order": "name desc", "limit": 3, "offset": 5}));
        assert_eq!(following["records"], tool["structuredContent"]["records"]);
        assert_ne!(following["records"], page["records"]);
        let both =
            s.tool("odoo_search", json!({"model": "res.partner", "offset": 3, "cursor": page["offset"].to_string()}));
        assert_eq!(both["isError"], true, "a cursor and an offset at once: {both}");
    });
}

#[test]
fn fields_chatter_and_models_read() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &ENABLED);
        let mut s = h.session(&h.key(c, v, "admin"));
        let b = body(&read(&mut s, "odoo://crm.lead/fields"));
        assert!(b["fields"].as_array().unwrap().iter().any(|f| f["name"] == "expected_revenue"));
        let b = body(&read(&mut s, "odoo://models"));
        let models: Vec<&str> = b["models"].as_array().unwrap().iter().map(|m| m["model"].as_str().unwrap()).collect();
        assert_eq!(models, ["crm.lead", "res.partner"]);
        let lead = s.tool("odoo_search", json!({"model": "crm.lead", "limit": 1}))["structuredContent"]["records"][0]
            ["id"]
            .as_i64()
            .unwrap();
        let b = body(&read(&mut s, &format!("odoo://crm.lead/{lead}/chatter?limit=2")));
        assert_eq!(b["id"], lead);
        assert!(b["messages"].as_array().unwrap().len() <= 2);
    });
}

#[test]
fn missing_records_are_not_found_with_the_era_code() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &ENABLED);
    let key = h.key(c, OdooVersion::V19, "admin");
    let mut s = h.session(&key);
    for uri in [
        "odoo://res.partner/999999",
        "odoo://res.partner/999999/chatter",
        "odoo://res.partner/7/messages",
        "https://example.com/x",
    ] {
        let r = read(&mut s, uri);
        assert_eq!(r["error"]["code"], -32002, "{uri}: {r}");
        assert_eq!(r["error"]["data"]["uri"], uri);
        assert!(r.get("result").is_none(), "never empty contents");
    }
    let r = h.stateless(&key, json!(1), "resources/read", json!({"uri": "odoo://res.partner/999999"}), &[]);
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["error"]["code"], -32602);
    assert_eq!(r.body["error"]["data"]["uri"], "odoo://res.partner/999999");
}

#[test]
fn malformed_uris_and_parameters_are_invalid_params_naming_the_problem() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &ENABLED);
    let mut s = h.session(&h.key(c, OdooVersion::V19, "admin"));
    h.fake(OdooVersion::V19).clear_calls();
    let cases = [
        ("odoo://res.partner?limit=0", "'limit'"),
        ("odoo://res.partner?limit=500", "'limit'"),
        ("odoo://res.partner?colour=red", "unknown query parameter 'colour'"),
        ("odoo://res.partner?domain=%5Bnope", "'domain'"),
        ("odoo://res.partner?domain=%5B%5B%22nope%22%2C%22%3D%22%2C1%5D%5D", "nope"),
        ("odoo://res.partner?order=nope%20asc", "nope"),
        ("odoo://res.partner?fields=Name", "'fields'"),
        ("odoo://res.partner/1?fields=name&fields=email", "twice"),
        ("odoo://res.partner/1/chatter?limit=101", "'limit'"),
        ("odoo://Bad Model/1", "not a model name"),
    ];
    for (uri, needle) in cases {
        let r = read(&mut s, uri);
        assert_eq!(r["error"]["code"], -32602, "{uri}: {r}");
        assert!(r["error"]["message"].as_str().unwrap().contains(needle), "{uri}: {r}");
        assert_eq!(r["error"]["data"]["uri"], uri);
    }
    let r = s.request("resources/read", json!({"uri": 7}));
    assert_eq!(r["error"]["code"], -32602);
    let sent: Vec<String> =
        h.fake(OdooVersion::V19).calls().into_iter().map(|c| c.method).filter(|m| m != "fields_get").collect();
    assert!(sent.is_empty(), "nothing malformed reaches Odoo: {sent:?}");
}

#[test]
fn resources_keep_the_tools_permissions_and_field_policies() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &ENABLED);
        let r = h.admin(
            "PUT",
            &format!("/admin/api/connections/{c}/models/res.partner"),
            Some(json!({"read": true, "fields": {"mode": "deny", "fields": ["email"]}})),
        );
        assert_eq!(r.status, 200);
        let mut s = h.session(&h.key(c, v, "admin"));
        let r = read(&mut s, "odoo://sale.order");
        assert_eq!(r["error"]["code"], -32602);
        assert!(r["error"]["message"].as_str().unwrap().contains("not enabled"), "{r}");
        let r = read(&mut s, "odoo://res.users/2");
        assert!(r["error"]["message"].as_str().unwrap().contains("sensitive"), "{r}");
        let id = azure(v);
        let b = body(&read(&mut s, &format!("odoo://res.partner/{id}?fields=name,email")));
        assert_eq!(b["record"], json!({"id": id, "name": "Azure Interior"}), "the hidden field is not read");
        assert_eq!(b["dropped_fields"][0]["field"], "email");
        let r = read(&mut s, "odoo://res.partner?domain=%5B%5B%22email%22%2C%22ilike%22%2C%22example%22%5D%5D");
        assert_eq!(r["error"]["code"], -32602);
        assert!(r["error"]["message"].as_str().unwrap().contains("field policy"), "{r}");
        let b = body(&read(&mut s, "odoo://res.partner/fields"));
        assert!(!b["fields"].as_array().unwrap().iter().any(|f| f["name"] == "email"));
        let denied = h.db.rows("SELECT tool, model FROM audit WHERE event = 'permission_denied' ORDER BY id");
        let denied: Vec<(&str, &str)> =
            denied.iter().map(|r| (r["tool"].as_str().unwrap(), r["model"].as_str().unwrap())).collect();
        assert_eq!(denied, [("odoo_search", "sale.order"), ("odoo_get", "res.users"), ("odoo_search", "res.partner")]);
    });
}

#[test]
fn stateless_reads_carry_cache_hints() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &ENABLED);
    let key = h.key(c, OdooVersion::V19, "admin");
    let r = h.stateless(&key, json!(1), "resources/read", json!({"uri": "odoo://res.partner/15?fields=name"}), &[]);
    assert_eq!(r.status, 200, "{}", r.raw);
    let result = &r.body["result"];
    assert_eq!(
        (result["resultType"].as_str(), result["ttlMs"].as_i64(), result["cacheScope"].as_str()),
        (Some("complete"), Some(0), Some("private"))
    );
    let r = h.stateless(&key, json!(2), "resources/read", json!({"uri": "odoo://res.partner/fields"}), &[]);
    assert_eq!(
        (r.body["result"]["ttlMs"].as_i64(), r.body["result"]["cacheScope"].as_str()),
        (Some(60_000), Some("private"))
    );
    let r = h.stateless(&key, json!(3), "resources/templates/list", json!({}), &[]);
    assert_eq!(r.body["result"]["resourceTemplates"].as_array().unwrap().len(), 6);
    assert!(r.body["result"]["ttlMs"].is_u64());
    let mut s = h.session(&key);
    let r = read(&mut s, "odoo://res.partner/fields");
    assert!(
        r["result"].get("ttlMs").is_none() && r["result"].get("resultType").is_none(),
        "no modern fields in the session era"
    );
}

#[test]
fn a_chatter_pages_through_next_uri() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &ENABLED);
        let mut s = h.session(&h.key(c, v, "admin"));
        let lead = 1;
        let all = s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": lead, "limit": 100}))
            ["structuredContent"]["messages"]
            .clone();
        let total = all.as_array().unwrap().len();
        assert!(total >= 2, "crm.lead 1 has a thread: {all}");
        let mut uri = format!("odoo://crm.lead/{lead}/chatter?limit=1");
        let mut seen = Vec::new();
        loop {
            let page = body(&read(&mut s, &uri));
            seen.extend(page["messages"].as_array().unwrap().iter().cloned());
            assert!(page.get("next_cursor").is_none());
            match page["next_uri"].as_str() {
                Some(next) => uri = next.to_string(),
                None => break,
            }
            assert!(seen.len() <= total, "paging ends");
        }
        assert_eq!(Value::Array(seen), all, "every message once, newest first");
        let r = read(&mut s, &format!("odoo://crm.lead/{lead}/chatter?cursor=forged"));
        assert_eq!(r["error"]["code"], -32602, "{r}");
    });
}
