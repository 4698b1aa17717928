//! OAuth 2.1 for clients that connect by URL alone: the Worker is the authorization server for its own
//! `/mcp` resource. This module holds the protocol's rules as plain functions (what may be registered,
//! how a redirect matches, PKCE, scopes, the discovery documents, the tokens' form), so that each is
//! tested natively and the endpoints only put them together.
//!
//! A token never reaches Odoo: it is looked up by its hash and stands for a grant, whose Odoo user's
//! own credentials (encrypted, as a key's) are what Odoo sees.

pub mod authorize;
pub mod client_auth;
pub mod client_document;
pub mod cookies;
pub mod discovery;
pub mod error;
pub mod metadata;
pub mod offers;
pub mod page;
pub mod params;
pub mod pkce;
pub mod redirect;
pub mod register;
pub mod registration;
pub mod resource;
pub mod revoke;
pub mod routes;
pub mod scope;
pub mod sealed;
pub mod sign_in;
pub mod token;

/// An audit row of the authorization server (its tool column says `oauth`), written after the response.
pub(crate) fn audit(
    event: &str,
    key_id: Option<i64>,
    connection_id: Option<i64>,
    outcome: &str,
    detail: &str,
    now: i64,
) -> crate::platform::Stmt {
    crate::store::AuditEvent {
        event,
        key_id,
        connection_id,
        outcome,
        tool: Some("oauth"),
        detail: Some(detail),
        ..Default::default()
    }
    .stmt(now)
}
