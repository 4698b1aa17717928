//! `odoo_list_models`: the models this key may use, with their labels and the operations allowed.

use super::args;
use super::definition::Tool;
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolResult};
use crate::json;
use crate::odoo::call::Call;
use crate::odoo::OdooErrorKind;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub const NAME: &str = "odoo_list_models";

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = r#"{
  "name": "odoo_list_models",
  "title": "List Odoo models",
  "description": "List the Odoo models this key may use, with their labels and the operations allowed on each (read, create, update, delete, action) and the actions (button methods, for odoo_action) allowed. Only models an administrator enabled appear here. Call this first.",
  "inputSchema": {"type": "object", "properties": {}, "additionalProperties": false},
  "outputSchema": {
    "type": "object",
    "properties": {
      "models": {
        "type": "array",
        "items": {"type": "object", "properties": {"actions": {"type": "array", "items": {"type": "string", "description": "A button method odoo_action may call"}}, "model": {"type": "string", "description": "Technical name, e.g. res.partner"}, "name": {"type": "string", "description": "Label in Odoo"}, "operations": {"type": "array", "items": {"type": "string", "enum": ["read", "create", "update", "delete", "action"]}}}, "required": ["model", "name", "operations"]}
      },
      "note": {"type": "string"}
    },
    "required": ["models"]
  },
  "annotations": {"openWorldHint": true, "readOnlyHint": true, "title": "List Odoo models"}
}"#;

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &[])?;
    let perms = &ctx.req.auth.permissions;
    let usable: Vec<&str> =
        perms.models.keys().map(String::as_str).filter(|m| !perms.operations_on(m).is_empty()).collect();
    if usable.is_empty() {
        ctx.set_record_count(0);
        return Ok(
            json!({"models": [], "note": "No Odoo model is enabled for this key. Ask your Odoo MCP administrator to enable the models you need."}),
        );
    }
    // Labels from ir.model, as the key's user sees them. Without them, the technical names still serve.
    let client = ctx.odoo()?;
    let call = Call {
        model: "ir.model",
        method: "search_read",
        ids: None,
        params: vec![("domain", json!([["model", "in", usable]])), ("fields", json!(["model", "name"]))],
        positional: 1,
    };
    let labels: BTreeMap<String, String> = match client.call(&call).await {
        // Inserted one by one: `collect()` would sort first, with a sort's code in the bundle for this use.
        Ok(Value::Array(rows)) => {
            let mut labels = BTreeMap::new();
            for r in &rows {
                if let (Some(model), Some(name)) =
                    (r.get("model").and_then(Value::as_str), r.get("name").and_then(Value::as_str))
                {
                    labels.insert(model.to_string(), name.to_string());
                }
            }
            labels
        }
        Ok(_) => BTreeMap::new(),
        Err(e) if e.kind == OdooErrorKind::AccessError => BTreeMap::new(),
        Err(e) => return Err(e.into()),
    };
    let models: Vec<Value> = usable
        .iter()
        .map(|m| {
            let ops: Vec<&str> = perms.operations_on(m).into_iter().map(Operation::as_str).collect();
            let mut v = json!({"model": m, "name": labels.get(*m).cloned().unwrap_or_else(|| m.to_string()), "operations": ops});
            let actions = perms.actions_on(m);
            if !actions.is_empty() {
                v["actions"] = json!(actions);
            }
            v
        })
        .collect();
    ctx.set_record_count(models.len());
    Ok(json!({ "models": models }))
}
