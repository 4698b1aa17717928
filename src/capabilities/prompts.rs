//! Prompts: the registry behind `prompts/list` and `prompts/get`. A prompt is listed only when the
//! models it needs are permitted for the key.

use super::pages;
use crate::mcp::dispatch::RequestCtx;
use crate::mcp::jsonrpc::RpcError;
use serde_json::{Map, Value};

/// The prompts this key may use, in a stable order.
fn available(_ctx: &RequestCtx<'_>) -> Vec<Value> {
    Vec::new()
}

pub fn list(ctx: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    pages::list_result(ctx, "prompts/list", "prompts", available(ctx), params)
}

pub async fn get(_ctx: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    let name = params.get("name").and_then(Value::as_str).ok_or_else(|| RpcError::invalid_params("Invalid params: 'name' must be a string"))?;
    Err(RpcError::invalid_params(format!("Unknown prompt: {}", crate::store::truncate(name, 100))))
}
