//! Fuzz target `domain`. A domain as JSON, validated against Odoo 19's res.partner (full and with fields hidden by a policy).
//! The invariants are in `odoo_mcp_edge::fuzz_checks`, which `cargo test` also runs on the seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| odoo_mcp_edge::fuzz_checks::domain(data));
