//! The tool registry: every tool's definition in the order clients list them, `tools/list`, and
//! `tools/call` (and `run_for`, a tool run for another capability) dispatched by name to the tool's own
//! file, where its schema, annotations and handler sit side by side. What a call runs with and how it
//! ends (`ToolCtx`, `ToolError`) is `capabilities::call`.
//!
//! Two-tier errors: an unknown tool or a malformed `tools/call` is a protocol error (-32602); anything
//! the model can fix or should tell the user (bad arguments, refused model, Odoo's refusal) is a result
//! with `isError: true` and a readable text (and, for a batch that did not do everything, its
//! structured result).

mod action;
mod aggregate;
mod args;
mod attach;
mod attachments;
mod batch;
mod budget;
mod chatter;
mod chatter_post;
mod chatter_read;
mod company;
mod cost;
mod create;
mod definition;
mod delete;
mod describe_model;
mod get;
mod list_models;
mod reading;
mod schema_view;
mod schemas;
mod search;
mod update;
mod writing;

// Also where `schemas` takes its context from (`super::{ToolCtx, ToolError}`).
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::json;
use crate::mcp::context::RequestCtx;
use crate::mcp::jsonrpc::RpcError;
use crate::platform::now_ms;
use crate::policy::permissions::Permissions;
use serde_json::{Map, Value};

pub use cost::{subrequests_reserve, SUBREQUESTS_PER_CALL};
pub use definition::Tool;

/// Every tool's definition, in the order clients list them.
pub fn definitions() -> Vec<Tool> {
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
        attach::definition(),
        action::definition(),
        batch::definition(),
    ]
}

/// `tools/list`: the tools this key can use (`offered`), not every tool the server has: a tool no call of
/// which could pass is only wasted context for the model and a wrong impression for the person.
pub fn list(ctx: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    crate::capabilities::pages::list_result(ctx, "tools/list", "tools", items(&ctx.auth.permissions), params)
}

/// The tools these permissions list (`tools/list`, and what a change of them is watched for).
pub fn items(perms: &Permissions) -> Vec<Value> {
    definitions().iter().filter(|tool| offered(tool.name, perms)).map(Tool::value).collect()
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
    // What an approval is bound to; kept only for a key that asks its person first (a copy of the
    // arguments on every other call would be work for nothing).
    if !req.auth.approval.is_none() {
        let _ = ctx.call.set((name.to_string(), args.clone()));
    }
    let started = now_ms();
    // `company` is the call's, not the tool's: taken out before the tool sees its arguments.
    let mut own;
    let args = match args.contains_key("company") && company::TAKES_COMPANY.contains(&name) {
        false => args,
        true => {
            own = args.clone();
            if let Err(e) = company::choose(&ctx, &mut own).await {
                ctx.finish(name, &Err(e.clone()), now_ms() - started);
                return Ok(json!({"content": [{"type": "text", "text": e.message()}], "isError": true}));
            }
            &own
        }
    };
    let Some(outcome) = run_named(&ctx, name, args).await else {
        return Err(RpcError::invalid_params(format!("Unknown tool: {}", crate::text::truncate(name, 100))));
    };
    match outcome {
        // No result for a cancelled request; the transport audits it.
        Err(ToolError::Cancelled) => return Err(RpcError::cancelled()),
        // 2026-07-28: the person is asked (audited so); the call is finished by the client's retry.
        Err(ToolError::AskPerson(result)) => {
            req.note("outcome", json!("input_required"));
            ctx.keep_uid();
            return Ok(result);
        }
        _ => {}
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

/// A record's attachments (`odoo://{model}/{id}/attachments`), listed as a tool call would be: the
/// same permission check (read on the record's model), budget and audit row (`resource_read`).
pub async fn attachments_of(req: &RequestCtx<'_>, model: &str, id: i64) -> ToolResult {
    let ctx = ToolCtx::new(req, "resource_read");
    let started = now_ms();
    let outcome = attachments::list(&ctx, model, id).await;
    if !matches!(outcome, Err(ToolError::Cancelled)) {
        ctx.finish(attachments::LIST, &outcome, now_ms() - started);
    }
    outcome
}

/// One attachment's content (`odoo://{model}/{id}/attachments/{attachment_id}`): `{"mimeType", "text"}`
/// or `{"mimeType", "blob"}`, audited as `attachment_read` (never with the content).
pub async fn attachment_content(req: &RequestCtx<'_>, model: &str, id: i64, attachment_id: i64) -> ToolResult {
    let ctx = ToolCtx::new(req, "attachment_read");
    let started = now_ms();
    let outcome = attachments::read(&ctx, model, id, attachment_id).await;
    if !matches!(outcome, Err(ToolError::Cancelled)) {
        ctx.finish(attachments::READ, &outcome, now_ms() - started);
    }
    outcome
}

/// The ids of a record's attachments, for completion: the record checked, as its listing does (the
/// caller has checked read permission on its model).
pub async fn attachment_ids(ctx: &ToolCtx<'_>, model: &str, id: i64) -> Result<Vec<i64>, ToolError> {
    let client = ctx.odoo()?;
    let (_, rows) = attachments::record_and_attachments(ctx, &client, model, id).await?;
    Ok(rows.iter().filter_map(|r| r.get("id").and_then(Value::as_i64)).collect())
}

/// The one operation a tool needs on its model, known from its name (`None`: a batch, whose operations
/// vary, or no such tool). Each tool still checks it (`ToolCtx::require`); this lets the transport
/// refuse a token whose scope lacks it with the challenge OAuth clients act on.
pub fn operation_of(name: &str) -> Option<Operation> {
    Some(match name {
        list_models::NAME | describe_model::NAME | search::NAME | get::NAME | aggregate::NAME | chatter_read::NAME => {
            Operation::Read
        }
        create::NAME => Operation::Create,
        update::NAME | chatter_post::NAME | attach::NAME => Operation::Update,
        delete::NAME => Operation::Delete,
        action::NAME => Operation::Action,
        _ => return None,
    })
}

/// Whether the tool may call Odoo before its key is confirmed (`capabilities::may_start_early`): the
/// reads, but the model description.
pub fn may_start_early(name: &str) -> bool {
    name != describe_model::NAME && operation_of(name) == Some(Operation::Read)
}

/// Whether the key can use the tool at all: some model enabled for the key allows its operation (any write
/// or action for `odoo_batch`). `odoo_list_models` is always offered: it says what the key may use.
pub fn offered(name: &str, perms: &Permissions) -> bool {
    let any = |op: Operation| !perms.models_allowing(op).is_empty();
    match name {
        list_models::NAME => true,
        batch::NAME => {
            [Operation::Create, Operation::Update, Operation::Delete, Operation::Action].into_iter().any(any)
        }
        _ => operation_of(name).is_some_and(any),
    }
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
        attach::NAME => attach::run(ctx, args).await,
        action::NAME => action::run(ctx, args).await,
        batch::NAME => batch::run(ctx, args).await,
        _ => return None,
    })
}
