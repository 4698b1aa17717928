//! `odoo_describe_model`: a model's fields as the key's Odoo user sees them.

use super::args;
use super::definition::Tool;
use crate::access::{known_action, Operation};
use crate::capabilities::call::{ToolCtx, ToolResult};
use crate::json;
use crate::odoo::schema::default_fields;
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_describe_model";

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = r#"{
  "annotations": {
    "openWorldHint": true,
    "readOnlyHint": true,
    "title": "Describe an Odoo model"
  },
  "description": "Describe a model's fields (name, label, type, required, readonly, relation, selection values) as this key's Odoo user sees them, plus the fields returned by default. Use it before filtering or choosing fields in odoo_search and odoo_get. Also lists the actions (button methods) this key may run on the model with odoo_action, each with what it does where known. A field marked company_dependent holds one value per company: it is read and written in the current company (the call's `company` argument where the tool takes one).",
  "inputSchema": {
    "additionalProperties": false,
    "properties": {
      "include_help": {
        "default": false,
        "description": "Also return each field's help text (longer answer)",
        "type": "boolean"
      },
      "model": {
        "description": "Technical model name, e.g. res.partner",
        "type": "string"
      }
    },
    "required": [
      "model"
    ],
    "type": "object"
  },
  "name": "odoo_describe_model",
  "outputSchema": {
    "properties": {
      "actions": {
        "items": {
          "properties": {
            "description": {
              "type": "string"
            },
            "name": {
              "type": "string"
            }
          },
          "required": [
            "name"
          ],
          "type": "object"
        },
        "type": "array"
      },
      "default_fields": {
        "items": {
          "type": "string"
        },
        "type": "array"
      },
      "fields": {
        "items": {
          "properties": {
            "company_dependent": {
              "type": "boolean"
            },
            "help": {
              "type": "string"
            },
            "label": {
              "type": "string"
            },
            "name": {
              "type": "string"
            },
            "readonly": {
              "type": "boolean"
            },
            "relation": {
              "type": "string"
            },
            "required": {
              "type": "boolean"
            },
            "selection": {
              "type": "array"
            },
            "sortable": {
              "type": "boolean"
            },
            "stored": {
              "type": "boolean"
            },
            "type": {
              "type": "string"
            }
          },
          "required": [
            "name",
            "label",
            "type"
          ],
          "type": "object"
        },
        "type": "array"
      },
      "model": {
        "type": "string"
      }
    },
    "required": [
      "model",
      "fields",
      "default_fields"
    ],
    "type": "object"
  },
  "title": "Describe an Odoo model"
}"#;

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
