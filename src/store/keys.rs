//! MCP keys as the admin API sees them (never the secret, never the Odoo API key).

use super::{get_i64, get_opt_i64, get_opt_str, get_str, int, opt_int, opt_text, query, text, StoreError};
use crate::platform::{Db, Row, Stmt};
use serde::Serialize;

pub struct NewKeyRow<'a> {
    pub key_hash: &'a str,
    pub prefix: &'a str,
    pub label: &'a str,
    pub connection_id: i64,
    pub odoo_login: &'a str,
    pub odoo_key_enc: &'a str,
    pub odoo_uid: Option<i64>,
    pub scope_json: Option<&'a str>,
    pub rate_limit: Option<i64>,
    pub expires_at: Option<i64>,
}

/// A key as listed to administrators.
#[derive(Debug, Clone, Serialize)]
pub struct KeySummary {
    pub id: i64,
    pub prefix: String,
    pub label: String,
    pub connection_id: i64,
    pub odoo_login: String,
    pub odoo_uid: Option<i64>,
    pub scope: Option<serde_json::Value>,
    pub rate_limit: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl KeySummary {
    fn from_row(row: &Row) -> Result<KeySummary, StoreError> {
        Ok(KeySummary {
            id: get_i64(row, "id")?,
            prefix: get_str(row, "prefix")?,
            label: get_str(row, "label")?,
            connection_id: get_i64(row, "connection_id")?,
            odoo_login: get_str(row, "odoo_login")?,
            odoo_uid: get_opt_i64(row, "odoo_uid")?,
            scope: get_opt_str(row, "scope")?.and_then(|s| serde_json::from_str(&s).ok()),
            rate_limit: get_opt_i64(row, "rate_limit")?,
            expires_at: get_opt_i64(row, "expires_at")?,
            revoked_at: get_opt_i64(row, "revoked_at")?,
            created_at: get_i64(row, "created_at")?,
            last_used_at: get_opt_i64(row, "last_used_at")?,
        })
    }
}

pub async fn insert(db: &dyn Db, k: &NewKeyRow<'_>, now: i64) -> Result<KeySummary, StoreError> {
    let rows = query(
        db,
        Stmt::new(
            "INSERT INTO keys (key_hash, prefix, label, connection_id, odoo_login, odoo_key_enc, odoo_uid, scope, rate_limit, expires_at, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
             RETURNING id, prefix, label, connection_id, odoo_login, odoo_uid, scope, rate_limit, expires_at, revoked_at, created_at, last_used_at",
            vec![
                text(k.key_hash),
                text(k.prefix),
                text(k.label),
                int(k.connection_id),
                text(k.odoo_login),
                text(k.odoo_key_enc),
                opt_int(k.odoo_uid),
                opt_text(k.scope_json),
                opt_int(k.rate_limit),
                opt_int(k.expires_at),
                int(now),
            ],
        ),
    )
    .await?;
    rows.first().ok_or_else(|| StoreError::Shape("insert returned no row".into())).and_then(KeySummary::from_row)
}

pub async fn list(db: &dyn Db) -> Result<Vec<KeySummary>, StoreError> {
    query(
        db,
        Stmt::new(
            "SELECT id, prefix, label, connection_id, odoo_login, odoo_uid, scope, rate_limit, expires_at, revoked_at, created_at, last_used_at \
             FROM keys ORDER BY id",
            vec![],
        ),
    )
    .await?
    .iter()
    .map(KeySummary::from_row)
    .collect()
}

/// Revokes a key at once; its sessions end with it. Returns the key, or `None` if there is no such key.
pub async fn revoke(db: &dyn Db, id: i64, now: i64) -> Result<Option<KeySummary>, StoreError> {
    let results = db
        .batch(vec![
            Stmt::new("UPDATE keys SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1", vec![int(id), int(now)]),
            Stmt::new(
                "UPDATE sessions SET ended_at = ?2 WHERE ended_at IS NULL AND key_hash = (SELECT key_hash FROM keys WHERE id = ?1)",
                vec![int(id), int(now)],
            ),
            Stmt::new(
                "SELECT id, prefix, label, connection_id, odoo_login, odoo_uid, scope, rate_limit, expires_at, revoked_at, created_at, last_used_at \
                 FROM keys WHERE id = ?1",
                vec![int(id)],
            ),
        ])
        .await?;
    results.get(2).and_then(|rows| rows.first()).map(KeySummary::from_row).transpose()
}

/// Stamps last use and caches the Odoo uid (run after the response).
pub fn touch(key_id: i64, now: i64) -> Stmt {
    Stmt::new("UPDATE keys SET last_used_at = ?2 WHERE id = ?1", vec![int(key_id), int(now)])
}

pub fn cache_uid(key_id: i64, uid: i64) -> Stmt {
    Stmt::new("UPDATE keys SET odoo_uid = ?2 WHERE id = ?1", vec![int(key_id), int(uid)])
}
