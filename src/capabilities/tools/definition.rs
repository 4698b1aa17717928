//! What a tool's definition is made of, as `tools/list` publishes it: MCP's `Tool` and its
//! `ToolAnnotations` as types (after the official Rust SDK's), and the JSON Schema pieces that several
//! tools' arguments share, built here once so that the same argument is described the same way by
//! every tool that takes it.

use serde::Serialize;
use serde_json::{json, Value};

/// One tool as `tools/list` lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub input_schema: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<ToolAnnotations>,
}

/// Hints about what a tool does, under MCP's names (`readOnlyHint` …). Only the hints set are
/// published: an absent hint means the protocol's default, which is not the same as `false`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolAnnotations {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

impl ToolAnnotations {
    pub fn with_title(title: &'static str) -> ToolAnnotations {
        ToolAnnotations { title: Some(title), ..ToolAnnotations::default() }
    }

    pub fn read_only(self, hint: bool) -> ToolAnnotations {
        ToolAnnotations { read_only_hint: Some(hint), ..self }
    }

    pub fn destructive(self, hint: bool) -> ToolAnnotations {
        ToolAnnotations { destructive_hint: Some(hint), ..self }
    }

    pub fn idempotent(self, hint: bool) -> ToolAnnotations {
        ToolAnnotations { idempotent_hint: Some(hint), ..self }
    }

    pub fn open_world(self, hint: bool) -> ToolAnnotations {
        ToolAnnotations { open_world_hint: Some(hint), ..self }
    }
}

/// A tool's arguments: an object of these properties and no other, since every tool refuses an
/// argument it does not know (`args::reject_unknown`) rather than ignore a typo.
pub fn arguments(properties: Value, required: &[&str]) -> Value {
    let mut schema = object(properties, required);
    schema["additionalProperties"] = json!(false);
    schema
}

/// An object with these properties (a tool's output, or an item of one); `required` only when some are.
pub fn object(properties: Value, required: &[&str]) -> Value {
    let mut schema = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

pub fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

/// `model`: a technical model name; `example` is one the tool is typically used with.
pub fn model_param(example: &str) -> Value {
    json!({"type": "string", "description": format!("Technical model name, e.g. {example}")})
}

/// `company`: one call in another of the key's companies, by id or name (`tools/company.rs`).
pub fn company_param() -> Value {
    json!({"type": ["integer", "string"], "description": "Act in this company for this call only (its id or name), \
        one of those this key may use; absent: the key's default company"})
}

/// `ids`: 1 to `max` record ids (what `args::record_ids` accepts).
pub fn ids_param(max: usize) -> Value {
    json!({"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1, "maxItems": max})
}

/// `fields`: the fields to read.
pub fn fields_param() -> Value {
    json!({"type": "array", "items": {"type": "string"}, "description": "Fields to return; omit for a small default set"})
}

/// `domain`: an Odoo domain, checked by `reading::checked_domain` (so its items are left open here).
pub fn domain_param() -> Value {
    json!({"type": "array", "description": "Odoo domain; omit or [] for all records", "items": {}})
}

/// `limit`: a page's size.
pub fn limit_param(max: i64, default: i64) -> Value {
    json!({"type": "integer", "minimum": 1, "maximum": max, "default": default})
}

/// `cursor`: where the previous page ended.
pub fn cursor_param() -> Value {
    json!({"type": "string", "description": "next_cursor from the previous page"})
}

/// `values`: the field values a write tool sends, with the forms `odoo::values` accepts.
pub fn values_param() -> Value {
    json!({"type": "object", "description": "Field names and values. many2one: a record id; one2many/many2many: a list \
        of ids (sets exactly those) or Odoo commands ([0,0,{values}] create, [1,id,{values}] update, [2,id] delete, \
        [3,id] unlink, [4,id] link, [5] clear, [6,0,[ids]] set); date: \"YYYY-MM-DD\"; datetime: \"YYYY-MM-DD HH:MM:SS\" \
        in UTC; selection: one of its values (odoo_describe_model lists them)."})
}

/// `dry_run` of a write tool.
pub fn dry_run_param() -> Value {
    json!({"type": "boolean", "default": false, "description": "Run every check and return what would be written, without writing"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hints_set_are_published_under_their_mcp_names() {
        let a = ToolAnnotations::with_title("T").read_only(false).destructive(true);
        assert_eq!(
            serde_json::to_value(a).unwrap(),
            json!({"title": "T", "readOnlyHint": false, "destructiveHint": true})
        );
    }

    #[test]
    fn a_tool_without_output_schema_or_annotations_has_no_such_keys() {
        let tool = Tool {
            name: "n",
            title: "t",
            description: "d",
            input_schema: arguments(json!({}), &[]),
            output_schema: None,
            annotations: None,
        };
        assert_eq!(
            serde_json::to_value(tool).unwrap(),
            json!({"name": "n", "title": "t", "description": "d",
                   "inputSchema": {"type": "object", "properties": {}, "additionalProperties": false}})
        );
    }
}
