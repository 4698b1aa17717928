//! Fuzz target `cursor`. Input `secret \n binding \n cursor`: decoding never panics; issued cursors round-trip; altered ones are refused.
//! The invariants are in `odoo_mcp_edge::fuzz_checks`, which `cargo test` also runs on the seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| odoo_mcp_edge::fuzz_checks::cursor(data));
