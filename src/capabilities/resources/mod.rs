//! Resources under `odoo://`: `resources/list`, `resources/templates/list` and `resources/read`.
//! A URI is parsed and validated by `uri`, then read by the tool that reads the same thing
//! (`odoo_get`, `odoo_search`, `odoo_describe_model`, `odoo_chatter_read`, `odoo_list_models`), so a
//! resource is under exactly the tools' permissions, field policies, response budget and audit. A
//! record's attachments are read by `tools::attachments_of` and `tools::attachment_content`, which check
//! and audit as a read tool does; an attachment's content is text or a binary `blob`, in its own type.

pub mod uri;

use super::call::ToolError;
use super::pages;
use super::tools;
use crate::access::Operation;
use crate::json;
use crate::mcp::context::RequestCtx;
use crate::mcp::jsonrpc::{RpcError, INVALID_PARAMS, RESOURCE_NOT_FOUND};
use crate::odoo::OdooErrorKind;
use crate::policy::permissions::Permissions;
use serde_json::{Map, Value};
use uri::{ResourceUri, SearchQuery, UriError};

const JSON: &str = "application/json";
/// Models and fields change only when an administrator or a deploy changes them.
const METADATA_TTL_MS: u64 = 60_000;

/// `odoo://models`, then each readable model's records and fields.
pub fn list(ctx: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    pages::list_result(ctx, "resources/list", "resources", items(&ctx.auth.permissions), params)
}

/// The resources these permissions list (`resources/list`, and what a change of them is watched for).
pub fn items(perms: &Permissions) -> Vec<Value> {
    let mut items = vec![json!({
        "uri": uri::MODELS,
        "name": "models",
        "title": "Odoo models available to this key",
        "description": "The models this key may use, with their labels and the operations allowed on each.",
        "mimeType": JSON,
    })];
    for model in perms.models_allowing(Operation::Read) {
        items.push(json!({
            "uri": format!("odoo://{model}"),
            "name": model,
            "title": format!("{model} records"),
            "description": format!("The first records of {model}; add ?domain=…&fields=…&order=…&limit=…&offset=… to filter and page."),
            "mimeType": JSON,
        }));
        items.push(json!({
            "uri": format!("odoo://{model}/fields"),
            "name": format!("{model}/fields"),
            "title": format!("{model} fields"),
            "description": format!("The fields of {model} as this key sees them."),
            "mimeType": JSON,
        }));
    }
    items
}

pub fn templates_list(ctx: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    let items = uri::TEMPLATES
        .iter()
        .map(|t| {
            let mut item =
                json!({"uriTemplate": t.uri_template, "name": t.name, "title": t.title, "description": t.description});
            if let Some(mime) = t.mime_type {
                item["mimeType"] = json!(mime);
            }
            item
        })
        .collect();
    pages::list_result(ctx, "resources/templates/list", "resourceTemplates", items, params)
}

pub async fn read(ctx: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    let raw = params
        .get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("Invalid params: 'uri' must be a string"))?;
    let target = uri::parse(raw).map_err(|e| match e {
        UriError::NotFound => not_found(ctx, raw),
        UriError::Invalid(why) => invalid(raw, format!("Invalid resource URI: {why}")),
    })?;
    let failed = |e: ToolError| match &e {
        ToolError::Odoo(o) if matches!(o.kind, OdooErrorKind::MissingError) => not_found(ctx, raw),
        _ => with_uri(e.to_rpc(), raw),
    };
    if let ResourceUri::Attachment { model, id, attachment_id } = &target {
        // The file in its own type: text, or base64 in `blob`.
        let mut content = tools::attachment_content(ctx, model, *id, *attachment_id).await.map_err(failed)?;
        content["uri"] = json!(raw);
        return Ok(json!({"contents": [content]}));
    }
    let body = read_target(ctx, &target).await.map_err(failed)?;
    let body = body.ok_or_else(|| not_found(ctx, raw))?;
    let mut result = json!({"contents": [{"uri": raw, "mimeType": JSON, "text": body.to_string()}]});
    if ctx.is_stateless() && matches!(target, ResourceUri::Models | ResourceUri::Fields { .. }) {
        result["ttlMs"] = json!(METADATA_TTL_MS);
    }
    Ok(result)
}

/// The resource's JSON, or `None` when it names a record that does not exist (or is not visible).
async fn read_target(ctx: &RequestCtx<'_>, target: &ResourceUri) -> Result<Option<Value>, ToolError> {
    let run = |tool: &'static str, args: Value| async move {
        let args = match args {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        tools::run_for(ctx, "resource_read", tool, &args).await
    };
    Ok(Some(match target {
        ResourceUri::Models => run("odoo_list_models", json!({})).await?,
        ResourceUri::Fields { model } => run("odoo_describe_model", json!({"model": model})).await?,
        ResourceUri::Chatter { model, id, limit, cursor } => {
            let mut out =
                run("odoo_chatter_read", json!({"model": model, "id": id, "limit": limit, "cursor": cursor})).await?;
            // The chatter's next page keeps the tool's cursor, bound to the record as the tool's is.
            link_next_page(&mut out, |_, next| uri::chatter_uri(model, *id, *limit, next.as_str().unwrap_or_default()));
            out
        }
        ResourceUri::Attachments { model, id } => {
            let mut out = tools::attachments_of(ctx, model, *id).await?;
            for item in out.get_mut("attachments").and_then(Value::as_array_mut).into_iter().flatten() {
                let attachment_id = item.get("id").and_then(Value::as_i64).unwrap_or(0);
                item["uri"] = json!(uri::attachment_uri(model, *id, attachment_id));
            }
            out
        }
        // Answered by `read` itself, in the file's own type.
        ResourceUri::Attachment { .. } => return Ok(None),
        ResourceUri::Record { model, id, fields } => {
            let mut out = run("odoo_get", json!({"model": model, "ids": [id], "fields": fields})).await?;
            let Some(record) = out.get_mut("records").and_then(Value::as_array_mut).and_then(|r| r.pop()) else {
                return Ok(None);
            };
            let mut body = json!({"model": model, "record": record});
            for extra in ["dropped_fields", "truncated_values", "notice"] {
                if let Some(v) = out.get(extra).filter(|v| !v.as_array().is_some_and(Vec::is_empty)) {
                    body[extra] = v.clone();
                }
            }
            body
        }
        ResourceUri::Search { model, query } => {
            let args = json!({"model": model, "domain": query.domain, "fields": query.fields, "order": query.order, "limit": query.limit, "offset": query.offset});
            let mut out = run("odoo_search", args).await?;
            link_next_page(&mut out, |page, _| {
                let count = page.get("count").and_then(Value::as_i64).unwrap_or(0);
                uri::search_uri(
                    model,
                    &SearchQuery { offset: Some(query.offset.unwrap_or(0) + count), ..query.clone() },
                )
            });
            out
        }
    }))
}

/// The subrequest reserve of `resources/read` with these params: one tool call's, and an attachment's
/// two more Odoo calls (its record's check, then its listing before its content).
pub fn subrequests_reserve(params: &Map<String, Value>) -> u32 {
    let attachment = params
        .get("uri")
        .and_then(Value::as_str)
        .and_then(|u| uri::parse(u).ok())
        .is_some_and(|u| matches!(u, ResourceUri::Attachments { .. } | ResourceUri::Attachment { .. }));
    tools::SUBREQUESTS_PER_CALL + if attachment { 2 } else { 0 }
}

/// A tool's `next_cursor` continues a tool call; a resource continues at the next page's URI, built
/// from the page and that cursor.
fn link_next_page(out: &mut Value, next_uri: impl FnOnce(&Map<String, Value>, &Value) -> String) {
    if let Some(page) = out.as_object_mut() {
        if let Some(cursor) = page.remove("next_cursor") {
            let link = next_uri(page, &cursor);
            page.insert("next_uri".into(), json!(link));
        }
    }
}

/// A missing resource: -32602 in the stateless era (the 2026-07-28 rule), -32002 in the session era.
fn not_found(ctx: &RequestCtx<'_>, uri: &str) -> RpcError {
    let code = if ctx.is_stateless() { INVALID_PARAMS } else { RESOURCE_NOT_FOUND };
    RpcError::new(code, format!("Resource not found: {}", crate::text::truncate(uri, 200)))
        .with_data(json!({"uri": uri}))
}

fn invalid(uri: &str, message: String) -> RpcError {
    with_uri(RpcError::invalid_params(message), uri)
}

fn with_uri(e: RpcError, uri: &str) -> RpcError {
    e.with_data(json!({"uri": crate::text::truncate(uri, 2000)}))
}
