//! `odoo_update`: the same values written on up to 100 records, checked before anything is sent and
//! read back afterwards so that a value Odoo did not store is reported. `dry_run` shows each record's
//! current and new values and asks Odoo whether the write would be allowed, without writing.

use super::args;
use super::definition::{
    arguments, array, company_param, dry_run_param, ids_param, model_param, object, values_param, Tool, ToolAnnotations,
};
use super::writing::{self, checked_values, dry_run_arg, ids_arg};
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolResult};
use crate::odoo::call::Call;
use serde_json::{json, Map, Value};

pub const NAME: &str = "odoo_update";

pub fn definition() -> Tool {
    let title = "Update Odoo records";
    Tool {
        name: NAME,
        title,
        description: "Write the same values on records by id (at most 100). Values are checked against the model's \
            fields first; afterwards the records are read back and any value Odoo did not store is listed in \
            not_applied. With dry_run: true nothing is written: you get each record's current and new values \
            (changes), and Odoo is asked whether this user may write them.",
        input_schema: arguments(
            json!({
                "model": model_param("crm.lead"), "company": company_param(),
                "ids": ids_param(writing::MAX_IDS),
                "values": values_param(),
                "dry_run": dry_run_param()
            }),
            &["model", "ids", "values"],
        ),
        output_schema: Some(object(
            json!({
                "model": {"type": "string"},
                "dry_run": {"type": "boolean"},
                "ids": array(json!({"type": "integer"})),
                "values": writing::values_sent_schema(),
                "changes": {"type": "array", "description": "Dry run: per record, each field's current and new value",
                    "items": object(json!({"id": {"type": "integer"}, "display_name": {}, "fields": {"type": "object"}}), &[])},
                "missing_ids": {"type": "array", "items": {"type": "integer"}, "description": "Dry run: ids with no visible record"},
                "records": {"type": "array", "items": {"type": "object"}, "description": "The written fields as read back"},
                "not_applied": writing::not_applied_schema(),
                "warning": {"type": "string"}
            }),
            &["model", "dry_run", "ids", "values"],
        )),
        annotations: Some(
            ToolAnnotations::with_title(title).read_only(false).destructive(true).idempotent(true).open_world(true),
        ),
    }
}

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
                let fields: Map<String, Value> = values
                    .iter()
                    .map(|(f, new)| {
                        (f.clone(), json!({"current": r.get(f).cloned().unwrap_or(Value::Null), "new": new}))
                    })
                    .collect();
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
