//! MCP over Streamable HTTP, both protocol eras on one endpoint: JSON-RPC messages, era
//! classification, the session lane (`legacy`) and the stateless lane (`modern`), the lifecycle,
//! streamed responses, and method dispatch.

pub mod dispatch;
pub mod era;
pub mod headers;
pub mod jsonrpc;
pub mod legacy;
pub mod lifecycle;
pub mod modern;
pub mod stream;
pub mod transport;
