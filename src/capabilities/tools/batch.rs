//! `odoo_batch`: an ordered list of create, update, delete, chatter-post and action operations in one call, each run by its
//! own tool (same checks, same read-back, same audit row), with a progress notification after each, the
//! client's cancellation honoured between them, and a choice to stop at the first failure. A batch that
//! could exceed the Worker's subrequest budget is refused before anything runs; past its time limit
//! (`BATCH_TIME_LIMIT_MS`) no operation starts. Unless every operation succeeded the result is an error
//! result (`isError`, audited `incomplete`) that still lists each operation's outcome, with a flag on
//! each one whose outcome is unknown (Odoo's answer was lost).

use super::budget;
use super::definition::Tool;
use super::{action, args, chatter_post, create, delete, update};
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::json;
use crate::platform::now_ms;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

pub const NAME: &str = "odoo_batch";
pub(super) const MAX_OPERATIONS: usize = 100;
/// Each action and the tool that runs it.
pub(super) const ACTIONS: [(&str, &str); 5] = [
    ("create", create::NAME),
    ("update", update::NAME),
    ("delete", delete::NAME),
    ("post_message", chatter_post::NAME),
    ("call_action", action::NAME),
];

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = r#"{
  "name": "odoo_batch",
  "title": "Run several Odoo writes in order",
  "description": "Run create, update, delete, post_message and call_action operations in order, in one call: each is checked exactly as odoo_create, odoo_update, odoo_delete, odoo_chatter_post and odoo_action do, and reports its own result. Progress is notified after each operation and the client may cancel between them (operations already done stay done: Odoo has no transaction across calls). stop_on_error (default true) skips the rest after a failure. No operation starts once the batch has run for its time limit; those left are not_attempted. Unless every operation succeeded the result is an error that still lists each operation's outcome; an operation with outcome_unknown: true may or may not have been applied (check before retrying it). dry_run: true checks every operation without writing. Each operation is an object: {\"action\": \"create\", \"model\": ..., \"values\": {...}}, {\"action\": \"update\", \"model\": ..., \"ids\": [...], \"values\": {...}}, {\"action\": \"delete\", \"model\": ..., \"ids\": [...]} or {\"action\": \"post_message\", \"model\": ..., \"id\": ..., \"body\": ..., \"kind\": \"note\"} or {\"action\": \"call_action\", \"model\": ..., \"ids\": [...], \"method\": \"action_confirm\"}.",
  "inputSchema": {
    "type": "object",
    "properties": {
      "dry_run": {"type": "boolean", "default": false},
      "operations": {
        "type": "array",
        "items": {"type": "object", "properties": {"action": {"type": "string", "enum": ["create", "update", "delete", "post_message", "call_action"]}, "body": {"type": "string", "description": "post_message: the text"}, "html": {"type": "boolean"}, "id": {"type": "integer", "description": "post_message: the record", "minimum": 1}, "ids": {"type": "array", "items": {"type": "integer", "minimum": 1}}, "kind": {"type": "string", "enum": ["note", "message"]}, "method": {"type": "string", "description": "call_action: the button method, as odoo_action's action"}, "model": {"type": "string"}, "values": {"type": "object"}}, "required": ["action", "model"]},
        "maxItems": 100,
        "minItems": 1
      },
      "stop_on_error": {"type": "boolean", "default": true}
    },
    "required": ["operations"],
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "dry_run": {"type": "boolean"},
      "error": {"type": "string", "description": "Unless every operation succeeded: what did not, in words"},
      "failed": {"type": "integer"},
      "not_attempted": {
        "type": "integer",
        "description": "Operations not started because the batch reached its time limit"
      },
      "notice": {
        "type": "string",
        "description": "Present when anything was cut to keep the answer within its size cap: what, and how to get the rest"
      },
      "outcome_unknown": {
        "type": "integer",
        "description": "Failed operations whose outcome is unknown: Odoo may or may not have applied them"
      },
      "results": {
        "type": "array",
        "items": {"type": "object", "properties": {"action": {"type": "string"}, "error": {"type": "string"}, "index": {"type": "integer"}, "model": {"type": "string"}, "outcome_unknown": {"type": "boolean", "description": "Failed: Odoo's answer was lost, the operation may or may not have been applied; check before retrying it"}, "result": {"type": "object", "description": "What the operation's own tool returns"}, "status": {"type": "string", "enum": ["ok", "failed", "skipped", "not_attempted"]}}, "required": ["index", "action", "status"]}
      },
      "skipped": {"type": "integer"},
      "status": {
        "type": "string",
        "description": "stopped: an operation failed and stop_on_error skipped the rest; time_limit: the batch ran out of time and the rest were not attempted",
        "enum": ["completed", "stopped", "time_limit"]
      },
      "succeeded": {"type": "integer"}
    },
    "required": ["dry_run", "status", "succeeded", "failed", "skipped", "not_attempted", "outcome_unknown", "results"]
  },
  "annotations": {
    "destructiveHint": true,
    "idempotentHint": false,
    "openWorldHint": true,
    "readOnlyHint": false,
    "title": "Run several Odoo writes in order"
  }
}"#;

/// One operation as given, its action checked.
struct Operation {
    action: &'static str,
    tool: &'static str,
    model: String,
    args: Map<String, Value>,
}

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["operations", "stop_on_error", "dry_run"])?;
    let stop_on_error = args::optional_bool(a, "stop_on_error")?.unwrap_or(true);
    let dry_run = args::optional_bool(a, "dry_run")?.unwrap_or(false);
    let ops = operations(a, dry_run)?;
    // What this request has left (its authentication, and in a JSON-RPC batch the messages before this
    // one, are spent; the after-response write is set aside).
    let needed = subrequests_needed(&ops, dry_run);
    let left = ctx.req.svc.subrequests_left();
    if needed > left {
        let allowed = ctx.req.svc.settings.subrequest_budget;
        let fits = (ops.len() as u64 * u64::from(left) / u64::from(needed)).max(1);
        return Err(ToolError::Invalid(format!(
            "this batch could need up to {needed} more outbound calls (Odoo calls and database queries); this \
             deployment allows {allowed} per request, and this request has {left} left. Nothing was run. Split it \
             into batches of about {fits} operations."
        )));
    }

    if !dry_run {
        // One question for the whole batch, before its first operation: each operation it covers then runs.
        let mut kinds = Vec::new();
        if ops.iter().any(|op| op.action == "delete") {
            kinds.push(crate::access::Operation::Delete);
        }
        if ops.iter().any(|op| op.action == "call_action") {
            kinds.push(crate::access::Operation::Action);
        }
        let what = format!("batch of {} operation(s)", ops.len());
        ctx.approve(&kinds, &what, needed, || question(&ops)).await?;
    }
    ctx.in_batch.set(true);
    let tally = run_operations(ctx, &ops, stop_on_error).await;
    ctx.in_batch.set(false);
    let tally = tally?;
    ctx.set_record_count(tally.succeeded as usize);
    let mut out = json!({
        "dry_run": dry_run,
        "status": tally.status(),
        "succeeded": tally.succeeded, "failed": tally.failed, "skipped": tally.skipped,
        "not_attempted": tally.not_attempted, "outcome_unknown": tally.unknown,
        "results": tally.results,
    });
    let summary = tally.summary(ops.len(), ctx.req.svc.settings.batch_time_limit_ms);
    if let Some(summary) = &summary {
        out["error"] = json!(summary);
    }
    shrink_to_budget(ctx, &mut out);
    match summary {
        None => Ok(out),
        Some(summary) => Err(ToolError::Incomplete { result: out, summary }),
    }
}

/// What happened to each operation, and the counts.
#[derive(Default)]
struct Tally {
    results: Vec<Value>,
    succeeded: u32,
    failed: u32,
    skipped: u32,
    not_attempted: u32,
    /// Failed with a lost answer.
    unknown: u32,
    stopped: bool,
}

impl Tally {
    fn status(&self) -> &'static str {
        if self.not_attempted > 0 {
            "time_limit"
        } else if self.stopped && self.skipped > 0 {
            "stopped"
        } else {
            "completed"
        }
    }

    /// Unless every operation succeeded: what did not, in words.
    fn summary(&self, total: usize, limit_ms: u64) -> Option<String> {
        let mut parts = Vec::new();
        if self.failed > 0 {
            let mut part = format!("{} failed", self.failed);
            if self.unknown > 0 {
                part.push_str(&format!(
                    " ({} with an unknown outcome: Odoo's answer was lost, so it may or may not have been \
                     applied; check with odoo_get or odoo_search before retrying it)",
                    self.unknown
                ));
            }
            parts.push(part);
        }
        if self.skipped > 0 {
            parts.push(format!("{} skipped after the failure (stop_on_error)", self.skipped));
        }
        if self.not_attempted > 0 {
            parts.push(format!(
                "{} not attempted: the batch reached its time limit of {} s (run them in a new batch)",
                self.not_attempted,
                limit_ms.div_ceil(1000)
            ));
        }
        (!parts.is_empty()).then(|| {
            format!(
                "{} of {total} operations succeeded; {}. Each operation's outcome is in results.",
                self.succeeded,
                parts.join("; ")
            )
        })
    }
}

/// Runs the operations in order, each audited as its own tool call; none starts past the time limit.
async fn run_operations(ctx: &ToolCtx<'_>, ops: &[Operation], stop_on_error: bool) -> Result<Tally, ToolError> {
    let started = now_ms();
    let limit = i64::try_from(ctx.req.svc.settings.batch_time_limit_ms).unwrap_or(i64::MAX);
    let total = ops.len() as u32;
    let mut t = Tally { results: Vec::with_capacity(ops.len()), ..Tally::default() };
    let mut out_of_time = false;
    for (index, op) in ops.iter().enumerate() {
        let mut entry = json!({"index": index, "action": op.action, "model": op.model});
        if t.stopped || out_of_time {
            entry["status"] = json!(if out_of_time { "not_attempted" } else { "skipped" });
            *(if out_of_time { &mut t.not_attempted } else { &mut t.skipped }) += 1;
            t.results.push(entry);
            continue;
        }
        if index > 0 {
            // Between operations: a cancelled batch stops here, with what is done done and audited.
            ctx.req.checkpoint().await.map_err(|_| ToolError::Cancelled)?;
            // The runtime's clock, which advances with each Odoo call: past the limit nothing starts.
            if now_ms() - started >= limit {
                out_of_time = true;
                entry["status"] = json!("not_attempted");
                t.not_attempted += 1;
                t.results.push(entry);
                continue;
            }
        }
        let op_started = now_ms();
        let outcome = match op.tool {
            create::NAME => create::run(ctx, &op.args).await,
            update::NAME => update::run(ctx, &op.args).await,
            delete::NAME => delete::run(ctx, &op.args).await,
            action::NAME => action::run(ctx, &op.args).await,
            _ => chatter_post::run(ctx, &op.args).await,
        };
        if matches!(outcome, Err(ToolError::Cancelled)) {
            return Err(ToolError::Cancelled);
        }
        ctx.audit_operation(op.tool, &outcome, now_ms() - op_started);
        match outcome {
            Ok(result) => {
                t.succeeded += 1;
                entry["status"] = json!("ok");
                entry["result"] = result;
            }
            Err(e) => {
                let unknown = matches!(&e, ToolError::Odoo(o) if o.outcome_unknown);
                t.failed += 1;
                t.unknown += u32::from(unknown);
                entry["status"] = json!("failed");
                entry["error"] = json!(e.message());
                entry["outcome_unknown"] = json!(unknown);
                t.stopped = stop_on_error;
            }
        }
        if ctx.req.notify.wants_progress() {
            let message = format!(
                "{} of {total}: {} {} {}",
                index + 1,
                op.action,
                op.model,
                match (entry["status"].as_str(), entry["outcome_unknown"].as_bool()) {
                    (Some("ok"), _) => "done",
                    (_, Some(true)) => "outcome unknown",
                    _ => "failed",
                }
            );
            ctx.req.notify.progress(f64::from(index as u32 + 1), Some(f64::from(total)), &message);
        }
        t.results.push(entry);
    }
    Ok(t)
}

/// Parses the operations; every one is checked for its shape before any runs. Each becomes the
/// arguments of its own tool, with the batch's `dry_run`.
fn operations(a: &Map<String, Value>, dry_run: bool) -> Result<Vec<Operation>, ToolError> {
    let items = match a.get("operations") {
        Some(Value::Array(items)) if !items.is_empty() && items.len() <= MAX_OPERATIONS => items,
        _ => {
            return Err(ToolError::Invalid(format!("'operations' must be a list of 1 to {MAX_OPERATIONS} operations")))
        }
    };
    let mut ops = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let bad = |why: String| ToolError::Invalid(format!("operation {index}: {why}"));
        let Value::Object(fields) = item else {
            return Err(bad("must be an object with 'action' and 'model'".into()));
        };
        let (action, tool) = match fields.get("action").and_then(Value::as_str) {
            Some(a) => ACTIONS.iter().find(|(known, _)| *known == a).copied().ok_or_else(|| {
                bad(format!(
                    "unknown action '{}'; use create, update, delete, post_message or call_action",
                    crate::text::truncate(a, 30)
                ))
            })?,
            None => {
                return Err(bad("'action' is required: create, update, delete, post_message or call_action".into()))
            }
        };
        if fields.contains_key("dry_run") {
            return Err(bad("'dry_run' is set for the whole batch, not per operation".into()));
        }
        // A call_action's method is its tool's `action` (the operation's own `action` says what it is).
        let rename = |k: &str| if tool == action::NAME && k == "method" { "action".to_string() } else { k.to_string() };
        let mut args = crate::json::object(
            fields.iter().filter(|(k, _)| k.as_str() != "action").map(|(k, v)| (rename(k), v.clone())),
        );
        args.insert("dry_run".into(), json!(dry_run));
        let model = fields.get("model").and_then(Value::as_str).unwrap_or_default().to_string();
        ops.push(Operation { action, tool, model, args });
    }
    Ok(ops)
}

/// An upper bound of the outbound calls the batch can make once it runs: per operation its Odoo calls (a
/// delete of several records may retry each alone) and one cancellation check; one schema per model and
/// per x2many command list; the login. (The authentication batch is already spent, and the audit's
/// after-response write is set aside by `Services::subrequests_left`.)
fn subrequests_needed(ops: &[Operation], dry_run: bool) -> u32 {
    let mut models = BTreeSet::new();
    let mut calls: u64 = 1;
    for op in ops {
        models.insert(op.model.as_str());
        let ids = op.args.get("ids").and_then(Value::as_array).map_or(0, Vec::len) as u64;
        calls += 1 + match (op.action, dry_run) {
            (_, true) => 4,
            ("delete", false) if ids > 1 => 2 + ids.min(20),
            _ => 2,
        };
        let command_lists = op.args.get("values").and_then(Value::as_object).map_or(0, |v| {
            v.values().filter(|x| x.as_array().and_then(|a| a.first()).is_some_and(Value::is_array)).count()
        });
        calls += command_lists as u64;
    }
    u32::try_from(calls + models.len() as u64).unwrap_or(u32::MAX)
}

/// The question a batch asks its person: every operation, in order.
fn question(ops: &[Operation]) -> String {
    const MAX_LISTED: usize = 30;
    let ids = |op: &Operation| {
        let list: Vec<String> =
            op.args.get("ids").and_then(Value::as_array).into_iter().flatten().map(|v| v.to_string()).collect();
        list.join(", ")
    };
    let text = |op: &Operation, k: &str| op.args.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
    let mut lines: Vec<String> = ops
        .iter()
        .take(MAX_LISTED)
        .enumerate()
        .map(|(i, op)| {
            let m = crate::text::truncate(&op.model, 80);
            let line = match op.action {
                "delete" => format!("delete {m} records with ids {} (cannot be undone)", ids(op)),
                "call_action" => format!(
                    "run {} on {m} records with ids {}",
                    crate::text::truncate(&text(op, "method"), 80),
                    ids(op)
                ),
                "update" => format!("update {m} records with ids {}", ids(op)),
                "post_message" => format!(
                    "post a {} on {m} record {}",
                    op.args.get("kind").and_then(Value::as_str).unwrap_or("note"),
                    op.args.get("id").map(Value::to_string).unwrap_or_default()
                ),
                _ => format!("create a {m} record"),
            };
            format!("{}. {line}", i + 1)
        })
        .collect();
    if ops.len() > MAX_LISTED {
        lines.push(format!("… and {} more operation(s)", ops.len() - MAX_LISTED));
    }
    format!("Run this batch of {} operation(s), in order?\n{}", ops.len(), lines.join("\n"))
}

/// Keeps the answer within the response budget: the records each operation read back go first (ids,
/// outcomes, values not applied and errors stay).
fn shrink_to_budget(ctx: &ToolCtx<'_>, out: &mut Value) {
    let max = ctx.req.svc.settings.max_response_bytes.max(crate::config::MIN_RESPONSE_BYTES);
    if budget::json_len(out) <= max {
        return;
    }
    if let Some(results) = out["results"].as_array_mut() {
        for r in results {
            if let Some(result) = r.get_mut("result").and_then(Value::as_object_mut) {
                for bulky in ["records", "record", "changes", "defaults"] {
                    result.remove(bulky);
                }
            }
        }
    }
    out["notice"] = json!(format!(
        "Response cut at {max} bytes: the records each operation read back were left out; ids, outcomes, \
         values not applied and errors are all here. Use odoo_get to read the records."
    ));
}
