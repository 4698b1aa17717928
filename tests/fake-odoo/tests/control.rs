//! The test-control surface over plain TCP/HTTP: injected delays (per method,
//! on both transports, not stalling other connections), every fault kind,
//! reset, input validation, and the call log.

mod common;

use common::{execute_kw, json2, jsonrpc, request, Resp, ADMIN_KEY};
use fake_odoo::{Config, FakeOdoo, Fault, OdooVersion, Transport};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn control(port: u16, body: Value) -> Resp {
    request(port, "POST", "/__fake/control", &[("Content-Type", "application/json")], body.to_string().as_bytes())
}

/// Sends `POST path` with `body` and returns every byte until the server
/// closes (no parsing: faults may send no or partial answers).
fn raw(port: u16, path: &str, headers: &str, body: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let req = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{}Content-Length: {}\r\n\r\n{}",
        path,
        headers,
        body.len(),
        body
    );
    s.write_all(req.as_bytes()).expect("write");
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

fn search_read_rpc(port: u16) -> Value {
    execute_kw(
        port,
        "mcptest",
        2,
        ADMIN_KEY,
        "res.partner",
        "search_read",
        json!([[]]),
        json!({"fields": ["name"], "limit": 1}),
    )
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

#[test]
fn delays_per_method_on_both_transports_without_stalling_others() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
    let port = odoo.port();
    let r = control(port, json!({"delay_ms": 1500, "methods": ["search_read"]}));
    assert_eq!((r.status, r.json()), (200, json!({"ok": true})));
    let slow =
        std::thread::spawn(move || timed(|| json2(port, ADMIN_KEY, "res.partner", "search_read", json!({"limit": 1}))));
    std::thread::sleep(Duration::from_millis(100));
    let (count, fast) = timed(|| json2(port, ADMIN_KEY, "res.partner", "search_count", json!({"domain": []})));
    assert!(count.json().is_i64(), "{:?}", count);
    assert!(!slow.is_finished(), "the delayed call finished too early");
    assert!(fast < Duration::from_millis(1000), "stalled: {:?}", fast);
    let (resp, took) = slow.join().expect("thread");
    assert_eq!(resp.status, 200);
    assert!(resp.json().is_array());
    assert!(took >= Duration::from_millis(1500), "{:?}", took);

    odoo.set_delay(400, &["search_read"]).expect("replace delay");
    let (r, took) = timed(|| search_read_rpc(port));
    assert!(r["result"].is_array(), "{}", r);
    assert!(took >= Duration::from_millis(400), "{:?}", took);
    assert!(took < Duration::from_millis(1400), "not replaced: {:?}", took);

    assert_eq!(control(port, json!({"reset": true})).status, 200);
    let (_, took) = timed(|| search_read_rpc(port));
    assert!(took < Duration::from_millis(400), "{:?}", took);
}

#[test]
fn delay_without_methods_covers_every_call_and_probe() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V17)).expect("start");
    let port = odoo.port();
    odoo.set_delay(300, &[]).expect("delay");
    let (r, took) = timed(|| request(port, "GET", "/web/version", &[], b""));
    assert_eq!(r.status, 404);
    assert!(took >= Duration::from_millis(300), "{:?}", took);
    let (v, took) = timed(|| jsonrpc(port, json!({"service": "common", "method": "version", "args": []})));
    assert_eq!(v["result"]["server_serie"], json!("17.0"));
    assert!(took >= Duration::from_millis(300), "{:?}", took);
    let (_, took) = timed(|| request(port, "GET", "/__fake/calls", &[], b""));
    assert!(took < Duration::from_millis(300), "control paths are not delayed");
    odoo.set_delay(0, &[]).expect("remove");
    let (_, took) = timed(|| request(port, "GET", "/web/version", &[], b""));
    assert!(took < Duration::from_millis(300), "{:?}", took);
}

#[test]
fn every_fault_kind() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
    let port = odoo.port();
    let auth =
        [("Content-Type", "application/json"), ("Authorization", "bearer admin-api-key-0000000000000000000000000001")];
    let j2 = |m: &str| {
        let body: &[u8] = if m == "search_count" { br#"{"domain": []}"# } else { b"{}" };
        request(port, "POST", &format!("/json/2/res.partner/{}", m), &auth, body)
    };

    odoo.set_fault(Fault::Http500, &["search_count"], Some(1)).expect("fault");
    let r = j2("search_count");
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["name"], json!("werkzeug.exceptions.InternalServerError"));
    assert!(r.content_type.starts_with("application/json"));
    assert_eq!(j2("search_count").status, 200, "count 1 is used up");
    control(port, json!({"fault": "http_500", "count": 1}));
    let body =
        r#"{"jsonrpc":"2.0","method":"call","id":42,"params":{"service":"common","method":"version","args":[]}}"#;
    let r = request(port, "POST", "/jsonrpc", &[("Content-Type", "application/json")], body.as_bytes());
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["id"], json!(42));
    assert_eq!(r.json()["error"]["message"], json!("Odoo Server Error"));
    assert_eq!(r.json()["error"]["data"]["name"], json!("werkzeug.exceptions.InternalServerError"));

    control(port, json!({"fault": "html", "methods": ["search_count"], "count": 2}));
    for _ in 0..2 {
        let r = j2("search_count");
        assert_eq!(r.status, 502);
        assert!(r.content_type.starts_with("text/html"), "{}", r.content_type);
        assert!(r.body.contains("502 Bad Gateway"));
    }
    assert_eq!(j2("search_count").status, 200);

    control(port, json!({"fault": "rate_limited", "methods": ["search_count"]}));
    let r = j2("search_count");
    assert_eq!((r.status, r.header("Retry-After")), (429, Some("3")));
    assert!(r.body.len() < 400);
    assert_eq!(j2("fields_get").status, 200, "other methods are untouched");
    assert_eq!(j2("search_count").status, 429, "no count: until reset");

    control(port, json!({"reset": true, "fault": "malformed_json", "methods": ["search_count"]}));
    let r = j2("search_count");
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("application/json"));
    assert!(serde_json::from_str::<Value>(&r.body).is_err(), "{}", r.body);

    control(port, json!({"fault": "truncated", "methods": ["search_count"]}));
    let bytes = raw(
        port,
        "/json/2/res.partner/search_count",
        &format!("Authorization: bearer {}\r\n", ADMIN_KEY),
        r#"{"domain": []}"#,
    );
    let text = String::from_utf8_lossy(&bytes).to_string();
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    assert!(head.starts_with("HTTP/1.1 200"), "{}", head);
    let declared: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("content-length");
    assert!(body.len() < declared, "{} of {} bytes", body.len(), declared);

    control(port, json!({"fault": "close", "methods": ["search_count"], "count": 1}));
    let bytes =
        raw(port, "/json/2/res.partner/search_count", &format!("Authorization: bearer {}\r\n", ADMIN_KEY), "{}");
    assert!(bytes.is_empty(), "{:?}", String::from_utf8_lossy(&bytes));
    let r = j2("search_count");
    assert_eq!((r.status, r.body.as_str()), (200, "40"), "close (which replaced truncated) is used up");

    odoo.set_fault(Fault::RateLimited, &[], None).expect("fault");
    assert_eq!(j2("fields_get").status, 429);
    assert_eq!(request(port, "GET", "/web/version", &[], b"").status, 429);
    odoo.reset();
    assert_eq!(j2("fields_get").status, 200);
    assert_eq!(j2("search_count").body, "40");
}

#[test]
fn wrong_shape_carries_the_call_out_and_answers_the_wrong_result() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
    let port = odoo.port();
    let count =
        || json2(port, ADMIN_KEY, "res.partner", "search_count", json!({"domain": [["name", "=", "Shape"]]})).body;
    // JSON-2, the default answer: `false` instead of the new ids; the record exists.
    odoo.set_fault(Fault::WrongShape, &["create"], Some(1)).expect("fault");
    let r = json2(port, ADMIN_KEY, "res.partner", "create", json!({"vals_list": [{"name": "Shape"}]}));
    assert_eq!((r.status, r.body.as_str()), (200, "false"));
    assert!(r.content_type.starts_with("application/json"));
    assert_eq!(count(), "1", "carried out");
    // /jsonrpc, a chosen answer, in the envelope.
    let r =
        control(port, json!({"fault": "wrong_shape", "methods": ["search_count"], "answer": {"ok": 1}, "count": 1}));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = execute_kw(port, "mcptest", 2, ADMIN_KEY, "res.partner", "search_count", json!([[]]), json!({}));
    assert_eq!(r, json!({"jsonrpc": "2.0", "id": 1, "result": {"ok": 1}}));
    // `null`: no `result` member at all, as for a method that returned None.
    control(port, json!({"fault": "wrong_shape", "methods": ["write"], "answer": null}));
    let r = execute_kw(
        port,
        "mcptest",
        2,
        ADMIN_KEY,
        "res.partner",
        "write",
        json!([[3], {"city": "Shapeville"}]),
        json!({}),
    );
    assert_eq!(r, json!({"jsonrpc": "2.0", "id": 1}));
    odoo.reset();
    let r = json2(port, ADMIN_KEY, "res.partner", "read", json!({"ids": [3], "fields": ["city"]}));
    assert_eq!(r.json()[0]["city"], "Shapeville", "the write was carried out");
    assert_eq!(
        control(port, json!({"fault": "html", "answer": 1})).status,
        400,
        "an answer only goes with wrong_shape"
    );
}

#[test]
fn bad_control_input_is_a_400() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
    let port = odoo.port();
    let r = request(port, "POST", "/__fake/control", &[], b"{nope");
    assert_eq!((r.status, r.json()["ok"].clone()), (400, json!(false)));
    for body in [
        json!({}),
        json!([1]),
        json!({"delay_ms": -1}),
        json!({"delay_ms": "5"}),
        json!({"delay_ms": 10, "methods": "search_read"}),
        json!({"delay_ms": 10, "methods": []}),
        json!({"fault": "explode"}),
        json!({"fault": "html", "count": 0}),
        json!({"count": 2}),
        json!({"methods": ["read"]}),
        json!({"reset": "yes"}),
        json!({"delay": 10}),
    ] {
        let r = control(port, body.clone());
        assert_eq!(r.status, 400, "{} -> {}", body, r.body);
        assert!(r.json()["error"].is_string(), "{}", r.body);
        assert!(odoo.control(body).is_err());
    }
    assert_eq!(request(port, "GET", "/__fake/control", &[], b"").status, 405);
    assert_eq!(request(port, "GET", "/__fake/nothing", &[], b"").status, 404);
    assert_eq!(odoo.request_count(), 0, "control requests are not counted");
    assert!(odoo.calls().is_empty());
}

#[test]
fn call_log_on_both_transports() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
    let port = odoo.port();
    request(port, "GET", "/web/version", &[], b"");
    jsonrpc(port, json!({"service": "common", "method": "version", "args": []}));
    jsonrpc(port, json!({"service": "common", "method": "authenticate", "args": ["mcptest", "admin", ADMIN_KEY, {}]}));
    search_read_rpc(port);
    json2(port, ADMIN_KEY, "res.partner", "fields_get", json!({"attributes": ["type"]}));
    json2(port, "wrong-key", "res.users", "context_get", json!({}));
    request(port, "GET", "/favicon.ico", &[], b"");
    let r = request(port, "GET", "/__fake/calls", &[], b"");
    assert_eq!(r.status, 200);
    assert!(!r.body.contains(ADMIN_KEY) && !r.body.contains("wrong-key"), "{}", r.body);
    let calls = r.json()["calls"].as_array().cloned().unwrap_or_default();
    let seen: Vec<Value> =
        calls.iter().map(|c| json!([c["model"], c["method"], c["transport"], c["login_or_uid"]])).collect();
    assert_eq!(
        seen,
        vec![
            json!([null, "web.version", "http", null]),
            json!([null, "common.version", "jsonrpc", null]),
            json!([null, "common.authenticate", "jsonrpc", "admin"]),
            json!(["res.partner", "search_read", "jsonrpc", 2]),
            json!(["res.partner", "fields_get", "json2", "admin"]),
            json!(["res.users", "context_get", "json2", null]),
        ]
    );
    let at: Vec<u64> = calls.iter().filter_map(|c| c["at_ms"].as_u64()).collect();
    assert_eq!(at.len(), 6);
    assert!(at.windows(2).all(|w| w[0] <= w[1]), "{:?}", at);

    let typed = odoo.calls();
    assert_eq!(typed.len(), 6);
    assert_eq!(
        (typed[3].model.as_deref(), typed[3].method.as_str(), typed[3].transport),
        (Some("res.partner"), "search_read", Transport::JsonRpc)
    );
    assert_eq!(typed[4].transport, Transport::Json2);

    // `methods` entries match service calls by their bare name too; reset
    // keeps the log.
    odoo.set_fault(Fault::Html, &["version"], None).expect("fault");
    assert_eq!(request(port, "GET", "/web/version", &[], b"").status, 502);
    odoo.reset();
    assert_eq!(odoo.calls().len(), 7);
    assert_eq!(request(port, "DELETE", "/__fake/calls", &[], b"").status, 200);
    assert!(odoo.calls().is_empty());

    let odoo17 = FakeOdoo::start(Config::new(OdooVersion::V17)).expect("start");
    execute_kw(odoo17.port(), "mcptest17", 2, ADMIN_KEY, "crm.lead", "search_count", json!([[]]), json!({}));
    let calls = odoo17.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!((calls[0].model.as_deref(), calls[0].method.as_str()), (Some("crm.lead"), "search_count"));
    odoo17.clear_calls();
    assert!(odoo17.calls().is_empty());
}
