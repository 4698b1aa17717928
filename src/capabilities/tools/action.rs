//! `odoo_action`: one of a model's public button methods (`action_confirm`, `action_post`,
//! `button_validate` …) called on up to 100 records as the key's Odoo user, with Odoo's own checks. Only
//! the methods an administrator allowed on the model are called (`Permissions::check_action`, before any
//! Odoo call). Odoo's answer is reported as it is: `true` or None is done, and the records are read back
//! (`state` where the model has it, and `display_name`) to show what changed; an action dictionary (a
//! wizard, a report, a client action) is a follow-up step Odoo wants, described and not followed; the
//! rainbow man's `effect` is a success with its message. `dry_run` asks Odoo whether the user may write
//! the records and shows their current state, calling nothing.
//!
//! When the key runs actions only once its person approved them, the question (the method and the records
//! by name) is asked just before the method is called (`ToolCtx::approve`).

use super::args;
use super::definition::{company_property, dry_run_property, Tool};
use super::writing::{self, dry_run_arg, ids_arg};
use crate::access::Operation;
use crate::capabilities::approve::record_lines;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::json;
use crate::odoo::call::Call;
use crate::odoo::schema::ModelSchema;
use crate::odoo::OdooClient;
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_action";

/// An answer larger than this is not repeated in the result (only what it was).
const MAX_ANSWER_BYTES: usize = 2000;

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = concat!(
    r#"{
  "name": "odoo_action",
  "title": "Run an Odoo action",
  "description": "Call one of a model's workflow buttons (e.g. action_confirm on sale.order, action_set_won_rainbowman on crm.lead) on records by id (at most 100), as this key's Odoo user. Only the actions the administrator allowed on the model can run: odoo_list_models and odoo_describe_model list them. status done: Odoo ran it, and records shows each record's state and name afterwards. status follow_up: Odoo answered with a further step (a wizard to fill in, a report, a page) that was NOT followed, so the work may not be finished: tell the user to finish it in Odoo. With dry_run: true nothing is called: you get each record's current state, and Odoo is asked whether this user may change them.",
  "inputSchema": {
    "type": "object",
    "properties": {
      "action": {
        "type": "string",
        "description": "The button method, e.g. action_confirm (one the administrator allowed)"
      },
      "#,
    company_property!(),
    r#",
      "#,
    dry_run_property!(),
    r#",
      "ids": {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 100, "minItems": 1},
      "model": {"type": "string", "description": "Technical model name, e.g. sale.order"}
    },
    "required": ["model", "ids", "action"],
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "action": {"type": "string"},
      "answer": {"description": "Odoo's answer as it came (true, null, an effect …), when it is short"},
      "dry_run": {"type": "boolean"},
      "follow_up": {
        "type": "object",
        "properties": {"type": {"type": "string"}, "context_keys": {"type": "array", "items": {"type": "string"}}, "name": {"type": "string"}, "report_name": {"type": "string"}, "res_model": {"type": "string"}, "tag": {"type": "string"}, "target": {"type": "string"}, "view_mode": {"type": "string"}},
        "required": ["type"]
      },
      "ids": {"type": "array", "items": {"type": "integer"}},
      "message": {"type": "string", "description": "What happened, in words"},
      "missing_ids": {
        "type": "array",
        "description": "Dry run: ids with no visible record",
        "items": {"type": "integer"}
      },
      "model": {"type": "string"},
      "records": {
        "type": "array",
        "description": "Each record's id, display_name and state (where the model has one): afterwards, or now for a dry run",
        "items": {"type": "object", "properties": {"display_name": {}, "id": {"type": "integer"}, "state": {}}, "required": ["id"]}
      },
      "status": {"type": "string", "enum": ["done", "follow_up", "dry_run"]},
      "warning": {"type": "string"}
    },
    "required": ["model", "action", "ids", "dry_run", "status"]
  },
  "annotations": {
    "destructiveHint": true,
    "idempotentHint": false,
    "openWorldHint": true,
    "readOnlyHint": false,
    "title": "Run an Odoo action"
  }
}"#
);

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "ids", "action", "dry_run"])?;
    let model = args::required_str(a, "model")?;
    let action = args::required_str(a, "action")?;
    let ids = ids_arg(a)?;
    let dry_run = dry_run_arg(a)?;
    ctx.require_action(model, action)?;

    let client = ctx.odoo()?;
    // The records are shown (state, name) only to a key that may read the model.
    let readable = ctx.req.auth.permissions.check(model, Operation::Read).is_ok();
    let schema = match readable {
        true => Some(ctx.schema(&client, model).await?),
        false => None,
    };
    let mut out = json!({"model": model, "action": action, "ids": ids, "dry_run": dry_run});
    if dry_run {
        return dry_run_result(ctx, &client, schema.as_deref(), model, action, &ids, out).await;
    }
    ctx.checkpoint(&client).await?;
    if ctx.needs_approval(&[Operation::Action]) {
        // The question names the records a key that may read them would see.
        let named: Vec<(i64, Option<String>)> = match &schema {
            Some(schema) => read_state(&client, model, schema, &ids)
                .await?
                .iter()
                .filter_map(|r| {
                    let id = r.get("id").and_then(Value::as_i64)?;
                    Some((id, r.get("display_name").and_then(Value::as_str).map(str::to_string)))
                })
                .collect(),
            None => ids.iter().map(|id| (*id, None)).collect(),
        };
        let what = format!("{action} on {} {model} record(s)", ids.len());
        ctx.approve(&[Operation::Action], &what, 4, || {
            format!("Run {action} on {} {model} record(s)?\n{}", ids.len(), record_lines(&named))
        })
        .await?;
    }
    ctx.progress(1, 2, || format!("Calling {action} on {} {model} record(s)", ids.len()));

    let answer = call_action(&client, model, action, &ids).await?;
    ctx.set_record_count(ids.len());
    let (status, message) = describe(&answer, model, action, ids.len(), &mut out);
    ctx.set_answer(match &out["follow_up"] {
        Value::Object(f) => format!(
            "follow-up {} {}",
            f.get("type").and_then(Value::as_str).unwrap_or("?"),
            f.get("res_model").and_then(Value::as_str).unwrap_or("")
        )
        .trim_end()
        .to_string(),
        _ => "done".to_string(),
    });
    out["status"] = json!(status);
    out["message"] = json!(message);
    ctx.log("info", || format!("{model}.{action} on {} record(s): {status}", ids.len()));

    if let Some(schema) = &schema {
        match read_state(&client, model, schema, &ids).await {
            Ok(records) => out["records"] = json!(records),
            // The action ran: a failed read-back must not turn it into an error.
            Err(e) => {
                out["warning"] = json!(format!(
                    "The action ran, but reading the records back failed, so their state afterwards is not known \
                     (read them with odoo_get): {}",
                    e.what()
                ))
            }
        }
    }
    ctx.progress(2, 2, || format!("Read {model} back"));
    Ok(out)
}

/// The one place an action is called: `model.action(ids)` with no other argument, as a button does. An
/// answer that never came (or not from Odoo) leaves the outcome unknown, as for every method that may
/// write (`OdooClient::call`).
async fn call_action(client: &OdooClient<'_>, model: &str, action: &str, ids: &[i64]) -> Result<Value, ToolError> {
    let call = Call { model, method: action, ids: Some(ids), params: vec![], positional: 0 };
    Ok(client.call(&call).await?)
}

/// Sorts Odoo's answer into done or a follow-up step, fills `answer` / `follow_up`, and says it in words.
fn describe(answer: &Value, model: &str, action: &str, n: usize, out: &mut Value) -> (&'static str, String) {
    let kind = answer.get("type").and_then(Value::as_str).filter(|t| t.starts_with("ir.actions."));
    if let (Some(kind), Value::Object(dict)) = (kind, answer) {
        let text = |k: &str| dict.get(k).and_then(Value::as_str).map(str::to_string);
        let mut follow = Map::new();
        follow.insert("type".into(), json!(kind));
        for k in ["name", "res_model", "view_mode", "target", "tag", "report_name"] {
            if let Some(v) = text(k) {
                follow.insert(k.into(), json!(v));
            }
        }
        // A serde_json `Map` (without its `preserve_order` feature) keeps its keys sorted: no sort needed.
        let keys: Vec<&String> =
            dict.get("context").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k).collect();
        follow.insert("context_keys".into(), json!(keys));
        let what = match (text("name"), text("res_model")) {
            (Some(name), Some(m)) => format!("'{name}' ({kind} on {m})"),
            (None, Some(m)) => format!("{kind} on {m}"),
            (Some(name), None) => format!("'{name}' ({kind})"),
            (None, None) => kind.to_string(),
        };
        out["follow_up"] = Value::Object(follow);
        let message = format!(
            "Odoo wants a follow-up step: {what}. It was not followed: {action} on {n} {model} record(s) may not have \
             done its work yet (records shows their state now). Tell the user to finish it in Odoo."
        );
        return ("follow_up", message);
    }
    if answer.to_string().len() <= MAX_ANSWER_BYTES {
        out["answer"] = answer.clone();
    }
    let effect = answer.pointer("/effect/message").and_then(Value::as_str);
    let message = match effect {
        Some(m) => format!("Odoo ran {action} on {n} {model} record(s) and says: {m}"),
        None => format!("Odoo ran {action} on {n} {model} record(s)."),
    };
    ("done", message)
}

/// `display_name`, and `state` where the model has it (and the key may see it), of the records among
/// `ids` this Odoo user can see.
async fn read_state(
    client: &OdooClient<'_>,
    model: &str,
    schema: &ModelSchema,
    ids: &[i64],
) -> Result<Vec<Value>, ToolError> {
    let fields = schema.fields.contains_key("state").then(|| "state".to_string());
    let rows = writing::read_records(client, model, schema, ids, fields.into_iter()).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut v = json!({"id": r.get("id"), "display_name": r.get("display_name")});
            if let Some(state) = r.get("state") {
                v["state"] = state.clone();
            }
            v
        })
        .collect())
}

async fn dry_run_result(
    ctx: &ToolCtx<'_>,
    client: &OdooClient<'_>,
    schema: Option<&ModelSchema>,
    model: &str,
    action: &str,
    ids: &[i64],
    mut out: Value,
) -> ToolResult {
    let conn = &ctx.req.auth.connection;
    let mut found = ids.to_vec();
    if let Some(schema) = schema {
        let records = read_state(client, model, schema, ids).await?;
        found = records.iter().filter_map(|r| r.get("id").and_then(Value::as_i64)).collect();
        let missing: Vec<i64> = ids.iter().copied().filter(|i| !found.contains(i)).collect();
        writing::refuse_hidden(client, conn, model, &missing).await?;
        out["records"] = json!(records);
        out["missing_ids"] = json!(missing);
    }
    if !found.is_empty() {
        writing::odoo_access_check(client, conn, model, Operation::Action, &found).await?;
    }
    ctx.set_record_count(found.len());
    ctx.set_answer("dry run");
    out["status"] = json!("dry_run");
    out["message"] = json!(format!(
        "Nothing was called. This user may change the {} {model} record(s) found; whether {action} accepts them in \
         their current state is only known when it runs.",
        found.len()
    ));
    ctx.log("info", || format!("{model}.{action}: dry run on {} record(s)", found.len()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::describe;
    use serde_json::json;

    #[test]
    fn a_follow_up_lists_its_context_keys_sorted() {
        let answer = json!({"type": "ir.actions.act_window", "res_model": "sale.order",
                            "context": {"zeta": 1, "default_model": "x", "active_id": 3}});
        let mut out = json!({});
        describe(&answer, "sale.order", "action_view", 1, &mut out);
        assert_eq!(out["follow_up"]["context_keys"], json!(["active_id", "default_model", "zeta"]));
    }
}
