//! `odoo_describe_model`: a model's fields as the key's Odoo user sees them.

use super::args;
use super::definition::{arguments, array, model_param, object, Tool, ToolAnnotations};
use crate::access::{known_action, Operation};
use crate::capabilities::call::{ToolCtx, ToolResult};
use crate::odoo::schema::default_fields;
use serde_json::{json, Map, Value};

pub const NAME: &str = "odoo_describe_model";

pub fn definition() -> Tool {
    let title = "Describe an Odoo model";
    Tool {
        name: NAME,
        title,
        description: "Describe a model's fields (name, label, type, required, readonly, relation, selection values) \
            as this key's Odoo user sees them, plus the fields returned by default. Use it before filtering or \
            choosing fields in odoo_search and odoo_get. Also lists the actions (button methods) this key may \
            run on the model with odoo_action, each with what it does where known. A field marked company_dependent \
            holds one value per company: it is read and written in the current company (the call's `company` \
            argument where the tool takes one).",
        input_schema: arguments(
            json!({
                "model": model_param("res.partner"),
                "include_help": {"type": "boolean", "description": "Also return each field's help text (longer answer)", "default": false}
            }),
            &["model"],
        ),
        output_schema: Some(object(
            json!({
                "model": {"type": "string"},
                "fields": array(object(
                    json!({
                        "name": {"type": "string"}, "label": {"type": "string"}, "type": {"type": "string"},
                        "required": {"type": "boolean"}, "readonly": {"type": "boolean"},
                        "relation": {"type": "string"}, "selection": {"type": "array"}, "help": {"type": "string"},
                        "stored": {"type": "boolean"}, "sortable": {"type": "boolean"},
                        "company_dependent": {"type": "boolean"}
                    }),
                    &["name", "label", "type"],
                )),
                "default_fields": array(json!({"type": "string"})),
                "actions": array(object(json!({"name": {"type": "string"}, "description": {"type": "string"}}), &["name"]))
            }),
            &["model", "fields", "default_fields"],
        )),
        annotations: Some(ToolAnnotations::with_title(title).read_only(true).open_world(true)),
    }
}

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "include_help"])?;
    let model = args::required_str(a, "model")?;
    let include_help = args::optional_bool(a, "include_help")?.unwrap_or(false);
    ctx.require(model, Operation::Read)?;
    let client = ctx.odoo()?;
    let schema = ctx.schema(&client, model).await?;
    let fields: Vec<Value> = schema
        .fields
        .values()
        .map(|f| {
            let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
            if !include_help {
                if let Some(o) = v.as_object_mut() {
                    o.remove("help");
                }
            }
            v
        })
        .collect();
    ctx.set_record_count(fields.len());
    let mut out = json!({"model": model, "fields": fields, "default_fields": default_fields(&schema)});
    let actions: Vec<Value> = ctx
        .req
        .auth
        .permissions
        .actions_on(model)
        .into_iter()
        .map(|a| match known_action(model, a) {
            Some(d) => json!({"name": a, "description": d}),
            None => json!({"name": a}),
        })
        .collect();
    if !actions.is_empty() {
        out["actions"] = json!(actions);
    }
    Ok(out)
}
