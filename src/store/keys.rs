//! MCP keys as the admin API sees them (never the secret, never the Odoo API key).

use super::{
    each, get_i64, get_opt_i64, get_opt_str, get_str, int, opt_int, opt_text, query, text, KeyRef, StoreError,
};
use crate::access::Approval;
use crate::odoo::context::OdooContext;
use crate::platform::{Db, Row, Stmt};
use serde::Serialize;

pub struct NewKeyRow<'a> {
    /// The connection's URL the Odoo credentials were checked against: the key is inserted only if the
    /// connection still has it (a concurrent change of address would otherwise go unsuspended).
    pub checked_url: &'a str,
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
    pub approval: Approval,
    pub context: OdooContext,
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
    /// Set while the key waits for an administrator's confirmation after its connection moved.
    pub suspended: Option<Suspension>,
    /// The operations that run only once the key's person approved them (`delete`, `action`).
    pub approval: Vec<&'static str>,
    /// The companies it may use (the default first; empty: the Odoo user's own), its language and time
    /// zone (none: the user's own).
    pub companies: Vec<i64>,
    pub lang: Option<String>,
    pub tz: Option<String>,
}

/// Why a key is held back: its connection now points at another Odoo than the one its credentials were
/// given for (`key_suspensions`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suspension {
    pub since: i64,
    /// The Odoo origin the key's credentials were given for.
    pub from: String,
    /// Where the connection points now.
    pub to: String,
}

/// A query for what `KeySummary::from_row` reads, `keys k LEFT JOIN key_suspensions s`, ending with the
/// given clause (a macro so that statements stay `&'static str`).
macro_rules! summary_query {
    ($tail:literal) => {
        concat!(
            "SELECT k.id, k.prefix, k.label, k.connection_id, k.odoo_login, k.odoo_uid, k.scope, k.rate_limit, \
             k.expires_at, k.revoked_at, k.created_at, k.last_used_at, s.suspended_at, s.from_origin, s.to_origin, \
             a.operations AS approval, x.companies AS ctx_companies, x.lang AS ctx_lang, x.tz AS ctx_tz \
             FROM keys k LEFT JOIN key_suspensions s ON s.key_id = k.id LEFT JOIN key_approvals a ON a.key_id = k.id \
             LEFT JOIN key_contexts x ON x.key_id = k.id ",
            $tail
        )
    };
}

impl KeySummary {
    fn from_row(row: &Row) -> Result<KeySummary, StoreError> {
        let context = super::contexts::from_row(row, "ctx_")?;
        Ok(KeySummary {
            id: get_i64(row, "id")?,
            prefix: get_str(row, "prefix")?,
            label: get_str(row, "label")?,
            connection_id: get_i64(row, "connection_id")?,
            odoo_login: get_str(row, "odoo_login")?,
            odoo_uid: get_opt_i64(row, "odoo_uid")?,
            scope: get_opt_str(row, "scope")?.and_then(|s| crate::json::from_str(&s).ok()),
            rate_limit: get_opt_i64(row, "rate_limit")?,
            expires_at: get_opt_i64(row, "expires_at")?,
            revoked_at: get_opt_i64(row, "revoked_at")?,
            created_at: get_i64(row, "created_at")?,
            last_used_at: get_opt_i64(row, "last_used_at")?,
            suspended: match get_opt_i64(row, "suspended_at")? {
                Some(since) => {
                    Some(Suspension { since, from: get_str(row, "from_origin")?, to: get_str(row, "to_origin")? })
                }
                None => None,
            },
            approval: Approval::from_stored(get_opt_str(row, "approval")?.as_deref()).names(),
            companies: context.companies,
            lang: context.lang,
            tz: context.tz,
        })
    }
}

/// Inserts a key; `None` if its connection no longer has the URL its credentials were checked against.
pub async fn insert(db: &dyn Db, k: &NewKeyRow<'_>, now: i64) -> Result<Option<KeySummary>, StoreError> {
    let results = db
        .batch(vec![
            Stmt::new(
                "INSERT INTO keys (key_hash, prefix, label, connection_id, odoo_login, odoo_key_enc, odoo_uid, scope, rate_limit, expires_at, created_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 WHERE EXISTS (SELECT 1 FROM connections WHERE id = ?4 AND url = ?12) \
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
                    text(k.checked_url),
                ],
            ),
            // In the same batch: the key never exists without its approval rule and its context.
            super::approvals::set(KeyRef::Hash(k.key_hash), k.approval, now),
            super::contexts::set(KeyRef::Hash(k.key_hash), &k.context, now),
        ])
        .await?;
    let summary = results.first().and_then(|rows| rows.first()).map(KeySummary::from_row).transpose()?;
    Ok(summary.map(|s| KeySummary {
        approval: k.approval.names(),
        companies: k.context.companies.clone(),
        lang: k.context.lang.clone(),
        tz: k.context.tz.clone(),
        ..s
    }))
}

/// Sets the approval rule of a key (any key, an OAuth grant's too); the key as it then stands, `None` if
/// there is no such key.
pub async fn set_approval(
    db: &dyn Db,
    id: i64,
    approval: Approval,
    now: i64,
) -> Result<Option<KeySummary>, StoreError> {
    set_then_read(db, id, super::approvals::set(KeyRef::Id(id), approval, now)).await
}

/// What the admin API needs to ask Odoo as a key's user: its connection, Odoo login, encrypted API key
/// and cached uid; `None` if there is no such key.
pub async fn odoo_user(db: &dyn Db, id: i64) -> Result<Option<(i64, String, String, Option<i64>)>, StoreError> {
    let rows = query(
        db,
        Stmt::new("SELECT connection_id, odoo_login, odoo_key_enc, odoo_uid FROM keys WHERE id = ?1", vec![int(id)]),
    )
    .await?;
    rows.first()
        .map(|r| {
            Ok((
                get_i64(r, "connection_id")?,
                get_str(r, "odoo_login")?,
                get_str(r, "odoo_key_enc")?,
                get_opt_i64(r, "odoo_uid")?,
            ))
        })
        .transpose()
}

/// Sets a key's Odoo context; the key as it then stands, `None` if there is no such key.
pub async fn set_context(db: &dyn Db, id: i64, c: &OdooContext, now: i64) -> Result<Option<KeySummary>, StoreError> {
    set_then_read(db, id, super::contexts::set(KeyRef::Id(id), c, now)).await
}

/// Runs `change` on the key with this id and reads the key back in the same batch; `None` if there is no
/// such key.
async fn set_then_read(db: &dyn Db, id: i64, change: Stmt) -> Result<Option<KeySummary>, StoreError> {
    let results = db.batch(vec![change, Stmt::new(summary_query!("WHERE k.id = ?1"), vec![int(id)])]).await?;
    results.get(1).and_then(|rows| rows.first()).map(KeySummary::from_row).transpose()
}

pub async fn list(db: &dyn Db) -> Result<Vec<KeySummary>, StoreError> {
    // An OAuth grant's key is listed with its grant (`oauth::grants`), not among the keys.
    let sql: &'static str =
        summary_query!("WHERE NOT EXISTS (SELECT 1 FROM oauth_grants g WHERE g.key_id = k.id) ORDER BY k.id");
    query(db, Stmt::new(sql, vec![])).await.and_then(|rows| each(&rows, KeySummary::from_row))
}

/// Revokes a key at once; its sessions end with it. Returns the key and whether this call revoked it
/// (`false`: it was revoked already), or `None` if there is no such key.
pub async fn revoke(db: &dyn Db, id: i64, now: i64) -> Result<Option<(KeySummary, bool)>, StoreError> {
    let results = db
        .batch(vec![
            Stmt::new(
                "UPDATE keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL RETURNING id",
                vec![int(id), int(now)],
            ),
            Stmt::new(
                "UPDATE sessions SET ended_at = ?2 WHERE ended_at IS NULL AND key_hash = (SELECT key_hash FROM keys WHERE id = ?1)",
                vec![int(id), int(now)],
            ),
            Stmt::new(summary_query!("WHERE k.id = ?1"), vec![int(id)]),
        ])
        .await?;
    let revoked_now = results.first().is_some_and(|rows| !rows.is_empty());
    results.get(2).and_then(|rows| rows.first()).map(|row| Ok((KeySummary::from_row(row)?, revoked_now))).transpose()
}

/// Suspends every live key of a connection that moved from one Odoo origin to another (run in the batch
/// that changes the URL). A key suspended already keeps the origin its credentials were given for.
/// Returns one row per suspended key.
pub fn suspend_for_connection(connection_id: i64, from: &str, to: &str, now: i64) -> Stmt {
    Stmt::new(
        "INSERT INTO key_suspensions (key_id, connection_id, from_origin, to_origin, suspended_at) \
         SELECT id, connection_id, ?2, ?3, ?4 FROM keys WHERE connection_id = ?1 AND revoked_at IS NULL \
         ON CONFLICT (key_id) DO UPDATE SET to_origin = excluded.to_origin, suspended_at = excluded.suspended_at \
         RETURNING key_id",
        vec![int(connection_id), text(from), text(to), int(now)],
    )
}

/// Lifts a key's suspension. Returns the key and the suspension this call lifted (`None`: there was
/// none), or `None` if there is no such key.
pub async fn confirm(db: &dyn Db, id: i64) -> Result<Option<(KeySummary, Option<Suspension>)>, StoreError> {
    let results = db
        .batch(vec![
            Stmt::new(
                "DELETE FROM key_suspensions WHERE key_id = ?1 RETURNING suspended_at, from_origin, to_origin",
                vec![int(id)],
            ),
            Stmt::new(summary_query!("WHERE k.id = ?1"), vec![int(id)]),
        ])
        .await?;
    let lifted = results
        .first()
        .and_then(|rows| rows.first())
        .map(|r| -> Result<Suspension, StoreError> {
            Ok(Suspension {
                since: get_i64(r, "suspended_at")?,
                from: get_str(r, "from_origin")?,
                to: get_str(r, "to_origin")?,
            })
        })
        .transpose()?;
    results.get(1).and_then(|rows| rows.first()).map(|row| Ok((KeySummary::from_row(row)?, lifted))).transpose()
}

/// How fine the key's last use is kept: a request stamps it only when the stamp is this old (or missing).
/// The console shows it to the minute, and every stamp is a D1 row written (the Workers Free plan allows
/// 100 000 a day): a key in steady use writes one a minute, not one per call.
pub const LAST_USE_STEP_MS: i64 = 60_000;

/// Stamps last use (run after the response; see `LAST_USE_STEP_MS` for when).
pub fn touch(key_id: i64, now: i64) -> Stmt {
    Stmt::new("UPDATE keys SET last_used_at = ?2 WHERE id = ?1", vec![int(key_id), int(now)])
}

pub fn cache_uid(key_id: i64, uid: i64) -> Stmt {
    Stmt::new("UPDATE keys SET odoo_uid = ?2 WHERE id = ?1", vec![int(key_id), int(uid)])
}
