//! `odoo_create`: one new record, its values checked before anything is sent, required fields checked
//! against Odoo's defaults, and the record read back so that a value Odoo did not store is reported.
//! `dry_run` does every check (Odoo's access check included) and shows the defaults Odoo would add.

use super::args;
use super::definition::{company_property, dry_run_property, Tool};
use super::writing::{self, checked_values, dry_run_arg};
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::json;
use crate::odoo::answer;
use crate::odoo::call::Call;
use crate::odoo::schema::ModelSchema;
use crate::odoo::values;
use crate::odoo::OdooClient;
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_create";

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = concat!(
    r#"{
  "name": "odoo_create",
  "title": "Create an Odoo record",
  "description": "Create one record. Values are checked against the model's fields first (unknown or read-only fields, types, selection values, x2many commands); then the record is read back and any value Odoo did not store is listed in not_applied. With dry_run: true nothing is written: you get the checked values, the defaults Odoo would fill in and any required field still missing, to show the user before creating.",
  "inputSchema": {
    "type": "object",
    "properties": {
      "#,
    company_property!(),
    r#",
      "#,
    dry_run_property!(),
    r#",
      "model": {"type": "string", "description": "Technical model name, e.g. crm.lead"},
      "values": {
        "type": "object",
        "description": "Field names and values. many2one: a record id; one2many/many2many: a list of ids (sets exactly those) or Odoo commands ([0,0,{values}] create, [1,id,{values}] update, [2,id] delete, [3,id] unlink, [4,id] link, [5] clear, [6,0,[ids]] set); date: \"YYYY-MM-DD\"; datetime: \"YYYY-MM-DD HH:MM:SS\" in UTC; selection: one of its values (odoo_describe_model lists them)."
      }
    },
    "required": ["model", "values"],
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "defaults": {"type": "object", "description": "Dry run: the defaults Odoo fills in for fields not given"},
      "display_name": {"type": "string"},
      "dry_run": {"type": "boolean"},
      "id": {"type": "integer", "description": "The new record (absent on a dry run)"},
      "missing_required": {
        "type": "array",
        "description": "Dry run: required fields with no value and no default",
        "items": {"type": "string"}
      },
      "model": {"type": "string"},
      "not_applied": {
        "type": "array",
        "description": "Values Odoo did not store as sent, found by reading the record back",
        "items": {"type": "object", "properties": {"field": {"type": "string"}, "id": {"type": "integer"}, "sent": {}, "stored": {}}}
      },
      "record": {"type": "object", "description": "The written fields as read back from Odoo"},
      "values": {"type": "object", "description": "The values sent (or that would be sent), normalised"},
      "warning": {"type": "string"}
    },
    "required": ["model", "dry_run", "values"]
  },
  "annotations": {
    "destructiveHint": false,
    "idempotentHint": false,
    "openWorldHint": true,
    "readOnlyHint": false,
    "title": "Create an Odoo record"
  }
}"#
);

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "values", "dry_run"])?;
    let model = args::required_str(a, "model")?;
    let dry_run = dry_run_arg(a)?;
    ctx.require(model, Operation::Create)?;

    let client = ctx.odoo()?;
    let schema = ctx.schema(&client, model).await?;
    let values = checked_values(ctx, &client, model, &schema, a).await?;
    ctx.progress(1, 3, || format!("Checked the values for a new {model}"));
    ctx.checkpoint(&client).await?;

    if dry_run {
        writing::odoo_access_check(&client, &ctx.req.auth.connection, model, Operation::Create, &[]).await?;
        let (defaults, missing) = preview_defaults(&client, model, &schema, &values).await?;
        ctx.log("info", || format!("{model}: dry run, nothing created"));
        let mut out = json!({"model": model, "dry_run": true, "values": values, "defaults": defaults, "missing_required": missing});
        if !missing.is_empty() {
            out["warning"] = json!(format!(
                "Required field(s) with no value and no default: {}. Odoo will refuse the record unless it computes them from the other values.",
                missing.join(", ")
            ));
        }
        return Ok(out);
    }

    // A list of one, so both transports answer with a list of ids on every version.
    let call = Call { model, method: "create", ids: None, params: vec![("vals_list", json!([values]))], positional: 1 };
    // The client has checked the answer's shape: a list of one positive id.
    let created = client.call(&call).await?;
    let id = answer::single_id(&created)
        .ok_or_else(|| ToolError::Unavailable("Odoo's create answer holds no record id".into()))?;
    ctx.set_record_count(1);
    ctx.progress(2, 3, || format!("Created {model} {id}"));

    let mut out = json!({"model": model, "dry_run": false, "id": id, "values": values});
    match writing::read_back(&client, model, &schema, &[id], &values).await {
        Ok((records, not_applied)) => {
            if let Some(r) = records.into_iter().next() {
                out["display_name"] = r.get("display_name").cloned().unwrap_or(Value::Null);
                out["record"] = Value::Object(r);
            }
            if let Some(w) = writing::not_applied_warning(&not_applied) {
                ctx.log("warning", || format!("{model} {id}: {w}"));
                out["warning"] = json!(w);
            }
            out["not_applied"] = json!(not_applied);
        }
        // The record exists: a failed read-back must not turn a successful create into an error, nor
        // read as one that could be retried.
        Err(e) => {
            out["warning"] = json!(format!(
                "Created {model} {id}: the record exists, so do not create it again. Reading it back failed, so \
                 whether Odoo stored every value as sent is not known (read it with odoo_get, ids [{id}]): {}",
                e.what()
            ))
        }
    }
    ctx.progress(3, 3, || format!("Read {model} {id} back"));
    Ok(out)
}

/// Dry run: the defaults Odoo would fill in for every settable field not given (one `default_get`), and
/// the required fields left without a value. Those are only reported, never refused before sending:
/// Odoo computes some required fields from others (a quotation's invoice address from its customer, an
/// order line's description from its product), which `fields_get` does not say, so a refusal here would
/// block valid records. Odoo itself refuses the rest, transactionally and with the field's name.
async fn preview_defaults(
    client: &OdooClient<'_>,
    model: &str,
    schema: &ModelSchema,
    values: &Map<String, Value>,
) -> Result<(Value, Vec<String>), ToolError> {
    let wanted: Vec<&str> = schema
        .fields
        .values()
        .filter(|f| !f.readonly && f.stored && f.name != "id" && !values.contains_key(&f.name))
        .map(|f| f.name.as_str())
        .collect();
    let defaults = if wanted.is_empty() {
        json!({})
    } else {
        let call =
            Call { model, method: "default_get", ids: None, params: vec![("fields", json!(wanted))], positional: 1 };
        client.call(&call).await?
    };
    let missing = values::missing_required(values, schema)
        .into_iter()
        .filter(|f| schema.fields.get(f).is_some_and(|info| !values::fills_required(info, defaults.get(f.as_str()))))
        .collect();
    Ok((if defaults.is_object() { defaults } else { json!({}) }, missing))
}
