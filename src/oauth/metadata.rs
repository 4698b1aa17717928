//! The discovery documents: Protected Resource Metadata for `/mcp` (RFC 9728), which points clients
//! to this same origin as the authorization server, and Authorization Server Metadata (RFC 8414),
//! served also at the OpenID discovery path that some clients try first. The endpoints sit at the
//! origin's root (`/authorize`, `/token`, `/register`), where 2025-03-26 clients, which read no
//! metadata, look for them.

use super::resource::Issuer;
use super::scope::SUPPORTED;
use crate::json;
use serde_json::Value;

pub const AUTHORIZE_PATH: &str = "/authorize";
pub const TOKEN_PATH: &str = "/token";
pub const REGISTER_PATH: &str = "/register";
pub const REVOKE_PATH: &str = "/revoke";
/// RFC 9728 §3.1: the well-known prefix, followed by the resource's path (`/mcp`) or by nothing.
pub const PROTECTED_RESOURCE_PATH: &str = "/.well-known/oauth-protected-resource";
pub const AUTHORIZATION_SERVER_PATH: &str = "/.well-known/oauth-authorization-server";
pub const OPENID_CONFIGURATION_PATH: &str = "/.well-known/openid-configuration";

/// RFC 9728 §2.
pub fn protected_resource(issuer: &Issuer) -> Value {
    json!({
        "resource": issuer.resource(),
        "authorization_servers": [issuer.id()],
        "scopes_supported": SUPPORTED,
        "bearer_methods_supported": ["header"],
        "resource_name": "Odoo MCP",
    })
}

/// The URL a 401 names in `WWW-Authenticate: Bearer resource_metadata="…"`: the path form, which
/// clients try first.
pub fn protected_resource_url(issuer: &Issuer) -> String {
    issuer.url(&format!("{PROTECTED_RESOURCE_PATH}{}", super::resource::MCP_PATH))
}

/// RFC 8414 §2. Public clients (no secret: PKCE proves the code's holder) and clients that registered
/// with a secret are both served.
pub fn authorization_server(issuer: &Issuer) -> Value {
    let auth_methods = ["none", "client_secret_basic", "client_secret_post"];
    json!({
        "issuer": issuer.id(),
        "authorization_endpoint": issuer.url(AUTHORIZE_PATH),
        "token_endpoint": issuer.url(TOKEN_PATH),
        "registration_endpoint": issuer.url(REGISTER_PATH),
        "revocation_endpoint": issuer.url(REVOKE_PATH),
        "scopes_supported": SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "client_id_metadata_document_supported": true,
        "authorization_response_iss_parameter_supported": true,
    })
}

/// Which document a well-known path asks for, if any.
#[derive(Debug, PartialEq)]
pub enum Document {
    ProtectedResource,
    AuthorizationServer,
}

pub fn document_at(path: &str) -> Option<Document> {
    match path {
        p if p == PROTECTED_RESOURCE_PATH || p == format!("{PROTECTED_RESOURCE_PATH}/mcp") => {
            Some(Document::ProtectedResource)
        }
        // The issuer has no path, so the path-inserted forms (RFC 8414 §3.1) are these same paths;
        // some clients insert the resource's path anyway.
        p if p == AUTHORIZATION_SERVER_PATH
            || p == OPENID_CONFIGURATION_PATH
            || p == format!("{AUTHORIZATION_SERVER_PATH}/mcp")
            || p == format!("{OPENID_CONFIGURATION_PATH}/mcp")
            || p == "/mcp/.well-known/openid-configuration" =>
        {
            Some(Document::AuthorizationServer)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_point_at_each_other() {
        let issuer = Issuer::of("https://mcp.example.com/mcp").unwrap();
        let prm = protected_resource(&issuer);
        assert_eq!(prm["resource"], "https://mcp.example.com/mcp");
        assert_eq!(prm["authorization_servers"][0], "https://mcp.example.com");
        let asm = authorization_server(&issuer);
        assert_eq!(asm["issuer"], prm["authorization_servers"][0], "clients refuse an issuer that differs");
        assert_eq!(asm["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(asm["token_endpoint"], "https://mcp.example.com/token");
        assert!(!asm["scopes_supported"].as_array().unwrap().contains(&json!("offline_access")));
        assert_eq!(protected_resource_url(&issuer), "https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
    }

    #[test]
    fn the_well_known_paths() {
        assert_eq!(document_at("/.well-known/oauth-protected-resource/mcp"), Some(Document::ProtectedResource));
        assert_eq!(document_at("/.well-known/oauth-protected-resource"), Some(Document::ProtectedResource));
        assert_eq!(document_at("/.well-known/oauth-authorization-server"), Some(Document::AuthorizationServer));
        assert_eq!(document_at("/.well-known/openid-configuration"), Some(Document::AuthorizationServer));
        assert_eq!(document_at("/.well-known/oauth-protected-resource/other"), None);
    }
}
