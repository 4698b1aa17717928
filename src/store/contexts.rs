//! The Odoo context of each key (`key_contexts`): the companies it may use (the default first), its
//! language and time zone. Read with the key in the authentication batch and in the admin API's list;
//! written when a key is issued or its context is changed.

use super::{get_opt_str, int, opt_text, KeyRef, StoreError};
use crate::json;
use crate::odoo::context::OdooContext;
use crate::platform::{Row, Stmt};

/// The context from a row's `{prefix}companies`, `{prefix}lang` and `{prefix}tz` columns (a LEFT JOIN's
/// nulls: none). Stored companies that cannot be read are a shape error, never an empty list (which
/// would mean "the user's default" and could widen what the key sees).
pub fn from_row(row: &Row, prefix: &str) -> Result<OdooContext, StoreError> {
    let col = |name: &str| get_opt_str(row, &format!("{prefix}{name}"));
    let companies = match col("companies")? {
        None => Vec::new(),
        Some(json) => crate::json::from_str::<Vec<i64>>(&json)
            .map_err(|_| StoreError::Shape("key_contexts.companies is not a list of ids".into()))?,
    };
    Ok(OdooContext { companies, lang: col("lang")?, tz: col("tz")? })
}

/// Sets a key's context (an empty one: its row goes).
pub fn set(key: KeyRef<'_>, c: &OdooContext, now: i64) -> Stmt {
    let [hash, id] = key.params();
    if c.is_empty() {
        return Stmt::new(
            "DELETE FROM key_contexts WHERE key_id IN (SELECT id FROM keys WHERE key_hash = ?1 OR id = ?2)",
            vec![hash, id],
        );
    }
    Stmt::new(
        "INSERT INTO key_contexts (key_id, companies, lang, tz, updated_at) SELECT id, ?3, ?4, ?5, ?6 FROM keys \
         WHERE key_hash = ?1 OR id = ?2 ON CONFLICT (key_id) DO UPDATE SET companies = excluded.companies, \
         lang = excluded.lang, tz = excluded.tz, updated_at = excluded.updated_at",
        vec![
            hash,
            id,
            opt_text(companies_json(c).as_deref()),
            opt_text(c.lang.as_deref()),
            opt_text(c.tz.as_deref()),
            int(now),
        ],
    )
}

fn companies_json(c: &OdooContext) -> Option<String> {
    (!c.companies.is_empty()).then(|| json!(c.companies).to_string())
}
