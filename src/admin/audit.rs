//! `GET /admin/api/audit`: the audit trail filtered by key, event type and time, newest first, a page
//! at a time (`next_cursor`), or as JSON Lines (`format=jsonl`) for export; `GET …/audit/hourly`: tool
//! calls and refusals per hour over the last day, for the console's chart.

use super::{ApiError, ApiResult};
use crate::http::{HttpRequest, HttpResponse};
use crate::json;
use crate::services::Services;
use crate::store::audit::{self, AuditFilter};

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;
const MAX_EXPORT: i64 = 10_000;

fn int_param(req: &HttpRequest, name: &str) -> Result<Option<i64>, ApiError> {
    match req.query_param(name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| ApiError::bad_request(format!("'{name}' must be an integer"))),
    }
}

fn filter(req: &HttpRequest) -> Result<AuditFilter, ApiError> {
    let event = req.query_param("event").filter(|e| !e.is_empty());
    if event.as_ref().is_some_and(|e| e.len() > 60 || !e.chars().all(|c| c.is_ascii_lowercase() || c == '_')) {
        return Err(ApiError::bad_request("'event' is an event type such as tool_call"));
    }
    Ok(AuditFilter {
        key_id: int_param(req, "key_id")?,
        event,
        since: int_param(req, "since")?,
        until: int_param(req, "until")?,
        before_id: int_param(req, "cursor")?,
    })
}

pub async fn list(req: &HttpRequest, svc: &Services<'_>) -> ApiResult {
    let f = filter(req)?;
    let limit = int_param(req, "limit")?.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!("'limit' must be 1 to {MAX_LIMIT}")));
    }
    let mut rows = audit::list(svc.db, &f, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let mut out = json!({"events": rows, "event_types": audit::event_types(svc.db).await?});
    if more {
        out["next_cursor"] = json!(rows.last().map(|r| r.id.to_string()));
    }
    Ok((200, out))
}

/// JSON Lines, newest first, at most `MAX_EXPORT` rows; `x-next-cursor` says where the next export starts.
pub async fn export(req: &HttpRequest, svc: &Services<'_>) -> Result<HttpResponse, ApiError> {
    let f = filter(req)?;
    let mut rows = audit::list(svc.db, &f, MAX_EXPORT + 1).await?;
    let more = rows.len() as i64 > MAX_EXPORT;
    rows.truncate(MAX_EXPORT as usize);
    let mut body = String::new();
    for r in &rows {
        body.push_str(&json!(r).to_string());
        body.push('\n');
    }
    let mut resp = HttpResponse::text(200, "application/x-ndjson", body)
        .with_header("content-disposition", "attachment; filename=\"odoo-mcp-audit.jsonl\"");
    if let Some(last) = rows.last().filter(|_| more) {
        resp = resp.with_header("x-next-cursor", last.id.to_string());
    }
    Ok(resp)
}

const DAY_MS: i64 = 24 * 3_600_000;

/// `{"since", "hours": [{"hour", "calls", "refusals"}]}`: the last 24 hours (from the start of the hour
/// 23 hours ago), only the hours with something in them.
pub async fn hourly(svc: &Services<'_>) -> ApiResult {
    let since = (svc.now - DAY_MS + 3_600_000).div_euclid(3_600_000) * 3_600_000;
    Ok((200, json!({"since": since, "hours": audit::hourly(svc.db, since).await?})))
}
