//! MCP sessions (2025 era): created at `initialize`, bound to the key that created them, ended by DELETE,
//! expired once idle past [`IDLE_LIMIT_MS`]: refused on use from then on, deleted by the daily sweep.

use super::{get_opt_i64, get_opt_str, get_str, int, opt_text, text, StoreError};
use crate::platform::{Db, Row, Stmt};

/// A session unused this long is expired: a request naming it gets 404 (the client initializes a new
/// one), as for an ended one, and the retention sweep deletes it.
pub const IDLE_LIMIT_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// The earliest `last_seen_at` of a session still alive at `now`.
pub fn alive_since(now: i64) -> i64 {
    now - IDLE_LIMIT_MS
}

/// Marks the session used at `now`, if it belongs to this key and has not expired (an ended one is
/// returned, so that the caller can tell it apart); its row as it then stands.
pub fn touch(id: &str, key_hash: &str, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE sessions SET last_seen_at = ?3 WHERE id = ?1 AND key_hash = ?2 AND last_seen_at >= ?4 \
         RETURNING id, protocol_version, ended_at, log_level",
        vec![text(id), text(key_hash), int(now), int(alive_since(now))],
    )
}

/// A session as the touch in the authentication batch found it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionState {
    pub id: String,
    pub protocol_version: String,
    pub ended: bool,
    pub log_level: Option<String>,
}

/// Reads a row `touch` returned.
pub fn from_row(r: &Row) -> Result<SessionState, StoreError> {
    Ok(SessionState {
        id: get_str(r, "id")?,
        protocol_version: get_str(r, "protocol_version")?,
        ended: get_opt_i64(r, "ended_at")?.is_some(),
        log_level: get_opt_str(r, "log_level")?,
    })
}

/// A session as `initialize` opens it.
pub struct NewSession<'a> {
    pub id: &'a str,
    pub key_hash: &'a str,
    pub protocol_version: &'a str,
    pub client_name: Option<&'a str>,
    pub client_version: Option<&'a str>,
    /// The client declared form elicitation: it can ask its person to approve (`session_clients`).
    pub elicitation: bool,
}

pub async fn create(db: &dyn Db, s: &NewSession<'_>, now: i64) -> Result<(), StoreError> {
    db.batch(vec![
        Stmt::new(
            "INSERT INTO sessions (id, key_hash, protocol_version, client_name, client_version, created_at, last_seen_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            vec![
                text(s.id),
                text(s.key_hash),
                text(s.protocol_version),
                opt_text(s.client_name),
                opt_text(s.client_version),
                int(now),
            ],
        ),
        // What the client can be asked later (an approval), in the same batch.
        super::approvals::record_client(s.id, s.elicitation),
    ])
    .await?;
    Ok(())
}

/// Ends a live session of this key (neither ended nor expired). Returns whether one was ended.
pub async fn end(db: &dyn Db, id: &str, key_hash: &str, now: i64) -> Result<bool, StoreError> {
    let rows = super::query(
        db,
        Stmt::new(
            "UPDATE sessions SET ended_at = ?3 WHERE id = ?1 AND key_hash = ?2 AND ended_at IS NULL \
             AND last_seen_at >= ?4 RETURNING id",
            vec![text(id), text(key_hash), int(now), int(alive_since(now))],
        ),
    )
    .await?;
    Ok(!rows.is_empty())
}

pub fn set_log_level(id: &str, level: &str) -> Stmt {
    Stmt::new("UPDATE sessions SET log_level = ?2 WHERE id = ?1", vec![text(id), text(level)])
}
