//! Fuzz target `mcp_message`. An MCP POST (optional `name: value` header lines, a blank line, the body): JSON-RPC and era classification, routing headers.
//! The invariants are in `odoo_mcp_edge::fuzz_checks`, which `cargo test` also runs on the seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| odoo_mcp_edge::fuzz_checks::mcp_message(data));
