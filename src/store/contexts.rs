//! The Odoo context of each key (`key_contexts`): the companies it may use (the default first), its
//! language and time zone. Read with the key in the authentication batch and in the admin API's list;
//! written when a key is issued or its context is changed.

use super::{get_opt_str, int, opt_text, StoreError};
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
        Some(json) => serde_json::from_str::<Vec<i64>>(&json)
            .map_err(|_| StoreError::Shape("key_contexts.companies is not a list of ids".into()))?,
    };
    Ok(OdooContext { companies, lang: col("lang")?, tz: col("tz")? })
}

/// Sets the context of the key with this hash (an empty one: its row goes), so that it can ride in the
/// batch that inserts the key.
pub fn set_for_hash(key_hash: &str, c: &OdooContext, now: i64) -> Stmt {
    if c.is_empty() {
        return Stmt::new(
            "DELETE FROM key_contexts WHERE key_id IN (SELECT id FROM keys WHERE key_hash = ?1)",
            vec![super::text(key_hash)],
        );
    }
    Stmt::new(
        "INSERT INTO key_contexts (key_id, companies, lang, tz, updated_at) SELECT id, ?2, ?3, ?4, ?5 FROM keys \
         WHERE key_hash = ?1 ON CONFLICT (key_id) DO UPDATE SET companies = excluded.companies, \
         lang = excluded.lang, tz = excluded.tz, updated_at = excluded.updated_at",
        vec![
            super::text(key_hash),
            opt_text(companies_json(c).as_deref()),
            opt_text(c.lang.as_deref()),
            opt_text(c.tz.as_deref()),
            int(now),
        ],
    )
}

/// Sets the context of the key with this id.
pub fn set_for_id(key_id: i64, c: &OdooContext, now: i64) -> Stmt {
    if c.is_empty() {
        return Stmt::new("DELETE FROM key_contexts WHERE key_id = ?1", vec![int(key_id)]);
    }
    Stmt::new(
        "INSERT INTO key_contexts (key_id, companies, lang, tz, updated_at) SELECT id, ?2, ?3, ?4, ?5 FROM keys \
         WHERE id = ?1 ON CONFLICT (key_id) DO UPDATE SET companies = excluded.companies, \
         lang = excluded.lang, tz = excluded.tz, updated_at = excluded.updated_at",
        vec![
            int(key_id),
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
