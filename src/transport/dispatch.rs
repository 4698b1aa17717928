//! Method dispatch for an authenticated request, in either lane: method name → capability handler,
//! with the methods each lane has of its own (`ping` and `logging/setLevel` in the session lane,
//! `server/discover` in the stateless lane). Also what the lanes must know of a method before running
//! it: whether it may stream notifications, and the subrequests a batch must leave it.

use crate::capabilities::{completion, prompts, resources, tools};
use crate::mcp::context::{Lane, RequestCtx};
use crate::mcp::jsonrpc::{self, RpcError, INVALID_REQUEST};
use crate::mcp::lifecycle;
use crate::mcp::stream::{self, LOG_LEVELS};
use crate::store;
use serde_json::{json, Map, Value};

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
        "prompts/get" | "resources/read" | "completion/complete" => tools::SUBREQUESTS_PER_CALL,
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
