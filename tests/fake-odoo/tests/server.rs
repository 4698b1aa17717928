//! Server behaviour beyond the recordings: request counting, keep-alive and
//! concurrency, shutdown on drop, version probes, the binary's CLI, honest
//! writes (readonly ignored, unknown fields rejected, rollback on error),
//! x2many commands, and version quirks.

mod common;

use common::{execute_kw, json2, jsonrpc, request, ADMIN_KEY};
use fake_odoo::{Config, FakeOdoo, OdooVersion, User};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

#[test]
fn counts_requests_and_probes() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
    assert_eq!(odoo.request_count(), 0);
    assert_eq!(odoo.url(), format!("http://127.0.0.1:{}", odoo.port()));
    let v = request(odoo.port(), "GET", "/web/version", &[], b"");
    assert_eq!(v.json(), json!({"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}));
    jsonrpc(odoo.port(), json!({"service": "common", "method": "version", "args": []}));
    json2(odoo.port(), ADMIN_KEY, "res.partner", "search_count", json!({"domain": []}));
    request(odoo.port(), "GET", "/favicon.ico", &[], b"");
    assert_eq!(odoo.request_count(), 3);

    let odoo17 = FakeOdoo::start(Config::new(OdooVersion::V17)).expect("start");
    let v = request(odoo17.port(), "GET", "/web/version", &[], b"");
    assert_eq!(v.status, 404);
    assert!(v.content_type.starts_with("text/html"));
    let info = request(
        odoo17.port(),
        "POST",
        "/web/webclient/version_info",
        &[("Content-Type", "application/json")],
        b"{\"id\": 3, \"params\": {}}",
    );
    assert_eq!(info.json()["result"]["server_version"], json!("17.0-20240709"));
}

fn read_response(reader: &mut BufReader<TcpStream>) -> (u16, String) {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).expect("status");
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header");
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("body");
    let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, String::from_utf8_lossy(&body).to_string())
}

#[test]
fn keep_alive_and_concurrency() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V17)).expect("start");
    let port = odoo.port();
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut writer = stream.try_clone().expect("clone");
    let mut reader = BufReader::new(stream);
    let body = r#"{"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"version","args":[]},"id":1}"#;
    for _ in 0..3 {
        let req = format!(
            "POST /jsonrpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
            body.len(),
            body
        );
        writer.write_all(req.as_bytes()).expect("write");
        let (status, text) = read_response(&mut reader);
        assert_eq!(status, 200);
        assert!(text.contains("17.0-20240709"));
    }
    let threads: Vec<_> = (0..24)
        .map(|i| {
            std::thread::spawn(move || {
                for _ in 0..5 {
                    let r = execute_kw(
                        port,
                        "mcptest17",
                        2,
                        ADMIN_KEY,
                        "res.partner",
                        "search_count",
                        json!([[["id", ">", i]]]),
                        json!({}),
                    );
                    assert!(r["result"].is_i64(), "{}", r);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    assert_eq!(odoo.request_count(), 3 + 24 * 5);
}

#[test]
fn drop_stops_serving() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
    let port = odoo.port();
    drop(odoo);
    let refused = TcpStream::connect(("127.0.0.1", port)).and_then(|mut s| {
        s.write_all(b"GET /web/version HTTP/1.1\r\nHost: x\r\n\r\n")?;
        let mut buf = [0u8; 16];
        s.set_read_timeout(Some(std::time::Duration::from_secs(2)))?;
        match s.read(&mut buf)? {
            0 => Err(std::io::Error::other("closed")),
            _ => Ok(()),
        }
    });
    assert!(refused.is_err(), "server still answers after drop");
}

#[test]
fn binary_cli() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fake-odoo"))
        .args(["--version", "19", "--database", "other", "--admin-key", "k-admin"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn binary");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut line).expect("line");
    let url = line.trim().strip_prefix("fake-odoo listening on http://127.0.0.1:").map(str::to_string);
    let port: u16 = url.and_then(|p| p.parse().ok()).unwrap_or(0);
    assert!(port > 0, "unexpected line {:?}", line);
    let auth = jsonrpc(
        port,
        json!({"service": "common", "method": "authenticate", "args": ["other", "admin", "k-admin", {}]}),
    );
    assert_eq!(auth["result"], json!(2));
    let old = jsonrpc(
        port,
        json!({"service": "common", "method": "authenticate", "args": ["other", "admin", ADMIN_KEY, {}]}),
    );
    assert_eq!(old["result"], json!(false));
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn honest_writes() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
    let port = odoo.port();
    let call = |method: &str, body: Value| json2(port, ADMIN_KEY, "res.partner", method, body);
    let id = call("create", json!({"vals_list": [{"name": "Acme Labs", "is_company": true, "child_ids": [[0, 0, {"name": "Ann Lee", "email": "ann@acme.example"}]]}]})).json()[0].as_i64().unwrap_or(0);
    let row =
        call("read", json!({"ids": [id], "fields": ["child_ids", "display_name", "create_date", "company_type"]}))
            .json();
    let child = row[0]["child_ids"][0].as_i64().unwrap_or(0);
    assert_eq!(row[0]["company_type"], json!("company"));
    let child_row = call("read", json!({"ids": [child], "fields": ["display_name", "parent_id"], "load": null})).json();
    assert_eq!(child_row[0]["display_name"], json!("Acme Labs, Ann Lee"));
    assert_eq!(child_row[0]["parent_id"], json!(id));
    assert_eq!(call("write", json!({"ids": [id], "vals": {"display_name": "ignored", "create_date": "2000-01-01 00:00:00", "city": "Oslo"}})).json(), json!(true));
    let after = call("read", json!({"ids": [id], "fields": ["display_name", "create_date", "city"]})).json();
    assert_eq!(after[0]["display_name"], json!("Acme Labs"));
    assert_eq!(after[0]["city"], json!("Oslo"));
    assert_ne!(after[0]["create_date"], json!("2000-01-01 00:00:00"));
    let bad = call("write", json!({"ids": [id], "vals": {"nope": 1}}));
    assert_eq!((bad.status, bad.json()["message"].clone()), (500, json!("Invalid field 'nope' on 'res.partner'")));
    let bad_sel = call("write", json!({"ids": [id], "vals": {"type": "weird"}}));
    assert_eq!(bad_sel.json()["message"], json!("Wrong value for res.partner.type: 'weird'"));
    let before = call("search_count", json!({"domain": []})).json();
    let failed = call("create", json!({"vals_list": [{"name": "Ok"}, {"name": "Bad", "nope": 1}]}));
    assert_eq!(failed.status, 500);
    assert_eq!(call("search_count", json!({"domain": []})).json(), before, "failed create rolled back");
    assert_eq!(call("write", json!({"ids": [id], "vals": {"child_ids": [[5, 0, 0]]}})).json(), json!(true));
    let orphan = call("read", json!({"ids": [child], "fields": ["parent_id"]})).json();
    assert_eq!(orphan[0]["parent_id"], json!(false));
    assert_eq!(call("unlink", json!({"ids": [id, child]})).json(), json!(true));
    assert_eq!(call("read", json!({"ids": [id]})).json(), json!([]));
}

#[test]
fn custom_users_and_version_quirks() {
    let mut config = Config::new(OdooVersion::V17);
    config.users.push(User { login: "bob".into(), uid: 42, api_key: "bob-key".into(), restricted: false });
    let odoo = FakeOdoo::start(config).expect("start");
    let port = odoo.port();
    let uid = jsonrpc(port, json!({"service": "common", "method": "login", "args": ["mcptest17", "bob", "bob-key"]}));
    assert_eq!(uid["result"], json!(42));
    let post = execute_kw(
        port,
        "mcptest17",
        42,
        "bob-key",
        "crm.lead",
        "message_post",
        json!([[1]]),
        json!({"body": "a\nb", "message_type": "comment"}),
    );
    assert!(post["result"].is_i64(), "{}", post);
    let names = execute_kw(port, "mcptest17", 2, ADMIN_KEY, "res.partner", "name_get", json!([[14, 3]]), json!({}));
    assert_eq!(names["result"], json!([[14, "Azure Interior"], [3, "YourCompany, Mitchell Admin"]]));
    let frg = execute_kw(
        port,
        "mcptest17",
        2,
        ADMIN_KEY,
        "crm.lead",
        "formatted_read_group",
        json!([[], ["stage_id"], ["__count"]]),
        json!({}),
    );
    assert_eq!(frg["error"]["data"]["name"], json!("builtins.AttributeError"));
    let ns = execute_kw(
        port,
        "mcptest17",
        2,
        ADMIN_KEY,
        "res.partner",
        "name_search",
        json!(["Gemini"]),
        json!({"args": [["is_company", "=", false]], "limit": 2}),
    );
    assert_eq!(ns["result"], json!([[20, "Gemini Furniture, Edwin Hansen"], [22, "Gemini Furniture, Jesse Brown"]]));
    let wrong_kw =
        execute_kw(port, "mcptest17", 2, ADMIN_KEY, "res.partner", "name_search", json!([]), json!({"domain": []}));
    assert_eq!(
        wrong_kw["error"]["data"]["message"],
        json!("BaseModel.name_search() got an unexpected keyword argument 'domain'")
    );
    let grouped = execute_kw(
        port,
        "mcptest17",
        2,
        ADMIN_KEY,
        "crm.lead",
        "read_group",
        json!([[["type", "=", "opportunity"]], ["expected_revenue:sum"], ["stage_id"]]),
        json!({"lazy": false, "orderby": "expected_revenue desc"}),
    );
    let first = &grouped["result"][0];
    assert_eq!(first["__domain"], json!(["&", ["type", "=", "opportunity"], ["stage_id", "=", 3]]));
    let chatter = execute_kw(
        port,
        "mcptest17",
        2,
        ADMIN_KEY,
        "mail.message",
        "search_read",
        json!([[["res_id", "=", 1], ["model", "=", "crm.lead"]]]),
        json!({"fields": ["body", "author_id"], "limit": 1}),
    );
    assert_eq!(chatter["result"][0]["body"], json!("<p>a<br>b</p>"));
}
