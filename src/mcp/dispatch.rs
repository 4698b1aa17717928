//! Method dispatch for an authenticated request, in either era: method name → capability handler.
//! `RequestCtx` is what a handler may know about its request, including how to report progress, log
//! to the client and notice that the request was cancelled.

use super::jsonrpc::{RpcError, INVALID_REQUEST};
use super::lifecycle;
use super::stream::{Notifier, LOG_LEVELS};
use crate::capabilities::{completion, prompts, resources, tools};
use crate::http::LogFields;
use crate::platform::Stmt;
use crate::policy::auth::{AuthContext, SessionState};
use crate::services::Services;
use crate::store;
use serde_json::{json, Map, Value};
use std::cell::RefCell;

/// The era a request is served in.
pub enum Lane<'a> {
    /// 2025 era: inside a session, under the negotiated (or header) version.
    Session { version: &'a str, session: &'a SessionState },
    /// 2026-07-28: stateless, everything the request needs is in the request (its log level, as a rank
    /// in `LOG_LEVELS`, among it).
    Stateless { log_threshold: Option<usize> },
}

pub struct RequestCtx<'a> {
    pub svc: &'a Services<'a>,
    pub auth: &'a AuthContext,
    pub lane: Lane<'a>,
    pub request_id: Value,
    pub notify: &'a Notifier,
    /// Statements to run after the response is sent (audit, caches).
    after: RefCell<Vec<Stmt>>,
    /// What the handler recorded for the request's log line (the model, the tool's outcome).
    log: RefCell<LogFields>,
}

impl<'a> RequestCtx<'a> {
    pub fn new(
        svc: &'a Services<'a>,
        auth: &'a AuthContext,
        lane: Lane<'a>,
        request_id: Value,
        notify: &'a Notifier,
    ) -> Self {
        RequestCtx {
            svc,
            auth,
            lane,
            request_id,
            notify,
            after: RefCell::new(Vec::new()),
            log: RefCell::new(LogFields::new()),
        }
    }

    /// Records `value` under `field` in the request's log line (the last value wins). Never secrets
    /// or record contents.
    pub fn note(&self, field: &str, value: Value) {
        self.log.borrow_mut().insert(field.into(), value);
    }

    /// The after-response statements and the log fields the handler left.
    pub fn into_parts(self) -> (Vec<Stmt>, LogFields) {
        (self.after.into_inner(), self.log.into_inner())
    }

    pub fn defer(&self, stmt: Stmt) {
        self.after.borrow_mut().push(stmt);
    }

    pub fn is_stateless(&self) -> bool {
        matches!(self.lane, Lane::Stateless { .. })
    }

    /// Called between Odoo calls of a longer operation: stops it once the request is cancelled, either
    /// by the client closing the response stream or (session era) by a recorded `notifications/cancelled`.
    pub async fn checkpoint(&self) -> Result<(), RpcError> {
        if self.notify.stream().client_gone() {
            return Err(RpcError::cancelled());
        }
        if let Lane::Session { session, .. } = &self.lane {
            // A store failure must not fail the operation: it then simply runs to its end.
            if store::cancellations::is_cancelled(self.svc.db, &session.id, &self.request_id).await.unwrap_or(false) {
                return Err(RpcError::cancelled());
            }
        }
        Ok(())
    }
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
    super::stream::until(dispatch(ctx, method, params), stream.gone())
        .await
        .unwrap_or_else(|| Err(RpcError::cancelled()))
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
    params.get("_meta").and_then(|m| m.get("progressToken")).filter(|t| super::jsonrpc::is_id(t)).cloned()
}
