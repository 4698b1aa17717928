//! Session-era cancellation: a `notifications/cancelled` arrives on its own POST, maybe at another
//! isolate than the request it cancels, so it is recorded here and checked between Odoo calls.

use super::{int, text, StoreError};
use crate::platform::{Db, Stmt};
use serde_json::Value;

/// Request ids are stored as their JSON text, so the id `1` and the id `"1"` stay distinct.
fn id_key(request_id: &Value) -> String {
    request_id.to_string()
}

/// The longest request id (as JSON text) a cancellation is recorded for. Clients use small integers or
/// UUIDs; without a bound, one `notifications/cancelled` could store a megabyte in D1 for a day.
pub const MAX_ID_CHARS: usize = 200;

/// Whether a cancellation of this request id is worth recording (an id longer than `MAX_ID_CHARS` is
/// no request of a real client; such a request can still be cancelled by closing its stream).
pub fn recordable(request_id: &Value) -> bool {
    id_key(request_id).len() <= MAX_ID_CHARS
}

pub fn record(session_id: &str, request_id: &Value, now: i64) -> Stmt {
    Stmt::new(
        "INSERT INTO cancellations (session_id, request_id, at) VALUES (?1, ?2, ?3) ON CONFLICT (session_id, request_id) DO NOTHING",
        vec![text(session_id), text(&id_key(request_id)), int(now)],
    )
}

pub async fn is_cancelled(db: &dyn Db, session_id: &str, request_id: &Value) -> Result<bool, StoreError> {
    let rows = super::query(
        db,
        Stmt::new(
            "SELECT 1 AS hit FROM cancellations WHERE session_id = ?1 AND request_id = ?2",
            vec![text(session_id), text(&id_key(request_id))],
        ),
    )
    .await?;
    Ok(!rows.is_empty())
}
