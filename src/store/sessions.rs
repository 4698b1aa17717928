//! MCP sessions (2025 era): created at `initialize`, bound to the key that created them, ended by DELETE.

use super::{int, opt_text, text, StoreError};
use crate::platform::{Db, Stmt};

pub async fn create(
    db: &dyn Db,
    id: &str,
    key_hash: &str,
    protocol_version: &str,
    client_name: Option<&str>,
    client_version: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    db.batch(vec![Stmt::new(
        "INSERT INTO sessions (id, key_hash, protocol_version, client_name, client_version, created_at, last_seen_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        vec![
            text(id),
            text(key_hash),
            text(protocol_version),
            opt_text(client_name),
            opt_text(client_version),
            int(now),
        ],
    )])
    .await?;
    Ok(())
}

/// Ends a live session of this key. Returns whether one was ended.
pub async fn end(db: &dyn Db, id: &str, key_hash: &str, now: i64) -> Result<bool, StoreError> {
    let rows = super::query(
        db,
        Stmt::new(
            "UPDATE sessions SET ended_at = ?3 WHERE id = ?1 AND key_hash = ?2 AND ended_at IS NULL RETURNING id",
            vec![text(id), text(key_hash), int(now)],
        ),
    )
    .await?;
    Ok(!rows.is_empty())
}

pub fn set_log_level(id: &str, level: &str) -> Stmt {
    Stmt::new("UPDATE sessions SET log_level = ?2 WHERE id = ?1", vec![text(id), text(level)])
}
