//! Who may do what: MCP keys, the encryption of Odoo credentials, model permissions (default-deny,
//! scopes, the sensitive-model block), request authentication and the rate limit.

pub mod auth;
pub mod failures;
pub mod fields;
pub mod keys;
pub mod permissions;
pub mod rate_limit;
