//! The tool registry and what every tool shares: argument errors, permission checks, the Odoo client
//! for the key's user, and turning an outcome into a `CallToolResult` plus an audit row.
//!
//! Two-tier errors: an unknown tool or a malformed `tools/call` is a protocol error (-32602); anything
//! the model can fix or should tell the user (bad arguments, refused model, Odoo's refusal) is a result
//! with `isError: true` and a readable text (and, for a batch that did not do everything, its
//! structured result).

mod aggregate;
mod batch;
mod budget;
mod chatter;
mod chatter_post;
mod chatter_read;
mod cost;
mod create;
mod delete;
mod describe_model;
mod get;
mod list_models;
mod reading;
mod schemas;
mod search;
mod update;
mod writing;

use crate::crypto;
use crate::mcp::context::RequestCtx;
use crate::mcp::jsonrpc::RpcError;
use crate::odoo::schema::ModelSchema;
use crate::odoo::{OdooClient, OdooError};
use crate::platform::now_ms;
use crate::policy::permissions::{is_model_name, Denial, Operation};
use crate::store::{keys as key_store, AuditEvent};
use serde_json::{json, Map, Value};
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;

pub use cost::{subrequests_reserve, SUBREQUESTS_PER_CALL};

/// Every tool's definition, in the order clients list them.
pub fn definitions() -> Vec<Value> {
    vec![
        list_models::definition(),
        describe_model::definition(),
        search::definition(),
        get::definition(),
        aggregate::definition(),
        chatter_read::definition(),
        create::definition(),
        update::definition(),
        delete::definition(),
        chatter_post::definition(),
        batch::definition(),
    ]
}

pub fn list(ctx: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    crate::capabilities::pages::list_result(ctx, "tools/list", "tools", definitions(), params)
}

pub async fn call(req: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    let name = params
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("Invalid params: 'name' must be a string"))?;
    let empty = Map::new();
    let args = match params.get("arguments") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(a)) => a,
        Some(_) => return Err(RpcError::invalid_params("Invalid params: 'arguments' must be an object")),
    };
    let ctx = ToolCtx::new(req, "tool_call");
    let started = now_ms();
    let Some(outcome) = run_named(&ctx, name, args).await else {
        return Err(RpcError::invalid_params(format!("Unknown tool: {}", crate::text::truncate(name, 100))));
    };
    if matches!(outcome, Err(ToolError::Cancelled)) {
        // No result for a cancelled request; the transport audits it.
        return Err(RpcError::cancelled());
    }
    ctx.finish(name, &outcome, now_ms() - started);
    Ok(match outcome {
        Ok(structured) => json!({
            "content": [{"type": "text", "text": structured.to_string()}],
            "structuredContent": structured,
        }),
        // An error result that still says what was done, part by part.
        Err(ToolError::Incomplete { result, .. }) => json!({
            "content": [{"type": "text", "text": result.to_string()}],
            "structuredContent": result,
            "isError": true,
        }),
        Err(e) => json!({"content": [{"type": "text", "text": e.message()}], "isError": true}),
    })
}

/// Runs a tool for another capability (a resource read): the same checks and permissions, and an audit
/// row under `event` naming the tool that did the work.
pub async fn run_for(req: &RequestCtx<'_>, event: &'static str, name: &str, args: &Map<String, Value>) -> ToolResult {
    let ctx = ToolCtx::new(req, event);
    let started = now_ms();
    let outcome =
        run_named(&ctx, name, args).await.unwrap_or_else(|| Err(ToolError::Unavailable(format!("no tool {name}"))));
    if !matches!(outcome, Err(ToolError::Cancelled)) {
        ctx.finish(name, &outcome, now_ms() - started);
    }
    outcome
}

/// The tool called `name`, run; `None` if there is no such tool.
async fn run_named(ctx: &ToolCtx<'_>, name: &str, args: &Map<String, Value>) -> Option<ToolResult> {
    Some(match name {
        list_models::NAME => list_models::run(ctx, args).await,
        describe_model::NAME => describe_model::run(ctx, args).await,
        search::NAME => search::run(ctx, args).await,
        get::NAME => get::run(ctx, args).await,
        aggregate::NAME => aggregate::run(ctx, args).await,
        chatter_read::NAME => chatter_read::run(ctx, args).await,
        create::NAME => create::run(ctx, args).await,
        update::NAME => update::run(ctx, args).await,
        delete::NAME => delete::run(ctx, args).await,
        chatter_post::NAME => chatter_post::run(ctx, args).await,
        batch::NAME => batch::run(ctx, args).await,
        _ => return None,
    })
}

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
        }
    }

    /// As a protocol error, for the capabilities that answer with one (resources, prompts, completion):
    /// what the caller can fix is invalid params, what this deployment or Odoo failed at is internal.
    pub fn to_rpc(&self) -> RpcError {
        use crate::odoo::OdooErrorKind as K;
        match self {
            ToolError::Cancelled => RpcError::cancelled(),
            ToolError::Invalid(_) | ToolError::Denied(_) => RpcError::invalid_params(self.message()),
            ToolError::Odoo(e)
                if matches!(
                    e.kind,
                    K::AccessError | K::MissingError | K::NotFound | K::BadInput | K::ValidationError | K::UserError
                ) =>
            {
                RpcError::invalid_params(self.message())
            }
            ToolError::Odoo(_) | ToolError::Unavailable(_) | ToolError::Incomplete { .. } => {
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
    event: &'static str,
    api_key: OnceCell<String>,
    uid: Cell<Option<i64>>,
    model: RefCell<Option<String>>,
    operation: Cell<Option<Operation>>,
    record_count: Cell<Option<i64>>,
    /// Set while a batch runs its operations: their own progress steps would make the batch's progress
    /// go backwards, which the protocol forbids.
    in_batch: Cell<bool>,
}

impl<'r> ToolCtx<'r> {
    pub fn new(req: &'r RequestCtx<'r>, event: &'static str) -> Self {
        ToolCtx {
            req,
            event,
            api_key: OnceCell::new(),
            uid: Cell::new(req.auth.odoo_uid),
            model: RefCell::new(None),
            operation: Cell::new(None),
            record_count: Cell::new(None),
            in_batch: Cell::new(false),
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
        Ok(OdooClient::new(
            self.req.svc.http,
            &auth.connection,
            &auth.odoo_login,
            api_key,
            &self.uid,
            self.req.svc.settings.odoo_timeout_ms,
        ))
    }

    /// The model's fields as this key sees them: what its Odoo user sees (cached), less what the
    /// model's field policy hides.
    pub async fn schema(&self, client: &OdooClient<'_>, model: &str) -> Result<Rc<ModelSchema>, ToolError> {
        let auth = self.req.auth;
        let calls_before = client.calls();
        let mut schema = schemas::fields(self, client, model).await?;
        if let Some(policy) = auth.permissions.field_policy(model) {
            schema = Rc::new(schema.restricted(model, policy));
        }
        let source = if client.calls() > calls_before { "from Odoo" } else { "from the cache" };
        self.log("debug", || format!("{} fields of {model} {source}", schema.fields.len()));
        Ok(schema)
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

    /// One audit row for `tool`'s outcome, with the model, operation and record count it recorded.
    fn audit(&self, tool: &str, outcome: &ToolResult, duration_ms: i64) {
        let auth = self.req.auth;
        let model = self.model.borrow();
        let (event, outcome_str, detail) = match outcome {
            Ok(_) => (self.event, "ok", None),
            Err(ToolError::Denied(d)) => ("permission_denied", "denied", Some(d.to_string())),
            Err(e) => (self.event, e.audit_outcome(), Some(e.message())),
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
                event,
                key_id: Some(auth.key_id),
                key_prefix: Some(&auth.key_prefix),
                connection_id: Some(auth.connection_id),
                tool: Some(tool),
                model: model.as_deref(),
                operation: self.operation.get().map(Operation::as_str),
                outcome: outcome_str,
                record_count: self.record_count.get(),
                duration_ms: Some(duration_ms),
                detail: detail.as_deref(),
            }
            .stmt(self.req.svc.now),
        );
    }

    /// Audits one operation of a batch as its own tool call, then clears what it recorded.
    fn audit_operation(&self, tool: &str, outcome: &ToolResult, duration_ms: i64) {
        self.audit(tool, outcome, duration_ms);
        *self.model.borrow_mut() = None;
        self.operation.set(None);
        self.record_count.set(None);
    }
}

/// Argument readers that say exactly what is wrong.
pub mod args {
    use super::ToolError;
    use serde_json::{Map, Value};

    pub fn required_str<'a>(args: &'a Map<String, Value>, name: &str) -> Result<&'a str, ToolError> {
        match args.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                Err(ToolError::Invalid(format!("'{name}' is required")))
            }
            Some(_) => Err(ToolError::Invalid(format!("'{name}' must be a string"))),
        }
    }

    pub fn optional_str<'a>(args: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ToolError> {
        match args.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim())),
            Some(_) => Err(ToolError::Invalid(format!("'{name}' must be a string"))),
        }
    }

    pub fn optional_string_list(
        args: &Map<String, Value>,
        name: &str,
        max: usize,
    ) -> Result<Option<Vec<String>>, ToolError> {
        match args.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => {
                if items.len() > max {
                    return Err(ToolError::Invalid(format!("'{name}' may hold at most {max} entries")));
                }
                items
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| ToolError::Invalid(format!("'{name}' must be a list of strings")))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some)
            }
            Some(_) => Err(ToolError::Invalid(format!("'{name}' must be a list of strings"))),
        }
    }

    pub fn optional_int(args: &Map<String, Value>, name: &str, min: i64, max: i64) -> Result<Option<i64>, ToolError> {
        match args.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_i64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)) {
                Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => Err(ToolError::Invalid(format!("'{name}' must be an integer from {min} to {max}"))),
            },
        }
    }

    pub fn optional_bool(args: &Map<String, Value>, name: &str) -> Result<Option<bool>, ToolError> {
        match args.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ToolError::Invalid(format!("'{name}' must be true or false"))),
        }
    }

    /// `ids`: 1 to `max` positive integer record ids, duplicates removed, order kept.
    pub fn record_ids(args: &Map<String, Value>, max: usize) -> Result<Vec<i64>, ToolError> {
        let bad = || ToolError::Invalid(format!("'ids' must be a list of 1 to {max} positive integer record ids"));
        let items = args.get("ids").and_then(Value::as_array).ok_or_else(bad)?;
        if items.is_empty() || items.len() > max {
            return Err(bad());
        }
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            let id = item.as_i64().filter(|i| *i > 0).ok_or_else(bad)?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Refuses arguments a tool does not know, so a typo is not silently ignored.
    pub fn reject_unknown(args: &Map<String, Value>, known: &[&str]) -> Result<(), ToolError> {
        match args.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) if known.is_empty() => Err(ToolError::Invalid(format!(
                "unknown argument '{}'; this tool takes no arguments",
                crate::text::truncate(k, 60)
            ))),
            Some(k) => Err(ToolError::Invalid(format!(
                "unknown argument '{}'; expected {}",
                crate::text::truncate(k, 60),
                known.join(", ")
            ))),
            None => Ok(()),
        }
    }
}
