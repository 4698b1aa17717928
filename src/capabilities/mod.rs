//! What the server offers to MCP clients. Each tool lives in its own file with its schema,
//! annotations and handler side by side.

mod approve;
pub mod call;
pub mod completion;
pub mod cursor;
pub mod lists;
pub mod pages;
pub mod prompts;
pub mod resources;
pub mod sources;
pub mod tools;

use crate::mcp::jsonrpc::Message;

/// The operation a `tools/call` needs (`tools::operation_of`), for the transport's scope challenge.
pub fn operation_of(message: &Message) -> Option<crate::access::Operation> {
    let Message::Request { method, params, .. } = message else { return None };
    (method == "tools/call").then(|| tools::operation_of(params.get("name")?.as_str()?)).flatten()
}

/// Whether a message is a read that may call Odoo before its key is confirmed (`transport::early`): a
/// read tool, `resources/read` or `completion/complete`. Never a write, nor `odoo_batch` (which may hold
/// writes). Nor a model's description (the tool or the fields resource): warm, it answers from the
/// schema this isolate holds without calling Odoo, so starting early gains nothing and would only do
/// its work twice; cold, it must look in D1 first, which an early start never waits for.
pub fn may_start_early(message: &Message) -> bool {
    let Message::Request { method, params, .. } = message else { return false };
    let text = |name: &str| params.get(name).and_then(|v| v.as_str());
    match method.as_str() {
        "tools/call" => text("name").is_some_and(tools::may_start_early),
        "resources/read" => text("uri")
            .and_then(|uri| resources::uri::parse(uri).ok())
            .is_some_and(|uri| !matches!(uri, resources::uri::ResourceUri::Fields { .. })),
        "completion/complete" => true,
        _ => false,
    }
}

/// The model a message concerns, when it says so up front (a tool's `model` argument, a resource's
/// URI), so that the transport can have its schema looked up in the authentication batch, at no extra
/// round trip. Only a valid model name is given.
pub fn model_of(message: &Message) -> Option<String> {
    let (Message::Request { method, params, .. } | Message::Notification { method, params }) = message else {
        return None;
    };
    let model = match method.as_str() {
        "tools/call" => params.get("arguments")?.get("model")?.as_str()?.to_string(),
        "resources/read" => resources::uri::parse(params.get("uri")?.as_str()?).ok()?.model()?.to_string(),
        _ => return None,
    };
    crate::odoo::names::is_model_name(&model).then_some(model)
}
