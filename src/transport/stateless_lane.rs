//! The stateless lane (protocol 2026-07-28): envelope → version header ↔ body → supported version →
//! `Mcp-Method`/`Mcp-Name` → dispatch, with the status and code the spec gives each failure and the
//! request id echoed in every error. Results get `resultType`, the server-info `_meta` and, for the
//! cacheable methods, `ttlMs`/`cacheScope`. `subscriptions/listen` is `listen`'s. No session id is read, minted or echoed here.

use super::dispatch::serve_request;
use super::reply::{reply, rpc_error, Admitted};
use crate::http::{HttpResponse, LogFields};
use crate::json;
use crate::mcp::context::Lane;
use crate::mcp::era::META_PROTOCOL_VERSION;
use crate::mcp::headers::{self, VERSION_HEADER};
use crate::mcp::jsonrpc::{
    self, classify, Message, RpcError, HEADER_MISMATCH, INVALID_PARAMS, METHOD_NOT_FOUND, UNSUPPORTED_PROTOCOL_VERSION,
};
use crate::mcp::lifecycle::{self, STATELESS_VERSIONS};
use crate::mcp::stream::{log_level_rank, LOG_LEVELS};
use crate::platform::Stmt;
use serde_json::{Map, Value};

pub const META_CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
pub const META_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
pub const META_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
pub const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// How long clients may reuse list results. Lists depend on the key's permissions (so `private`), and
/// an administrator's change should reach assistants within minutes.
pub const LIST_TTL_MS: u64 = 300_000;

/// What a valid request envelope (`params._meta`) says.
#[derive(Debug, PartialEq)]
pub struct Envelope {
    pub version: String,
    /// The rank in `LOG_LEVELS` of the requested log level.
    pub log_threshold: Option<usize>,
}

/// Validates `params._meta`: a protocol version string and a client-capabilities object are required;
/// client info is optional (but an object when given); a log level must be a known one.
pub fn envelope(params: &Map<String, Value>) -> Result<Envelope, String> {
    let meta = params.get("_meta").and_then(Value::as_object).ok_or("params._meta must be an object")?;
    let version = match meta.get(META_PROTOCOL_VERSION) {
        Some(Value::String(v)) if !v.is_empty() => v.clone(),
        _ => return Err(format!("_meta[\"{META_PROTOCOL_VERSION}\"] must be a non-empty string")),
    };
    if !meta.get(META_CLIENT_CAPABILITIES).is_some_and(Value::is_object) {
        return Err(format!(
            "_meta[\"{META_CLIENT_CAPABILITIES}\"] is required and must be an object (it may be empty)"
        ));
    }
    if meta.get(META_CLIENT_INFO).is_some_and(|i| !i.is_object()) {
        return Err(format!("_meta[\"{META_CLIENT_INFO}\"] must be an object"));
    }
    let log_threshold = match meta.get(META_LOG_LEVEL) {
        None => None,
        Some(l) => Some(
            l.as_str()
                .and_then(log_level_rank)
                .ok_or_else(|| format!("_meta[\"{META_LOG_LEVEL}\"] must be one of {}", LOG_LEVELS.join(", ")))?,
        ),
    };
    Ok(Envelope { version, log_threshold })
}

/// Serves a POST the gates admitted into the stateless lane.
pub async fn serve(post: &Admitted<'_>, after: &mut Vec<Stmt>, log: &mut LogFields) -> HttpResponse {
    let (id, method, params) = match classify(post.body) {
        // A body whose id cannot be read: the era's schema allows no `"id": null`, so none is sent.
        Err((id, err)) if id.is_null() => return HttpResponse::json(400, &jsonrpc::failure_without_id(&err)),
        Err((id, err)) => return rpc_error(400, &id, &err),
        // No client→server notification exists on HTTP in this era: accept and drop.
        Ok(Message::Notification { .. }) | Ok(Message::Response { .. }) => return HttpResponse::empty(202),
        Ok(Message::Request { id, method, params }) => (id, method, params),
    };
    log.insert("method".into(), json!(crate::text::truncate(&method, 64)));
    let bad_request = |code: i64, message: String| rpc_error(400, &id, &RpcError::new(code, message));

    let env = match envelope(&params) {
        Ok(e) => e,
        Err(m) => return bad_request(INVALID_PARAMS, format!("Invalid params: {m}")),
    };
    // Header ↔ body. Carve-out: claude.ai connectors send a 2025 header with a valid 2026-07-28 body
    // (anthropics/claude-code#93290); serve those by the body, and say so in the log.
    let header = post.req.header(VERSION_HEADER).map(str::trim);
    let lenient = match header {
        Some(h) if h == env.version => false,
        Some(h) if lifecycle::is_supported(h) && env.version == lifecycle::MODERN => {
            log.insert("version_header_mismatch".into(), json!(h));
            true
        }
        Some(h) => {
            return bad_request(
                HEADER_MISMATCH,
                format!(
                    "Header mismatch: MCP-Protocol-Version ({}) differs from the request's protocol version ({})",
                    crate::text::truncate(h, 40),
                    crate::text::truncate(&env.version, 40)
                ),
            )
        }
        None => {
            return bad_request(HEADER_MISMATCH, "Header mismatch: the MCP-Protocol-Version header is required".into())
        }
    };
    if !STATELESS_VERSIONS.contains(&env.version.as_str()) {
        let err = RpcError::new(
            UNSUPPORTED_PROTOCOL_VERSION,
            format!("Unsupported protocol version: {}", crate::text::truncate(&env.version, 40)),
        )
        .with_data(json!({"supported": STATELESS_VERSIONS, "requested": env.version}));
        return rpc_error(400, &id, &err);
    }
    if let Err(m) = headers::check(post.req, &method, &params, lenient) {
        return bad_request(HEADER_MISMATCH, format!("Header mismatch: {m}"));
    }
    if method == "subscriptions/listen" {
        return super::listen::subscription(post, &id, &params, log, |r| shape_result("subscriptions/listen", r)).await;
    }

    let lane = Lane::Stateless { log_threshold: env.log_threshold };
    match serve_request(post, lane, &id, &method, &params, after, log).await {
        None => HttpResponse::empty(202),
        Some(Ok(result)) => reply(post, 200, &jsonrpc::success(&id, shape_result(&method, result))),
        // Unknown and removed methods (initialize, ping, logging/setLevel, resources/subscribe …).
        Some(Err(e)) if e.code == METHOD_NOT_FOUND => reply(post, 404, &jsonrpc::failure(&id, &e)),
        Some(Err(e)) => reply(post, 200, &jsonrpc::failure(&id, &e)),
    }
}

/// Adds what every 2026-07-28 result carries, and the cache hints of the cacheable methods (unless the
/// handler chose its own).
pub fn shape_result(method: &str, mut result: Value) -> Value {
    let Some(obj) = result.as_object_mut() else {
        return result;
    };
    // A handler's own (an approval's `input_required`) stands.
    obj.entry("resultType").or_insert(json!("complete"));
    let meta = obj.entry("_meta").or_insert_with(|| json!({}));
    if let Some(m) = meta.as_object_mut() {
        m.insert(META_SERVER_INFO.into(), lifecycle::server_info());
    }
    let ttl = match method {
        "tools/list" | "prompts/list" | "resources/list" | "resources/templates/list" => Some(LIST_TTL_MS),
        // Record data changes at any time: a client may not reuse it.
        "resources/read" => Some(0),
        _ => None,
    };
    if let Some(ttl) = ttl {
        obj.entry("ttlMs").or_insert(json!(ttl));
        obj.entry("cacheScope").or_insert(json!("private"));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(meta: Value) -> Map<String, Value> {
        json!({"_meta": meta}).as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn envelope_rules() {
        let ok = params(json!({META_PROTOCOL_VERSION: "2026-07-28", META_CLIENT_CAPABILITIES: {}}));
        assert_eq!(envelope(&ok), Ok(Envelope { version: "2026-07-28".into(), log_threshold: None }));
        let with_level = params(
            json!({META_PROTOCOL_VERSION: "2026-07-28", META_CLIENT_CAPABILITIES: {}, META_LOG_LEVEL: "warning"}),
        );
        assert_eq!(envelope(&with_level).map(|e| e.log_threshold), Ok(Some(3)));
        for bad in [
            json!({META_PROTOCOL_VERSION: "2026-07-28"}),
            json!({META_PROTOCOL_VERSION: 20260728, META_CLIENT_CAPABILITIES: {}}),
            json!({META_PROTOCOL_VERSION: "", META_CLIENT_CAPABILITIES: {}}),
            json!({META_PROTOCOL_VERSION: "2026-07-28", META_CLIENT_CAPABILITIES: []}),
            json!({META_PROTOCOL_VERSION: "2026-07-28", META_CLIENT_CAPABILITIES: {}, META_CLIENT_INFO: "me"}),
            json!({META_PROTOCOL_VERSION: "2026-07-28", META_CLIENT_CAPABILITIES: {}, META_LOG_LEVEL: "verbose"}),
        ] {
            assert!(envelope(&params(bad.clone())).is_err(), "{bad}");
        }
        assert!(envelope(&Map::new()).is_err());
    }

    #[test]
    fn results_are_shaped_per_method() {
        let r = shape_result("tools/list", json!({"tools": []}));
        assert_eq!(r["resultType"], "complete");
        assert_eq!(r["cacheScope"], "private");
        assert_eq!(r["ttlMs"], LIST_TTL_MS);
        assert_eq!(r["_meta"][META_SERVER_INFO]["name"], "odoo-mcp-edge");
        let call = shape_result("tools/call", json!({"content": [], "_meta": {"x": 1}}));
        assert!(call.get("ttlMs").is_none());
        assert_eq!(call["_meta"]["x"], 1, "a handler's own _meta is kept");
        let discover = shape_result("server/discover", lifecycle::discover_result());
        assert_eq!(discover["cacheScope"], "public");
    }
}
