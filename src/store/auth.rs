//! The authentication batch of `/mcp`: one D1 round trip that reads the presented key with its
//! connection and suspension, the connection's permissions, the rate limit's admission and window, the
//! client network's throttle, the session touch, and whatever `extra` statements the caller adds (they
//! ride along unseen, their rows handed back). Here are the statements and the reading of their rows;
//! what they mean for the request (revoked, expired, over the limit …) is `policy::auth`'s.

use super::connections::permissions_from_rows;
use super::failures::{self, Client};
use super::rate_limit::{self, Bucket};
use super::sessions::{self, SessionState};
use super::{each, get_i64, get_opt_i64, get_opt_str, get_str, text, StoreError};
use crate::access::{Approval, ModelPermission};
use crate::odoo::context::OdooContext;
use crate::odoo::{Connection, Transport};
use crate::platform::{Db, DbError, Row, Stmt};
use std::collections::BTreeMap;

/// Where each statement's rows are in the batch's results (the session touch only with a session id;
/// the extra statements after everything else).
const KEY_AT: usize = 0;
const PERMISSIONS_AT: usize = 1;
const ADMIT_AT: usize = 2;
const WINDOW_AT: usize = 3;
const BLOCKED_AT: usize = 4;
const SESSION_AT: usize = 6;

/// What a request's authentication asks of D1.
pub struct Lookup<'a> {
    pub key_hash: &'a str,
    pub client: &'a Client,
    pub session_id: Option<&'a str>,
    /// The environment's default limit, for a key without its own and no administrator's default.
    pub default_rate_limit: i64,
    /// The requests this one carries (one per message of a batch), counted against the limit at once.
    pub weight: i64,
    pub now: i64,
}

/// Runs the batch: `lookup`'s statements, then `extra`'s.
pub async fn run(db: &dyn Db, lookup: &Lookup<'_>, extra: Vec<Stmt>) -> Result<AuthRows, DbError> {
    let mut stmts = statements(lookup);
    let extra_at = stmts.len();
    stmts.extend(extra);
    let results = db.batch(stmts).await?;
    Ok(AuthRows { results, session: lookup.session_id.is_some(), extra_at })
}

fn statements(l: &Lookup<'_>) -> Vec<Stmt> {
    let mut stmts = vec![
        Stmt::new(
            concat!(
                "SELECT k.id, k.prefix, k.connection_id, k.odoo_login, k.odoo_key_enc, k.odoo_uid, k.scope, \
                 COALESCE(k.rate_limit, ",
                crate::rate_limit_sql!(),
                ") AS rate_limit, k.expires_at, k.revoked_at, k.last_used_at, c.url, c.database, c.odoo_major, c.odoo_minor, c.transport, \
                 s.suspended_at, a.operations AS approval, x.companies AS ctx_companies, x.lang AS ctx_lang, \
                 x.tz AS ctx_tz FROM keys k JOIN connections c ON c.id = k.connection_id \
                 LEFT JOIN key_suspensions s ON s.key_id = k.id LEFT JOIN key_approvals a ON a.key_id = k.id \
                 LEFT JOIN key_contexts x ON x.key_id = k.id WHERE k.key_hash = ?1"
            ),
            vec![text(l.key_hash)],
        ),
        permissions(l.key_hash),
        // Only live keys get a bucket row, so unknown keys cannot fill the table.
        rate_limit::admit(l.key_hash, l.default_rate_limit, l.now, l.weight, l.client),
        rate_limit::window(l.key_hash, l.now),
        // Read before the count below, so a throttled address is refused whatever its key.
        failures::blocked(l.client, l.now),
        failures::count(l.client, l.now, Some(l.key_hash)),
    ];
    if let Some(sid) = l.session_id {
        stmts.push(sessions::touch(sid, l.key_hash, l.now));
    }
    stmts
}

/// The permissions of the connection of the key with this hash, with their field policies and actions.
pub(super) fn permissions(key_hash: &str) -> Stmt {
    Stmt::new(
        concat!(
            "SELECT ",
            crate::permission_columns!(),
            " FROM model_permissions p JOIN keys k ON k.connection_id = p.connection_id",
            crate::permission_joins!(),
            " WHERE k.key_hash = ?1"
        ),
        vec![text(key_hash)],
    )
}

/// The key as the decisions need it: who it is, and what could refuse it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyStatus {
    pub id: i64,
    pub prefix: String,
    pub connection_id: i64,
    pub revoked: bool,
    pub expires_at: Option<i64>,
    pub suspended: bool,
    /// The key's own limit, else the administrator's default (`None`: neither; the environment's holds).
    pub rate_limit: Option<i64>,
}

impl KeyStatus {
    /// From a row of `keys k LEFT JOIN key_suspensions s` with `id`, `prefix`, `connection_id`,
    /// `revoked_at`, `expires_at`, `suspended_at` and `rate_limit`.
    pub(super) fn from_row(row: &Row) -> Result<KeyStatus, StoreError> {
        Ok(KeyStatus {
            id: get_i64(row, "id")?,
            prefix: get_str(row, "prefix")?,
            connection_id: get_i64(row, "connection_id")?,
            revoked: get_opt_i64(row, "revoked_at")?.is_some(),
            expires_at: get_opt_i64(row, "expires_at")?,
            suspended: get_opt_i64(row, "suspended_at")?.is_some(),
            rate_limit: get_opt_i64(row, "rate_limit")?,
        })
    }
}

/// The rest of a live key's row: what a request is served with.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyDetails {
    pub connection: Connection,
    pub odoo_login: String,
    pub odoo_key_enc: String,
    pub odoo_uid: Option<i64>,
    /// The key's scope as stored (JSON), if it has one.
    pub scope: Option<String>,
    /// What runs only once the key's person approved it.
    pub approval: Approval,
    /// The Odoo context its calls carry.
    pub context: OdooContext,
    /// When the key was last used (`None`: this request is its first use).
    pub last_used_at: Option<i64>,
}

/// The batch's rows, read on demand, so that a refusal reads only what it needs.
pub struct AuthRows {
    results: Vec<Vec<Row>>,
    session: bool,
    extra_at: usize,
}

impl AuthRows {
    /// Whether the client network used up its failed authentications this minute.
    pub fn throttled(&self) -> bool {
        self.results.get(BLOCKED_AT).is_some_and(|rows| !rows.is_empty())
    }

    fn key_row(&self) -> Option<&Row> {
        self.results.get(KEY_AT).and_then(|r| r.first())
    }

    /// The presented key, `None` when no key has that hash.
    pub fn key(&self) -> Result<Option<KeyStatus>, StoreError> {
        self.key_row().map(KeyStatus::from_row).transpose()
    }

    /// Whether the admission statement counted the request (it returns the bucket's count when it did).
    pub fn admitted(&self) -> bool {
        self.results.get(ADMIT_AT).is_some_and(|rows| !rows.is_empty())
    }

    /// The key's window as the admission statement left it.
    pub fn window(&self) -> Result<Vec<Bucket>, StoreError> {
        each(self.results.get(WINDOW_AT).map_or(&[], Vec::as_slice), rate_limit::bucket_from_row)
    }

    /// The key's connection, Odoo credentials and scope.
    pub fn key_details(&self) -> Result<KeyDetails, StoreError> {
        let row = self.key_row().ok_or_else(|| StoreError::Shape("no key row".into()))?;
        let transport = Transport::parse(&get_str(row, "transport")?)
            .ok_or_else(|| StoreError::Shape("unknown transport".into()))?;
        Ok(KeyDetails {
            connection: Connection {
                url: get_str(row, "url")?,
                database: get_str(row, "database")?,
                major: get_i64(row, "odoo_major")?,
                minor: get_i64(row, "odoo_minor")?,
                transport,
            },
            odoo_login: get_str(row, "odoo_login")?,
            odoo_key_enc: get_str(row, "odoo_key_enc")?,
            odoo_uid: get_opt_i64(row, "odoo_uid")?,
            scope: get_opt_str(row, "scope")?,
            approval: Approval::from_stored(get_opt_str(row, "approval")?.as_deref()),
            context: super::contexts::from_row(row, "ctx_")?,
            last_used_at: get_opt_i64(row, "last_used_at")?,
        })
    }

    /// The connection's model permissions with their field policies.
    pub fn permissions(&self) -> Result<BTreeMap<String, ModelPermission>, StoreError> {
        permissions_from_rows(self.results.get(PERMISSIONS_AT).map_or(&[], Vec::as_slice))
    }

    /// The touched session, when a session id was given and it belongs to this key and is alive.
    pub fn session(&self) -> Result<Option<SessionState>, StoreError> {
        match self.results.get(SESSION_AT).filter(|_| self.session) {
            Some(rows) => rows.first().map(sessions::from_row).transpose(),
            None => Ok(None),
        }
    }

    /// The rows of the `i`th extra statement.
    pub fn extra(&self, i: usize) -> Option<&[Row]> {
        self.results.get(self.extra_at + i).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: serde_json::Value) -> Row {
        v.as_object().cloned().unwrap_or_default()
    }

    fn lookup<'a>(client: &'a Client, session_id: Option<&'a str>) -> Lookup<'a> {
        Lookup { key_hash: "h", client, session_id, default_rate_limit: 60, weight: 1, now: 1_000 }
    }

    #[test]
    fn the_session_touch_comes_only_with_a_session_id_and_extra_rows_follow_everything() {
        let client = Client { network: "unknown".into(), limit: 30 };
        assert_eq!(statements(&lookup(&client, None)).len(), SESSION_AT);
        assert_eq!(statements(&lookup(&client, Some("s"))).len(), SESSION_AT + 1);
        let probe = vec![row(json!({"fetched_at": 5}))];
        let mut results = vec![vec![]; SESSION_AT];
        results.push(probe.clone());
        let rows = AuthRows { results, session: false, extra_at: SESSION_AT };
        assert_eq!(rows.extra(0), Some(probe.as_slice()));
        assert_eq!(rows.extra(1), None);
        assert_eq!(rows.session(), Ok(None), "without a session id no row is read as one");
    }

    #[test]
    fn rows_read_as_the_decisions_need_them() {
        let mut results = vec![vec![]; SESSION_AT + 1];
        results[KEY_AT] = vec![row(json!({
            "id": 7, "prefix": "omcp_ab", "connection_id": 1, "revoked_at": null, "expires_at": 9.0e3,
            "suspended_at": 3, "rate_limit": null, "transport": "xmlrpc"
        }))];
        results[ADMIT_AT] = vec![row(json!({"count": 1}))];
        results[WINDOW_AT] = vec![row(json!({"second": 1, "count": 1}))];
        results[SESSION_AT] =
            vec![row(json!({"id": "s", "protocol_version": "2025-06-18", "ended_at": 4, "log_level": null}))];
        let rows = AuthRows { results, session: true, extra_at: SESSION_AT + 1 };
        let key = rows.key().unwrap().unwrap();
        assert_eq!(
            (key.id, key.revoked, key.expires_at, key.suspended, key.rate_limit),
            (7, false, Some(9000), true, None)
        );
        assert!(rows.admitted() && !rows.throttled());
        assert_eq!(rows.window().unwrap(), vec![Bucket { second: 1, count: 1 }]);
        assert!(rows.session().unwrap().is_some_and(|s| s.ended));
        // An unknown transport is a shape error, read only when the key is served.
        assert_eq!(rows.key_details(), Err(StoreError::Shape("unknown transport".into())));
        let empty = AuthRows { results: vec![vec![]; SESSION_AT], session: false, extra_at: SESSION_AT };
        assert_eq!(empty.key(), Ok(None));
    }
}
