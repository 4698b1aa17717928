//! Settings an administrator changes at run time (admin API and console), layered over the
//! environment's values: the default rate limit, audit retention and allowed browser Origins.
//! The hot path never reads this table on its own: the rate limit and retention are folded into the
//! statements that use them (`rate_limit_sql!`, `retention_days_sql!`); only a browser Origin missing from the environment's
//! list costs a lookup.

use super::{get_str, int, query, text, StoreError};
use crate::platform::{Db, Stmt};
use serde::Serialize;

pub const DEFAULT_RATE_LIMIT: &str = "default_rate_limit";
pub const AUDIT_RETENTION_DAYS: &str = "audit_retention_days";
pub const ALLOWED_ORIGINS: &str = "allowed_origins";

/// SQL for the administrator's default rate limit (NULL when unset), for use inside another statement.
#[macro_export]
macro_rules! rate_limit_sql {
    () => {
        "(SELECT CAST(value AS INTEGER) FROM settings WHERE name = 'default_rate_limit')"
    };
}

/// SQL for the administrator's audit retention in days (NULL when unset).
#[macro_export]
macro_rules! retention_days_sql {
    () => {
        "(SELECT CAST(value AS INTEGER) FROM settings WHERE name = 'audit_retention_days')"
    };
}

/// What the administrator set; `None` = the environment's value applies.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Overrides {
    pub default_rate_limit: Option<i64>,
    pub audit_retention_days: Option<i64>,
    pub allowed_origins: Option<Vec<String>>,
}

pub async fn load(db: &dyn Db) -> Result<Overrides, StoreError> {
    let rows = query(db, Stmt::new("SELECT name, value FROM settings", vec![])).await?;
    let mut o = Overrides::default();
    for r in &rows {
        let value = get_str(r, "value")?;
        match get_str(r, "name")?.as_str() {
            DEFAULT_RATE_LIMIT => o.default_rate_limit = value.parse().ok(),
            AUDIT_RETENTION_DAYS => o.audit_retention_days = value.parse().ok(),
            ALLOWED_ORIGINS => o.allowed_origins = crate::json::from_str(&value).ok(),
            _ => {}
        }
    }
    Ok(o)
}

/// Sets (`Some`) or clears (`None`) one setting.
pub fn set(name: &'static str, value: Option<String>, now: i64) -> Stmt {
    match value {
        Some(v) => Stmt::new(
            "INSERT INTO settings (name, value, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (name) DO UPDATE SET value = ?2, updated_at = ?3",
            vec![text(name), text(&v), int(now)],
        ),
        None => Stmt::new("DELETE FROM settings WHERE name = ?1", vec![text(name)]),
    }
}

/// Whether the administrator listed this (normalised) Origin. A store failure answers no.
pub async fn origin_listed(db: &dyn Db, origin: &str) -> bool {
    let rows = query(db, Stmt::new("SELECT value FROM settings WHERE name = ?1", vec![text(ALLOWED_ORIGINS)])).await;
    let listed: Vec<String> = rows
        .ok()
        .and_then(|r| r.first().and_then(|r| get_str(r, "value").ok()))
        .and_then(|v| crate::json::from_str(&v).ok())
        .unwrap_or_default();
    listed.iter().any(|o| o == origin)
}
