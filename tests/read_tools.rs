//! The read tools against the fake Odoo in 17 and 19 modes, as the restricted user (demo2) and as admin.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{text_of, Harness};

const ENABLED: [&str; 3] = ["res.partner", "crm.lead", "res.users"];

fn each_version(test: impl Fn(&Harness, OdooVersion)) {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = Harness::new();
        test(&h, v);
    }
}

#[test]
fn tools_list_has_schemas_and_annotations() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &ENABLED);
    // Every tool is listed once some model allows its operation (tests/tool_lists.rs: fewer, fewer tools).
    h.allow(
        c,
        "crm.lead",
        json!({"read": true, "create": true, "update": true, "delete": true, "actions": ["action_set_lost"]}),
    );
    let mut s = h.session(&h.key(c, OdooVersion::V19, "demo2"));
    let r = s.request("tools/list", json!({}));
    let tools = r["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "odoo_list_models",
            "odoo_describe_model",
            "odoo_search",
            "odoo_get",
            "odoo_aggregate",
            "odoo_chatter_read",
            "odoo_create",
            "odoo_update",
            "odoo_delete",
            "odoo_chatter_post",
            "odoo_attach",
            "odoo_action",
            "odoo_batch"
        ]
    );
    for t in tools {
        assert!(t["description"].as_str().unwrap().len() > 40);
        assert_eq!(t["inputSchema"]["type"], "object");
        assert_eq!(t["inputSchema"]["additionalProperties"], false);
        assert_eq!(t["outputSchema"]["type"], "object");
        let name = t["name"].as_str().unwrap();
        let writes = [
            "odoo_create",
            "odoo_update",
            "odoo_delete",
            "odoo_chatter_post",
            "odoo_attach",
            "odoo_action",
            "odoo_batch",
        ]
        .contains(&name);
        assert_eq!(t["annotations"]["readOnlyHint"], !writes, "{name}");
        // Clients ask before running what may destroy data: overwriting and deleting do; a post or a create does not.
        assert_eq!(
            t["annotations"]["destructiveHint"].as_bool().unwrap_or(false),
            ["odoo_update", "odoo_delete", "odoo_action", "odoo_batch"].contains(&name),
            "{name}"
        );
        let schema = t["inputSchema"].to_string();
        for banned in ["anyOf", "oneOf", "$ref", "allOf"] {
            assert!(!schema.contains(banned), "plain schemas only: {}", t["name"]);
        }
    }
    let r = s.request("tools/list", json!({"cursor": "bogus"}));
    assert_eq!(r["error"]["code"], -32602);
}

#[test]
fn list_models_shows_only_usable_models() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &ENABLED);
        let mut s = h.session(&h.key(c, v, "demo2"));
        let r = s.tool("odoo_list_models", json!({}));
        assert!(r.get("isError").is_none(), "{r}");
        let models = r["structuredContent"]["models"].as_array().unwrap();
        let names: Vec<&str> = models.iter().map(|m| m["model"].as_str().unwrap()).collect();
        assert_eq!(names, ["crm.lead", "res.partner"], "res.users is sensitive and stays hidden");
        assert_eq!(models[1]["name"], "Contact");
        assert_eq!(models[1]["operations"], json!(["read"]));
        assert_eq!(
            serde_json::from_str::<Value>(&text_of(&r)).unwrap(),
            r["structuredContent"],
            "text mirrors structuredContent"
        );
    });
}

#[test]
fn describe_model_is_the_users_view() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &ENABLED);
        let mut admin = h.session(&h.key(c, v, "admin"));
        let mut demo = h.session(&h.key(c, v, "demo2"));
        let a = admin.tool("odoo_describe_model", json!({"model": "res.partner"}));
        let d = demo.tool("odoo_describe_model", json!({"model": "res.partner"}));
        let count = |r: &Value| r["structuredContent"]["fields"].as_array().unwrap().len();
        assert!(count(&a) > count(&d), "demo2 sees fewer fields than admin");
        let fields = d["structuredContent"]["fields"].as_array().unwrap();
        let country = fields.iter().find(|f| f["name"] == "country_id").unwrap();
        assert_eq!((country["type"].as_str(), country["relation"].as_str()), (Some("many2one"), Some("res.country")));
        assert!(fields.iter().all(|f| f.get("help").is_none()));
        assert!(d["structuredContent"]["default_fields"].as_array().unwrap().contains(&json!("display_name")));
    });
}

#[test]
fn search_filters_orders_and_pages_with_cursors() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &ENABLED);
        let mut s = h.session(&h.key(c, v, "admin"));
        let args = json!({"model": "res.partner", "domain": [["is_company", "=", true]], "fields": ["name", "is_company"], "order": "name asc", "limit": 3});
        let p1 = s.tool("odoo_search", args.clone());
        let sc = &p1["structuredContent"];
        assert_eq!(sc["count"], 3, "{p1}");
        assert!(sc["records"].as_array().unwrap().iter().all(|r| r["is_company"] == true));
        let names: Vec<&str> = sc["records"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        let cursor = sc["next_cursor"].as_str().expect("more companies than 3").to_string();

        let mut next = args.clone();
        next["cursor"] = json!(cursor);
        let p2 = s.tool("odoo_search", next);
        assert_eq!(p2["structuredContent"]["offset"], 3);
        let first_of_p2 = p2["structuredContent"]["records"][0]["name"].as_str().unwrap();
        assert!(!names.contains(&first_of_p2));

        // A cursor is bound to its query.
        let mut other = args.clone();
        other["domain"] = json!([]);
        other["cursor"] = json!(cursor);
        let r = s.tool("odoo_search", other);
        assert_eq!(r["isError"], true);
        assert!(text_of(&r).contains("cursor"));
        let mut forged = args.clone();
        forged["cursor"] = json!(cursor.replacen('3', "9", 1));
        assert_eq!(s.tool("odoo_search", forged)["isError"], true);

        // Fetching all pages walks every company exactly once.
        let total = s.tool(
            "odoo_search",
            json!({"model": "res.partner", "domain": [["is_company", "=", true]], "fields": ["name"], "limit": 200}),
        );
        let all = total["structuredContent"]["count"].as_u64().unwrap();
        assert!(total["structuredContent"].get("next_cursor").is_none());
        let mut seen = 0;
        let mut cur: Option<String> = None;
        loop {
            let mut a =
                json!({"model": "res.partner", "domain": [["is_company", "=", true]], "fields": ["name"], "limit": 4});
            if let Some(c) = &cur {
                a["cursor"] = json!(c);
            }
            let r = s.tool("odoo_search", a);
            seen += r["structuredContent"]["count"].as_u64().unwrap();
            match r["structuredContent"]["next_cursor"].as_str() {
                Some(c) => cur = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(seen, all);
    });
}

#[test]
fn search_rejects_invalid_input_as_tool_errors() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &ENABLED);
    let mut s = h.session(&h.key(c, OdooVersion::V19, "demo2"));
    for (args, needle) in [
        (json!({"model": "res.partner", "domain": [["no_such_field", "=", 1]]}), "does not exist"),
        (json!({"model": "res.partner", "domain": [["name", "~~", "x"]]}), "unknown operator"),
        (json!({"model": "res.partner", "domain": ["garbage"]}), "neither"),
        (json!({"model": "res.partner", "domain": "name = x"}), "must be a list"),
        (json!({"model": "res.partner", "order": "name; drop"}), "order"),
        (json!({"model": "res.partner", "limit": 5000}), "limit"),
        (json!({"model": "res.partner", "limt": 5}), "unknown argument"),
        (json!({"model": "Res Partner"}), "not a model name"),
        (json!({}), "'model' is required"),
    ] {
        let r = s.tool("odoo_search", args.clone());
        assert_eq!(r["isError"], true, "{args}");
        assert!(text_of(&r).contains(needle), "{args}: {}", text_of(&r));
    }
    // A tool without arguments says so, rather than "expected" and nothing.
    let r = s.tool("odoo_list_models", json!({"model": "res.partner"}));
    assert_eq!(
        (r["isError"].as_bool(), text_of(&r).as_str()),
        (Some(true), "Invalid arguments: unknown argument 'model'; this tool takes no arguments")
    );
    let before = h.odoo19.request_count();
    s.tool("odoo_search", json!({"model": "res.partner", "domain": [["name", "~~", "x"]]}));
    assert_eq!(h.odoo19.request_count(), before, "an invalid domain never reaches Odoo");
}

#[test]
fn get_reports_missing_ids_and_drops_unreadable_fields() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &ENABLED);
        let mut s = h.session(&h.key(c, v, "demo2"));
        let found = s.tool("odoo_search", json!({"model": "res.partner", "fields": ["name"], "limit": 2}));
        let ids: Vec<i64> = found["structuredContent"]["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": [ids[0], ids[1], 987654321], "fields": ["name", "signup_type", "credit"]}));
        assert!(r.get("isError").is_none(), "{r}");
        let sc = &r["structuredContent"];
        assert_eq!(sc["records"].as_array().unwrap().len(), 2);
        assert!(sc["records"][0]["name"].is_string());
        assert_eq!(sc["missing_ids"], json!([987654321]));
        let dropped: Vec<&str> =
            sc["dropped_fields"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert!(dropped.contains(&"signup_type") && dropped.contains(&"credit"), "{dropped:?}");

        // The admin reads the same fields fine.
        let mut admin = h.session(&h.key(c, v, "admin"));
        let r = admin.tool("odoo_get", json!({"model": "res.partner", "ids": [ids[0]], "fields": ["name", "credit"]}));
        assert_eq!(r["structuredContent"]["dropped_fields"], json!([]));
        assert!(r["structuredContent"]["records"][0].get("credit").is_some());

        let bad = s.tool("odoo_get", json!({"model": "res.partner", "ids": []}));
        assert_eq!(bad["isError"], true);
        let bad = s.tool("odoo_get", json!({"model": "res.partner", "ids": ["1"]}));
        assert_eq!(bad["isError"], true);
    });
}

#[test]
fn refused_models_say_what_to_ask_for() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &ENABLED);
    let mut s = h.session(&h.key(c, OdooVersion::V19, "admin"));
    let before = h.odoo19.request_count();
    let r = s.tool("odoo_search", json!({"model": "sale.order"}));
    assert_eq!(r["isError"], true);
    assert!(text_of(&r).contains("not enabled") && text_of(&r).contains("administrator"), "{}", text_of(&r));
    let r = s.tool("odoo_get", json!({"model": "res.users", "ids": [2]}));
    assert_eq!(r["isError"], true);
    assert!(text_of(&r).contains("sensitive"), "{}", text_of(&r));
    let r = s.tool("odoo_describe_model", json!({"model": "ir.config_parameter"}));
    assert_eq!(r["isError"], true);
    assert_eq!(h.odoo19.request_count(), before, "refusals never reach Odoo");
    let denials = h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'permission_denied'");
    assert_eq!(denials[0]["n"], json!(3));

    let r = s.request("tools/call", json!({"name": "odoo_nope", "arguments": {}}));
    assert_eq!(r["error"]["code"], -32602);
    let r = s.request("tools/call", json!({"name": "odoo_search", "arguments": [1]}));
    assert_eq!(r["error"]["code"], -32602);
}

#[test]
fn odoo_errors_are_readable_and_odoo_down_recovers() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &ENABLED);
    let key = h.key(c, OdooVersion::V19, "demo2");
    // Point the connection at a closed port, as if Odoo went down.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    h.db.rows(&format!("UPDATE connections SET url = 'http://127.0.0.1:{closed}'"));
    let mut s = h.session(&key);
    let r = s.tool("odoo_search", json!({"model": "crm.lead"}));
    assert_eq!(r["isError"], true);
    let t = text_of(&r);
    assert!(t.contains("unavailable") && !t.contains("Traceback") && !t.contains("panick"), "{t}");
    h.db.rows(&format!("UPDATE connections SET url = '{}'", h.odoo19.url()));
    let r = s.tool("odoo_search", json!({"model": "crm.lead", "limit": 2}));
    assert!(r.get("isError").is_none(), "the next call works: {r}");
}

#[test]
fn a_warm_schema_cache_makes_search_one_odoo_call() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &ENABLED);
    let mut s = h.session(&h.key(c, OdooVersion::V19, "demo2"));
    s.tool("odoo_search", json!({"model": "crm.lead", "limit": 1}));
    let before = h.odoo19.request_count();
    s.tool("odoo_search", json!({"model": "crm.lead", "limit": 1, "domain": [["name", "ilike", "a"]]}));
    assert_eq!(h.odoo19.request_count() - before, 1);
}

#[test]
fn uid_is_cached_for_jsonrpc() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V17, "c", &ENABLED);
    let mut s = h.session(&h.key(c, OdooVersion::V17, "demo2"));
    s.tool("odoo_search", json!({"model": "crm.lead", "limit": 1}));
    let before = h.odoo17.request_count();
    s.tool("odoo_search", json!({"model": "crm.lead", "limit": 1}));
    assert_eq!(h.odoo17.request_count() - before, 1, "no authenticate call once the uid is known");
    assert_eq!(h.db.rows("SELECT odoo_uid FROM keys")[0]["odoo_uid"], json!(8));
}

#[test]
fn condition_values_are_checked_against_the_field_types_before_odoo_is_asked() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &ENABLED);
        let mut s = h.session(&h.key(c, v, "admin"));
        s.tool("odoo_search", json!({"model": "crm.lead", "limit": 1}));
        h.fake(v).clear_calls();
        for (tool, args, needle) in [
            (
                "odoo_search",
                json!({"model": "res.partner", "domain": [["id", "=", "abc"]]}),
                "condition 0: invalid value for field 'id' (integer): \"abc\" is not a whole number",
            ),
            (
                "odoo_search",
                json!({"model": "res.partner", "domain": ["|", ["is_company", "=", "yes"], ["id", "in", [1, 2]]]}),
                "condition 1: invalid value for field 'is_company' (boolean)",
            ),
            (
                "odoo_search",
                json!({"model": "crm.lead", "domain": [["date_deadline", "<", "2026-02-30"]]}),
                "invalid value for field 'date_deadline' (date): \"2026-02-30\" is not a date",
            ),
            (
                "odoo_search",
                json!({"model": "crm.lead", "domain": [["partner_id.is_company", "=", 1]]}),
                "the domain uses 'partner_id.is_company': invalid value for field 'partner_id.is_company' (boolean)",
            ),
            (
                "odoo_aggregate",
                json!({"model": "crm.lead", "group_by": ["stage_id"], "domain": [["probability", ">", "high"]]}),
                "invalid value for field 'probability' (float): \"high\" is not a number",
            ),
        ] {
            let r = s.tool(tool, args.clone());
            assert_eq!(r["isError"], true, "{v:?} {args}");
            assert!(text_of(&r).contains(needle), "{v:?} {args}: {}", text_of(&r));
        }
        let methods: Vec<String> = h.fake(v).calls().into_iter().map(|c| c.method).collect();
        assert!(methods.iter().all(|m| m == "fields_get"), "{v:?}: nothing else reached Odoo: {methods:?}");
        let invalid = h.db.rows("SELECT count(*) AS n FROM audit WHERE outcome = 'invalid'");
        assert_eq!(invalid[0]["n"], 5, "{v:?}");
        // Values of the field's type, and Odoo's relative dates on 19, go through.
        let mut ok =
            vec![json!([["id", "=", "15"], ["is_company", "=", true], ["create_date", ">=", "2020-01-01 00:00:00"]])];
        if v == OdooVersion::V19 {
            ok.push(json!([["create_date", "<=", "now"]]));
        }
        for domain in ok {
            let r = s.tool("odoo_search", json!({"model": "res.partner", "domain": domain}));
            assert!(r.get("isError").is_none(), "{v:?} {domain}: {r}");
        }
    });
}
