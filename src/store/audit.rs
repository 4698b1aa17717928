//! The audit trail: rows written after each response (`AuditEvent`) and the administrator's view of
//! them (filters, newest first, id cursors).

use super::{get_i64, get_opt_i64, get_opt_str, get_str, int, opt_int, opt_text, query, text, StoreError};
use crate::platform::{Db, Stmt};
use crate::text::truncate;
use serde::Serialize;

/// An audit row, to be written after the response.
#[derive(Debug, Default, Clone)]
pub struct AuditEvent<'a> {
    pub event: &'a str,
    pub key_id: Option<i64>,
    pub key_prefix: Option<&'a str>,
    pub connection_id: Option<i64>,
    pub tool: Option<&'a str>,
    pub model: Option<&'a str>,
    pub operation: Option<&'a str>,
    pub outcome: &'a str,
    pub record_count: Option<i64>,
    pub duration_ms: Option<i64>,
    pub detail: Option<&'a str>,
}

const INSERT: &str = "INSERT INTO audit (at, event, key_id, key_prefix, connection_id, tool, model, operation, \
     outcome, record_count, duration_ms, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/// Whether a statement is an `AuditEvent`'s row (`store::after` lets those wait for others).
pub fn is_event(stmt: &Stmt) -> bool {
    stmt.sql == INSERT
}

impl AuditEvent<'_> {
    pub fn stmt(&self, at: i64) -> Stmt {
        Stmt::new(
            INSERT,
            vec![
                int(at),
                text(self.event),
                opt_int(self.key_id),
                opt_text(self.key_prefix),
                opt_int(self.connection_id),
                opt_text(self.tool),
                opt_text(self.model),
                opt_text(self.operation),
                text(self.outcome),
                opt_int(self.record_count),
                opt_int(self.duration_ms),
                // A detail is free text from our own code; cap it so one event cannot bloat the table.
                opt_text(self.detail.map(|d| truncate(d, 500))),
            ],
        )
    }
}

/// One audit row as the administrator sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub event: String,
    pub key_id: Option<i64>,
    pub key_prefix: Option<String>,
    pub connection_id: Option<i64>,
    pub tool: Option<String>,
    pub model: Option<String>,
    pub operation: Option<String>,
    pub outcome: Option<String>,
    pub record_count: Option<i64>,
    pub duration_ms: Option<i64>,
    pub detail: Option<String>,
}

/// Which rows to return: every filter is optional; `before_id` is the cursor of the previous page.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub key_id: Option<i64>,
    pub event: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub before_id: Option<i64>,
}

/// Up to `limit` rows, newest first.
pub async fn list(db: &dyn Db, f: &AuditFilter, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
    // Absent filters are NULL and match everything, so the statement stays one static string.
    let rows = query(
        db,
        Stmt::new(
            "SELECT id, at, event, key_id, key_prefix, connection_id, tool, model, operation, outcome, record_count, duration_ms, detail \
             FROM audit WHERE (?1 IS NULL OR key_id = ?1) AND (?2 IS NULL OR event = ?2) AND (?3 IS NULL OR at >= ?3) \
             AND (?4 IS NULL OR at < ?4) AND (?5 IS NULL OR id < ?5) ORDER BY id DESC LIMIT ?6",
            vec![opt_int(f.key_id), opt_text(f.event.as_deref()), opt_int(f.since), opt_int(f.until), opt_int(f.before_id), int(limit)],
        ),
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditRow {
                id: get_i64(r, "id")?,
                at: get_i64(r, "at")?,
                event: get_str(r, "event")?,
                key_id: get_opt_i64(r, "key_id")?,
                key_prefix: get_opt_str(r, "key_prefix")?,
                connection_id: get_opt_i64(r, "connection_id")?,
                tool: get_opt_str(r, "tool")?,
                model: get_opt_str(r, "model")?,
                operation: get_opt_str(r, "operation")?,
                outcome: get_opt_str(r, "outcome")?,
                record_count: get_opt_i64(r, "record_count")?,
                duration_ms: get_opt_i64(r, "duration_ms")?,
                detail: get_opt_str(r, "detail")?,
            })
        })
        .collect()
}

/// The event types present, for the console's filter.
pub async fn event_types(db: &dyn Db) -> Result<Vec<String>, StoreError> {
    query(db, Stmt::new("SELECT DISTINCT event FROM audit ORDER BY event", vec![]))
        .await?
        .iter()
        .map(|r| get_str(r, "event"))
        .collect()
}

/// One hour of the console's chart: its start (ms), the tool calls (actions included) and the refusals
/// (permission denials, failed authentications, rate limits) audited in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourCount {
    pub hour: i64,
    pub calls: i64,
    pub refusals: i64,
}

/// The hours since `since` that have a tool call or a refusal, oldest first.
pub async fn hourly(db: &dyn Db, since: i64) -> Result<Vec<HourCount>, StoreError> {
    let rows = query(
        db,
        Stmt::new(
            "SELECT at / 3600000 AS hour, \
             SUM(CASE WHEN event IN ('tool_call', 'action') THEN 1 ELSE 0 END) AS calls, \
             SUM(CASE WHEN event IN ('permission_denied', 'auth_failure', 'rate_limited') THEN 1 ELSE 0 END) AS refusals \
             FROM audit WHERE at >= ?1 GROUP BY hour HAVING calls + refusals > 0 ORDER BY hour",
            vec![int(since)],
        ),
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HourCount {
                hour: get_i64(r, "hour")? * 3_600_000,
                calls: get_i64(r, "calls")?,
                refusals: get_i64(r, "refusals")?,
            })
        })
        .collect()
}
