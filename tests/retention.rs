//! The daily retention sweep deletes rate buckets that left the window, the previous version's old rate counters, sessions, cancellations and audit rows, and nothing current.

mod support;

use odoo_mcp_edge::platform::Db;
use odoo_mcp_edge::store::retention::sweep;
use serde_json::json;
use support::{block_on, SqliteDb};

#[test]
fn sweep_deletes_only_what_is_old() {
    let db = SqliteDb::new();
    let now: i64 = 1_800_000_000_000;
    let day = 86_400_000;
    let second = now / 1000;
    db.rows(&format!("INSERT INTO rate_counters VALUES ('h', {}, 5)", now - 10 * 60_000));
    for sql in [
        format!("INSERT INTO rate_counters VALUES ('h', {}, 1)", now - now % 60_000),
        // Left the window (61 s ago), still in it (60 s ago: counted for a request in this second).
        format!("INSERT INTO rate_buckets VALUES ('h', {}, {}, 2)", (second - 61) % 61, second - 61),
        format!("INSERT INTO rate_buckets VALUES ('h', {}, {}, 3)", (second - 60) % 61, second - 60),
        format!("INSERT INTO sessions (id, key_hash, protocol_version, created_at, last_seen_at, ended_at) VALUES ('ended-long-ago', 'h', 'v', 0, {0}, {0})", now - 2 * day),
        format!("INSERT INTO sessions (id, key_hash, protocol_version, created_at, last_seen_at, ended_at) VALUES ('ended-just-now', 'h', 'v', 0, {now}, {now})"),
        format!("INSERT INTO sessions (id, key_hash, protocol_version, created_at, last_seen_at) VALUES ('idle', 'h', 'v', 0, {})", now - 31 * day),
        format!("INSERT INTO sessions (id, key_hash, protocol_version, created_at, last_seen_at) VALUES ('live', 'h', 'v', 0, {now})"),
        format!("INSERT INTO cancellations VALUES ('s', '1', {})", now - 2 * day),
        format!("INSERT INTO cancellations VALUES ('s', '2', {now})"),
        format!("INSERT INTO audit (at, event, outcome) VALUES ({}, 'tool_call', 'ok')", now - 91 * day),
        format!("INSERT INTO audit (at, event, outcome) VALUES ({}, 'tool_call', 'ok')", now - 89 * day),
    ] {
        db.rows(&sql);
    }
    block_on(db.batch(sweep(now, 90))).unwrap();
    assert_eq!(
        db.rows("SELECT window_start FROM rate_counters"),
        vec![json!({"window_start": now - now % 60_000}).as_object().unwrap().clone()]
    );
    assert_eq!(
        db.rows("SELECT second FROM rate_buckets"),
        vec![json!({"second": second - 60}).as_object().unwrap().clone()]
    );
    let sessions: Vec<String> =
        db.rows("SELECT id FROM sessions ORDER BY id").iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(sessions, ["ended-just-now", "live"]);
    assert_eq!(db.rows("SELECT count(*) AS n FROM audit")[0]["n"], json!(1));
    assert_eq!(db.rows("SELECT request_id FROM cancellations")[0]["request_id"], json!("2"));
}

#[test]
fn the_administrators_retention_setting_wins_over_the_environment() {
    let db = SqliteDb::new();
    let now: i64 = 1_800_000_000_000;
    let day = 86_400_000;
    db.rows(&format!("INSERT INTO audit (at, event, outcome) VALUES ({}, 'tool_call', 'ok')", now - 10 * day));
    db.rows(&format!("INSERT INTO audit (at, event, outcome) VALUES ({}, 'tool_call', 'ok')", now - 3 * day));
    db.rows("INSERT INTO settings (name, value, updated_at) VALUES ('audit_retention_days', '7', 0)");
    block_on(db.batch(sweep(now, 90))).unwrap();
    assert_eq!(
        db.rows("SELECT count(*) AS n FROM audit")[0]["n"],
        json!(1),
        "7 days from the setting, not 90 from the environment"
    );
}
