//! OAuth's rows against the real `schema.sql` in SQLite: a grant is a key, a pending grant
//! authenticates nothing until approved, codes and refresh tokens are taken once, and revoking a grant
//! takes its key, sessions and tokens with it.

mod support;

use odoo_mcp_edge::access::Approval;

use odoo_mcp_edge::platform::Db;
use odoo_mcp_edge::store::keys::NewKeyRow;
use odoo_mcp_edge::store::oauth::clients::{self, ClientRow};
use odoo_mcp_edge::store::oauth::grants;
use odoo_mcp_edge::store::oauth::settings::{self, OAuthSettings};
use odoo_mcp_edge::store::oauth::tokens::{self, Kind, NewToken, Taken};
use serde_json::json;
use support::{block_on, SqliteDb};

const URL: &str = "https://odoo.example.com";

fn db_with_connection() -> SqliteDb {
    let db = SqliteDb::new();
    db.rows("INSERT INTO connections (id, name, url, database, odoo_version, odoo_major, odoo_minor, transport, detected_at, created_at, updated_at) VALUES (1, 'main', 'https://odoo.example.com', 'prod', '19.0', 19, 0, 'json2', 0, 0, 0)");
    db
}

fn key(hash: &str) -> NewKeyRow<'_> {
    NewKeyRow {
        checked_url: URL,
        key_hash: hash,
        prefix: "oauth",
        label: "OAuth: Claude",
        connection_id: 1,
        odoo_login: "demo2",
        odoo_key_enc: "enc",
        odoo_uid: Some(7),
        scope_json: Some(r#"{"operations":["read"]}"#),
        rate_limit: None,
        expires_at: None,
        approval: Approval { delete: true, action: false },
        context: Default::default(),
    }
}

fn revoked_at(db: &SqliteDb, key_id: i64) -> serde_json::Value {
    let rows = db.rows(&format!("SELECT revoked_at FROM keys WHERE id = {key_id}"));
    rows[0]["revoked_at"].clone()
}

#[test]
fn a_grant_is_a_key_and_a_pending_one_waits_for_its_decision() {
    let db = db_with_connection();
    let active = block_on(grants::create(&db, &key("h1"), "omcl_a", false, 100)).unwrap().unwrap();
    assert_eq!(active.status, "active");
    assert_eq!(active.odoo_login, "demo2");
    assert_eq!(revoked_at(&db, active.key_id), json!(null));
    let rule = db.rows(&format!("SELECT operations FROM key_approvals WHERE key_id = {}", active.key_id));
    assert_eq!(rule[0]["operations"], json!("[\"delete\"]"), "the grant's approval rule comes with it");

    let pending = block_on(grants::create(&db, &key("h2"), "omcl_a", true, 100)).unwrap().unwrap();
    assert_eq!(pending.status, "pending");
    assert_eq!(revoked_at(&db, pending.key_id), json!(100), "a pending grant authenticates nothing");
    assert!(block_on(grants::decide(&db, pending.key_id, true, 200)).unwrap());
    assert_eq!(revoked_at(&db, pending.key_id), json!(null));
    assert!(!block_on(grants::decide(&db, pending.key_id, false, 300)).unwrap(), "decided once");

    let refused = block_on(grants::create(&db, &key("h3"), "omcl_a", true, 100)).unwrap().unwrap();
    assert!(block_on(grants::decide(&db, refused.key_id, false, 200)).unwrap());
    assert_eq!(revoked_at(&db, refused.key_id), json!(100));
    assert_eq!(block_on(grants::find(&db, refused.key_id)).unwrap().unwrap().status, "refused");
}

#[test]
fn a_grant_is_not_created_when_its_connection_moved() {
    let db = db_with_connection();
    let moved = NewKeyRow { checked_url: "https://elsewhere.example.com", ..key("h1") };
    assert_eq!(block_on(grants::create(&db, &moved, "omcl_a", false, 100)).unwrap(), None);
    assert!(db.rows("SELECT * FROM oauth_grants").is_empty());
}

#[test]
fn codes_and_refresh_tokens_are_taken_once() {
    let db = db_with_connection();
    let grant = block_on(grants::create(&db, &key("h1"), "omcl_a", false, 100)).unwrap().unwrap();
    let new = |hash, kind, expires_at| NewToken {
        hash,
        kind,
        key_id: grant.key_id,
        client_id: "omcl_a",
        detail: Some("{}"),
        expires_at,
    };
    block_on(db.batch(vec![
        tokens::insert(&new("code", Kind::Code, 160), 100),
        tokens::insert(&new("old", Kind::Code, 150), 100),
        tokens::insert(&new("refresh", Kind::Refresh, 10_000), 100),
        tokens::insert(&new("access", Kind::Access, 3_700), 100),
    ]))
    .unwrap();
    assert!(
        matches!(block_on(tokens::take(&db, Kind::Code, "code", 120)).unwrap(), Taken::Fresh(t) if t.key_id == grant.key_id)
    );
    assert!(matches!(block_on(tokens::take(&db, Kind::Code, "code", 121)).unwrap(), Taken::Replayed(_)));
    assert_eq!(block_on(tokens::take(&db, Kind::Code, "old", 151)).unwrap(), Taken::Unknown, "expired");
    assert_eq!(block_on(tokens::take(&db, Kind::Code, "refresh", 120)).unwrap(), Taken::Unknown, "kinds do not mix");
    assert_eq!(block_on(tokens::take(&db, Kind::Code, "never", 120)).unwrap(), Taken::Unknown);
    assert!(matches!(block_on(tokens::take(&db, Kind::Refresh, "refresh", 130)).unwrap(), Taken::Fresh(_)));
    assert!(matches!(block_on(tokens::take(&db, Kind::Refresh, "refresh", 140)).unwrap(), Taken::Replayed(_)));
    assert_eq!(block_on(tokens::find(&db, "access")).unwrap().map(|(k, _)| k), Some(Kind::Access));

    block_on(db.batch(vec![tokens::sweep(5_000)])).unwrap();
    assert_eq!(block_on(tokens::find(&db, "access")).unwrap(), None, "expired tokens are swept");
    assert!(block_on(tokens::find(&db, "refresh")).unwrap().is_some(), "a used refresh token is kept until it expires");
}

#[test]
fn revoking_a_grant_takes_its_key_sessions_and_tokens() {
    let db = db_with_connection();
    let grant = block_on(grants::create(&db, &key("h1"), "omcl_a", false, 100)).unwrap().unwrap();
    db.rows("INSERT INTO sessions (id, key_hash, protocol_version, created_at, last_seen_at) VALUES ('s1', 'h1', '2025-11-25', 100, 100)");
    let token = NewToken {
        hash: "access",
        kind: Kind::Access,
        key_id: grant.key_id,
        client_id: "omcl_a",
        detail: None,
        expires_at: 9_999,
    };
    block_on(db.batch(vec![tokens::insert(&token, 100)])).unwrap();

    let results = block_on(db.batch(grants::revoke(grant.key_id, 500))).unwrap();
    assert_eq!(results[0].len(), 1, "it was live");
    assert_eq!(revoked_at(&db, grant.key_id), json!(500));
    assert_eq!(db.rows("SELECT ended_at FROM sessions")[0]["ended_at"], json!(500));
    assert!(db.rows("SELECT * FROM oauth_tokens").is_empty());
    assert_eq!(block_on(db.batch(grants::revoke(grant.key_id, 600))).unwrap()[0].len(), 0, "revoked once");
    assert_eq!(block_on(grants::list(&db)).unwrap()[0].status, "revoked");
}

#[test]
fn clients_keep_their_block_and_their_source_when_fetched_again() {
    let db = SqliteDb::new();
    let client = ClientRow {
        client_id: "https://client.example.com/meta.json".into(),
        source: "document".into(),
        name: Some("Example".into()),
        client_uri: None,
        redirect_uris: vec!["http://127.0.0.1/cb".into()],
        auth_method: "none".into(),
        secret_hash: None,
        created_at: 100,
        fetched_at: Some(100),
        last_used_at: None,
        blocked_at: None,
    };
    block_on(db.batch(vec![clients::save(&client)])).unwrap();
    block_on(db.batch(vec![clients::set_blocked(&client.client_id, Some(150))])).unwrap();
    let refetched = ClientRow {
        name: Some("Renamed".into()),
        source: "registered".into(),
        fetched_at: Some(200),
        ..client.clone()
    };
    block_on(db.batch(vec![clients::save(&refetched)])).unwrap();
    let found = block_on(clients::find(&db, &client.client_id)).unwrap().unwrap();
    assert_eq!(
        (found.name.as_deref(), found.source.as_str(), found.blocked_at, found.fetched_at),
        (Some("Renamed"), "document", Some(150), Some(200))
    );
    assert_eq!(found.redirect_uris, vec!["http://127.0.0.1/cb"]);
}

#[test]
fn unused_registrations_expire() {
    let db = SqliteDb::new();
    let registered = |id: &str, created_at| ClientRow {
        client_id: id.into(),
        source: "registered".into(),
        name: None,
        client_uri: None,
        redirect_uris: vec!["http://127.0.0.1/cb".into()],
        auth_method: "none".into(),
        secret_hash: None,
        created_at,
        fetched_at: None,
        last_used_at: None,
        blocked_at: None,
    };
    block_on(db.batch(vec![clients::save(&registered("old", 0)), clients::save(&registered("new", 900))])).unwrap();
    block_on(db.batch(vec![clients::sweep(1_000, 500)])).unwrap();
    let left: Vec<_> = block_on(clients::list(&db)).unwrap().into_iter().map(|c| c.client_id).collect();
    assert_eq!(left, vec!["new"]);
}

#[test]
fn settings_default_to_off_and_round_trip() {
    let db = db_with_connection();
    assert_eq!(block_on(settings::for_connection(&db, 1)).unwrap(), None);
    let s = OAuthSettings {
        connection_id: 1,
        enabled: true,
        who: "list".into(),
        logins: vec!["demo2".into()],
        scope: Some(json!({"operations": ["read"]})),
        rate_limit: Some(30),
        approval: Approval { delete: false, action: true },
        updated_at: 100,
    };
    block_on(db.batch(settings::save(&s))).unwrap();
    assert_eq!(block_on(settings::for_connection(&db, 1)).unwrap(), Some(s.clone()));
    assert_eq!(block_on(settings::enabled(&db)).unwrap(), vec![s]);
}

#[test]
fn the_daily_sweep_ends_what_no_one_decided_and_erases_old_credentials() {
    let db = db_with_connection();
    let day = 24 * 60 * 60_000;
    let pending = block_on(grants::create(&db, &key("h1"), "omcl_a", true, 0)).unwrap().unwrap();
    let ended = block_on(grants::create(&db, &key("h2"), "omcl_a", false, 0)).unwrap().unwrap();
    block_on(db.batch(grants::revoke(ended.key_id, 0))).unwrap();
    let fresh = block_on(grants::create(&db, &key("h3"), "omcl_a", true, 100 * day - 1)).unwrap().unwrap();

    block_on(db.batch(odoo_mcp_edge::store::retention::sweep(100 * day, 90))).unwrap();
    assert_eq!(block_on(grants::find(&db, pending.key_id)).unwrap().unwrap().status, "refused");
    assert_eq!(block_on(grants::find(&db, fresh.key_id)).unwrap().unwrap().status, "pending");
    assert_eq!(
        db.rows(&format!("SELECT odoo_key_enc FROM keys WHERE id = {}", ended.key_id))[0]["odoo_key_enc"],
        json!("")
    );
    assert_eq!(block_on(grants::credentials(&db, ended.key_id)).unwrap().map(|c| c.1), Some(String::new()));
    assert_eq!(
        db.rows(&format!("SELECT odoo_key_enc FROM keys WHERE id = {}", fresh.key_id))[0]["odoo_key_enc"],
        json!("enc")
    );
}
