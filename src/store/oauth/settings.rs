//! Each connection's OAuth settings: whether its sign-in is offered, who may connect (anyone of its Odoo
//! database, listed logins, or whoever an administrator approves), and a grant's default scope and rate
//! limit. A connection without a row does not offer OAuth: default-deny.

use crate::access::Approval;
use crate::platform::{Db, Row, Stmt};
use crate::store::each;
use crate::store::{
    get_bool, get_i64, get_opt_i64, get_opt_str, get_str, int, opt_int, opt_text, query, text, StoreError,
};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OAuthSettings {
    pub connection_id: i64,
    pub enabled: bool,
    /// any, list or ask.
    pub who: String,
    pub logins: Vec<String>,
    /// A grant's default scope as a key's scope JSON; `None`: read only.
    pub scope: Option<serde_json::Value>,
    pub rate_limit: Option<i64>,
    /// What a new grant runs only once its person approved it (`oauth_approvals`).
    pub approval: Approval,
    pub updated_at: i64,
}

impl OAuthSettings {
    fn from_row(row: &Row) -> Result<OAuthSettings, StoreError> {
        let logins = get_opt_str(row, "logins")?.unwrap_or_else(|| "[]".into());
        Ok(OAuthSettings {
            connection_id: get_i64(row, "connection_id")?,
            enabled: get_bool(row, "enabled")?,
            who: get_str(row, "who")?,
            logins: crate::json::from_str(&logins)
                .map_err(|_| StoreError::Shape("oauth_settings.logins is not a JSON list".into()))?,
            scope: get_opt_str(row, "scope")?.and_then(|s| crate::json::from_str(&s).ok()),
            rate_limit: get_opt_i64(row, "rate_limit")?,
            approval: Approval::from_stored(get_opt_str(row, "approval")?.as_deref()),
            updated_at: get_i64(row, "updated_at")?,
        })
    }
}

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT o.connection_id, o.enabled, o.who, o.logins, o.scope, o.rate_limit, o.updated_at, \
             a.operations AS approval FROM oauth_settings o LEFT JOIN oauth_approvals a ON a.connection_id = o.connection_id ",
            $tail
        )
    };
}

pub async fn for_connection(db: &dyn Db, connection_id: i64) -> Result<Option<OAuthSettings>, StoreError> {
    let rows = query(db, Stmt::new(select!("WHERE o.connection_id = ?1"), vec![int(connection_id)])).await?;
    rows.first().map(OAuthSettings::from_row).transpose()
}

/// The connections whose sign-in is offered, oldest first.
pub async fn enabled(db: &dyn Db) -> Result<Vec<OAuthSettings>, StoreError> {
    let rows = query(db, Stmt::new(select!("WHERE o.enabled = 1 ORDER BY o.connection_id"), vec![])).await?;
    each(&rows, OAuthSettings::from_row)
}

/// The statements that save the settings, their approval rule included.
pub fn save(s: &OAuthSettings) -> Vec<Stmt> {
    vec![save_settings(s), crate::store::approvals::set_for_grants(s.connection_id, s.approval, s.updated_at)]
}

fn save_settings(s: &OAuthSettings) -> Stmt {
    Stmt::new(
        "INSERT INTO oauth_settings (connection_id, enabled, who, logins, scope, rate_limit, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT (connection_id) DO UPDATE SET enabled = excluded.enabled, who = excluded.who, logins = excluded.logins, \
         scope = excluded.scope, rate_limit = excluded.rate_limit, updated_at = excluded.updated_at",
        vec![
            int(s.connection_id),
            int(i64::from(s.enabled)),
            text(&s.who),
            text(&serde_json::Value::from(s.logins.clone()).to_string()),
            opt_text(s.scope.as_ref().map(|v| v.to_string()).as_deref()),
            opt_int(s.rate_limit),
            int(s.updated_at),
        ],
    )
}

/// Whether any connection offers OAuth sign-in: until one does, the server advertises no authorization
/// server at all (no metadata, no `resource_metadata` in a 401), so that a client configured with a
/// key is never sent into a sign-in that cannot succeed.
pub async fn any_enabled(db: &dyn Db) -> bool {
    query(db, Stmt::new("SELECT 1 AS on_ FROM oauth_settings WHERE enabled = 1 LIMIT 1", vec![]))
        .await
        .is_ok_and(|rows| !rows.is_empty())
}
