//! Ready-to-paste client configurations for a newly issued key, shown once with it (API and console).

use serde_json::{json, Value};

/// The server name the snippets register.
const NAME: &str = "odoo";

/// Configuration for each supported client, for the MCP endpoint `endpoint` and the key `key`.
pub fn for_key(endpoint: &str, key: &str) -> Value {
    let bearer = format!("Bearer {key}");
    let pretty = |v: Value| serde_json::to_string_pretty(&v).unwrap_or_default();
    json!({
        "claude_code": {
            "title": "Claude Code",
            "where": "Run in a terminal",
            "text": format!("claude mcp add --transport http {NAME} {endpoint} --header \"Authorization: {bearer}\""),
        },
        "cursor": {
            "title": "Cursor",
            "where": "~/.cursor/mcp.json (or .cursor/mcp.json in a project)",
            "text": pretty(json!({"mcpServers": {NAME: {"url": endpoint, "headers": {"Authorization": bearer}}}})),
        },
        "vscode": {
            "title": "VS Code",
            "where": ".vscode/mcp.json",
            "text": pretty(json!({"servers": {NAME: {"type": "http", "url": endpoint, "headers": {"Authorization": bearer}}}})),
        },
        "claude_desktop": {
            "title": "Claude Desktop",
            "where": "claude_desktop_config.json (Settings → Developer → Edit Config); needs Node.js for mcp-remote",
            "text": pretty(json!({"mcpServers": {NAME: {
                "command": "npx",
                "args": ["-y", "mcp-remote", endpoint, "--header", "Authorization:${ODOO_MCP_AUTH}"],
                "env": {"ODOO_MCP_AUTH": bearer}
            }}})),
        },
        "n8n": {
            "title": "n8n",
            "where": "MCP Client Tool node",
            "text": format!("Endpoint: {endpoint}\nServer Transport: HTTP Streamable\nAuthentication: Bearer Auth\nCredential → Bearer Token: {key}"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_snippet_carries_the_endpoint_and_key_and_json_ones_parse() {
        let s = for_key("https://mcp.example.com/mcp", "omcp_secret");
        for (name, snippet) in s.as_object().unwrap() {
            let text = snippet["text"].as_str().unwrap();
            assert!(text.contains("https://mcp.example.com/mcp") && text.contains("omcp_secret"), "{name}");
        }
        for name in ["cursor", "vscode", "claude_desktop"] {
            let v: Value = serde_json::from_str(s[name]["text"].as_str().unwrap()).unwrap();
            assert!(v.is_object(), "{name}");
        }
        let vs: Value = serde_json::from_str(s["vscode"]["text"].as_str().unwrap()).unwrap();
        assert_eq!(vs["servers"]["odoo"]["type"], "http");
        assert_eq!(vs["servers"]["odoo"]["headers"]["Authorization"], "Bearer omcp_secret");
    }
}
