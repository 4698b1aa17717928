//! The D1 tier: Odoo's `fields_get` answer per (connection, Odoo version, Odoo user, model; the version
//! also names the attribute list the answer was fetched with), so that an isolate that has never seen a
//! model need not ask Odoo. The lookup for the model a request names rides in the authentication batch
//! (`probe`), so a warm cache costs no extra round trip; writes happen after the response. An isolate
//! that already holds the same fetch gets the row's time without its (large) JSON.

use crate::platform::{Db, Row, Stmt};
use crate::store::{get_i64, get_opt_str, int, query, text, StoreError};

/// A fetch is trusted this long; after it, Odoo is asked again (a module install may add fields).
pub const TTL_MS: i64 = 60 * 60 * 1000;

/// A cached fetch: when it was made, and its JSON unless the caller said it holds that very fetch.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedFetch {
    pub fetched_at: i64,
    pub fields_json: Option<String>,
}

impl CachedFetch {
    pub fn is_fresh(&self, now: i64) -> bool {
        now - self.fetched_at < TTL_MS
    }
}

/// What follows the Odoo version in a row's `odoo_version`: the `fields_get` attribute list the answer
/// was fetched with. A row of another list (an older deploy's, still running during a rolling deploy)
/// is another key: never read here, and it expires with its `fetched_at`.
fn attributes_suffix() -> String {
    format!(" attributes:{}", crate::odoo::schema::ATTRIBUTES_VERSION)
}

fn version_of(major: i64, minor: i64) -> String {
    format!("{major}.{minor}{}", attributes_suffix())
}

/// For the authentication batch: the row of `model` for the key's connection, current version and
/// user. `held` is the fetch time of the copy the isolate holds (its JSON is then not sent).
pub fn probe(key_hash: &str, model: &str, held: Option<i64>) -> Stmt {
    Stmt::new(
        "SELECT s.fetched_at, CASE WHEN s.fetched_at = ?3 THEN NULL ELSE s.fields_json END AS fields_json \
         FROM keys k JOIN connections c ON c.id = k.connection_id \
         JOIN schema_cache s ON s.connection_id = k.connection_id AND s.odoo_login = k.odoo_login \
           AND s.odoo_version = c.odoo_major || '.' || c.odoo_minor || ?4 \
         WHERE k.key_hash = ?1 AND s.model = ?2",
        vec![text(key_hash), text(model), held.map(int).unwrap_or(serde_json::Value::Null), text(&attributes_suffix())],
    )
}

/// Reads a `probe` (or `lookup`) result row.
pub fn from_row(row: &Row) -> Result<CachedFetch, StoreError> {
    Ok(CachedFetch { fetched_at: get_i64(row, "fetched_at")?, fields_json: get_opt_str(row, "fields_json")? })
}

/// The same lookup on its own, for a model the request did not name up front.
pub async fn lookup(
    db: &dyn Db,
    connection_id: i64,
    major: i64,
    minor: i64,
    login: &str,
    model: &str,
    held: Option<i64>,
) -> Result<Option<CachedFetch>, StoreError> {
    let stmt = Stmt::new(
        "SELECT fetched_at, CASE WHEN fetched_at = ?5 THEN NULL ELSE fields_json END AS fields_json FROM schema_cache \
         WHERE connection_id = ?1 AND odoo_version = ?2 AND odoo_login = ?3 AND model = ?4",
        vec![
            int(connection_id),
            text(&version_of(major, minor)),
            text(login),
            text(model),
            held.map(int).unwrap_or(serde_json::Value::Null),
        ],
    );
    query(db, stmt).await?.first().map(from_row).transpose()
}

pub fn store(
    connection_id: i64,
    major: i64,
    minor: i64,
    login: &str,
    model: &str,
    fields_json: &str,
    now: i64,
) -> Stmt {
    Stmt::new(
        "INSERT INTO schema_cache (connection_id, odoo_version, odoo_login, model, fields_json, fetched_at) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM connections WHERE id = ?1) \
         ON CONFLICT (connection_id, odoo_version, odoo_login, model) DO UPDATE SET fields_json = excluded.fields_json, fetched_at = excluded.fetched_at",
        vec![int(connection_id), text(&version_of(major, minor)), text(login), text(model), text(fields_json), int(now)],
    )
}

/// Forgets every cached schema of a connection (a version change), after the response.
pub fn clear(connection_id: i64) -> Stmt {
    Stmt::new("DELETE FROM schema_cache WHERE connection_id = ?1", vec![int(connection_id)])
}

/// Forgets every cached schema of a connection now; how many there were.
pub async fn clear_now(db: &dyn Db, connection_id: i64) -> Result<usize, StoreError> {
    let stmt = Stmt::new("DELETE FROM schema_cache WHERE connection_id = ?1 RETURNING model", vec![int(connection_id)]);
    Ok(query(db, stmt).await?.len())
}

/// For the retention sweep.
pub fn sweep(now: i64) -> Stmt {
    Stmt::new("DELETE FROM schema_cache WHERE fetched_at < ?1", vec![int(now - TTL_MS)])
}
