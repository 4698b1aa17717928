//! Resources under `odoo://`: the registry behind `resources/list`, `resources/templates/list` and
//! `resources/read`, under the same permissions as the tools.

use super::pages;
use crate::mcp::dispatch::RequestCtx;
use crate::mcp::jsonrpc::{RpcError, RESOURCE_NOT_FOUND};
use serde_json::{json, Map, Value};

pub fn list(ctx: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    pages::list_result(ctx, "resources/list", "resources", Vec::new(), params)
}

pub fn templates_list(ctx: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    pages::list_result(ctx, "resources/templates/list", "resourceTemplates", Vec::new(), params)
}

pub async fn read(ctx: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    let uri = params.get("uri").and_then(Value::as_str).ok_or_else(|| RpcError::invalid_params("Invalid params: 'uri' must be a string"))?;
    Err(not_found(ctx, uri))
}

/// A missing resource: -32602 in the stateless era (the 2026-07-28 rule), -32002 in the session era.
fn not_found(ctx: &RequestCtx<'_>, uri: &str) -> RpcError {
    let code = if ctx.is_stateless() { crate::mcp::jsonrpc::INVALID_PARAMS } else { RESOURCE_NOT_FOUND };
    RpcError::new(code, format!("Resource not found: {}", crate::store::truncate(uri, 200))).with_data(json!({"uri": uri}))
}
