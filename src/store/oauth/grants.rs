//! Grants: a person (an Odoo user) letting a client work as them. A grant's access is a `keys` row,
//! inserted in the same batch as the grant: the authentication batch then serves a token exactly as it
//! serves a key (connection, permissions, scope, rate limit, suspension, audit).

use crate::access::Approval;
use crate::platform::{Db, Row, Stmt};
use crate::store::each;
use crate::store::keys::NewKeyRow;
use crate::store::{get_i64, get_opt_i64, get_opt_str, get_str, int, opt_int, query, text, KeyRef, StoreError};
use serde::Serialize;

/// A grant as administrators see it (never a secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantSummary {
    pub key_id: i64,
    pub client_id: String,
    pub client_name: Option<String>,
    pub connection_id: i64,
    pub odoo_login: String,
    /// pending, active, refused or revoked.
    pub status: String,
    pub scope: Option<serde_json::Value>,
    pub rate_limit: Option<i64>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// What the grant runs only once its person approved it (`delete`, `action`).
    pub approval: Approval,
    /// Its companies (the default first; empty: the Odoo user's own), language and time zone, as a
    /// key's (`PUT /admin/api/keys/{key_id}/context`).
    pub companies: Vec<i64>,
    pub lang: Option<String>,
    pub tz: Option<String>,
}

macro_rules! summary {
    ($tail:literal) => {
        concat!(
            "SELECT g.key_id, g.client_id, c.name AS client_name, k.connection_id, k.odoo_login, g.status, k.scope, \
             k.rate_limit, g.created_at, g.decided_at, k.last_used_at, a.operations AS approval, \
             x.companies AS ctx_companies, x.lang AS ctx_lang, x.tz AS ctx_tz \
             FROM oauth_grants g JOIN keys k ON k.id = g.key_id LEFT JOIN oauth_clients c ON c.client_id = g.client_id \
             LEFT JOIN key_approvals a ON a.key_id = g.key_id LEFT JOIN key_contexts x ON x.key_id = g.key_id ",
            $tail
        )
    };
}

impl GrantSummary {
    fn from_row(row: &Row) -> Result<GrantSummary, StoreError> {
        let context = crate::store::contexts::from_row(row, "ctx_")?;
        Ok(GrantSummary {
            key_id: get_i64(row, "key_id")?,
            client_id: get_str(row, "client_id")?,
            client_name: get_opt_str(row, "client_name")?,
            connection_id: get_i64(row, "connection_id")?,
            odoo_login: get_str(row, "odoo_login")?,
            status: get_str(row, "status")?,
            scope: get_opt_str(row, "scope")?.and_then(|s| crate::json::from_str(&s).ok()),
            rate_limit: get_opt_i64(row, "rate_limit")?,
            created_at: get_i64(row, "created_at")?,
            decided_at: get_opt_i64(row, "decided_at")?,
            last_used_at: get_opt_i64(row, "last_used_at")?,
            approval: Approval::from_stored(get_opt_str(row, "approval")?.as_deref()),
            companies: context.companies,
            lang: context.lang,
            tz: context.tz,
        })
    }
}

/// Creates a grant and its key in one batch; `None` if the connection no longer has the URL the Odoo
/// credentials were checked against. A pending grant's key is inserted revoked-until-approved: it
/// exists (so the administrator sees who asks) but authenticates nothing.
pub async fn create(
    db: &dyn Db,
    key: &NewKeyRow<'_>,
    client_id: &str,
    pending: bool,
    now: i64,
) -> Result<Option<GrantSummary>, StoreError> {
    let status = if pending { "pending" } else { "active" };
    let results = db
        .batch(vec![
            Stmt::new(
                "INSERT INTO keys (key_hash, prefix, label, connection_id, odoo_login, odoo_key_enc, odoo_uid, scope, rate_limit, expires_at, created_at, revoked_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13 WHERE EXISTS (SELECT 1 FROM connections WHERE id = ?4 AND url = ?12)",
                vec![
                    text(key.key_hash),
                    text(key.prefix),
                    text(key.label),
                    int(key.connection_id),
                    text(key.odoo_login),
                    text(key.odoo_key_enc),
                    opt_int(key.odoo_uid),
                    crate::store::opt_text(key.scope_json),
                    opt_int(key.rate_limit),
                    opt_int(key.expires_at),
                    int(now),
                    text(key.checked_url),
                    opt_int(pending.then_some(now)),
                ],
            ),
            Stmt::new(
                "INSERT INTO oauth_grants (key_id, client_id, status, created_at, decided_at) \
                 SELECT id, ?2, ?3, ?4, ?5 FROM keys WHERE key_hash = ?1",
                vec![text(key.key_hash), text(client_id), text(status), int(now), opt_int((!pending).then_some(now))],
            ),
            Stmt::new(summary!("WHERE k.key_hash = ?1"), vec![text(key.key_hash)]),
            // In the same batch: the grant never exists without its approval rule.
            crate::store::approvals::set(KeyRef::Hash(key.key_hash), key.approval, now),
            crate::store::contexts::set(KeyRef::Hash(key.key_hash), &key.context, now),
        ])
        .await?;
    results.get(2).and_then(|rows| rows.first()).map(GrantSummary::from_row).transpose()
}

pub async fn find(db: &dyn Db, key_id: i64) -> Result<Option<GrantSummary>, StoreError> {
    query(db, Stmt::new(summary!("WHERE g.key_id = ?1"), vec![int(key_id)]))
        .await?
        .first()
        .map(GrantSummary::from_row)
        .transpose()
}

pub async fn list(db: &dyn Db) -> Result<Vec<GrantSummary>, StoreError> {
    query(db, Stmt::new(summary!("ORDER BY g.created_at DESC"), vec![]))
        .await
        .and_then(|rows| each(&rows, GrantSummary::from_row))
}

/// An administrator's decision on a pending grant: approval makes its key usable, refusal leaves it
/// revoked. Returns whether a pending grant was decided.
pub async fn decide(db: &dyn Db, key_id: i64, approve: bool, now: i64) -> Result<bool, StoreError> {
    let status = if approve { "active" } else { "refused" };
    let mut stmts = vec![Stmt::new(
        "UPDATE oauth_grants SET status = ?2, decided_at = ?3 WHERE key_id = ?1 AND status = 'pending' RETURNING key_id",
        vec![int(key_id), text(status), int(now)],
    )];
    if approve {
        // Only the grant this batch just approved (not a revoked one) gets its key back.
        stmts.push(Stmt::new(
            "UPDATE keys SET revoked_at = NULL WHERE id = ?1 AND EXISTS \
             (SELECT 1 FROM oauth_grants WHERE key_id = ?1 AND status = 'active' AND decided_at = ?2)",
            vec![int(key_id), int(now)],
        ));
    }
    let results = db.batch(stmts).await?;
    Ok(results.first().is_some_and(|rows| !rows.is_empty()))
}

/// Revokes a grant at once: its key, its sessions and every token it holds. The first statement
/// returns a row when the grant was live.
pub fn revoke(key_id: i64, now: i64) -> Vec<Stmt> {
    vec![
        Stmt::new(
            "UPDATE oauth_grants SET status = 'revoked', decided_at = ?2 WHERE key_id = ?1 AND status IN ('active', 'pending') RETURNING key_id",
            vec![int(key_id), int(now)],
        ),
        Stmt::new("UPDATE keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", vec![int(key_id), int(now)]),
        Stmt::new(
            "UPDATE sessions SET ended_at = ?2 WHERE ended_at IS NULL AND key_hash = (SELECT key_hash FROM keys WHERE id = ?1)",
            vec![int(key_id), int(now)],
        ),
        Stmt::new("DELETE FROM oauth_tokens WHERE key_id = ?1", vec![int(key_id)]),
    ]
}

/// Every live grant of a client, revoked with it when it is blocked.
pub async fn live_for_client(db: &dyn Db, client_id: &str) -> Result<Vec<i64>, StoreError> {
    let rows = query(
        db,
        Stmt::new(
            "SELECT key_id FROM oauth_grants WHERE client_id = ?1 AND status IN ('active', 'pending')",
            vec![text(client_id)],
        ),
    )
    .await?;
    rows.iter().map(|r| get_i64(r, "key_id")).collect()
}

/// The Odoo credentials a grant was given with (its key row), for a person who confirms on a browser
/// that signed in before: `(odoo_login, encrypted Odoo API key, connection_id)`, if the grant's key is
/// not revoked by an administrator (a refused or revoked grant's credentials are not reused).
pub async fn credentials(db: &dyn Db, key_id: i64) -> Result<Option<(String, String, i64)>, StoreError> {
    let rows = query(
        db,
        Stmt::new(
            "SELECT k.odoo_login, k.odoo_key_enc, k.connection_id FROM keys k JOIN oauth_grants g ON g.key_id = k.id \
             WHERE k.id = ?1 AND g.status IN ('active', 'revoked') AND NOT EXISTS (SELECT 1 FROM key_suspensions s WHERE s.key_id = k.id)",
            vec![int(key_id)],
        ),
    )
    .await?;
    rows.first()
        .map(|r| Ok((get_str(r, "odoo_login")?, get_str(r, "odoo_key_enc")?, get_i64(r, "connection_id")?)))
        .transpose()
}

/// Makes a new access token's hash the grant key's hash until `expires_at`: the authentication batch
/// then serves the token exactly as it serves a key, in the same round trip. The key's sessions and
/// rate-limit window move with it, so a refresh neither ends a session nor resets the limit; the
/// previous access token stops working.
pub fn rotate_access(key_id: i64, new_hash: &str, expires_at: i64) -> Vec<Stmt> {
    vec![
        Stmt::new(
            "UPDATE sessions SET key_hash = ?2 WHERE key_hash = (SELECT key_hash FROM keys WHERE id = ?1)",
            vec![int(key_id), text(new_hash)],
        ),
        Stmt::new(
            "UPDATE rate_buckets SET key_hash = ?2 WHERE key_hash = (SELECT key_hash FROM keys WHERE id = ?1)",
            vec![int(key_id), text(new_hash)],
        ),
        Stmt::new(
            "UPDATE keys SET key_hash = ?2, expires_at = ?3 WHERE id = ?1 AND revoked_at IS NULL",
            vec![int(key_id), text(new_hash), int(expires_at)],
        ),
    ]
}

/// Ends a revoked access token without ending its grant: the key's hash becomes `unused_hash` (of a
/// secret no one holds) if it is still the token's; a refresh gives the grant a new one. The grant's
/// sessions and rate buckets go with the key's hash, as `rotate_access` moves them: the next refresh
/// carries them on (a session is the grant's, not the token's, and a revocation resets no limit).
pub fn retire_access(key_id: i64, token_hash: &str, unused_hash: &str) -> Vec<Stmt> {
    let args = || vec![int(key_id), text(token_hash), text(unused_hash)];
    vec![
        Stmt::new(
            "UPDATE sessions SET key_hash = ?3 WHERE key_hash = ?2 AND EXISTS (SELECT 1 FROM keys WHERE id = ?1 AND key_hash = ?2)",
            args(),
        ),
        Stmt::new(
            "UPDATE rate_buckets SET key_hash = ?3 WHERE key_hash = ?2 AND EXISTS (SELECT 1 FROM keys WHERE id = ?1 AND key_hash = ?2)",
            args(),
        ),
        Stmt::new("UPDATE keys SET key_hash = ?3 WHERE id = ?1 AND key_hash = ?2", args()),
    ]
}

/// A request no administrator decides within this is refused.
pub const PENDING_LIMIT_MS: i64 = 7 * 24 * 60 * 60_000;
/// The Odoo credentials of a grant that ended are kept this long (a person who signed in on a browser
/// may confirm again without typing their key), then erased.
pub const ENDED_CREDENTIALS_KEEP_MS: i64 = 90 * 24 * 60 * 60_000;

/// The daily sweep's statements for grants.
pub fn sweep(now: i64) -> Vec<Stmt> {
    vec![
        Stmt::new(
            "UPDATE oauth_grants SET status = 'refused', decided_at = ?1 WHERE status = 'pending' AND created_at < ?1 - ?2",
            vec![int(now), int(PENDING_LIMIT_MS)],
        ),
        Stmt::new(
            "UPDATE keys SET odoo_key_enc = '' WHERE odoo_key_enc <> '' AND id IN \
             (SELECT key_id FROM oauth_grants WHERE status IN ('revoked', 'refused') AND decided_at < ?1 - ?2)",
            vec![int(now), int(ENDED_CREDENTIALS_KEEP_MS)],
        ),
    ]
}
