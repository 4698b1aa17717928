//! What a capability may know about the request it serves: `RequestCtx` (the services, the key's
//! authentication, the lane, the request id, the notifier, how a question to the person travels) and the
//! `Lane` a request is served in.
//! It lives with the protocol's vocabulary, below the capabilities, so that every handler can take it
//! without knowing anything of the transport that built it.

use super::asking::Asking;
use super::jsonrpc::RpcError;
use super::stream::Notifier;
use crate::http::LogFields;
use crate::platform::Stmt;
use crate::policy::auth::AuthContext;
use crate::services::Services;
use crate::store;
use crate::store::sessions::SessionState;
use serde_json::Value;
use std::cell::RefCell;

/// The lane a request is served in: the session lane (2025 era) or the stateless lane (2026-07-28).
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
    /// How a question to the person can travel with this request (`approval`).
    pub asking: Asking,
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
            // A lane says how, for the requests that can ask; any other (a JSON-RPC batch's message) cannot.
            asking: Asking::Unable(super::asking::IN_BATCH),
            after: RefCell::new(Vec::new()),
            log: RefCell::new(LogFields::new()),
        }
    }

    /// How this request can ask its person.
    pub fn with_asking(self, asking: Asking) -> Self {
        RequestCtx { asking, ..self }
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
    /// by the client closing the response stream or (session lane) by a recorded `notifications/cancelled`.
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
