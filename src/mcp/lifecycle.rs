//! Lifecycle of both eras: protocol versions, the session era's `initialize` negotiation, and the
//! stateless era's `server/discover` result.

use crate::json;
use serde_json::{Map, Value};

/// Session-era versions we speak, newest first.
pub const SESSION_VERSIONS: [&str; 4] = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];
pub const LATEST: &str = SESSION_VERSIONS[0];
/// Assumed when a request carries no `MCP-Protocol-Version` header and no session says otherwise.
pub const DEFAULT_WITHOUT_HEADER: &str = "2025-03-26";
/// The stateless era, served from its own lane (not the session transport).
pub const MODERN: &str = "2026-07-28";
/// What `server/discover` lists and -32022 names: modern versions only, so that both lists agree and
/// clients negotiate session-era versions through `initialize` alone.
pub const STATELESS_VERSIONS: [&str; 1] = [MODERN];

pub fn is_supported(version: &str) -> bool {
    SESSION_VERSIONS.contains(&version)
}

/// Versions up to 2025-03-26 must accept JSON-RPC batches.
pub fn allows_batches(version: &str) -> bool {
    version <= "2025-03-26"
}

/// The version to answer a client's `initialize` with: its own if we speak it, else our latest.
/// Never an error: the client decides whether it can live with our counter-offer.
pub fn negotiate(requested: Option<&str>) -> &'static str {
    requested.and_then(|r| SESSION_VERSIONS.iter().find(|v| **v == r).copied()).unwrap_or(LATEST)
}

pub fn server_info() -> Value {
    json!({
        "name": "odoo-mcp-edge",
        "title": "Odoo MCP at the edge",
        "version": env!("CARGO_PKG_VERSION"),
        "description": "Search and read your Odoo as your own Odoo user, within the models your administrator enabled.",
    })
}

pub const INSTRUCTIONS: &str = "This server reaches one Odoo database as the Odoo user this key belongs to; \
Odoo's own access rights apply on top of what the administrator enabled here. Start with odoo_list_models to \
see which models you may use, then odoo_describe_model for a model's fields before you filter or pick fields. \
odoo_search takes an Odoo domain (a list of [field, operator, value] conditions, prefix '&', '|', '!'), \
returns at most 200 records a page, and gives a next_cursor to continue. odoo_get reads records by id. \
odoo_chatter_read shows a record's message thread; odoo_chatter_post logs an internal note on it by default, \
and sends a message to the record's followers (kind \"message\", which may email them) only when the user asks to. \
odoo_action presses a workflow button (confirm an order, win a lead) that the administrator allowed on the model; \
when it answers follow_up, Odoo wants a further step (a wizard) that was not taken: tell the user to finish it in Odoo. \
Ask for the fields you need: a few fields per record keeps answers small. When a model is refused, tell the \
user which permission to ask their administrator for.";

/// The same capabilities in both eras. `listChanged`: the lists follow the key's permissions, and a
/// client holding a stream open (a session's GET, a 2026-07-28 `subscriptions/listen`) hears when an
/// administrator changes them (`transport::listen`). No `subscribe`: records are not watched. `logging`
/// because tool calls emit `notifications/message` at the level the client asked for; `completions` for
/// prompt arguments and resource-template variables.
pub fn capabilities() -> Value {
    json!({"tools": {"listChanged": true}, "prompts": {"listChanged": true}, "resources": {"listChanged": true, "subscribe": false}, "logging": {}, "completions": {}})
}

/// `server/discover` is the same for every caller and changes only with a deploy.
pub const DISCOVER_TTL_MS: u64 = 3_600_000;

/// The `server/discover` result (the lane adds `resultType` and the server-info `_meta`).
pub fn discover_result() -> Value {
    json!({
        "supportedVersions": STATELESS_VERSIONS,
        "capabilities": capabilities(),
        "instructions": INSTRUCTIONS,
        "ttlMs": DISCOVER_TTL_MS,
        "cacheScope": "public",
    })
}

/// The `initialize` result for the negotiated version.
pub fn initialize_result(params: &Map<String, Value>) -> (String, Value) {
    let version = negotiate(params.get("protocolVersion").and_then(Value::as_str));
    let result = json!({
        "protocolVersion": version,
        "capabilities": capabilities(),
        "serverInfo": server_info(),
        "instructions": INSTRUCTIONS,
    });
    (version.to_string(), result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_echoes_known_versions_and_counter_offers_otherwise() {
        for v in SESSION_VERSIONS {
            assert_eq!(negotiate(Some(v)), v);
        }
        assert_eq!(negotiate(Some("1999-01-01")), LATEST);
        assert_eq!(negotiate(Some(MODERN)), LATEST);
        assert_eq!(negotiate(None), LATEST);
    }

    #[test]
    fn batches_only_up_to_2025_03_26() {
        assert!(allows_batches("2025-03-26"));
        assert!(allows_batches("2024-11-05"));
        assert!(!allows_batches("2025-06-18"));
        assert!(!allows_batches("2025-11-25"));
    }
}
