//! `odoo_delete`: records by id, with an outcome for each. Odoo's `unlink` is all or nothing, so when
//! deleting several records fails, each is retried alone to say which ones Odoo refuses and why (not
//! when the answer was lost: they may be gone, and the error says to check).
//! `dry_run` names the records and asks Odoo whether they may be deleted, without deleting.

use super::args;
use super::definition::{company_property, dry_run_property, Tool};
use super::writing::{self, dry_run_arg, ids_arg};
use crate::access::Operation;
use crate::capabilities::approve::record_lines;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::json;
use crate::odoo::call::Call;
use crate::odoo::OdooClient;
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_delete";

/// Records retried one by one after a failed delete of several; beyond it they are reported as not
/// attempted, to stay within the subrequest budget of one Worker invocation.
pub const MAX_RETRIES: usize = 20;

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = concat!(
    r#"{
  "name": "odoo_delete",
  "title": "Delete Odoo records",
  "description": "Permanently delete records by id (at most 100), with an outcome per record: deleted, missing (no such record, or not visible), failed with Odoo's reason (e.g. another record depends on it; archiving with odoo_update {\"active\": false} is often the better choice), or unknown (Odoo's answer was lost: check with odoo_get). Confirm with the user first; dry_run: true names the records and checks Odoo's permission without deleting.",
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
      "model": {"type": "string", "description": "Technical model name, e.g. res.partner"}
    },
    "required": ["model", "ids"],
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "deleted": {"type": "integer", "description": "Records deleted (0 on a dry run)"},
      "dry_run": {"type": "boolean"},
      "model": {"type": "string"},
      "results": {
        "type": "array",
        "items": {"type": "object", "properties": {"display_name": {}, "error": {"type": "string"}, "id": {"type": "integer"}, "outcome": {"type": "string", "description": "unknown: Odoo's answer was lost, the record may or may not be deleted", "enum": ["deleted", "would_delete", "missing", "failed", "unknown", "not_attempted"]}}, "required": ["id", "outcome"]}
      }
    },
    "required": ["model", "dry_run", "deleted", "results"]
  },
  "annotations": {
    "destructiveHint": true,
    "idempotentHint": true,
    "openWorldHint": true,
    "readOnlyHint": false,
    "title": "Delete Odoo records"
  }
}"#
);

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "ids", "dry_run"])?;
    let model = args::required_str(a, "model")?;
    let ids = ids_arg(a)?;
    let dry_run = dry_run_arg(a)?;
    ctx.require(model, Operation::Delete)?;

    let client = ctx.odoo()?;
    let schema = ctx.schema(&client, model).await?;
    // Names for the outcomes, and which ids exist: `unlink` of a missing id fails the whole call.
    let found = writing::read_records(&client, model, &schema, &ids, std::iter::empty()).await?;
    let record = |id: i64| found.iter().find(|r| r.get("id").and_then(Value::as_i64) == Some(id));
    let existing: Vec<i64> = ids.iter().copied().filter(|id| record(*id).is_some()).collect();
    ctx.progress(1, 2, || format!("Found {} of {} {model} record(s)", existing.len(), ids.len()));
    ctx.checkpoint(&client).await?;

    let mut outcomes: Vec<(i64, &str, Option<String>)> = Vec::new();
    if dry_run {
        let not_found: Vec<i64> = ids.iter().copied().filter(|id| record(*id).is_none()).collect();
        writing::refuse_hidden(&client, &ctx.req.auth.connection, model, &not_found).await?;
        if !existing.is_empty() {
            writing::odoo_access_check(&client, &ctx.req.auth.connection, model, Operation::Delete, &existing).await?;
        }
        outcomes.extend(existing.iter().map(|id| (*id, "would_delete", None)));
    } else if !existing.is_empty() {
        let named: Vec<(i64, Option<String>)> = existing
            .iter()
            .map(|id| {
                (*id, record(*id).and_then(|r| r.get("display_name")).and_then(Value::as_str).map(str::to_string))
            })
            .collect();
        let what = format!("delete {} {model} record(s)", existing.len());
        ctx.approve(&[Operation::Delete], &what, 2 + MAX_RETRIES as u32, || {
            format!(
                "Delete {} {model} record(s) permanently? This cannot be undone.\n{}",
                existing.len(),
                record_lines(&named)
            )
        })
        .await?;
        match unlink(&client, model, &existing).await {
            Ok(()) => outcomes.extend(existing.iter().map(|id| (*id, "deleted", None))),
            // One record, or an answer that was lost (they may be gone already): the error says it all.
            Err(e) if existing.len() == 1 || is_unknown(&e) => return Err(e),
            Err(_) => outcomes.extend(one_by_one(&client, model, &existing).await),
        }
    }
    let deleted = outcomes.iter().filter(|(_, o, _)| *o == "deleted").count();
    ctx.set_record_count(deleted);
    let results: Vec<Value> = ids
        .iter()
        .map(|id| {
            let (outcome, error) = match outcomes.iter().find(|(i, _, _)| i == id) {
                Some((_, o, e)) => (*o, e.clone()),
                None => ("missing", None),
            };
            let mut r =
                json!({"id": id, "display_name": record(*id).and_then(|r| r.get("display_name")), "outcome": outcome});
            if let Some(e) = error {
                r["error"] = json!(e);
            }
            r
        })
        .collect();
    ctx.progress(2, 2, || {
        format!(
            "{} {model} record(s) {}",
            if dry_run { existing.len() } else { deleted },
            if dry_run { "would be deleted" } else { "deleted" }
        )
    });
    ctx.log("info", || format!("{model}: {deleted} deleted of {} asked", ids.len()));
    Ok(json!({"model": model, "dry_run": dry_run, "deleted": deleted, "results": results}))
}

async fn unlink(client: &OdooClient<'_>, model: &str, ids: &[i64]) -> Result<(), ToolError> {
    let call = Call { model, method: "unlink", ids: Some(ids), params: vec![], positional: 0 };
    client.call(&call).await?;
    Ok(())
}

/// After a failed delete of several records (nothing was deleted): each alone, to find which fail.
/// Not cancellable: once records start going, the caller must get the outcome of each.
async fn one_by_one(client: &OdooClient<'_>, model: &str, ids: &[i64]) -> Vec<(i64, &'static str, Option<String>)> {
    let mut out = Vec::with_capacity(ids.len());
    for (n, id) in ids.iter().enumerate() {
        if n >= MAX_RETRIES {
            out.push((*id, "not_attempted", Some(format!("not retried: at most {MAX_RETRIES} records are retried one by one per call; delete it again on its own"))));
            continue;
        }
        match unlink(client, model, &[*id]).await {
            Ok(()) => out.push((*id, "deleted", None)),
            Err(e) if is_unknown(&e) => out.push((*id, "unknown", Some(e.message()))),
            Err(e) => out.push((*id, "failed", Some(e.message()))),
        }
    }
    out
}

/// An `unlink` whose answer was lost: the records may or may not have been deleted.
fn is_unknown(e: &ToolError) -> bool {
    matches!(e, ToolError::Odoo(o) if o.outcome_unknown)
}
