//! Method dispatch for an authenticated request inside a session: method name → capability handler.

use super::jsonrpc::RpcError;
use crate::capabilities::tools;
use crate::platform::Stmt;
use crate::policy::auth::{AuthContext, SessionState};
use crate::Services;
use serde_json::{json, Map, Value};
use std::cell::RefCell;

/// What a handler may know about the request it serves.
pub struct RequestCtx<'a> {
    pub svc: &'a Services<'a>,
    pub auth: &'a AuthContext,
    pub protocol_version: &'a str,
    pub session: &'a SessionState,
    /// Statements to run after the response is sent (audit, caches).
    after: RefCell<Vec<Stmt>>,
}

impl<'a> RequestCtx<'a> {
    pub fn new(svc: &'a Services<'a>, auth: &'a AuthContext, protocol_version: &'a str, session: &'a SessionState) -> Self {
        RequestCtx { svc, auth, protocol_version, session, after: RefCell::new(Vec::new()) }
    }

    pub fn defer(&self, stmt: Stmt) {
        self.after.borrow_mut().push(stmt);
    }

    pub fn into_after(self) -> Vec<Stmt> {
        self.after.into_inner()
    }
}

const LOG_LEVELS: [&str; 8] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

pub async fn dispatch(ctx: &RequestCtx<'_>, method: &str, params: &Map<String, Value>) -> Result<Value, RpcError> {
    match method {
        "ping" => Ok(json!({})),
        "tools/list" => tools::list(params),
        "tools/call" => tools::call(ctx, params).await,
        "logging/setLevel" => {
            let level = params.get("level").and_then(Value::as_str).filter(|l| LOG_LEVELS.contains(l)).ok_or_else(|| {
                RpcError::invalid_params(format!("Invalid params: 'level' must be one of {}", LOG_LEVELS.join(", ")))
            })?;
            ctx.defer(crate::store::sessions::set_log_level(&ctx.session.id, level));
            Ok(json!({}))
        }
        "initialize" => Err(RpcError::new(super::jsonrpc::INVALID_REQUEST, "Invalid Request: the session is already initialized")),
        _ => Err(RpcError::method_not_found(method)),
    }
}
