//! Which protocol era a POST to `/mcp` belongs to, decided from the body first and the
//! `MCP-Protocol-Version` header second (the TS SDK's body-primary rule, `mcp-2026-07-28.md` §0).
//!
//! The claim is the *presence* of `io.modelcontextprotocol/protocolVersion` in `params._meta`: once a
//! request makes it, it is served (or refused) by the stateless lane and never falls back silently.

use serde_json::Value;

pub const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// The first stateless revision; any header version at or after it names the modern era.
pub const FIRST_MODERN: &str = "2026-07-28";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// `initialize` and sessions (2024-11-05 … 2025-11-25), or a body that is not JSON at all.
    Session,
    /// A request or notification that claims a modern version in its `_meta`; or, under a modern
    /// header, a body that is no JSON-RPC object at all (that lane refuses it with -32600).
    Stateless,
    /// No claim, but the header names a modern version: a modern error (400 / -32602), so the client
    /// knows it reached a modern server and fixes its request instead of falling back.
    StatelessWithoutEnvelope,
    /// `initialize` sent with a modern version header: the header and the method disagree (400 / -32020).
    InitializeWithModernHeader,
    /// A JSON array holding an element with a modern claim, or any array sent under a modern version
    /// header: the modern era has no batches (400 / -32600), and a modern client must get a modern error.
    StatelessBatch,
}

/// A version string that looks like a modern revision date (`YYYY-MM-DD` at or after 2026-07-28).
pub fn is_modern_version(v: &str) -> bool {
    let b = v.as_bytes();
    let date_shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    date_shaped && v >= FIRST_MODERN
}

fn has_claim(msg: &Value) -> bool {
    msg.get("params")
        .and_then(|p| p.get("_meta"))
        .and_then(Value::as_object)
        .is_some_and(|m| m.contains_key(META_PROTOCOL_VERSION))
}

/// Classifies a parsed body. `header_version` is the trimmed `MCP-Protocol-Version` value.
pub fn classify(body: &Value, header_version: Option<&str>) -> Era {
    let modern_header = header_version.is_some_and(is_modern_version);
    match body {
        Value::Array(items) if modern_header || items.iter().any(has_claim) => Era::StatelessBatch,
        Value::Array(_) => Era::Session,
        msg if !msg.is_object() && modern_header => Era::Stateless,
        msg if has_claim(msg) => Era::Stateless,
        msg if msg.get("method").and_then(Value::as_str) == Some("initialize") => {
            if modern_header {
                Era::InitializeWithModernHeader
            } else {
                Era::Session
            }
        }
        // Responses are 2025-era session traffic whatever the header says.
        msg if msg.get("method").is_none() => Era::Session,
        _ if modern_header => Era::StatelessWithoutEnvelope,
        _ => Era::Session,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claim(method: &str) -> Value {
        json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": {"_meta": {META_PROTOCOL_VERSION: "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}})
    }

    #[test]
    fn the_routing_table() {
        let plain = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
        let init =
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25"}});
        let notification = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let response = json!({"jsonrpc": "2.0", "id": 1, "result": {}});
        let cases = [
            (claim("tools/list"), None, Era::Stateless),
            (claim("tools/list"), Some("2025-11-25"), Era::Stateless),
            (claim("initialize"), None, Era::Stateless),
            (init.clone(), None, Era::Session),
            (init.clone(), Some("2025-06-18"), Era::Session),
            (init, Some("2026-07-28"), Era::InitializeWithModernHeader),
            (plain.clone(), None, Era::Session),
            (plain.clone(), Some("2025-11-25"), Era::Session),
            (plain.clone(), Some("2026-07-28"), Era::StatelessWithoutEnvelope),
            (plain.clone(), Some("2027-01-01"), Era::StatelessWithoutEnvelope),
            (plain, Some("junk"), Era::Session),
            (notification.clone(), Some("2026-07-28"), Era::StatelessWithoutEnvelope),
            (notification, None, Era::Session),
            (response, Some("2026-07-28"), Era::Session),
            (json!([claim("ping")]), None, Era::StatelessBatch),
            (json!([{"jsonrpc": "2.0", "id": 1, "method": "ping"}]), None, Era::Session),
            (json!([{"jsonrpc": "2.0", "id": 1, "method": "ping"}]), Some("2025-03-26"), Era::Session),
            // A modern header on an array: a modern error, never the session lane's version refusal.
            (json!([{"jsonrpc": "2.0", "id": 1, "method": "ping"}]), Some("2026-07-28"), Era::StatelessBatch),
            (json!([]), Some("2026-07-28"), Era::StatelessBatch),
            (json!("text"), None, Era::Session),
            (json!("text"), Some("2026-07-28"), Era::Stateless),
            (json!(null), Some("2026-07-28"), Era::Stateless),
            // Other reserved keys or a bare progress token are not a claim.
            (
                json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": {"progressToken": 1}}}),
                None,
                Era::Session,
            ),
        ];
        for (body, header, want) in cases {
            assert_eq!(classify(&body, header), want, "{body} with {header:?}");
        }
    }

    #[test]
    fn modern_versions_are_dates_from_2026_07_28() {
        assert!(is_modern_version("2026-07-28"));
        assert!(is_modern_version("2030-01-01"));
        assert!(!is_modern_version("2025-11-25"));
        assert!(!is_modern_version("v999.0.0"));
        assert!(!is_modern_version("2026-07-28x"));
        assert!(!is_modern_version("9999-99-9"));
    }
}
