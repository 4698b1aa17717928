//! Odoo MCP at the edge: an MCP server for Odoo that runs as a Cloudflare Worker.
//!
//! Everything but `worker_adapter` is plain Rust that builds and tests natively.

#[cfg(target_arch = "wasm32")]
mod worker_adapter;
