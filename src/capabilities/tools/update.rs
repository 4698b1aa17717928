//! `odoo_update`: the same values written on up to 100 records, checked before anything is sent and
//! read back afterwards so that a value Odoo did not store is reported. `dry_run` shows each record's
//! current and new values and asks Odoo whether the write would be allowed, without writing.

use super::args;
use super::definition::{company_property, dry_run_property, Tool};
use super::writing::{self, checked_values, dry_run_arg, ids_arg};
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolResult};
use crate::json;
use crate::odoo::call::Call;
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_update";

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = concat!(
    r#"{
  "name": "odoo_update",
  "title": "Update Odoo records",
  "description": "Write the same values on records by id (at most 100). Values are checked against the model's fields first; afterwards the records are read back and any value Odoo did not store is listed in not_applied. With dry_run: true nothing is written: you get each record's current and new values (changes), and Odoo is asked whether this user may write them.",
  "inputSchema": {
    "type": "object",
    "properties": {
      "#,
    company_property!(),
    r#",
      "#,
    dry_run_property!(),
    r#",
      "ids": {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 100, "minItems": 1},
      "model": {"type": "string", "description": "Technical model name, e.g. crm.lead"},
      "values": {
        "type": "object",
        "description": "Field names and values. many2one: a record id; one2many/many2many: a list of ids (sets exactly those) or Odoo commands ([0,0,{values}] create, [1,id,{values}] update, [2,id] delete, [3,id] unlink, [4,id] link, [5] clear, [6,0,[ids]] set); date: \"YYYY-MM-DD\"; datetime: \"YYYY-MM-DD HH:MM:SS\" in UTC; selection: one of its values (odoo_describe_model lists them)."
      }
    },
    "required": ["model", "ids", "values"],
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "changes": {
        "type": "array",
        "description": "Dry run: per record, each field's current and new value",
        "items": {"type": "object", "properties": {"display_name": {}, "fields": {"type": "object"}, "id": {"type": "integer"}}}
      },
      "dry_run": {"type": "boolean"},
      "ids": {"type": "array", "items": {"type": "integer"}},
      "missing_ids": {
        "type": "array",
        "description": "Dry run: ids with no visible record",
        "items": {"type": "integer"}
      },
      "model": {"type": "string"},
      "not_applied": {
        "type": "array",
        "description": "Values Odoo did not store as sent, found by reading the record back",
        "items": {"type": "object", "properties": {"field": {"type": "string"}, "id": {"type": "integer"}, "sent": {}, "stored": {}}}
      },
      "records": {"type": "array", "description": "The written fields as read back", "items": {"type": "object"}},
      "values": {"type": "object", "description": "The values sent (or that would be sent), normalised"},
      "warning": {"type": "string"}
    },
    "required": ["model", "dry_run", "ids", "values"]
  },
  "annotations": {
    "destructiveHint": true,
    "idempotentHint": true,
    "openWorldHint": true,
    "readOnlyHint": false,
    "title": "Update Odoo records"
  }
}"#
);

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "ids", "values", "dry_run"])?;
    let model = args::required_str(a, "model")?;
    let ids = ids_arg(a)?;
    let dry_run = dry_run_arg(a)?;
    ctx.require(model, Operation::Update)?;

    let client = ctx.odoo()?;
    let schema = ctx.schema(&client, model).await?;
    let values = checked_values(ctx, &client, model, &schema, a).await?;
    ctx.progress(1, 3, || format!("Checked the values for {} {model} record(s)", ids.len()));
    ctx.checkpoint(&client).await?;

    if dry_run {
        let current = writing::read_records(&client, model, &schema, &ids, values.keys().cloned()).await?;
        let found: Vec<i64> = current.iter().filter_map(|r| r.get("id").and_then(Value::as_i64)).collect();
        let missing: Vec<i64> = ids.iter().copied().filter(|i| !found.contains(i)).collect();
        writing::refuse_hidden(&client, &ctx.req.auth.connection, model, &missing).await?;
        if !found.is_empty() {
            writing::odoo_access_check(&client, &ctx.req.auth.connection, model, Operation::Update, &found).await?;
        }
        let changes: Vec<Value> = current
            .iter()
            .map(|r| {
                let fields = crate::json::object(values.iter().map(|(f, new)| {
                    (f.clone(), json!({"current": r.get(f).cloned().unwrap_or(Value::Null), "new": new}))
                }));
                json!({"id": r.get("id"), "display_name": r.get("display_name"), "fields": fields})
            })
            .collect();
        ctx.set_record_count(found.len());
        ctx.log("info", || format!("{model}: dry run, {} record(s) would change", found.len()));
        return Ok(
            json!({"model": model, "dry_run": true, "ids": ids, "values": values, "changes": changes, "missing_ids": missing}),
        );
    }

    let call = Call {
        model,
        method: "write",
        ids: Some(&ids),
        params: vec![("vals", Value::Object(values.clone()))],
        positional: 1,
    };
    client.call(&call).await?;
    ctx.set_record_count(ids.len());
    ctx.progress(2, 3, || format!("Updated {} {model} record(s)", ids.len()));

    let mut out = json!({"model": model, "dry_run": false, "ids": ids, "values": values});
    match writing::read_back(&client, model, &schema, &ids, &values).await {
        Ok((records, not_applied)) => {
            if let Some(w) = writing::not_applied_warning(&not_applied) {
                ctx.log("warning", || format!("{model}: {w}"));
                out["warning"] = json!(w);
            }
            out["records"] = json!(records);
            out["not_applied"] = json!(not_applied);
        }
        // The write happened: a failed read-back must not turn it into an error.
        Err(e) => {
            out["warning"] = json!(format!(
                "The records were updated, but reading them back failed, so whether Odoo stored every value \
                 as sent is not known (read them with odoo_get): {}",
                e.what()
            ))
        }
    }
    ctx.progress(3, 3, || format!("Read {model} back"));
    Ok(out)
}
