//! `odoo_search`: records matching a validated domain, a page at a time, with a cursor for the next page.
//! One Odoo call on a warm schema cache: `search_read` asks for one record more than the page to know
//! whether another page exists. A page cut by the response budget ends early: its cursor continues
//! right after the last record returned.

use super::args;
use super::budget::Budget;
use super::definition::{company_property, Tool};
use super::reading::{check_order, checked_domain, read_dropping_refused, select_fields, MAX_FIELDS};
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::capabilities::cursor;
use crate::json;
use crate::odoo::call::Call;
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_search";
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 200;
pub const MAX_OFFSET: i64 = 10_000_000;

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = concat!(
    r#"{
  "name": "odoo_search",
  "title": "Search Odoo records",
  "description": "Search records of a model with an Odoo domain and return the chosen fields, a page at a time (default 20, at most 200). Domain: a list of conditions [field, operator, value] joined by AND, with prefix '|' / '&' / '!' for OR / AND / NOT; operators = != < > <= >= like ilike not ilike in not in child_of any; e.g. [[\"is_company\", \"=\", true], [\"country_id.code\", \"=\", \"BE\"]]. Pass next_cursor back as cursor (with the same model, domain, order and fields) for the next page. Answers are capped in size: a page may hold fewer records than limit (notice says so, and next_cursor continues right after the last record returned), and values longer than 4000 characters are cut and listed in truncated_values.",
  "inputSchema": {
    "type": "object",
    "properties": {
      "#,
    company_property!(),
    r#",
      "cursor": {"type": "string", "description": "next_cursor from the previous page"},
      "domain": {"type": "array", "description": "Odoo domain; omit or [] for all records", "items": {}},
      "fields": {
        "type": "array",
        "description": "Fields to return; omit for a small default set",
        "items": {"type": "string"}
      },
      "limit": {"type": "integer", "default": 20, "maximum": 200, "minimum": 1},
      "model": {"type": "string", "description": "Technical model name, e.g. res.partner"},
      "offset": {
        "type": "integer",
        "description": "Records to skip, instead of a cursor",
        "maximum": 10000000,
        "minimum": 0
      },
      "order": {"type": "string", "description": "e.g. \"name asc, id desc\""}
    },
    "required": ["model"],
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "count": {"type": "integer", "description": "Records in this page"},
      "dropped_fields": {
        "type": "array",
        "items": {"type": "object", "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}}
      },
      "model": {"type": "string"},
      "next_cursor": {
        "type": "string",
        "description": "Present when more records match, including those left out for size"
      },
      "notice": {
        "type": "string",
        "description": "Present when anything was cut to keep the answer within its size cap: what, and how to get the rest"
      },
      "offset": {"type": "integer"},
      "records": {"type": "array", "items": {"type": "object"}},
      "truncated_values": {
        "type": "array",
        "description": "Values longer than 4000 characters, cut and ending with '… [truncated: N more characters]'",
        "items": {"type": "object", "properties": {"field": {"type": "string"}, "id": {"type": "integer"}, "length": {"type": "integer", "description": "The full value's length in characters"}}}
      }
    },
    "required": ["model", "records", "count", "offset"]
  },
  "annotations": {"openWorldHint": true, "readOnlyHint": true, "title": "Search Odoo records"}
}"#
);

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "domain", "fields", "order", "limit", "cursor", "offset"])?;
    let model = args::required_str(a, "model")?;
    let requested = args::optional_string_list(a, "fields", MAX_FIELDS)?;
    let order = args::optional_str(a, "order")?;
    let limit = args::optional_int(a, "limit", 1, MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT);
    let cursor_param = args::optional_str(a, "cursor")?;
    let offset_arg = args::optional_int(a, "offset", 0, MAX_OFFSET)?;
    if cursor_param.is_some() && offset_arg.is_some() {
        return Err(ToolError::Invalid("give either 'cursor' or 'offset', not both".into()));
    }
    ctx.require(model, Operation::Read)?;

    let client = ctx.odoo()?;
    let schema = ctx.schema(&client, model).await?;
    ctx.progress(1, 2, || format!("Checked the search against the fields of {model}"));
    let domain = checked_domain(ctx, &client, model, &schema, a).await?;
    let order = order.map(|o| check_order(model, &schema, o)).transpose()?;
    let (fields, mut dropped) = select_fields(&schema, requested);

    let secret = cursor::key(ctx.req.svc.settings);
    let binding =
        format!("search|{}|{model}|{domain}|{}|{}", ctx.req.auth.key_id, order.as_deref().unwrap_or(""), json!(fields));
    let offset = match cursor_param {
        None => offset_arg.unwrap_or(0) as u64,
        Some(c) => cursor::decode(&secret, &binding, c).ok_or_else(|| {
            ToolError::Invalid("'cursor' is not valid for this search; pass next_cursor unchanged with the same model, domain, order and fields".into())
        })?,
    };

    ctx.checkpoint(&client).await?;
    let result = read_dropping_refused(fields, &mut dropped, |fields| {
        let mut params = vec![
            ("domain", domain.clone()),
            ("fields", json!(fields)),
            ("offset", json!(offset)),
            ("limit", json!(limit + 1)),
        ];
        if let Some(o) = &order {
            params.push(("order", json!(o)));
        }
        let call = Call { model, method: "search_read", ids: None, params, positional: 1 };
        let client = &client;
        async move { client.call(&call).await }
    })
    .await?;
    let mut records = match result {
        Value::Array(r) => r,
        _ => return Err(ToolError::Unavailable("Odoo's search_read answer is not a list".into())),
    };
    let has_more = records.len() as i64 > limit;
    records.truncate(limit as usize);
    let page = records.len();
    let mut out = json!({"model": model, "records": [], "count": page, "offset": offset});
    if !dropped.is_empty() {
        out["dropped_fields"] = json!(dropped);
    }
    let budget = Budget::new(ctx.req.svc.settings.max_response_bytes);
    let fitted = budget.fit_records(&out, records);
    let returned = fitted.kept.len();
    ctx.set_record_count(returned);
    ctx.progress(2, 2, || format!("Read {returned} records of {model}"));
    let more = has_more || fitted.is_cut();
    ctx.log("info", || {
        format!("{model}: {returned} records from offset {offset}{}", if more { ", more follow" } else { "" })
    });
    if !dropped.is_empty() {
        ctx.log("warning", || {
            format!(
                "{model}: fields left out: {}",
                dropped.iter().map(|d| d.field.as_str()).collect::<Vec<_>>().join(", ")
            )
        });
    }
    if let Some(notice) = fitted.notice(budget, "records", "Pass next_cursor to continue, or ask for fewer fields.") {
        out["notice"] = json!(notice);
    }
    if more {
        out["next_cursor"] = json!(cursor::encode(&secret, &binding, offset + returned as u64));
    }
    if !fitted.truncated_values.is_empty() {
        out["truncated_values"] = json!(fitted.truncated_values);
    }
    out["count"] = json!(returned);
    out["records"] = Value::Array(fitted.kept);
    Ok(out)
}
