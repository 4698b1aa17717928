//! `odoo_search`: records matching a validated domain, a page at a time, with a cursor for the next page.
//! One Odoo call on a warm schema cache: `search_read` asks for one record more than the page to know
//! whether another page exists. A page cut by the response budget ends early: its cursor continues
//! right after the last record returned.

use super::args;
use super::budget::{notice_schema, truncated_values_schema, Budget};
use super::definition::{
    arguments, array, company_param, cursor_param, domain_param, fields_param, limit_param, model_param, object, Tool,
    ToolAnnotations,
};
use super::reading::{
    check_order, checked_domain, dropped_fields_schema, read_dropping_refused, select_fields, MAX_FIELDS,
};
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::capabilities::cursor;
use crate::odoo::call::Call;
use serde_json::{json, Map, Value};

pub const NAME: &str = "odoo_search";
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 200;
pub const MAX_OFFSET: i64 = 10_000_000;

pub fn definition() -> Tool {
    let title = "Search Odoo records";
    Tool {
        name: NAME,
        title,
        description: "Search records of a model with an Odoo domain and return the chosen fields, a page at a time \
            (default 20, at most 200). Domain: a list of conditions [field, operator, value] joined by AND, with \
            prefix '|' / '&' / '!' for OR / AND / NOT; operators = != < > <= >= like ilike not ilike in not in \
            child_of any; e.g. [[\"is_company\", \"=\", true], [\"country_id.code\", \"=\", \"BE\"]]. Pass \
            next_cursor back as cursor (with the same model, domain, order and fields) for the next page. Answers \
            are capped in size: a page may hold fewer records than limit (notice says so, and next_cursor \
            continues right after the last record returned), and values longer than 4000 characters are cut \
            and listed in truncated_values.",
        input_schema: arguments(
            json!({
                "model": model_param("res.partner"), "company": company_param(),
                "domain": domain_param(),
                "fields": fields_param(),
                "order": {"type": "string", "description": "e.g. \"name asc, id desc\""},
                "limit": limit_param(MAX_LIMIT, DEFAULT_LIMIT),
                "cursor": cursor_param(),
                "offset": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "description": "Records to skip, instead of a cursor"}
            }),
            &["model"],
        ),
        output_schema: Some(object(
            json!({
                "model": {"type": "string"},
                "records": array(json!({"type": "object"})),
                "count": {"type": "integer", "description": "Records in this page"},
                "offset": {"type": "integer"},
                "next_cursor": {"type": "string", "description": "Present when more records match, including those left out for size"},
                "dropped_fields": dropped_fields_schema(),
                "notice": notice_schema(),
                "truncated_values": truncated_values_schema()
            }),
            &["model", "records", "count", "offset"],
        )),
        annotations: Some(ToolAnnotations::with_title(title).read_only(true).open_world(true)),
    }
}

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
