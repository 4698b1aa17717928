//! A call into a capability and how it ends: `ToolCtx` (a tool call's view of its request: the key's
//! permissions, the Odoo client as the key's user, progress, log and cancellation, the audit row it
//! leaves), `ToolError` and `ToolResult`. Tools, resources, prompts and completion all run through
//! them, so they live beside those capabilities rather than in the tool registry.

use crate::access::Operation;
use crate::crypto;
use crate::json;
use crate::mcp::approval::Refusal;
use crate::mcp::context::RequestCtx;
use crate::mcp::jsonrpc::RpcError;
use crate::odoo::names::is_model_name;
use crate::odoo::{OdooClient, OdooError};
use crate::policy::permissions::Denial;
use crate::store::{keys as key_store, AuditEvent};
use serde_json::{Map, Value};
use std::cell::{Cell, OnceCell, RefCell};

/// Why a tool call did not succeed; all of these reach the model as readable text.
#[derive(Debug, Clone)]
pub enum ToolError {
    /// The arguments are wrong; the model can fix them.
    Invalid(String),
    Denied(Denial),
    Odoo(OdooError),
    /// This deployment cannot serve the call (e.g. missing secret, undecryptable credentials).
    Unavailable(String),
    /// The client cancelled the request; it gets no result.
    Cancelled,
    /// Part of the work was not done (a batch with an operation that failed or was not run): the result
    /// still says what happened to each part, and it is an error result (`isError`) with `summary`.
    Incomplete {
        result: Value,
        summary: String,
    },
    /// The key runs this only once its person approved it, and they did not (or could not be asked).
    NotApproved(Refusal),
    /// 2026-07-28: the call's answer is this `input_required` result, which asks the person; the client
    /// calls again with their answer.
    AskPerson(Value),
}

impl ToolError {
    pub fn message(&self) -> String {
        match self {
            ToolError::Invalid(m) => format!("Invalid arguments: {m}"),
            ToolError::Denied(d) => d.to_string(),
            ToolError::Odoo(e) => e.user_message(),
            ToolError::Unavailable(m) => m.clone(),
            ToolError::Cancelled => "The request was cancelled.".into(),
            ToolError::Incomplete { summary, .. } => summary.clone(),
            ToolError::NotApproved(r) => r.message(),
            ToolError::AskPerson(_) => "The person is asked to approve the call.".into(),
        }
    }

    /// What went wrong, without guidance (for a sentence that gives its own).
    pub fn what(&self) -> String {
        match self {
            ToolError::Odoo(e) => e.what(),
            other => other.message(),
        }
    }

    fn audit_outcome(&self) -> &'static str {
        match self {
            ToolError::Invalid(_) => "invalid",
            ToolError::Denied(_) => "denied",
            ToolError::Odoo(_) => "odoo_error",
            ToolError::Unavailable(_) => "error",
            ToolError::Cancelled => "cancelled",
            ToolError::Incomplete { .. } => "incomplete",
            ToolError::NotApproved(r) => r.outcome(),
            ToolError::AskPerson(_) => "asked",
        }
    }

    /// As a protocol error, for the capabilities that answer with one (resources, prompts, completion):
    /// what the caller can fix is invalid params, what this deployment or Odoo failed at is internal.
    pub fn to_rpc(&self) -> RpcError {
        use crate::odoo::OdooErrorKind as K;
        match self {
            ToolError::Cancelled => RpcError::cancelled(),
            ToolError::Invalid(_) | ToolError::Denied(_) | ToolError::NotApproved(_) => {
                RpcError::invalid_params(self.message())
            }
            ToolError::Odoo(e)
                if matches!(
                    e.kind,
                    K::AccessError | K::MissingError | K::NotFound | K::BadInput | K::ValidationError | K::UserError
                ) =>
            {
                RpcError::invalid_params(self.message())
            }
            ToolError::Odoo(_) | ToolError::Unavailable(_) | ToolError::Incomplete { .. } | ToolError::AskPerson(_) => {
                RpcError::new(crate::mcp::jsonrpc::INTERNAL_ERROR, self.message())
            }
        }
    }
}

impl From<OdooError> for ToolError {
    fn from(e: OdooError) -> ToolError {
        ToolError::Odoo(e)
    }
}

pub type ToolResult = Result<Value, ToolError>;

/// A tool call's view of its request.
pub struct ToolCtx<'r> {
    pub req: &'r RequestCtx<'r>,
    /// The audit event a successful or failed run is recorded as (`tool_call`, `resource_read` …).
    event: Cell<&'static str>,
    api_key: OnceCell<String>,
    uid: Cell<Option<i64>>,
    model: RefCell<Option<String>>,
    operation: Cell<Option<Operation>>,
    record_count: Cell<Option<i64>>,
    /// An action's audit row: its own event (`action`) and what it says beside the outcome (the method,
    /// how Odoo answered); never record contents.
    action: RefCell<Option<String>>,
    answer: RefCell<Option<String>>,
    /// Set while a batch runs its operations: their own progress steps would make the batch's progress
    /// go backwards, which the protocol forbids.
    pub(in crate::capabilities) in_batch: Cell<bool>,
    /// The call as the client made it (tool, arguments): what an approval is bound to (set by `tools::call`
    /// for a key with an approval rule).
    pub(in crate::capabilities) call: OnceCell<(String, Map<String, Value>)>,
    /// The person approved this call (a batch's approval covers its operations).
    pub(in crate::capabilities) approved: Cell<bool>,
    /// The company this call acts in, when its `company` argument chose one.
    company: Cell<Option<i64>>,
}

impl<'r> ToolCtx<'r> {
    pub fn new(req: &'r RequestCtx<'r>, event: &'static str) -> Self {
        ToolCtx {
            req,
            event: Cell::new(event),
            api_key: OnceCell::new(),
            uid: Cell::new(req.auth.odoo_uid),
            model: RefCell::new(None),
            operation: Cell::new(None),
            record_count: Cell::new(None),
            action: RefCell::new(None),
            answer: RefCell::new(None),
            in_batch: Cell::new(false),
            call: OnceCell::new(),
            approved: Cell::new(false),
            company: Cell::new(None),
        }
    }

    /// Checks the model name and this key's permission for `op` on it, and records both for the audit.
    pub fn require(&self, model: &str, op: Operation) -> Result<(), ToolError> {
        if !is_model_name(model) {
            return Err(ToolError::Invalid(format!(
                "'{}' is not a model name (e.g. res.partner)",
                crate::text::truncate(model, 80)
            )));
        }
        *self.model.borrow_mut() = Some(model.to_string());
        self.operation.set(Some(op));
        self.req.auth.permissions.check(model, op).map_err(ToolError::Denied)
    }

    /// Checks the model name and this key's permission to call the button method `action` on it
    /// (`Permissions::check_action`), and records them for the audit row, whose event is then `action`.
    pub fn require_action(&self, model: &str, action: &str) -> Result<(), ToolError> {
        *self.action.borrow_mut() = Some(crate::text::truncate(action, 80).to_string());
        self.require(model, Operation::Action)
            .and_then(|_| self.req.auth.permissions.check_action(model, action).map_err(ToolError::Denied))
    }

    /// Records this call under its own audit event (`attachment_added` …) rather than the one it was
    /// started with (`tool_call`).
    pub fn set_event(&self, event: &'static str) {
        self.event.set(event);
    }

    /// How Odoo answered an action, in a few words for its audit row (`done`, `follow-up: …`).
    pub fn set_answer(&self, answer: impl Into<String>) {
        *self.answer.borrow_mut() = Some(answer.into());
    }

    /// This call acts in `company` alone (its `company` argument).
    pub fn set_company(&self, company: i64) {
        self.company.set(Some(company));
    }

    pub fn set_record_count(&self, n: usize) {
        self.record_count.set(Some(n as i64));
    }

    /// An Odoo client acting as this key's Odoo user.
    pub fn odoo(&self) -> Result<OdooClient<'_>, ToolError> {
        if self.api_key.get().is_none() {
            let key = self
                .req
                .svc
                .settings
                .credentials_key
                .as_ref()
                .ok_or_else(|| ToolError::Unavailable(crypto::CryptoError::NotConfigured.to_string()))?;
            let plain =
                crypto::decrypt(key, &self.req.auth.odoo_key_enc).map_err(|e| ToolError::Unavailable(e.to_string()))?;
            let _ = self.api_key.set(plain);
        }
        let api_key = self.api_key.get().map(String::as_str).unwrap_or_default();
        let auth = self.req.auth;
        let context = match self.company.get() {
            Some(company) => auth.odoo_context.in_company(company).to_json(),
            None => auth.odoo_context.to_json(),
        };
        Ok(OdooClient::new(
            self.req.svc.http,
            &auth.connection,
            &auth.odoo_login,
            api_key,
            &self.uid,
            self.req.svc.settings.odoo_timeout_ms,
        )
        .with_context(context))
    }

    /// Between Odoo calls of one tool call: stops once the request has been cancelled. Free until the
    /// first Odoo call has been made (a cancellation before it is simply too late to matter).
    pub async fn checkpoint(&self, client: &OdooClient<'_>) -> Result<(), ToolError> {
        if client.calls() == 0 {
            return Ok(());
        }
        self.req.checkpoint().await.map_err(|_| ToolError::Cancelled)
    }

    /// `notifications/progress`, when the client asked for progress on this request. The message is
    /// only built then.
    pub fn progress(&self, done: u32, total: u32, message: impl FnOnce() -> String) {
        if self.req.notify.wants_progress() && !self.in_batch.get() {
            self.req.notify.progress(f64::from(done), Some(f64::from(total)), &message());
        }
    }

    /// `notifications/message` at `level`, when the client asked for that level (the message is only
    /// built then). Never secrets.
    pub fn log(&self, level: &str, message: impl FnOnce() -> String) {
        if self.req.notify.wants_log(level) {
            self.req.notify.log(level, json!(message()));
        }
    }

    pub fn finish(&self, tool: &str, outcome: &ToolResult, duration_ms: i64) {
        self.audit(tool, outcome, duration_ms);
        self.keep_uid();
    }

    /// Caches the Odoo uid this request learned, so the key's next request need not log in again.
    pub fn keep_uid(&self) {
        let auth = self.req.auth;
        if let Some(uid) = self.uid.get().filter(|u| Some(*u) != auth.odoo_uid) {
            self.req.defer(key_store::cache_uid(auth.key_id, uid));
        }
    }

    /// The model this call's permission check named, if any.
    pub(in crate::capabilities) fn model(&self) -> Option<String> {
        self.model.borrow().clone()
    }

    /// One audit row for `tool`'s outcome, with the model, operation and record count it recorded.
    fn audit(&self, tool: &str, outcome: &ToolResult, duration_ms: i64) {
        let auth = self.req.auth;
        let model = self.model.borrow();
        let action = self.action.borrow();
        let event = if action.is_some() { "action" } else { self.event.get() };
        let (event, outcome_str, detail) = match outcome {
            Ok(_) => (event, "ok", self.answer.borrow().clone()),
            Err(ToolError::Denied(d)) => ("permission_denied", "denied", Some(d.to_string())),
            Err(e) => (event, e.audit_outcome(), Some(e.message())),
        };
        // An action's row names its method first.
        let detail = match (action.as_deref(), detail) {
            (Some(a), Some(d)) => Some(format!("{a}: {d}")),
            (Some(a), None) => Some(a.to_string()),
            (None, d) => d,
        };
        // The request's log line: the model and how the tool ended (in a batch, its last operation's
        // model and the batch's own outcome).
        if let Some(m) = model.as_deref() {
            self.req.note("model", json!(m));
        }
        self.req.note("outcome", json!(outcome_str));
        if let Err(ToolError::Odoo(e)) = outcome {
            self.req.note("odoo_error", json!(format!("{:?}", e.kind)));
        }
        self.req.defer(
            AuditEvent {
                tool: Some(tool),
                model: model.as_deref(),
                operation: self.operation.get().map(Operation::as_str),
                record_count: self.record_count.get(),
                duration_ms: Some(duration_ms),
                detail: detail.as_deref(),
                ..auth.audit_event(event, outcome_str)
            }
            .stmt(self.req.svc.now),
        );
    }

    /// Audits one operation of a batch as its own tool call, then clears what it recorded.
    pub(in crate::capabilities) fn audit_operation(&self, tool: &str, outcome: &ToolResult, duration_ms: i64) {
        self.audit(tool, outcome, duration_ms);
        *self.model.borrow_mut() = None;
        self.operation.set(None);
        self.record_count.set(None);
        *self.action.borrow_mut() = None;
        *self.answer.borrow_mut() = None;
    }
}
