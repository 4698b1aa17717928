//! MCP over Streamable HTTP: JSON-RPC messages, the session-era transport rules, the lifecycle
//! (initialize and version negotiation) and method dispatch.

pub mod dispatch;
pub mod jsonrpc;
pub mod lifecycle;
pub mod transport;
