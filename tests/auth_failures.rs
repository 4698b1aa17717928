//! Failed authentications from strangers write a bounded number of rows: each address is throttled
//! (429 with Retry-After) once it used up its failures of the minute, repeats of one failure are one
//! audit row with a count and a span, and a key prefix is recorded only when the key exists.

mod support;

use fake_odoo::OdooVersion;
use odoo_mcp_edge::config::DEFAULT_AUTH_FAILURES_PER_MINUTE as DEFAULT_LIMIT;
use odoo_mcp_edge::platform::Db;
use odoo_mcp_edge::store::failures::GROUP_GAP_MS;

/// The harness runs with the default limit (`AUTH_FAILURES_PER_MINUTE` unset).
const LIMIT: i64 = DEFAULT_LIMIT as i64;
use odoo_mcp_edge::store::retention::sweep;
use serde_json::{json, Value};
use support::{block_on, Harness, Resp, ADMIN_TOKEN};

const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

fn setup() -> (Harness, String) {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "main", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "demo2");
    (h, key)
}

fn mcp(h: &Harness, ip: &str, auth: Option<&str>, body: &str) -> Resp {
    let bearer = auth.map(|a| format!("Bearer {a}"));
    let mut headers = vec![
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("cf-connecting-ip", ip),
    ];
    if let Some(b) = &bearer {
        headers.push(("authorization", b.as_str()));
    }
    h.raw("POST", "/mcp", &headers, body.as_bytes())
}

fn admin(h: &Harness, ip: &str, token: &str) -> Resp {
    let bearer = format!("Bearer {token}");
    h.raw("GET", "/admin/api/keys", &[("authorization", &bearer), ("cf-connecting-ip", ip)], b"")
}

fn failures(h: &Harness) -> Vec<serde_json::Map<String, Value>> {
    h.db.rows("SELECT * FROM audit WHERE event = 'auth_failure' ORDER BY id")
}

fn detail(row: &serde_json::Map<String, Value>) -> Value {
    serde_json::from_str(row["detail"].as_str().expect("a detail")).expect("JSON detail")
}

fn count(h: &Harness, table: &str) -> i64 {
    h.db.rows(&format!("SELECT COUNT(*) AS n FROM {table}"))[0]["n"].as_i64().unwrap()
}

#[test]
fn a_flood_from_one_address_is_throttled_before_the_key_is_checked() {
    let (h, key) = setup();
    let bogus = "omcp_not-a-real-key-at-all-000000000000000000000";
    for i in 0..LIMIT {
        assert_eq!(mcp(&h, "203.0.113.7", Some(bogus), PING).status, 401, "failure {i}");
    }
    // Past the limit: 429 with Retry-After, whatever the key, even a valid one, and nothing written.
    let rows_before = failures(&h);
    for auth in [Some(bogus), None, Some(key.as_str())] {
        let r = mcp(&h, "203.0.113.99", auth, PING);
        assert_eq!(r.status, 429, "{auth:?}: {}", r.raw);
        let retry: i64 = r.header("retry-after").expect("Retry-After").parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(r.body["error"]["code"], json!(-32000));
        assert_eq!(r.log["outcome"], json!("throttled"));
    }
    assert_eq!(failures(&h), rows_before, "a throttled request writes nothing");
    assert_eq!(count(&h, "rate_buckets"), 0, "nor counts against the key's rate limit");

    // One audit row for the whole flood, with the count and span in its detail.
    let rows = failures(&h);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let d = detail(&rows[0]);
    assert_eq!(d["count"], json!(LIMIT));
    assert_eq!(d["client"], json!("203.0.113.0/24"), "only the network is stored");
    assert!(d["first_at"].as_i64().unwrap() <= d["last_at"].as_i64().unwrap());
    assert_eq!(rows[0]["key_prefix"], Value::Null, "no such key: no prefix");
    let all: String = h.db.rows("SELECT * FROM audit").iter().map(|r| Value::Object(r.clone()).to_string()).collect();
    assert!(!all.contains("203.0.113.7") && !all.contains("not-a-real-key"), "{all}");

    // Another address is not affected, and the valid key serves from it.
    assert_eq!(mcp(&h, "198.51.100.1", Some(bogus), PING).status, 401);
    assert_eq!(mcp(&h, "198.51.100.1", Some(&key), INIT).status, 200);
    assert_eq!(count(&h, "auth_throttle"), 2, "one row per address");

    // The next minute the address is counted afresh; its repeats join the same group.
    *h.now.borrow_mut() += 60_000;
    assert_eq!(mcp(&h, "203.0.113.7", Some(bogus), PING).status, 401);
    assert_eq!(mcp(&h, "203.0.113.7", Some(&key), INIT).status, 200);
    let rows = failures(&h);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(detail(&rows[0])["count"], json!(LIMIT + 1));
}

#[test]
fn repeats_are_grouped_by_kind_and_a_quiet_address_starts_a_new_group() {
    let (h, _) = setup();
    for _ in 0..3 {
        assert_eq!(mcp(&h, "2001:db8:1:2::5", None, PING).status, 401);
        assert_eq!(mcp(&h, "2001:db8:1:2::6", Some("sk-not-ours"), PING).status, 401);
    }
    let rows = failures(&h);
    assert_eq!(rows.len(), 2, "missing and unknown keys are two groups: {rows:?}");
    assert_eq!(
        rows.iter().map(|r| r["outcome"].clone()).collect::<Vec<_>>(),
        [json!("missing_key"), json!("unknown_key")]
    );
    assert!(rows.iter().all(|r| detail(r)["count"] == json!(3) && detail(r)["client"] == json!("2001:db8:1:2::/64")));

    // After a quiet spell the next failure opens a new row.
    *h.now.borrow_mut() += GROUP_GAP_MS + 1;
    assert_eq!(mcp(&h, "2001:db8:1:2::5", None, PING).status, 401);
    let rows = failures(&h);
    assert_eq!(rows.len(), 3);
    assert_eq!(detail(&rows[2])["count"], json!(1));
}

#[test]
fn a_key_prefix_is_recorded_only_for_a_real_key() {
    let (h, key) = setup();
    // Shaped like ours, but no such key: its prefix is not recorded, nor logged.
    let fake = format!("{}zzzzzzzzzzzzzzzzzzzzzzzzzz", &key[..10]);
    let r = mcp(&h, "192.0.2.1", Some(&fake), PING);
    assert_eq!(r.status, 401);
    assert!(r.log.get("key").is_none(), "{:?}", r.log);
    assert_eq!(failures(&h)[0]["key_prefix"], Value::Null);

    // A revoked key exists: its failures name it.
    let id = h.admin("GET", "/admin/api/keys", None).body["keys"][0]["id"].as_i64().unwrap();
    let prefix = h.admin("GET", "/admin/api/keys", None).body["keys"][0]["prefix"].as_str().unwrap().to_string();
    assert_eq!(h.admin("DELETE", &format!("/admin/api/keys/{id}"), None).status, 200);
    for _ in 0..2 {
        let r = mcp(&h, "192.0.2.1", Some(&key), PING);
        assert_eq!(r.status, 401);
        assert_eq!(r.log["key"], json!(prefix));
    }
    let rows = failures(&h);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[1]["key_prefix"].clone(), rows[1]["key_id"].clone()), (json!(prefix), json!(id)));
    assert_eq!(detail(&rows[1])["count"], json!(2));
}

#[test]
fn bad_admin_tokens_are_grouped_and_throttled() {
    let (h, _) = setup();
    for _ in 0..LIMIT {
        assert_eq!(admin(&h, "203.0.113.8", "wrong").status, 401);
    }
    let r = admin(&h, "203.0.113.8", "wrong");
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    assert_eq!(r.body["error"]["code"], json!("too_many_failures"));
    // The console's login form counts against the same address.
    let r = h.raw(
        "POST",
        "/admin/login",
        &[("content-type", "application/x-www-form-urlencoded"), ("cf-connecting-ip", "203.0.113.8")],
        b"token=wrong",
    );
    assert_eq!(r.status, 429);
    let rows = failures(&h);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["tool"], json!("admin_api"));
    assert_eq!(detail(&rows[0])["count"], json!(LIMIT));
    // The audit view and its export show the group.
    let listed = h.admin("GET", "/admin/api/audit?event=auth_failure", None);
    assert!(listed.raw.contains(r#"\"count\":30"#), "{}", listed.raw);
    // The admin token itself is checked first and still works (only failures are counted).
    assert_eq!(admin(&h, "203.0.113.8", ADMIN_TOKEN).status, 200);
}

#[test]
fn the_sweep_clears_old_throttle_and_group_rows() {
    let (h, _) = setup();
    assert_eq!(mcp(&h, "203.0.113.9", None, PING).status, 401);
    assert_eq!((count(&h, "auth_throttle"), count(&h, "auth_failure_groups")), (1, 1));
    let now = *h.now.borrow();
    block_on(h.db.batch(sweep(now, 90))).unwrap();
    assert_eq!((count(&h, "auth_throttle"), count(&h, "auth_failure_groups")), (1, 1), "current rows stay");
    block_on(h.db.batch(sweep(now + 2 * 60 * 60 * 1000, 90))).unwrap();
    assert_eq!((count(&h, "auth_throttle"), count(&h, "auth_failure_groups")), (0, 0));
    assert_eq!(failures(&h).len(), 1, "the audit row stays for the audit retention");
}
