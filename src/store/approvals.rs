//! The rows of the person's approval (`mcp::approval` decides what they mean): which operations a key
//! runs only once approved (`key_approvals`)
//! and new OAuth grants (`oauth_approvals`), whether a session's client can be asked (`session_clients`),
//! the answers clients post for a question that may wait in another isolate (`approval_answers`), and the
//! approvals of the stateless era already used (`approval_uses`).

use super::{get_opt_str, int, text, KeyRef, StoreError};
use crate::access::Approval;
use crate::json;
use crate::platform::{Db, DbError, Stmt};

/// Sets a key's approval rule (none: its row goes).
pub fn set(key: KeyRef<'_>, approval: Approval, now: i64) -> Stmt {
    let [hash, id] = key.params();
    if approval.is_none() {
        return Stmt::new(
            "DELETE FROM key_approvals WHERE key_id IN (SELECT id FROM keys WHERE key_hash = ?1 OR id = ?2)",
            vec![hash, id],
        );
    }
    Stmt::new(
        "INSERT INTO key_approvals (key_id, operations, updated_at) SELECT id, ?3, ?4 FROM keys \
         WHERE key_hash = ?1 OR id = ?2 \
         ON CONFLICT (key_id) DO UPDATE SET operations = excluded.operations, updated_at = excluded.updated_at",
        vec![hash, id, text(&json!(approval.names()).to_string()), int(now)],
    )
}

/// Sets what new OAuth grants of the connection run only once approved (none: its row goes).
pub fn set_for_grants(connection_id: i64, approval: Approval, now: i64) -> Stmt {
    if approval.is_none() {
        return Stmt::new("DELETE FROM oauth_approvals WHERE connection_id = ?1", vec![int(connection_id)]);
    }
    Stmt::new(
        "INSERT INTO oauth_approvals (connection_id, operations, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (connection_id) DO UPDATE SET operations = excluded.operations, updated_at = excluded.updated_at",
        vec![int(connection_id), text(&json!(approval.names()).to_string()), int(now)],
    )
}

/// Records, at `initialize`, whether the session's client can be asked a form question.
pub fn record_client(session_id: &str, elicitation: bool) -> Stmt {
    Stmt::new(
        "INSERT INTO session_clients (session_id, elicitation) VALUES (?1, ?2) \
         ON CONFLICT (session_id) DO UPDATE SET elicitation = excluded.elicitation",
        vec![text(session_id), int(i64::from(elicitation))],
    )
}

/// Whether the session's client declared form elicitation at `initialize` (no row: it did not).
pub async fn client_can_elicit(db: &dyn Db, session_id: &str) -> Result<bool, StoreError> {
    let rows = super::query(
        db,
        Stmt::new("SELECT elicitation FROM session_clients WHERE session_id = ?1", vec![text(session_id)]),
    )
    .await?;
    Ok(rows.first().and_then(|r| r.get("elicitation")).and_then(|v| v.as_i64()) == Some(1))
}

/// A client's answer to the question `request_id` of the session (the first one counts).
pub fn record_answer(session_id: &str, request_id: &str, answer: &str, now: i64) -> Stmt {
    Stmt::new(
        "INSERT INTO approval_answers (session_id, request_id, answer, at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (session_id, request_id) DO NOTHING",
        vec![text(session_id), text(request_id), text(answer), int(now)],
    )
}

/// What a waiting question finds in one round trip: its answer, if one came, and whether the request
/// was cancelled (`cancelled_id` is the request's own id as `cancellations` stores it).
pub async fn poll(
    db: &dyn Db,
    session_id: &str,
    request_id: &str,
    cancelled_id: &str,
) -> Result<(Option<String>, bool), StoreError> {
    let results = db
        .batch(vec![
            Stmt::new(
                "SELECT answer FROM approval_answers WHERE session_id = ?1 AND request_id = ?2",
                vec![text(session_id), text(request_id)],
            ),
            Stmt::new(
                "SELECT 1 AS hit FROM cancellations WHERE session_id = ?1 AND request_id = ?2",
                vec![text(session_id), text(cancelled_id)],
            ),
        ])
        .await?;
    let answer = match results.first().and_then(|rows| rows.first()) {
        Some(row) => get_opt_str(row, "answer")?,
        None => None,
    };
    Ok((answer, results.get(1).is_some_and(|rows| !rows.is_empty())))
}

/// Marks a stateless approval used; `false` when it already was (a replay).
pub async fn use_once(db: &dyn Db, nonce: &str, now: i64) -> Result<bool, StoreError> {
    match db
        .batch(vec![Stmt::new("INSERT INTO approval_uses (nonce, at) VALUES (?1, ?2)", vec![text(nonce), int(now)])])
        .await
    {
        Ok(_) => Ok(true),
        Err(DbError::Constraint(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
