//! Ready-to-paste client configurations for a newly issued key, shown once with it (API and console).
//!
//! Each snippet is `{title, where, text}`, plus `then` when a step cannot live in the pasted text (n8n keeps
//! credentials apart from nodes). README.md's "Connecting an assistant" shows these same snippets for
//! placeholder values (tests/readme_snippets.rs), and tests/e2e/clients.test.mjs feeds each one to its
//! client (or to what the client runs) against a real worker.

use crate::json;
use serde_json::Value;

/// The server name the snippets register.
const NAME: &str = "odoo";

/// n8n node versions the n8n snippet uses: the newest of each in @n8n/n8n-nodes-langchain 2.41.1, whose
/// published parameter schemas the e2e stage validates the snippet against.
const N8N_TOOL_NODE: (&str, f64) = ("@n8n/n8n-nodes-langchain.mcpClientTool", 1.4);
const N8N_CLIENT_NODE: (&str, f64) = ("@n8n/n8n-nodes-langchain.mcpClient", 1.1);

/// Configuration for each supported client, for the MCP endpoint `endpoint` and the key `key`.
pub fn for_key(endpoint: &str, key: &str) -> Value {
    let bearer = format!("Bearer {key}");
    let pretty = |v: Value| serde_json::to_string_pretty(&v).unwrap_or_default();
    json!({
        "claude_code": {
            "title": "Claude Code",
            "where": "Run in a terminal (adds the server to the current project; add --scope user for every project)",
            "text": format!("claude mcp add --transport http {NAME} {endpoint} --header \"Authorization: {bearer}\""),
        },
        "cursor": {
            "title": "Cursor",
            "where": "~/.cursor/mcp.json (or .cursor/mcp.json in a project)",
            "text": pretty(json!({"mcpServers": {NAME: {"url": endpoint, "headers": {"Authorization": bearer}}}})),
        },
        "vscode": {
            "title": "VS Code",
            "where": ".vscode/mcp.json in a workspace (or the user mcp.json: MCP: Open User Configuration)",
            "text": pretty(json!({"servers": {NAME: {"type": "http", "url": endpoint, "headers": {"Authorization": bearer}}}})),
        },
        "claude_desktop": {
            "title": "Claude Desktop",
            "where": "claude_desktop_config.json (Settings → Developer → Edit Config), then restart Claude Desktop; needs Node.js for mcp-remote",
            // The header goes through an environment variable, and with no space after the colon: Claude
            // Desktop on Windows splits arguments that contain spaces (mcp-remote's documented workaround).
            "text": pretty(json!({"mcpServers": {NAME: {
                "command": "npx",
                "args": ["-y", "mcp-remote", endpoint, "--header", "Authorization:${ODOO_MCP_AUTH}"],
                "env": {"ODOO_MCP_AUTH": bearer}
            }}})),
        },
        "n8n": {
            "title": "n8n",
            "where": "Paste onto a workflow canvas (Ctrl+V or ⌘V): an MCP Client Tool node for an AI Agent's tools, and a standalone MCP Client node; keep the one you need",
            "text": pretty(n8n_nodes(endpoint)),
            "then": format!("n8n keeps credentials apart from nodes: in the node, under \"Credential for Bearer Auth\", create a new credential with Bearer Token {key}"),
        },
    })
}

/// n8n's clipboard format for nodes. Bearer Auth makes the node send `Authorization: Bearer <token>`
/// from an `httpBearerAuth` credential, which the user creates with the key (see `then`).
fn n8n_nodes(endpoint: &str) -> Value {
    let parameters =
        json!({"endpointUrl": endpoint, "serverTransport": "httpStreamable", "authentication": "bearerAuth"});
    let node = |(kind, version): (&str, f64), name: &str, x: i64| json!({"parameters": parameters, "name": name, "type": kind, "typeVersion": version, "position": [x, 0]});
    json!({
        "nodes": [node(N8N_TOOL_NODE, "Odoo MCP tools", 0), node(N8N_CLIENT_NODE, "Odoo MCP client", 300)],
        "connections": {},
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
            let then = snippet.get("then").and_then(Value::as_str).unwrap_or_default();
            assert!(text.contains("https://mcp.example.com/mcp"), "{name}");
            assert!(text.contains("omcp_secret") || then.contains("omcp_secret"), "{name}");
            assert!(snippet["title"].is_string() && snippet["where"].is_string(), "{name}");
        }
        for name in ["cursor", "vscode", "claude_desktop", "n8n"] {
            let v: Value = serde_json::from_str(s[name]["text"].as_str().unwrap()).unwrap();
            assert!(v.is_object(), "{name}");
        }
        let vs: Value = serde_json::from_str(s["vscode"]["text"].as_str().unwrap()).unwrap();
        assert_eq!(vs["servers"]["odoo"]["type"], "http");
        assert_eq!(vs["servers"]["odoo"]["headers"]["Authorization"], "Bearer omcp_secret");
    }

    #[test]
    fn the_n8n_nodes_hold_no_secret_and_ask_for_a_bearer_credential() {
        let s = for_key("https://mcp.example.com/mcp", "omcp_secret");
        let text = s["n8n"]["text"].as_str().unwrap();
        assert!(!text.contains("omcp_secret"), "n8n stores secrets in credentials, never in node parameters");
        let v: Value = serde_json::from_str(text).unwrap();
        let nodes = v["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 2);
        for n in nodes {
            assert_eq!(n["parameters"]["authentication"], "bearerAuth");
            assert_eq!(n["parameters"]["serverTransport"], "httpStreamable");
        }
        assert!(s["n8n"]["then"].as_str().unwrap().ends_with("Bearer Token omcp_secret"));
    }
}
