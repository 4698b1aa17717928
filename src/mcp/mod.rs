//! The MCP protocol's vocabulary, shared by the transport and the capabilities: JSON-RPC messages
//! and codes, the two eras and their classification, the header names, the lifecycle (versions,
//! `initialize`, `server/discover`), streamed responses and notifications, the request context a
//! capability is handed, and how a request asks its person for approval. Nothing here serves a request: that is `transport`, above the capabilities.

pub mod approval;
pub mod asking;
pub mod context;
pub mod era;
pub mod headers;
pub mod jsonrpc;
pub mod lifecycle;
pub mod stream;
