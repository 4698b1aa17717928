//! Who may do what, decided: MCP keys, model permissions (default-deny, scopes, the sensitive-model
//! block), field policies applied to a schema, request authentication, the failed-authentication
//! throttle and the rate limit. Decisions only: the SQL they are read and counted with is `store`'s.

pub mod auth;
pub mod failures;
pub mod fields;
pub mod keys;
pub mod permissions;
pub mod rate_limit;
pub mod tokens;
