//! Bad input: malformed HTTP bodies, wrong argument shapes and a sweep of
//! odd values through every method of both transports; the server must
//! answer as Odoo would (an error), never panic.

mod common;

use common::{execute_kw, json2, request, ADMIN_KEY};
use fake_odoo::{Config, FakeOdoo, OdooVersion};
use serde_json::{json, Value};

#[test]
fn malformed_requests() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
    let port = odoo.port();
    let json_ct = [("Content-Type", "application/json")];
    let r = request(port, "POST", "/jsonrpc", &json_ct, b"{nope");
    assert_eq!((r.status, r.body.as_str()), (400, "Invalid JSON data"));
    let r = request(port, "POST", "/jsonrpc", &json_ct, b"[1]");
    assert_eq!((r.status, r.body.as_str()), (400, "Invalid JSON-RPC data"));
    let r = request(port, "POST", "/jsonrpc", &[("Content-Type", "text/plain")], b"{}");
    assert_eq!(r.status, 415);
    let r = request(
        port,
        "POST",
        "/jsonrpc",
        &json_ct,
        br#"{"params": {"service": "object", "method": "execute_kw", "args": ["mcptest", "x", "k"]}}"#,
    );
    assert_eq!(r.json()["error"]["data"]["name"], json!("builtins.ValueError"));
    let r = request(port, "POST", "/jsonrpc", &json_ct, br#"{"params": {"service": "object", "method": "execute_kw", "args": ["nosuchdb", 2, "k", "res.partner", "search", [[]]]}}"#);
    assert_eq!(r.json()["error"]["data"]["name"], json!("psycopg2.OperationalError"));
    let auth =
        [("Content-Type", "application/json"), ("Authorization", "Bearer admin-api-key-0000000000000000000000000001")];
    let r = request(port, "POST", "/json/2/res.partner/search_count", &auth, b"{oops");
    assert_eq!((r.status, r.json()["name"].clone()), (400, json!("werkzeug.exceptions.BadRequest")));
    let r = request(port, "POST", "/json/2/res.users/context_get", &auth, b"");
    assert_eq!(r.json()["uid"], json!(2));
    let r = request(port, "POST", "/json/2/res.partner", &auth, b"{}");
    assert_eq!(r.status, 404);
    let r = json2(port, ADMIN_KEY, "res.partner", "search_read", json!({"domain": [], "limit": "x"}));
    assert_eq!(r.status, 500);
    let r = json2(port, ADMIN_KEY, "res.partner", "read", json!({"ids": ["a"]}));
    assert_eq!(r.status, 500);
    let r = execute_kw(port, "mcptest", 2, ADMIN_KEY, "res.partner", "search", json!([[], 0, 1, "name", 5]), json!({}));
    assert_eq!(
        r["error"]["data"]["message"],
        json!("BaseModel.search() takes from 2 to 5 positional arguments but 6 were given")
    );
    let r = execute_kw(
        port,
        "mcptest",
        2,
        ADMIN_KEY,
        "res.partner",
        "create",
        json!([]),
        json!({"vals_list": [{"name": "x"}]}),
    );
    assert_eq!(r["error"]["data"]["name"], json!("builtins.IndexError"));
}

#[test]
fn garbage_never_panics() {
    let weird = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1.5),
        json!("x"),
        json!([]),
        json!({}),
        json!([null]),
        json!([[]]),
        json!([["id"]]),
        json!([["id", "in", "x"]]),
        json!(["|"]),
        json!(["!", ["name", "=", {}]]),
        json!([["child_ids", "any", "x"]]),
        json!([["country_id.nope.deeper", "=", 1]]),
        json!({"a": [1, {"b": 2}]}),
        json!([[0, 0, {"name": 5}]]),
        json!([[6, 0, "x"]]),
        json!(["%%__\\"]),
        json!("9999999999999999-99-99"),
    ];
    let methods = [
        "search",
        "search_read",
        "search_count",
        "read",
        "fields_get",
        "name_search",
        "create",
        "write",
        "unlink",
        "read_group",
        "formatted_read_group",
        "message_post",
        "check_access_rights",
        "has_access",
        "default_get",
        "action_archive",
        "exists",
        "name_get",
    ];
    for version in [OdooVersion::V17, OdooVersion::V19] {
        let odoo = FakeOdoo::start(Config::new(version)).expect("start");
        let port = odoo.port();
        let db = if version == OdooVersion::V17 { "mcptest17" } else { "mcptest" };
        for method in methods {
            for model in ["res.partner", "crm.lead", "mail.message"] {
                for w in &weird {
                    for args in [json!([w]), json!([w, w, w]), json!([[1], w])] {
                        let r = execute_kw(port, db, 2, ADMIN_KEY, model, method, args, json!({"fields": w}));
                        assert!(r.get("result").is_some() || r.get("error").is_some(), "{} {} -> {}", model, method, r);
                    }
                    if version == OdooVersion::V19 {
                        for body in [
                            json!({"domain": w}),
                            json!({"ids": w, "vals": w}),
                            json!({"ids": [1], "fields": w, "groupby": w, "aggregates": w, "vals_list": w, "body": w}),
                        ] {
                            let r = json2(port, ADMIN_KEY, model, method, body);
                            assert!(r.content_type.contains("json"), "{} {} -> {} {}", model, method, r.status, r.body);
                        }
                    }
                }
            }
        }
        let r = request(port, "POST", "/jsonrpc", &[("Content-Type", "application/json")], &[0xff, 0xfe, b'{']);
        assert_eq!(r.status, 400);
        let deep = format!("[{}[\"id\", \"=\", 1]]", "\"!\", ".repeat(5000));
        let r = execute_kw(
            port,
            db,
            2,
            ADMIN_KEY,
            "res.partner",
            "search_count",
            json!([serde_json::from_str::<Value>(&deep).unwrap_or(Value::Null)]),
            json!({}),
        );
        assert_eq!(r["error"]["data"]["name"], json!("builtins.RecursionError"));
    }
}
