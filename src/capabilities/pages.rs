//! Pagination of the list methods (`tools/list`, `prompts/list`, `resources/list`,
//! `resources/templates/list`): pages of `Settings::list_page_size` items, with a cursor bound to the
//! list and the key it was issued for, so it cannot be replayed against another list or by another key.

use super::cursor;
use crate::json;
use crate::mcp::context::RequestCtx;
use crate::mcp::jsonrpc::RpcError;
use serde_json::{Map, Value};

/// One page of `items` for `params.cursor`, as the list result `{<field>: [...], nextCursor?}`.
pub fn list_result(
    ctx: &RequestCtx<'_>,
    method: &str,
    field: &str,
    items: Vec<Value>,
    params: &Map<String, Value>,
) -> Result<Value, RpcError> {
    let secret = cursor::key(ctx.svc.settings);
    let binding = format!("list|{method}|{}", ctx.auth.key_id);
    let offset = match params.get("cursor") {
        None | Some(Value::Null) => 0,
        // An empty cursor is a valid one: the first page.
        Some(Value::String(c)) if c.is_empty() => 0,
        Some(Value::String(c)) => cursor::decode(&secret, &binding, c).ok_or_else(|| {
            RpcError::invalid_params(format!("Invalid params: this cursor was not issued for {method}"))
        })? as usize,
        Some(_) => return Err(RpcError::invalid_params("Invalid params: 'cursor' must be a string")),
    };
    let size = ctx.svc.settings.list_page_size.max(1);
    let total = items.len();
    let end = offset.saturating_add(size).min(total);
    let page: Vec<Value> = items.into_iter().skip(offset).take(size).collect();
    let mut result = json!({ field: page });
    // Only when something follows: a cursor to an empty page would send clients round once more.
    if end < total {
        result["nextCursor"] = json!(cursor::encode(&secret, &binding, end as u64));
    }
    Ok(result)
}
