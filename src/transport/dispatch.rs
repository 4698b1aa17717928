//! From a lane to a handler, for an authenticated request in either lane: `serve_request` and
//! `serve_message` (the one path every JSON-RPC request takes, a single message's or one of a batch's:
//! stream or not, dispatch, the log fields and the audit of a cancellation), then `dispatch`: method
//! name → capability handler, with the methods each lane has of its own (`ping` and `logging/setLevel`
//! in the session lane, `server/discover` in the stateless lane). Also what a lane must know of a
//! method before running it: whether it may stream notifications, and the subrequests a batch must
//! leave it.

use super::reply::Admitted;
use crate::capabilities::{completion, prompts, resources, tools};
use crate::http::LogFields;
use crate::json;
use crate::mcp::asking::{self, Asking};
use crate::mcp::context::{Lane, RequestCtx};
use crate::mcp::jsonrpc::{self, RpcError, INVALID_REQUEST};
use crate::mcp::lifecycle;
use crate::mcp::stream::{self, log_level_rank, sse_head, Notifier, LOG_LEVELS};
use crate::platform::Stmt;
use crate::store::{self, AuditEvent};
use serde_json::{Map, Value};

/// Serves one request of a single-message POST in either lane: streams it when it asked for progress
/// or logs and the client accepts SSE, then serves it through `serve_message`. `None` means cancelled:
/// nothing at all is sent for it.
pub async fn serve_request(
    post: &Admitted<'_>,
    lane: Lane<'_>,
    id: &Value,
    method: &str,
    params: &Map<String, Value>,
    after: &mut Vec<Stmt>,
    log: &mut LogFields,
) -> Option<Result<Value, RpcError>> {
    let token = progress_token(params);
    let threshold = match &lane {
        Lane::Session { session, .. } => session.log_level.as_deref().and_then(log_level_rank),
        Lane::Stateless { log_threshold } => *log_threshold,
    };
    let streaming = post.accepts_sse && may_notify(method) && (token.is_some() || threshold.is_some());
    let notify = if streaming { Notifier::new(post.stream.clone(), token, threshold) } else { Notifier::silent() };
    if streaming {
        post.stream.start(sse_head());
        log.insert("streamed".into(), json!(true));
    }
    // How a question to the person travels: on this request's stream (session era), or in its result
    // and the client's retry (2026-07-28).
    let asking = match &lane {
        Lane::Session { .. } if post.accepts_sse => Asking::Stream(post.stream.clone()),
        Lane::Session { .. } => Asking::Unable(asking::NO_STREAM),
        Lane::Stateless { .. } => Asking::from_stateless_params(params),
    };
    let ctx = RequestCtx::new(post.svc, post.auth, lane, id.clone(), &notify).with_asking(asking);
    serve_message(post, ctx, method, params, after, log).await
}

/// The path every request takes to its handler, a single message's or one of a batch's (whose `ctx`
/// has a silent notifier: a batch's answer is one array, never a stream): dispatch
/// (abandoned if the client leaves a started stream), the statements and log fields the handler left,
/// the tool and outcome in the log, and the audit row of a cancellation. `None` means cancelled.
pub async fn serve_message(
    post: &Admitted<'_>,
    ctx: RequestCtx<'_>,
    method: &str,
    params: &Map<String, Value>,
    after: &mut Vec<Stmt>,
    log: &mut LogFields,
) -> Option<Result<Value, RpcError>> {
    let result = dispatch_watching(&ctx, method, params).await;
    let (stmts, noted) = ctx.into_parts();
    after.extend(stmts);
    log.extend(noted);
    if let Some(tool) = params.get("name").and_then(Value::as_str).filter(|_| method == "tools/call") {
        log.insert("tool".into(), json!(crate::text::truncate(tool, 64)));
    }
    match &result {
        Err(e) if e.is_cancelled() => {
            after.push(cancelled_audit(post, method, params));
            log.insert("outcome".into(), json!("cancelled"));
            post.stream.finish();
            return None;
        }
        Err(e) => {
            log.insert("outcome".into(), json!("rpc_error"));
            log.insert("rpc_code".into(), json!(e.code));
        }
        // A tool names its own outcome (ok, invalid, denied, odoo_error …).
        Ok(_) => {
            log.entry("outcome").or_insert(json!("ok"));
        }
    }
    Some(result)
}

/// The audit row of a request that was cancelled before it finished.
fn cancelled_audit(post: &Admitted<'_>, method: &str, params: &Map<String, Value>) -> Stmt {
    let auth = post.auth;
    let tool = params
        .get("name")
        .and_then(Value::as_str)
        .filter(|_| method == "tools/call")
        .map(|t| crate::text::truncate(t, 64));
    AuditEvent { tool, detail: Some(method), ..auth.audit_event("request_cancelled", "cancelled") }.stmt(post.svc.now)
}

pub async fn dispatch(ctx: &RequestCtx<'_>, method: &str, params: &Map<String, Value>) -> Result<Value, RpcError> {
    match (method, &ctx.lane) {
        ("tools/list", _) => tools::list(ctx, params),
        ("tools/call", _) => tools::call(ctx, params).await,
        ("prompts/list", _) => prompts::list(ctx, params),
        ("prompts/get", _) => prompts::get(ctx, params).await,
        ("resources/list", _) => resources::list(ctx, params),
        ("resources/templates/list", _) => resources::templates_list(ctx, params),
        ("resources/read", _) => resources::read(ctx, params).await,
        ("completion/complete", _) => completion::complete(ctx, params).await,
        ("server/discover", Lane::Stateless { .. }) => Ok(lifecycle::discover_result()),
        ("ping", Lane::Session { .. }) => Ok(json!({})),
        ("logging/setLevel", Lane::Session { session, .. }) => {
            let level =
                params.get("level").and_then(Value::as_str).filter(|l| LOG_LEVELS.contains(l)).ok_or_else(|| {
                    RpcError::invalid_params(format!(
                        "Invalid params: 'level' must be one of {}",
                        LOG_LEVELS.join(", ")
                    ))
                })?;
            ctx.defer(store::sessions::set_log_level(&session.id, level));
            Ok(json!({}))
        }
        ("initialize", Lane::Session { .. }) => {
            Err(RpcError::new(INVALID_REQUEST, "Invalid Request: the session is already initialized"))
        }
        _ => Err(RpcError::method_not_found(method)),
    }
}

/// `dispatch`, abandoned as soon as the client closes a streamed response (cancellation).
pub async fn dispatch_watching(
    ctx: &RequestCtx<'_>,
    method: &str,
    params: &Map<String, Value>,
) -> Result<Value, RpcError> {
    let stream = ctx.notify.stream();
    if !stream.is_started() {
        return dispatch(ctx, method, params).await;
    }
    stream::until(dispatch(ctx, method, params), stream.gone()).await.unwrap_or_else(|| Err(RpcError::cancelled()))
}

/// The subrequests a message of a JSON-RPC batch must find left before it starts (the batch shares one
/// request's budget): none for the methods that answer from what authentication read, an estimate for
/// those that may reach D1 or Odoo (a tool's is its own, `tools::subrequests_reserve`).
pub fn subrequests_reserve(method: &str, params: &Map<String, Value>) -> u32 {
    match method {
        "tools/call" => tools::subrequests_reserve(params),
        "resources/read" => resources::subrequests_reserve(params),
        "prompts/get" | "completion/complete" => tools::SUBREQUESTS_PER_CALL,
        _ => 0,
    }
}

/// Methods whose handlers report progress or log while they work; only these are ever streamed.
pub fn may_notify(method: &str) -> bool {
    matches!(method, "tools/call" | "prompts/get" | "resources/read")
}

/// The request's progress token (`params._meta.progressToken`), if it is a string or an integer.
pub fn progress_token(params: &Map<String, Value>) -> Option<Value> {
    params.get("_meta").and_then(|m| m.get("progressToken")).filter(|t| jsonrpc::is_id(t)).cloned()
}
