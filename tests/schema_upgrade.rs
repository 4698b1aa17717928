//! Upgrading a deployment re-applies `schema.sql` to its D1 (README, "Upgrading"). That is safe only
//! while the schema stays additive: every statement creates something if it is missing, none alters
//! or drops. These tests hold the file to that and show a populated database surviving the upgrade.

mod support;

use fake_odoo::OdooVersion;
use serde_json::json;
use support::{Harness, SCHEMA};

/// The statements of `schema.sql`, without comments, normalised to single spaces.
fn statements() -> Vec<String> {
    let without_comments: String =
        SCHEMA.lines().map(|l| l.split("--").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    without_comments
        .split(';')
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn every_statement_only_creates_what_is_missing() {
    let stmts = statements();
    assert!(stmts.len() >= 10, "{stmts:?}");
    for s in &stmts {
        let upper = s.to_ascii_uppercase();
        assert!(
            upper.starts_with("CREATE TABLE IF NOT EXISTS ")
                || upper.starts_with("CREATE INDEX IF NOT EXISTS ")
                || upper.starts_with("CREATE UNIQUE INDEX IF NOT EXISTS "),
            "schema.sql must stay additive (see README, Upgrading): {s}"
        );
    }
}

#[test]
fn re_applying_the_schema_keeps_every_row_and_the_deployment_keeps_working() {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "admin");
    let mut s = h.session(&key);
    assert!(s.tool("odoo_search", json!({"model": "res.partner", "limit": 1})).get("isError").is_none());

    let tables = ["connections", "model_permissions", "keys", "sessions", "audit", "schema_cache", "rate_buckets"];
    let count = |t: &str| h.db.rows(&format!("SELECT COUNT(*) AS n FROM {t}"))[0]["n"].as_i64().unwrap_or(-1);
    let before: Vec<i64> = tables.iter().map(|t| count(t)).collect();
    assert!(before.iter().all(|n| *n > 0), "every table has rows before the upgrade: {before:?}");

    h.db.conn.borrow().execute_batch(SCHEMA).expect("schema.sql applies again over a populated database");

    assert_eq!(tables.iter().map(|t| count(t)).collect::<Vec<_>>(), before, "no row lost or added");
    // The session, the key and the cached schema all still serve.
    let r = s.tool("odoo_search", json!({"model": "res.partner", "limit": 1}));
    assert!(r.get("isError").is_none(), "{r}");
}
