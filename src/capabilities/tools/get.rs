//! `odoo_get`: records by id. One unreadable field never fails the read (readable fields come back,
//! refused ones are listed), and ids that do not exist or are not visible are reported, not dropped;
//! nor are records left out by the response budget (`not_returned_ids`).

use super::args;
use super::budget::Budget;
use super::definition::{company_property, Tool};
use super::reading::{read_dropping_refused, select_fields, MAX_FIELDS};
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::json;
use crate::odoo::call::Call;
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_get";
pub const MAX_IDS: usize = 100;

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = concat!(
    r#"{
  "name": "odoo_get",
  "title": "Read Odoo records by id",
  "description": "Read records of a model by id (at most 100). Returns the readable fields; fields this Odoo user may not read are listed in dropped_fields instead of failing the read, and ids that do not exist (or are not visible to this user) are listed in missing_ids. Answers are capped in size: records that do not fit are listed in not_returned_ids (ask for them again, with fewer ids or fields), and values longer than 4000 characters are cut and listed in truncated_values.",
  "inputSchema": {
    "type": "object",
    "properties": {
      "#,
    company_property!(),
    r#",
      "fields": {
        "type": "array",
        "description": "Fields to return; omit for a small default set",
        "items": {"type": "string"}
      },
      "ids": {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 100, "minItems": 1},
      "model": {"type": "string", "description": "Technical model name, e.g. res.partner"}
    },
    "required": ["model", "ids"],
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "dropped_fields": {
        "type": "array",
        "items": {"type": "object", "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}}
      },
      "missing_ids": {"type": "array", "items": {"type": "integer"}},
      "model": {"type": "string"},
      "not_returned_ids": {
        "type": "array",
        "description": "Found but left out for size: ask for them again",
        "items": {"type": "integer"}
      },
      "notice": {
        "type": "string",
        "description": "Present when anything was cut to keep the answer within its size cap: what, and how to get the rest"
      },
      "records": {"type": "array", "items": {"type": "object"}},
      "truncated_values": {
        "type": "array",
        "description": "Values longer than 4000 characters, cut and ending with '… [truncated: N more characters]'",
        "items": {"type": "object", "properties": {"field": {"type": "string"}, "id": {"type": "integer"}, "length": {"type": "integer", "description": "The full value's length in characters"}}}
      }
    },
    "required": ["model", "records", "missing_ids", "dropped_fields"]
  },
  "annotations": {"openWorldHint": true, "readOnlyHint": true, "title": "Read Odoo records by id"}
}"#
);

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "ids", "fields"])?;
    let model = args::required_str(a, "model")?;
    let ids = args::record_ids(a, MAX_IDS)?;
    let requested = args::optional_string_list(a, "fields", MAX_FIELDS)?;
    ctx.require(model, Operation::Read)?;

    let client = ctx.odoo()?;
    let schema = ctx.schema(&client, model).await?;
    ctx.progress(1, 2, || format!("Loaded the fields of {model}"));
    let (fields, mut dropped) = select_fields(&schema, requested);
    ctx.checkpoint(&client).await?;
    let result = read_dropping_refused(fields, &mut dropped, |fields| {
        let call =
            Call { model, method: "read", ids: Some(&ids), params: vec![("fields", json!(fields))], positional: 0 };
        let client = &client;
        async move { client.call(&call).await }
    })
    .await?;
    let records = match result {
        Value::Array(r) => r,
        _ => return Err(ToolError::Unavailable("Odoo's read answer is not a list".into())),
    };
    let found: Vec<i64> = records.iter().filter_map(|r| r.get("id").and_then(Value::as_i64)).collect();
    let missing: Vec<i64> = ids.iter().copied().filter(|id| !found.contains(id)).collect();
    let mut out = json!({"model": model, "records": [], "missing_ids": missing, "dropped_fields": dropped});
    // Room for every found id, as if all were left out: an upper bound on the list the answer may carry.
    let mut envelope = out.clone();
    envelope["not_returned_ids"] = json!(found);
    let budget = Budget::new(ctx.req.svc.settings.max_response_bytes);
    let fitted = budget.fit_records(&envelope, records);
    ctx.set_record_count(fitted.kept.len());
    ctx.progress(2, 2, || format!("Read {} records of {model}", fitted.kept.len()));
    if !missing.is_empty() {
        ctx.log("warning", || {
            format!("{model}: no record with id {}", missing.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))
        });
    }
    if fitted.is_cut() {
        out["not_returned_ids"] = fitted.left_out.iter().filter_map(|r| r.get("id")).cloned().collect();
    }
    if let Some(notice) = fitted.notice(
        budget,
        "records",
        "Ask for the ids in not_returned_ids again, with fewer ids or fields at a time.",
    ) {
        out["notice"] = json!(notice);
    }
    if !fitted.truncated_values.is_empty() {
        out["truncated_values"] = json!(fitted.truncated_values);
    }
    out["records"] = Value::Array(fitted.kept);
    Ok(out)
}
