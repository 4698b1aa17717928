//! OAuth clients: registered here (RFC 7591), introduced by a metadata document (kept as a cache of the
//! last fetch), or pre-registered by an administrator.

use crate::platform::{Db, Row, Stmt};
use crate::store::each;
use crate::store::{get_i64, get_opt_i64, get_opt_str, get_str, int, opt_int, opt_text, query, text, StoreError};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientRow {
    pub client_id: String,
    /// `registered`, `document` or `admin`.
    pub source: String,
    pub name: Option<String>,
    pub client_uri: Option<String>,
    pub redirect_uris: Vec<String>,
    pub auth_method: String,
    #[serde(skip)]
    pub secret_hash: Option<String>,
    pub created_at: i64,
    pub fetched_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub blocked_at: Option<i64>,
}

/// A query of every column `ClientRow::from_row` reads, ending with the given clause (a macro so that
/// statements stay `&'static str`).
macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT client_id, source, name, client_uri, redirect_uris, auth_method, secret_hash, created_at, \
             fetched_at, last_used_at, blocked_at FROM oauth_clients ",
            $tail
        )
    };
}

impl ClientRow {
    fn from_row(row: &Row) -> Result<ClientRow, StoreError> {
        let uris = get_str(row, "redirect_uris")?;
        Ok(ClientRow {
            client_id: get_str(row, "client_id")?,
            source: get_str(row, "source")?,
            name: get_opt_str(row, "name")?,
            client_uri: get_opt_str(row, "client_uri")?,
            redirect_uris: crate::json::from_str(&uris)
                .map_err(|_| StoreError::Shape("oauth_clients.redirect_uris is not a JSON list".into()))?,
            auth_method: get_str(row, "auth_method")?,
            secret_hash: get_opt_str(row, "secret_hash")?,
            created_at: get_i64(row, "created_at")?,
            fetched_at: get_opt_i64(row, "fetched_at")?,
            last_used_at: get_opt_i64(row, "last_used_at")?,
            blocked_at: get_opt_i64(row, "blocked_at")?,
        })
    }
}

/// Stores a client. A metadata document fetched again replaces what it said before, but never lifts an
/// administrator's block nor changes where the client came from.
pub fn save(c: &ClientRow) -> Stmt {
    Stmt::new(
        "INSERT INTO oauth_clients (client_id, source, name, client_uri, redirect_uris, auth_method, secret_hash, created_at, fetched_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, client_uri = excluded.client_uri, \
         redirect_uris = excluded.redirect_uris, auth_method = excluded.auth_method, fetched_at = excluded.fetched_at",
        vec![
            text(&c.client_id),
            text(&c.source),
            opt_text(c.name.as_deref()),
            opt_text(c.client_uri.as_deref()),
            text(&serde_json::Value::from(c.redirect_uris.clone()).to_string()),
            text(&c.auth_method),
            opt_text(c.secret_hash.as_deref()),
            int(c.created_at),
            opt_int(c.fetched_at),
        ],
    )
}

pub async fn find(db: &dyn Db, client_id: &str) -> Result<Option<ClientRow>, StoreError> {
    query(db, Stmt::new(select!("WHERE client_id = ?1"), vec![text(client_id)]))
        .await?
        .first()
        .map(ClientRow::from_row)
        .transpose()
}

pub async fn list(db: &dyn Db) -> Result<Vec<ClientRow>, StoreError> {
    query(db, Stmt::new(select!("ORDER BY created_at DESC"), vec![]))
        .await
        .and_then(|rows| each(&rows, ClientRow::from_row))
}

/// Blocks (or unblocks) a client: a blocked client gets no sign-in page and no token, and its grants'
/// tokens stop working (the grants are revoked with `grants::revoke_for_client`).
pub fn set_blocked(client_id: &str, blocked_at: Option<i64>) -> Stmt {
    Stmt::new(
        "UPDATE oauth_clients SET blocked_at = ?2 WHERE client_id = ?1 RETURNING client_id",
        vec![text(client_id), opt_int(blocked_at)],
    )
}

pub fn touch(client_id: &str, now: i64) -> Stmt {
    Stmt::new("UPDATE oauth_clients SET last_used_at = ?2 WHERE client_id = ?1", vec![text(client_id), int(now)])
}

/// A registration no one signs in with is deleted after this (anyone may register).
pub const UNUSED_REGISTRATION_MS: i64 = 24 * 60 * 60_000;

/// Registered clients that never got a grant within `unused_ms` of registering are deleted: anyone may
/// register, so what no one uses must not pile up.
pub fn sweep(now: i64, unused_ms: i64) -> Stmt {
    Stmt::new(
        "DELETE FROM oauth_clients WHERE source = 'registered' AND created_at < ?1 - ?2 AND last_used_at IS NULL \
         AND blocked_at IS NULL AND NOT EXISTS (SELECT 1 FROM oauth_grants g WHERE g.client_id = oauth_clients.client_id)",
        vec![int(now), int(unused_ms)],
    )
}
