//! Fuzz target `resource_uri`. An `odoo://` URI: parsing, and the round trip of the URIs the server builds.
//! The invariants are in `odoo_mcp_edge::fuzz_checks`, which `cargo test` also runs on the seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| odoo_mcp_edge::fuzz_checks::resource_uri(data));
